"""`edi-posting claim show` and `claim find`: one claim (its lines, ledger lineage, the 835s
that adjudicated it, open items and balances), and the claims that match a search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click

import edi_posting
from edi_posting.cli.common import CliError, echo_json, format_option, option_cents, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command", "render_detail"]

FIND_COLUMNS = ["pcn", "claim_id", "patient_name", "payer", "service_from", "service_to",
                "charge", "paid", "insurance_balance", "patient_balance", "status"]


@click.group("claim", epilog="\b\nExample:\n  edi-posting claim show PCN-1001 --format json")
def command() -> None:
    """Look at billed claims."""


@command.command("show", epilog="\b\nExample:\n  edi-posting claim show PCN-1001")
@click.argument("pcn")
@click.option("--claim-id", type=int, default=None, envvar="EDI_POSTING_CLAIM_ID",
              show_envvar=True, help="Pick one submission when a PCN was billed several times.")
@format_option(("table", "json"))
@click.pass_obj
def show_command(app: AppContext, pcn: str, claim_id: int | None, output_format: str) -> None:
    """Show a claim by patient control number (CLM01): lines, journal lines, review items
    and its insurance and patient balances."""
    detail = app.call(edi_posting.show_claim, app.session(), pcn, claim_id,
                      errors={edi_posting.NotFoundError: ExitCode.NO_INPUT})
    if output_format == "json":
        echo_json(detail)
    else:
        render_detail(detail)


PATIENT_PAYMENT_COLUMNS = ["payment_id", "date", "method", "reference", "amount",
                           "payment_total", "entry_id", "received_by"]


def render_detail(detail: dict[str, Any]) -> None:
    claim, balances = detail["claim"], detail["balances"]
    payer = detail["payer"] or {}
    patient = detail["patient"]
    click.echo(f"Claim {claim['patient_control_number']} (id {claim['id']}, type "
               f"{claim['claim_type']}, frequency {claim['frequency_code']}, {claim['status']})")
    click.echo(f"Patient: {patient['last_name']}, {patient['first_name'] or ''}  "
               f"Account: {detail['account_number']}  Payer: {payer.get('name', '-')}")
    click.echo(f"Charge {claim['total_charge']}  Balances: insurance {balances['insurance']}"
               f"  patient {balances['patient']}  total {balances['total']}")
    _section("Lines", detail["lines"],
             ["ordinal", "procedure", "charge", "units", "service_date", "line_item_control_number"])
    _section("Journal", [_keyed_row(r) for r in detail["journal"]],
             ["entry_id", "date", "kind", "account", "amount", "reason_code", "reverses_entry_id",
              "source_file", "source_segment", "actor"])
    _section("Review items", detail["review_items"], ["id", "kind", "status", "amount", "message"])
    _adjudications(detail.get("adjudications", []))
    if detail.get("patient_payments"):  # shown when the patient paid something
        _section("Patient payments", detail["patient_payments"], PATIENT_PAYMENT_COLUMNS)
    _section("Open items", detail.get("open_items", []),
             ["id", "kind", "status", "amount", "message"])
    if detail.get("codes"):  # every CARC/RARC on the claim, with its description
        _section("Codes", detail["codes"], ["list", "code", "description"])


def _keyed_row(row: dict[str, Any]) -> dict[str, Any]:
    """A journal line from a keyed paper EOB names its row (the segment column's place)."""
    if not row.get("keyed_by"):
        return row
    return {**row, "source_segment": f"row {row['source_segment']}"}


def _section(title: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    click.echo(f"\n{title}:")
    if rows:
        render_rows(rows, columns, "table")
    else:
        click.echo("(none)")


def _adjudications(rows: list[dict[str, Any]]) -> None:
    """Each 835 claim payment of the claim: its remittance, CLP02 and money, then its CAS
    and RARCs with their descriptions, claim level and per line."""
    click.echo("\nAdjudicated by:")
    if not rows:
        click.echo("(none)")
    for a in rows:
        where = (f"row {a['source_segment']}, keyed by {a['keyed_by']}" if a.get("keyed_by")
                 else f"segment {a['source_segment']}")
        click.echo(f"remittance {a['remittance_id']}, trace {a['trace_number']}, paid "
                   f"{a['payment_date'] or '-'} by {a['payer'] or '-'} ({a['source_file']} "
                   f"{where})")
        click.echo(f"  CLP02 {a['status_code']} {a.get('status_description') or ''}: charge "
                   f"{a['charge']}, paid {a['paid']}, patient {a['patient']}; payer claim "
                   f"number {a['payer_claim_number'] or '-'}; {a['posting_state']}"
                   + ("" if a.get("linked", True) else " (held, not linked to this claim)"))
        if a["adjustments"] or a["claim_rarcs"]:
            click.echo(f"  claim: {_codes(a['adjustments'], a['claim_rarcs'], a)}")
        for line in a["lines"]:
            click.echo(f"  line {line['ordinal']} {line['procedure']}: paid {line['paid']}"
                       + (f"; {_codes(line['adjustments'], line['rarcs'], line)}"
                          if line["adjustments"] or line["rarcs"] else ""))


def _codes(adjustments: list[dict[str, Any]], rarcs: list[str], owner: dict[str, Any]) -> str:
    described = owner.get("rarcs_descriptions") or owner.get("claim_rarcs_descriptions") or {}
    parts = [f"{c['group']}-{c['carc']} {c['amount']} ({c.get('carc_description') or '?'})"
             for c in adjustments]
    parts += [f"RARC {code} ({described.get(code) or '?'})" for code in rarcs]
    return "; ".join(parts)


def _find_opt(name: str, env: str, **kwargs: Any) -> Callable[[Any], Any]:
    return click.option(name, envvar=f"EDI_POSTING_CLAIM_FIND_{env}", show_envvar=True,
                        default=None, **kwargs)


@command.command("find", epilog="""\b
Example:
  edi-posting claim find --name "o'neil, jean" --dos 2026-01-01..2026-01-31
  edi-posting claim find --payer-claim-number 2026061200123 --format json""")
@_find_opt("--name", "NAME", metavar="LAST[,FIRST]",
           help="Patient name, without case, spaces or punctuation; a first name by its start.")
@_find_opt("--member-id", "MEMBER_ID", help="Member ID (billed, or as an 835 sent it).")
@_find_opt("--payer-claim-number", "PAYER_CLAIM_NUMBER", metavar="CLP07",
           help="The payer's claim control number of a payment of the claim.")
@_find_opt("--plb-reference", "PLB_REFERENCE", metavar="REF",
           help="A PLB reference (PLB03-2) naming the claim.")
@_find_opt("--dos", "DOS", metavar="DATE|FROM..TO",
           help="Date of service, or a range (either end may be left open).")
@_find_opt("--amount", "AMOUNT", help="The claim's charge, or what a payment of it paid.")
@_find_opt("--limit", "LIMIT", type=click.IntRange(min=1), metavar="N",
           help="At most N claims (oldest first).")
@format_option()
@click.pass_obj
def find_command(app: AppContext, name: str | None, member_id: str | None,
                 payer_claim_number: str | None, plb_reference: str | None, dos: str | None,
                 amount: str | None, limit: int | None, output_format: str) -> None:
    """Find claims by patient, member ID, payer claim number, PLB reference, date of
    service or amount (filters combine); `claim show PCN --claim-id ID` takes each row."""
    service_from, service_to = _date_range(dos) if dos else (None, None)
    if not any((name, member_id, payer_claim_number, plb_reference, dos, amount)):
        raise CliError("give at least one filter (see --help)", ExitCode.USAGE)
    rows = app.call(edi_posting.find_claims, app.session(), name=name, member_id=member_id,
                    payer_claim_number=payer_claim_number, plb_reference=plb_reference,
                    service_from=service_from, service_to=service_to,
                    amount_cents=option_cents(amount), limit=limit,
                    errors={ValueError: ExitCode.USAGE})
    render_rows(rows, FIND_COLUMNS, output_format)


def _date_range(text: str) -> tuple[dt.date | None, dt.date | None]:
    """``DATE`` (that day) or ``FROM..TO`` (either end may be empty)."""
    first, dots, last = text.partition("..")
    try:
        start = dt.date.fromisoformat(first) if first else None
        end = (dt.date.fromisoformat(last) if last else None) if dots else start
    except ValueError:
        raise CliError(f"--dos: not a date or FROM..TO range (YYYY-MM-DD): {text!r}",
                       ExitCode.USAGE) from None
    return start, end
