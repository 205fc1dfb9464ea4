"""Every write the product makes goes through one transaction that vouches for its rows.

Rows written by a command (journal entries, review item events, users, policies...) must
each be named by the audit event of the transaction that wrote them; ``audit verify``
checks it both ways.  Linking the unrecorded rows just before the commit, here, is what
lets no caller forget it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from edi_posting.audit.links import link_unrecorded
from edi_posting.db.engine import begin_write

__all__ = ["write_transaction"]


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction (``BEGIN IMMEDIATE`` on SQLite) whose rows all carry their
    audit event when it commits."""
    with begin_write(engine) as conn:
        yield conn
        link_unrecorded(conn)  # every row written has its audit event (audit.links)
