"""Alembic, wrapped: upgrade, downgrade, current revision and drift check.

The migration scripts ship inside the package (``edi_posting.migrations``, which is the
repository's top-level ``migrations/`` folder), so an installed wheel can migrate a
database without a checkout.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from edi_posting.db.engine import DatabaseUnavailableError, make_engine, normalize_url
from edi_posting.db.statement_fk import is_statement_checked, trigger_drift

__all__ = [
    "DatabaseBehindError",
    "ReadOnlyLeakError",
    "UnknownRoleError",
    "alembic_config",
    "connect",
    "current_revision",
    "downgrade",
    "drift",
    "head_revision",
    "upgrade",
]


class DatabaseBehindError(RuntimeError):
    """The database is not at the revision this version of the code needs (exit 78)."""


def _script_location() -> str:
    package = importlib.import_module("edi_posting.migrations")
    return str(Path(next(iter(package.__path__))))


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", _script_location())
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)


def head_revision() -> str:
    heads = ScriptDirectory(_script_location()).get_heads()
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


# Indexes only a migration declares: a PostgreSQL-only operator class index (0003), which
# the models cannot state for both databases alike.
MIGRATION_ONLY_INDEXES = frozenset({"ix_submitted_claims_pcn_prefix"})


def _compared(obj: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)


def drift(engine: Engine) -> list[Any]:
    """Differences between the models and the migrated database (empty when none)."""
    from edi_posting.db.models import Base

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True,
                        "include_object": _compared}
        )
        differences = list(compare_metadata(context, Base.metadata))
        if conn.dialect.name != "postgresql":
            return differences
        # the keys migration 0014 moved from constraints to statement triggers: the
        # missing constraint is expected, a missing or altered trigger is drift
        return [d for d in differences if not is_statement_checked(d)] + trigger_drift(conn)


def connect(url: str | None, *, require_current: bool = True) -> Engine:
    """An engine that is reachable and, when required, at the head revision.

    SQLite databases (the embedded default) are created and upgraded on first use.
    A PostgreSQL database that is behind is an error that names the command to run.
    """
    url = normalize_url(url)
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseUnavailableError(
            f"cannot reach the database {engine.url.render_as_string()}: "
            f"{_first_line(exc.orig)}"
        ) from None
    if not require_current or revision == head_revision():
        return engine
    if engine.dialect.name == "sqlite":
        upgrade(engine)
        return engine
    engine.dispose()
    raise DatabaseBehindError(
        f"the database is at revision {revision or 'none (empty)'}, this version needs "
        f"{head_revision()}: run `edi-posting db upgrade`"
    )


def _first_line(error: object) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class UnknownRoleError(LookupError):
    """``db grant`` names a PostgreSQL role that does not exist (exit 65, not a crash)."""


class ReadOnlyLeakError(RuntimeError):
    """``db grant --read-only`` done, but the role can still write through a role it is a
    member of (or as a superuser): exit 1, naming them."""


APPEND_ONLY_TABLES = ("journal_entries", "journal_lines", "audit_events", "review_item_events")
# what the application updates in place, column by column (every ``update(...)`` in the
# package: queue state, import status, matching links, payer adoption, settings); billed and
# paid amounts and identifiers are never rewritten, so a forged rewrite is refused here (the
# ledger's own lines would not show it).  For received files, the database copy's bytes may
# be restored (re-importing replaces a copy whose hash differs; the recorded SHA-256 and
# archive path never change, so `audit verify --archive` catches bytes replaced behind the
# application).  Review items: the queue's actions set many fields (None: every column).
UPDATED_TABLES: dict[str, tuple[str, ...] | None] = {
    "approvals": ("status", "decided_by", "decided_at", "decision_note", "journal_entry_id"),
    "claim_payments": ("submitted_claim_id", "posting_state", "match_method"),
    "payer_aliases": ("payer_id",),
    "payers": ("primary_identifier",),
    "periods": ("status", "closed_by", "closed_at", "close_reason", "reopened_by", "reopened_at",
                "reopen_reason"),
    "posting_policies": ("action", "never_auto_post", "zero_pay_contractual", "note"),
    "provider_adjustments": ("linked_claim_id",),
    "received_files": ("status", "summary", "content"),
    "remittances": ("payer_id",),
    "review_items": None,
    "settings": ("value", "updated_by", "updated_at"),
    "submitted_claims": ("status", "replaces_claim_id"),
}
# written only through migration 0012's audited SECURITY DEFINER functions
USER_FUNCTIONS = ("edi_posting_user_add(text, text, text, text)",
                  "edi_posting_user_change(text, text, text, text)")
# the one a user who is not an admin may call: their own password (edi_posting_user_caller)
OWN_PASSWORD_FUNCTION = "edi_posting_user_change(text, text, text, text)"


def grant_application_role(engine: Engine, role: str, *, read_only: bool = False) -> list[str]:
    """PostgreSQL: let ``role`` use the schema with no UPDATE/DELETE on append-only tables,
    UPDATE only where the application updates in place, and no write on ``users`` but
    through the audited functions.  What the role held before is revoked first, so
    running it again after an upgrade tightens an older grant.

    ``read_only`` is for auditors: SELECT everywhere, INSERT only on ``audit_events`` (their
    reads are audited, and the seal trigger checks the actor is their own user) and their
    own password, so that even raw SQL with their login cannot act.

    The application should connect as this role, not as the owner: the triggers stop
    changes from any role, and the missing privileges stop them before the triggers run.
    """
    from sqlalchemy import text

    if engine.dialect.name != "postgresql":
        raise ValueError("roles and grants exist only on PostgreSQL")
    quoted = engine.dialect.identifier_preparer.quote(role)
    with engine.connect() as conn:
        known = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :role"),
                             {"role": role}).first()
    if known is None:
        raise UnknownRoleError(f"no PostgreSQL role {role!r}: create it first "
                               f"(CREATE ROLE {quoted} LOGIN)")
    statements = _read_only_grants(quoted) if read_only else _grants(quoted)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    if read_only:
        _check_read_only(engine, role)
    return statements


def _check_read_only(engine: Engine, role: str) -> None:
    """A member of a role inherits its privileges: the auditor's own grant is not enough
    if their login sits inside the application role."""
    from sqlalchemy import text

    from edi_posting.db.models import AuditEvent, Base

    with engine.connect() as conn:
        writable = [table for table in sorted(Base.metadata.tables) if conn.execute(
            text("SELECT has_table_privilege(:role, :table, :rights)"),
            {"role": role, "table": table, "rights": "UPDATE, DELETE, TRUNCATE" if table ==
             AuditEvent.__tablename__ else "INSERT, UPDATE, DELETE, TRUNCATE"}).scalar_one()]
        parents = list(conn.execute(text(
            "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :role ORDER BY 1"),
            {"role": role}).scalars())
    if writable:
        through = f"member of {', '.join(parents)}" if parents else "superuser or owner"
        raise ReadOnlyLeakError(
            f"{role} can still write {', '.join(writable[:3])}"
            f"{' and more' if len(writable) > 3 else ''} ({through}): "
            f"revoke that membership (REVOKE ... FROM {role}) and grant again")


def _revoked(quoted: str) -> list[str]:
    """Whatever the role held (a role moved from the application grant to read-only keeps
    nothing of it), then the schema and the version table every command reads."""
    return [*(f"REVOKE ALL ON ALL {what} IN SCHEMA public FROM {quoted}"
              for what in ("TABLES", "SEQUENCES", "FUNCTIONS")),
            f"GRANT USAGE ON SCHEMA public TO {quoted}",
            f"GRANT SELECT ON alembic_version TO {quoted}"]


def _grants(quoted: str) -> list[str]:
    from edi_posting.db.models import Base

    statements = [*_revoked(quoted),
                  f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
                  f"GRANT EXECUTE ON FUNCTION {', '.join(USER_FUNCTIONS)} TO {quoted}"]
    for table in sorted(Base.metadata.tables):
        rights = "SELECT" if table == "users" else "SELECT, INSERT"
        statements.append(f"GRANT {rights} ON {table} TO {quoted}")
        if table in UPDATED_TABLES:
            columns = UPDATED_TABLES[table]
            which = f"UPDATE ({', '.join(columns)})" if columns else "UPDATE"
            statements.append(f"GRANT {which} ON {table} TO {quoted}")
    return statements


def _read_only_grants(quoted: str) -> list[str]:
    from edi_posting.db.models import AuditEvent, Base

    audit_table = AuditEvent.__tablename__
    return [*_revoked(quoted),
            f"GRANT EXECUTE ON FUNCTION {OWN_PASSWORD_FUNCTION} TO {quoted}",
            *(f"GRANT SELECT ON {table} TO {quoted}" for table in sorted(Base.metadata.tables)),
            f"GRANT INSERT ON {audit_table} TO {quoted}"]
