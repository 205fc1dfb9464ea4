"""The reconciliation screen: a day's (or a range's) deposits beside the remittances and
received payments awaiting them, a bank file's upload, and the reconcile run.

Both writes follow the case screen's pattern: a preview runs the API call with
``dry_run=True`` (what the file would add, what the run would match and queue) and hands
out a one-time token kept on the server with exactly what was previewed (the file's bytes
and mapping, the run's range and window); the post spends the token, so a double click,
a refresh or a replayed form posts nothing a second time and shows what the first did.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, render_template, request
from werkzeug.datastructures import MultiDict
from werkzeug.utils import secure_filename

import edi_posting
from edi_posting.money import format_cents
from edi_posting.web.auth import api_session, current_login, registry
from edi_posting.web.params import day

__all__ = ["BankUpload", "ReconcileRun", "blueprint"]

blueprint = Blueprint("reconcile", __name__)


@dataclass(frozen=True, slots=True)
class BankUpload:
    """A bank file as previewed: its name, its bytes and the CSV mapping to read it by."""

    file_name: str
    data: bytes
    mapping: str


@dataclass(frozen=True, slots=True)
class ReconcileRun:
    """A reconcile run as previewed: the range (None: open-ended) and the window."""

    date_from: dt.date | None
    date_to: dt.date | None
    window_days: int | None


@blueprint.route("/reconcile")
def reconcile_page() -> Any:
    """Both sides of the bank for the range (``?date=`` or ``?from=&to=``; all by
    default), with the upload and reconcile forms for the roles that may use them."""
    date_from, date_to = _range(request.args)
    view = edi_posting.reconciliation_view(api_session(), date_from=date_from,
                                           date_to=date_to)
    login = current_login()
    return render_template("reconcile.html", view=view, args=request.args,
                           mappings=edi_posting.deposit_mappings(),
                           may_import=login.may("import"), may_resolve=login.may("resolve"))


@blueprint.route("/reconcile/upload/preview", methods=["POST"])
def upload_preview() -> Any:
    """What the bank file would add (its dry run), and the button that imports it."""
    upload = request.files.get("file")
    data = upload.read() if upload is not None else b""
    if upload is None or not data:
        abort(400, "choose a bank file (BAI2 or CSV) to upload")
    action = BankUpload(secure_filename(upload.filename or "") or "bank-file", data,
                        request.form.get("mapping") or "demo")
    [result] = _import(action, dry_run=True)
    token = registry().issue(current_login(), action) \
        if not result.rejected and result.added else None
    return render_template("deposit.html", mode="upload", upload=result,
                           lines=_imported(result, dry_run=True), token=token)


@blueprint.route("/reconcile/upload/post", methods=["POST"])
def upload_post() -> Any:
    """Import the previewed file once; the same token again shows the first result."""
    token = request.form.get("token", "")
    action = registry().spend(current_login(), token, BankUpload)
    if action is None:
        return _repeated(token)
    [result] = _import(action, dry_run=False)
    lines = _imported(result, dry_run=False)
    registry().record(current_login(), token, lines[0])
    return render_template("deposit.html", mode="posted", lines=lines, repeated=False)


@blueprint.route("/reconcile/run/preview", methods=["POST"])
def run_preview() -> Any:
    """What reconcile would match and queue for the range (its dry run), and the button
    that posts it."""
    date_from, date_to = _range(request.form)
    window = _whole(request.form.get("window_days"), "window days")
    action = ReconcileRun(date_from, date_to, window)
    result = edi_posting.reconcile(api_session(), date_from=date_from, date_to=date_to,
                                   window_days=window, dry_run=True)
    token = registry().issue(current_login(), action)
    return render_template("deposit.html", mode="reconcile", run=result, action=action,
                           lines=[_summary(result, dry_run=True)], token=token)


@blueprint.route("/reconcile/run/post", methods=["POST"])
def run_post() -> Any:
    """Post the previewed run once; the same token again shows the first result."""
    token = request.form.get("token", "")
    action = registry().spend(current_login(), token, ReconcileRun)
    if action is None:
        return _repeated(token)
    result = edi_posting.reconcile(api_session(), date_from=action.date_from,
                                   date_to=action.date_to, window_days=action.window_days)
    lines = [_summary(result, dry_run=False)]
    registry().record(current_login(), token, lines[0])
    return render_template("deposit.html", mode="posted", run=result, lines=lines,
                           repeated=False)


def _repeated(token: str) -> Any:
    message = registry().repeated(current_login(), token, "This")
    return render_template("deposit.html", mode="posted", lines=[message], repeated=True)


def _import(action: BankUpload, *, dry_run: bool) -> list[edi_posting.DepositImport]:
    """The upload imported from a private temporary copy under its own name (the name is
    what ``received_files`` and ``deposits list`` show)."""
    with tempfile.TemporaryDirectory(prefix="edi-posting-upload-") as folder:
        path = Path(folder) / action.file_name
        path.write_bytes(action.data)
        return edi_posting.import_deposits(api_session(), [path], mapping=action.mapping,
                                           dry_run=dry_run)


def _imported(result: edi_posting.DepositImport, *, dry_run: bool) -> list[str]:
    if result.rejected:
        said = f"{result.file_name}: rejected, nothing {'would be ' if dry_run else ''}stored"
    else:
        verb = "would add" if dry_run else "added"
        said = (f"{result.file_name} ({result.format}): {result.read} bank line(s) read, "
                f"{verb} {result.added} ({format_cents(result.total_cents)}), "
                f"{result.known} known already")
    return [said] + [f"{p.severity.value} {p.code}: {p.message}" for p in result.problems]


def _summary(result: edi_posting.ReconcileResult, *, dry_run: bool) -> str:
    opened = ", ".join(f"{n} {kind}" for kind, n in sorted(result.opened.items())) or "none"
    would = "would post" if dry_run else "posted"
    return (f"reconcile as of {result.as_of} ({result.window_days} business days) {would} "
            f"{len(result.matches)} match(es); review items "
            f"{'to open' if dry_run else 'opened'}: {opened}; closed: {result.closed}"
            f"{f'; returned items queued: {result.returned}' if result.returned else ''}")


def _range(args: MultiDict[str, str]) -> tuple[dt.date | None, dt.date | None]:
    """``date``, or ``from``/``to`` (both at once, or a day that is not one: 400)."""
    on, start, end = (day(args.get(k), k) for k in ("date", "from", "to"))
    if on is not None and (start is not None or end is not None):
        abort(400, "a date, or from and to, not both")
    if on is not None:
        return on, on
    if start is not None and end is not None and start > end:
        abort(400, f"from {start} is after to {end}")
    return start, end



def _whole(value: str | None, what: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        abort(400, f"{what}: {value!r} is not a whole number")
    return int(value)
