"""Per-invocation state of the CLI: settings, the engine, and the translation of
operational failures (unreachable, not migrated) into documented exit codes."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from edi_posting.cli.common import CliError
from edi_posting.exit_codes import ExitCode

__all__ = ["AppContext"]


@dataclass
class AppContext:
    database_url: str | None
    actor: str
    _engine: Engine | None = field(default=None, repr=False)

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

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
