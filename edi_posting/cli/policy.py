"""`edi-posting policy`: how CARCs post (per payer) and which never auto-post."""

from __future__ import annotations

import click

import edi_posting
from edi_posting.cli.common import CliError, echo_err, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]

_COLUMNS = ["payer", "group", "reason", "account", "never_auto_post", "zero_pay", "note"]


@click.group("policy", epilog="\b\nExample:\n  edi-posting policy set OA 23 --action other\n"
             "  edi-posting policy set CO 24 --zero-pay contractual --payer 87678")
def command() -> None:
    """CARC posting policy: the built-in table and the practice's overrides.

    Where each CAS group and CARC posts, which CARCs never auto-post, and which are
    contractual on zero pay: a claim payment of $0 with nothing for the patient is a
    denial (nothing written off) unless every CARC on it is so marked; none is by default,
    not even CO 24 (capitation), since that is a term of each payer's contract."""


@command.command("list", epilog="\b\nExample:\n  edi-posting policy list --format csv")
@format_option()
@click.pass_obj
def list_command(app: AppContext, output_format: str) -> None:
    """Every rule in effect: built-in defaults first, then stored overrides."""
    render_rows(app.call(edi_posting.list_policies, app.session()), _COLUMNS, output_format)


def _payer_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option("--payer", default=None, envvar="EDI_POSTING_POLICY_PAYER",
                        show_envvar=True, metavar="PAYER_ID",
                        help="The payer's ID or exact name (default: every payer).")(f)


@command.command("set", epilog="""\b
Example:
  edi-posting policy set PI '*' --action contractual
  edi-posting policy set CO 45 --action contractual --payer 87678 --never-auto-post
  edi-posting policy set CO 24 --zero-pay contractual --payer 87678   # capitation""")
@click.argument("group")
@click.argument("reason")
@click.option("--action", default=None, envvar="EDI_POSTING_POLICY_ACTION", show_envvar=True,
              type=click.Choice(["contractual", "other", "patient"]),
              help="Post the adjustment to contractual adjustments, other adjustments or "
                   "the patient's receivable (default: the group's built-in account).")
@_payer_option
@click.option("--never-auto-post", is_flag=True, envvar="EDI_POSTING_POLICY_NEVER_AUTO_POST",
              show_envvar=True, help="Hold claim payments carrying this CARC for review.")
@click.option("--zero-pay", default="denial", envvar="EDI_POSTING_POLICY_ZERO_PAY",
              show_envvar=True, show_default=True, type=click.Choice(["denial", "contractual"]),
              help="A claim payment of $0 with nothing for the patient is a denial, unless "
                   "every CARC on it is 'contractual' on zero pay (e.g. CO 24, capitation): "
                   "then it posts and its adjustments go where --action says.")
@click.option("--note", default=None, envvar="EDI_POSTING_POLICY_NOTE", show_envvar=True)
@click.pass_obj
def set_command(app: AppContext, group: str, reason: str, action: str | None,
                payer: str | None, never_auto_post: bool, zero_pay: str,
                note: str | None) -> None:
    """Add or change the rule for one group and CARC ('*' for the whole group)."""
    saved = app.call(edi_posting.set_policy, app.session(), group, reason, action, payer=payer,
                     never_auto_post=never_auto_post, note=note,
                     zero_pay_contractual=zero_pay == "contractual",
                     errors={edi_posting.PolicyError: ExitCode.USAGE})
    echo_err(f"policy {saved['group']}-{saved['reason']} for {payer or 'every payer'}: "
             f"{saved['action']}{' (never auto-post)' if never_auto_post else ''}"
             f"{' (contractual on zero pay)' if zero_pay == 'contractual' else ''}")


@command.command("remove", epilog="\b\nExample:\n  edi-posting policy remove OA 23")
@click.argument("group")
@click.argument("reason")
@_payer_option
@click.pass_obj
def remove_command(app: AppContext, group: str, reason: str, payer: str | None) -> None:
    """Remove a stored rule (the built-in default applies again)."""
    removed = app.call(edi_posting.remove_policy, app.session(), group, reason, payer=payer,
                       errors={edi_posting.PolicyError: ExitCode.USAGE})
    if not removed:
        raise CliError(f"no stored rule {group}-{reason} for {payer or 'every payer'}",
                       ExitCode.NO_INPUT)
