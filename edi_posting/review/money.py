"""Money-moving review actions, part one: applying unapplied cash to a claim.

Every action here runs in the caller's transaction and:

1. acts as a :class:`~edi_posting.access.permissions.Principal` the caller authorised
   (the public API, :mod:`edi_posting.api.queue_money`, checks and audits it once);
2. locks the review item (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the caller's
   ``BEGIN IMMEDIATE`` from :func:`edi_posting.db.write_transaction` already serializes
   writers), then re-reads it, so two specialists acting on the same item at once run one
   after the other and the second sees what the first did;
3. posts one balanced journal entry through :func:`edi_posting.ledger.journal.write_entries`
   (never editing a balance), keyed ``queue:<item>:<event number>:<action>``: the key is
   UNIQUE, so even a lock that failed could not post the same step twice;
4. records an item event and an audit event (``record_action``) and brings the queue's
   figures back in line with the ledger (item amounts, credit balances).

``apply`` takes cash an item holds in unapplied cash (an unmatched payment, an ambiguous
match, a held claim or set, an orphan reversal) and moves it to a claim's insurance
receivable: all of it, or part (the rest stays unapplied and the item open with the
remaining amount).  Applying a whole unmatched claim payment whose paid lines fit the
claim's billed lines re-runs the posting rules on its stored lines, so its contractual and
patient-responsibility adjustments post as they would have had it matched at import; any
other apply moves cash alone (adjustments are never guessed).  ``accept-match`` is ``apply`` to one of the
candidates matching suggested.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select, update

from edi_posting.access.permissions import Principal
from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.models import (
    ClaimPayment,
    JournalEntry,
    ReviewItem,
    ReviewItemEvent,
    SubmittedClaim,
)
from edi_posting.db.workflow import CLOSED_STATES, ItemAction, ReviewStatus
from edi_posting.ledger.journal import EntryDraft, Posting, claim_balances, write_entries
from edi_posting.money import format_cents
from edi_posting.parties.identity import normalize_pcn
from edi_posting.posting.adjudication_history import Adjudication, earlier_adjudication
from edi_posting.queue.credit_sides import insurance_by_payer, side_credit
from edi_posting.queue.credits import own_reopened_balance, refresh_credit_balances
from edi_posting.queue.kinds import holds_unapplied
from edi_posting.records.states import MatchMethod, PostingState, ReviewKind, SubmissionStatus
from edi_posting.review.actions import ActionError, record_action
from edi_posting.review.dry_run import Plan
from edi_posting.review.lines import (
    LinePosting,
    applied_line_postings,
    stored_has_adjustments,
)
from edi_posting.review.reason_codes import with_note

__all__ = [
    "MATCH_KINDS",
    "ActionResult",
    "ConfirmationNeeded",
    "accept_match",
    "apply_cash",
    "apply_item",
    "find_claim",
    "link_payment",
    "locked_item",
    "post_entry",
]

_ITEM, _EVENT = table_of(ReviewItem), table_of(ReviewItemEvent)
_CP = table_of(ClaimPayment)
_ENTRY, _CLAIM = table_of(JournalEntry), table_of(SubmittedClaim)
MATCH_KINDS = frozenset({ReviewKind.UNMATCHED_PAYMENT, ReviewKind.AMBIGUOUS_MATCH})
_STAYS_OPEN = "; its adjustments are not posted: the item stays open for `queue post-as-sent`"


class ConfirmationNeeded(ActionError):
    """The action would do something the specialist must see first (``--confirm``)."""


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What a money action did, for the CLI's one line and for callers."""

    item_id: int
    action: str
    status: str  # the item's status afterwards
    message: str
    amount_cents: int = 0
    entry_ids: tuple[int, ...] = ()
    opened_item_ids: tuple[int, ...] = field(default_factory=tuple)
    plan: Plan | None = None  # --dry-run: what it would have written (nothing was)


def locked_item(conn: Connection, item_id: int) -> Any:
    """The item, locked for this transaction, and still open."""
    query = select(_ITEM).where(_ITEM.c.id == item_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise ActionError(f"no review item {item_id}")
    if row.status in CLOSED_STATES:
        raise ActionError(f"review item {item_id} is {row.status} already")
    return row


def find_claim(conn: Connection, pcn: str | None = None, claim_id: int | None = None) -> Any:
    """The active submission named by PCN (newest) or id: the one carrying the receivable."""
    query = select(_CLAIM)
    if claim_id is not None:
        query = query.where(_CLAIM.c.id == claim_id)
    else:
        query = query.where(_CLAIM.c.pcn_normalized == normalize_pcn(pcn or ""))
    rows = conn.execute(query.order_by(_CLAIM.c.id.desc())).all()
    named = f"claim {pcn}" if claim_id is None else f"claim id {claim_id}"
    if not rows:
        raise ActionError(f"no {named}")
    active = [r for r in rows if r.status == SubmissionStatus.ACTIVE]
    if not active:
        raise ActionError(f"{named} is {rows[0].status}: money goes to its active submission")
    return active[0]


def post_entry(conn: Connection, item: Any, action: ItemAction, lines: Sequence[Posting], *,
               actor: str, memo: str, claim_id: int | None) -> int:
    """One balanced entry for one step of one item (see the module docstring's key); its
    kind is the action's name (``write-off`` writes a ``write_off`` entry)."""
    step = conn.execute(select(func.count()).select_from(_EVENT)
                        .where(_EVENT.c.review_item_id == item.id)).scalar_one()
    draft = EntryDraft(f"queue:{item.id}:{step}:{action}", EntryKind(action.replace("-", "_")),
                       dt.date.today(), tuple(lines), memo=f"{memo} (review item {item.id})",
                       claim_payment_id=item.claim_payment_id, submitted_claim_id=claim_id,
                       review_item_id=item.id)
    return write_entries(conn, [draft], actor)[0]


def link_payment(conn: Connection, claim_payment_id: int, claim_id: int) -> dict[str, Any]:
    """A payment applied whole now pays that claim: a later reversal of it (same CLP07)
    finds it and negates what was applied, instead of becoming an orphan.  Returns what the
    payment row said before (``queue undo`` puts it back)."""
    before = conn.execute(select(_CP.c.submitted_claim_id, _CP.c.posting_state,
                                 _CP.c.match_method).where(_CP.c.id == claim_payment_id)).one()
    conn.execute(update(_CP).where(_CP.c.id == claim_payment_id, _CP.c.status_code != "22")
                 .values(submitted_claim_id=claim_id, posting_state=PostingState.APPLIED,
                         match_method=MatchMethod.MANUAL))
    return {"id": claim_payment_id, **before._asdict()}


def _applied_before(conn: Connection, item_id: int) -> bool:
    """Whether an entry the item posted still stands (one ``queue undo`` reversed does not
    count: the payment is whole again and may post by the rules)."""
    reversal = _ENTRY.alias("reversal")
    return conn.execute(select(_ENTRY.c.id).where(
        _ENTRY.c.review_item_id == item_id, _ENTRY.c.reverses_entry_id.is_(None),
        ~select(reversal.c.id).where(reversal.c.reverses_entry_id == _ENTRY.c.id).exists())
        .limit(1)).first() is not None


def _amount(item: Any, amount_cents: int | None) -> int:
    """The signed amount to apply: all that remains, or the part asked (as a magnitude)."""
    remaining = item.amount_cents
    if not holds_unapplied(item.kind, item.claim_payment_id) or remaining == 0:
        raise ActionError(f"review item {item.id} ({item.kind}) holds no unapplied cash")
    if amount_cents is None:
        return int(remaining)
    if not 0 < amount_cents <= abs(remaining):
        raise ActionError(f"the amount must be more than 0.00 and at most "
                          f"{format_cents(abs(remaining))} (what item {item.id} holds)")
    return amount_cents if remaining > 0 else -amount_cents


def _cash_postings(amount: int, payer_id: int | None, claim: Any) -> tuple[Posting, ...]:
    dims = {"patient_account_id": claim.patient_account_id, "submitted_claim_id": claim.id}
    return (Posting(AccountCode.UNAPPLIED_CASH, amount, payer_id=payer_id, **dims),
            Posting(AccountCode.INSURANCE_AR, -amount, payer_id=payer_id, **dims))


def _duplicate_notice(conn: Connection, item: Any, claim: Any, payer_id: int | None,
                      found: Adjudication, posting: LinePosting, amount: int) -> str:
    """What applying onto an adjudicated claim will do, said before it is done: the
    credit it leaves is the payer's own side's, whatever other payers owe on the claim."""
    own = insurance_by_payer(conn, claim.id).get(payer_id, 0) + sum(
        p.amount_cents for p in posting.postings
        if p.account == AccountCode.INSURANCE_AR and p.payer_id == payer_id)
    earlier = "; ".join(p.describe() for p in found.payments)
    what = (f"its cash only ({format_cents(amount)}, no adjustments again)" if posting.every_line
            else f"its cash ({format_cents(amount)}), without adjustments for the lines "
                 "adjudicated already (the others post theirs)")
    return (f"claim {claim.patient_control_number} already carries this payer's adjudication "
            f"of the same lines: {earlier}; applying review item {item.id} posts {what} and "
            f"leaves a credit balance of {format_cents(side_credit(own))} on the payer's "
            "side: confirm to post it")


def _whole_payment_lines(conn: Connection, item: Any, claim: Any, payer_id: int | None,
                         amount: int, confirm: bool) -> tuple[Posting, ...] | None:
    """The posting rules' lines for a whole queued payment (None: move cash alone).

    Lines the payer adjudicated already post their cash alone, and only once the
    specialist confirmed (:class:`ConfirmationNeeded` says what would happen).
    """
    found = earlier_adjudication(conn, claim.id, payer_id, item.claim_payment_id)
    posting = applied_line_postings(conn, item.claim_payment_id, claim, payer_id, amount,
                                    found)
    if found is not None and posting is not None and posting.duplicated and not confirm:
        raise ConfirmationNeeded(_duplicate_notice(conn, item, claim, payer_id, found, posting,
                                                   amount))
    return posting.postings if posting else None


def _keeps_open(conn: Connection, item: Any, left: int) -> bool:
    """A claim that failed balancing, its cash applied: its CO/PR are still unposted, so
    the item stays open (owning them) until ``queue post-as-sent``."""
    return (left == 0 and item.kind == ReviewKind.BALANCING_FAILURE
            and item.claim_payment_id is not None
            and stored_has_adjustments(conn, item.claim_payment_id))


def apply_item(conn: Connection, item: Any, claim: Any, amount_cents: int | None, *,
               actor: str, role: str | None, action: ItemAction, note: str | None = None,
               confirm: bool = False) -> ActionResult:
    """Move (part of) a locked item's unapplied cash to the claim; the shared core of
    ``apply``, ``accept-match``, ``rematch`` and ``link-correction``."""
    amount = _amount(item, amount_cents)
    payer_id = item.payer_id or claim.payer_id
    lines, linked = None, None
    whole = (amount == item.amount_cents and item.kind in MATCH_KINDS
             and item.claim_payment_id is not None and not _applied_before(conn, item.id))
    if whole:
        lines = _whole_payment_lines(conn, item, claim, payer_id, amount, confirm)
        linked = link_payment(conn, item.claim_payment_id, claim.id)
    posted_lines = lines is not None
    insurance_before = claim_balances(conn, claim.id).insurance_cents
    entry_id = post_entry(conn, item, action, lines or _cash_postings(amount, payer_id, claim),
                          actor=actor, claim_id=claim.id,
                          memo=f"{format_cents(amount)} applied from unapplied cash to claim "
                               f"{claim.patient_control_number}")
    left = item.amount_cents - amount
    keep = _keeps_open(conn, item, left)
    text = (f"applied {format_cents(amount)} to claim {claim.patient_control_number}"
            f"{' (lines posted by the posting rules)' if posted_lines else ''}; "
            f"{format_cents(left)} left unapplied{_STAYS_OPEN if keep else ''}")
    status = ReviewStatus.RESOLVED if left == 0 and not keep else item.status
    record_action(conn, item, actor=actor, role=role, action=action,
                  to_status=ReviewStatus.RESOLVED if status == ReviewStatus.RESOLVED else None,
                  note=f"{text}{f': {note}' if note else ''}", entry_id=entry_id,
                  details={"claim": claim.patient_control_number, "claim_id": claim.id,
                           "amount": format_cents(amount), "unapplied_left": format_cents(left),
                           "line_posting": posted_lines, "linked_payment": linked},
                  values={"amount_cents": left})
    cause = f"{action} from review item {item.id}"
    opened = refresh_credit_balances(conn, [claim.id], actor=actor, entry_id=entry_id,
                                     cause=cause)
    opened += own_reopened_balance(conn, claim.id, insurance_before, actor=actor, cause=cause,
                                   entry_id=entry_id, payer_id=payer_id)
    return ActionResult(item.id, action, status, f"review item {item.id}: {text}", amount,
                        (entry_id,), tuple(opened))


def apply_cash(conn: Connection, item_id: int, pcn: str, *, principal: Principal,
               amount_cents: int | None = None, confirm: bool = False,
               reason: str | None = None, note: str | None = None) -> ActionResult:
    """``queue apply``: the item's unapplied cash (or ``amount_cents`` of it) to claim PCN."""
    actor = principal.name
    item = locked_item(conn, item_id)
    claim = find_claim(conn, pcn)
    return apply_item(conn, item, claim, amount_cents, actor=actor, role=principal.role,
                      action=ItemAction.APPLY, confirm=confirm, note=with_note(reason, note))


def accept_match(conn: Connection, item_id: int, *, principal: Principal,
                 candidate_claim_id: int | None = None, confirm: bool = False) -> ActionResult:
    """``queue accept-match``: apply the whole payment to a candidate matching suggested.

    With one candidate it is taken; with several the specialist names one (by claim id, as
    ``queue show`` lists them), because choosing among close scores is the judgement the
    engine refused to make.
    """
    actor = principal.name
    item = locked_item(conn, item_id)
    if item.kind not in MATCH_KINDS:
        raise ActionError(f"review item {item_id} is {item.kind}: only unmatched payments and "
                          "ambiguous matches have candidates")
    ids = [c.get("claim_id") for c in (item.evidence or {}).get("candidates", [])]
    if not ids:
        raise ActionError(f"review item {item_id} has no candidate: use `queue apply` or "
                          "`queue rematch`")
    chosen = candidate_claim_id
    if chosen is None:
        if len(ids) > 1:
            raise ActionError(f"review item {item_id} has {len(ids)} candidates (claim ids "
                              f"{', '.join(map(str, ids))}): name one with --candidate")
        chosen = ids[0]
    elif chosen not in ids:
        raise ActionError(f"claim id {chosen} is not a candidate of review item {item_id} "
                          f"(candidates: {', '.join(map(str, ids))})")
    claim = find_claim(conn, claim_id=chosen)
    return apply_item(conn, item, claim, None, actor=actor, role=principal.role,
                      action=ItemAction.ACCEPT_MATCH, note=f"candidate claim id {chosen} accepted",
                      confirm=confirm)
