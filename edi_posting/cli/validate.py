"""`edi-posting validate`: implementation-guide validation with pyx12, and the 999/TA1 to
send back.

A thin layer over :func:`edi_posting.validate_file`: one line per file on
stdout (``--format table``) or ``{"files": [{"path", "sha256", "kind", "valid",
"ack_files", "problems", "transaction_sets"}]}`` (``--format json``); a one-line verdict on
stderr for each invalid file.  With ``--ack-dir`` the acknowledgments are written there
(named by :func:`edi_posting.write_acks`).

Exit codes: 0 every file valid, 65 a file is invalid (or not X12 at all), 66 a file does
not exist or cannot be read.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

import edi_posting
from edi_posting.cli.common import CliError, echo_err, echo_json, format_option, render_rows
from edi_posting.exit_codes import ExitCode
from edi_posting.records.problems import Severity

__all__ = ["command", "file_document"]

_COLUMNS = ("file", "kind", "valid", "sets", "rejected_sets", "errors", "warnings", "acks")


@click.command(
    "validate",
    epilog="""\b
Example:
  edi-posting validate remit.835 --ack-dir acks/
  EDI_POSTING_ACK_DIR=acks edi-posting validate --format json claims.837 remit.835

\b
Acknowledgments (--ack-dir): FILE.999 for the file's only functional group (FILE.997 for
a 004010 group), else FILE.<ISA13>.<GS06>.999; FILE.ta1 for an interchange with envelope
errors or ISA14=1, FILE.<ISA13>.ta1 when the file has several.
Exit codes: 0 every file valid, 65 a file invalid or not X12, 66 a file not found or unreadable.""",
)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--ack-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="EDI_POSTING_ACK_DIR",
    show_envvar=True,
    help="Write each file's 999 (997) and TA1 acknowledgments into this directory "
    "(created when missing; existing acknowledgments of the same name are replaced).",
)
@format_option(choices=("table", "json"))
def command(files: Sequence[str], ack_dir: Path | None, output_format: str) -> None:
    """Validate X12 835/837 FILEs against their implementation guide (GS08) with pyx12,
    and write the 999/TA1 acknowledgments to send back."""
    _check_inputs(files, ack_dir)
    documents = []
    for name in files:
        try:
            result = edi_posting.validate_file(name)
        except OSError as exc:
            raise CliError(f"{name}: cannot be read ({exc.strerror})", ExitCode.NO_INPUT) from None
        written = _write_acks(result, ack_dir) if ack_dir is not None else []
        documents.append(file_document(result, written))
        if not result.valid:
            echo_err(f"edi-posting: {name}: invalid: {_first_problem(result)}")
    if output_format == "json":
        echo_json({"files": documents})
    else:
        render_rows([_row(d) for d in documents], _COLUMNS, "table")
    if not all(d["valid"] for d in documents):
        raise click.exceptions.Exit(int(ExitCode.DATA_ERROR))


def _check_inputs(files: Sequence[str], ack_dir: Path | None) -> None:
    for name in files:
        edi_posting.readable_file(name)  # exit 66 naming the file and why
    names = [os.path.basename(n) for n in files]
    twice = sorted({n for n in names if names.count(n) > 1})
    if ack_dir is not None and twice:
        raise CliError(
            f"several input files are named {twice[0]!r}: their acknowledgments "
            "would overwrite each other in --ack-dir; validate them separately",
            ExitCode.USAGE,
        )


def _write_acks(result: edi_posting.ValidationResult, ack_dir: Path) -> list[str]:
    written = edi_posting.write_acks(result, ack_dir)
    if written:
        echo_err(f"{result.path}: wrote {len(written)} acknowledgment(s) to {ack_dir}")
    return written


def file_document(result: edi_posting.ValidationResult, ack_files: list[str]) -> dict[str, Any]:
    """The JSON object for one file (the documented shape, plus transaction set statuses)."""
    return {
        "path": result.path,
        "sha256": result.sha256,
        "kind": result.kind,
        "valid": result.valid,
        "ack_files": ack_files,
        "problems": [p.to_dict() for p in result.problems],
        "transaction_sets": [
            {"interchange": isa13, "group": gs06, "transaction_set": st02, "status": status}
            for (isa13, gs06, st02), status in result.set_status.items()
        ],
    }


def _row(document: dict[str, Any]) -> dict[str, Any]:
    severities = [p["severity"] for p in document["problems"]]
    statuses = [s["status"] for s in document["transaction_sets"]]
    return {
        "file": document["path"],
        "kind": document["kind"],
        "valid": document["valid"],
        "sets": len(statuses),
        "rejected_sets": statuses.count("R"),
        "errors": len(severities) - severities.count(Severity.WARNING.value),
        "warnings": severities.count(Severity.WARNING.value),
        "acks": len(document["ack_files"]),
    }


def _first_problem(result: edi_posting.ValidationResult) -> str:
    serious = [p for p in result.problems if p.severity is not Severity.WARNING]
    if not serious:
        return "no transaction set was accepted"
    first = next((p for p in serious if p.is_fatal), serious[0])
    return f"{first.code}: {first.message} ({len(serious)} problem(s))"
