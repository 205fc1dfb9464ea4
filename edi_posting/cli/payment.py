"""`edi-posting payment receive|post|list|claim`: money that came without a remittance.

`receive` takes a payer's check (EFT, card) whose 835 is not here yet into unapplied cash
with a review item, until the 835 of that payer and trace claims it; `post` applies a
patient's payment to the account's claims (the named one, else oldest balance first);
`list` shows the payments received, as money awaiting its bank deposit, with the deposit
that met each once reconciled; `claim` has a
remittance that came under another trace number claim a received check by hand.  Each command
calls one public API function and prints its one line (or rows) on stdout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click

import edi_posting
from edi_posting.cli.common import format_option, option_cents, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]

LIST_COLUMNS = ["payment_id", "date", "paid_by", "payer", "account", "amount", "method",
                "reference", "status", "deposit", "journal_entry_id"]
_DATE = click.DateTime(formats=["%Y-%m-%d"])
_ERRORS = {edi_posting.PaymentAlreadyReceivedError: ExitCode.ALREADY_RECEIVED,
           edi_posting.PaymentError: ExitCode.DATA_ERROR}


def _cents(text: str) -> int:
    """A required amount, more than 0.00."""
    cents = option_cents(text, positive=True)
    assert cents is not None  # click requires the option
    return cents


@click.group("payment", epilog="\b\nExample:\n"
             "  edi-posting payment receive --payer ACME01 --amount 80.00 --reference 12345 "
             "--date 2026-03-09\n"
             "  edi-posting payment post --account 1234567893-1 --amount 25.00 --method card "
             "--reference VISA-4242")
def command() -> None:
    """Payments without a remittance: payer checks before their 835, patient payments."""


def _opt(*names: str, env: str, **kwargs: Any) -> Callable[[Any], Any]:
    """An option with its environment twin, ``EDI_POSTING_PAYMENT_<env>``, shown in --help."""
    return click.option(*names, envvar=f"EDI_POSTING_PAYMENT_{env}", show_envvar=True, **kwargs)


def _day(value: Any) -> dt.date | None:
    return value.date() if value is not None else None


@command.command("receive", epilog="""\b
Example:
  edi-posting payment receive --payer ACME01 --amount 80.00 --reference 12345 --date 2026-03-09
  edi-posting payment receive --payer "ACME HEALTH" --amount 120.00 --reference EFT-77 --method eft""")
@_opt("--payer", env="PAYER", required=True, help="The payer's identifier or whole name.")
@_opt("--amount", env="AMOUNT", required=True, help="The check's amount, e.g. 80.00.")
@_opt("--reference", env="REFERENCE", required=True,
      help="The check or EFT trace number (its 835's TRN02).")
@_opt("--date", "received", env="DATE", type=_DATE, default=None, metavar="DATE",
      help="The day it was received (YYYY-MM-DD); default today.")
@_opt("--method", env="METHOD", type=click.Choice(["check", "eft", "card"]), default="check",
      show_default=True, help="How the payer paid.")
@click.pass_obj
def receive_command(app: AppContext, payer: str, amount: str, reference: str, received: Any,
                    method: str) -> None:
    """A payer's check with no remittance yet: into unapplied cash with a review item
    (awaiting_remittance) until the 835 of the same payer and trace number claims it.
    The same payer, reference, amount and date again posts nothing (exit 3)."""
    done = app.call(edi_posting.receive_payment, app.session(), payer=payer,
                    amount_cents=_cents(amount), reference=reference,
                    received_date=_day(received), method=method, errors=_ERRORS)
    click.echo(done.message)


@command.command("post", epilog="""\b
Example:
  edi-posting payment post --account 1234567893-1 --amount 25.00 --method card --reference VISA-4242
  edi-posting payment post --account 1234567893-1 --claim PCN1 --amount 10.00 --method cash --reference R-881""")
@_opt("--account", env="ACCOUNT", required=True, help="The patient account number.")
@_opt("--claim", env="CLAIM", default=None, metavar="PCN",
      help="The claim paid (its PCN); without it, oldest balance first.")
@_opt("--amount", env="AMOUNT", required=True, help="The amount paid, e.g. 25.00.")
@_opt("--method", env="METHOD", required=True,
      type=click.Choice(["cash", "check", "card", "online"]), help="How the patient paid.")
@_opt("--reference", env="REFERENCE", required=True,
      help="Receipt, check or card transaction reference.")
@_opt("--date", "received", env="DATE", type=_DATE, default=None, metavar="DATE",
      help="The day it was paid (YYYY-MM-DD); default today.")
@click.pass_obj
def post_command(app: AppContext, account: str, claim: str | None, amount: str, method: str,
                 reference: str, received: Any) -> None:
    """A patient's payment: to the named claim's patient balance, else the account's
    patient balances oldest date of service first (then claim id); anything more than
    the patient owes stays as a patient credit balance with a review item.  The same
    account, reference, amount and date again posts nothing (exit 3)."""
    done = app.call(edi_posting.post_patient_payment, app.session(), account=account,
                    amount_cents=_cents(amount), method=method, reference=reference,
                    received_date=_day(received), claim=claim, errors=_ERRORS)
    click.echo(done.message)


@command.command("list", epilog="\b\nExample:\n  edi-posting payment list --since 2026-03-01"
                 " --format csv")
@_opt("--since", env="SINCE", type=_DATE, default=None, metavar="DATE",
      help="Received on or after DATE (YYYY-MM-DD).")
@format_option()
@click.pass_obj
def list_command(app: AppContext, since: Any, output_format: str) -> None:
    """The payments received without a remittance, as money awaiting its bank deposit:
    who paid, amount, method, reference, status, the deposit that met it once
    `reconcile` matched it ("id (date bank-reference)", empty while it awaits) and the
    journal entry that put it in cash clearing."""
    rows = app.call(edi_posting.payments_awaiting_deposit, app.session(), since=_day(since))
    render_rows(rows, LIST_COLUMNS, output_format)


@command.command("claim", epilog="""\b
Example:
  edi-posting payment claim 13 --remittance 4 --reason 'paid by EFT, not by check' --dry-run
  edi-posting payment claim 13 --remittance 4 --reason 'paid by EFT, not by check'""")
@click.argument("item_id", metavar="ITEM", type=int)
@_opt("--remittance", env="REMITTANCE", required=True, type=int, metavar="ID",
      help="The remittance (`remit list` id) the check belongs to.")
@_opt("--reason", env="REASON", required=True, help="Why this check is that remittance's.")
@_opt("--dry-run", env="DRY_RUN", is_flag=True, default=False,
      help="Say what it would post; write nothing.")
@click.pass_obj
def claim_command(app: AppContext, item_id: int, remittance: int, reason: str,
                  dry_run: bool) -> None:
    """Claim the check an awaiting_remittance item holds by the remittance it belongs to,
    when that 835 came under another trace number: its cash then counts once (Dr unapplied
    cash / Cr cash clearing).  A queue action: needs `resolve`."""
    done = app.call(edi_posting.claim_payment, app.session(), item_id, remittance,
                    reason=reason, dry_run=dry_run,
                    errors={edi_posting.ActionError: ExitCode.DATA_ERROR})
    click.echo(done.message)
    if done.plan is not None:
        for line in done.plan.describe():
            click.echo(f"  {line}")
