"""`edi-posting import`: archive, parse and post 837 and 835 files and keyed paper EOBs."""

from __future__ import annotations

from pathlib import Path

import click

import edi_posting
from edi_posting.cli.common import CliError, echo_err, echo_json, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode
from edi_posting.records.states import FileStatus

__all__ = ["command"]


@click.command(
    "import",
    epilog="""\b
Example:
  edi-posting import claims/2026-03-01.837 remits/
  edi-posting import --dry-run remit.835
  edi-posting import --validate --format json remits/""",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@click.option("--dry-run", is_flag=True, envvar="EDI_POSTING_DRY_RUN", show_envvar=True,
              help="Parse and post inside a transaction that is rolled back: writes nothing.")
@click.option("--archive-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              envvar="EDI_POSTING_ARCHIVE_DIR", show_envvar=True,
              help="Keep received files here (named by SHA-256) instead of in the database.")
@click.option("--account-pattern", default=None, envvar="EDI_POSTING_ACCOUNT_PATTERN",
              show_envvar=True, metavar="REGEX",
              help="Regular expression with a group named 'account' that finds the practice's "
                   "account number inside CLM01.")
@click.option("--validate", is_flag=True, envvar="EDI_POSTING_VALIDATE", show_envvar=True,
              help="Run pyx12's implementation-guide validation first, keep the 999/TA1 with "
                   "the file, and post nothing from a transaction set it rejects.")
@format_option(("table", "json"))
@click.pass_obj
def command(app: AppContext, paths: tuple[Path, ...], dry_run: bool, archive_dir: Path | None,
            account_pattern: str | None, validate: bool, output_format: str) -> None:
    """Import files or directories (837s before 835s); re-importing posts nothing."""
    # every file readable (or exit 66) before anything is done, the database included
    files = edi_posting.expand_paths(paths)
    imported = app.call(edi_posting.import_files, app.session(), files, dry_run=dry_run,
                        archive_dir=archive_dir, account_pattern=account_pattern,
                        validate=validate, progress=_would if dry_run else echo_err)
    render_results(imported, output_format, dry_run=dry_run)
    results = imported.files
    failed = sum(r.status == FileStatus.FAILED for r in results)
    if failed:
        raise CliError(f"{failed} file(s) failed with an internal error (the other files were "
                       "imported); rerun with EDI_POSTING_DEBUG=1 for the traceback",
                       ExitCode.SOFTWARE)
    rejected = sum(r.status in (FileStatus.REJECTED, FileStatus.PARTIAL) for r in results)
    if rejected:
        raise CliError(f"{rejected} file(s) rejected in whole or in part", ExitCode.DATA_ERROR)


_WOULD = (("importing ", "would import "), (": imported, ", ": would import, "),
          (" posted, ", " would post, "), (" queued", " would queue"))


def _would(message: str) -> None:
    """A dry run's progress says what would happen: nothing was imported or posted."""
    for done, would in _WOULD:
        message = message.replace(done, would)
    echo_err(message)


def render_results(summary: edi_posting.ImportResult, output_format: str,
                   show_problems: bool = True, dry_run: bool = False) -> None:
    """The summary table (or JSON document) of an import; problems on stderr.  A dry run's
    table says "would import" / "would post": nothing was written."""
    results = summary.files
    if output_format == "json":
        echo_json({"files": [r.to_dict() for r in results], "totals": summary.totals(),
                   **({"dry_run": True} if dry_run else {})})
        return
    posted, queued = ("would post", "would queue") if dry_run else ("posted", "queued")
    rows = [{**r.to_dict(), "file": Path(r.path).name, "problems": len(r.problems),
             "paid": r.to_dict()["payment_total"], "unapplied": r.to_dict()["unapplied_total"],
             posted: r.posted, queued: r.queued,
             "status": _status(r.status, dry_run)} for r in results]
    render_rows(rows, ["file", "kind", "status", "transaction_sets", "claims", posted,
                       queued, "paid", "unapplied", "problems"], "table")
    for result in results:
        if result.plan:
            _render_plan(result)
    if not show_problems:
        return
    for result in results:
        for problem in result.problems:
            if problem.message.startswith(f"{Path(result.path).name}: row "):  # a CSV row's
                echo_err(f"{problem.severity.value} {problem.code}: {problem.message}")
                continue  # problem names its file, row and column itself
            where = f" {problem.source.where}" if problem.source and \
                problem.source.position else ""  # a segment, or a keyed EOB's row
            element = f" {problem.element}" if problem.element else ""
            echo_err(f"{Path(result.path).name}:{where}{element}: {problem.severity.value} "
                     f"{problem.code}: {problem.message}")


def _status(status: str, dry_run: bool) -> str:
    return "would import" if dry_run and status == FileStatus.IMPORTED else status


def _render_plan(result: edi_posting.FileResult) -> None:
    """--dry-run: per claim payment, the entries that would post and the items that open."""
    click.echo(f"\n{Path(result.path).name} (dry run, nothing written):")
    rows = []
    for step in result.plan:
        lines = [f"{line['account']} {line['amount']}" for entry in step["entries"]
                 for line in entry["lines"]]
        rows.append({"claim": step.get("claim") or "(remittance)",
                     "status": step.get("status_code", ""), "paid": step.get("paid", ""),
                     "decision": _decision(step["decision"]), "entries": "; ".join(lines),
                     "reviews": ", ".join(step["reviews"])})
    render_rows(rows, ["claim", "status", "paid", "decision", "entries", "reviews"], "table")


def _decision(decision: str) -> str:
    """The plan's decision as what would happen (a dry run posted nothing)."""
    return "would post" if decision == "posted" else decision
