"""Patients, coverages and accounts of one 837 transaction set, known in bulk.

The identity policy is in :mod:`edi_posting.parties.identity` (and the README).  This module
applies it to a whole set at once: what already exists is loaded in a handful of
queries, each claim is resolved in memory in file order (so a claim sees the people and
coverages the claims before it created), and the new rows are written in bulk at the end.
A query per claim would make identity the slowest part of an 837 import.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.db.base import table_of
from edi_posting.db.bulk import IdPool, in_chunks, insert_rows
from edi_posting.db.lists import among
from edi_posting.db.models import Coverage, Patient, PatientAccount
from edi_posting.names import name_keys
from edi_posting.records.claim import SubmittedClaimRecord

__all__ = ["CONFLICT_SEPARATOR", "PartyDirectory", "PatientConflict", "account_number", "patient_identity_key"]

_PATIENT, _COVERAGE, _ACCOUNT = table_of(Patient), table_of(Coverage), table_of(PatientAccount)
CONFLICT_SEPARATOR = "|conflict-with|"  # <identity key>|conflict-with|<other patient id>
_CONFLICT = CONFLICT_SEPARATOR


@dataclass(frozen=True, slots=True)
class PatientConflict:
    claim_ordinal: int
    member_id: str
    existing_patient_id: int
    new_patient_id: int


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().upper())


def _person(claim: SubmittedClaimRecord) -> Any:
    """The patient of the claim: the 2000C patient, else the subscriber."""
    return claim.patient or claim.subscriber


def patient_identity_key(claim: SubmittedClaimRecord, payer_id: int | None) -> str:
    who = _person(claim)
    if who.birth_date is not None:
        return f"person|{_norm(who.last_name)}|{_norm(who.first_name)}|{who.birth_date}"
    member = claim.subscriber.member_id or ""
    return f"member|{payer_id}|{_norm(member)}|{_norm(who.last_name)}|{_norm(who.first_name)}"


def account_number(claim: SubmittedClaimRecord, patient_id: int | None,
                   pattern: str | None) -> str | None:
    """The practice's account number from the PCN (``pattern``), else NPI/TIN-patient."""
    if pattern:
        match = re.search(pattern, claim.patient_control_number)
        if match and match.groupdict().get("account"):
            return match.group("account")
    if patient_id is None:
        return None
    prov = claim.billing_provider
    return f"{prov.npi or prov.tin or 'NOPROV'}-{patient_id}"


@dataclass
class PartyDirectory:
    """What exists (loaded once) plus what this set adds (written by :meth:`write`)."""

    patients: dict[str, int] = field(default_factory=dict)  # identity key -> id
    patient_keys: dict[int, str] = field(default_factory=dict)
    subscribers: dict[tuple[int, str], list[int]] = field(
        default_factory=lambda: defaultdict(list))  # (payer, member) -> self-insured patients
    coverages: dict[tuple[int, str, int], int] = field(default_factory=dict)
    accounts: dict[str, int] = field(default_factory=dict)
    pools: dict[str, IdPool] = field(default_factory=dict)
    new_patients: set[int] = field(default_factory=set)
    new_rows: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {"patients": [], "coverages": [], "accounts": []})

    @classmethod
    def load(cls, conn: Connection, claims: Sequence[SubmittedClaimRecord],
             payers: Sequence[int | None], pattern: str | None) -> PartyDirectory:
        chunk = max(1, min(256, len(claims)))  # a small set burns few sequence values
        found = cls(pools={name: IdPool(conn, table, chunk) for name, table in
                           (("patients", _PATIENT), ("coverages", _COVERAGE),
                            ("accounts", _ACCOUNT))})
        members = sorted({c.subscriber.member_id for c in claims if c.subscriber.member_id})
        for members_chunk in in_chunks(members):
            for row in conn.execute(select(_COVERAGE.c.id, _COVERAGE.c.payer_id,
                                           _COVERAGE.c.member_id, _COVERAGE.c.patient_id,
                                           _COVERAGE.c.relationship_code)
                                    .where(among(_COVERAGE.c.member_id, members_chunk))
                                    .order_by(_COVERAGE.c.id)):
                found._know_coverage(row.id, row.payer_id, row.member_id, row.patient_id,
                                     row.relationship_code)
        keys = {patient_identity_key(c, p) for c, p in zip(claims, payers, strict=True)}
        found._load_patients(conn, _PATIENT.c.id, sorted({p for ids in found.subscribers.values()
                                                          for p in ids}))
        found._load_patients(conn, _PATIENT.c.identity_key, sorted(keys))
        numbers = {account_number(c, found.patients.get(patient_identity_key(c, p)), pattern)
                   for c, p in zip(claims, payers, strict=True)} - {None}
        for numbers_chunk in in_chunks(sorted(n for n in numbers if n is not None)):
            for account in conn.execute(select(_ACCOUNT.c.id, _ACCOUNT.c.account_number)
                                        .where(among(_ACCOUNT.c.account_number, numbers_chunk))):
                found.accounts[account.account_number] = account.id
        return found

    def _load_patients(self, conn: Connection, column: Any, values: list[Any]) -> None:
        for chunk in in_chunks(values):
            for row in conn.execute(select(_PATIENT.c.id, _PATIENT.c.identity_key)
                                    .where(among(column, chunk))):
                self.patients[row.identity_key] = row.id
                self.patient_keys[row.id] = row.identity_key

    def _know_coverage(self, ident: int, payer_id: int, member_id: str, patient_id: int,
                       relationship: str | None) -> None:
        self.coverages[(payer_id, member_id, patient_id)] = ident
        if relationship == "18":
            self.subscribers[(payer_id, member_id)].append(patient_id)

    def patient(self, claim: SubmittedClaimRecord, payer_id: int | None,
                ) -> tuple[int, PatientConflict | None]:
        key = patient_identity_key(claim, payer_id)
        conflict_with = self._member_conflict(claim, payer_id, key)
        if conflict_with is not None:
            key = f"{key}{_CONFLICT}{conflict_with}"
        patient_id = self.patients.get(key)
        if patient_id is None:
            patient_id = self._add_patient(claim, key)
        if conflict_with is None:
            return patient_id, None
        member = claim.subscriber.member_id or ""
        return patient_id, PatientConflict(claim.ordinal, member, conflict_with, patient_id)

    def _member_conflict(self, claim: SubmittedClaimRecord, payer_id: int | None,
                         key: str) -> int | None:
        """The patient already holding this payer member ID as subscriber, if another person."""
        member = claim.subscriber.member_id
        if claim.patient is not None or not member or payer_id is None:
            return None
        for patient_id in self.subscribers.get((payer_id, member), ()):
            if self.patient_keys[patient_id].split(_CONFLICT)[0] != key:
                return patient_id
        return None

    def _add_patient(self, claim: SubmittedClaimRecord, key: str) -> int:
        who, ident = _person(claim), self.pools["patients"].take()
        addr = who.address
        last_key, first_key = name_keys(who.last_name, who.first_name)
        self.new_rows["patients"].append({
            "id": ident, "last_name": who.last_name, "first_name": who.first_name or None,
            "last_name_key": last_key, "first_name_key": first_key,
            "middle_name": who.middle_name or None, "birth_date": who.birth_date,
            "gender": who.gender, "identity_key": key, "address_line1": addr.line1,
            "city": addr.city, "state": addr.state, "postal_code": addr.postal_code})
        self.patients[key], self.patient_keys[ident] = ident, key
        self.new_patients.add(ident)
        return ident

    def coverage(self, claim: SubmittedClaimRecord, payer_id: int | None,
                 patient_id: int) -> int | None:
        sub = claim.subscriber
        if payer_id is None or not sub.member_id:
            return None
        found = self.coverages.get((payer_id, sub.member_id, patient_id))
        if found is not None:
            return found
        relationship = "18" if claim.patient is None else (claim.patient.relationship or "G8")
        ident = self.pools["coverages"].take()
        self.new_rows["coverages"].append({
            "id": ident, "patient_id": patient_id, "payer_id": payer_id,
            "member_id": sub.member_id, "group_number": sub.group_number,
            "relationship_code": relationship, "responsibility": sub.responsibility,
            "subscriber_last_name": sub.last_name, "subscriber_first_name": sub.first_name})
        self._know_coverage(ident, payer_id, sub.member_id, patient_id, relationship)
        return ident

    def account(self, conn: Connection, claim: SubmittedClaimRecord, patient_id: int,
                provider_id: int | None, pattern: str | None) -> int:
        number = account_number(claim, patient_id, pattern)
        assert number is not None  # a patient id always gives one
        found = self.accounts.get(number)
        if found is None and patient_id not in self.new_patients:  # not preloaded: rare
            found = conn.execute(select(_ACCOUNT.c.id).where(
                _ACCOUNT.c.account_number == number)).scalar()
            if found is not None:
                self.accounts[number] = found
        if found is None:
            found = self.pools["accounts"].take()
            self.new_rows["accounts"].append({"id": found, "account_number": number,
                                              "patient_id": patient_id,
                                              "provider_id": provider_id})
            self.accounts[number] = found
        return found

    def write(self, conn: Connection) -> None:
        """The set's new patients, coverages and accounts, in foreign-key order."""
        for name, table in (("patients", _PATIENT), ("coverages", _COVERAGE),
                            ("accounts", _ACCOUNT)):
            insert_rows(conn, table, self.new_rows[name])
            self.new_rows[name] = []
