"""The money-moving review actions through the public API: apply, accept-match, rematch,
link-correction, post-as-sent, transfer, write-off, refund, reapply, place-plb and undo.

Each one checks ``resolve`` for the session's user once (a refusal is on the audit trail),
runs the review action as that user in one write transaction (``BEGIN IMMEDIATE`` on
SQLite), and returns what it did (:class:`~edi_posting.review.money.ActionResult`: the
message the CLI prints, the entries posted, the item's status).  An action that does not
fit the item raises :class:`~edi_posting.review.actions.ActionError` and posts nothing;
one that needs the specialist to see it first raises
:class:`~edi_posting.review.money.ConfirmationNeeded`.

``dry_run=True`` runs the same action in a transaction that is rolled back: the result's
``plan`` says what it would have posted and where the item would stand, and nothing is
written (the permission check alone is on the audit trail, as for any call).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from edi_posting.access.permissions import Permission, Principal
from edi_posting.api.acting import act
from edi_posting.api.session import Session
from edi_posting.db.workflow import ReviewStatus
from edi_posting.importing.units import envelope_rows
from edi_posting.review import (
    accept_set,
    balances,
    money,
    plb_placement,
    post_as_sent,
    refunds,
    rematch,
    returns,
    undo,
)
from edi_posting.review import dry_run as rehearsals
from edi_posting.review.actions import ActionError
from edi_posting.review.money import ActionResult
from edi_posting.review.rematch import Outcome

__all__ = ["RematchReport", "accept_match", "accept_rejected_set", "apply_cash", "link_correction", "place_plb",
           "post_claim_as_sent", "reapply_credit", "refund_credit", "rematch_items",
           "return_payment", "transfer_balance", "undo_action", "write_off"]

Work = Callable[[Connection, Principal], ActionResult]


class _Rehearsed(Exception):  # not an error: it carries the rehearsal's result out
    """Raised with a dry run's result so that its transaction rolls back."""

    def __init__(self, result: ActionResult) -> None:
        super().__init__(result.message)
        self.result = result


def rehearse(work: Work) -> Work:
    """``work`` that raises its result, planned, instead of returning it (see ``_resolve``)."""
    def rehearsal(conn: Connection, who: Principal) -> ActionResult:
        since = (rehearsals.last_entry_id(conn), rehearsals.last_item_id(conn))
        result = work(conn, who)
        plan = rehearsals.plan_of(conn, result.item_id, since)
        said = result.message.removeprefix(f"review item {result.item_id}: ")
        raise _Rehearsed(dataclasses.replace(
            result, entry_ids=(), opened_item_ids=(), plan=plan,
            message=f"review item {result.item_id} (dry run, nothing written) would: {said}"))
    return rehearsal


def _resolve(session: Session, action: str, item_id: int, work: Work,
             dry: bool = False, permission: Permission = Permission.RESOLVE) -> ActionResult:
    if not dry:
        return act(session, permission, f"queue.{action}", str(item_id), work)
    try:
        act(session, permission, f"queue.{action}", str(item_id), rehearse(work))
    except _Rehearsed as rehearsed:  # the transaction rolled back: nothing written
        return rehearsed.result
    raise AssertionError("a rehearsal always rolls back")  # pragma: no cover


def apply_cash(session: Session, item_id: int, claim: str, *, amount_cents: int | None = None,
               confirm: bool = False, reason: str | None = None,
               note: str | None = None, dry_run: bool = False) -> ActionResult:
    """The item's unapplied cash (all, or ``amount_cents``) to the claim with PCN ``claim``."""
    return _resolve(session, "apply", item_id, lambda conn, who: money.apply_cash(
        conn, item_id, claim, principal=who, amount_cents=amount_cents, confirm=confirm,
        reason=reason, note=note), dry_run)


def accept_match(session: Session, item_id: int, *, candidate_claim_id: int | None = None,
                 confirm: bool = False, dry_run: bool = False) -> ActionResult:
    """The whole payment to a candidate matching suggested (named when there are several)."""
    return _resolve(session, "accept-match", item_id, lambda conn, who: money.accept_match(
        conn, item_id, principal=who, candidate_claim_id=candidate_claim_id, confirm=confirm),
        dry_run)


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


def rematch_items(session: Session, item_ids: Sequence[int] | None = None, *,
                  dry_run: bool = False) -> RematchReport:
    """Match the items again (None or empty: every open unmatched payment); a safe match is
    applied as import would have posted it.  Each item is its own transaction (with
    ``dry_run``, each rolled back: its result's ``plan`` says what it would post)."""
    ids = list(item_ids or ())
    principal = session.authorize(Permission.RESOLVE, "queue.rematch",
                                  ",".join(map(str, ids)) or "all")
    if not dry_run:
        return RematchReport(tuple(rematch.rematch_each(session.engine, ids or None,
                                                        principal=principal)))
    with session.reading() as conn:
        ids = ids or rematch.rematchable_items(conn)
    return RematchReport(tuple(_rehearse_rematch(session, item_id, principal) for item_id in ids))


def _rehearse_rematch(session: Session, item_id: int, principal: Principal) -> Outcome:
    """One item's rematch, rolled back (a refusal is reported as ``rematch_each`` does)."""
    def work(conn: Connection, who: Principal) -> ActionResult:
        [result] = rematch.rematch(conn, [item_id], principal=who)
        return result
    try:
        with session.writing() as conn:
            rehearse(work)(conn, principal)
    except _Rehearsed as rehearsed:
        return Outcome(item_id, rehearsed.result)
    except ActionError as exc:
        return Outcome(item_id, refused=str(exc))
    raise AssertionError("a rehearsal always rolls back")  # pragma: no cover


def link_correction(session: Session, item_id: int, claim_payment_id: int, *,
                    dry_run: bool = False) -> ActionResult:
    """Pair a reversal awaiting its correction with the claim payment that corrects it."""
    return _resolve(session, "link-correction", item_id, lambda conn, who: rematch.link_correction(
        conn, item_id, claim_payment_id, principal=who), dry_run)


def post_claim_as_sent(session: Session, item_id: int, reason: str, *,
                       claim: str | None = None, dry_run: bool = False) -> ActionResult:
    """Post a claim that failed balancing as its payer sent it (the reason is kept)."""
    return _resolve(session, "post-as-sent", item_id, lambda conn, who: post_as_sent.post_as_sent(
        conn, item_id, reason, principal=who, pcn=claim), dry_run)


def transfer_balance(session: Session, item_id: int, *, to: str, payer: str | None = None,
                     amount_cents: int | None = None, override_reason: str | None = None,
                     reason: str | None = None, note: str | None = None,
                     dry_run: bool = False) -> ActionResult:
    """The claim's balance with the item's payer to ``"patient"`` or ``"payer"`` (``payer``:
    its identifier).  A contractual amount goes to the patient only with an admin's
    ``override_reason`` (a refusal is audited)."""
    return _resolve(session, "transfer", item_id, lambda conn, who: balances.transfer(
        conn, item_id, to=to, payer=payer, principal=who, amount_cents=amount_cents,
        override_reason=override_reason, reason=reason, note=note), dry_run)


def write_off(session: Session, item_id: int, reason: str, *, side: str = "insurance",
              amount_cents: int | None = None, note: str | None = None,
              dry_run: bool = False) -> ActionResult:
    """A claim balance to adjustments under ``reason``; past the write-off limit (per claim,
    in total) it waits for a second person's approval instead."""
    return _resolve(session, "write-off", item_id, lambda conn, who: balances.write_off(
        conn, item_id, reason, side=side, principal=who, amount_cents=amount_cents, note=note),
        dry_run)


def refund_credit(session: Session, item_id: int, reason: str, *, payee: str | None = None,
                  amount_cents: int | None = None, dry_run: bool = False) -> ActionResult:
    """Refund a credit balance (above the refund limit it waits for approval)."""
    return _resolve(session, "refund", item_id, lambda conn, who: refunds.refund(
        conn, item_id, reason, payee=payee, principal=who, amount_cents=amount_cents), dry_run)


def reapply_credit(session: Session, item_id: int, claim: str, *,
                   amount_cents: int | None = None, dry_run: bool = False) -> ActionResult:
    """A credit balance to another claim (PCN ``claim``) of the same account."""
    return _resolve(session, "reapply", item_id, lambda conn, who: refunds.reapply(
        conn, item_id, claim, principal=who, amount_cents=amount_cents), dry_run)


def place_plb(session: Session, item_id: int, *, claim: str | None = None,
              note: str | None = None, reason: str | None = None,
              dry_run: bool = False) -> ActionResult:
    """Link an unlinked PLB to its claim, or keep it in provider adjustments saying why."""
    return _resolve(session, "place-plb", item_id, lambda conn, who: plb_placement.place_plb(
        conn, item_id, principal=who, pcn=claim, note=note, reason=reason), dry_run)


def undo_action(session: Session, item_id: int, *, reason: str | None = None,
                entry_id: int | None = None, dry_run: bool = False) -> ActionResult:
    """Reverse the item's latest money action (``entry_id``: only if it is that one)."""
    return _resolve(session, "undo", item_id, lambda conn, who: undo.undo(
        conn, item_id, principal=who, reason=reason, entry_id=entry_id), dry_run)


def return_payment(session: Session, item_id: int, reason: str, *, to: str = "payer",
                   dry_run: bool = False) -> ActionResult:
    """Unapplied cash that is not ours back to its payer (``to="payer"``: out of cash;
    ``"refund"``: a refund payable); the item closes.  Above the refund limit it waits for
    a second person's approval, as a refund does."""
    try:
        where = returns.ReturnTo(to)
    except ValueError:
        raise ActionError(f"return to {to!r}: one of "
                          f"{', '.join(map(str, returns.ReturnTo))}") from None
    return _resolve(session, "return", item_id, lambda conn, who: returns.return_money(
        conn, item_id, reason, principal=who, to=where), dry_run)


def accept_rejected_set(session: Session, item_id: int, reason: str, *,
                        dry_run: bool = False) -> ActionResult:
    """Post the 835 set a ``rejected_file`` item names (rejected by validation) from the
    archived file, after review; the item closes naming what was wrong.  ``administer``
    only; a tampered archive raises ``ArchiveIntegrityError`` (audited)."""
    return _resolve(session, "accept-set", item_id, lambda conn, who: accept_set.accept_set(
        conn, item_id, reason, principal=who, envelope_rows=envelope_rows), dry_run,
        Permission.ADMINISTER)
