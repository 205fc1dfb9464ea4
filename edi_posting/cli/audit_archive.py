"""The parts of `edi-posting audit` that look beyond the chain itself: the exported head
(`audit head`, `verify --expect-head-file`), the archived files (`verify --archive`) and
the SQLite file's permissions.  Kept apart from `cli/audit.py` so each grows on its own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

import edi_posting
from edi_posting.cli.common import echo_err, render_rows
from edi_posting.cli.context import AppContext

__all__ = ["head_command_body", "render_archive", "verify_options", "warn_file_privacy"]

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


def render_archive(findings: list[str], archived_files: int) -> None:
    """`verify --archive`: each finding on stdout, the count of files checked on stderr."""
    for message in findings:
        click.echo(f"archive: {message}")
    echo_err(f"{archived_files} archived file(s) verified, {len(findings)} problem(s)")


def warn_file_privacy(app: AppContext) -> None:
    """Warn (stderr) when the SQLite file or its companions are open to group or others."""
    for warning in edi_posting.file_privacy_warnings(app.session(require_current=False)):
        echo_err(f"warning: {warning}")


def head_command_body(app: AppContext, output_format: str) -> None:
    """`audit head`: print the chain head (sequence, hash, time of the last event)."""
    head = app.call(edi_posting.audit_head, app.session())
    render_rows([head], ["sequence", "hash", "at"], output_format)
