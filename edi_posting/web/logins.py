"""Who is logged in to the web workbench, kept on the server, and the one-time tokens of
the actions they previewed.

Why on the server and not in the cookie: a logout or an idle logoff must end the login
for good (a copy of an old cookie must not bring it back), and an action's token must be
spent exactly once, so that a double click or a refresh never posts twice.  The cookie
carries only a random login id.  The action itself is kept here too, as the preview showed
it: the post carries only the token, so what posts is exactly what was previewed.

Failed logins are counted here too (:class:`LoginThrottle`): per name and per remote
address, in server memory like the logins, so that guessing a password costs a lockout
after a few tries.  A restart forgets them, as it forgets the logins.
"""

from __future__ import annotations

import enum
import secrets
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = ["LockedBy", "LoginLock", "LoginRegistry", "LoginThrottle", "PendingAction",
           "WebLogin"]

A = TypeVar("A")  # the kind of action a route posts

_SWEEP_AT = 10_000  # counters kept before the stale ones are swept (a spray of names)


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

    def __init__(self, clock: Callable[[], float], idle_seconds: float,  # not money
                 throttle: LoginThrottle | None = None) -> None:
        self._clock = clock
        self._idle = idle_seconds
        self.throttle = throttle or LoginThrottle(clock)
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

    def spend(self, login: WebLogin, token: str, kind: type[A]) -> A | None:
        """The token's action, once, when it is of ``kind`` (what the route posts): a second
        call (a double click) gets None, and a token of another screen's action is left
        as it was, unspent."""
        with self._lock:
            action = login.pending.get(token)
            if not isinstance(action, kind):
                return None
            del login.pending[token]
            return action

    def repeated(self, login: WebLogin, token: str, what: str) -> str:
        """What posting a spent (or unknown) token says: the first post's result, or that
        ``what`` was submitted before and nothing was posted again."""
        earlier = self.outcome(login, token)
        return (f"Already posted: {earlier}" if earlier else
                f"{what} was already submitted (or its preview expired): nothing was "
                "posted again.")

    def record(self, login: WebLogin, token: str, message: str) -> None:
        with self._lock:
            login.done[token] = message

    def outcome(self, login: WebLogin, token: str) -> str | None:
        with self._lock:
            return login.done.get(token)


class LockedBy(enum.StrEnum):
    """What failed too often: the name tried, or the remote address trying."""

    NAME = "name"
    ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class LoginLock:
    by: LockedBy
    seconds_left: float  # not money: a clock reading

    @property
    def minutes_left(self) -> int:
        return max(1, -(-int(self.seconds_left) // 60))


class LoginThrottle:
    """Failed logins per name and per remote address within ``lock_seconds``: the
    ``attempts``-th failure of a name (``address_attempts``-th of an address) locks it for
    ``lock_seconds``, during which every attempt is refused unheard, a right password too
    (else the lock would tell a guesser when they guessed right).  A success clears the
    name's failures, not the address's: one person's login does not unlock a guesser
    trying many names from the same place.  Thread safe."""

    def __init__(self, clock: Callable[[], float], attempts: int = 5,  # not money
                 address_attempts: int = 20,
                 lock_seconds: float = 15 * 60) -> None:  # not money: seconds
        self._clock = clock
        self._limits = {LockedBy.NAME: attempts, LockedBy.ADDRESS: address_attempts}
        self._window = lock_seconds
        self._lock = threading.Lock()
        self._failures: dict[tuple[LockedBy, str], deque[float]] = {}  # not money: clock readings
        self._locked_until: dict[tuple[LockedBy, str], float] = {}  # not money: clock readings

    def locked(self, name: str, address: str) -> LoginLock | None:
        """The lock refusing an attempt of ``name`` from ``address`` now, if any."""
        now = self._clock()
        with self._lock:
            for key in _keys(name, address):
                until = self._locked_until.get(key)
                if until is not None and until > now:
                    return LoginLock(key[0], until - now)
                self._locked_until.pop(key, None)
        return None

    def failed(self, name: str, address: str) -> None:
        """Count a failed login of ``name`` from ``address``; lock what reached its limit."""
        now = self._clock()
        with self._lock:
            if len(self._failures) > _SWEEP_AT:
                self._sweep(now)
            for key in _keys(name, address):
                times = self._failures.setdefault(key, deque())
                times.append(now)
                while times and times[0] <= now - self._window:
                    times.popleft()
                if len(times) >= self._limits[key[0]]:
                    self._locked_until[key] = now + self._window
                    del self._failures[key]

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop((LockedBy.NAME, _name_key(name)), None)

    def _sweep(self, now: float) -> None:  # not money: a clock reading
        for key in [k for k, t in self._failures.items() if t[-1] <= now - self._window]:
            del self._failures[key]
        for key in [k for k, until in self._locked_until.items() if until <= now]:
            del self._locked_until[key]


def _name_key(name: str) -> str:
    """Names as the login compares them, and case-blind: ``SAM`` counts against ``sam``."""
    return name.strip().casefold()


def _keys(name: str, address: str) -> tuple[tuple[LockedBy, str], ...]:
    return ((LockedBy.NAME, _name_key(name)), (LockedBy.ADDRESS, address))
