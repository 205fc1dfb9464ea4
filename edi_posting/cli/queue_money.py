"""`edi-posting queue apply|accept-match|rematch|post-as-sent|transfer|write-off|refund|
reapply|link-correction|place-plb|undo|return|accept-set|packet|write-off-limit`: the money-moving review actions, registered on the
`queue` group of :mod:`edi_posting.cli.queue`.

Each command parses its options, calls one function of the public API (which checks the
permission, works in one write transaction, ``BEGIN IMMEDIATE`` on SQLite, and audits) and
prints what it did as one line on stdout.  An action that does not fit the item exits 65;
a missing permission exits 77, and the refusal stays in the audit trail even though the
action's own transaction rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

import edi_posting
from edi_posting.cli.common import CliError, echo_err, option_cents
from edi_posting.cli.context import AppContext
from edi_posting.cli.queue import bulk_filter_options, command, item_filter, report_bulk
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]

T = TypeVar("T")


def _positive_cents(text: str | None, option: str = "--amount") -> int | None:
    return option_cents(text, option, positive=True)


def _opt(*decls: str, env: str, **kwargs: Any) -> Callable[[Any], Any]:
    """An option with its environment twin, ``EDI_POSTING_QUEUE_<env>``, shown in --help."""
    return click.option(*decls, envvar=f"EDI_POSTING_QUEUE_{env}", show_envvar=True, **kwargs)


def _reason(reason: str | None, note: str | None, *, cas_allowed: bool = False) -> str | None:
    """A reason from the documented list (exit 2 listing the valid ones otherwise)."""
    try:
        return edi_posting.check_reason(reason, note, cas_allowed=cas_allowed)
    except edi_posting.ReasonError as exc:
        raise CliError(f"--reason: {exc}", ExitCode.USAGE) from None


_REASONS = f"One of: {', '.join(edi_posting.ReasonCode)} (other needs --note)."  # for --help


def _reason_opts(note_help: str = "Optional: more about why.") -> Callable[[Any], Any]:
    """``--reason CODE`` and ``--note TEXT``, with their environment twins."""
    def decorate(function: Any) -> Any:
        function = _opt("--note", env="NOTE", default=None, metavar="TEXT", help=note_help)(function)
        return _opt("--reason", env="REASON", default=None, metavar="CODE",
                    help=_REASONS)(function)
    return decorate


def _run(app: AppContext, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(session, *args, **kwargs)`` of the API: a missing permission exits 77 (the
    refusal audited by the API); an action that does not fit the item, or a tampered
    archive, exits 65; one that needs --confirm exits 65 saying what would post."""
    def attempt() -> T:
        try:
            return function(app.session(), *args, **kwargs)
        except edi_posting.ConfirmationNeeded as exc:  # nothing posted: say what would be
            raise CliError(f"{exc} (rerun with --confirm)", ExitCode.DATA_ERROR) from None

    return app.call(attempt, errors={edi_posting.ActionError: ExitCode.DATA_ERROR,
                                     edi_posting.ArchiveIntegrityError: ExitCode.DATA_ERROR})


def _done(result: Any) -> None:
    """The action's one line; a dry run's plan under it, each line saying "would"."""
    click.echo(result.message)
    if result.plan is not None:
        for line in result.plan.describe():
            click.echo(f"  {line}")


_DRY_RUN = _opt("--dry-run", env="DRY_RUN", is_flag=True,
                help="Print the entries it would post and where the item would stand; "
                     "write nothing.")


_CONFIRM = _opt("--confirm", env="CONFIRM", is_flag=True,
                help="Post onto a claim the payer adjudicated already (its cash alone).")


@command.command("apply", epilog="\b\nExample:\n  edi-posting queue apply 4 --claim A42214C0000012 --amount 100.00\n  edi-posting queue apply 4 --claim A42214C0000012 --confirm\n  edi-posting queue apply 4 --claim A42214C0000012 --dry-run")
@click.argument("item_id", type=int)
@_opt("--claim", env="CLAIM", required=True, metavar="PCN", help="The claim the cash pays.")
@_opt("--amount", env="AMOUNT", default=None, metavar="AMOUNT", help="Part of the cash (default: all of it).")
@_CONFIRM
@_reason_opts()
@_DRY_RUN
@click.pass_obj
def apply_command(app: AppContext, item_id: int, claim: str, amount: str | None,
                  confirm: bool, reason: str | None, note: str | None, dry_run: bool) -> None:
    """Apply an item's unapplied cash to a claim, whole or in part.

    Dr unapplied cash / Cr the claim's insurance receivable.  A whole unmatched payment whose
    lines fit the claim's is posted line by line by the posting rules (contractual and
    patient shares included), except lines its payer adjudicated already: those post their
    cash alone, and only with --confirm (without it, exit 65 saying what would post).
    The rest of a partial apply stays unapplied and the item open.
    """
    cents, why = _positive_cents(amount), _reason(reason, note)
    _done(_run(app, edi_posting.apply_cash, item_id, claim, amount_cents=cents, confirm=confirm,
               reason=why, note=note, dry_run=dry_run))


@command.command("accept-match", epilog="\b\nExample:\n  edi-posting queue accept-match 2 --candidate 12")
@click.argument("item_id", type=int)
@_opt("--candidate", env="CANDIDATE", type=int, default=None, metavar="CLAIM_ID",
      help="The candidate's claim id (as `queue show` lists it); needed when there are several.")
@_CONFIRM
@_DRY_RUN
@click.pass_obj
def accept_match_command(app: AppContext, item_id: int, candidate: int | None,
                         confirm: bool, dry_run: bool) -> None:
    """Take a candidate that matching suggested: apply the whole payment to it (a claim
    its payer adjudicated already needs --confirm, as for apply)."""
    _done(_run(app, edi_posting.accept_match, item_id, candidate_claim_id=candidate,
               confirm=confirm, dry_run=dry_run))


@command.command("rematch", epilog="\b\nExample:\n  edi-posting queue rematch --all\n  edi-posting queue rematch 4 7")
@click.argument("item_ids", type=int, nargs=-1)
@_opt("--all", "every", env="ALL", is_flag=True, help="Every open unmatched payment.")
@_DRY_RUN
@click.pass_obj
def rematch_command(app: AppContext, item_ids: tuple[int, ...], every: bool,
                    dry_run: bool) -> None:
    """Run matching again (after a late 837 or corrected patient data); a safe match is
    applied as import would have posted it.  Each item commits on its own: one refused is
    reported on stderr (exit 65) and never undoes the others."""
    if bool(item_ids) == every:
        raise CliError("name the items, or give --all", ExitCode.USAGE)
    report = app.call(edi_posting.rematch_items, app.session(), list(item_ids),
                      dry_run=dry_run)
    for outcome in report.outcomes:
        if outcome.result is not None:
            _done(outcome.result)
        else:
            echo_err(f"edi-posting: {outcome.refused}")
    refused = report.refused
    summary = (f"{'would rematch' if dry_run else 'rematched'} {len(report.outcomes)} item(s); "
               f"{report.applied} {'would apply' if dry_run else 'applied'}; {refused} refused"
               f"{' (dry run, nothing written)' if dry_run else ''}")
    if refused:  # the others are committed
        raise CliError(summary, ExitCode.DATA_ERROR)
    echo_err(summary)


@command.command("post-as-sent", epilog="\b\nExample:\n  edi-posting queue post-as-sent 5 --reason 'payer confirmed the 835 by phone'")
@click.argument("item_id", type=int)
@_opt("--reason", env="REASON", required=True, help="Why the 835 is posted as sent (kept).")
@_opt("--claim", env="CLAIM", default=None, metavar="PCN",
      help="The claim, when the item names none.")
@_DRY_RUN
@click.pass_obj
def post_as_sent_command(app: AppContext, item_id: int, reason: str, claim: str | None,
                         dry_run: bool) -> None:
    """Post a claim that failed balancing as the payer sent it: its own CAS adjustments and
    its cash (or the adjustments alone, after `queue apply` moved the cash)."""
    _done(_run(app, edi_posting.post_claim_as_sent, item_id, reason, claim=claim,
               dry_run=dry_run))


@command.command("transfer", epilog="\b\nExample:\n  edi-posting queue transfer 10 --to patient\n  edi-posting queue transfer 10 --to payer --payer BMI02 --amount 50\n  edi-posting queue transfer 10 --to patient --override-reason 'signed waiver on file'")
@click.argument("item_id", type=int)
@_opt("--to", env="TO", type=click.Choice(["patient", "payer"]), required=True)
@_opt("--payer", env="PAYER", default=None, help="The receiving payer's identifier (--to payer).")
@_opt("--amount", env="AMOUNT", default=None, metavar="AMOUNT", help="Default: the payer's whole balance.")
@_opt("--override-reason", env="OVERRIDE_REASON", default=None, metavar="TEXT",
      help="Admin only: move a contractual (CO) amount to the patient anyway, saying why.")
@_reason_opts()
@_DRY_RUN
@click.pass_obj
def transfer_command(app: AppContext, item_id: int, to: str, payer: str | None,
                     amount: str | None, override_reason: str | None, reason: str | None,
                     note: str | None, dry_run: bool) -> None:
    """Move the claim's balance with the item's payer to the patient or to another payer.
    A contractual (CO) amount never goes to the patient, unless an admin overrides it."""
    cents, why = _positive_cents(amount), _reason(reason, note)
    _done(_run(app, edi_posting.transfer_balance, item_id, to=to, payer=payer,
               amount_cents=cents, override_reason=override_reason, reason=why, note=note,
               dry_run=dry_run))


@command.command("write-off", epilog="\b\nExample:\n  edi-posting queue write-off 10 --reason CO-16 --amount 25.00\n  edi-posting queue write-off --kind denial --carc CO-45 --max-amount 5.00 --reason small-balance")
@click.argument("item_id", type=int, required=False)
@_opt("--reason", env="REASON", required=True, metavar="CODE",
      help=f"A CAS group-CARC (CO-16), or {_REASONS[0].lower()}{_REASONS[1:]}")
@_opt("--note", env="NOTE", default=None, metavar="TEXT", help="Optional: more about why.")
@_opt("--side", env="SIDE", type=click.Choice(["insurance", "patient"]), default="insurance",
      show_default=True)
@_opt("--amount", env="AMOUNT", default=None, metavar="AMOUNT", help="Default: the whole balance of that side.")
@_opt("--max-amount", env="BULK_MAX_AMOUNT", default=None, metavar="AMOUNT",
      help="Bulk (no ID): only items whose balance at risk is at most this (required).")
@bulk_filter_options
@_DRY_RUN
@click.pass_obj
def write_off_command(app: AppContext, /, item_id: int | None, reason: str, note: str | None,
                      side: str, amount: str | None, max_amount: str | None,
                      dry_run: bool, **filters: Any) -> None:
    """Write off a claim balance with a reason code; when the claim's write-offs would pass
    the write-off limit in total, it waits for approval by a second person.

    Without an ID, the insurance balance of every open item the filter selects whose
    balance at risk is at most --max-amount, each as one write-off (those past the limit
    wait for approval), reported item by item."""
    flt, why = item_filter(item_id, filters), str(_reason(reason, note, cas_allowed=True))
    if flt is None:
        if max_amount is not None:
            raise CliError("--max-amount is for the bulk form (no ID)", ExitCode.USAGE)
        _done(_run(app, edi_posting.write_off, int(item_id or 0), why, side=side,
                   amount_cents=_positive_cents(amount), note=note, dry_run=dry_run))
        return
    if dry_run:
        raise CliError("--dry-run is for one item (give its ID)", ExitCode.USAGE)
    if amount is not None or side != "insurance":
        raise CliError("the bulk form writes off each item's whole insurance balance: no "
                       "--amount or --side", ExitCode.USAGE)
    ceiling = _positive_cents(max_amount, "--max-amount")
    if ceiling is None:
        raise CliError("the bulk form needs --max-amount", ExitCode.USAGE)
    report_bulk("write-off", _run(app, edi_posting.write_off_items, flt, why,
                                  max_amount_cents=ceiling, note=note), "written off")


@command.command("refund", epilog="\b\nExample:\n  edi-posting queue refund 6 --reason 'paid twice' --payee 'ACME HEALTH PLAN'")
@click.argument("item_id", type=int)
@_opt("--reason", env="REASON", required=True)
@_opt("--payee", env="PAYEE", default=None, help="Default: the payer (or patient) in credit.")
@_opt("--amount", env="AMOUNT", default=None, metavar="AMOUNT", help="Default: the whole credit.")
@_DRY_RUN
@click.pass_obj
def refund_command(app: AppContext, item_id: int, reason: str, payee: str | None,
                   amount: str | None, dry_run: bool) -> None:
    """Refund a credit balance: a refund payable and a refund record.  Above the refund
    limit (default 0.00) it waits for approval by a second person."""
    cents = _positive_cents(amount)
    _done(_run(app, edi_posting.refund_credit, item_id, reason, payee=payee,
               amount_cents=cents, dry_run=dry_run))


@command.command("reapply", epilog="\b\nExample:\n  edi-posting queue reapply 7 --claim A75170C0000008")
@click.argument("item_id", type=int)
@_opt("--claim", env="CLAIM", required=True, metavar="PCN", help="Another claim of the account.")
@_opt("--amount", env="AMOUNT", default=None, metavar="AMOUNT", help="Default: the credit, or what the claim owes.")
@_DRY_RUN
@click.pass_obj
def reapply_command(app: AppContext, item_id: int, claim: str, amount: str | None,
                    dry_run: bool) -> None:
    """Reapply a credit balance to another claim of the same account."""
    cents = _positive_cents(amount)
    _done(_run(app, edi_posting.reapply_credit, item_id, claim, amount_cents=cents,
               dry_run=dry_run))


@command.command("place-plb", epilog="\b\nExample:\n  edi-posting queue place-plb 5 --claim A11732C0000004\n  edi-posting queue place-plb 5 --note 'state levy, no claim'")
@click.argument("item_id", type=int)
@_opt("--claim", env="CLAIM", default=None, metavar="PCN", help="The claim the PLB belongs to.")
@_reason_opts("Why (required without --claim, and for a claim the PLB reference does not "
              "name, unless --reason says it).")
@_DRY_RUN
@click.pass_obj
def place_plb_command(app: AppContext, item_id: int, claim: str | None, reason: str | None,
                      note: str | None, dry_run: bool) -> None:
    """Settle an unlinked PLB: link it to its claim (a WO recovery moves onto the claim's
    insurance receivable and clears the credit it recovered), or keep it in provider
    adjustments with a note saying why it belongs to no claim."""
    why = _reason(reason, note)
    if claim is None and not (note or "").strip() and why is None:
        raise CliError("name the claim (--claim) or say why it belongs to none (--note)",
                       ExitCode.USAGE)
    _done(_run(app, edi_posting.place_plb, item_id, claim=claim, note=note, reason=why,
               dry_run=dry_run))


@command.command("link-correction", epilog="\b\nExample:\n  edi-posting queue link-correction 9 --claim-payment 61")
@click.argument("item_id", type=int)
@_opt("--claim-payment", env="CLAIM_PAYMENT", type=int, required=True, metavar="ID",
      help="The claim payment that corrects the reversal.")
@_DRY_RUN
@click.pass_obj
def link_correction_command(app: AppContext, item_id: int, claim_payment: int,
                            dry_run: bool) -> None:
    """Pair a reversal awaiting its correction with the claim payment that corrects it."""
    _done(_run(app, edi_posting.link_correction, item_id, claim_payment, dry_run=dry_run))


@command.command("undo", epilog="\b\nExample:\n  edi-posting queue undo 4 --reason 'applied to the wrong claim'\n  edi-posting queue undo 4 --entry 31")
@click.argument("item_id", type=int)
@_opt("--reason", env="REASON", default=None, help="Why (kept on the item and in the audit).")
@_opt("--entry", env="ENTRY", type=int, default=None, metavar="N",
      help="The journal entry of the action to undo (as `queue show`/`history` list it): "
           "refused unless it is the item's latest standing action, so a retry undoes nothing more.")
@_DRY_RUN
@click.pass_obj
def undo_command(app: AppContext, item_id: int, reason: str | None, entry: int | None,
                 dry_run: bool) -> None:
    """Undo the item's latest money action: its entry is reversed by a linked entry and the
    item gets back the status and amount it had; the message names the entry reversed.
    Refused (exit 65) when there is nothing to undo, --entry is not that latest action
    (undone already, or an earlier one), a later action on the same claim must be undone
    first, or a refund was paid out already."""
    _done(_run(app, edi_posting.undo_action, item_id, reason=reason, entry_id=entry,
               dry_run=dry_run))


@command.command("return", epilog="\b\nExample:\n  edi-posting queue return 4 --reason 'paid for another practice's patient'\n  edi-posting queue return 4 --reason 'paid in error' --to refund --dry-run")
@click.argument("item_id", type=int)
@_opt("--reason", env="REASON", required=True, metavar="TEXT",
      help="Why the money is not ours (kept on the item and in the audit).")
@_opt("--to", env="RETURN_TO", type=click.Choice(["payer", "refund"]), default="payer",
      show_default=True,
      help="payer: Dr unapplied cash / Cr cash clearing; refund: Cr refunds payable instead.")
@_DRY_RUN
@click.pass_obj
def return_command(app: AppContext, item_id: int, reason: str, to: str, dry_run: bool) -> None:
    """Send back money that is not ours: all of an item's unapplied cash goes to its payer
    (out of cash, or as a refund payable) and the item closes.  Above the refund limit
    (default 0.00) it waits for approval by a second person; `queue undo` takes it back."""
    _done(_run(app, edi_posting.return_payment, item_id, reason, to=to, dry_run=dry_run))


@command.command("accept-set", epilog="\b\nExample:\n  edi-posting --actor alice queue accept-set 8 --reason 'payer confirmed the date; money is real' --dry-run\n  edi-posting --actor alice queue accept-set 8 --reason 'payer confirmed the date; money is real'")
@click.argument("item_id", type=int)
@_opt("--reason", env="REASON", required=True, metavar="TEXT",
      help="Why the set is posted despite validation (kept on the item and in the audit).")
@_DRY_RUN
@click.pass_obj
def accept_set_command(app: AppContext, item_id: int, reason: str, dry_run: bool) -> None:
    """Post an 835 set that `import --validate` rejected, after review (administer only):
    read again from the archived file (exit 65 if its bytes were tampered with), posted as
    an import would post it; the rejected_file item closes naming what was wrong.  Accepting
    again posts nothing (exit 65: the item is closed)."""
    _done(_run(app, edi_posting.accept_rejected_set, item_id, reason, dry_run=dry_run))


@command.command("packet", epilog="\b\nExample:\n  edi-posting queue packet 10 -o denial-10.zip\n"
                 "  edi-posting --mask-phi queue packet 10 -o denial-10-masked.zip")
@click.argument("item_id", type=int)
@_opt("-o", "--output", "output", env="OUTPUT", required=True, metavar="FILE.zip",
      type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def packet_command(app: AppContext, item_id: int, output: Path) -> None:
    """Write the evidence packet (JSON and HTML in a zip): the item and its history, the
    claim and its ledger lineage, the raw 835 segments and the 837 claim.  PHI: needs the
    export permission; the export is audited; --mask-phi (before the command) masks names,
    member IDs, birth dates and account numbers in it."""
    digest = _run(app, edi_posting.write_evidence_packet, item_id, output)
    click.echo(f"review item {item_id}: evidence packet written to {output} (SHA-256 {digest})")


@command.command("write-off-limit", epilog="\b\nExample:\n  edi-posting queue write-off-limit 250.00")
@click.argument("amount", required=False)
@click.pass_obj
def write_off_limit_command(app: AppContext, amount: str | None) -> None:
    """Show the write-off limit, or set it (administer).  Write-offs past it (per claim, in
    total) wait for approval by a second person."""
    show_or_set_limit(app, amount, edi_posting.write_off_limit, edi_posting.set_write_off_limit)


def show_or_set_limit(app: AppContext, amount: str | None, read: Callable[..., int],
                      write: Callable[..., int]) -> None:
    """One limit setting (``queue write-off-limit``, ``queue refund-limit``): without an
    amount, print it (read permission); with one, set it (``administer``) and print it."""
    from edi_posting.money import format_cents

    if amount is None:
        click.echo(format_cents(app.call(read, app.session())))
        return
    cents = 0 if amount.strip() in ("0", "0.00") else _positive_cents(amount, "AMOUNT")
    assert cents is not None
    click.echo(format_cents(app.call(write, app.session(), cents)))
