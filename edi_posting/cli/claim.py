"""`edi-posting claim show`: one claim, its lines, its ledger lineage and its balances."""

from __future__ import annotations

from typing import Any

import click

import edi_posting
from edi_posting.cli.common import echo_json, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command", "render_detail"]


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
    _section("Journal", detail["journal"],
             ["entry_id", "date", "kind", "account", "amount", "reason_code", "reverses_entry_id",
              "source_file", "source_segment", "actor"])
    _section("Review items", detail["review_items"], ["id", "kind", "status", "amount", "message"])
    if detail.get("codes"):  # every CARC/RARC on the claim, with its description
        _section("Codes", detail["codes"], ["list", "code", "description"])


def _section(title: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    click.echo(f"\n{title}:")
    if rows:
        render_rows(rows, columns, "table")
    else:
        click.echo("(none)")
