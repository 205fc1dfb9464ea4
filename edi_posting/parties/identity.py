"""Who is who across files: payers, providers, patients, accounts and coverages.

The policy (also in the README):

* A **payer** is found by any identifier it was seen with (837 NM1*PR id, 835 TRN03,
  REF*2U, N1*PR id), else created under that identifier.
* A **provider** is found by NPI, else TIN.
* A **patient** is one person: last name + first name + date of birth.  Without a date of
  birth the payer member ID stands in for it.  A payer member ID that already belongs to a
  *different* person (the subscriber is the patient, same payer and member ID, other name
  or date of birth) is a conflict: a new patient is created and a ``patient_conflict``
  review item is opened.  People are never merged silently.
* An **account** is one per patient and billing provider; its number is the provider's
  NPI (or TIN) and the patient id, unless the practice's PCN carries an account number
  (setting ``pcn_account_pattern``, a regular expression with a group named ``account``).

Look-ups are cached per transaction set, so a payer or provider is queried once per set.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from edi_posting.db.base import table_of
from edi_posting.db.bulk import new_id
from edi_posting.db.models import Payer, PayerAlias, Provider
from edi_posting.parties.directory import PartyDirectory, PatientConflict
from edi_posting.records.claim import BillingProvider, PayerInfo, SubmittedClaimRecord

__all__ = ["PartyIds", "find_or_create_payer", "normalize_pcn", "resolve_parties"]


def normalize_pcn(pcn: str) -> str:
    """Payers trim, upper-case and sometimes truncate CLM01; compare on this form."""
    return pcn.strip().upper()


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().upper())


@dataclass(frozen=True, slots=True)
class PartyIds:
    payer_id: int | None
    provider_id: int | None
    patient_id: int
    account_id: int
    coverage_id: int | None


def find_or_create_payer(conn: Connection, kind: str, identifier: str, name: str) -> int:
    alias = table_of(PayerAlias)
    found = conn.execute(
        select(alias.c.payer_id).where(
            alias.c.alias_kind == kind, alias.c.alias_value == identifier
        )
    ).scalar()
    if found is not None:
        return int(found)
    payer = table_of(Payer)
    existing = conn.execute(
        select(payer.c.id).where(payer.c.primary_identifier == identifier)
    ).scalar()
    payer_id = existing if existing is not None else new_id(conn.execute(
        insert(payer).values(name=name or identifier, primary_identifier=identifier)
    ))
    conn.execute(insert(alias).values(payer_id=payer_id, alias_kind=kind, alias_value=identifier))
    return int(payer_id)


def _payer_key(info: PayerInfo | None) -> tuple[str, str, str] | None:
    if info is None:
        return None
    identifier = (info.payer_id or "").strip() or _norm(info.name)
    return ("nm1_pr", identifier, info.name) if identifier else None


def _provider_id(conn: Connection, provider: BillingProvider, cache: dict[str, int]) -> int | None:
    key = provider.npi or provider.tin
    if not key:
        return None
    if key in cache:
        return cache[key]
    table = table_of(Provider)
    column = table.c.npi if provider.npi else table.c.tin
    found = conn.execute(select(table.c.id).where(column == key)).scalar()
    if found is None:
        addr = provider.address
        found = new_id(conn.execute(
            insert(table).values(
                name=provider.name, npi=provider.npi, tin=provider.tin,
                address_line1=addr.line1, city=addr.city, state=addr.state,
                postal_code=addr.postal_code,
            )
        ))
    cache[key] = int(found)
    return cache[key]


def resolve_parties(
    conn: Connection,
    claims: Sequence[SubmittedClaimRecord],
    *,
    account_pattern: str | None = None,
) -> tuple[list[PartyIds], list[PatientConflict]]:
    """Find or create the parties of each claim, in the order of ``claims``.

    Patients, coverages and accounts are looked up in a few batched queries for the whole
    set and the new ones written in bulk at the end: one query per claim would make
    identity the slowest part of an 837 import.
    """
    payer_cache: dict[tuple[str, str], int] = {}
    provider_cache: dict[str, int] = {}
    payers: list[int | None] = []
    for claim in claims:
        key = _payer_key(claim.payer)
        payer_id = None
        if key is not None:
            if key[:2] not in payer_cache:
                payer_cache[key[:2]] = find_or_create_payer(conn, *key)
            payer_id = payer_cache[key[:2]]
        payers.append(payer_id)
    providers = [_provider_id(conn, c.billing_provider, provider_cache) for c in claims]
    known = PartyDirectory.load(conn, claims, payers, account_pattern)
    results: list[PartyIds] = []
    conflicts: list[PatientConflict] = []
    for claim, payer_id, provider_id in zip(claims, payers, providers, strict=True):
        patient_id, conflict = known.patient(claim, payer_id)
        if conflict is not None:
            conflicts.append(conflict)
        coverage_id = known.coverage(claim, payer_id, patient_id)
        account_id = known.account(conn, claim, patient_id, provider_id, account_pattern)
        results.append(PartyIds(payer_id, provider_id, patient_id, account_id, coverage_id))
    known.write(conn)
    return results, conflicts


