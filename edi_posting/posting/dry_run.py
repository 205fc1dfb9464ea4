"""What ``import --dry-run`` shows: per claim payment, the entries that would post and the
review items that would open (the set's transaction is rolled back afterwards)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from edi_posting.db.ledger import EntryKind
from edi_posting.ledger import journal as ledger
from edi_posting.money import format_cents
from edi_posting.posting.claim_pass import ClaimPass
from edi_posting.queue.items import ReviewDraft

__all__ = ["posting_plan"]


def posting_plan(passes: Sequence[ClaimPass], reviews: Sequence[ReviewDraft],
                 drafts: Sequence[ledger.EntryDraft]) -> list[dict[str, object]]:
    """Per claim payment (then the remittance's own PLB entries and items), in file order."""
    by_cp: dict[int | None, list[ledger.EntryDraft]] = defaultdict(list)
    for draft in drafts:
        by_cp[None if draft.kind == EntryKind.PLB else draft.claim_payment_id].append(draft)
    kinds: dict[int | None, list[str]] = defaultdict(list)
    for review in reviews:
        kinds[review.claim_payment_id].append(review.kind)
    plan: list[dict[str, object]] = []
    for p in passes:
        claim, decision, cp_id = p.record, p.decision, p.claim_payment_id
        plan.append({
            "claim": claim.patient_control_number, "status_code": claim.status_code,
            "paid": format_cents(claim.paid_cents), "decision": decision.state,
            "entries": [_entry_doc(d) for d in by_cp[cp_id]], "reviews": kinds[cp_id],
        })
    rest = [d for d in drafts if d.claim_payment_id is None]
    if rest or kinds[None]:
        plan.append({"claim": None, "decision": "remittance",
                     "entries": [_entry_doc(d) for d in rest], "reviews": kinds[None]})
    return plan


def _entry_doc(draft: ledger.EntryDraft) -> dict[str, object]:
    return {"kind": draft.kind, "lines": [
        {"account": p.account, "amount": format_cents(p.amount_cents),
         **({"reason": f"{p.group_code or ''}{'-' if p.group_code else ''}{p.reason_code}"}
            if p.reason_code else {})} for p in draft.lines]}
