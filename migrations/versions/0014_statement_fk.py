"""PostgreSQL: the foreign keys of the 835 import's hot child tables (journal lines and
entries, claim and service-line payments, CAS adjustments, AMT amounts, remark codes)
are checked once per statement by triggers instead of once per row by constraints; each
parent that is not append-only keeps the parent-side half by triggers of its own.  See
``edi_posting.db.statement_fk`` for the list, the why and the triggers.  SQLite keeps its
foreign keys: nothing changes there.

Revision ID: 0014
Revises: 0012
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from edi_posting.db.statement_fk import STATEMENT_CHECKED, create_statements, drop_statements

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    names = {}
    for child, column, _ in STATEMENT_CHECKED:
        names[(child, column)] = bind.execute(sa.text(
            "SELECT con.conname FROM pg_constraint con "
            "JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1] "
            "WHERE con.contype = 'f' AND con.conrelid = CAST(:t AS regclass) "
            "AND a.attname = :c"), {"t": child, "c": column}).scalar_one()
    for statement in create_statements(names):
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for statement in drop_statements(_model_names(bind.dialect)):
        op.execute(statement)


def _model_names(dialect: sa.engine.Dialect) -> dict[tuple[str, str], str]:
    """The constraint names the models' naming convention gives (truncated to PostgreSQL's
    63 characters the way SQLAlchemy truncates them), as migration 0001 created them."""
    from edi_posting.db.models import Base

    names = {}
    for child, column, _ in STATEMENT_CHECKED:
        constraint = next(fk.constraint for fk in Base.metadata.tables[child].c[column]
                          .foreign_keys if fk.constraint is not None)
        rendered = dialect.identifier_preparer.format_constraint(constraint)
        assert rendered is not None, "the naming convention names every foreign key"
        names[(child, column)] = rendered.strip('"')
    return names
