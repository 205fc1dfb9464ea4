"""``queue accept-set``: an administrator posts an 835 set that validation rejected.

``import --validate`` rejects a whole set when pyx12's implementation-guide validation
says so (999 IK5 R), even when this engine could post it exactly (a date the guide
refuses, a code outside its list).  After review, an administrator may decide the money
is real and post the set anyway.  The set is read again from the archived bytes, never
from a file a user names now (:func:`edi_posting.archive.integrity.read_archived` refuses
bytes that no longer hash to what was received), and posted by the same
``posting.remittances.post_remittance`` an import uses, inside the caller's transaction:
its entries, items and identity are an import's.  The ``rejected_file`` item closes naming
what was wrong and why it was accepted.  Accepting again posts nothing: the item is closed,
and a set posted since (a corrected file) is ``already_imported``.

Only sets rejected by validation qualify: a set with a FATAL problem of the parser's own
(no BPR, no SE, an amount no column holds) cannot be posted by anyone and is refused.
Runs in the caller's transaction; never commits.  Needs ``administer`` (the API checks it).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.access.permissions import Principal
from edi_posting.archive.integrity import read_archived
from edi_posting.archive.transaction_sets import SetContext, SetOutcome
from edi_posting.db.base import table_of
from edi_posting.db.models import ReceivedFile
from edi_posting.db.workflow import ItemAction, ReviewStatus
from edi_posting.posting.payment_identity import remittance_key
from edi_posting.posting.remittances import post_remittance
from edi_posting.records.envelope import Envelope
from edi_posting.records.problems import ProblemCode
from edi_posting.records.states import ReviewKind
from edi_posting.review.actions import ActionError, record_action
from edi_posting.review.money import ActionResult, locked_item
from edi_posting.x12.remit835.file import RemittanceSetRead, read_remittance_file

__all__ = ["ACCEPTABLE_PROBLEM", "EnvelopeRows", "accept_set"]

_FILE = table_of(ReceivedFile)
ACCEPTABLE_PROBLEM = ProblemCode.REJECTED_BY_VALIDATION
# records (or finds) the set's interchange and group; the importing stage's, passed down
EnvelopeRows = Callable[[Connection, int, Envelope | None], int | None]


def _set_position(item: Any) -> int:
    """The rejected set's ST position, from the item's key (``...|st:<position>|...``)."""
    if item.kind != ReviewKind.REJECTED_FILE or "|st:" not in item.dedupe_key:
        raise ActionError(f"review item {item.id} is {item.kind} naming no transaction set: "
                          "only a rejected set can be accepted")
    if item.problem_code != ACCEPTABLE_PROBLEM:
        raise ActionError(f"review item {item.id}'s set was rejected for {item.problem_code}, "
                          "which no one can post: correct the file and import it again")
    return int(item.dedupe_key.split("|st:", 1)[1].split("|", 1)[0])


def _read_set(conn: Connection, file_id: int, position: int) -> RemittanceSetRead:
    """The set at ``position`` of the archived file, read from its verified bytes."""
    row = conn.execute(select(_FILE.c.file_name, _FILE.c.sha256).where(
        _FILE.c.id == file_id)).one()
    content = read_archived(conn, file_id)
    with tempfile.TemporaryDirectory(prefix="edi-accept-") as folder:
        path = Path(folder) / Path(row.file_name).name
        path.write_bytes(content)
        for read in read_remittance_file(path, row.sha256):
            if isinstance(read, RemittanceSetRead) and read.segment_position == position:
                return read
    raise ActionError(f"file {file_id} has no 835 transaction set at segment {position}")


def _refuse_fatal(read: RemittanceSetRead) -> None:
    """A set the parser itself cannot post (validation's verdict aside) stays rejected."""
    fatal = next((p for p in read.problems if p.is_fatal), None)
    if fatal is not None or not read.is_complete:
        said = f"{fatal.code}: {fatal.message}" if fatal else "no SE trailer"
        raise ActionError(f"transaction set {read.header.transaction_set_control_number} "
                          f"cannot be posted ({said})")


def accept_set(conn: Connection, item_id: int, reason: str, *, principal: Principal,
               envelope_rows: EnvelopeRows) -> ActionResult:
    """Post the set a ``rejected_file`` item names from the archive, and close the item."""
    if not reason.strip():
        raise ActionError("accepting a rejected set needs a reason")
    item = locked_item(conn, item_id)
    read = _read_set(conn, item.file_id, _set_position(item))
    _refuse_fatal(read)
    source = read.header.source
    ctx = SetContext(item.file_id, envelope_rows(conn, item.file_id, read.envelope),
                     source.interchange_control_number, principal.name)
    outcome = post_remittance(conn, ctx, read, remittance_key(read))
    return _close(conn, item, read, outcome, reason.strip(), principal)


def _close(conn: Connection, item: Any, read: RemittanceSetRead, outcome: SetOutcome,
           reason: str, principal: Principal) -> ActionResult:
    st02 = read.header.transaction_set_control_number
    did = ("posted nothing: it was imported already" if outcome.status == "already_imported"
           else f"{outcome.claims} claims: {outcome.posted} posted, {outcome.queued} queued")
    text = (f"accepted transaction set {st02} rejected for {item.problem_code} "
            f"({item.message}): {reason}; {did}")
    record_action(conn, item, actor=principal.name, role=principal.role,
                  action=ItemAction.ACCEPT_SET, to_status=ReviewStatus.RESOLVED, note=text,
                  details={"transaction_set": st02, "segment": read.segment_position,
                           "was_wrong": item.problem_code, "reason": reason,
                           "status": outcome.status, "claims": outcome.claims,
                           "posted": outcome.posted, "queued": outcome.queued})
    return ActionResult(item.id, ItemAction.ACCEPT_SET, ReviewStatus.RESOLVED,
                        f"review item {item.id}: {text}", outcome.payment_cents)
