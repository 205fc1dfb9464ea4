"""Journal entries of an 835 claim payment: payment, unapplied cash, reversal.

Every entry of a remittance carries its ``remittance_id``, so the remittance invariant
(cash clearing of its entries = BPR02: posted + unapplied - PLB) can be checked before
commit and by ``ledger check`` afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, exists, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.lists import among
from edi_posting.db.models import JournalEntry
from edi_posting.ledger import journal as ledger
from edi_posting.posting.rules import ClaimFact, Dims, claim_postings
from edi_posting.records.remittance import ClaimPaymentRecord
from edi_posting.records.source import SourceRef

__all__ = [
    "EntryContext", "PostingInvariantError", "cash_of", "payment_entry", "reversal_entries",
    "reversible_entries", "unapplied_entry",
]

_ENTRY = table_of(JournalEntry)
# what a claim payment moved: its own entries, and the queue's applications of its cash
REVERSIBLE_KINDS = (EntryKind.PAYMENT, EntryKind.UNAPPLIED, EntryKind.APPLY,
                    EntryKind.ACCEPT_MATCH, EntryKind.REMATCH)


class PostingInvariantError(RuntimeError):
    """A bug: the entries of a remittance do not add up to its BPR02.  Nothing commits."""


@dataclass(frozen=True, slots=True)
class EntryContext:
    """What every entry of one remittance shares."""

    key: str  # the transaction set's key prefix, e.g. "835:12"
    effective: dt.date
    remittance_id: int
    file_id: int
    isa13: str | None

    def source(self, ref: SourceRef | None) -> dict[str, object]:
        return {
            "source_file_id": self.file_id, "source_isa13": self.isa13,
            "source_st02": ref.transaction_set_control_number if ref else None,
            "source_segment": ref.position if ref else None,  # a keyed EOB: its row
        }


def payment_entry(ectx: EntryContext, ordinal: int, claim: ClaimPaymentRecord, cp_id: int,
                  fact: ClaimFact, dims: Dims, policy: Mapping[tuple[str, str], AccountCode],
                  ) -> ledger.EntryDraft | None:
    postings = claim_postings(fact, dims, policy)
    if not postings:
        return None
    return ledger.EntryDraft(
        f"{ectx.key}|cp:{ordinal}|payment", EntryKind.PAYMENT, ectx.effective, tuple(postings),
        memo=f"{claim.status_code} payment of claim {claim.patient_control_number}",
        remittance_id=ectx.remittance_id, claim_payment_id=cp_id,
        submitted_claim_id=dims.submitted_claim_id,
        **ectx.source(claim.source),  # type: ignore[arg-type]
    )


def unapplied_entry(ectx: EntryContext, suffix: str, amount_cents: int, memo: str, *,
                    claim_payment_id: int | None = None, submitted_claim_id: int | None = None,
                    payer_id: int | None = None, source: SourceRef | None = None,
                    ) -> ledger.EntryDraft | None:
    """Dr cash clearing / Cr unapplied cash: money received that no claim takes (yet)."""
    if not amount_cents:
        return None
    dims: dict[str, Any] = {"payer_id": payer_id, "submitted_claim_id": submitted_claim_id}
    return ledger.EntryDraft(
        f"{ectx.key}|{suffix}|unapplied", EntryKind.UNAPPLIED, ectx.effective,
        (ledger.Posting(AccountCode.CASH_CLEARING, amount_cents, **dims),
         ledger.Posting(AccountCode.UNAPPLIED_CASH, -amount_cents, **dims)),
        memo=memo, remittance_id=ectx.remittance_id, claim_payment_id=claim_payment_id,
        submitted_claim_id=submitted_claim_id, **ectx.source(source),  # type: ignore[arg-type]
    )


def reversible_entries(conn: Connection, claim_payment_ids: Iterable[int],
                       ) -> dict[int, list[ledger.StoredEntry]]:
    """The not-yet-reversed payment and unapplied entries of these claim payments, in one
    batch for a whole transaction set (a reversal negates exactly these)."""
    wanted = sorted(set(claim_payment_ids))
    if not wanted:
        return {}
    # each candidate looked up in the unique reverses_entry_id index, rather than the id
    # of every reversal the ledger holds listed first
    reversal = _ENTRY.alias("reversal")
    ids = conn.execute(
        select(_ENTRY.c.id).where(among(_ENTRY.c.claim_payment_id, wanted),
                                  _ENTRY.c.kind.in_(REVERSIBLE_KINDS),
                                  ~exists().where(reversal.c.reverses_entry_id == _ENTRY.c.id))
    ).scalars().all()
    found: dict[int, list[ledger.StoredEntry]] = {}
    for entry in ledger.load_entries(conn, ids):
        found.setdefault(entry.claim_payment_id, []).append(entry)  # type: ignore[arg-type]
    return found


def reversal_entries(ectx: EntryContext, ordinal: int, claim: ClaimPaymentRecord, cp_id: int,
                     originals: Sequence[ledger.StoredEntry]) -> list[ledger.EntryDraft]:
    """The exact negation of the original claim payment's entries not yet reversed."""
    template = ledger.EntryDraft("", EntryKind.REVERSAL, ectx.effective, (),
                                 **ectx.source(claim.source))  # type: ignore[arg-type]
    drafts = ledger.negations(originals, kind=EntryKind.REVERSAL,
                              key_suffix=f"reversed-by|{ectx.key}|cp:{ordinal}",
                              effective_date=ectx.effective, template=template)
    return [replace(d, remittance_id=ectx.remittance_id, claim_payment_id=cp_id)
            for d in drafts]


def cash_of(drafts: Sequence[ledger.EntryDraft]) -> int:
    return sum(p.amount_cents for d in drafts for p in d.lines if p.account == AccountCode.CASH_CLEARING)
