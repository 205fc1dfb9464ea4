"""The audit trail through the public API: verify, log and head need ``audit``."""

from __future__ import annotations

from pathlib import Path

import pytest

import edi_posting
from tests.api_staff import bill, refusals, staffed


def test_an_intact_trail_verifies_against_its_exported_head(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], [bill(tmp_path, "PCN-7301")])
        head = edi_posting.audit_head(staff["aud"])
        exported = tmp_path / "head.json"
        exported.write_text(f'{{"sequence": {head["sequence"]}, "hash": "{head["hash"]}"}}')
        found = edi_posting.verify_audit(staff["aud"], head["hash"], exported,
                                         check_archive=True)
    assert found.failure is None
    assert found.head_hash == head["hash"] and found.events >= head["sequence"]
    assert (found.archive_findings, found.archived_files) == ([], 1)


def test_a_head_that_is_not_the_chain_s_is_a_failure_and_two_heads_must_agree(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        other = "0" * 64
        found = edi_posting.verify_audit(staff["aud"], other)
        with pytest.raises(edi_posting.HeadsDisagreeError):
            edi_posting.verify_audit(staff["aud"], other, _head_file(tmp_path, "1" * 64))
        with pytest.raises(edi_posting.HeadFormatError):
            edi_posting.verify_audit(staff["aud"], "not a head")
        with pytest.raises(edi_posting.UnreadableInputError):
            edi_posting.verify_audit(staff["aud"], None, tmp_path / "missing.json")
    assert found.failure is not None


def _head_file(directory: Path, hash_: str) -> Path:
    path = directory / "head.txt"
    path.write_text(hash_)
    return path


def test_reading_the_log_is_itself_logged_and_times_are_checked(database_url: str) -> None:
    with staffed(database_url) as staff:
        edi_posting.audit_log(staff["aud"], actor="ada", since="2000-01-01")
        with pytest.raises(edi_posting.BadTimeError, match="not a date or time"):
            edi_posting.audit_log(staff["aud"], until="yesterday")
        reads = edi_posting.audit_log(staff["aud"], action="audit.log")
    assert [e["actor"] for e in reads] == ["aud", "aud", "aud"]


def test_a_user_without_audit_is_refused_and_the_refusal_is_audited(database_url: str) -> None:
    with staffed(database_url) as staff:
        for look in (edi_posting.verify_audit, edi_posting.audit_head, edi_posting.audit_log):
            with pytest.raises(edi_posting.PermissionDeniedError, match="'audit'"):
                look(staff["sam"])
        refused = [refusals(staff["aud"], f"audit.{a}") for a in ("verify", "head", "log")]
    assert [[e["actor"] for e in r] for r in refused] == [["sam"], ["sam"], ["sam"]]
