"""Key an EOB in the workbench: the form's fields are the keyed template's, the form gives
the record the template file gives, balancing is shown while keying, a preview is the
import's dry run, and its Post button posts once.

Claims are billed in X12 (``tests.x835.Practice``); the EOBs are the rows of
``tests.keyed``, sent as the form's fields (each named by its path in the template's
JSON: ``claims[0].lines[0].paid``).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select

from edi_posting.db.models import (
    JournalEntry,
    JournalLine,
    LedgerAccount,
    ReceivedFile,
    SubmittedClaim,
)
from edi_posting.records.states import FileStatus
from tests.keyed import eob_csv, eob_json, line, plb
from tests.test_web_login import Web, csrf, web  # noqa: F401  (the fixture)
from tests.x835 import Practice

ROLES = ("ada", "sam", "pat", "leo", "aud")
MAY_IMPORT = {"ada", "pat"}
OFFICE_VISIT = (("HC:99213", "100"),)
_TOKEN = re.compile(r'name="token" value="([^"]+)"')


def _fields(*rows: dict[str, str]) -> dict[str, str]:
    """The form's fields for these template rows: the JSON template's check, flattened to
    the paths the form names its inputs by."""
    check = json.loads(eob_json(*rows))["checks"][0]
    fields: dict[str, str] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, list):
                for i, child in enumerate(value):
                    walk(child, f"{prefix}{key}[{i}].")
            else:
                fields[prefix + key] = str(value)

    walk(check, "")
    return fields


def _post(client: FlaskClient, path: str, fields: dict[str, str], *, hx: bool = False,
          token: str | None = None) -> Any:
    headers = {"HX-Request": "true"} if hx else {}
    data = fields | {"csrf_token": token if token is not None else csrf(client, "/queue")}
    return client.post(path, data=data, headers=headers)


def _count(practice: Practice, table: Any) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _written(practice: Practice) -> tuple[int, int]:
    return _count(practice, ReceivedFile), _count(practice, JournalEntry)


def _ledger(engine: Engine) -> Counter[tuple[str, str | None, str]]:
    """Cents per (account, claim PCN, entry kind): two databases' ledgers compared."""
    query = (select(LedgerAccount.code, SubmittedClaim.patient_control_number,
                    JournalEntry.kind, func.sum(JournalLine.amount_cents))
             .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
             .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
             .outerjoin(SubmittedClaim, SubmittedClaim.id == JournalLine.submitted_claim_id)
             .group_by(LedgerAccount.code, SubmittedClaim.patient_control_number,
                       JournalEntry.kind))
    with engine.connect() as conn:
        return Counter({(a, c, k): int(s) for a, c, k, s in conn.execute(query) if s})


def _preview_and_post(client: FlaskClient, fields: dict[str, str]) -> tuple[Any, Any, str]:
    preview = _post(client, "/eob/preview", fields)
    assert preview.status_code == 200, preview.text
    once = _TOKEN.search(preview.text)
    assert once is not None, preview.text
    posted = _post(client, "/eob/post", {"token": once.group(1)})
    return preview, posted, once.group(1)


TWO_CLAIMS = (line("PCN1", payment_amount="149.50"),
              line("PCN2", paid="70.00", patient_responsibility="10.00",
                   adjustments=(("CO", "45", "20.00"), ("PR", "2", "10.00")),
                   payment_amount="149.50"),
              plb("L6", "INT1", "0.50", payment_amount="149.50"))


def test_the_form_posts_the_same_record_and_ledger_as_the_template_csv(
        web: Web, practice: Practice, tmp_path: Path,  # noqa: F811
        database_factory: Callable[[], AbstractContextManager[str]]) -> None:
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    client = web.login("pat")
    checked = _post(client, "/eob/check", _fields(*TWO_CLAIMS), hx=True).text
    assert "claims paid 150.00 − PLB 0.50 = 149.50;\ncheck amount 149.50:" in checked
    assert "No problems found." in checked
    _, posted, _ = _preview_and_post(client, _fields(*TWO_CLAIMS))
    assert "imported, 2 claim payment(s) posted, 1 queued" in posted.text  # the PLB
    with database_factory() as url:  # the same EOB keyed in the CSV template, elsewhere
        other = Practice(url, tmp_path / "csv")
        (tmp_path / "csv").mkdir()
        other.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
        result = other.import_text(eob_csv(*TWO_CLAIMS), "eob.csv")
        assert (result.status, result.posted) == (FileStatus.IMPORTED, 2)
        assert _ledger(other.engine) == _ledger(practice.engine)
        other.check()
        other.close()
    # the same content keyed from the CSV here is the same record: already imported
    again = practice.import_text(eob_csv(*TWO_CLAIMS), "eob.csv")
    assert (again.status, again.set_statuses) == (FileStatus.ALREADY_IMPORTED,
                                                  ["already_imported"])
    assert practice.balances("PCN2") == ("0.00", "10.00")


def test_live_balancing_shows_an_out_of_balance_claim_with_its_difference(
        web: Web, practice: Practice) -> None:  # noqa: F811
    practice.bill(("PCN1", OFFICE_VISIT))
    client = web.login("pat")
    # the line pays 80 (100 - CO-45 20) but the claim says 70: off by -10.00
    fields = _fields(line(paid="70.00", line_paid="80.00", payment_amount="75.00"))
    fragment = _post(client, "/eob/check", fields, hx=True)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    claim = re.search(r'data-test="balance-claims\[0\]">(.*?)</tr>', fragment.text, re.DOTALL)
    assert claim is not None
    assert re.findall(r'<td class="num">([^<]*)</td>', claim.group(1)) == [
        "100.00", "20.00", "80.00", "70.00", "0.00"]
    assert "difference -10.00" in claim.group(1)
    line_row = re.search(r'data-test="balance-claims\[0\].lines\[0\]">(.*?)</tr>',
                         fragment.text, re.DOTALL)
    assert line_row is not None and "balances" in line_row.group(1)
    assert ("claims paid 70.00 − PLB 0.00 = 70.00;\ncheck amount 75.00:" in fragment.text
            and "does not balance (difference 5.00)" in fragment.text)
    assert 'data-field="claims[0].paid"' in fragment.text  # the problem names the field
    assert "CLAIM_UNBALANCED" in fragment.text and "TRANSACTION_UNBALANCED" in fragment.text
    page = _post(client, "/eob/check", fields)  # without JavaScript: the whole page
    assert "<html" in page.text and 'value="70.00"' in page.text
    assert "difference -10.00" in page.text
    balanced = _post(client, "/eob/check", _fields(line()), hx=True).text
    assert "No problems found." in balanced and "difference" not in balanced
    assert web.audited("eob.check")[-1][:2] == ("pat", "ok")


def test_an_unknown_pcn_and_a_bad_amount_are_named_by_their_field_and_nothing_is_saved(
        web: Web, practice: Practice) -> None:  # noqa: F811
    practice.bill(("PCN1", OFFICE_VISIT))
    client = web.login("pat")
    fields = _fields(line("NOPE9", line_paid="8O.00", payer="NOBODY MUTUAL"))
    fragment = _post(client, "/eob/check", fields, hx=True).text
    assert re.search(r'data-field="payer">.*ERROR UNKNOWN_PAYER: .*no payer we know', fragment)
    assert re.search(r'data-field="claims\[0\]\.pcn">.*WARNING UNMATCHED_PAYMENT: .*'
                     r"no claim we billed has this PCN", fragment)
    assert re.search(r'data-field="claims\[0\]\.lines\[0\]\.paid">.*ERROR INVALID_AMOUNT: '
                     r".*column checks\[0\]\.claims\[0\]\.lines\[0\]\.paid: not an amount "
                     r"with at most two decimals \(e\.g\. 1234\.50\) \(&#39;8O\.00&#39;\)",
                     fragment)
    before = _written(practice)
    preview = _post(client, "/eob/preview", fields)
    assert preview.status_code == 400 and "Not previewed: fix the problems" in preview.text
    assert 'value="8O.00"' in preview.text  # the form comes back as keyed
    assert _TOKEN.search(preview.text) is None and _written(practice) == before


def test_preview_is_the_dry_run_and_a_double_post_posts_once_with_links(
        web: Web, practice: Practice) -> None:  # noqa: F811
    practice.bill(("PCN1", OFFICE_VISIT))
    client = web.login("pat")
    before = _written(practice)
    preview, first, token = _preview_and_post(client, _fields(line()))
    assert "would import, 1 claim payment(s) would post, 0 would queue, paid 80.00" in \
        preview.text
    assert "cash_clearing 80.00; contractual_adjustments 20.00; insurance_ar -100.00" in \
        preview.text
    second = _post(client, "/eob/post", {"token": token})
    assert "Already posted: eob-CHK100-" in second.text
    assert _written(practice) == (before[0] + 1, before[1] + 1)
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert 'href="/claim/PCN1"' in first.text
    assert re.search(r'<a href="/remittances/\d+">remittance \d+</a>: ACME', first.text)
    [(_, outcome, _)] = [e for e in web.audited("import.file") if e[0] == "pat"]
    assert outcome == "ok"


def test_keying_the_same_eob_again_is_found_already_imported(
        web: Web, practice: Practice) -> None:  # noqa: F811
    practice.bill(("PCN1", OFFICE_VISIT))
    client = web.login("pat")
    _preview_and_post(client, _fields(line()))
    # re-keyed: other spelling of the amounts, the payer by name
    again = _post(client, "/eob/preview", _fields(line(
        charge="100", paid="80", payment_amount="80", payer="acme health")))
    assert "Already imported: this EOB was keyed and posted before" in again.text
    assert _TOKEN.search(again.text) is None
    assert _count(practice, JournalEntry) == 2  # the charge and the one payment


def test_a_file_changed_after_its_preview_posts_nothing(
        web: Web, practice: Practice, tmp_path: Path) -> None:  # noqa: F811
    practice.bill(("PCN1", OFFICE_VISIT))
    settings = web.app.extensions["edi_posting.settings"]
    web.app.extensions["edi_posting.settings"] = dataclasses.replace(
        settings, keyed_dir=tmp_path / "keyed")
    client = web.login("pat")
    preview = _post(client, "/eob/preview", _fields(line()))
    once = _TOKEN.search(preview.text)
    assert once is not None
    [saved] = (tmp_path / "keyed").iterdir()
    assert saved.name.startswith("eob-CHK100-") and saved.suffix == ".json"
    saved.write_text(saved.read_text().replace("80.00", "90.00"))
    before = _written(practice)
    refused = _post(client, "/eob/post", {"token": once.group(1)})
    assert refused.status_code == 400 and "changed after its preview" in refused.text
    assert _written(practice) == before


def test_add_buttons_redraw_the_form_with_one_more_row(
        web: Web, practice: Practice) -> None:  # noqa: F811
    client = web.login("pat")
    page = client.get("/eob").text
    for name in ("payer", "check_number", "payment_date", "payment_amount",
                 "claims[0].pcn", "claims[0].status", "claims[0].payer_claim_number",
                 "claims[0].lines[0].procedure", "claims[0].lines[0].adjustments[0].carc"):
        assert f'name="{name}"' in page, name
    fields = _fields(line())
    added = _post(client, "/eob/form", fields | {"add": "line:0"}, hx=True).text
    assert "<html" not in added and 'name="claims[0].lines[1].procedure"' in added
    assert 'name="claims[0].lines[0].paid" id="f-claims[0].lines[0].paid"' in added
    assert 'value="80.00"' in added  # what was keyed stays
    plb_row = _post(client, "/eob/form", fields | {"add": "plb"}).text
    assert "<html" in plb_row and 'name="plb[0].reason"' in plb_row
    adjustment = _post(client, "/eob/form", fields | {"add": "adjustment:0:0"}, hx=True).text
    assert 'name="claims[0].lines[0].adjustments[1].group"' in adjustment
    claim = _post(client, "/eob/form", fields | {"add": "claim"}, hx=True).text
    assert 'name="claims[1].pcn"' in claim


@pytest.mark.parametrize("name", ROLES)
def test_every_route_is_allowed_to_who_may_import_and_refused_403_and_audited_else(
        web: Web, practice: Practice, name: str) -> None:  # noqa: F811
    practice.bill(("PCN1", OFFICE_VISIT))
    client = web.login(name)
    fields = _fields(line())
    before = _written(practice)
    answers = [client.get("/eob").status_code,
               _post(client, "/eob/form", fields | {"add": "line:0"}).status_code,
               _post(client, "/eob/check", fields, hx=True).status_code]
    preview = _post(client, "/eob/preview", fields)
    answers.append(preview.status_code)
    if name in MAY_IMPORT:
        assert answers == [200] * 4
        assert web.audited("eob.form")[0] == (name, "ok", None)
        assert web.audited("eob.check")[0][:2] == (name, "ok")
        once = _TOKEN.search(preview.text)
        assert once is not None
        assert _post(client, "/eob/post", {"token": once.group(1)}).status_code == 200
        assert _written(practice) == (before[0] + 1, before[1] + 1)
        assert 'id="nav-eob"' in client.get("/queue").text
    else:
        assert answers == [403] * 4
        assert set(web.audited("eob.form")) == {(name, "refused", None)}
        assert set(web.audited("eob.check")) == {(name, "refused", None)}
        assert _post(client, "/eob/post", {"token": "forged"}).status_code == 403
        assert set(web.audited("eob.post")) == {(name, "refused", None)}
        assert _written(practice) == before
        assert 'id="nav-eob"' not in client.get("/queue").text


def test_every_form_post_without_its_csrf_token_is_refused(
        web: Web, practice: Practice) -> None:  # noqa: F811
    practice.bill(("PCN1", OFFICE_VISIT))
    client = web.login("pat")
    before = _written(practice)
    for path in ("/eob/form", "/eob/check", "/eob/preview", "/eob/post"):
        response = client.post(path, data=_fields(line()))
        assert response.status_code == 400 and "Form expired" in response.text, path
    assert _written(practice) == before
    assert web.audited("eob.check") == []


def test_a_token_from_another_login_posts_nothing(
        web: Web, practice: Practice) -> None:  # noqa: F811
    practice.bill(("PCN1", OFFICE_VISIT))
    preview = _post(web.login("pat"), "/eob/preview", _fields(line()))
    once = _TOKEN.search(preview.text)
    assert once is not None
    before = _written(practice)
    replay = _post(web.login("ada"), "/eob/post", {"token": once.group(1)})
    assert "nothing was posted again" in replay.text
    assert _written(practice) == before


def test_the_posted_page_links_the_remittance_page(
        web: Web, practice: Practice) -> None:  # noqa: F811
    practice.bill(("PCN1", OFFICE_VISIT))
    _, posted, _ = _preview_and_post(web.login("ada"), _fields(line()))
    assert re.search(r'<a href="/remittances/\d+">remittance \d+</a>: ACME HEALTH, check '
                     r"CHK100, 80.00 on 2026-03-10, 1 posted, 0 held", posted.text)
