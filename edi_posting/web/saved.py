"""Files the workbench saves between a preview and its post (uploads, keyed EOBs): where
they go, and their SHA-256, which the post checks so that only what was previewed posts."""

from __future__ import annotations

import functools
import hashlib
import tempfile
from pathlib import Path

from flask import current_app

__all__ = ["save_dir", "sha256_of"]

_CHUNK = 1024 * 1024


def save_dir(setting: str, prefix: str) -> Path:
    """The directory the server's setting ``setting`` names, else one temporary directory
    of this process per ``prefix`` (the archive keeps the bytes once they are imported)."""
    configured = getattr(current_app.extensions["edi_posting.settings"], setting)
    return Path(configured) if configured is not None else _process_dir(prefix)


@functools.cache
def _process_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in chunks; ``missing`` when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                digest.update(chunk)
    except OSError:
        return "missing"
    return digest.hexdigest()
