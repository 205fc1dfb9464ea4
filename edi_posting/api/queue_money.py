"""The money-moving review actions through the public API: apply, accept-match, rematch,
link-correction, post-as-sent, transfer, write-off, refund, reapply, place-plb and undo.

Each one checks ``resolve`` for the session's user once (a refusal is on the audit trail),
runs the review action as that user in one write transaction (``BEGIN IMMEDIATE`` on
SQLite), and returns what it did (:class:`~edi_posting.review.money.ActionResult`: the
message the CLI prints, the entries posted, the item's status).  An action that does not
fit the item raises :class:`~edi_posting.review.actions.ActionError` and posts nothing;
one that needs the specialist to see it first raises
:class:`~edi_posting.review.money.ConfirmationNeeded`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from edi_posting.access.permissions import Permission, Principal
from edi_posting.api.acting import act
from edi_posting.api.session import Session
from edi_posting.db.workflow import ReviewStatus
from edi_posting.review import balances, money, plb_placement, post_as_sent, refunds, rematch, undo
from edi_posting.review.money import ActionResult
from edi_posting.review.rematch import Outcome

__all__ = ["RematchReport", "accept_match", "apply_cash", "link_correction", "place_plb",
           "post_claim_as_sent", "reapply_credit", "refund_credit", "rematch_items",
           "transfer_balance", "undo_action", "write_off"]


def _resolve(session: Session, action: str, item_id: int,
             work: Callable[[Connection, Principal], ActionResult]) -> ActionResult:
    return act(session, Permission.RESOLVE, f"queue.{action}", str(item_id), work)


def apply_cash(session: Session, item_id: int, claim: str, *, amount_cents: int | None = None,
               confirm: bool = False, reason: str | None = None,
               note: str | None = None) -> ActionResult:
    """The item's unapplied cash (all, or ``amount_cents``) to the claim with PCN ``claim``."""
    return _resolve(session, "apply", item_id, lambda conn, who: money.apply_cash(
        conn, item_id, claim, principal=who, amount_cents=amount_cents, confirm=confirm,
        reason=reason, note=note))


def accept_match(session: Session, item_id: int, *, candidate_claim_id: int | None = None,
                 confirm: bool = False) -> ActionResult:
    """The whole payment to a candidate matching suggested (named when there are several)."""
    return _resolve(session, "accept-match", item_id, lambda conn, who: money.accept_match(
        conn, item_id, principal=who, candidate_claim_id=candidate_claim_id, confirm=confirm))


@dataclass(frozen=True, slots=True)
class RematchReport:
    """Each item's outcome (committed on its own: one refused never undoes the others)."""

    outcomes: tuple[Outcome, ...]

    @property
    def applied(self) -> int:
        return sum(o.result is not None and o.result.status == ReviewStatus.RESOLVED
                   for o in self.outcomes)

    @property
    def refused(self) -> int:
        return sum(o.result is None for o in self.outcomes)


def rematch_items(session: Session, item_ids: Sequence[int] | None = None) -> RematchReport:
    """Match the items again (None or empty: every open unmatched payment); a safe match is
    applied as import would have posted it.  Each item is its own transaction."""
    ids = list(item_ids or ())
    principal = session.authorize(Permission.RESOLVE, "queue.rematch",
                                  ",".join(map(str, ids)) or "all")
    return RematchReport(tuple(rematch.rematch_each(session.engine, ids or None,
                                                    principal=principal)))


def link_correction(session: Session, item_id: int, claim_payment_id: int) -> ActionResult:
    """Pair a reversal awaiting its correction with the claim payment that corrects it."""
    return _resolve(session, "link-correction", item_id, lambda conn, who: rematch.link_correction(
        conn, item_id, claim_payment_id, principal=who))


def post_claim_as_sent(session: Session, item_id: int, reason: str, *,
                       claim: str | None = None) -> ActionResult:
    """Post a claim that failed balancing as its payer sent it (the reason is kept)."""
    return _resolve(session, "post-as-sent", item_id, lambda conn, who: post_as_sent.post_as_sent(
        conn, item_id, reason, principal=who, pcn=claim))


def transfer_balance(session: Session, item_id: int, *, to: str, payer: str | None = None,
                     amount_cents: int | None = None, override_reason: str | None = None,
                     reason: str | None = None, note: str | None = None) -> ActionResult:
    """The claim's balance with the item's payer to ``"patient"`` or ``"payer"`` (``payer``:
    its identifier).  A contractual amount goes to the patient only with an admin's
    ``override_reason`` (a refusal is audited)."""
    return _resolve(session, "transfer", item_id, lambda conn, who: balances.transfer(
        conn, item_id, to=to, payer=payer, principal=who, amount_cents=amount_cents,
        override_reason=override_reason, reason=reason, note=note))


def write_off(session: Session, item_id: int, reason: str, *, side: str = "insurance",
              amount_cents: int | None = None, note: str | None = None) -> ActionResult:
    """A claim balance to adjustments under ``reason``; past the write-off limit (per claim,
    in total) it waits for a second person's approval instead."""
    return _resolve(session, "write-off", item_id, lambda conn, who: balances.write_off(
        conn, item_id, reason, side=side, principal=who, amount_cents=amount_cents, note=note))


def refund_credit(session: Session, item_id: int, reason: str, *, payee: str | None = None,
                  amount_cents: int | None = None) -> ActionResult:
    """Refund a credit balance (above the refund limit it waits for approval)."""
    return _resolve(session, "refund", item_id, lambda conn, who: refunds.refund(
        conn, item_id, reason, payee=payee, principal=who, amount_cents=amount_cents))


def reapply_credit(session: Session, item_id: int, claim: str, *,
                   amount_cents: int | None = None) -> ActionResult:
    """A credit balance to another claim (PCN ``claim``) of the same account."""
    return _resolve(session, "reapply", item_id, lambda conn, who: refunds.reapply(
        conn, item_id, claim, principal=who, amount_cents=amount_cents))


def place_plb(session: Session, item_id: int, *, claim: str | None = None,
              note: str | None = None, reason: str | None = None) -> ActionResult:
    """Link an unlinked PLB to its claim, or keep it in provider adjustments saying why."""
    return _resolve(session, "place-plb", item_id, lambda conn, who: plb_placement.place_plb(
        conn, item_id, principal=who, pcn=claim, note=note, reason=reason))


def undo_action(session: Session, item_id: int, *, reason: str | None = None,
                entry_id: int | None = None) -> ActionResult:
    """Reverse the item's latest money action (``entry_id``: only if it is that one)."""
    return _resolve(session, "undo", item_id, lambda conn, who: undo.undo(
        conn, item_id, principal=who, reason=reason, entry_id=entry_id))
