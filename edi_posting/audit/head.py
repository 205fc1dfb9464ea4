"""The audit chain's head, as exported for safekeeping and read back to verify against.

A chain cut off at its end still links up, and whoever can write the audit table can
rewrite the whole chain consistently.  What catches both is a head kept where the
application's credentials cannot write (a WORM bucket, the auditor's mailbox): `audit head`
prints it nightly, and `audit verify --expect-head-file` reads that export back, in any of
the formats `audit head` writes (or a bare hash).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.audit.events import GENESIS_HASH
from edi_posting.db.base import table_of
from edi_posting.db.models import AuditEvent

__all__ = ["ChainHead", "HeadFormatError", "chain_head", "parse_head"]

_AUDIT = table_of(AuditEvent)
_HASH = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")


class HeadFormatError(ValueError):
    """The text holds no head hash, or more than one (exit 65)."""


@dataclass(frozen=True, slots=True)
class ChainHead:
    sequence: int  # 0 for an empty chain
    hash: str  # the last event's hash; GENESIS_HASH for an empty chain
    at: dt.datetime | None

    def to_row(self) -> dict[str, Any]:
        at = self.at.replace(tzinfo=self.at.tzinfo or dt.UTC) if self.at else None
        return {"sequence": self.sequence, "hash": self.hash,
                "at": at.isoformat(timespec="seconds") if at else None}


def chain_head(conn: Connection) -> ChainHead:
    """The newest event's sequence number and hash (not verified: `audit verify` does)."""
    row = conn.execute(select(_AUDIT.c.sequence, _AUDIT.c.event_hash, _AUDIT.c.at)
                       .order_by(_AUDIT.c.sequence.desc()).limit(1)).first()
    if row is None:
        return ChainHead(0, GENESIS_HASH, None)
    return ChainHead(int(row.sequence), str(row.event_hash), row.at)


def parse_head(text: str) -> str:
    """The head hash in an `audit head` export (table, JSON or CSV) or a bare hash."""
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            raise HeadFormatError("not valid JSON") from None
        data = data[0] if isinstance(data, list) and data else data
        if isinstance(data, dict) and isinstance(data.get("hash"), str):
            stripped = data["hash"]
    found = {match.lower() for match in _HASH.findall(stripped)}
    if len(found) != 1:
        raise HeadFormatError("expected one 64-digit SHA-256 chain head "
                              f"(as `audit head` prints it), found {len(found)}")
    return str(found.pop())
