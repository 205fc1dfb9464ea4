"""The transaction-set level of idempotency, shared by 837 intake and 835 posting.

A set is known by its identity key (a UNIQUE column).  Seen before with the same content:
a no-op reported as ``already_imported``.  Seen before with other content: a
``duplicate_conflict`` review item and nothing posted, never a silent second post.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select

from edi_posting.db.base import table_of
from edi_posting.db.bulk import new_id
from edi_posting.db.models import TransactionSet
from edi_posting.queue.items import ReviewDraft, open_review_items
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef
from edi_posting.records.states import ReviewKind, SetKind

__all__ = ["SetContext", "SetOutcome", "record_set", "seen_before"]

_TS = table_of(TransactionSet)


@dataclass(frozen=True, slots=True)
class SetContext:
    file_id: int
    group_id: int | None
    isa13: str | None
    actor: str
    account_pattern: str | None = None
    dry_run: bool = False


@dataclass
class SetOutcome:
    status: str  # imported, already_imported, conflict, rejected, held
    claims: int = 0
    posted: int = 0
    queued: int = 0
    problems: list[Problem] = field(default_factory=list)
    payment_cents: int = 0  # 835: BPR02 of a set that was imported
    unapplied_cents: int = 0  # 835: what went to unapplied cash
    plan: list[dict[str, object]] = field(default_factory=list)  # --dry-run: per claim


def seen_before(
    conn: Connection, ctx: SetContext, key: str, content_sha256: str, claims: int,
    description: str, source: SourceRef | None, *, legacy_sha256: str | None = None,
    differences: Callable[[int], dict[str, Any]] | None = None,
) -> SetOutcome | None:
    """The outcome for a set whose key is already stored; None for a new set.

    Same content (``content_sha256``, or ``legacy_sha256`` for rows stored before it
    changed) is ``already_imported``.  Other content is one ``duplicate_conflict`` item
    per stored set and received content (resending the conflict opens no second item);
    ``differences(stored set id)`` goes into its evidence, field by field."""
    existing = conn.execute(select(_TS.c.id, _TS.c.content_sha256)
                            .where(_TS.c.identity_key == key)).first()
    if existing is None:
        return None
    digests = {content_sha256, legacy_sha256} - {None}
    if existing.content_sha256 in digests or _legacy_match(conn, key, digests):
        return SetOutcome("already_imported", claims=claims)
    message = f"{description} was imported before with different content"
    evidence: dict[str, Any] = {"transaction_set_id": existing.id,
                                "stored_content_sha256": existing.content_sha256,
                                "content_sha256": content_sha256}
    if differences is not None:
        evidence["differences"] = differences(existing.id)
    review = ReviewDraft(
        f"duplicate_conflict|ts:{existing.id}|sha:{content_sha256}", ReviewKind.DUPLICATE_CONFLICT,
        message, priority=2, problem_code=ProblemCode.DUPLICATE_CONFLICT, file_id=ctx.file_id,
        evidence=evidence,
    )
    queued = len(open_review_items(conn, [review], ctx.actor))
    problem = Problem(ProblemCode.DUPLICATE_CONFLICT, Severity.ERROR, message, source)
    return SetOutcome("conflict", claims=claims, queued=queued, problems=[problem])


def _legacy_match(conn: Connection, key: str, digests: set[str | None]) -> bool:
    """Whether a set a pre-0008 key had let in beside ``key`` (kept as
    ``<key>|legacy:<id>`` by that migration) has this content."""
    legacy = conn.execute(select(_TS.c.content_sha256).where(
        _TS.c.identity_key.startswith(f"{key}|legacy:", autoescape=True))).scalars()
    return any(sha in digests for sha in legacy)


def record_set(conn: Connection, ctx: SetContext, *, kind: SetKind, **values: object) -> int:
    """Insert the transaction-set row (the identity key's guard); its id."""
    row = {"file_id": ctx.file_id, "group_id": ctx.group_id, "imported_by": ctx.actor,
           "kind": kind, **values}
    return new_id(conn.execute(insert(_TS).values(**row)))
