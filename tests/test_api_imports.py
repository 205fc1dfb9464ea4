"""The public API's import: authorised inside (not only by the CLI), files posted once."""

from __future__ import annotations

from pathlib import Path

import pytest

import edi_posting
from tests.api_staff import bill, pay, refusals, staffed


def test_a_poster_imports_claims_then_their_payment_and_again_posts_nothing(
        database_url: str, tmp_path: Path) -> None:
    files = tmp_path / "in"
    files.mkdir()
    claims, remit = bill(files, "PCN-7001"), pay(files, "PCN-7001")
    with staffed(database_url) as staff:
        lines: list[str] = []
        first = edi_posting.import_files(staff["pat"], [remit, claims], progress=lines.append)
        again = edi_posting.import_files(staff["pat"], [files])

    assert [(Path(f.path).name, f.status) for f in first.files] == [
        (claims.name, "imported"), (remit.name, "imported")]  # 837s before 835s
    assert first.totals()["payment_total"] == "80.00"
    assert f"importing {claims} ..." in lines
    assert {f.status for f in again.files} == {"already_imported"}


def test_a_user_without_import_is_refused_and_the_refusal_is_audited(
        database_url: str, tmp_path: Path) -> None:
    claims = bill(tmp_path, "PCN-7002")
    with staffed(database_url) as staff:
        with pytest.raises(edi_posting.PermissionDeniedError, match="lacks the permission"):
            edi_posting.import_files(staff["aud"], [claims])
        with pytest.raises(edi_posting.PermissionDeniedError):
            edi_posting.import_demo(staff["sam"])
        assert [e["actor"] for e in refusals(staff["aud"], "import")] == ["aud"]
        assert [e["actor"] for e in refusals(staff["aud"], "demo")] == ["sam"]
        assert edi_posting.check_ledger(staff["aud"]).violations == []


def test_an_unreadable_path_is_named_before_anything_is_imported(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        with pytest.raises(edi_posting.UnreadableInputError, match="no such file"):
            edi_posting.import_files(staff["pat"], [bill(tmp_path, "PCN-7003"),
                                                    tmp_path / "missing.835"])
        with pytest.raises(edi_posting.NotFoundError):
            edi_posting.show_claim(staff["pat"], "PCN-7003")


def test_a_dry_run_returns_the_plan_and_writes_nothing(database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        result = edi_posting.import_files(staff["pat"], [bill(tmp_path, "PCN-7004")],
                                          dry_run=True)
        assert result.files[0].claims == 1
        assert edi_posting.ledger_digest(staff["pat"]) == edi_posting.ledger_digest(staff["aud"])
        with pytest.raises(edi_posting.NotFoundError):
            edi_posting.show_claim(staff["pat"], "PCN-7004")


def test_the_demo_day_imports_through_the_api_and_lists_what_is_left_for_a_person(
        tmp_path: Path) -> None:
    session = edi_posting.open_session(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        result = edi_posting.import_demo(session)
        assert (edi_posting.demo_directory() / "835").is_dir()
        assert len(result.imported.files) == 13
        assert result.open_items and {"id", "kind", "amount"} <= set(result.open_items[0])
        assert edi_posting.check_ledger(session).ok
    finally:
        session.close()
