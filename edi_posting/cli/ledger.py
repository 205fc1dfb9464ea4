"""`edi-posting ledger check | digest | forwarding-balances`: prove the ledger is sound,
fingerprint it, and list the PLB forwarding balances still open."""

from __future__ import annotations

import click

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
    from edi_posting.access.permissions import Permission
    from edi_posting.reports.ledger_checks import CHECKS, check_ledger

    app.authorize(Permission.READ_LEDGER, "ledger.check")
    with app.engine().connect() as conn:
        violations = check_ledger(conn)
    if violations:
        render_rows([{"check": v.check, "entry_id": v.entry_id, "message": v.message}
                     for v in violations], ["check", "entry_id", "message"], output_format)
        raise CliError(f"{len(violations)} ledger violation(s)", ExitCode.CHECK_FAILED)
    click.echo(f"ledger OK: {len(CHECKS)} checks, no violations", err=True)


@command.command("digest", epilog="\b\nExample:\n  edi-posting ledger digest")
@click.pass_obj
def digest_command(app: AppContext) -> None:
    """Print a SHA-256 of the ledger's content: the same content gives the same digest,
    whatever the ids, the database or the order independent files were imported in."""
    from edi_posting.access.permissions import Permission
    from edi_posting.reports.ledger_checks import ledger_digest

    app.authorize(Permission.READ_LEDGER, "ledger.digest")
    with app.engine().connect() as conn:
        click.echo(ledger_digest(conn))


@command.command("forwarding-balances",
                 epilog="\b\nExample:\n  edi-posting ledger forwarding-balances --format csv")
@format_option()
@click.pass_obj
def forwarding_command(app: AppContext, output_format: str) -> None:
    """PLB FB references that have not netted to zero yet (money a payer still carries)."""
    from edi_posting.access.permissions import Permission
    from edi_posting.money import format_cents
    from edi_posting.posting.plb import open_forwarding_balances

    app.authorize(Permission.READ_LEDGER, "ledger.forwarding-balances")
    with app.engine().connect() as conn:
        rows = [{"payer_id": b.payer_id, "reference": b.reference,
                 "net": format_cents(b.net_cents), "plb_count": b.count}
                for b in open_forwarding_balances(conn)]
    render_rows(rows, ["payer_id", "reference", "net", "plb_count"], output_format)
