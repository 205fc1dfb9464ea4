"""`edi-posting ledger check | digest | forwarding-balances`: prove the ledger is sound,
fingerprint it, and list the PLB forwarding balances still open."""

from __future__ import annotations

import click

import edi_posting
from edi_posting.cli.common import CliError, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]


@click.group("ledger", epilog="\b\nExample:\n  edi-posting ledger check && edi-posting ledger digest")
def command() -> None:
    """Check the ledger's invariants and print its digest."""


@command.command("check", epilog="\b\nExample:\n  edi-posting ledger check --format json")
@format_option()
@click.pass_obj
def check_command(app: AppContext, output_format: str) -> None:
    """Run every invariant; exit 1 naming each violation."""
    result = app.call(edi_posting.check_ledger, app.session())
    violations = result.violations
    if violations:
        render_rows([{"check": v.check, "entry_id": v.entry_id, "message": v.message}
                     for v in violations], ["check", "entry_id", "message"], output_format)
        raise CliError(f"{len(violations)} ledger violation(s)", ExitCode.CHECK_FAILED)
    click.echo(f"ledger OK: {result.checks} checks, no violations", err=True)


@command.command("digest", epilog="\b\nExample:\n  edi-posting ledger digest")
@click.pass_obj
def digest_command(app: AppContext) -> None:
    """Print a SHA-256 of the ledger's content: the same content gives the same digest,
    whatever the ids, the database or the order independent files were imported in."""
    click.echo(app.call(edi_posting.ledger_digest, app.session()))


@command.command("forwarding-balances",
                 epilog="\b\nExample:\n  edi-posting ledger forwarding-balances --format csv")
@format_option()
@click.pass_obj
def forwarding_command(app: AppContext, output_format: str) -> None:
    """PLB FB references that have not netted to zero yet (money a payer still carries)."""
    rows = app.call(edi_posting.forwarding_balances, app.session())
    render_rows(rows, ["payer_id", "reference", "net", "plb_count"], output_format)
