"""One keyed paper EOB file (CSV or JSON): every row checked, then each check posted as an
835 set would be.

The file is archived first (as every file).  Then every row is read and checked (fields,
codes, the payer known by ID or name) before anything posts: a file with any ERROR posts
nothing and leaves one ``eob_error`` item listing all its problems, so the keyer fixes the
file once.  A file without errors posts check by check, each in its own unit, through the
835's own path (``importing.remittances.post_set`` -> ``posting.remittances``) as a
transaction set of kind ``eob`` known by payer and check number: uploading the batch again,
even re-saved with other bytes, posts nothing.  Balancing is the 835's: an unbalanced claim
or check is held, not refused.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Connection, func, or_, select

from edi_posting.db.base import table_of
from edi_posting.db.models import Payer, PayerAlias
from edi_posting.importing.remittances import post_set
from edi_posting.importing.units import FileResult, Units
from edi_posting.keyed.checks import KeyedCheck
from edi_posting.keyed.fields import keyed_problem
from edi_posting.keyed.reader import KeyedFile, read_keyed_file
from edi_posting.keyed.rows import looks_keyed
from edi_posting.keyed.template import KEYED_KIND
from edi_posting.queue.items import ReviewDraft, open_review_items
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.remittance_parts import Party
from edi_posting.records.source import SourceRef
from edi_posting.records.states import FileStatus, ReviewKind

__all__ = ["KEYED_KIND", "checked_keyed_file", "import_keyed_file", "is_keyed_eob",
           "keyed_identity"]

_PAYER, _ALIAS = table_of(Payer), table_of(PayerAlias)
_HEAD = 64 * 1024


def is_keyed_eob(path: Path) -> bool:
    with open(path, "rb") as handle:
        return looks_keyed(handle.read(_HEAD))


def keyed_identity(payer_identifier: str, check_number: str) -> str:
    """One keyed check is one payment of one payer: the payer as found (keyed by ID or by
    name alike), named by its primary identifier (never a database id: the key names the
    set in ``ledger digest``), and the check or EFT number."""
    return f"eob|{payer_identifier}|{check_number.strip()}"


def import_keyed_file(units: Units, path: Path, result: FileResult) -> None:
    archived, options = units.archived, units.options
    keyed = read_keyed_file(path.read_bytes(), archived.sha256, path.name, options.actor)
    source = SourceRef(archived.sha256, path.name, keyed_by=options.actor)
    payers, problems = units.run(lambda conn: checked_keyed_file(conn, keyed, source))
    result.problems.extend(problems)
    errors = [p for p in problems if p.severity is not Severity.WARNING]
    if errors:
        _reject(units, result, errors, keyed.rows)
        return
    for check, found in zip(keyed.checks, payers, strict=True):
        assert found is not None  # an unknown payer is an error above
        _payer_id, name, identifier = found
        header = replace(check.read.header, payer=Party("PR", name, "PI", identifier))
        read = replace(check.read, header=header, end=replace(check.read.end, header=header))
        key = keyed_identity(identifier, header.transaction_set_control_number)
        post_set(units, result, read, key)  # a set of kind eob (its header's version)
    if not keyed.checks or all(s == "rejected" for s in result.set_statuses):
        result.status = FileStatus.REJECTED
    elif "rejected" in result.set_statuses:
        result.status = FileStatus.PARTIAL
    elif all(s == "already_imported" for s in result.set_statuses):
        result.status = FileStatus.ALREADY_IMPORTED


def checked_keyed_file(conn: Connection, keyed: KeyedFile, source: SourceRef
                       ) -> tuple[list[tuple[int, str, str] | None], list[Problem]]:
    """Each check's payer as found (None: unknown) and every problem of the file, in row
    order: its rows' and each unknown payer's.  What ``import`` decides on, and what the
    workbench's EOB form shows while it is keyed."""
    payers = [find_keyed_payer(conn, c.payer) for c in keyed.checks]
    problems = list(keyed.problems) + [
        _unknown_payer(source, check) for check, payer in zip(keyed.checks, payers, strict=True)
        if payer is None]
    problems.sort(key=lambda p: (p.source.row or 0) if p.source else 0)
    return payers, problems


def find_keyed_payer(conn: Connection, keyed: str) -> tuple[int, str, str] | None:
    """The payer a keyer named: by any identifier it is known by (837 payer ID, 835 TRN03,
    N1*PR, REF*2U), else by its name (case and spacing aside); (id, name, identifier)."""
    text = keyed.strip()
    if not text:
        return None
    by_alias = select(_ALIAS.c.payer_id).where(_ALIAS.c.alias_value == text)
    row = conn.execute(
        select(_PAYER.c.id, _PAYER.c.name, _PAYER.c.primary_identifier)
        .where(or_(_PAYER.c.primary_identifier == text, _PAYER.c.id.in_(by_alias)))
        .order_by(_PAYER.c.id)).first()
    if row is None:
        name = re.sub(r"\s+", " ", text).upper()
        row = conn.execute(
            select(_PAYER.c.id, _PAYER.c.name, _PAYER.c.primary_identifier)
            .where(func.upper(_PAYER.c.name) == name).order_by(_PAYER.c.id)).first()
    return (int(row.id), str(row.name), str(row.primary_identifier)) if row else None


def _unknown_payer(file: SourceRef, check: KeyedCheck) -> Problem:
    source = SourceRef(file.file_sha256, file.file_name, row=check.rows[0],
                       keyed_by=file.keyed_by)
    return keyed_problem(ProblemCode.UNKNOWN_PAYER, source, "payer", check.payer,
                         "no payer we know has this ID or name (key it as on its claims)")


def _reject(units: Units, result: FileResult, errors: list[Problem], rows: int) -> None:
    """Nothing posts; one ``eob_error`` item lists every problem of the file."""
    result.status = FileStatus.REJECTED
    name = Path(result.path).name
    message = (f"keyed EOB {name}: {len(errors)} problem(s) in {rows} row(s), nothing posted; "
               f"fix the file and import it again (first: {errors[0].message})")
    review = ReviewDraft(
        f"eob_error|file:{units.archived.id}", ReviewKind.EOB_ERROR, message, priority=2,
        problem_code=errors[0].code, file_id=units.archived.id,
        evidence={"file": name, "rows": rows, "problems": [p.to_dict() for p in errors]})
    result.queued += units.run(
        lambda conn: len(open_review_items(conn, [review], units.options.actor)))
