"""``queue place-plb``: settle an ``unlinked_plb`` item, a provider-level adjustment whose
reference named no claim we hold.

The specialist either names the claim it belongs to or says, with a note, that it belongs
to none (a payer-level fee, a levy).  Named, the PLB is linked to the claim; a WO (an
overpayment recovery) also moves from provider adjustments to that claim's insurance
receivable, exactly as an import posts a WO it could link, so the credit it recovers
clears; a recovery larger than the claim's credit opens the payer's balance again, and an
``awaiting_correction`` item owns what it reopened.  Either way the item resolves; without
this the item could never close (money items cannot be dismissed).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from edi_posting.access.permissions import Principal
from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode
from edi_posting.db.models import ClaimPayment, JournalLine, ProviderAdjustment, SubmittedClaim
from edi_posting.db.workflow import ItemAction, ReviewStatus
from edi_posting.ledger.journal import Posting, claim_balances
from edi_posting.money import format_cents
from edi_posting.parties.identity import normalize_pcn
from edi_posting.posting.plb import CLAIM_REASONS
from edi_posting.queue.credits import own_reopened_balance, refresh_credit_balances
from edi_posting.records.states import ReviewKind
from edi_posting.review.actions import ActionError, record_action
from edi_posting.review.money import ActionResult, find_claim, locked_item, post_entry
from edi_posting.review.reason_codes import with_note

__all__ = ["place_plb", "plb_never_posted", "unposted_message"]

_PLB, _LINE = table_of(ProviderAdjustment), table_of(JournalLine)
_CP, _CLAIM = table_of(ClaimPayment), table_of(SubmittedClaim)


def place_plb(conn: Connection, item_id: int, *, principal: Principal, pcn: str | None = None,
              note: str | None = None, reason: str | None = None) -> ActionResult:
    """Link the item's PLB to claim ``pcn`` (moving a WO onto it), or, with no PCN and a
    note, confirm it belongs to no claim.  A claim its reference does not name (PCN or
    CLP07) needs the note saying why."""
    actor = principal.name
    item = locked_item(conn, item_id)
    plb = _plb_of(conn, item)
    if plb.amount_cents and not _was_posted(conn, plb.id):
        raise ActionError(unposted_message(item.id, plb))
    note = with_note(reason, note)  # a listed reason (CLI-checked) counts as saying why
    if pcn is None:
        if not (note or "").strip():
            raise ActionError("say why the adjustment belongs to no claim (--note)")
        text = (f"PLB {plb.reason_code} {format_cents(plb.amount_cents)} kept in provider "
                f"adjustments: {note.strip()}")  # type: ignore[union-attr]
        record_action(conn, item, actor=actor, role=principal.role, action=ItemAction.PLACE_PLB,
                      to_status=ReviewStatus.RESOLVED, note=text, details={"claim": None},
                      values={"amount_cents": 0})  # placed, it owns nothing more
        return ActionResult(item.id, ItemAction.PLACE_PLB, ReviewStatus.RESOLVED,
                            f"review item {item.id}: {text}")
    claim = find_claim(conn, pcn)
    if not (note or "").strip() and not _names_claim(conn, plb, claim):
        raise ActionError(f"PLB {plb.reason_code} reference {plb.reference_id or '(none)'} "
                          f"names neither claim {claim.patient_control_number} nor one of its "
                          "payer claim numbers (CLP07): say why it belongs there (--note)")
    conn.execute(update(_PLB).where(_PLB.c.id == plb.id).values(linked_claim_id=claim.id))
    entry_ids: tuple[int, ...] = ()
    opened: list[int] = []
    if plb.reason_code in CLAIM_REASONS and _was_posted(conn, plb.id):
        before = claim_balances(conn, claim.id).insurance_cents
        entry_ids = (_move_to_claim(conn, item, plb, claim, actor),)
        cause = f"PLB {plb.reason_code} placed by review item {item.id}"
        opened = refresh_credit_balances(conn, [claim.id], actor=actor, entry_id=entry_ids[0],
                                         cause=cause)
        opened += own_reopened_balance(conn, claim.id, before, actor=actor, cause=cause,
                                       entry_id=entry_ids[0], payer_id=item.payer_id)
    moved = " (moved onto its insurance receivable)" if entry_ids else ""
    text = (f"PLB {plb.reason_code} {format_cents(plb.amount_cents)} placed on claim "
            f"{claim.patient_control_number}{moved}{f': {note.strip()}' if note else ''}")
    record_action(conn, item, actor=actor, role=principal.role, action=ItemAction.PLACE_PLB,
                  to_status=ReviewStatus.RESOLVED, note=text, entry_id=entry_ids[0] if entry_ids else None,
                  details={"claim": claim.patient_control_number, "claim_id": claim.id},
                  values={"submitted_claim_id": claim.id,
                          "patient_account_id": claim.patient_account_id, "amount_cents": 0})
    return ActionResult(item.id, ItemAction.PLACE_PLB, ReviewStatus.RESOLVED,
                        f"review item {item.id}: {text}", plb.amount_cents, entry_ids,
                        tuple(opened))


def _names_claim(conn: Connection, plb: Any, claim: Any) -> bool:
    """PLB03-2 is the claim's PCN or a payer claim number (CLP07) the payer gave it: a
    placement that agrees needs no explanation; any other is a judgement to be written down."""
    reference = normalize_pcn(plb.reference_id or "")
    if not reference:
        return False
    if reference == claim.pcn_normalized:
        return True
    submissions = select(_CLAIM.c.id).where(_CLAIM.c.pcn_normalized == claim.pcn_normalized)
    numbers = conn.execute(select(_CP.c.payer_claim_control_number).where(
        _CP.c.submitted_claim_id.in_(submissions))).scalars()
    return any(normalize_pcn(n or "") == reference for n in numbers)


def _plb_of(conn: Connection, item: Any) -> Any:
    """The PLB row the item is about (its key names it: ``unlinked_plb|plb:<id>``)."""
    if item.kind != ReviewKind.UNLINKED_PLB:
        raise ActionError(f"review item {item.id} is {item.kind}: only an unlinked PLB is "
                          "placed")
    plb_id = int(item.dedupe_key.rsplit("plb:", 1)[1])
    return conn.execute(select(_PLB).where(_PLB.c.id == plb_id)).one()


def _was_posted(conn: Connection, plb_id: int) -> bool:
    """A held remittance posted none of its PLBs (its BPR02 waits in unapplied cash)."""
    found = conn.execute(select(_LINE.c.id).where(_LINE.c.provider_adjustment_id == plb_id)
                         .limit(1)).first()
    return found is not None


def unposted_message(item_id: int, plb: Any) -> str:
    """Why an item for a PLB that never reached the ledger cannot be placed.

    Imports before the fix opened ``unlinked_plb`` items for the PLBs of held sets: linking
    one, or keeping it "in provider adjustments", would report money that is not there.
    """
    return (f"review item {item_id}: PLB {plb.reason_code} {format_cents(plb.amount_cents)} "
            "never posted (its transaction set was held: it does not balance, and its BPR02 "
            "waits in unapplied cash under the set's balancing_failure item); there is "
            "nothing to place: dismiss this item (`queue dismiss`)")


def plb_never_posted(conn: Connection, item: Any) -> bool:
    """True for an ``unlinked_plb`` item whose PLB amount is not in the ledger."""
    if item.kind != ReviewKind.UNLINKED_PLB or "plb:" not in (item.dedupe_key or ""):
        return False
    plb = _plb_of(conn, item)
    return bool(plb.amount_cents) and not _was_posted(conn, plb.id)


def _move_to_claim(conn: Connection, item: Any, plb: Any, claim: Any, actor: str) -> int:
    """Dr the claim's insurance receivable / Cr provider adjustments, by the PLB amount."""
    dims = {"payer_id": item.payer_id, "provider_adjustment_id": plb.id,
            "reason_code": plb.reason_code}
    lines = (Posting(AccountCode.INSURANCE_AR, plb.amount_cents,
                     patient_account_id=claim.patient_account_id,
                     submitted_claim_id=claim.id, **dims),
             Posting(AccountCode.PROVIDER_ADJUSTMENTS, -plb.amount_cents, **dims))
    return post_entry(conn, item, ItemAction.PLACE_PLB, lines, actor=actor, claim_id=claim.id,
                      memo=f"PLB {plb.reason_code} {plb.reference_id or ''} placed on claim "
                           f"{claim.patient_control_number}")
