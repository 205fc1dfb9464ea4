"""Key an EOB: a paper EOB keyed into a form whose fields are the keyed template's, its
balancing shown while it is keyed, then previewed (the import's dry run) and posted once.

The form is the template's JSON document of one check (``edi_posting.keyed_eob_document``)
and is checked by the importer's own reader (``edi_posting.check_keyed_eob``): the form
produces the record the template file would.  The preview saves the document as a file in
the server's ``keyed_dir`` and runs ``import_files`` on it as a dry run; the Post button's
one-time token is bound to that file and its SHA-256, and posting imports exactly that
file (archived with its SHA-256, the evidence of what was keyed).  A double click posts
once; keying the same EOB again is found by the engine's own duplicate detection.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for

import edi_posting
from edi_posting.money import format_cents
from edi_posting.web import eob_form
from edi_posting.web.auth import api_session, current_login, registry
from edi_posting.web.saved import save_dir, sha256_of

__all__ = ["KeyedEobPost", "blueprint"]

blueprint = Blueprint("eob", __name__)
blueprint.context_processor(lambda: {"cents": format_cents})


@dataclass(frozen=True, slots=True)
class KeyedEobPost:
    """What a preview showed: the saved document, by its path and SHA-256."""

    path: str
    sha256: str
    check_number: str
    payer: str | None  # the payer as we know it (None: not found)
    pcns: tuple[str, ...]


@blueprint.route("/eob", methods=["GET"])
def key() -> Any:
    """A new EOB to key (for users who may import: keying is importing)."""
    layout = edi_posting.keyed_eob_form(api_session())
    return render_template("eob.html", layout=layout, check=eob_form.blank_check(layout))


@blueprint.route("/eob/form", methods=["POST"])
def redraw() -> Any:
    """The form as submitted with one more claim, line, adjustment or PLB row (the "add"
    buttons: a fragment for HTMX, the whole page without JavaScript)."""
    layout = edi_posting.keyed_eob_form(api_session())
    check = eob_form.form_check(layout, request.form)
    template = "eob_fields.html" if request.headers.get("HX-Request") else "eob.html"
    return render_template(template, layout=layout, check=check)


@blueprint.route("/eob/check", methods=["POST"])
def check() -> Any:
    """The live balancing: the form read as ``import`` would read the file (a fragment
    for HTMX; without JavaScript, the page with the form as keyed)."""
    session = api_session()
    result = edi_posting.check_keyed_eob(session, edi_posting.keyed_eob_document(request.form))
    if request.headers.get("HX-Request"):
        return render_template("eob_balance.html", result=result)
    layout = edi_posting.keyed_eob_form(session)
    return render_template("eob.html", layout=layout, result=result,
                           check=eob_form.form_check(layout, request.form))


@blueprint.route("/eob/preview", methods=["POST"])
def preview() -> Any:
    """What posting would do: the document checked, saved, and imported as a dry run.
    A document ``import`` would reject is not saved: its problems are shown to fix."""
    session = api_session()
    document = edi_posting.keyed_eob_document(request.form)
    result = edi_posting.check_keyed_eob(session, document)
    if result.errors:
        layout = edi_posting.keyed_eob_form(session)
        return render_template("eob.html", layout=layout, result=result, refused=True,
                               check=eob_form.form_check(layout, request.form)), 400
    path = _save(*edi_posting.keyed_eob_file(document))
    rehearsal = edi_posting.import_files(session, [path], dry_run=True).files[0]
    pcns = tuple(dict.fromkeys(c.pcn for c in result.claims))
    first = result.checks[0] if result.checks else None
    action = KeyedEobPost(str(path), result.sha256, first.check_number if first else "",
                          first.payer_found if first else None, pcns)
    postable = rehearsal.status not in _NOTHING_TO_POST
    token = registry().issue(current_login(), action) if postable else None
    return render_template("eob_preview.html", result=result, rehearsal=rehearsal,
                           token=token, action=action)


_NOTHING_TO_POST = frozenset({"already_imported", "rejected", "failed"})


@blueprint.route("/eob/post", methods=["POST"])
def post() -> Any:
    """Import the previewed document once; the same token again shows the first result."""
    session = api_session()
    session.authorize(edi_posting.Permission.IMPORT, "eob.post")  # before the token is spent
    token = request.form.get("token", "")
    action = registry().spend(current_login(), token, KeyedEobPost)
    if action is None:
        message = registry().repeated(current_login(), token, "This EOB")
        return render_template("eob_posted.html", lines=[message], repeated=True)
    path = Path(action.path)
    if sha256_of(path) != action.sha256:
        abort(400, "the saved EOB changed after its preview: nothing was posted; key it "
                   "and preview it again")
    done = edi_posting.import_files(session, [path]).files[0]
    first = (f"{path.name}: {done.status}, {done.posted} claim payment(s) posted, "
             f"{done.queued} queued")
    registry().record(current_login(), token, first)
    return render_template("eob_posted.html", lines=[first], repeated=False, result=done,
                           action=action, remittances=_remittances(session, action))


def _save(name: str, data: bytes) -> Path:
    """The document as a file in ``keyed_dir`` (its name carries its content's SHA-256:
    the same document saved again is the same file)."""
    directory = _keyed_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)
    return path


def _keyed_dir() -> Path:
    return save_dir("keyed_dir", "edi-posting-keyed-")



def _remittances(session: edi_posting.Session, action: KeyedEobPost) -> list[dict[str, Any]]:
    """The remittances the posted check made (``remit list`` by its payer and check
    number), each with the address of its page."""
    if not action.check_number:
        return []
    rows = edi_posting.list_remittances(session, trace=action.check_number,
                                        payer=action.payer)
    for row in rows:
        row["href"] = url_for("imports.remittance", key=row["id"])
    return rows
