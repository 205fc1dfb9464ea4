"""What the web workbench can be told when it starts, and the clock it reads.

The clock is a setting so that a test can move time (the idle logoff) without waiting.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_IDLE_MINUTES", "LOOPBACK_HOSTS", "WebSettings"]

DEFAULT_IDLE_MINUTES = 15
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True, slots=True)
class WebSettings:
    """``idle_minutes``: a login unused that long is logged off.  ``secure_cookies``: the
    session cookie goes over HTTPS only (off only on loopback, where there is no TLS).
    ``secret_key`` signs the session cookie; a fresh one per start (so a restart logs
    everyone off) unless given.  ``clock`` returns seconds."""

    idle_minutes: int = DEFAULT_IDLE_MINUTES
    secure_cookies: bool = True
    secret_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    clock: Callable[[], float] = time.time
    per_page: int = 50
    keyed_dir: Path | None = None  # where keyed EOBs are saved (None: a per-process temp dir)

    @staticmethod
    def for_host(host: str, idle_minutes: int = DEFAULT_IDLE_MINUTES) -> WebSettings:
        """Settings for serving on ``host``: secure cookies unless it is loopback."""
        return WebSettings(idle_minutes=idle_minutes,
                           secure_cookies=host not in LOOPBACK_HOSTS)
