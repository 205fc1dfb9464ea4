"""A file that fails mid-way (a bug, a lost connection) stops neither the importer nor
its audit trail: each transaction set's audit event commits with the set itself, the
file is reported ``failed`` with a problem, and the importer goes on with the next file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, select

from edi_posting.archive.transaction_sets import SetContext, SetOutcome
from edi_posting.audit.events import audit_log, verify_chain
from edi_posting.cli import main
from edi_posting.db.models import ClaimPayment, ReceivedFile
from edi_posting.importing import remittances as remittance_import
from edi_posting.importing.pipeline import import_paths
from edi_posting.x12.remit835.file import RemittanceSetRead
from tests.x12build import build_x12, write_x12
from tests.x835 import Practice, clp, remit, svc

OFFICE_VISIT = (("HC:99213", "100"),)


def _set(pcn: str, trace: str) -> str:
    return remit("80", clp(pcn, "1", "100", "80", "0", "ICN1",
                           svc("99213", "100", "80", "CO*45*20")), trace=trace)


def _posted(conn: Connection) -> list[str]:
    return sorted(conn.execute(select(ClaimPayment.patient_control_number)
                               .where(ClaimPayment.posting_state == "posted")).scalars())


def test_a_crash_mid_file_keeps_the_audit_of_committed_sets_and_the_next_file_imports(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    practice = Practice(database_url, tmp_path)
    practice.bill(*((f"PCN{n}", OFFICE_VISIT) for n in range(1, 5)))
    first = write_x12(tmp_path, build_x12(_set("PCN1", "T1"), _set("PCN2", "T2"),
                                          _set("PCN3", "T3"), interchange_control="000000501"),
                      "first.835")
    second = write_x12(tmp_path, build_x12(_set("PCN4", "T4"), interchange_control="000000502"),
                       "second.835")
    _crash_on_trace_t3(monkeypatch)
    result = import_paths(practice.engine, [first, second], practice.options)
    assert [f.status for f in result.files] == ["failed", "imported"]
    assert [p.code for p in result.files[0].problems] == ["IMPORT_FAILED"]
    with practice.engine.connect() as conn:
        assert _posted(conn) == ["PCN1", "PCN2", "PCN4"]
        events = [e for e in audit_log(conn, action="import.transaction_set")
                  if e["summary"]["kind"] == "835"]
        assert sum(e["summary"]["posted"] for e in events) == 3
        assert [e["summary"]["file"] for e in events] == ["first.835", "first.835", "second.835"]
        files = audit_log(conn, action="import.file")[1:]  # after the 837's
        assert [(e["summary"]["file"], e["outcome"]) for e in files] == [
            ("first.835", "failed"), ("second.835", "ok")]
        assert verify_chain(conn).is_intact
        status = conn.execute(select(ReceivedFile.status).where(
            ReceivedFile.file_name == "first.835")).scalar_one()
    assert status == "failed"
    monkeypatch.undo()
    again = import_paths(practice.engine, [first], practice.options).files[0]
    assert (again.status, again.set_statuses) == (
        "imported", ["already_imported", "already_imported", "posted"])
    with practice.engine.connect() as conn:
        assert _posted(conn) == ["PCN1", "PCN2", "PCN3", "PCN4"]
    practice.check()
    practice.close()


def _crash_on_trace_t3(monkeypatch: pytest.MonkeyPatch) -> None:
    """Posting the set with trace T3 raises, as a bug or a lost connection would."""
    real = remittance_import.post_remittance

    def crash_on_t3(conn: Connection, ctx: SetContext, read: RemittanceSetRead,
                    key: str) -> SetOutcome:
        if key.endswith("|T3"):
            raise RuntimeError("simulated crash")
        return real(conn, ctx, read, key)

    monkeypatch.setattr(remittance_import, "post_remittance", crash_on_t3)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_cli_reports_a_failed_file_imports_the_others_and_exits_70(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    practice = Practice(database_url, tmp_path)
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    bad = write_x12(tmp_path, build_x12(_set("PCN1", "T3"), interchange_control="000000601"),
                    "bad.835")
    good = write_x12(tmp_path, build_x12(_set("PCN2", "T4"), interchange_control="000000602"),
                     "good.835")
    _crash_on_trace_t3(monkeypatch)
    monkeypatch.delenv("EDI_POSTING_DEBUG", raising=False)
    result = CliRunner().invoke(main, ["--db", database_url, "import", "--format", "json",
                                       str(bad), str(good)])
    assert result.exit_code == 70, result.output
    document = json.loads(result.stdout)
    assert [(f["status"], f["posted"]) for f in document["files"]] == [
        ("failed", 0), ("imported", 1)]
    assert document["totals"]["failed"] == 1
    assert [p["code"] for p in document["files"][0]["problems"]] == ["IMPORT_FAILED"]
    assert "1 file(s) failed" in result.stderr
    practice.close()
