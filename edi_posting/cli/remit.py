"""`edi-posting remit list` and `remit show`: the checks and EFTs received (one row each),
and one of them whole, by the id or the trace number `remit list` prints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

import edi_posting
from edi_posting.cli.common import echo_json, format_option, option_cents, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]

LIST_COLUMNS = ["id", "payment_date", "payer", "amount", "method", "trace", "claims", "posted",
                "held", "denied", "items"]
_CLAIM_COLUMNS = ["ordinal", "pcn", "claim_id", "patient_name", "status_code", "charge",
                  "paid", "patient", "adjustment", "payer_claim_number", "posting_state"]
_PLB_COLUMNS = ["ordinal", "reason", "reference", "amount", "claim_pcn", "provider"]
_ITEM_COLUMNS = ["id", "kind", "status", "amount", "pcn", "message"]
_DEPOSIT_COLUMNS = ["deposit_id", "date", "reference", "deposit", "met", "method", "entry_id"]


@click.group("remit", epilog="\b\nExample:\n  edi-posting remit list --from 2026-03-01\n"
             "  edi-posting remit show EFT-5501")
def command() -> None:
    """Look at remittances (835 checks and EFTs) and what each one did."""


def _opt(*names: str, env: str, **kwargs: Any) -> Callable[[Any], Any]:
    return click.option(*names, envvar=f"EDI_POSTING_REMIT_{env}", show_envvar=True,
                        default=None, **kwargs)


_DATE = click.DateTime(formats=["%Y-%m-%d"])


@command.command("list", epilog="""\b
Example:
  edi-posting remit list --payer acme --from 2026-03-01 --to 2026-03-31
  edi-posting remit list --trace EFT-5501 --format json""")
@_opt("--payer", env="PAYER", help="Part of the payer's name, or its identifier.")
@_opt("--from", "paid_from", env="FROM", type=_DATE, metavar="DATE",
      help="Paid (BPR16) on or after DATE (YYYY-MM-DD).")
@_opt("--to", "paid_to", env="TO", type=_DATE, metavar="DATE", help="Paid on or before DATE.")
@_opt("--trace", env="TRACE", metavar="TRN02", help="Check or EFT trace number, exactly.")
@_opt("--amount", env="AMOUNT", help="The payment amount (BPR02), exactly.")
@_opt("--limit", env="LIMIT", type=click.IntRange(min=1), metavar="N", help="At most N rows.")
@format_option()
@click.pass_obj
def list_command(app: AppContext, payer: str | None, paid_from: Any, paid_to: Any,
                 trace: str | None, amount: str | None, limit: int | None,
                 output_format: str) -> None:
    """One row per remittance: payer, amount, method, trace, payment date, claims,
    posted / held / denied, review items raised (by payment date)."""
    rows = app.call(edi_posting.list_remittances, app.session(), payer=payer,
                    paid_from=paid_from.date() if paid_from else None,
                    paid_to=paid_to.date() if paid_to else None, trace=trace,
                    amount_cents=option_cents(amount), limit=limit)
    render_rows(rows, LIST_COLUMNS, output_format)


@command.command("show", epilog="\b\nExample:\n  edi-posting remit show EFT-5501\n"
                 "  edi-posting remit show 12 --format json")
@click.argument("key", metavar="ID|TRACE")
@format_option(("table", "json"))
@click.pass_obj
def show_command(app: AppContext, key: str, output_format: str) -> None:
    """One check or EFT: BPR, TRN, payer and payee, its claims with their posting state,
    its PLB, the review items it raised, and the file and set it came from.  KEY is the id
    or the trace number `remit list` prints (a trace sent twice: give the id)."""
    detail = app.call(edi_posting.show_remittance, app.session(), key,
                      errors={edi_posting.NotFoundError: ExitCode.NO_INPUT,
                              edi_posting.AmbiguousRemittanceError: ExitCode.USAGE})
    if output_format == "json":
        echo_json(detail)
        return
    _render(detail)


def _render(d: dict[str, Any]) -> None:
    bpr, trn, source = d["bpr"], d["trn"], d["source"]
    click.echo(f"Remittance {d['id']}: {bpr['method']} {bpr['amount']} ({bpr['credit_debit']}) "
               f"paid {bpr['payment_date'] or '-'}, trace {trn['trace_number']} "
               f"(originator {trn['originator'] or '-'})")
    payer, payee = d["payer"], d["payee"]
    click.echo(f"Payer: {payer['name'] or payer['name_as_sent'] or '-'} "
               f"({payer['identifier'] or '-'})  Payee: {payee['name'] or '-'} "
               f"({payee['identifier'] or '-'})  Status: {d['status']}")
    if source.get("keyed_by"):  # a paper EOB keyed by a person: its rows, not segments
        click.echo(f"From: {source['file_name']} (keyed EOB, row {source['row']}, keyed by "
                   f"{source['keyed_by']}, sha256 {source['sha256']})")
    else:
        click.echo(f"From: {source['file_name']} (ISA13 {source['isa13']}, ST02 "
                   f"{source['st02']}, sha256 {source['sha256']})")
    for title, rows, columns in (("Claims", d["claims"], _CLAIM_COLUMNS),
                                 ("Provider adjustments (PLB)", d["provider_adjustments"],
                                  _PLB_COLUMNS),
                                 ("Review items raised", d["review_items"], _ITEM_COLUMNS),
                                 ("Deposited (bank lines that met it)", d.get("deposits", []),
                                  _DEPOSIT_COLUMNS)):
        click.echo(f"\n{title}:")
        if rows:
            render_rows(rows, columns, "table")
        else:
            click.echo("(none)")
