"""Files without a database through the public API: parse, statistics, validation, and
the code lists."""

from __future__ import annotations

from pathlib import Path

import pytest

import edi_posting
from tests.api_staff import bill, pay


def test_an_835_parses_into_its_document_and_its_statistics(tmp_path: Path) -> None:
    remit = pay(tmp_path, "PCN-7401", "100.00", "80.00")
    document = edi_posting.parse_file(str(remit))
    stats = edi_posting.parse_stats(str(remit))
    grand = edi_posting.sum_parse_stats([stats, stats])
    claim = document["remittances"][0]["claims"][0]
    assert document["schema_version"] == edi_posting.PARSE_SCHEMA_VERSION
    assert (claim["patient_control_number"], claim["paid"]) == ("PCN-7401", "80.00")
    assert not document["rejected"]
    assert (grand["transaction_sets"], grand["bpr02"]) == (2, "160.00")


def test_an_837_parses_into_claims(tmp_path: Path) -> None:
    document = edi_posting.parse_file(str(bill(tmp_path, "PCN-7402", charge="55.00")))
    assert [(c["patient_control_number"], c["total_charge"]) for c in document["claims"]] == [
        ("PCN-7402", "55.00")]


def test_a_set_the_guide_rejects_is_invalid_and_its_999_says_so(tmp_path: Path) -> None:
    result = edi_posting.validate_file(str(pay(tmp_path, "PCN-7403")))  # no payer PER
    written = edi_posting.write_acks(result, tmp_path / "acks")
    assert not result.valid and result.kind == "835"
    assert list(result.set_status.values()) == ["R"]
    assert [Path(w).suffix for w in written] == [".999"]
    assert "IK5*R" in Path(written[0]).read_text(encoding="ascii")


def test_a_code_is_explained_and_an_unknown_one_names_its_list() -> None:
    explained = edi_posting.explain_code("carc", "45")
    info = {row["list"]: row for row in edi_posting.code_list_info()}
    assert (explained["list"], explained["code"]) == ("CARC", "45")
    assert explained["description"]
    assert any(row["code"] == "45" for row in edi_posting.list_codes("CARC"))
    assert "CARC" in info
    with pytest.raises(edi_posting.UnknownCodeError, match="not in the CARC list"):
        edi_posting.explain_code("CARC", "NOPE")
    with pytest.raises(edi_posting.UnknownCodeError):
        edi_posting.list_codes("no such list")


def test_a_published_table_becomes_the_list_in_effect(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDI_POSTING_CODES_DIR", str(tmp_path / "codes"))  # this test's own
    table = tmp_path / "carc.csv"
    table.write_text("Code,Description,Start Date,Last Modified,Stop Date\n"
                     "45,Charge exceeds fee schedule,1995-01-01,,\n")
    updated = edi_posting.update_code_list(table, "CARC")
    with pytest.raises(edi_posting.UnknownCodeError, match="complete as shipped"):
        edi_posting.update_code_list(table, "GROUP")
    assert (updated.name.value, updated.codes) == ("CARC", 1)
    assert [row["code"] for row in edi_posting.list_codes("CARC")] == ["45"]
