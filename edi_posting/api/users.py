"""Users: add them, change their role or login, disable them, set passwords, list them.

Changes need ``manage_users`` (a password, only for someone else's); each commits with the
audit event the stage records.  Until the first user exists access control is off, and the
first user is always an admin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from edi_posting.access import passwords, permissions
from edi_posting.access.permissions import Permission
from edi_posting.api.session import Session
from edi_posting.audit.login import current_login

__all__ = ["AddedUser", "add_user", "disable_user", "list_users", "set_login", "set_password", "set_role"]


@dataclass(frozen=True, slots=True)
class AddedUser:
    """A new user; ``unmapped_login`` is the caller's own login when it maps to no user
    now (after the first user, such a login is refused: the caller should map it)."""

    name: str
    role: str
    login: str
    unmapped_login: str | None = None


def add_user(session: Session, name: str, role: str, *, login: str | None = None) -> AddedUser:
    """Add a user with a role (poster, specialist, lead, auditor, admin) acting through
    ``login`` (PostgreSQL role, or OS user on SQLite; default: the name).  The first user is
    made an admin whatever ``role`` says.  :class:`UserError` for a duplicate or bad role."""
    session.authorize(Permission.MANAGE_USERS, "users.add", name)
    with session.writing() as conn:
        granted = permissions.add_user(conn, name, role, actor=session.actor, login=login)
    with session.reading() as conn:
        mine = current_login(conn)
        users = permissions.list_users(conn)
    unmapped = mine if len(users) == 1 and mine != (login or name) else None
    return AddedUser(name, granted, login or name, unmapped)


def set_role(session: Session, name: str, role: str) -> None:
    """Change a user's role (:class:`UserError` for an unknown user or role)."""
    session.authorize(Permission.MANAGE_USERS, "users.role", name)
    with session.writing() as conn:
        permissions.set_role(conn, name, role, actor=session.actor)


def disable_user(session: Session, name: str) -> None:
    """Disable a user: kept for the audit trail, never deleted."""
    session.authorize(Permission.MANAGE_USERS, "users.disable", name)
    with session.writing() as conn:
        permissions.disable_user(conn, name, actor=session.actor)


def set_login(session: Session, name: str, login: str) -> None:
    """Map a user to another login (their PostgreSQL role, or OS user on SQLite)."""
    session.authorize(Permission.MANAGE_USERS, "users.login", name)
    with session.writing() as conn:
        permissions.set_login(conn, name, login, actor=session.actor)


def set_password(session: Session, name: str, password: str | Callable[[], str]) -> None:
    """Set the password ``name`` logs in to the web application with (argon2id): one's own,
    or anyone's with ``manage_users``.  A callable is asked for the password only once the
    change is allowed, so a refused user is never prompted."""
    if session.actor != name:
        session.authorize(Permission.MANAGE_USERS, "users.password", name)
    secret = password() if callable(password) else password
    with session.writing() as conn:
        passwords.set_password(conn, name, secret, actor=session.actor)


def list_users(session: Session) -> list[dict[str, object]]:
    """Users with their login, role, whether active, whether a password is set, and who
    created them."""
    session.authorize(Permission.READ_LEDGER, "users.list")
    with session.reading() as conn:
        return permissions.list_users(conn)
