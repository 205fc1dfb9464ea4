"""`edi-posting users`: add users, change roles, disable them, set passwords, list them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

import edi_posting
from edi_posting.cli.common import echo_err, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]

_ROLE = click.Choice(["poster", "specialist", "lead", "auditor", "admin"])


@click.group("users", epilog="\b\nExample:\n  edi-posting --actor alice users add bob --role poster")
def command() -> None:
    """Manage who may use the product (the first user is always an admin)."""


def _run(app: AppContext, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The API call, a user-management answer (duplicate, unknown user) as exit 65."""
    return app.call(function, app.session(), *args,
                    errors={edi_posting.UserError: ExitCode.DATA_ERROR}, **kwargs)


@command.command("add", epilog="""\b
Example:
  edi-posting users add alice --role admin --login alice_pg""")
@click.argument("name")
@click.option("--role", type=_ROLE, required=True, envvar="EDI_POSTING_ROLE", show_envvar=True)
@click.option("--login", default=None, envvar="EDI_POSTING_USER_LOGIN", show_envvar=True,
              help="The login that acts as this user: their PostgreSQL role, or on SQLite "
              "their OS user name (default: NAME).")
@click.pass_obj
def add_command(app: AppContext, name: str, role: str, login: str | None) -> None:
    """Add a user with a role (poster, specialist, lead, auditor, admin), acting through
    their own login."""
    added = _run(app, edi_posting.add_user, name, role, login=login)
    echo_err(f"user {name} added as {added.role}, acting through the login {added.login}")
    mine = added.unmapped_login  # after the first user, a login mapped to no user is refused
    if mine is not None:
        echo_err(f"note: your login {mine!r} maps to no user now, so your next commands are "
                 f"refused; map it: edi-posting users add NAME --role ROLE --login {mine}")


@command.command("role", epilog="\b\nExample:\n  edi-posting users role bob specialist")
@click.argument("name")
@click.argument("role", type=_ROLE)
@click.pass_obj
def role_command(app: AppContext, name: str, role: str) -> None:
    """Change a user's role."""
    _run(app, edi_posting.set_role, name, role)
    echo_err(f"user {name} is now {role}")


@command.command("disable", epilog="\b\nExample:\n  edi-posting users disable bob")
@click.argument("name")
@click.pass_obj
def disable_command(app: AppContext, name: str) -> None:
    """Disable a user (kept for the audit trail, never deleted)."""
    _run(app, edi_posting.disable_user, name)
    echo_err(f"user {name} disabled")


@command.command("login", epilog="\b\nExample:\n  edi-posting users login bob bob_pg")
@click.argument("name")
@click.argument("login")
@click.pass_obj
def login_command(app: AppContext, name: str, login: str) -> None:
    """Map a user to another login (their PostgreSQL role, or OS user on SQLite)."""
    _run(app, edi_posting.set_login, name, login)
    echo_err(f"user {name} now acts through the login {login}")


@command.command("set-password", epilog="""\b
Example:
  edi-posting users set-password alice        # asks twice, shows nothing
  read -rs PW && printf '%s\\n' "$PW" | edi-posting users set-password alice""")
@click.argument("name")
@click.pass_obj
def set_password_command(app: AppContext, name: str) -> None:
    """Set the password NAME logs in to the web application with (argon2id).  Your own, or
    anyone's as an admin.  Asks twice without echo on a terminal; otherwise reads one line
    from standard input.  Never on the command line."""
    _run(app, edi_posting.set_password, name, _read_password)  # asked once allowed
    echo_err(f"password of {name} set")


def _read_password() -> str:
    import sys

    if sys.stdin.isatty():
        return str(click.prompt("New password", hide_input=True, confirmation_prompt=True,
                                err=True))
    return sys.stdin.readline().rstrip("\r\n")


@command.command("list", epilog="\b\nExample:\n  edi-posting users list --format json")
@format_option()
@click.pass_obj
def list_command(app: AppContext, output_format: str) -> None:
    """List users with their roles."""
    render_rows(_run(app, edi_posting.list_users), ["name", "login", "role", "active", "password",
                                       "created_by"], output_format)
