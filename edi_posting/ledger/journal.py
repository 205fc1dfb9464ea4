"""The ledger stage: balanced journal entries written in bulk, reversals, balances.

Callers build :class:`EntryDraft` records (plain data); :func:`write_entries` checks that
each sums to zero and writes entries and lines with a few multi-row INSERTs.  Nothing here
updates or deletes a journal row: a reversal is a new entry of exactly negated lines linked
to the entry it reverses.  The caller owns the transaction; nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import Connection, case, func, select

from edi_posting.audit.links import note_entries
from edi_posting.db.base import table_of
from edi_posting.db.bulk import insert_tuples, reserve_ids
from edi_posting.db.ledger import ENTRY_COLUMNS, LINE_COLUMNS, AccountCode, EntryKind
from edi_posting.db.lists import among
from edi_posting.db.models import JournalEntry, JournalLine, LedgerAccount
from edi_posting.ledger.periods import route_dates

__all__ = ["Balances", "EntryDraft", "Posting", "StoredEntry", "UnbalancedEntryError", "account_balances", "claim_balances", "claims_balances", "load_entries", "negations", "reversal_drafts", "write_entries"]

_ENTRY = table_of(JournalEntry)
_LINE = table_of(JournalLine)


class UnbalancedEntryError(ValueError):
    """A bug: an entry whose lines do not sum to zero must never reach the database."""


@dataclass(frozen=True, slots=True)
class Posting:
    """One signed journal line: debit positive, credit negative, integer cents."""

    account: AccountCode
    amount_cents: int
    payer_id: int | None = None
    patient_account_id: int | None = None
    submitted_claim_id: int | None = None
    submitted_line_id: int | None = None
    service_line_payment_id: int | None = None
    adjustment_id: int | None = None
    provider_adjustment_id: int | None = None
    group_code: str | None = None
    reason_code: str | None = None

    def negated(self) -> Posting:
        return replace(self, amount_cents=-self.amount_cents)


@dataclass(frozen=True, slots=True)
class EntryDraft:
    entry_key: str  # the idempotency key: UNIQUE in the database
    kind: EntryKind
    effective_date: dt.date
    lines: tuple[Posting, ...]
    memo: str | None = None
    source_file_id: int | None = None
    source_isa13: str | None = None
    source_st02: str | None = None
    source_segment: int | None = None
    remittance_id: int | None = None
    claim_payment_id: int | None = None
    submitted_claim_id: int | None = None
    review_item_id: int | None = None
    reverses_entry_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def check_balanced(self) -> None:
        total = sum(line.amount_cents for line in self.lines)
        if total != 0 or not self.lines:
            raise UnbalancedEntryError(
                f"journal entry {self.entry_key} sums to {total} cents over {len(self.lines)} lines"
            )


@dataclass(frozen=True, slots=True)
class Balances:
    insurance_cents: int
    patient_cents: int

    @property
    def total_cents(self) -> int:
        return self.insurance_cents + self.patient_cents


def account_ids(conn: Connection) -> dict[str, int]:
    """The chart of accounts, code -> id (cached on the connection: it never changes)."""
    cached = conn.info.get("edi_account_ids")
    if cached is None:
        rows = conn.execute(select(LedgerAccount.code, LedgerAccount.id)).all()
        cached = conn.info["edi_account_ids"] = {code: ident for code, ident in rows}
    return dict(cached)


def write_entries(conn: Connection, drafts: Sequence[EntryDraft], actor: str) -> list[int]:
    """Insert balanced entries and their lines; return the new entry ids in order.

    Every entry is dated through :func:`edi_posting.ledger.periods.route_dates`: one dated
    in a closed period posts on the first open day, its memo keeping the original date."""
    if not drafts:
        return []
    drafts = route_dates(conn, drafts)
    for draft in drafts:
        draft.check_balanced()
    accounts = account_ids(conn)
    ids = reserve_ids(conn, _ENTRY, len(drafts))
    entries = [_entry_row(ident, draft, actor) for ident, draft in zip(ids, drafts)]
    lines = [
        (entry_id, ordinal, accounts[p.account], p.amount_cents, p.payer_id,
         p.patient_account_id, p.submitted_claim_id, p.submitted_line_id,
         p.service_line_payment_id, p.adjustment_id, p.provider_adjustment_id, p.group_code,
         p.reason_code)
        for entry_id, draft in zip(ids, drafts)
        for ordinal, p in enumerate(draft.lines, start=1)]
    insert_tuples(conn, _ENTRY, ENTRY_COLUMNS, entries)
    insert_tuples(conn, _LINE, LINE_COLUMNS, lines)
    note_entries(conn, entries, lines)  # what the transaction's audit event vouches for
    return ids


def _entry_row(ident: int, draft: EntryDraft, actor: str) -> tuple[object, ...]:
    return (ident, draft.entry_key, draft.kind, draft.effective_date, actor, draft.memo,
            draft.source_file_id, draft.source_isa13, draft.source_st02, draft.source_segment,
            draft.remittance_id, draft.claim_payment_id, draft.submitted_claim_id,
            draft.review_item_id, draft.reverses_entry_id)


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """A journal entry as written, with its lines: what a reversal negates."""

    id: int
    entry_key: str
    submitted_claim_id: int | None
    claim_payment_id: int | None
    postings: tuple[Posting, ...]


def load_entries(conn: Connection, entry_ids: Iterable[int]) -> list[StoredEntry]:
    """Entries and their lines in two queries, whatever their number (ordered by id)."""
    ids = list(entry_ids)
    if not ids:
        return []
    codes = {ident: AccountCode(code) for code, ident in account_ids(conn).items()}
    entries = conn.execute(select(_ENTRY.c.id, _ENTRY.c.entry_key, _ENTRY.c.submitted_claim_id,
                                  _ENTRY.c.claim_payment_id)
                           .where(among(_ENTRY.c.id, ids)).order_by(_ENTRY.c.id)).all()
    lines = conn.execute(
        select(_LINE).where(among(_LINE.c.entry_id, ids)).order_by(_LINE.c.entry_id, _LINE.c.ordinal)
    ).all()
    by_entry: dict[int, list[Posting]] = {}
    for line in lines:
        by_entry.setdefault(line.entry_id, []).append(_posting_from_row(line, codes))
    return [StoredEntry(e.id, e.entry_key, e.submitted_claim_id, e.claim_payment_id,
                        tuple(by_entry[e.id])) for e in entries]


def negations(entries: Iterable[StoredEntry], *, kind: EntryKind, key_suffix: str,
              effective_date: dt.date, template: EntryDraft | None = None) -> list[EntryDraft]:
    """Exact negations of stored entries, each linked to the entry it reverses.

    ``template`` supplies the source reference (file, segment) of whatever caused the
    reversal; the UNIQUE ``reverses_entry_id`` makes a second reversal fail in the database.
    """
    base = template or EntryDraft("", kind, effective_date, ())
    return [
        replace(
            base,
            entry_key=f"{entry.entry_key}|{key_suffix}",
            kind=kind,
            effective_date=effective_date,
            lines=tuple(p.negated() for p in entry.postings),
            reverses_entry_id=entry.id,
            submitted_claim_id=entry.submitted_claim_id,
            memo=f"reverses entry {entry.id}",
        )
        for entry in entries
    ]


def reversal_drafts(
    conn: Connection,
    entry_ids: Iterable[int],
    *,
    kind: EntryKind,
    key_suffix: str,
    effective_date: dt.date,
    template: EntryDraft | None = None,
) -> list[EntryDraft]:
    """Exact negations of existing entries (see :func:`negations`)."""
    return negations(load_entries(conn, entry_ids), kind=kind, key_suffix=key_suffix,
                     effective_date=effective_date, template=template)


def _posting_from_row(row: object, codes: dict[int, AccountCode]) -> Posting:
    get = row._mapping  # type: ignore[attr-defined]
    return Posting(
        account=codes[get["account_id"]],
        amount_cents=get["amount_cents"],
        payer_id=get["payer_id"],
        patient_account_id=get["patient_account_id"],
        submitted_claim_id=get["submitted_claim_id"],
        submitted_line_id=get["submitted_line_id"],
        service_line_payment_id=get["service_line_payment_id"],
        adjustment_id=get["adjustment_id"],
        provider_adjustment_id=get["provider_adjustment_id"],
        group_code=get["group_code"],
        reason_code=get["reason_code"],
    )


def _balances_where(conn: Connection, condition: object) -> Balances:
    accounts = account_ids(conn)
    ins, pat = accounts[AccountCode.INSURANCE_AR], accounts[AccountCode.PATIENT_AR]
    amount = _LINE.c.amount_cents
    row = conn.execute(
        select(
            func.coalesce(func.sum(case((_LINE.c.account_id == ins, amount), else_=0)), 0),
            func.coalesce(func.sum(case((_LINE.c.account_id == pat, amount), else_=0)), 0),
        ).where(condition)  # type: ignore[arg-type]
    ).one()
    return Balances(int(row[0]), int(row[1]))


def claim_balances(conn: Connection, submitted_claim_id: int) -> Balances:
    """Insurance and patient receivable still open on one claim."""
    return _balances_where(conn, _LINE.c.submitted_claim_id == submitted_claim_id)


def claims_balances(conn: Connection, claim_ids: Iterable[int]) -> dict[int, Balances]:
    """:func:`claim_balances` of many claims in one query (a listing's rows); a claim with
    no receivable line has zero balances."""
    ids = list(claim_ids)
    accounts = account_ids(conn)
    ins, pat = accounts[AccountCode.INSURANCE_AR], accounts[AccountCode.PATIENT_AR]
    amount = _LINE.c.amount_cents
    found = {claim_id: Balances(0, 0) for claim_id in ids}
    if ids:
        for claim_id, insurance, patient in conn.execute(
                select(_LINE.c.submitted_claim_id,
                       func.sum(case((_LINE.c.account_id == ins, amount), else_=0)),
                       func.sum(case((_LINE.c.account_id == pat, amount), else_=0)))
                .where(among(_LINE.c.submitted_claim_id, ids),
                       _LINE.c.account_id.in_((ins, pat)))
                .group_by(_LINE.c.submitted_claim_id)):
            found[claim_id] = Balances(int(insurance or 0), int(patient or 0))
    return found


def account_balances(conn: Connection, patient_account_id: int) -> Balances:
    return _balances_where(conn, _LINE.c.patient_account_id == patient_account_id)
