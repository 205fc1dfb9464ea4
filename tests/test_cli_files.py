"""`files list` and `files show`: every received file with its status, 999/TA1, sets,
totals, balancing and problems, and one file whole with what it led to; the same API as
the workbench's imports screen (``read_phi``, each read audited)."""

from __future__ import annotations

import json
from pathlib import Path

import edi_posting
from tests.api_staff import refusals, staffed
from tests.test_claim_find import billed_and_paid_day, cli

LIST_HEADER = ("id,received_at,kind,file_name,sha256,received_by,status,acks,sets,totals,"
               "balancing,problems")


def test_files_list_prints_each_file_newest_first_with_its_sets_and_totals(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        listed = cli(database_url, "files", "list", "--format", "csv")
        only_835 = cli(database_url, "files", "list", "--kind", "835", "--format", "json")
        page_two = cli(database_url, "files", "list", "--per-page", "1", "--page", "2",
                       "--format", "json")
        rows = edi_posting.list_received_files(staff["sam"]).rows
        looks = edi_posting.audit_log(staff["aud"], action="files.list")

    assert listed.exit_code == 0, listed.output
    paid, billed = rows
    assert listed.stdout.splitlines() == [LIST_HEADER] + [
        f"{r['id']},{r['received_at']},{r['kind']},{r['file_name']},{r['sha256']},pat,"
        f"imported,,1,{total},{balancing},{problems}"
        for r, total, balancing, problems in ((paid, "75.00", "balanced", 0),
                                              (billed, "300.00", "", 0))]
    assert (paid["kind"], billed["kind"]) == ("835", "837P")
    document = json.loads(only_835.stdout)
    assert (document["total"], [f["file_name"] for f in document["files"]]) == (1, ["day.835"])
    assert [f["file_name"] for f in json.loads(page_two.stdout)["files"]] == ["day.837"]
    assert [e["actor"] for e in looks] == ["sam"] * 4


def test_files_show_names_each_problem_by_segment_and_what_the_file_opened(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        paid = edi_posting.list_received_files(staff["sam"]).rows[0]
        table = cli(database_url, "files", "show", str(paid["id"]))
        document = cli(database_url, "files", "show", str(paid["id"]), "--format", "json")
        missing = cli(database_url, "files", "show", "999999")
        looks = edi_posting.audit_log(staff["aud"], action="files.show")

    assert table.exit_code == 0, table.output
    assert table.stdout.startswith(f"File {paid['id']}: day.835 (835), imported, received ")
    assert "EFT-5501" in table.stdout and "denial" in table.stdout
    detail = json.loads(document.stdout)
    assert [(s["kind"], s["total"], s["balancing"]) for s in detail["sets"]] == [
        ("835", "75.00", "balanced")]
    assert [r["trace"] for r in detail["remittances"]] == ["EFT-5501"]
    assert "denial" in [i["kind"] for i in detail["review_items"]]
    assert (missing.exit_code, missing.stderr.strip()) == (
        66, "edi-posting: no received file with id 999999")
    assert [e["object_id"] for e in looks] == [str(paid["id"])] * 2 + ["999999"]


def test_files_list_refuses_a_mistyped_filter_and_a_user_without_read_phi(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        wrong = cli(database_url, "files", "list", "--status", "lost")
        edi_posting.add_user(staff["ada"], "web1", "web")
        refused = edi_posting.open_session(database_url, actor="web1")
        try:
            denied = _refused(refused)
        finally:
            refused.close()
        trail = refusals(staff["aud"], "files.list")

    assert (wrong.exit_code, wrong.stderr.strip()) == (
        2, ("edi-posting: status 'lost': one of received, imported, already_imported, "
            "partial, rejected, failed"))
    assert denied and [e["actor"] for e in trail] == ["web1"]


def _refused(session: edi_posting.Session) -> bool:
    try:
        edi_posting.list_received_files(session)
    except edi_posting.PermissionDeniedError:
        return True
    return False
