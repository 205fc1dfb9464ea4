"""`edi-posting users`: add users, change roles, disable them, set passwords, list them."""

from __future__ import annotations

import click

from edi_posting.cli.common import CliError, echo_err, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]

_ROLE = click.Choice(["poster", "specialist", "lead", "auditor", "admin"])


@click.group("users", epilog="\b\nExample:\n  edi-posting --actor alice users add bob --role poster")
def command() -> None:
    """Manage who may use the product (the first user is always an admin)."""


def _run(app: AppContext, work: object) -> None:
    from edi_posting.access.permissions import PermissionDeniedError, UserError
    from edi_posting.audit.writes import write_transaction

    engine = app.engine()
    try:
        with write_transaction(engine) as conn:
            work(conn)  # type: ignore[operator]
    except UserError as exc:
        raise CliError(str(exc), ExitCode.DATA_ERROR) from None
    except PermissionDeniedError as exc:  # only in a race: authorize() ran just before
        raise CliError(str(exc), ExitCode.NO_PERMISSION) from None


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
    from edi_posting.access.permissions import Permission, add_user

    app.authorize(Permission.MANAGE_USERS, "users.add", name)
    granted: list[str] = []
    _run(app, lambda conn: granted.append(add_user(conn, name, role, actor=app.actor,
                                                   login=login)))
    echo_err(f"user {name} added as {granted[0]}, acting through the login {login or name}")
    _warn_unmapped(app, login or name)


def _warn_unmapped(app: AppContext, login: str) -> None:
    """After the first user, a login mapped to no user is refused: say so at once."""
    from edi_posting.access.permissions import list_users
    from edi_posting.audit.login import current_login

    with app.engine().connect() as conn:
        mine = current_login(conn)
        users = list_users(conn)
    if len(users) == 1 and mine != login:
        echo_err(f"note: your login {mine!r} maps to no user now, so your next commands are "
                 f"refused; map it: edi-posting users add NAME --role ROLE --login {mine}")


@command.command("role", epilog="\b\nExample:\n  edi-posting users role bob specialist")
@click.argument("name")
@click.argument("role", type=_ROLE)
@click.pass_obj
def role_command(app: AppContext, name: str, role: str) -> None:
    """Change a user's role."""
    from edi_posting.access.permissions import Permission, set_role

    app.authorize(Permission.MANAGE_USERS, "users.role", name)
    _run(app, lambda conn: set_role(conn, name, role, actor=app.actor))
    echo_err(f"user {name} is now {role}")


@command.command("disable", epilog="\b\nExample:\n  edi-posting users disable bob")
@click.argument("name")
@click.pass_obj
def disable_command(app: AppContext, name: str) -> None:
    """Disable a user (kept for the audit trail, never deleted)."""
    from edi_posting.access.permissions import Permission, disable_user

    app.authorize(Permission.MANAGE_USERS, "users.disable", name)
    _run(app, lambda conn: disable_user(conn, name, actor=app.actor))
    echo_err(f"user {name} disabled")


@command.command("login", epilog="\b\nExample:\n  edi-posting users login bob bob_pg")
@click.argument("name")
@click.argument("login")
@click.pass_obj
def login_command(app: AppContext, name: str, login: str) -> None:
    """Map a user to another login (their PostgreSQL role, or OS user on SQLite)."""
    from edi_posting.access.permissions import Permission, set_login

    app.authorize(Permission.MANAGE_USERS, "users.login", name)
    _run(app, lambda conn: set_login(conn, name, login, actor=app.actor))
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
    from edi_posting.access.passwords import set_password
    from edi_posting.access.permissions import Permission

    if app.actor != name:
        app.authorize(Permission.MANAGE_USERS, "users.password", name)
    password = _read_password()
    _run(app, lambda conn: set_password(conn, name, password, actor=app.actor))
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
    from edi_posting.access.permissions import Permission, list_users

    app.authorize(Permission.READ_LEDGER, "users.list")
    with app.engine().connect() as conn:
        render_rows(list_users(conn), ["name", "login", "role", "active", "password",
                                       "created_by"], output_format)
