"""`edi-posting account show`: a patient account with its claims and balances."""

from __future__ import annotations

import click

import edi_posting
from edi_posting.cli.common import echo_json, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]


@click.group("account", epilog="\b\nExample:\n  edi-posting account show 1234567893-1")
def command() -> None:
    """Look at patient accounts."""


@command.command("show", epilog="\b\nExample:\n  edi-posting account show 1234567893-1 --format json")
@click.argument("account_number")
@format_option(("table", "json"))
@click.pass_obj
def show_command(app: AppContext, account_number: str, output_format: str) -> None:
    """Show a patient account: its claims with their balances, and the account's balances."""
    detail = app.call(edi_posting.show_account, app.session(), account_number,
                      errors={edi_posting.NotFoundError: ExitCode.NO_INPUT})
    if output_format == "json":
        echo_json(detail)
        return
    patient, balances = detail["patient"], detail["balances"]
    click.echo(f"Account {detail['account_number']}: {patient['last_name']}, "
               f"{patient['first_name'] or ''} (born {patient['birth_date'] or 'unknown'})")
    click.echo(f"Balances: insurance {balances['insurance']}  patient {balances['patient']}"
               f"  total {balances['total']}\n")
    rows = [{**c, "insurance": c["balances"]["insurance"], "patient": c["balances"]["patient"]}
            for c in detail["claims"]]
    render_rows(rows, ["patient_control_number", "status", "total_charge", "insurance",
                       "patient", "statement_from"], "table")
    if detail.get("patient_payments"):  # shown when the patient paid something
        click.echo("\nPatient payments:")
        render_rows(detail["patient_payments"], ["payment_id", "date", "method", "reference",
                                                 "amount", "entry_id", "received_by"], "table")
