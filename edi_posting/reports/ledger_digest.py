"""``ledger digest``: one SHA-256 that proves two ledgers hold the same content.

Auditors compare ledgers (a replica, a restore, a re-import of the same files) by this
fingerprint, so it must change with any money movement and with nothing else.  Generated
ids are not content: PostgreSQL sequences advance on rolled-back work (a ``--dry-run``,
an interrupted import) and independent files imported in another order get other ids.
So every entry and every row a line points at is named by its business key, the entries
are sorted (never chained in insertion order), and the database does not show through.

Definition (version ``edi-posting ledger digest v2``).  Each journal entry is one record,
the JSON text (keys sorted, no spaces) of::

    {"kind", "effective_date" (ISO), "source": {"remittance", "claim_payment", "claim",
     "review_item"}, "reverses": the record SHA-256 of the entry it reverses or null,
     "lines": [...sorted line records]}

and each of its lines ``[account code, amount in cents, payer, patient account, claim,
claim line, service line payment, CAS adjustment, PLB, CAS group, reason code]``.  The
business keys (null when the column is):

- payer: its primary identifier; patient account: its account number, except that a
  number made as ``<NPI or TIN>-<patient id>`` (no ``--account-pattern``) is
  ``[<NPI or TIN>, the patient's identity key]`` (name and birth date, or payer and member
  ID), since the patient id is generated;
- transaction set: its identity key (835: ``835|payer|TRN02``; 837: submitter, receiver,
  BHT03, date, ST02), without the ``|legacy:<id>`` suffix of migration 0008;
- remittance: its transaction set's key (payer + trace number);
- claim: ``[payer, CLM01 as sent, frequency, its transaction set, its position in it]``;
- claim line: ``[claim, position, LX01, REF*6R]``;
- claim payment: ``[remittance, position, CLP01, CLP07]``;
- service line payment: ``[claim payment, position, REF*6R]``;
- CAS adjustment: ``[claim payment, position, group, reason]``;
- PLB: ``[remittance, position, reason, PLB03-2 reference]``;
- review item: ``[kind, problem code, remittance, claim payment, claim, payer, patient
  account, deposit]`` (its dedupe key names generated ids, so it is not used).

Left out on purpose: ids, ``entry_key`` and ``memo`` (they carry generated ids), the
actor and posting time, and the file, ISA13, ST02 and segment an entry came from (the
same transaction set may arrive in any of several files; the set's identity names it).
The digest is the SHA-256 of the version line followed by every record's text and a
newline, records sorted as text: an entry posted twice counts twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Table, select

from edi_posting.db.base import table_of
from edi_posting.db.models import (
    Adjustment,
    ClaimPayment,
    Deposit,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    Patient,
    PatientAccount,
    Payer,
    ProviderAdjustment,
    Remittance,
    ReviewItem,
    ServiceLinePayment,
    SubmittedClaim,
    SubmittedLine,
    TransactionSet,
)
from edi_posting.parties.directory import CONFLICT_SEPARATOR as _CONFLICT
from edi_posting.posting.payment_identity import LEGACY_SUFFIX

__all__ = ["DIGEST_VERSION", "entry_records", "ledger_digest"]

DIGEST_VERSION = "edi-posting ledger digest v2"
Keys = dict[int, Any]  # id -> business key (a string or a JSON list)
_E, _L = table_of(JournalEntry), table_of(JournalLine)


def ledger_digest(conn: Connection) -> str:
    """SHA-256 over the sorted content records of every journal entry (see the module)."""
    digest = hashlib.sha256(DIGEST_VERSION.encode() + b"\n")
    for record in sorted(entry_records(conn)):
        digest.update(record.encode() + b"\n")
    return digest.hexdigest()


def entry_records(conn: Connection) -> list[str]:
    """Every journal entry's canonical record (JSON text), in no particular order."""
    keys = _BusinessKeys(conn)
    lines = _line_records(conn, keys)
    entries = {row.id: row for row in conn.execute(select(
        _E.c.id, _E.c.kind, _E.c.effective_date, _E.c.remittance_id, _E.c.claim_payment_id,
        _E.c.submitted_claim_id, _E.c.review_item_id, _E.c.reverses_entry_id))}
    records: dict[int, str] = {}
    for entry_id in entries:
        pending = [entry_id]  # the entries it reverses first (chains are short)
        while (before := entries[pending[-1]].reverses_entry_id) is not None and (
                before not in records):
            pending.append(before)
        for ident in reversed(pending):
            records.setdefault(ident, _entry_record(entries[ident], keys,
                                                    lines.get(ident, []), records))
    return list(records.values())


def _entry_record(row: Any, keys: _BusinessKeys, lines: list[str],
                  records: dict[int, str]) -> str:
    reversed_record = records.get(row.reverses_entry_id) if row.reverses_entry_id else None
    return _json({
        "kind": row.kind, "effective_date": row.effective_date.isoformat(),
        "source": {"remittance": keys.remittances.get(row.remittance_id),
                   "claim_payment": keys.claim_payments.get(row.claim_payment_id),
                   "claim": keys.claims.get(row.submitted_claim_id),
                   "review_item": keys.review_items.get(row.review_item_id)},
        "reverses": _sha(reversed_record) if reversed_record is not None else None,
        "lines": [json.loads(text) for text in sorted(lines)],
    })


def _line_records(conn: Connection, keys: _BusinessKeys) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for line in conn.execute(select(_L)):
        found.setdefault(line.entry_id, []).append(_json([
            keys.ledger_accounts[line.account_id], int(line.amount_cents),
            keys.payers.get(line.payer_id), keys.patient_accounts.get(line.patient_account_id),
            keys.claims.get(line.submitted_claim_id), keys.claim_lines.get(line.submitted_line_id),
            keys.service_lines.get(line.service_line_payment_id),
            keys.adjustments.get(line.adjustment_id),
            keys.provider_adjustments.get(line.provider_adjustment_id),
            line.group_code, line.reason_code]))
    return found


class _BusinessKeys:
    """The business key of every row a journal entry or line can reference, by id."""

    def __init__(self, conn: Connection) -> None:
        def by_id(model: type[Any], columns: str, key: Callable[[Any], Any]) -> Keys:
            return _by_id(conn, table_of(model), key, columns)

        self.ledger_accounts = by_id(LedgerAccount, "code", lambda r: r.code)
        self.payers = by_id(Payer, "primary_identifier", lambda r: r.primary_identifier)
        patients = by_id(Patient, "identity_key", lambda r: r.identity_key)
        self.patient_accounts = by_id(PatientAccount, "account_number patient_id", lambda r: (
            _account_key(r.account_number, r.patient_id, patients, self.payers)))
        sets = by_id(TransactionSet, "identity_key",
                     lambda r: r.identity_key.split(LEGACY_SUFFIX, 1)[0])
        self.remittances = by_id(Remittance, "transaction_set_id",
                                 lambda r: sets.get(r.transaction_set_id))
        self.claims = by_id(
            SubmittedClaim, "payer_id patient_control_number frequency_code "
            "transaction_set_id ordinal", lambda r: [
                self.payers.get(r.payer_id), r.patient_control_number, r.frequency_code,
                sets.get(r.transaction_set_id), r.ordinal])
        self.claim_lines = by_id(
            SubmittedLine, "claim_id ordinal line_number line_item_control_number", lambda r: [
                self.claims.get(r.claim_id), r.ordinal, r.line_number,
                r.line_item_control_number])
        self._payments(by_id)
        deposits = by_id(Deposit, "identity_key", lambda r: r.identity_key)
        self.review_items = by_id(
            ReviewItem, "kind problem_code remittance_id claim_payment_id submitted_claim_id "
            "payer_id patient_account_id deposit_id", lambda r: [
                r.kind, r.problem_code, self.remittances.get(r.remittance_id),
                self.claim_payments.get(r.claim_payment_id),
                self.claims.get(r.submitted_claim_id), self.payers.get(r.payer_id),
                self.patient_accounts.get(r.patient_account_id), deposits.get(r.deposit_id)])

    def _payments(self, by_id: Callable[[type[Any], str, Callable[[Any], Any]], Keys]) -> None:
        """What the 835s stored: claim payments, their lines and CAS, and the PLBs."""
        self.claim_payments = by_id(
            ClaimPayment, "remittance_id ordinal patient_control_number "
            "payer_claim_control_number", lambda r: [
                self.remittances.get(r.remittance_id), r.ordinal, r.patient_control_number,
                r.payer_claim_control_number])
        self.service_lines = by_id(
            ServiceLinePayment, "claim_payment_id ordinal line_item_control_number", lambda r: [
                self.claim_payments.get(r.claim_payment_id), r.ordinal,
                r.line_item_control_number])
        self.adjustments = by_id(
            Adjustment, "claim_payment_id ordinal group_code reason_code", lambda r: [
                self.claim_payments.get(r.claim_payment_id), r.ordinal, r.group_code,
                r.reason_code])
        self.provider_adjustments = by_id(
            ProviderAdjustment, "remittance_id ordinal reason_code reference_id", lambda r: [
                self.remittances.get(r.remittance_id), r.ordinal, r.reason_code,
                r.reference_id])


def _account_key(number: str, patient_id: int, patients: Keys, payers: Keys) -> Any:
    """The account number; one numbered ``<NPI or TIN>-<patient id>`` (no account pattern)
    names the patient by the generated id, so that part is the patient's identity instead."""
    prefix, dash, tail = number.rpartition("-")
    if not dash or tail != str(patient_id):
        return number
    return [prefix, _patient_key(patients.get(patient_id, ""), patients, payers)]


def _patient_key(identity: str, patients: Keys, payers: Keys) -> str:
    """A patient's identity key with the generated ids it may hold (a member's payer, the
    patient a conflicting one was kept apart from) replaced by their own keys."""
    identity, conflict, other = identity.partition(_CONFLICT)
    kind, _, rest = identity.partition("|")
    if kind == "member":
        payer, _, rest = rest.partition("|")
        identity = f"member|{payers.get(int(payer)) if payer.isdigit() else payer}|{rest}"
    if conflict and other.isdigit():
        base = str(patients.get(int(other), "")).partition(_CONFLICT)[0]
        identity += conflict + _patient_key(base, patients, payers)
    return identity


def _by_id(conn: Connection, table: Table, key: Callable[[Any], Any], columns: str) -> Keys:
    """``key(row)`` by id, reading only ``columns`` (space-separated) besides the id."""
    wanted = [table.c.id, *(table.c[name] for name in columns.split())]
    return {row.id: key(row) for row in conn.execute(select(*wanted))}


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
