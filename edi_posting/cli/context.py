"""Per-invocation state of the CLI: settings, the engine, and the translation of
operational failures (unreachable, not migrated) into documented exit codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, cast

from sqlalchemy import Engine

from edi_posting.cli.common import CliError
from edi_posting.exit_codes import ExitCode
from edi_posting.records.states import AuditOutcome

if TYPE_CHECKING:
    from edi_posting.access.permissions import Permission, Principal

__all__ = ["AppContext"]


_T = TypeVar("_T")

@dataclass
class AppContext:
    database_url: str | None
    claimed_actor: str | None  # --actor / EDI_POSTING_ACTOR: a claim, checked against the login
    mask_phi: bool = False
    _engine: Engine | None = field(default=None, repr=False)
    _actor: str | None = field(default=None, repr=False)

    @property
    def actor(self) -> str:
        """The user the authenticated login maps to (edi_posting.access.actor), resolved once;
        exit 77 (the refusal audited) when the login maps to no user or the claim names
        someone else."""
        if self._actor is None:
            self._actor = self._resolve_actor()
        return self._actor

    def _resolve_actor(self) -> str:
        from edi_posting.access import actor
        from edi_posting.db import write_transaction

        engine = self.engine()
        with engine.connect() as conn:
            try:
                return actor.resolve_actor(conn, self.claimed_actor)
            except actor.IdentityRefusedError as exc:
                refusal = exc
        with write_transaction(engine) as conn:
            actor.record_refusal(conn, refusal)
        raise CliError(str(refusal), ExitCode.NO_PERMISSION)

    def engine(self, *, require_current: bool = True) -> Engine:
        """The engine for this run, reachable and (unless told otherwise) at the head revision.

        The default SQLite file is created and upgraded on first use; any other database
        that is behind is an error naming `edi-posting db upgrade`.
        """
        if self._engine is None:
            from edi_posting.db import (
                DatabaseBehindError,
                DatabaseUnavailableError,
                connect,
            )

            try:
                self._engine = connect(self.database_url, require_current=require_current)
            except DatabaseUnavailableError as exc:
                raise CliError(str(exc), ExitCode.UNAVAILABLE) from None
            except DatabaseBehindError as exc:
                raise CliError(str(exc), ExitCode.CONFIG) from None
        return self._engine

    def authorize(self, permission: Permission, action: str,
                  object_id: str | None = None) -> Principal:
        """Check the actor may do this (exit 77 otherwise, with the refusal audited)."""
        from edi_posting.access.permissions import PermissionDeniedError, authorize

        engine, actor = self.engine(), self.actor  # resolved before this write lock
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.info["sqlite_begin"] = "BEGIN IMMEDIATE"
            transaction = conn.begin()
            try:
                principal = authorize(conn, actor, permission, action=action,
                                      object_id=object_id)
            except PermissionDeniedError as exc:
                transaction.commit()  # the refusal stays on record
                raise CliError(str(exc), ExitCode.NO_PERMISSION) from None
            transaction.commit()
        return principal

    def audit(self, action: str, *, role: str | None, object_type: str | None = None,
              object_id: str | None = None, outcome: AuditOutcome = AuditOutcome.OK,
              summary: dict[str, object] | None = None) -> None:
        """Record one event (reads of PHI, exports) in its own transaction."""
        from edi_posting.audit.events import record_event
        from edi_posting.db import write_transaction

        actor = self.actor
        with write_transaction(self.engine()) as conn:
            record_event(conn, actor=actor, role=role, action=action,
                         object_type=object_type, object_id=object_id, outcome=outcome,
                         summary=summary)

    def shown(self, data: _T) -> _T:
        """Data as the user may see it: PHI masked when --mask-phi is on (same shape)."""
        if not self.mask_phi:
            return data
        from edi_posting.logs import mask_phi

        return cast(_T, mask_phi(data))

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
