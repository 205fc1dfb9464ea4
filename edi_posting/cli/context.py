"""Per-invocation state of the CLI: settings, the API session, and the translation of the
API's errors (unreachable, not migrated, refused, not found) into documented exit codes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

import edi_posting
from edi_posting.cli.common import CliError
from edi_posting.exit_codes import ExitCode
from edi_posting.records.states import AuditOutcome

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["AppContext"]

_T = TypeVar("_T")


@dataclass
class AppContext:
    database_url: str | None
    claimed_actor: str | None  # --actor / EDI_POSTING_ACTOR: a claim, checked against the login
    mask_phi: bool = False
    _session: edi_posting.Session | None = field(default=None, repr=False)

    def session(self, *, require_current: bool = True) -> edi_posting.Session:
        """The API session for this run, reachable and (unless told otherwise) at the head
        revision.  The default SQLite file is created and upgraded on first use; any other
        database that is behind is an error naming `edi-posting db upgrade`."""
        if self._session is None:
            try:
                self._session = edi_posting.open_session(self.database_url, actor=self.claimed_actor,
                                             mask_phi=self.mask_phi,
                                             require_current=require_current)
            except edi_posting.DatabaseUnavailableError as exc:
                raise CliError(str(exc), ExitCode.UNAVAILABLE) from None
            except edi_posting.DatabaseBehindError as exc:
                raise CliError(str(exc), ExitCode.CONFIG) from None
        return self._session

    def engine(self, *, require_current: bool = True) -> Engine:
        return self.session(require_current=require_current).engine

    @property
    def actor(self) -> str:
        """The user the authenticated login maps to (exit 77, the refusal audited, when the
        login maps to no user or the claim names someone else)."""
        return self.call(lambda: self.session().actor)

    def authorize(self, permission: edi_posting.Permission, action: str,
                  object_id: str | None = None) -> edi_posting.Principal:
        """Check the actor may do this (exit 77 otherwise, with the refusal audited)."""
        session = self.session()
        return self.call(session.authorize, permission, action, object_id)

    def audit(self, action: str, *, role: str | None, object_type: str | None = None,
              object_id: str | None = None, outcome: AuditOutcome = AuditOutcome.OK,
              summary: dict[str, object] | None = None) -> None:
        """Record one event (reads of PHI, exports) in its own transaction."""
        self.session().audit(action, role=role, object_type=object_type, object_id=object_id,
                             outcome=outcome, summary=summary)

    def call(self, function: Callable[..., _T], *args: Any,
             errors: Mapping[type[Exception], ExitCode] | None = None, **kwargs: Any) -> _T:
        """``function(*args, **kwargs)`` with the API's refusals as one-line answers and
        their exit codes (``errors`` adds a command's own, checked first)."""
        table: dict[type[Exception], ExitCode] = {
            **(errors or {}), edi_posting.PermissionDeniedError: ExitCode.NO_PERMISSION}
        try:
            return function(*args, **kwargs)
        except tuple(table) as exc:
            code = next(c for kind, c in table.items() if isinstance(exc, kind))
            raise CliError(str(exc), code) from None

    def shown(self, data: _T) -> _T:
        """Data as the user may see it: PHI masked when --mask-phi is on (same shape)."""
        if not self.mask_phi:
            return data
        from edi_posting.logs import mask_phi

        return cast(_T, mask_phi(data))

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
