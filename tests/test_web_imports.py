"""The workbench's received files, upload and remittance screens: every route for every
role (allowed and audited, or refused with 403 and nothing written), files previewed by
a dry run and posted once, and the remittance's way back to its file and claims."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import func, select

import edi_posting
from edi_posting.cli import main
from edi_posting.db.models import JournalEntry, ReceivedFile
from edi_posting.web.app import create_app
from edi_posting.web.settings import WebSettings
from tests.test_web_login import Web, csrf, web  # noqa: F401  (the fixture)
from tests.x12build import build_x12
from tests.x835 import Practice, clp, remit, svc

ROLES = ("ada", "sam", "pat", "leo", "aud")
MAY_IMPORT = {"ada", "pat"}
_TOKEN = re.compile(r'name="token" value="([^"]+)"')


def _paid(pcn: str = "PCN1", trace: str = "TRACE1", control: str = "000000901") -> str:
    """An 835 paying PCN1's 100.00 visit 80.00 (20.00 contractual)."""
    return build_x12(remit("80", clp(pcn, "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20")), trace=trace),
                     interchange_control=control)


def _unbalanced() -> str:
    """CLP04 80.00 but the service paid 70.00: the claim does not balance."""
    return build_x12(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "70", "CO*45*30")), trace="TRACE2"),
                     interchange_control="000000902")


def _posted(practice: Practice) -> int:
    """PCN1 billed, then paid by a file of its own: that file's id."""
    practice.bill(("PCN1", (("HC:99213", "100"),)))
    practice.import_text(_paid(), "paid.835")
    return _file_id(practice, "paid.835")


def _file_id(practice: Practice, suffix: str) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(select(ReceivedFile.id).where(
            ReceivedFile.file_name.like(f"%{suffix}"))).scalar_one())


def _remittance_id(as_user: Any) -> str:
    return str(edi_posting.list_remittances(as_user("ada"))[0]["id"])


def _count(practice: Practice, table: Any) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _upload(client: FlaskClient, *files: tuple[str, str], token: str | None = None) -> Any:
    data: dict[str, Any] = {"files": [(io.BytesIO(text.encode()), name) for name, text in files]}
    if token is not None:
        data["csrf_token"] = token
    return client.post("/imports/upload", data=data, content_type="multipart/form-data")


def _once(page: str) -> str:
    match = _TOKEN.search(page)
    assert match is not None, page
    return match.group(1)


def _app(web: Web, database_url: str, **settings: Any) -> None:  # noqa: F811
    """The workbench again, with other settings (a small page, a small upload limit)."""
    web.app.extensions["edi_posting.server"].close()
    web.app = create_app(database_url, WebSettings(secure_cookies=False,
                                                   clock=lambda: web.now[0], **settings))


@pytest.mark.parametrize("name", ROLES)
def test_every_role_reads_the_files_and_remittances_screens_and_each_read_is_audited(
        web: Web, practice: Practice, as_user: Any, name: str) -> None:  # noqa: F811
    file_id = _posted(practice)
    remittance = _remittance_id(as_user)
    client = web.login(name)
    for path in ("/imports", f"/imports/{file_id}", "/remittances",
                 f"/remittances/{remittance}"):
        assert client.get(path).status_code == 200, path
    assert web.audited("files.list")[-1] == (name, "ok", None)
    assert web.audited("files.show")[-1] == (name, "ok", str(file_id))
    assert web.audited("remit.list")[-1] == (name, "ok", None)
    assert web.audited("remit.show")[-1] == (name, "ok", remittance)
    nav = client.get("/queue").text
    assert 'href="/imports">Imports</a>' in nav and 'href="/remittances">Remittances</a>' in nav


def test_the_files_list_shows_each_file_with_its_sets_totals_and_balancing(
        web: Web, practice: Practice) -> None:  # noqa: F811
    file_id = _posted(practice)
    page = web.login("sam").get("/imports").text
    assert "2 files · page 1 of 1" in page
    row = page[page.index(f'data-file-id="{file_id}"'):].split("</tr>")[0]
    for shown in ("835", "paid.835", "tester", "imported", "835 0001: posted, 80.00, balanced"):
        assert shown in row, shown
    with practice.engine.connect() as conn:
        sha = conn.execute(select(ReceivedFile.sha256).where(
            ReceivedFile.id == file_id)).scalar_one()
    assert f">{sha[:12]}</code>" in row


def test_the_files_list_filters_by_kind_status_and_day_and_pages(
        web: Web, practice: Practice, database_url: str) -> None:  # noqa: F811
    file_id = _posted(practice)
    client = web.login("sam")
    only_835 = client.get("/imports?kind=835").text
    assert "1 file · page 1 of 1" in only_835 and f'data-file-id="{file_id}"' in only_835
    assert "0 files" in client.get("/imports?status=rejected").text
    assert "0 files" in client.get("/imports?to=2000-01-01").text
    assert "2 files" in client.get("/imports?from=2000-01-01").text
    _app(web, database_url, per_page=1)
    client = web.login("sam")
    first = client.get("/imports").text
    assert "page 1 of 2" in first and 'data-test="next-page" href="/imports?page=2"' in first
    second = client.get("/imports?page=2").text
    assert "page 2 of 2" in second and 'data-test="prev-page"' in second


@pytest.mark.parametrize("query", ["kind=836", "status=lost", "from=yesterday", "page=x"])
def test_a_mistyped_filter_is_a_400_page_not_an_empty_list(
        web: Web, practice: Practice, query: str) -> None:  # noqa: F811
    response = web.login("sam").get(f"/imports?{query}")
    assert response.status_code == 400
    assert "Not possible" in response.text


def test_a_files_page_shows_its_problems_by_segment_and_element_and_the_items_it_opened(
        web: Web, practice: Practice) -> None:  # noqa: F811
    practice.bill(("PCN1", (("HC:99213", "100"),)))
    practice.import_text(_unbalanced(), "short.835")
    file_id = _file_id(practice, "short.835")
    page = web.login("sam").get(f"/imports/{file_id}").text
    assert "SERVICE_UNBALANCED" in page or "CLAIM_UNBALANCED" in page
    problems = page[page.index('id="file-problems"'):page.index('id="file-remittances"')]
    assert re.search(r"<td>segment \d+ \(ST02 0001\)</td>", problems), problems
    sets = page[page.index('id="file-sets"'):page.index('id="file-problems"')]
    assert "unbalanced: " in sets
    items = page[page.index('id="file-items"'):]
    assert "balancing_failure" in items or "claim_problem" in items
    assert re.search(r'href="/case/\d+"', items)
    assert 'href="/remittances/' in page


def test_a_claim_files_page_links_its_claims(web: Web, practice: Practice) -> None:  # noqa: F811
    practice.bill(("PCN7", (("HC:99213", "100"),)))
    file_id = _file_id(practice, "claims.837")
    page = web.login("aud").get(f"/imports/{file_id}").text
    assert re.search(r'href="/claim/PCN7\?id=\d+">PCN7</a>', page)
    assert "837P 0001: " in web.login("aud").get("/imports").text


def test_an_unknown_file_is_a_404(web: Web, practice: Practice) -> None:  # noqa: F811
    assert web.login("sam").get("/imports/999999").status_code == 404


@pytest.mark.parametrize("name", ROLES)
def test_only_the_roles_that_import_may_upload_and_a_refusal_is_audited_and_saves_nothing(
        web: Web, practice: Practice, name: str) -> None:  # noqa: F811
    client = web.login(name)
    form = client.get("/imports/upload")
    preview = _upload(client, ("paid.835", _paid()), token=csrf(client, "/imports"))
    if name in MAY_IMPORT:
        assert form.status_code == 200 and 'id="upload-form"' in form.text
        assert preview.status_code == 200 and 'id="upload-post"' in preview.text
        assert 'id="upload-link"' in client.get("/imports").text
        assert _count(practice, ReceivedFile) == 0  # the preview writes nothing
        return
    replay = web.login("pat")
    theirs = _once(_upload(replay, ("paid.835", _paid()), token=csrf(replay, "/imports")).text)
    post = client.post("/imports/upload/post", data={"csrf_token": csrf(client, "/imports"),
                                                     "token": theirs})
    assert (form.status_code, preview.status_code, post.status_code) == (403, 403, 403)
    assert "permission denied (import)" in preview.text
    assert web.audited("import.upload") == [(name, "refused", None)] * 3
    assert 'id="upload-link"' not in client.get("/imports").text
    assert _count(practice, ReceivedFile) == 0


def test_a_token_from_another_login_posts_nothing(web: Web, practice: Practice) -> None:  # noqa: F811
    pat = web.login("pat")
    once = _once(_upload(pat, ("paid.835", _paid()), token=csrf(pat, "/imports")).text)
    ada = web.login("ada")
    replay = ada.post("/imports/upload/post", data={"csrf_token": csrf(ada, "/imports"),
                                                    "token": once})
    assert replay.status_code == 200 and "nothing was posted again" in replay.text
    assert _count(practice, ReceivedFile) == 0


def test_an_upload_without_its_csrf_token_is_refused(web: Web, practice: Practice) -> None:  # noqa: F811
    client = web.login("pat")
    assert _upload(client, ("paid.835", _paid())).status_code == 400
    assert client.post("/imports/upload/post", data={"token": "x"}).status_code == 400
    assert _count(practice, ReceivedFile) == 0


def test_an_upload_is_previewed_by_its_dry_run_then_posted_once(
        web: Web, practice: Practice) -> None:  # noqa: F811
    practice.bill(("PCN1", (("HC:99213", "100"),)))
    client = web.login("pat")
    token = csrf(client, "/imports")
    files, entries = _count(practice, ReceivedFile), _count(practice, JournalEntry)
    preview = _upload(client, ("paid.835", _paid()), token=token)
    assert "Dry run: nothing was written yet" in preview.text
    assert "paid.835 (835): would import" in preview.text
    assert "1 would post" in preview.text and "paid 80.00" in preview.text
    assert "<td>PCN1</td>" in preview.text
    assert (_count(practice, ReceivedFile), _count(practice, JournalEntry)) == (files, entries)
    assert web.audited("import.preview") == [("pat", "ok", _sha(_paid()))]
    once = _once(preview.text)
    first = client.post("/imports/upload/post", data={"csrf_token": token, "token": once})
    second = client.post("/imports/upload/post", data={"csrf_token": token, "token": once})
    assert first.status_code == 200 and "paid.835 (835): imported" in first.text
    assert "1 posted" in first.text
    assert "Already posted: paid.835: imported, 1 posted, 0 queued" in second.text
    assert _count(practice, ReceivedFile) == files + 1
    assert _count(practice, JournalEntry) == entries + 1
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert web.audited("import.file")[-1] == ("pat", "ok", _sha_of(practice, "paid.835"))
    assert web.audited("import.upload") == []  # allowed: only refusals are recorded
    practice.check()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _sha_of(practice: Practice, suffix: str) -> str:
    with practice.engine.connect() as conn:
        return str(conn.execute(select(ReceivedFile.sha256).where(
            ReceivedFile.file_name.like(f"%{suffix}"))).scalar_one())


def test_a_reupload_previews_already_imported_and_posts_nothing(
        web: Web, practice: Practice) -> None:  # noqa: F811
    _posted(practice)
    client = web.login("pat")
    token = csrf(client, "/imports")
    entries = _count(practice, JournalEntry)
    preview = _upload(client, ("again.835", _paid()), token=token)
    assert "already imported: nothing would post" in preview.text
    posted = client.post("/imports/upload/post",
                         data={"csrf_token": token, "token": _once(preview.text)})
    assert "already imported" in posted.text
    assert _count(practice, JournalEntry) == entries


def test_several_files_upload_at_once_claims_first(
        web: Web, practice: Practice) -> None:  # noqa: F811
    from tests.x837 import HEADER, claim, subscriber
    body = HEADER.split("~", 1)[1] + subscriber(2) + claim("PCN1", ("HC:99213", "100"))
    bill = build_x12(body, functional_id="HC", transaction_id="837", version="005010X222A1",
                     interchange_control="000000777")
    client = web.login("pat")
    token = csrf(client, "/imports")
    preview = _upload(client, ("paid.835", _paid()), ("bill.837", bill), token=token)
    assert preview.text.index("bill.837 (837P)") < preview.text.index("paid.835 (835)")
    client.post("/imports/upload/post", data={"csrf_token": token, "token": _once(preview.text)})
    assert practice.balances("PCN1") == ("0.00", "0.00")
    practice.check()


def test_a_file_changed_on_the_server_after_its_preview_posts_nothing(
        web: Web, practice: Practice, tmp_path: Path, database_url: str) -> None:  # noqa: F811
    _app(web, database_url, upload_dir=tmp_path / "uploads")
    client = web.login("pat")
    token = csrf(client, "/imports")
    preview = _upload(client, ("paid.835", _paid()), token=token)
    (saved,) = (tmp_path / "uploads").glob("*/paid.835")
    saved.write_text(_paid(trace="OTHER"))
    posted = client.post("/imports/upload/post",
                         data={"csrf_token": token, "token": _once(preview.text)})
    assert posted.status_code == 400
    assert "paid.835 changed on the server since the preview: nothing was posted" in posted.text
    assert _count(practice, ReceivedFile) == 0


def test_posted_files_leave_the_upload_directory_the_archive_keeps_them(
        web: Web, practice: Practice, tmp_path: Path, database_url: str) -> None:  # noqa: F811
    uploads = tmp_path / "uploads"
    _app(web, database_url, upload_dir=uploads)
    client = web.login("pat")
    token = csrf(client, "/imports")
    preview = _upload(client, ("paid.835", _paid()), token=token)
    assert len(list(uploads.glob("*/paid.835"))) == 1
    client.post("/imports/upload/post", data={"csrf_token": token, "token": _once(preview.text)})
    assert list(uploads.iterdir()) == []
    with practice.engine.connect() as conn:
        kept = conn.execute(select(ReceivedFile.content)).scalar_one()
    assert kept == _paid().encode()


def test_a_bad_file_gets_the_engines_message_by_segment_and_element_never_a_traceback(
        web: Web, practice: Practice) -> None:  # noqa: F811
    broken = _paid().replace("BPR*I*80*C*", "BPR*I*8O*C*")
    client = web.login("pat")
    preview = _upload(client, ("broken.835", broken), ("notes.txt", "hello"),
                      token=csrf(client, "/imports"))
    assert preview.status_code == 200 and "Traceback" not in preview.text
    assert "broken.835 (835): would import" in preview.text  # held, with its problem
    assert re.search(r"<td>INVALID_AMOUNT</td><td>segment 4</td>\s*<td>BPR02</td>"
                     r"<td>BPR02: not an amount: &#39;8O&#39;", preview.text), preview.text
    assert "notes.txt (unknown): rejected" in preview.text


def test_an_upload_larger_than_the_setting_gets_a_413_page(
        web: Web, practice: Practice, database_url: str) -> None:  # noqa: F811
    _app(web, database_url, upload_max_mb=1)
    client = web.login("pat")
    big = "X" * (1024 * 1024 + 1)
    response = _upload(client, ("big.835", big), token=csrf(client, "/imports"))
    assert response.status_code == 413
    assert "larger than the 1 MB this server accepts: nothing was saved" in response.text
    assert _count(practice, ReceivedFile) == 0


def test_a_remittance_page_links_its_claims_plb_deposit_and_file(
        web: Web, practice: Practice, as_user: Any) -> None:  # noqa: F811
    file_id = _posted(practice)
    remittance = _remittance_id(as_user)
    page = web.login("sam").get(f"/remittances/{remittance}").text
    assert "TRACE1" in page and "ACME HEALTH" in page and "80.00" in page
    assert re.search(r'href="/claim/PCN1\?id=\d+">PCN1</a>', page)
    assert "Not met by a deposit yet" in page
    assert f'href="/imports/{file_id}">' in page
    by_trace = web.login("sam").get("/remittances/TRACE1")
    assert by_trace.status_code == 200
    assert web.login("sam").get("/remittances/NOPE").status_code == 404


def test_the_remittances_list_filters_by_payer_and_day_and_pages(
        web: Web, practice: Practice, database_url: str) -> None:  # noqa: F811
    practice.bill(("PCN1", (("HC:99213", "100"),)), ("PCN2", (("HC:99213", "100"),)))
    practice.import_text(_paid(), "one.835")
    practice.import_text(_paid("PCN2", "TRACE2", "000000903"), "two.835")
    client = web.login("sam")
    assert client.get("/remittances").text.count('data-test="remittance-row"') == 2
    assert client.get("/remittances?payer=acme").text.count('data-test="remittance-row"') == 2
    assert "No remittance matches" in client.get("/remittances?payer=nobody").text
    assert "No remittance matches" in client.get("/remittances?to=2026-03-09").text
    assert client.get("/remittances?from=2026-03-10").text.count("remittance-row") == 2
    assert client.get("/remittances?from=soon").status_code == 400
    _app(web, database_url, per_page=1)
    client = web.login("sam")
    first = client.get("/remittances").text
    assert first.count("remittance-row") == 1 and "TRACE1" in first and "next-page" in first
    second = client.get("/remittances?page=2").text
    assert "TRACE2" in second and "next-page" not in second and "prev-page" in second


def test_serve_help_gives_the_upload_options_and_their_environment_twins() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for text in ("--upload-dir", "EDI_POSTING_SERVE_UPLOAD_DIR", "--upload-max-mb",
                 "EDI_POSTING_SERVE_UPLOAD_MAX_MB", "serve --upload-dir"):
        assert text in result.output


def test_a_payment_csv_upload_names_each_bad_row_and_column_and_posts_nothing(
        web: Web, practice: Practice) -> None:  # noqa: F811
    text = ("date,account,claim,amount,method,reference,name\n"
            "2026-02-30,NO-SUCH-1,,5.00,cash,R-2,\n")
    client = web.login("pat")
    token = csrf(client, "/imports")
    preview = _upload(client, ("payments.csv", text), token=token)
    assert "payments.csv (patient_payments): rejected" in preview.text
    assert "row 2, column date" in preview.text and "Traceback" not in preview.text
    client.post("/imports/upload/post", data={"csrf_token": token, "token": _once(preview.text)})
    assert _count(practice, JournalEntry) == 0


def test_the_999_a_validated_import_produced_is_shown_with_its_file(
        web: Web, practice: Practice, as_user: Any, tmp_path: Path) -> None:  # noqa: F811
    practice.bill(("PCN1", (("HC:99213", "100"),)))
    path = tmp_path / "checked.835"
    path.write_text(_paid())
    edi_posting.import_files(as_user("pat"), [path], validate=True)
    file_id = _file_id(practice, "checked.835")
    client = web.login("sam")
    row = client.get("/imports").text.split(f'data-file-id="{file_id}"')[1].split("</tr>")[0]
    assert "<td>999 rejected</td>" in row  # pyx12 finds the test's 835 short of the guide
    page = client.get(f"/imports/{file_id}").text
    assert "999 (group 1) rejected" in page and "No transaction set of this file" in page
