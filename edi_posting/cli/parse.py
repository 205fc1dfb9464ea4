"""`edi-posting parse`: read 835 files and print what they say, without a database.

A thin layer over :func:`edi_posting.x12.remit835.parser.parse_835` (full output) and
:func:`~edi_posting.x12.remit835.parser.iter_remittances` (``--stats``, streaming: memory stays
bounded whatever the file size, one claim at a time).

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
from pathlib import Path
from typing import Any

import click

from edi_posting.archive.user_input import readable_file
from edi_posting.cli.common import echo_err, echo_json, render_rows
from edi_posting.cli.parse837 import CLAIM_SUMMARY_COLUMNS, claim_document, claim_summary_rows
from edi_posting.exit_codes import ExitCode
from edi_posting.logs import mask_phi
from edi_posting.money import format_cents
from edi_posting.records.claim import ProcedureCode
from edi_posting.records.problems import Problem, Severity
from edi_posting.records.remittance import (
    AdjustmentRecord,
    ClaimPaymentRecord,
    Party,
    RemittanceEnd,
    RemittanceRecord,
    RemittanceTotals,
    ServiceLinePaymentRecord,
)
from edi_posting.x12.remit835.parser import FileEnd, ParseResult, iter_remittances, parse_835
from edi_posting.x12.sniff import sniff_path

__all__ = ["command", "file_document", "stats_document"]

USES_APP_CONTEXT = False  # no database: `edi-posting parse` imports no SQLAlchemy (start-up)
SCHEMA_VERSION = 1
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
        readable_file(name)  # exit 66 naming the file and why, before any output
    fmt = output_format or ("table" if stats else "json")
    documents = [stats_document(n) if stats else file_document(n) for n in files]
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


# -- full output ------------------------------------------------------------------------


def file_document(path: str) -> dict[str, Any]:
    """The JSON document for one file (``_fatal`` is for the stderr summary only)."""
    if sniff_path(Path(path)).startswith("837"):
        return claim_document(path, SCHEMA_VERSION)
    result: ParseResult = parse_835(path)
    fatal = [p for p in result.problems if p.is_fatal]
    fatal += [p for r in result.remittances for p in r.problems if p.is_fatal]
    return {
        "schema_version": SCHEMA_VERSION,
        "file": path,
        "sha256": result.sha256,
        "remittances": [_remittance(r) for r in result.remittances],
        "problems": [p.to_dict() for p in result.problems],
        "rejected": result.is_rejected,
        "_fatal": fatal,
    }


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


def _remittance(r: RemittanceRecord) -> dict[str, Any]:
    payment, trace = r.header.payment, r.header.trace
    return {
        "control_number": r.control_number,
        "version": r.header.version,
        "payer": _party(r.header.payer),
        "payee": _party(r.header.payee),
        "payment": None if payment is None else {
            "handling": payment.handling_code, "amount": format_cents(payment.amount_cents),
            "credit_debit": payment.credit_debit, "method": payment.method_code,
            "format": payment.format_code, "date": _iso(payment.date),
        },
        "trace_number": trace.trace_number if trace else None,
        "payer_trace_id": trace.originator_id if trace else None,
        "production_date": _iso(r.header.production_date),
        "claims": [_claim(c) for c in r.claims],
        "provider_adjustments": [{
            "provider_id": a.provider_id, "fiscal_period_date": _iso(a.fiscal_period_date),
            "reason": a.reason_code, "reference": a.reference_id,
            "amount": format_cents(a.amount_cents), "source": _source(a.source),
        } for a in r.provider_adjustments],
        "totals": _totals(r.totals),
        "problems": [p.to_dict() for p in r.problems],
        "source": _source(r.source),
    }


def _party(party: Party | None) -> dict[str, Any] | None:
    if party is None:
        return None
    return {
        "name": party.name, "id_qualifier": party.id_qualifier, "id": party.identifier,
        "address_lines": list(party.address_lines), "city": party.city, "state": party.state,
        "postal_code": party.postal_code,
        "references": [{"qualifier": x.qualifier, "value": x.value} for x in party.references],
    }


def _claim(c: ClaimPaymentRecord) -> dict[str, Any]:
    patient = c.name("QC")
    return {
        "patient_control_number": c.patient_control_number,
        "status_code": c.status_code,
        "charge": format_cents(c.charge_cents),
        "paid": format_cents(c.paid_cents),
        "patient_responsibility": _money(c.patient_responsibility_cents),
        "filing_indicator": c.filing_indicator,
        "payer_claim_control_number": c.payer_claim_control_number,
        "patient": None if patient is None else {
            "last_name": patient.last_name, "first_name": patient.first_name,
            "id_qualifier": patient.id_qualifier, "id": patient.identifier},
        "adjustments": [_adjustment(a) for a in c.adjustments],
        "remark_codes": list(c.outpatient.remark_codes if c.outpatient else ())
        + list(c.inpatient.remark_codes if c.inpatient else ()),
        "references": [{"qualifier": x.qualifier, "value": x.value} for x in c.references],
        "dates": [{"qualifier": d.qualifier, "date": _iso(d.date)} for d in c.dates],
        "amounts": [{"qualifier": a.qualifier, "amount": _money(a.amount_cents)}
                    for a in c.amounts],
        "service_lines": [_line(x) for x in c.service_lines],
        "problems": [p.to_dict() for p in c.problems],
        "source": _source(c.source),
    }


def _line(line: ServiceLinePaymentRecord) -> dict[str, Any]:
    return {
        "procedure": _procedure(line.procedure),
        "original_procedure": _procedure(line.original_procedure),
        "charge": format_cents(line.charge_cents),
        "paid": format_cents(line.paid_cents),
        "revenue_code": line.revenue_code,
        "units": line.paid_units,
        "original_units": line.original_units,
        "service_date": _iso(line.service_date),
        "line_control_number": line.line_control_number,
        "adjustments": [_adjustment(a) for a in line.adjustments],
        "remark_codes": [{"qualifier": r.qualifier, "code": r.code} for r in line.remark_codes],
        "amounts": [{"qualifier": a.qualifier, "amount": _money(a.amount_cents)}
                    for a in line.amounts],
        "source": _source(line.source),
    }


def _procedure(code: ProcedureCode | None) -> dict[str, Any] | None:
    if code is None:
        return None
    return {"qualifier": code.qualifier, "code": code.code, "modifiers": list(code.modifiers)}


def _adjustment(a: AdjustmentRecord) -> dict[str, Any]:
    return {"group": a.group_code, "reason": a.reason_code,
            "amount": format_cents(a.amount_cents), "quantity": a.quantity}


def _money(cents: int | None) -> str | None:
    return None if cents is None else format_cents(cents)


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def _source(source: Any) -> dict[str, Any]:
    return {"segment_position": source.segment_position}


def _totals(t: RemittanceTotals) -> dict[str, Any]:
    return {
        "claims": t.claim_count, "service_lines": t.service_line_count,
        "adjustments": t.adjustment_count, "provider_adjustments": t.provider_adjustment_count,
        "bpr02": format_cents(t.payment_cents), "sum_clp04": format_cents(t.claim_paid_cents),
        "sum_plb": format_cents(t.provider_adjustment_cents),
        "balanced": {
            "service": t.unbalanced_service_lines == 0,
            "claim": t.unbalanced_claims == 0,
            "transaction": t.is_transaction_balanced,
        },
        "unbalanced_service_lines": t.unbalanced_service_lines,
        "unbalanced_claims": t.unbalanced_claims,
    }


# -- --stats --------------------------------------------------------------------------


def stats_document(path: str) -> dict[str, Any]:
    """Counts, sums and balancing per transaction set, streaming (no claim is kept)."""
    sets: list[dict[str, Any]] = []
    totals: list[RemittanceTotals] = []
    fatal: list[Problem] = []
    counts = {s.value: 0 for s in Severity}
    usable, sha256 = False, ""
    for event in iter_remittances(path):
        if isinstance(event, RemittanceEnd):
            sets.append({"control_number": event.header.transaction_set_control_number,
                         **_totals(event.totals)})
            totals.append(event.totals)
            usable = usable or event.is_usable
            _count(event.problems, counts, fatal)
        elif isinstance(event, ClaimPaymentRecord):
            if event.problems:
                _count(event.problems, counts, fatal)
        elif isinstance(event, FileEnd):
            sha256 = event.sha256
            _count(event.problems, counts, fatal)
    return {
        "schema_version": SCHEMA_VERSION, "file": path, "sha256": sha256,
        "transaction_sets": sets, "totals": _sum_totals(totals), "problem_counts": counts,
        "rejected": not usable, "_fatal": fatal, "_totals": totals,
    }


def _count(problems: Iterable[Problem], counts: dict[str, int], fatal: list[Problem]) -> None:
    for problem in problems:
        counts[problem.severity.value] += 1
        if problem.is_fatal:
            fatal.append(problem)


def _sum_totals(totals: list[RemittanceTotals]) -> dict[str, Any]:
    verdicts = [t.is_transaction_balanced for t in totals]
    transaction = (False if False in verdicts else None if None in verdicts else True)
    return {
        "transaction_sets": len(totals),
        "claims": sum(t.claim_count for t in totals),
        "service_lines": sum(t.service_line_count for t in totals),
        "adjustments": sum(t.adjustment_count for t in totals),
        "provider_adjustments": sum(t.provider_adjustment_count for t in totals),
        "bpr02": format_cents(sum(t.payment_cents for t in totals)),
        "sum_clp04": format_cents(sum(t.claim_paid_cents for t in totals)),
        "sum_plb": format_cents(sum(t.provider_adjustment_cents for t in totals)),
        "balanced": {
            "service": all(t.unbalanced_service_lines == 0 for t in totals),
            "claim": all(t.unbalanced_claims == 0 for t in totals),
            "transaction": transaction,
        },
        "unbalanced_service_lines": sum(t.unbalanced_service_lines for t in totals),
        "unbalanced_claims": sum(t.unbalanced_claims for t in totals),
    }


def _print_stats(documents: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "jsonl":
        for document in documents:
            click.echo(json.dumps(_public(document), separators=(",", ":")))
        return
    if fmt == "json":
        public = [_public(d) for d in documents]
        echo_json(public[0] if len(public) == 1 else {
            "schema_version": SCHEMA_VERSION, "files": public,
            "totals": _sum_totals([t for d in documents for t in d["_totals"]])})
        return
    rows = [_stats_row(os.path.basename(d["file"]), s) for d in documents
            for s in d["transaction_sets"]]
    grand = _sum_totals([t for d in documents for t in d["_totals"]])
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
