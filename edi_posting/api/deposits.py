"""Bank deposits and reconciliation through the public API: ``deposits import`` and
``list``, ``reconcile`` and ``reconcile status``.

Importing a bank file needs ``import`` (it archives and stores what the bank sent);
reconciling posts Dr bank / Cr cash clearing and opens review items, the daily work of a
specialist (``resolve``); the lists and the day's status show no patient, only money
(``read_ledger``).  Every write runs in one transaction with its audit event.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Connection

from edi_posting.access.permissions import Permission
from edi_posting.api.session import Session
from edi_posting.archive.user_input import expand_inputs
from edi_posting.audit.events import record_event
from edi_posting.bank.csv_file import DEFAULT_MAPPING
from edi_posting.bank.deposits import DepositImport, deposit_rows, import_deposit_file
from edi_posting.reconciliation import calendar
from edi_posting.reconciliation.reconcile import ReconcileResult
from edi_posting.reconciliation.reconcile import reconcile as run_reconcile
from edi_posting.reconciliation.status import day_status
from edi_posting.records.states import AuditOutcome

__all__ = ["import_deposits", "list_deposits", "reconcile", "reconcile_status",
           "reconcile_window", "set_reconcile_window"]

_T = TypeVar("_T")


class _Rehearsed(Exception):  # not an error: it carries a dry run's result out
    """Raised with a dry run's result so that its write transaction rolls back."""

    def __init__(self, result: object) -> None:
        super().__init__("dry run")
        self.result = result


def _write(session: Session, work: Callable[[Connection], _T], dry_run: bool) -> _T:
    """``work`` in one write transaction; a dry run rolls it back (the audit event too)
    and returns what it would have done."""
    try:
        with session.writing() as conn:
            result = work(conn)
            if dry_run:
                raise _Rehearsed(result)
            return result
    except _Rehearsed as rehearsed:  # rolled back: nothing written
        return cast(_T, rehearsed.result)


def import_deposits(session: Session, paths: Iterable[Path | str], *,
                    mapping: str = DEFAULT_MAPPING,
                    archive_dir: Path | None = None,
                    dry_run: bool = False) -> list[DepositImport]:
    """Archive and store each bank file (BAI2, or CSV read through the named ``mapping``);
    a file that does not add up stores nothing (its FATAL problem says where).  Raises
    ``UnreadableInputError`` for a path that cannot be read, ``UnknownMappingError``.
    ``dry_run``: each file read and stored in a transaction rolled back, so the result
    says what importing it would add (the web's preview of an upload); nothing is kept,
    not even in ``archive_dir``."""
    files = expand_inputs(paths)
    principal = session.authorize(Permission.IMPORT, "deposits.import")
    keep = None if dry_run else archive_dir

    def work(path: Path) -> Callable[[Connection], DepositImport]:
        def one(conn: Connection) -> DepositImport:
            result = import_deposit_file(conn, path, actor=session.actor, mapping=mapping,
                                         archive_dir=keep)
            record_event(conn, actor=session.actor, role=principal.role,
                         action="deposits.import", object_type="received_file",
                         object_id=str(result.file_id),
                         outcome=AuditOutcome.FAILED if result.rejected else AuditOutcome.OK,
                         summary={"file": result.file_name, "sha256": result.sha256,
                                  "added": result.added, "known": result.known,
                                  "problems": [p.code.value for p in result.problems]})
            return result
        return one

    return [_write(session, work(path), dry_run) for path in files]


def list_deposits(session: Session, *, date_from: dt.date | None = None,
                  date_to: dt.date | None = None,
                  unmatched: bool = False) -> list[dict[str, Any]]:
    """Deposit lines by date with the receipts each met (``unmatched``: none yet)."""
    session.authorize(Permission.READ_LEDGER, "deposits.list")
    with session.reading() as conn:
        return deposit_rows(conn, date_from=date_from, date_to=date_to, unmatched=unmatched)


def reconcile(session: Session, *, date_from: dt.date | None = None,
              date_to: dt.date | None = None,
              window_days: int | None = None, dry_run: bool = False) -> ReconcileResult:
    """Match the range's deposits (all, by default) with the money awaiting deposit, post
    each match and queue what is left; running it again posts nothing new.  ``dry_run``:
    the same run in a transaction rolled back: the result's matches (their ``entry_id``
    None) and items are what it would post and open; nothing is written (the permission
    check alone is on the audit trail, as for any call)."""
    principal = session.authorize(Permission.RESOLVE, "reconcile.run")

    def work(conn: Connection) -> ReconcileResult:
        result = run_reconcile(conn, actor=session.actor, date_from=date_from,
                               date_to=date_to, window=window_days)
        record_event(conn, actor=session.actor, role=principal.role, action="reconcile.run",
                     outcome=AuditOutcome.OK,
                     summary={"from": str(date_from), "to": str(date_to),
                              "window_days": result.window_days,
                              "matched": len(result.matches), "opened": result.opened,
                              "closed": result.closed})
        return result

    result = _write(session, work, dry_run)
    if not dry_run:
        return result
    return dataclasses.replace(result, matches=tuple({**m, "entry_id": None}
                                                     for m in result.matches))


def reconcile_status(session: Session, *, date_from: dt.date | None = None,
                     date_to: dt.date | None = None) -> list[dict[str, Any]]:
    """Per day: deposits, remittances met, variances, what is unmatched on either side,
    and the cash-clearing balance at the day's end."""
    session.authorize(Permission.READ_LEDGER, "reconcile.status")
    with session.reading() as conn:
        return day_status(conn, date_from=date_from, date_to=date_to)


def reconcile_window(session: Session) -> int:
    """The window in business days (the setting ``reconcile.window_days``, else 3)."""
    session.authorize(Permission.READ_LEDGER, "reconcile.window")
    with session.reading() as conn:
        return calendar.window_days(conn)


def set_reconcile_window(session: Session, days: int) -> int:
    """Set the window (``administer``; audited with the old and new value)."""
    principal = session.authorize(Permission.ADMINISTER, "reconcile.window")
    with session.writing() as conn:
        return calendar.set_window_days(conn, days, principal=principal)
