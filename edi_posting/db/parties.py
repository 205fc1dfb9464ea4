"""Rows for the parties: payers (and every identifier a payer is known by), providers,
patients, their accounts and coverages, and the people who use the product."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from edi_posting.db.base import Base, Created, IdPk
from edi_posting.records.states import check_in

__all__ = ["PERSON_ROLES", "ROLES", "Coverage", "Patient", "PatientAccount", "Payer", "PayerAlias", "Provider",
           "Role", "User"]


class Role(enum.StrEnum):
    """``users.role`` and ``audit_events.role``: what a user may do (the permission matrix,
    :data:`edi_posting.access.permissions.MATRIX`, says what each role grants)."""

    POSTER = "poster"
    SPECIALIST = "specialist"
    LEAD = "lead"
    AUDITOR = "auditor"
    ADMIN = "admin"
    # the web workbench's own database login: grants nothing itself, and may record audit
    # events only in the name of the active people it authenticated (migration 0025)
    WEB = "web"


ROLES = tuple(Role)  # in order: the users CHECK lists them so (migration 0011)
#: The roles people hold: work can be escalated to them (not to the workbench's login)
PERSON_ROLES = tuple(r for r in Role if r != Role.WEB)


class Payer(Base):
    __tablename__ = "payers"

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(256))
    primary_identifier: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[Created]


class PayerAlias(Base):
    """A payer is named differently in 837 NM1*PR, 835 TRN03, N1*PR and REF*2U."""

    __tablename__ = "payer_aliases"
    __table_args__ = (UniqueConstraint("alias_kind", "alias_value"),)

    id: Mapped[IdPk]
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id"), index=True)
    alias_kind: Mapped[str] = mapped_column(String(35))  # trn03, n1_pr, ref_2u, nm1_pr_pi
    alias_value: Mapped[str] = mapped_column(String(80))


class Provider(Base):
    """A billing, pay-to or payee provider; identified by NPI, else TIN."""

    __tablename__ = "providers"
    __table_args__ = (UniqueConstraint("npi", "tin"),)

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(256))
    npi: Mapped[str | None] = mapped_column(String(35))
    tin: Mapped[str | None] = mapped_column(String(35), index=True)
    address_line1: Mapped[str | None] = mapped_column(String(128))
    city: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str | None] = mapped_column(String(35))
    postal_code: Mapped[str | None] = mapped_column(String(35))
    created_at: Mapped[Created]


class Patient(Base):
    """A person.  Never merged silently: a conflict on identity is a review item."""

    __tablename__ = "patients"
    __table_args__ = (Index("ix_patients_name_keys", "last_name_key", "first_name_key"),)

    id: Mapped[IdPk]
    last_name: Mapped[str] = mapped_column(String(128))
    first_name: Mapped[str | None] = mapped_column(String(64))
    # the names as the match stage compares them (edi_posting.names.name_keys): the
    # fallback by name looks patients up by these, through ix_patients_name_keys
    last_name_key: Mapped[str] = mapped_column(String(128), server_default="")
    first_name_key: Mapped[str] = mapped_column(String(64), server_default="")
    middle_name: Mapped[str | None] = mapped_column(String(64))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(35))
    address_line1: Mapped[str | None] = mapped_column(String(128))
    city: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str | None] = mapped_column(String(35))
    postal_code: Mapped[str | None] = mapped_column(String(35))
    identity_key: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[Created]


class PatientAccount(Base):
    """The practice's account (guarantor ledger) on which claims and balances hang."""

    __tablename__ = "patient_accounts"

    id: Mapped[IdPk]
    account_number: Mapped[str] = mapped_column(String(64), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    created_at: Mapped[Created]


class Coverage(Base):
    """A patient's membership with a payer (subscriber, member ID, group)."""

    __tablename__ = "coverages"
    __table_args__ = (UniqueConstraint("payer_id", "member_id", "patient_id"),)

    id: Mapped[IdPk]
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id"))
    member_id: Mapped[str] = mapped_column(String(80), index=True)
    group_number: Mapped[str | None] = mapped_column(String(50))
    relationship_code: Mapped[str | None] = mapped_column(String(35))  # SBR02 / PAT01
    responsibility: Mapped[str | None] = mapped_column(String(35))  # SBR01 P/S/T
    subscriber_last_name: Mapped[str | None] = mapped_column(String(128))
    subscriber_first_name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[Created]


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(check_in("role", Role), name="role"),
    )

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[str] = mapped_column(String(35))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[Created]
    created_by: Mapped[str] = mapped_column(String(128))
    # (these two last: the column order of the table, which migration 0012 added them to)
    # the authenticated login (PostgreSQL role, OS user on SQLite) that acts as this user
    login: Mapped[str] = mapped_column(String(128), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))  # argon2id, web logins
