"""Uploading files to import: saved on the server, imported first as a dry run (what each
file and set would post and queue, its problems), then posted once.

The preview's one-time token carries the saved files' paths and SHA-256s
(:class:`UploadAction`); posting spends the token, checks every file on disk still has the
SHA-256 that was previewed (else nothing posts), and imports them.  A double click or a
refresh posts nothing again, and the importer itself posts a file's content only once.
Who may upload is the API's ``import`` permission, asked before anything is saved.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

import edi_posting
from edi_posting.records.states import FileStatus
from edi_posting.web.auth import api_session, current_login, registry
from edi_posting.web.saved import save_dir, sha256_of

__all__ = ["UploadAction", "blueprint"]

blueprint = Blueprint("uploads", __name__)


@dataclass(frozen=True, slots=True)
class UploadAction:
    """The files a preview imported as a dry run: (path on the server, SHA-256) each."""

    files: tuple[tuple[str, str], ...]


@blueprint.route("/imports/upload")
def upload_form() -> Any:
    """The upload form (for the roles that import; others get 403)."""
    api_session().authorize(edi_posting.Permission.IMPORT, "import.upload")
    return render_template("upload_preview.html", results=None)


@blueprint.route("/imports/upload", methods=["POST"])
def preview() -> Any:
    """Save the uploaded files and show what importing them would do (a dry run)."""
    session = api_session()
    session.authorize(edi_posting.Permission.IMPORT, "import.upload")
    uploads = [f for f in request.files.getlist("files") if f.filename]
    if not uploads:
        abort(400, "choose at least one file to upload")
    action = UploadAction(tuple(_save(f) for f in uploads))
    result = edi_posting.preview_import(session, [p for p, _ in action.files])
    token = registry().issue(current_login(), action)
    return render_template("upload_preview.html", results=_shown(result), token=token,
                           dry_run=True)


@blueprint.route("/imports/upload/post", methods=["POST"])
def post() -> Any:
    """Import the previewed files once; the same token again shows the first result."""
    api_session().authorize(edi_posting.Permission.IMPORT, "import.upload")
    token = request.form.get("token", "")
    action = registry().spend(current_login(), token, UploadAction)
    if action is None:
        message = registry().repeated(current_login(), token, "This upload")
        return render_template("upload_preview.html", results=None, repeated=message)
    changed = [Path(p).name for p, sha in action.files if sha256_of(Path(p)) != sha]
    if changed:
        abort(400, f"{', '.join(changed)} changed on the server since the preview: "
                   "nothing was posted; upload the files again")
    result = edi_posting.import_files(api_session(), [p for p, _ in action.files])
    _discard(action)
    shown = _shown(result)
    registry().record(current_login(), token, _first_line(shown))
    return render_template("upload_preview.html", results=shown, dry_run=False)


@blueprint.app_errorhandler(RequestEntityTooLarge)
def too_large(exc: RequestEntityTooLarge) -> tuple[str, int]:
    limit = current_app.extensions["edi_posting.settings"].upload_max_mb
    return render_template("error.html", title="Upload too large", message=(
        f"the upload is larger than the {limit} MB this server accepts: nothing was saved; "
        "upload fewer or smaller files at a time")), 413


def _save(upload: FileStorage) -> tuple[str, str]:
    """Save one file in a directory of its own (two uploads of one name never collide)
    under the file's own name, which the import records; (its path, its SHA-256)."""
    folder = _upload_root() / secrets.token_hex(8)
    folder.mkdir(parents=True)
    target = folder / (secure_filename(upload.filename or "") or "upload")
    upload.save(target)
    return str(target), sha256_of(target)


def _discard(action: UploadAction) -> None:
    """Remove the imported files from the upload directory: the archive keeps their bytes
    (with their SHA-256), and a copy left on the server's disk would be PHI kept twice."""
    for path, _ in action.files:
        saved = Path(path)
        saved.unlink(missing_ok=True)
        try:
            saved.parent.rmdir()
        except OSError:
            pass  # not empty or already gone: left as it is


def _upload_root() -> Path:
    return save_dir("upload_dir", "edi-posting-uploads-")




def _shown(result: edi_posting.ImportResult) -> list[dict[str, Any]]:
    """Per file: its figures, problems (segment position, element) and plan as the
    importer reports them, and whether it is a re-upload that posts nothing."""
    return [r.to_dict() | {"name": Path(r.path).name, "set_statuses": r.set_statuses,
                           "again": r.status == FileStatus.ALREADY_IMPORTED}
            for r in result.files]


def _first_line(shown: list[dict[str, Any]]) -> str:
    return "; ".join(f"{f['name']}: {f['status']}, {f['posted']} posted, "
                     f"{f['queued']} queued" for f in shown)
