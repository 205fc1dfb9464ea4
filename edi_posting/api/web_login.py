"""The web workbench's logins: a person proves who they are with their own password, and
the server, which alone holds the database credentials, acts as that user.

Why here and not in the web package: the password check, its audit event and the user's
permissions are rules of the engine (``access``), and the web layer may only call public
names.  A failed login is audited as a refusal, as the CLI's identity refusals are
(``identity.claim``); a success, a logout and an idle logoff are audited too, so the trail
says when each person's web session began and ended.
"""

from __future__ import annotations

import enum

from sqlalchemy import Connection, select

from edi_posting.access import passwords
from edi_posting.access.permissions import MATRIX, Permission, PermissionDeniedError
from edi_posting.api.session import Session
from edi_posting.audit.events import record_event
from edi_posting.audit.writes import write_transaction
from edi_posting.db.base import table_of
from edi_posting.db.models import User
from edi_posting.db.parties import Role
from edi_posting.records.states import AuditOutcome

__all__ = ["LoginRefusedError", "WebLogout", "user_permissions", "web_login",
           "web_login_locked", "web_logout", "web_session"]

_USER = table_of(User)
LOGIN_ACTION = "web.login"
LOGOUT_ACTION = "web.logout"
_NAME_MAX = 128  # audit_events.actor


class LoginRefusedError(PermissionDeniedError):
    """The name and password do not belong to an active user (which one is not said)."""


class WebLogout(enum.StrEnum):
    """Why a web session ended: the person logged out, or was idle too long."""

    USER = "logout"
    IDLE = "idle"


def web_login(server: Session, name: str, password: str) -> Session:
    """A session acting as ``name`` once ``password`` is theirs (argon2id), the login
    audited; LoginRefusedError (audited as refused) otherwise.  ``server`` is the web
    application's own session: its engine is shared, its login is never the actor."""
    name = name.strip()
    with write_transaction(server.engine) as conn:
        ok = bool(name) and passwords.verify_password(conn, name, password)
        role = _role(conn, name) if ok else None
        ok = ok and role != Role.WEB  # the workbench's own login is not a person's
        record_event(conn, actor=(name or "-")[:_NAME_MAX], role=role, action=LOGIN_ACTION,
                     outcome=AuditOutcome.OK if ok else AuditOutcome.REFUSED,
                     object_type="login", object_id=name[:80] or None,
                     summary={"via": "web"} if ok else
                     {"via": "web", "reason": "unknown user or wrong password"})
    if not ok:
        raise LoginRefusedError("the name or the password is wrong")
    return web_session(server, name)


def web_login_locked(server: Session, name: str, reason: str, address: str | None) -> None:
    """Record a login attempt refused unheard, its password never checked: the name or the
    remote ``address`` failed too often lately (the web layer's throttle), so the trail
    shows a guessing attempt going on even while each try is refused at the door."""
    name = name.strip()
    with write_transaction(server.engine) as conn:
        record_event(conn, actor=(name or "-")[:_NAME_MAX], role=None, action=LOGIN_ACTION,
                     outcome=AuditOutcome.REFUSED, object_type="login",
                     object_id=name[:80] or None,
                     summary={"via": "web", "reason": reason,
                              "remote_address": address})


def web_session(server: Session, name: str) -> Session:
    """The session of a user the web application authenticated earlier (its own session
    cookie): every API call still checks that the user is active and holds the
    permission, so a user disabled since logging in is refused at once."""
    return Session(server.engine, claimed_actor=name, mask_phi=server.mask_phi, _actor=name)


def web_logout(session: Session, why: WebLogout = WebLogout.USER) -> None:
    """Record the end of a web session (``why``: WebLogout.USER or WebLogout.IDLE)."""
    session.audit(LOGOUT_ACTION, role=None, object_type="login", object_id=session.actor,
                  summary={"via": "web", "why": str(why)})


def user_permissions(session: Session) -> frozenset[str]:
    """What the session's user may do (the matrix's permission names), so that a screen
    shows only the buttons the API would accept; the API still checks every call."""
    with session.reading() as conn:
        role = _role(conn, session.actor)
        users = conn.execute(select(_USER.c.name).limit(1)).first()
    if users is None:  # access control is off until the first user exists
        return frozenset(str(p) for p in Permission)
    return frozenset(str(p) for p in MATRIX.get(role or "", frozenset()))


def _role(conn: Connection, name: str) -> str | None:
    row = conn.execute(select(_USER.c.role).where(_USER.c.name == name,
                                                  _USER.c.is_active.is_(True))).first()
    return None if row is None else str(row.role)
