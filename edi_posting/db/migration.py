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


APPEND_ONLY_TABLES = ("journal_entries", "journal_lines", "audit_events", "review_item_events")
# what the application updates in place (queue state, import status, settings, links), and
# for approvals only the decision; every other table is SELECT, INSERT for it
UPDATED_TABLES: dict[str, tuple[str, ...] | None] = {
    "approvals": ("status", "decided_by", "decided_at", "decision_note", "journal_entry_id"),
    "claim_payments": None, "payer_aliases": None, "payers": None, "posting_policies": None,
    "provider_adjustments": None, "received_files": None, "remittances": None,
    "review_items": None, "settings": None, "submitted_claims": None,
}
# written only through migration 0012's audited SECURITY DEFINER functions
USER_FUNCTIONS = ("edi_posting_user_add(text, text, text, text)",
                  "edi_posting_user_change(text, text, text, text)")


def grant_application_role(engine: Engine, role: str) -> list[str]:
    """PostgreSQL: let ``role`` use the schema with no UPDATE/DELETE on append-only tables,
    UPDATE only where the application updates in place, and no write on ``users`` but
    through the audited functions.  What the role held before is revoked first, so
    running it again after an upgrade tightens an older grant.

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
    statements = _grants(quoted)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    return statements


def _grants(quoted: str) -> list[str]:
    from edi_posting.db.models import Base

    statements = [f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
                  f"GRANT USAGE ON SCHEMA public TO {quoted}",
                  f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
                  f"GRANT SELECT ON alembic_version TO {quoted}",
                  f"GRANT EXECUTE ON FUNCTION {', '.join(USER_FUNCTIONS)} TO {quoted}"]
    for table in sorted(Base.metadata.tables):
        rights = "SELECT" if table == "users" else "SELECT, INSERT"
        statements.append(f"GRANT {rights} ON {table} TO {quoted}")
        if table in UPDATED_TABLES:
            columns = UPDATED_TABLES[table]
            which = f"UPDATE ({', '.join(columns)})" if columns else "UPDATE"
            statements.append(f"GRANT {which} ON {table} TO {quoted}")
    return statements
