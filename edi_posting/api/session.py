"""A session: one user working against one database, the handle every API call takes.

Why one object: who is acting is resolved from the authenticated login once
(:mod:`edi_posting.access.actor`; a name typed on the command line is only a claim), and
every permission check and audit event goes through :meth:`Session.authorize` and
:meth:`Session.audit`, so a refusal is recorded the same way whether the CLI or the web
application asked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar, cast

from sqlalchemy import Connection, Engine

from edi_posting.access import actor as actors
from edi_posting.access.permissions import Permission, PermissionDeniedError, Principal, authorize
from edi_posting.audit.events import record_event
from edi_posting.audit.writes import write_transaction
from edi_posting.db.engine import begin_write
from edi_posting.db.migration import connect
from edi_posting.logs import mask_phi
from edi_posting.records.states import AuditOutcome

__all__ = ["Session", "open_session"]

_T = TypeVar("_T")


@dataclass
class Session:
    """The engine, the user's claim (``--actor``) and whether output masks PHI."""

    engine: Engine
    claimed_actor: str | None = None
    mask_phi: bool = False
    _actor: str | None = field(default=None, repr=False)

    @property
    def actor(self) -> str:
        """The user the authenticated login maps to, resolved once.  Raises
        :class:`~edi_posting.access.actor.IdentityRefusedError` (recorded on the audit
        trail) when the login maps to no user or the claim names someone else."""
        if self._actor is None:
            self._actor = self._resolve_actor()
        return self._actor

    def _resolve_actor(self) -> str:
        with self.engine.connect() as conn:
            try:
                return actors.resolve_actor(conn, self.claimed_actor)
            except actors.IdentityRefusedError as exc:
                refusal = exc
        with write_transaction(self.engine) as conn:
            actors.record_refusal(conn, refusal)
        raise refusal

    def authorize(self, permission: Permission, action: str,
                  object_id: str | None = None) -> Principal:
        """The acting user's principal, or PermissionDeniedError with the refusal audited."""
        actor = self.actor  # resolved before this write lock
        with begin_write(self.engine) as conn:
            try:
                return authorize(conn, actor, permission, action=action, object_id=object_id)
            except PermissionDeniedError as exc:
                refusal = exc
        raise refusal  # raised outside the block: the refusal's audit event is committed

    def audit(self, action: str, *, role: str | None, object_type: str | None = None,
              object_id: str | None = None, outcome: AuditOutcome = AuditOutcome.OK,
              summary: dict[str, object] | None = None) -> None:
        """Record one event (a read of PHI, an export) in its own transaction."""
        actor = self.actor
        with write_transaction(self.engine) as conn:
            record_event(conn, actor=actor, role=role, action=action,
                         object_type=object_type, object_id=object_id, outcome=outcome,
                         summary=summary)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction whose rows all carry their audit event."""
        with write_transaction(self.engine) as conn:
            yield conn

    def shown(self, data: _T) -> _T:
        """Data as this user may see it: PHI masked when the session masks it (same shape)."""
        return cast(_T, mask_phi(data)) if self.mask_phi else data

    def close(self) -> None:
        self.engine.dispose()


def open_session(database_url: str | None = None, *, actor: str | None = None,
                 mask_phi: bool = False, require_current: bool = True) -> Session:
    """Connect (creating and upgrading the default SQLite file on first use) and return a
    session; ``actor`` is a claim checked against the login on first use."""
    engine = connect(database_url, require_current=require_current)
    return Session(engine, claimed_actor=actor, mask_phi=mask_phi)
