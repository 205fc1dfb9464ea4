"""Who may do what: users, roles and the one permission matrix.

The matrix below is the only place permissions are decided.  The auditor reads
everything and changes nothing.  Until the first user exists, access control is off (a
fresh single-user database works out of the box); the first user created is always an
admin, and from then on every command's actor must be a known, enabled user holding the
permission, or the command is refused, and the refusal itself is audited.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from edi_posting.audit.events import record_event
from edi_posting.db.base import table_of
from edi_posting.db.models import User
from edi_posting.db.parties import ROLES, Role
from edi_posting.records.states import AuditOutcome

__all__ = ["MATRIX", "Permission", "PermissionDeniedError", "Principal", "UserError", "add_user", "authorize", "change_user", "disable_user", "list_users", "set_login", "set_role", "user_refusal"]

_USER = table_of(User)


class Permission(enum.StrEnum):
    IMPORT = "import"  # receive and post files
    RESOLVE = "resolve"  # work review items (money-moving actions included)
    # decide another user's pending write-off or refund above its limit (never one's own);
    # replaces write_off_above_limit, which let one person write off any amount alone
    APPROVE = "approve"
    MANAGE_USERS = "manage_users"
    READ_PHI = "read_phi"  # claim, account, history, queue details
    READ_LEDGER = "read_ledger"  # ledger check/digest, totals without PHI
    EXPORT = "export"  # reports and packets that leave the system
    AUDIT = "audit"  # audit log and verify
    ADMINISTER = "administer"  # schema upgrades and settings


MATRIX: dict[str, frozenset[Permission]] = {  # Role -> what it grants
    Role.POSTER: frozenset({Permission.IMPORT, Permission.READ_PHI, Permission.READ_LEDGER}),
    Role.SPECIALIST: frozenset({Permission.RESOLVE, Permission.READ_PHI, Permission.READ_LEDGER,
                             Permission.EXPORT}),
    # a specialist who may also decide others' write-offs and refunds above their limits
    Role.LEAD: frozenset({Permission.RESOLVE, Permission.APPROVE, Permission.READ_PHI,
                       Permission.READ_LEDGER, Permission.EXPORT}),
    Role.AUDITOR: frozenset({Permission.READ_PHI, Permission.READ_LEDGER, Permission.EXPORT,
                          Permission.AUDIT}),
    Role.ADMIN: frozenset(Permission),
    Role.WEB: frozenset(),  # the workbench acts only as the people who log in to it
}


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    role: str | None  # None while access control is off (no users yet)


class PermissionDeniedError(PermissionError):
    """Exit 77: unknown or disabled actor, or a role without the permission."""


class UserError(ValueError):
    """A user-management request that cannot be done (duplicate, unknown user, bad role)."""


def authorize(conn: Connection, actor: str, permission: Permission, *,
              action: str, object_id: str | None = None) -> Principal:
    """The actor's principal, or PermissionDeniedError after auditing the refusal.

    The caller must commit even when this raises, so the refusal stays on record.
    """
    if conn.execute(select(func.count()).select_from(_USER)).scalar_one() == 0:
        return Principal(actor, None)
    row = conn.execute(select(_USER.c.role, _USER.c.is_active).where(_USER.c.name == actor)).first()
    reason = None
    if row is None:
        reason = f"unknown user {actor!r}: ask an admin to run `edi-posting users add`"
    elif not row.is_active:
        reason = f"user {actor!r} is disabled"
    elif permission not in MATRIX[row.role]:
        reason = f"role {row.role!r} lacks the permission {permission.value!r}"
    if reason is not None:
        record_event(conn, actor=actor, role=row.role if row else None, action=action,
                     object_id=object_id, outcome=AuditOutcome.REFUSED,
                     summary={"missing_permission": permission.value, "reason": reason})
        raise PermissionDeniedError(f"permission denied ({permission.value}): {reason}")
    return Principal(actor, row.role)  # type: ignore[union-attr]


def user_refusal(conn: Connection, name: str, what: str) -> str | None:
    """Why ``name`` cannot be handed work (``what``: "escalate to", "assign to"), or None
    when it can: an active user, or anyone while access control is off (no users yet)."""
    if conn.execute(select(func.count()).select_from(_USER)).scalar_one() == 0:
        return None
    row = conn.execute(select(_USER.c.is_active).where(_USER.c.name == name)).first()
    if row is None:
        return f"no active user {name!r} to {what}"
    if not row.is_active:
        return f"user {name!r} is disabled: {what} an active user"
    return None


def add_user(conn: Connection, name: str, role: str, *, actor: str,
             login: str | None = None) -> str:
    """Create a user acting for ``login`` (default: the name); the first user of a
    database is always an admin.  The role given.  PostgreSQL: through the audited
    SECURITY DEFINER function, the only way the application role can write ``users``."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    login = login or name
    first = conn.execute(select(func.count()).select_from(_USER)).scalar_one() == 0
    if not first:
        authorize(conn, actor, Permission.MANAGE_USERS, action="users.add", object_id=name)
    if conn.execute(select(_USER.c.id).where(_USER.c.name == name)).first() is not None:
        raise UserError(f"user {name!r} exists already")
    holder = conn.execute(select(_USER.c.name).where(_USER.c.login == login)).scalar()
    if holder is not None:
        raise UserError(f"login {login!r} already acts as user {holder!r}")
    if conn.dialect.name == "postgresql":
        return str(_definer(conn, "SELECT edi_posting_user_add(:n, :l, :r, :a)",
                            {"n": name, "l": login, "r": role, "a": actor}))
    role = Role.ADMIN if first else role
    conn.execute(insert(_USER).values(name=name, login=login, role=role, is_active=True,
                                      created_by=actor))
    record_event(conn, actor=actor, role=Role.ADMIN if first else None, action="users.add",
                 object_type="user", object_id=name, outcome=AuditOutcome.OK,
                 summary={"role": role, "first_user": first, "login": login})
    return role


_ACTIONS = {"role": "users.role", "is_active": "users.disable", "login": "users.login",
            "password_hash": "users.password"}


def change_user(conn: Connection, name: str, field: str, value: str | bool, *, actor: str) -> None:
    """Set one field of a user (``role``, ``is_active``, ``login``, ``password_hash``) with
    its audit event.  Needs ``manage_users``, except a user setting their own password."""
    action = _ACTIONS[field]
    # one's own password needs only to be a known, enabled user (every role reads the ledger)
    own = field == "password_hash" and actor == name
    principal = authorize(conn, actor, Permission.READ_LEDGER if own else Permission.MANAGE_USERS,
                          action=action, object_id=name)
    before = conn.execute(select(_USER.c.role, _USER.c.is_active).where(_USER.c.name == name)).first()
    if before is None:
        raise UserError(f"no user {name!r}")
    if conn.dialect.name == "postgresql":
        _definer(conn, "SELECT edi_posting_user_change(:n, :f, :v, :a)",
                 {"n": name, "f": field, "v": str(value).lower() if isinstance(value, bool)
                  else value, "a": actor})
        return
    conn.execute(update(_USER).where(_USER.c.name == name).values({field: value}))
    shown = {"password": "set"} if field == "password_hash" else {field: value}
    record_event(conn, actor=actor, role=principal.role, action=action, object_type="user",
                 object_id=name, outcome=AuditOutcome.OK,
                 summary={"before": {"role": before.role, "is_active": before.is_active},
                          "after": shown})


def _definer(conn: Connection, sql: str, params: dict[str, object]) -> object:
    """Call a user-management function of migration 0012; its refusal is exit 77."""
    try:
        return conn.execute(text(sql), params).scalar()
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "42501":  # insufficient_privilege
            raise
        message = str(exc.orig).strip().splitlines()[0]
        raise PermissionDeniedError(message) from None


def set_role(conn: Connection, name: str, role: str, *, actor: str) -> None:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    change_user(conn, name, "role", role, actor=actor)


def disable_user(conn: Connection, name: str, *, actor: str) -> None:
    change_user(conn, name, "is_active", False, actor=actor)


def set_login(conn: Connection, name: str, login: str, *, actor: str) -> None:
    """Map the user to another authenticated login (a renamed PostgreSQL role)."""
    holder = conn.execute(select(_USER.c.name).where(_USER.c.login == login)).scalar()
    if holder is not None and holder != name:
        raise UserError(f"login {login!r} already acts as user {holder!r}")
    change_user(conn, name, "login", login, actor=actor)


def list_users(conn: Connection) -> list[dict[str, object]]:
    rows = conn.execute(select(_USER.c.name, _USER.c.login, _USER.c.role, _USER.c.is_active,
                               _USER.c.password_hash.is_not(None).label("has_password"),
                               _USER.c.created_by).order_by(_USER.c.name))
    return [{"name": r.name, "login": r.login, "role": r.role, "active": r.is_active,
             "password": bool(r.has_password), "created_by": r.created_by} for r in rows]
