"""Who is logged in to the web workbench, kept on the server, and the one-time tokens of
the actions they previewed.

Why on the server and not in the cookie: a logout or an idle logoff must end the login
for good (a copy of an old cookie must not bring it back), and an action's token must be
spent exactly once, so that a double click or a refresh never posts twice.  The cookie
carries only a random login id.  The action itself is kept here too, as the preview showed
it: the post carries only the token, so what posts is exactly what was previewed.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LoginRegistry", "PendingAction", "WebLogin"]


@dataclass(frozen=True, slots=True)
class PendingAction:
    """An action a person previewed: the item, the verb and its fields."""

    item_id: int
    verb: str
    fields: tuple[tuple[str, Any], ...]


@dataclass(slots=True)
class WebLogin:
    sid: str
    user: str
    permissions: frozenset[str]
    last_seen: float  # not money: a clock reading
    pending: dict[str, object] = field(default_factory=dict)  # token -> action previewed
    done: dict[str, str] = field(default_factory=dict)  # token -> what its post did

    def may(self, permission: str) -> bool:
        return permission in self.permissions


class LoginRegistry:
    """Logins by id, with idle expiry, and their action tokens (thread safe: waitress
    serves requests on several threads)."""

    def __init__(self, clock: Callable[[], float], idle_seconds: float) -> None:  # not money
        self._clock = clock
        self._idle = idle_seconds
        self._lock = threading.Lock()
        self._logins: dict[str, WebLogin] = {}

    def add(self, user: str, permissions: frozenset[str]) -> WebLogin:
        login = WebLogin(secrets.token_urlsafe(32), user, permissions, self._clock())
        with self._lock:
            self._logins[login.sid] = login
        return login

    def find(self, sid: str | None) -> tuple[WebLogin | None, WebLogin | None]:
        """(the live login, touched now) or (None, the login that just idled out)."""
        now = self._clock()
        with self._lock:
            login = self._logins.get(sid or "")
            if login is None:
                return None, None
            if now - login.last_seen > self._idle:
                del self._logins[login.sid]
                return None, login
            login.last_seen = now
            return login, None

    def remove(self, sid: str) -> WebLogin | None:
        with self._lock:
            return self._logins.pop(sid, None)

    def issue(self, login: WebLogin, action: object) -> str:
        """A one-time token for ``action`` (any frozen record of what was previewed: a
        queue action, an upload, a keyed EOB, a reconcile run, an approval)."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            login.pending[token] = action
        return token

    def spend(self, login: WebLogin, token: str) -> object | None:
        """The token's action, once: a second call (a double click) gets None.  The caller
        checks the action is of the kind its route posts (``isinstance``)."""
        with self._lock:
            return login.pending.pop(token, None)

    def record(self, login: WebLogin, token: str, message: str) -> None:
        with self._lock:
            login.done[token] = message

    def outcome(self, login: WebLogin, token: str) -> str | None:
        with self._lock:
            return login.done.get(token)
