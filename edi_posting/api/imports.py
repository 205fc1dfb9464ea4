"""Import files (837s before 835s) and the demo day, authorised here rather than by the
caller: whoever calls the API, a file is posted only for a user with ``import``, and every
file's ``import.file`` event carries that user and role."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path

from edi_posting.access.permissions import Permission
from edi_posting.api.session import Session
from edi_posting.importing import demo
from edi_posting.importing.demo import DemoResult, demo_directory
from edi_posting.importing.pipeline import expand_paths, import_one
from edi_posting.importing.units import FileResult, ImportOptions, ImportResult

__all__ = ["import_demo", "import_files"]

Progress = Callable[[str], None]


def import_files(session: Session, paths: Iterable[Path | str], *, dry_run: bool = False,
                 archive_dir: Path | None = None, account_pattern: str | None = None,
                 validate: bool = False, progress: Progress | None = None) -> ImportResult:
    """Import files and directories (expanded, sorted, 837s first); re-importing posts
    nothing.  Every named file must be readable before anything is done
    (:class:`~edi_posting.archive.user_input.UnreadableInputError` otherwise); a file that
    fails is reported ``failed`` and stops none of the others.  ``progress`` gets one line
    per file and per transaction set; ``dry_run`` posts in a transaction rolled back."""
    files = expand_paths(Path(p) for p in paths)
    principal = session.authorize(Permission.IMPORT, "import")
    options = ImportOptions(session.actor, dry_run, archive_dir, account_pattern,
                            principal.role, progress=progress, validate=validate)
    results: list[FileResult] = []
    for path in files:
        if progress is not None:
            progress(f"importing {path} ...")
        results.append(import_one(session.engine, path, options))
    return ImportResult(results)


def import_demo(session: Session, *, progress: Progress | None = None) -> DemoResult:
    """Import the bundled demo day (3 claim files, 10 remittances; again, nothing new) and
    return what each file did and the open review items (masked as the session masks)."""
    principal = session.authorize(Permission.IMPORT, "demo")
    if progress is not None:
        progress(f"importing the demo day from {demo_directory()} ...")
    result = demo.run_demo(session.engine, ImportOptions(session.actor, role=principal.role))
    return dataclasses.replace(result, open_items=session.shown(result.open_items))
