"""Received files through the public API (the workbench's imports screen): a file's name,
sets and problems lead to remittances and claims, which name patients, so both reads ask
``read_phi``, as ``remit list`` does, and each is audited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edi_posting.access.permissions import Permission
from edi_posting.api.imports import import_files
from edi_posting.api.session import Session
from edi_posting.importing.units import ImportResult
from edi_posting.reports import received
from edi_posting.reports.received import FILE_KINDS, ReceivedQuery
from edi_posting.reports.received_detail import received_file_detail

__all__ = ["RECEIVED_FILE_KINDS", "ReceivedFilesPage", "ReceivedQuery", "list_received_files",
           "preview_import", "show_received_file"]

#: ``received_files.kind``: what a received file can be (the imports screen's filter)
RECEIVED_FILE_KINDS: tuple[str, ...] = FILE_KINDS


@dataclass(frozen=True, slots=True)
class ReceivedFilesPage:
    """One page of received files, newest first, and how many the filters select."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_received_files(session: Session, query: ReceivedQuery | None = None
                        ) -> ReceivedFilesPage:
    """Received files (835, 837, keyed EOBs, payment CSVs, bank deposits) with status,
    999/TA1, sets, totals, balancing and problem counts, filtered by kind, status and the
    days received.  ValueError for a page or page size out of range, or a kind or
    status that is none."""
    query = query or ReceivedQuery()
    principal = session.authorize(Permission.READ_PHI, "files.list")
    session.audit("files.list", role=principal.role,
                  summary={"page": query.page, "kind": query.kind, "status": query.status})
    with session.reading() as conn:
        rows, total = received.list_received_files(conn, query)
    return ReceivedFilesPage(session.shown(rows), total, query.page, query.per_page)


def show_received_file(session: Session, file_id: int) -> dict[str, Any]:
    """One received file: its sets, problems (segment position, element), 999/TA1, and the
    remittances, claims and review items it led to.  Raises :class:`NotFoundError`."""
    principal = session.authorize(Permission.READ_PHI, "files.show", str(file_id))
    session.audit("files.show", role=principal.role, object_type="file",
                  object_id=str(file_id))
    with session.reading() as conn:
        return session.shown(received_file_detail(conn, file_id))



def preview_import(session: Session, paths: Iterable[Path | str]) -> ImportResult:
    """:func:`~edi_posting.api.imports.import_files` as a dry run (nothing written), for a
    screen that shows what each file would post and queue before a person confirms.  The
    dry run writes no ``import.file`` event, yet its plan names claims: each file shown is
    audited as ``import.preview`` (object: its SHA-256)."""
    principal = session.authorize(Permission.IMPORT, "import.preview")
    result = import_files(session, paths, dry_run=True)
    for file in result.files:
        session.audit("import.preview", role=principal.role, object_type="file",
                      object_id=file.sha256, summary={"file": Path(file.path).name,
                                                      "kind": file.kind, "status": file.status})
    return result
