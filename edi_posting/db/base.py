"""The declarative base every persisted row shares: naming convention and column aliases.

Money is always ``BigInteger`` cents (``Cents``); never Numeric (SQLite stores it as a float)
and never float.  Constraint names follow one convention so migrations are portable between
SQLite (batch mode) and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, cast

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    "Cents",
    "Created",
    "FromFile",
    "IdPk",
    "table_of",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid alias), not a BIGINT one.
BigId = BigInteger().with_variant(Integer(), "sqlite")

IdPk = Annotated[int, mapped_column(BigId, primary_key=True, autoincrement=True)]
Cents = Annotated[int, mapped_column(BigInteger, nullable=False)]
Created = Annotated[
    dt.datetime, mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {int: BigInteger, str: String}


class FromFile:
    """Columns every row produced from a received file carries: its way back to the segment."""

    @declared_attr
    def source_file_id(cls) -> Mapped[int | None]:
        return mapped_column(BigInteger, ForeignKey("received_files.id"), nullable=True)

    source_isa13: Mapped[str | None] = mapped_column(String(35))  # interchange control number
    source_st02: Mapped[str | None] = mapped_column(String(35))  # transaction set control number
    source_segment: Mapped[int | None] = mapped_column(Integer)  # 1-based segment position


def table_of(model: type[DeclarativeBase]) -> Table:
    """The Core table of a mapped class, typed as a ``Table``: the bulk paths write with
    Core, and ``__table__`` is typed as a plain ``FromClause``."""
    return cast(Table, model.__table__)
