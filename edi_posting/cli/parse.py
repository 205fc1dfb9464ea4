"""`edi-posting parse`: read 835 files and print what they say, without a database.

A thin layer over :func:`edi_posting.parse_file` (full output) and
:func:`edi_posting.parse_stats` (``--stats``, streaming: memory stays bounded whatever the
file size, one claim at a time).

Output, by ``--format``:

* ``json`` (the default without ``--stats``): one object per file, ``{"schema_version": 1,
  "file", "sha256", "remittances": [...], "problems": [...]}``; several files make a JSON
  array of those objects.  Amounts are strings with two decimals.
* ``jsonl``: the same object, one line per file.
* ``table``: one row per transaction set (control number, payer, payee, payment, claims,
  problem counts).  With ``--stats`` (where ``table`` is the default) the row carries the
  counts, sums and balancing verdicts, and a TOTAL row ends the table; ``json``/``jsonl``
  give the same numbers as data.

Exit codes: 0 when every file parsed (with or without ERROR/WARNING problems), 65 when a
file is rejected (no usable transaction set; its problems are still printed, and a
one-line summary goes to stderr), 66 when a file does not exist.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from typing import Any

import click

import edi_posting
from edi_posting.cli.common import echo_err, echo_json, render_rows
from edi_posting.cli.parse837 import CLAIM_SUMMARY_COLUMNS, claim_summary_rows
from edi_posting.exit_codes import ExitCode
from edi_posting.logs import mask_phi
from edi_posting.records.problems import Problem

__all__ = ["command"]

USES_APP_CONTEXT = False  # no database: `edi-posting parse` imports no SQLAlchemy (start-up)
_SUMMARY_COLUMNS = ("file", "control_number", "payer", "payee", "payment", "method", "date",
                    "trace_number", "claims", "errors", "warnings")
_STATS_COLUMNS = ("file", "control_number", "claims", "service_lines", "adjustments", "plb",
                  "bpr02", "sum_clp04", "sum_plb", "service_balanced", "claim_balanced",
                  "transaction_balanced")


@click.command(
    "parse",
    epilog="""\b
Example:
  edi-posting parse remit.835 --stats
  edi-posting parse remit.835 --format json > remit.json
  EDI_POSTING_FORMAT=jsonl edi-posting parse *.835
  edi-posting parse remit.835 --describe     # descriptions beside CARC/RARC/CLP02/PLB codes

\b
--format: json (default), jsonl (one line per file), or table (one row per transaction
set).  With --stats the default is table; json and jsonl give the same numbers as data.
Exit codes: 0 parsed, 65 rejected (no usable transaction set), 66 a file not found or unreadable.""",
)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json", "jsonl"]), default=None,
    envvar="EDI_POSTING_FORMAT", show_envvar=True,
    help="Output format  [default: json; table with --stats]",
)
@click.option(
    "--stats", is_flag=True, envvar="EDI_POSTING_PARSE_STATS", show_envvar=True,
    help="Print only counts, sums and balancing per transaction set and in total "
    "(streams: memory stays bounded for any file size).",
)
@click.option(
    "--describe", is_flag=True, envvar="EDI_POSTING_PARSE_DESCRIBE", show_envvar=True,
    help="Add descriptions beside the codes of 835s (CLP02, CAS group and CARC, RARC, PLB "
    "reason), from the code lists (`edi-posting codes info`).",
)
def command(files: Sequence[str], output_format: str | None, stats: bool,
            describe: bool) -> None:
    """Parse 835 remittance (or 837 claim) FILEs and print their records, problems or
    statistics (--stats is for 835s)."""
    for name in files:
        edi_posting.readable_file(name)  # exit 66 naming the file and why, before any output
    fmt = output_format or ("table" if stats else "json")
    documents = [edi_posting.parse_stats(n) if stats else edi_posting.parse_file(n)
                 for n in files]
    if describe and not stats:
        from edi_posting.codes.describe import describe_remittance_document

        documents = [describe_remittance_document(d) for d in documents]
    if stats:
        _print_stats(documents, fmt)
    else:
        _print_documents(documents, fmt)
    rejected = [d for d in documents if d["rejected"]]
    for document in rejected:
        echo_err(f"edi-posting: {document['file']}: rejected: {_first_fatal(document)}")
    if rejected:
        raise click.exceptions.Exit(int(ExitCode.DATA_ERROR))


def _first_fatal(document: dict[str, Any]) -> str:
    problems = document.get("_fatal") or []
    if not problems:
        return "no usable 835 transaction set"
    first: Problem = problems[0]
    return f"{first.code}: {first.message} ({len(problems)} fatal problem(s))"


def _public(document: dict[str, Any]) -> dict[str, Any]:
    """The printable document: private keys dropped, PHI masked under ``--mask-phi``."""
    public = {k: v for k, v in document.items() if not k.startswith("_")}
    if click.get_current_context().meta.get("edi_posting.mask_phi"):
        return mask_phi(public)  # type: ignore[no-any-return]
    return public


def _print_documents(documents: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "jsonl":
        for document in documents:
            click.echo(json.dumps(_public(document), separators=(",", ":")))
    elif fmt == "json":
        public = [_public(d) for d in documents]
        echo_json(public[0] if len(public) == 1 else public)
    else:
        remittances = [d for d in documents if "remittances" in d]
        claims = [d for d in documents if "claims" in d]
        if remittances or not claims:
            render_rows(_summary_rows(remittances), _SUMMARY_COLUMNS, "table")
        if claims:
            if remittances:
                click.echo()
            render_rows(claim_summary_rows(claims), CLAIM_SUMMARY_COLUMNS, "table")


def _summary_rows(documents: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for document in documents:
        for r in document["remittances"]:
            severities = [p["severity"] for p in r["problems"]]
            severities += [p["severity"] for c in r["claims"] for p in c["problems"]]
            yield {
                "file": os.path.basename(document["file"]), "control_number": r["control_number"],
                "payer": (r["payer"] or {}).get("name"), "payee": (r["payee"] or {}).get("name"),
                "payment": (r["payment"] or {}).get("amount"),
                "method": (r["payment"] or {}).get("method"),
                "date": (r["payment"] or {}).get("date"), "trace_number": r["trace_number"],
                "claims": len(r["claims"]),
                "errors": sum(s in ("ERROR", "FATAL") for s in severities),
                "warnings": severities.count("WARNING"),
            }


def _print_stats(documents: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "jsonl":
        for document in documents:
            click.echo(json.dumps(_public(document), separators=(",", ":")))
        return
    if fmt == "json":
        public = [_public(d) for d in documents]
        echo_json(public[0] if len(public) == 1 else {
            "schema_version": edi_posting.PARSE_SCHEMA_VERSION, "files": public,
            "totals": edi_posting.sum_parse_stats(documents)})
        return
    rows = [_stats_row(os.path.basename(d["file"]), s) for d in documents
            for s in d["transaction_sets"]]
    grand = edi_posting.sum_parse_stats(documents)
    rows.append(_stats_row("TOTAL", {**grand, "control_number": ""}))
    render_rows(rows, _STATS_COLUMNS, "table")


def _stats_row(file: str, s: dict[str, Any]) -> dict[str, Any]:
    def verdict(level: str) -> str:
        value = s["balanced"][level]
        return "n/a" if value is None else "yes" if value else "no"

    return {
        "file": file, "control_number": s["control_number"], "claims": s["claims"],
        "service_lines": s["service_lines"], "adjustments": s["adjustments"],
        "plb": s["provider_adjustments"], "bpr02": s["bpr02"], "sum_clp04": s["sum_clp04"],
        "sum_plb": s["sum_plb"], "service_balanced": verdict("service"),
        "claim_balanced": verdict("claim"), "transaction_balanced": verdict("transaction"),
    }
