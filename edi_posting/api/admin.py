"""Administration: the schema (upgrade, revision, drift check), PostgreSQL grants, and the
database URL as it may be shown.

Upgrades and grants need ``administer`` once users exist; an empty database has no users
table, so its first upgrade runs with access control off, as everything does until the
first user is created.  Open the session with ``require_current=False`` for these.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from edi_posting.access.permissions import Permission
from edi_posting.api.session import Session
from edi_posting.audit.links import ensure_baseline
from edi_posting.db import migration
from edi_posting.db.engine import normalize_url
from edi_posting.db.migration import ReadOnlyLeakError, UnknownRoleError
from edi_posting.records.states import AuditOutcome

__all__ = ["SchemaState", "check_schema", "grant_role", "schema_revision", "shown_database_url", "upgrade_database"]


@dataclass(frozen=True, slots=True)
class SchemaState:
    """The database's revision (None: empty), this version's head, and for a database at
    the head, every difference between the models and the migrations."""

    revision: str | None
    head: str
    drift: list[str]


def _authorize_admin(session: Session, action: str, object_id: str) -> str | None:
    """``administer`` once users exist; the role, for the audit event."""
    if not inspect(session.engine).has_table("users"):
        return None
    return session.authorize(Permission.ADMINISTER, action, object_id).role


def upgrade_database(session: Session, revision: str = "head") -> tuple[str | None, str | None]:
    """Create the tables or bring them to ``revision``; (before, after).  At the head the
    baseline audit event vouches for rows written before audit events linked them, so
    nothing inserted later can hide among them."""
    engine = session.engine
    before = migration.current_revision(engine)
    role = _authorize_admin(session, "db.upgrade", revision)
    migration.upgrade(engine, revision)
    after = migration.current_revision(engine)
    if revision == "head":
        with session.writing() as conn:
            ensure_baseline(conn)
    session.audit("db.upgrade", role=role, object_type="schema", object_id=after,
                  summary={"before": before, "after": after, "target": revision})
    return before, after


def schema_revision(session: Session) -> SchemaState:
    """The revision and the head, without the drift check (no permission: no rows read)."""
    return SchemaState(migration.current_revision(session.engine), migration.head_revision(), [])


def check_schema(session: Session) -> SchemaState:
    """The revision and head; the drift between models and migrations when at the head."""
    state = schema_revision(session)
    if state.revision != state.head:
        return state
    return SchemaState(state.revision, state.head,
                       [str(d) for d in migration.drift(session.engine)])


def grant_role(session: Session, role: str, *, read_only: bool = False) -> list[str]:
    """PostgreSQL: grant an application role what it needs and no UPDATE or DELETE on the
    journal and audit tables (``read_only``: what an auditor needs to look, nothing to act
    with).  The statements run; a failure (:class:`UnknownRoleError`,
    :class:`ReadOnlyLeakError`, ValueError for a bad name) is audited, then raised."""
    actor_role = _authorize_admin(session, "db.grant", role)
    try:
        statements = migration.grant_application_role(session.engine, role, read_only=read_only)
    except (UnknownRoleError, ReadOnlyLeakError, ValueError) as exc:
        session.audit("db.grant", role=actor_role, object_type="database_role", object_id=role,
                      outcome=AuditOutcome.FAILED,
                      summary={"reason": str(exc), "read_only": read_only})
        raise
    session.audit("db.grant", role=actor_role, object_type="database_role", object_id=role,
                  summary={"statements": len(statements), "read_only": read_only})
    return statements


def shown_database_url(database_url: str | None) -> str:
    """The URL a session would use (the default SQLite file when None), password hidden.
    No database is opened."""
    return make_url(normalize_url(database_url)).render_as_string()
