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

from edi_posting.db.models import Coverage, Patient, PatientAccount, Payer, PayerAlias, Provider
from edi_posting.records.claim import BillingProvider, PayerInfo, SubmittedClaimRecord

__all__ = ["PartyIds", "PatientConflict", "find_or_create_payer", "normalize_pcn", "resolve_parties"]


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


@dataclass(frozen=True, slots=True)
class PatientConflict:
    claim_ordinal: int
    member_id: str
    existing_patient_id: int
    new_patient_id: int


def find_or_create_payer(conn: Connection, kind: str, identifier: str, name: str) -> int:
    alias = PayerAlias.__table__
    found = conn.execute(
        select(alias.c.payer_id).where(
            alias.c.alias_kind == kind, alias.c.alias_value == identifier
        )
    ).scalar()
    if found is not None:
        return int(found)
    payer = Payer.__table__
    existing = conn.execute(
        select(payer.c.id).where(payer.c.primary_identifier == identifier)
    ).scalar()
    payer_id = existing if existing is not None else conn.execute(
        insert(payer).values(name=name or identifier, primary_identifier=identifier)
    ).inserted_primary_key[0]
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
    table = Provider.__table__
    column = table.c.npi if provider.npi else table.c.tin
    found = conn.execute(select(table.c.id).where(column == key)).scalar()
    if found is None:
        addr = provider.address
        found = conn.execute(
            insert(table).values(
                name=provider.name, npi=provider.npi, tin=provider.tin,
                address_line1=addr.line1, city=addr.city, state=addr.state,
                postal_code=addr.postal_code,
            )
        ).inserted_primary_key[0]
    cache[key] = int(found)
    return cache[key]


def _person(claim: SubmittedClaimRecord) -> tuple[str, str, str, object, object, object]:
    """(last, first, middle, birth date, gender, address) of the patient of the claim."""
    who = claim.patient or claim.subscriber
    return (who.last_name, who.first_name or "", who.middle_name or "", who.birth_date,
            who.gender, who.address)


def patient_identity_key(claim: SubmittedClaimRecord, payer_id: int | None) -> str:
    last, first, _middle, birth, _gender, _addr = _person(claim)
    if birth is not None:
        return f"person|{_norm(last)}|{_norm(first)}|{birth}"
    member = claim.subscriber.member_id or ""
    return f"member|{payer_id}|{_norm(member)}|{_norm(last)}|{_norm(first)}"


def resolve_parties(
    conn: Connection,
    claims: Sequence[SubmittedClaimRecord],
    *,
    account_pattern: str | None = None,
) -> tuple[list[PartyIds], list[PatientConflict]]:
    """Find or create the parties of each claim, in the order of ``claims``."""
    payer_cache: dict[tuple[str, str], int] = {}
    provider_cache: dict[str, int] = {}
    results: list[PartyIds] = []
    conflicts: list[PatientConflict] = []
    for claim in claims:
        key = _payer_key(claim.payer)
        payer_id = None
        if key is not None:
            cache_key = key[:2]
            if cache_key not in payer_cache:
                payer_cache[cache_key] = find_or_create_payer(conn, *key)
            payer_id = payer_cache[cache_key]
        provider_id = _provider_id(conn, claim.billing_provider, provider_cache)
        patient_id, conflict = _patient(conn, claim, payer_id)
        if conflict is not None:
            conflicts.append(conflict)
        coverage_id = _coverage(conn, claim, payer_id, patient_id)
        account_id = _account(conn, claim, patient_id, provider_id, account_pattern)
        results.append(PartyIds(payer_id, provider_id, patient_id, account_id, coverage_id))
    return results, conflicts


def _patient(
    conn: Connection, claim: SubmittedClaimRecord, payer_id: int | None
) -> tuple[int, PatientConflict | None]:
    table = Patient.__table__
    key = patient_identity_key(claim, payer_id)
    conflict_with = _member_conflict(conn, claim, payer_id, key)
    if conflict_with is not None:
        key = f"{key}|conflict-with|{conflict_with}"
    found = conn.execute(select(table.c.id).where(table.c.identity_key == key)).scalar()
    if found is None:
        last, first, middle, birth, gender, addr = _person(claim)
        found = conn.execute(
            insert(table).values(
                last_name=last, first_name=first or None, middle_name=middle or None,
                birth_date=birth, gender=gender, identity_key=key,
                address_line1=addr.line1, city=addr.city,  # type: ignore[attr-defined]
                state=addr.state, postal_code=addr.postal_code,  # type: ignore[attr-defined]
            )
        ).inserted_primary_key[0]
    conflict = None
    if conflict_with is not None:
        member = claim.subscriber.member_id or ""
        conflict = PatientConflict(claim.ordinal, member, conflict_with, int(found))
    return int(found), conflict


def _member_conflict(
    conn: Connection, claim: SubmittedClaimRecord, payer_id: int | None, key: str
) -> int | None:
    """The patient already holding this payer member ID as subscriber, if another person."""
    member = claim.subscriber.member_id
    if claim.patient is not None or not member or payer_id is None:
        return None
    cov, pat = Coverage.__table__, Patient.__table__
    rows = conn.execute(
        select(pat.c.id, pat.c.identity_key)
        .join(cov, cov.c.patient_id == pat.c.id)
        .where(cov.c.payer_id == payer_id, cov.c.member_id == member,
               cov.c.relationship_code == "18")
    ).all()
    for patient_id, existing_key in rows:
        if existing_key.split("|conflict-with|")[0] != key:
            return int(patient_id)
    return None


def _coverage(
    conn: Connection, claim: SubmittedClaimRecord, payer_id: int | None, patient_id: int
) -> int | None:
    sub = claim.subscriber
    if payer_id is None or not sub.member_id:
        return None
    table = Coverage.__table__
    found = conn.execute(
        select(table.c.id).where(
            table.c.payer_id == payer_id, table.c.member_id == sub.member_id,
            table.c.patient_id == patient_id,
        )
    ).scalar()
    if found is None:
        relationship = "18" if claim.patient is None else (claim.patient.relationship or "G8")
        found = conn.execute(
            insert(table).values(
                patient_id=patient_id, payer_id=payer_id, member_id=sub.member_id,
                group_number=sub.group_number, relationship_code=relationship,
                responsibility=sub.responsibility, subscriber_last_name=sub.last_name,
                subscriber_first_name=sub.first_name,
            )
        ).inserted_primary_key[0]
    return int(found)


def _account(
    conn: Connection,
    claim: SubmittedClaimRecord,
    patient_id: int,
    provider_id: int | None,
    pattern: str | None,
) -> int:
    number = None
    if pattern:
        match = re.search(pattern, claim.patient_control_number)
        if match and match.groupdict().get("account"):
            number = match.group("account")
    if number is None:
        prov = claim.billing_provider
        number = f"{prov.npi or prov.tin or 'NOPROV'}-{patient_id}"
    table = PatientAccount.__table__
    found = conn.execute(select(table.c.id).where(table.c.account_number == number)).scalar()
    if found is None:
        found = conn.execute(
            insert(table).values(account_number=number, patient_id=patient_id,
                                 provider_id=provider_id)
        ).inserted_primary_key[0]
    return int(found)
