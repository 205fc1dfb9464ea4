"""What the web workbench can be told when it starts, and the clock it reads.

The clock is a setting so that a test can move time (the idle logoff) without waiting.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_IDLE_MINUTES", "DEFAULT_UPLOAD_MAX_MB", "LOOPBACK_HOSTS", "WebSettings"]

DEFAULT_IDLE_MINUTES = 15
DEFAULT_UPLOAD_MAX_MB = 100
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True, slots=True)
class WebSettings:
    """``idle_minutes``: a login unused that long is logged off.  ``secure_cookies``: the
    session cookie goes over HTTPS only (off only on loopback, where there is no TLS).
    ``secret_key`` signs the session cookie; a fresh one per start (so a restart logs
    everyone off) unless given.  ``clock`` returns seconds.  ``upload_dir``: where uploaded
    files are saved before their import (None: a temporary directory of this process);
    ``upload_max_mb``: the largest request (an upload of several files) accepted."""

    idle_minutes: int = DEFAULT_IDLE_MINUTES
    secure_cookies: bool = True
    secret_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    clock: Callable[[], float] = time.time
    per_page: int = 50
    upload_dir: Path | None = None
    upload_max_mb: int = DEFAULT_UPLOAD_MAX_MB

    @staticmethod
    def for_host(host: str, idle_minutes: int = DEFAULT_IDLE_MINUTES,
                 upload_dir: Path | None = None,
                 upload_max_mb: int = DEFAULT_UPLOAD_MAX_MB) -> WebSettings:
        """Settings for serving on ``host``: secure cookies unless it is loopback."""
        return WebSettings(idle_minutes=idle_minutes,
                           secure_cookies=host not in LOOPBACK_HOSTS,
                           upload_dir=upload_dir, upload_max_mb=upload_max_mb)
