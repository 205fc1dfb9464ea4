"""Whose name goes on a command's work: the user the authenticated login maps to.

``--actor``/``EDI_POSTING_ACTOR`` is a claim anyone can type, so it is never taken on
trust once users exist: the actor is the user whose ``login`` is the login the database
(PostgreSQL ``session_user``) or the operating system (SQLite) authenticated
(:mod:`edi_posting.audit.login`).  A claim naming anyone else is refused, and so is a login no
user is mapped to.  While no users exist access control is off (a fresh single-user
database), and the claim, or else the login, is the actor.

The Python API below this layer still takes an ``actor`` and trusts its caller: the CLI
and the web application are the callers that authenticate, through this module.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, inspect, select

from edi_posting.access.permissions import PermissionDeniedError
from edi_posting.audit.events import record_event
from edi_posting.audit.login import current_login
from edi_posting.db.base import table_of
from edi_posting.db.models import User
from edi_posting.records.states import AuditOutcome

__all__ = ["IdentityRefusedError", "record_refusal", "resolve_actor"]

_USER = table_of(User)
IDENTITY_ACTION = "identity.claim"


class IdentityRefusedError(PermissionDeniedError):
    """Exit 77: the login maps to no user, or the claim names someone else.  ``event`` is
    the audit event to record (:func:`record_refusal`) in a transaction of its own."""

    def __init__(self, message: str, event: dict[str, Any]) -> None:
        super().__init__(message)
        self.event = event


def resolve_actor(conn: Connection, claimed: str | None) -> str:
    """The actor's user name, or IdentityRefusedError (nothing written: see its ``event``)."""
    if not _users_exist(conn):
        return claimed or current_login(conn)
    login = current_login(conn)
    user = _user_of(conn, login)
    if user is None:
        raise IdentityRefusedError(
            f"permission denied: your login {login!r} is not mapped to any user; an admin "
            f"maps it with `edi-posting users add NAME --role ROLE --login {login}`",
            _event(login, login, None, "unmapped login", claimed))
    if claimed is not None and claimed != user.name:
        raise IdentityRefusedError(
            f"permission denied: you are logged in as {login!r} (user {user.name!r}), but "
            f"--actor/EDI_POSTING_ACTOR claims {claimed!r}; you can only act as yourself",
            _event(login, user.name, user.role, f"claimed {claimed!r}", claimed))
    return str(user.name)


def record_refusal(conn: Connection, refusal: IdentityRefusedError) -> None:
    """Put the refusal on the audit trail (the caller commits)."""
    record_event(conn, action=IDENTITY_ACTION, outcome=AuditOutcome.REFUSED, **refusal.event)


def _event(login: str, actor: str, role: str | None, reason: str,
           claimed: str | None = None) -> dict[str, Any]:
    return {"actor": actor, "role": role, "object_type": "login", "object_id": login,
            "summary": {"login": login, "claimed": claimed, "reason": reason}}


def _users_exist(conn: Connection) -> bool:
    if not inspect(conn).has_table("users"):  # an empty database before its first upgrade
        return False
    return bool(conn.execute(select(func.count()).select_from(_USER)).scalar_one() > 0)


def _user_of(conn: Connection, login: str) -> Any:
    """The user mapped to ``login``; by name on a database not yet upgraded to 0012
    (which maps every existing user's login to its name)."""
    columns = {c["name"] for c in inspect(conn).get_columns("users")}
    key = _USER.c.login if "login" in columns else _USER.c.name
    return conn.execute(select(_USER.c.name, _USER.c.role).where(key == login)).first()
