"""What the web workbench can be told when it starts, and the clock it reads.

The clock is a setting so that a test can move time (the idle logoff) without waiting.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edi_posting.web.logins import LoginThrottle

__all__ = ["DEFAULT_ADDRESS_ATTEMPTS", "DEFAULT_IDLE_MINUTES", "DEFAULT_LOCK_MINUTES",
           "DEFAULT_LOGIN_ATTEMPTS", "DEFAULT_UPLOAD_MAX_MB", "LOOPBACK_HOSTS", "WebSettings",
           "login_throttle"]

DEFAULT_IDLE_MINUTES = 15
DEFAULT_LOGIN_ATTEMPTS = 5  # failed logins of one name before it is locked
DEFAULT_ADDRESS_ATTEMPTS = 20  # failed logins from one remote address before it is locked
DEFAULT_LOCK_MINUTES = 15  # the window failures are counted in, and the lock's length
DEFAULT_UPLOAD_MAX_MB = 100
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True, slots=True)
class WebSettings:
    """``idle_minutes``: a login unused that long is logged off.  ``secure_cookies``: the
    session cookie goes over HTTPS only (off only on loopback, where there is no TLS).
    ``secret_key`` signs the session cookie; a fresh one per start (so a restart logs
    everyone off) unless given.  ``clock`` returns seconds.  ``login_attempts`` failed
    logins of one name (``address_attempts`` from one remote address) within
    ``login_lock_minutes`` lock it for ``login_lock_minutes``.  ``upload_dir``: where uploaded
    files are saved before their import (None: a temporary directory of this process);
    ``upload_max_mb``: the largest request (an upload of several files) accepted."""

    idle_minutes: int = DEFAULT_IDLE_MINUTES
    secure_cookies: bool = True
    secret_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    clock: Callable[[], float] = time.time
    per_page: int = 50
    keyed_dir: Path | None = None  # where keyed EOBs are saved (None: a per-process temp dir)
    login_attempts: int = DEFAULT_LOGIN_ATTEMPTS
    address_attempts: int = DEFAULT_ADDRESS_ATTEMPTS
    login_lock_minutes: int = DEFAULT_LOCK_MINUTES
    upload_dir: Path | None = None
    upload_max_mb: int = DEFAULT_UPLOAD_MAX_MB

    @staticmethod
    def for_host(host: str, **fields: Any) -> WebSettings:
        """Settings for serving on ``host`` (the other fields as given): secure cookies
        unless it is loopback."""
        return WebSettings(secure_cookies=host not in LOOPBACK_HOSTS, **fields)


def login_throttle(settings: WebSettings) -> LoginThrottle:
    """The failed-login counters the settings ask for, on the settings' clock."""
    return LoginThrottle(settings.clock, settings.login_attempts, settings.address_attempts,
                         settings.login_lock_minutes * 60)
