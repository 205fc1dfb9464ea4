"""`edi-posting queue apply|accept-match|rematch|transfer|write-off|refund|reapply|
link-correction|place-plb|packet|write-off-limit`: the money-moving review actions, registered on the
`queue` group of :mod:`edi_posting.cli.queue`.

Each command parses its options, runs one API function in a write transaction (``BEGIN
IMMEDIATE`` on SQLite) and prints what it did as one line on stdout.  An action that does
not fit the item exits 65; a missing permission exits 77, and the refusal stays in the
audit trail even though the action's own transaction rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from edi_posting.cli.common import CliError, echo_err
from edi_posting.cli.context import AppContext
from edi_posting.cli.queue import command
from edi_posting.exit_codes import ExitCode
from edi_posting.reason_codes import ReasonCode  # a small enum: the --help lists it

__all__ = ["command"]

T = TypeVar("T")


def _opt(*decls: str, env: str, **kwargs: Any) -> Callable[[Any], Any]:
    """An option with its environment twin, ``EDI_POSTING_QUEUE_<env>``, shown in --help."""
    return click.option(*decls, envvar=f"EDI_POSTING_QUEUE_{env}", show_envvar=True, **kwargs)


def _cents(text: str | None, option: str = "--amount") -> int | None:
    """A user's amount (``12.50``) as integer cents, parsed exactly; None when not given."""
    from edi_posting.money import AmountError, parse_amount, to_cents

    if text is None:
        return None
    try:
        cents = to_cents(parse_amount(text))
    except AmountError as exc:
        raise CliError(f"{option}: {exc}", ExitCode.USAGE) from None
    if cents <= 0:
        raise CliError(f"{option}: must be more than 0.00", ExitCode.USAGE)
    return cents


def _reason(reason: str | None, note: str | None, *, cas_allowed: bool = False) -> str | None:
    """A reason from the documented list (exit 2 listing the valid ones otherwise)."""
    from edi_posting.reason_codes import ReasonError, check_reason

    try:
        return check_reason(reason, note, cas_allowed=cas_allowed)
    except ReasonError as exc:
        raise CliError(f"--reason: {exc}", ExitCode.USAGE) from None


_REASONS = f"One of: {', '.join(ReasonCode)} (other needs --note)."


def _reason_opts(note_help: str = "Optional: more about why.") -> Callable[[Any], Any]:
    """``--reason CODE`` and ``--note TEXT``, with their environment twins."""
    def decorate(function: Any) -> Any:
        function = _opt("--note", env="NOTE", default=None, metavar="TEXT", help=note_help)(function)
        return _opt("--reason", env="REASON", default=None, metavar="CODE",
                    help=_REASONS)(function)
    return decorate


def _run(app: AppContext, action: str, object_id: str, work: Callable[[Any], T]) -> T:
    """Authorize (exit 77), run ``work`` in one write transaction, map its errors."""
    from edi_posting.access import Permission, PermissionDeniedError
    from edi_posting.db import write_transaction
    from edi_posting.review_actions import ActionError

    app.authorize(Permission.RESOLVE if action != "packet" else Permission.EXPORT,
                  f"queue.{action}", object_id)
    try:
        with write_transaction(app.engine()) as conn:
            return work(conn)
    except ActionError as exc:
        raise CliError(str(exc), ExitCode.DATA_ERROR) from None
    except PermissionDeniedError as exc:  # e.g. a write-off above the limit
        app.audit(f"queue.{action}", role=None, object_type="review_item", object_id=object_id,
                  outcome="refused", summary={"reason": str(exc)})
        raise CliError(str(exc), ExitCode.NO_PERMISSION) from None


def _done(result: Any) -> None:
    click.echo(result.message)


@command.command("apply", epilog="\b\nExample:\n  edi-posting queue apply 4 --claim A42214C0000012 --amount 100.00")
@click.argument("item_id", type=int)
@_opt("--claim", env="CLAIM", required=True, metavar="PCN", help="The claim the cash pays.")
@_opt("--amount", env="AMOUNT", default=None, metavar="AMOUNT", help="Part of the cash (default: all of it).")
@_reason_opts()
@click.pass_obj
def apply_command(app: AppContext, item_id: int, claim: str, amount: str | None,
                  reason: str | None, note: str | None) -> None:
    """Apply an item's unapplied cash to a claim, whole or in part.

    Dr unapplied cash / Cr the claim's insurance receivable.  A whole unmatched payment whose
    lines fit the claim's is posted line by line by the posting rules (contractual and
    patient shares included).
    The rest of a partial apply stays unapplied and the item open.
    """
    from edi_posting.queue_money import apply_cash

    cents, why = _cents(amount), _reason(reason, note)
    _done(_run(app, "apply", str(item_id), lambda c: apply_cash(
        c, item_id, claim, actor=app.actor, amount_cents=cents, reason=why, note=note)))


@command.command("accept-match", epilog="\b\nExample:\n  edi-posting queue accept-match 2 --candidate 12")
@click.argument("item_id", type=int)
@_opt("--candidate", env="CANDIDATE", type=int, default=None, metavar="CLAIM_ID",
      help="The candidate's claim id (as `queue show` lists it); needed when there are several.")
@click.pass_obj
def accept_match_command(app: AppContext, item_id: int, candidate: int | None) -> None:
    """Take a candidate that matching suggested: apply the whole payment to it."""
    from edi_posting.queue_money import accept_match

    _done(_run(app, "accept-match", str(item_id), lambda c: accept_match(
        c, item_id, actor=app.actor, candidate_claim_id=candidate)))


@command.command("rematch", epilog="\b\nExample:\n  edi-posting queue rematch --all")
@click.argument("item_id", type=int, required=False)
@_opt("--all", "every", env="ALL", is_flag=True, help="Every open unmatched payment.")
@click.pass_obj
def rematch_command(app: AppContext, item_id: int | None, every: bool) -> None:
    """Run matching again (after a late 837 or corrected patient data); a safe match is
    applied as import would have posted it."""
    from edi_posting.queue_rematch import rematch

    if (item_id is None) == (not every):
        raise CliError("name one item, or give --all", ExitCode.USAGE)
    results = _run(app, "rematch", str(item_id) if item_id else "all",
                   lambda c: rematch(c, [item_id] if item_id else None, actor=app.actor))
    for result in results:
        _done(result)
    echo_err(f"rematched {len(results)} item(s); "
             f"{sum(r.status == 'resolved' for r in results)} applied")


@command.command("transfer", epilog="\b\nExample:\n  edi-posting queue transfer 10 --to patient\n  edi-posting queue transfer 10 --to payer --payer BMI02 --amount 50\n  edi-posting queue transfer 10 --to patient --override-reason 'signed waiver on file'")
@click.argument("item_id", type=int)
@_opt("--to", env="TO", type=click.Choice(["patient", "payer"]), required=True)
@_opt("--payer", env="PAYER", default=None, help="The receiving payer's identifier (--to payer).")
@_opt("--amount", env="AMOUNT", default=None, metavar="AMOUNT", help="Default: the payer's whole balance.")
@_opt("--override-reason", env="OVERRIDE_REASON", default=None, metavar="TEXT",
      help="Admin only: move a contractual (CO) amount to the patient anyway, saying why.")
@_reason_opts()
@click.pass_obj
def transfer_command(app: AppContext, item_id: int, to: str, payer: str | None,
                     amount: str | None, override_reason: str | None, reason: str | None,
                     note: str | None) -> None:
    """Move the claim's balance with the item's payer to the patient or to another payer.
    A contractual (CO) amount never goes to the patient, unless an admin overrides it."""
    from edi_posting.queue_balances import transfer

    cents, why = _cents(amount), _reason(reason, note)
    _done(_run(app, "transfer", str(item_id), lambda c: transfer(
        c, item_id, to=to, payer=payer, actor=app.actor, amount_cents=cents,
        override_reason=override_reason, reason=why, note=note)))


@command.command("write-off", epilog="\b\nExample:\n  edi-posting queue write-off 10 --reason CO-16 --amount 25.00")
@click.argument("item_id", type=int)
@_opt("--reason", env="REASON", required=True, metavar="CODE",
      help=f"A CAS group-CARC (CO-16), or {_REASONS[0].lower()}{_REASONS[1:]}")
@_opt("--note", env="NOTE", default=None, metavar="TEXT", help="Optional: more about why.")
@_opt("--side", env="SIDE", type=click.Choice(["insurance", "patient"]), default="insurance",
      show_default=True)
@_opt("--amount", env="AMOUNT", default=None, metavar="AMOUNT", help="Default: the whole balance of that side.")
@click.pass_obj
def write_off_command(app: AppContext, item_id: int, reason: str, note: str | None, side: str,
                      amount: str | None) -> None:
    """Write off a claim balance with a reason code; when the claim's write-offs would pass
    the write-off limit in total, it waits for approval by a second person."""
    from edi_posting.queue_balances import write_off

    cents, why = _cents(amount), str(_reason(reason, note, cas_allowed=True))
    _done(_run(app, "write-off", str(item_id), lambda c: write_off(
        c, item_id, why, side=side, actor=app.actor, amount_cents=cents, note=note)))


@command.command("refund", epilog="\b\nExample:\n  edi-posting queue refund 6 --reason 'paid twice' --payee 'ACME HEALTH PLAN'")
@click.argument("item_id", type=int)
@_opt("--reason", env="REASON", required=True)
@_opt("--payee", env="PAYEE", default=None, help="Default: the payer (or patient) in credit.")
@_opt("--amount", env="AMOUNT", default=None, metavar="AMOUNT", help="Default: the whole credit.")
@click.pass_obj
def refund_command(app: AppContext, item_id: int, reason: str, payee: str | None,
                   amount: str | None) -> None:
    """Refund a credit balance: a refund payable and a refund record.  Above the refund
    limit (default 0.00) it waits for approval by a second person."""
    from edi_posting.refunds import refund

    cents = _cents(amount)
    _done(_run(app, "refund", str(item_id), lambda c: refund(
        c, item_id, reason, payee=payee, actor=app.actor, amount_cents=cents)))


@command.command("reapply", epilog="\b\nExample:\n  edi-posting queue reapply 7 --claim A75170C0000008")
@click.argument("item_id", type=int)
@_opt("--claim", env="CLAIM", required=True, metavar="PCN", help="Another claim of the account.")
@_opt("--amount", env="AMOUNT", default=None, metavar="AMOUNT", help="Default: the credit, or what the claim owes.")
@click.pass_obj
def reapply_command(app: AppContext, item_id: int, claim: str, amount: str | None) -> None:
    """Reapply a credit balance to another claim of the same account."""
    from edi_posting.refunds import reapply

    cents = _cents(amount)
    _done(_run(app, "reapply", str(item_id), lambda c: reapply(
        c, item_id, claim, actor=app.actor, amount_cents=cents)))


@command.command("place-plb", epilog="\b\nExample:\n  edi-posting queue place-plb 5 --claim A11732C0000004\n  edi-posting queue place-plb 5 --note 'state levy, no claim'")
@click.argument("item_id", type=int)
@_opt("--claim", env="CLAIM", default=None, metavar="PCN", help="The claim the PLB belongs to.")
@_reason_opts("Why (required without --claim, and for a claim the PLB reference does not "
              "name, unless --reason says it).")
@click.pass_obj
def place_plb_command(app: AppContext, item_id: int, claim: str | None, reason: str | None,
                      note: str | None) -> None:
    """Settle an unlinked PLB: link it to its claim (a WO recovery moves onto the claim's
    insurance receivable and clears the credit it recovered), or keep it in provider
    adjustments with a note saying why it belongs to no claim."""
    from edi_posting.plb_placement import place_plb

    why = _reason(reason, note)
    if claim is None and not (note or "").strip() and why is None:
        raise CliError("name the claim (--claim) or say why it belongs to none (--note)",
                       ExitCode.USAGE)
    _done(_run(app, "place-plb", str(item_id), lambda c: place_plb(
        c, item_id, actor=app.actor, pcn=claim, note=note, reason=why)))


@command.command("link-correction", epilog="\b\nExample:\n  edi-posting queue link-correction 9 --claim-payment 61")
@click.argument("item_id", type=int)
@_opt("--claim-payment", env="CLAIM_PAYMENT", type=int, required=True, metavar="ID",
      help="The claim payment that corrects the reversal.")
@click.pass_obj
def link_correction_command(app: AppContext, item_id: int, claim_payment: int) -> None:
    """Pair a reversal awaiting its correction with the claim payment that corrects it."""
    from edi_posting.queue_rematch import link_correction

    _done(_run(app, "link-correction", str(item_id), lambda c: link_correction(
        c, item_id, claim_payment, actor=app.actor)))


@command.command("packet", epilog="\b\nExample:\n  edi-posting queue packet 10 -o denial-10.zip")
@click.argument("item_id", type=int)
@_opt("-o", "--output", "output", env="OUTPUT", required=True, metavar="FILE.zip",
      type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def packet_command(app: AppContext, item_id: int, output: Path) -> None:
    """Write the evidence packet (JSON and HTML in a zip): the item and its history, the
    claim and its ledger lineage, the raw 835 segments and the 837 claim.  PHI: needs the
    export permission; the export is audited."""
    from edi_posting.evidence_packet import write_packet

    digest = _run(app, "packet", str(item_id),
                  lambda c: write_packet(c, item_id, output, actor=app.actor))
    click.echo(f"review item {item_id}: evidence packet written to {output} (SHA-256 {digest})")


@command.command("write-off-limit", epilog="\b\nExample:\n  edi-posting queue write-off-limit 250.00")
@click.argument("amount", required=False)
@click.pass_obj
def write_off_limit_command(app: AppContext, amount: str | None) -> None:
    """Show the write-off limit, or set it (administer).  Write-offs past it (per claim, in
    total) wait for approval by a second person."""
    from edi_posting.access import Permission
    from edi_posting.db import write_transaction
    from edi_posting.money import format_cents
    from edi_posting.queue_balances import set_write_off_limit, write_off_limit_cents

    if amount is None:
        app.authorize(Permission.READ_LEDGER, "queue.write-off-limit")
        with app.engine().connect() as conn:
            click.echo(format_cents(write_off_limit_cents(conn)))
        return
    cents = 0 if amount.strip() in ("0", "0.00") else _cents(amount, "AMOUNT")
    assert cents is not None
    app.authorize(Permission.ADMINISTER, "queue.write-off-limit")
    with write_transaction(app.engine()) as conn:
        set_write_off_limit(conn, cents, actor=app.actor)
    click.echo(format_cents(cents))
