"""Passwords for the web application's logins, so that people never hold database
credentials: argon2id (memory-hard, argon2-cffi's current parameters), stored in
``users.password_hash`` and written only through :func:`edi_posting.access.permissions.change_user`
(on PostgreSQL the audited function).  The password itself is never logged, echoed or put
in an audit event; the event only says it was set.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, select

from edi_posting.access.permissions import PermissionDeniedError, UserError, change_user
from edi_posting.db.base import table_of
from edi_posting.db.models import User

__all__ = ["set_password", "verify_password"]

_USER = table_of(User)
_HASHER = PasswordHasher()  # argon2id with the library's current (RFC 9106) parameters


def set_password(conn: Connection, name: str, password: str, *, actor: str) -> None:
    """Set ``name``'s password: the user themself, or an actor holding ``manage_users``."""
    if not password:
        raise UserError("the password is empty: nothing set")
    change_user(conn, name, "password_hash", _HASHER.hash(password), actor=actor)


def verify_password(conn: Connection, name: str, password: str) -> bool:
    """Whether ``password`` is the active user ``name``'s.  A hash made with outdated
    parameters is replaced by a current one on success (in the caller's transaction),
    when the caller's login may write it; otherwise it stays, and still verifies."""
    row = conn.execute(select(_USER.c.password_hash)
                       .where(_USER.c.name == name, _USER.c.is_active.is_(True))).first()
    if row is None or row.password_hash is None:
        return False
    try:
        _HASHER.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _HASHER.check_needs_rehash(row.password_hash):
        _rehash(conn, name, password)
    return True


def _rehash(conn: Connection, name: str, password: str) -> None:
    try:
        with conn.begin_nested():
            change_user(conn, name, "password_hash", _HASHER.hash(password), actor=name)
    except PermissionDeniedError:
        pass  # e.g. a web service login that may not write users: the old hash still works
