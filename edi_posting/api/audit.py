"""The audit trail: verify that nobody rewrote history, read it, export its head.

All three need ``audit``.  Reading the log is itself recorded (``audit.log``), with account
numbers and PHI keys of summaries masked when the session masks PHI.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edi_posting.access.permissions import Permission
from edi_posting.api.session import Session
from edi_posting.archive.integrity import count_archived, verify_archive
from edi_posting.archive.user_input import UnreadableInputError
from edi_posting.audit import events
from edi_posting.audit.head import HeadFormatError, chain_head, parse_head
from edi_posting.audit.links_verify import LinkReport, verify_links
from edi_posting.db.file_privacy import sqlite_privacy_warnings
from edi_posting.logs import mask_audit_event

__all__ = ["AuditVerification", "BadTimeError", "HeadsDisagreeError", "audit_head", "audit_log", "file_privacy_warnings", "verify_audit"]


class HeadsDisagreeError(ValueError):
    """``expect_head`` and the head in ``expect_head_file`` are different hashes."""


class BadTimeError(ValueError):
    """A ``since``/``until`` that is not an ISO date or date and time."""


@dataclass(frozen=True, slots=True)
class AuditVerification:
    """What ``audit verify`` found; ``failure`` is the first reason the trail does not hold
    (None: intact)."""

    head_hash: str
    events: int
    failure: str | None
    archive_findings: list[str] | None = None  # None: the archive was not re-hashed
    archived_files: int = 0
    warnings: list[str] = field(default_factory=list)  # rows older than their cross-links


def file_privacy_warnings(session: Session) -> list[str]:
    """Why the SQLite file (or its companions) is open to group or others; empty when it is
    private or the database is not SQLite.  Needs no permission: it reads no rows."""
    return sqlite_privacy_warnings(str(session.engine.url))


def expected_head(expect_head: str | None, head_file: Path | None) -> str | None:
    """The head to verify against: ``expect_head`` (a bare hash or an export's text) or the
    one in ``head_file``; both must agree when both are given."""
    heads: list[str] = []
    try:
        if expect_head:
            heads.append(parse_head(expect_head))
        if head_file is not None:
            heads.append(parse_head(_read(head_file)))
    except HeadFormatError as exc:
        source = head_file if head_file is not None else "--expect-head"
        raise HeadFormatError(f"{source}: {exc}") from None
    if len(set(heads)) > 1:
        raise HeadsDisagreeError(f"--expect-head {heads[0]} and --expect-head-file {heads[1]} "
                                 "differ")
    return heads[0] if heads else None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableInputError(path, f"cannot be read ({exc.__class__.__name__})") from None


def verify_audit(session: Session, expect_head: str | None = None,
                 expect_head_file: Path | None = None, *,
                 check_archive: bool = False) -> AuditVerification:
    """Walk the hash chain (against a head recorded earlier, which catches a chain cut off
    at its end), compare review item events and row/event cross-links with the audit
    events that recorded them, and with ``check_archive`` re-hash every archived file.
    :class:`HeadFormatError`, :class:`HeadsDisagreeError` or
    :class:`~edi_posting.archive.user_input.UnreadableInputError` for a bad expected head."""
    session.authorize(Permission.AUDIT, "audit.verify")
    head = expected_head(expect_head, expect_head_file)
    with session.reading() as conn:
        chain = events.verify_chain(conn, head)
        failure = events.verify_item_events(conn) if chain.is_intact else None
        findings = [f.message for f in verify_archive(conn)] if check_archive else None
        archived = count_archived(conn) if check_archive else 0
        links = verify_links(conn) if chain.is_intact and failure is None else LinkReport()
    if not chain.is_intact:
        failure = f"audit chain broken at sequence {chain.broken_sequence}: {chain.reason}"
    elif findings and failure is None:
        failure = f"{len(findings)} archived file(s) missing or not as received"
    return AuditVerification(chain.head_hash, chain.events, failure or links.failure,
                             findings, archived, links.warnings)


def _when(value: str | dt.datetime | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadTimeError(f"not a date or time: {value!r} (use 2026-03-01 or "
                           "2026-03-01T12:00)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def audit_log(session: Session, *, actor: str | None = None, action: str | None = None,
              object_id: str | None = None, since: str | dt.datetime | None = None,
              until: str | dt.datetime | None = None) -> list[dict[str, Any]]:
    """Audit events, oldest first, filtered by actor, action ('*' a wildcard), object and
    time (naive times are UTC; :class:`BadTimeError` for text that is not ISO)."""
    principal = session.authorize(Permission.AUDIT, "audit.log")
    session.audit("audit.log", role=principal.role, summary={"actor": actor, "action": action})
    with session.reading() as conn:
        rows = events.audit_log(conn, actor=actor, action=action, object_id=object_id,
                                since=_when(since), until=_when(until))
    if session.mask_phi:  # account numbers (account reads) and PHI keys of summaries
        rows = [mask_audit_event(row) for row in rows]
    return rows


def audit_head(session: Session) -> dict[str, Any]:
    """The chain's head (sequence, hash, time of the last event) to keep where the
    application cannot write; ``verify_audit(expect_head=...)`` checks against it later."""
    session.authorize(Permission.AUDIT, "audit.head")
    with session.reading() as conn:
        return chain_head(conn).to_row()
