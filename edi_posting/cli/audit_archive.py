"""The parts of `edi-posting audit` that look beyond the chain itself: the exported head
(`audit head`, `verify --expect-head-file`), the archived files (`verify --archive`) and
the SQLite file's permissions.  Kept apart from `cli/audit.py` so each grows on its own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy import Connection

from edi_posting.cli.common import CliError, echo_err
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["archive_findings", "expected_head", "head_command_body", "verify_options",
           "warn_file_privacy"]

F = TypeVar("F", bound=Callable[..., Any])


def verify_options(function: F) -> F:
    """`audit verify`'s `--archive` and `--expect-head-file`, with their environment twins."""
    function = click.option(
        "--archive", "check_archive", is_flag=True, default=False,
        envvar="EDI_POSTING_VERIFY_ARCHIVE", show_envvar=True,
        help="Also re-hash every archived file (database bytes and --archive-dir files); "
             "exit 1 naming each one that differs from its recorded SHA-256 or is missing.",
    )(function)
    return click.option(
        "--expect-head-file", default=None, envvar="EDI_POSTING_EXPECT_HEAD_FILE",
        show_envvar=True, metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
        help="A head exported earlier by `audit head` (any --format) or a file holding "
             "the bare hash; as --expect-head.",
    )(function)


def expected_head(expect_head: str | None, head_file: Path | None) -> str | None:
    """The head to verify against: --expect-head (a bare hash, or an export's text), or the
    one in --expect-head-file; both must agree when both are given."""
    from edi_posting.audit.head import HeadFormatError, parse_head

    heads: list[str] = []
    try:
        if expect_head:
            heads.append(parse_head(expect_head))
        if head_file is not None:
            heads.append(parse_head(_read(head_file)))
    except HeadFormatError as exc:
        source = head_file if head_file is not None else "--expect-head"
        raise CliError(f"{source}: {exc}", ExitCode.DATA_ERROR) from None
    if len(set(heads)) > 1:
        raise CliError(f"--expect-head {heads[0]} and --expect-head-file {heads[1]} differ",
                       ExitCode.USAGE)
    return heads[0] if heads else None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: cannot be read ({exc.__class__.__name__})",
                       ExitCode.NO_INPUT) from None


def archive_findings(conn: Connection) -> int:
    """Re-hash every archived file; print each finding (stdout), return how many."""
    from edi_posting.archive.integrity import count_archived, verify_archive

    found = 0
    for finding in verify_archive(conn):
        click.echo(f"archive: {finding.message}")
        found += 1
    echo_err(f"{count_archived(conn)} archived file(s) verified, {found} problem(s)")
    return found


def warn_file_privacy(app: AppContext) -> None:
    """Warn (stderr) when the SQLite file or its companions are open to group or others."""
    from edi_posting.db.file_privacy import sqlite_privacy_warnings

    for warning in sqlite_privacy_warnings(str(app.engine().url)):
        echo_err(f"warning: {warning}")


def head_command_body(app: AppContext, output_format: str) -> None:
    """`audit head`: print the chain head (sequence, hash, time of the last event)."""
    from edi_posting.access.permissions import Permission
    from edi_posting.audit.head import chain_head
    from edi_posting.cli.common import render_rows

    app.authorize(Permission.AUDIT, "audit.head")
    with app.engine().connect() as conn:
        head = chain_head(conn)
    render_rows([head.to_row()], ["sequence", "hash", "at"], output_format)
