"""`edi-posting report era|plb|era-pdf|list`: exact output of the table form on a small
hand-built day (tests/test_claim_find.py: one EFT of 75.00 paying PCN-A1 80.00, denying
PCN-B2, and a CS PLB of 5.00 naming ICN-A1), exit codes, the audit of PHI reads, and what
each figure is checked against through the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import edi_posting
from tests.api_staff import bill, refusals, staffed
from tests.test_claim_find import billed_and_paid_day, cli
from tests.x12build import build_x12, write_x12
from tests.x835 import clp, remit, svc


def test_report_era_prints_one_row_per_check_with_its_figures_from_rows_and_ledger(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        [remit] = edi_posting.list_remittances(staff["sam"])
        result = cli(database_url, "report", "era")
        looks = edi_posting.audit_log(staff["aud"], action="report.*")

    assert (result.exit_code, result.stderr) == (0, "")
    rid = remit["id"]
    assert result.stdout.splitlines() == [
        "Remittances (ERA) by check and EFT",
        "(from the start, to today, payer all)",
        "remittances: 1",
        "payment: 75.00",
        "claims_paid: 80.00",
        "plb: 5.00",
        "posted: 80.00",
        "unapplied: 0.00",
        "unbalanced: 0",
        "",
        "Checks and EFTs:",
        ("   ID  Paid on     Payer        Trace     Method  BPR02  Sum CLP04   PLB  Paid  Denied"
         "  Reversed  Held  Balanced  Posted  Unapplied  Deposit"),
        (f"{rid:>5}  2026-03-10  ACME HEALTH  EFT-5501  ACH     75.00      80.00  5.00     1"
         "       1         0     0  yes        80.00       0.00"),
        ("Total                                             75.00      80.00  5.00     1"
         "       1         0     0             80.00       0.00"),
        "",
        "Provider-level adjustments by reason:",
        "   ID  Trace     Reason  Description  PLBs  Amount",
        f"{rid:>5}  EFT-5501  CS      Adjustment      1    5.00",
        "Total                                    1    5.00",
    ]
    assert looks == []  # no patient data: authorised, not audited as a PHI read


def test_report_plb_prints_each_adjustment_with_its_link_and_json_has_the_total(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        [remit] = edi_posting.list_remittances(staff["sam"])
        table = cli(database_url, "report", "plb")
        as_json = cli(database_url, "report", "plb", "--format", "json")
        looks = edi_posting.audit_log(staff["aud"], action="report.plb")

    assert (table.exit_code, as_json.exit_code) == (0, 0), table.output
    rid = remit["id"]
    assert table.stdout.splitlines() == [
        "Provider-level adjustments (PLB)",
        "(from the start, to today, payer all)",
        "adjustments: 1",
        "total: 5.00",
        "open_fb: 0.00",
        "unlinked: 0",
        "",
        "Provider-level adjustments:",
        ("Remittance  Paid on     Payer        Trace     Provider    Reason  Description"
         "  Reference  Amount  Linked claim  Status"),
        (f"{rid:>10}  2026-03-10  ACME HEALTH  EFT-5501  1234567893  CS      Adjustment"
         "   ICN-A1       5.00  PCN-A1        linked"),
        ("Total                                                                                   "
         "     5.00"),
        "",
        "By reason:",
        "Reason  Description  PLBs  Amount",
        "CS      Adjustment      1    5.00",
        "Total                   1    5.00",
        "",
        "By status:",
        "Status  PLBs  Amount",
        "linked     1    5.00",
        "Total      1    5.00",
    ]
    document = json.loads(as_json.stdout)
    assert document["summary"] == {"adjustments": 1, "total": "5.00", "open_fb": "0.00",
                                   "unlinked": 0}
    assert list(document) == ["report", "title", "query", "summary", "sections"]
    assert [s["key"] for s in document["sections"]] == ["adjustments", "by_reason", "by_status"]
    assert document["sections"][0]["rows"][0]["amount"] == "5.00"
    assert document["sections"][0]["totals"]["amount"] == "5.00"
    assert [(e["actor"], e["outcome"]) for e in looks] == [("sam", "ok"), ("sam", "ok")]


def test_report_list_names_every_report_and_help_shows_them(database_url: str) -> None:
    with staffed(database_url):
        listed = cli(database_url, "report", "list", "--format", "csv")
        helped = cli(database_url, "report", "--help")
    assert listed.exit_code == 0
    assert [line.split(",")[0] for line in listed.stdout.splitlines()] == [
        "name", "era", "plb", "era-pdf", "reconciliation", "denials", "unapplied",
        "credit-balances", "refunds",
        "month-end", "productivity", "posting-audit"]
    assert "era-pdf REMITTANCE:" in helped.stdout
    assert "EDI_POSTING_REPORT_OUTPUT" in helped.stdout


@pytest.mark.parametrize(("args", "code", "message"), [
    (("nosuch",), 2, "no report named 'nosuch'"),
    (("era-pdf",), 2, "report era-pdf needs REMITTANCE"),
    (("era", "12"), 2, "report era takes no argument"),
    (("era", "--from", "2026-03-02", "--to", "2026-03-01"), 2, "is after --to"),
    (("era-pdf", "NO-SUCH-TRACE"), 66, "no remittance with id or trace number"),
    (("list", "--format", "pdf"), 2, "report list has no pdf format"),
])
def test_report_usage_errors_exit_with_their_documented_codes(
        database_url: str, tmp_path: Path, args: tuple[str, ...], code: int,
        message: str) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        result = cli(database_url, "report", *args)
    assert (result.exit_code, result.stdout) == (code, "")
    assert message in result.stderr


def test_report_to_an_unwritable_path_exits_73(database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        result = cli(database_url, "report", "era", "-o", str(tmp_path / "no" / "dir.csv"))
    assert result.exit_code == 73
    assert "cannot be written" in result.stderr


def test_report_options_have_environment_twins(database_url: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        monkeypatch.setenv("EDI_POSTING_REPORT_FROM", "2026-03-11")
        later = cli(database_url, "report", "era", "--format", "json")
        monkeypatch.setenv("EDI_POSTING_REPORT_FROM", "2026-03-10")
        monkeypatch.setenv("EDI_POSTING_REPORT_PAYER", "acme")
        monkeypatch.setenv("EDI_POSTING_REPORT_OUTPUT", str(tmp_path / "era.csv"))
        monkeypatch.setenv("EDI_POSTING_REPORT_CHART", str(tmp_path / "charts"))
        written = cli(database_url, "report", "era")

    assert json.loads(later.stdout)["summary"]["remittances"] == 0
    assert written.exit_code == 0 and written.stdout == ""
    assert (tmp_path / "era.csv").read_text().splitlines()[1].startswith("remittances,")
    assert [p.name for p in (tmp_path / "charts").iterdir()] == ["era-daily_cash.png"]
    assert (tmp_path / "charts" / "era-daily_cash.png").read_bytes()[:4] == b"\x89PNG"
    assert f"wrote {tmp_path / 'era.csv'}" in written.stderr


def test_binary_formats_go_to_a_file_or_a_pipe_never_onto_a_terminal(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class _Terminal:
        class stdout:
            @staticmethod
            def isatty() -> bool:
                return True

    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        piped = cli(database_url, "report", "era", "--format", "xlsx")
        monkeypatch.setattr("edi_posting.cli.report.sys", _Terminal)
        refused = cli(database_url, "report", "era", "--format", "pdf")
        to_file = cli(database_url, "report", "era", "-o", str(tmp_path / "era.pdf"))

    assert piped.exit_code == 0 and piped.stdout_bytes[:2] == b"PK"  # a zip: the workbook
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert "pdf is binary: give -o PATH" in refused.stderr
    assert to_file.exit_code == 0 and (tmp_path / "era.pdf").read_bytes()[:5] == b"%PDF-"


def test_mask_phi_masks_patient_names_and_member_ids_in_a_report(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        result = cli(database_url, "--mask-phi", "report", "era-pdf", "EFT-5501",
                     "--format", "json")
    assert result.exit_code == 0, result.output
    [claims] = [s for s in json.loads(result.stdout)["sections"] if s["key"] == "claims"]
    assert [(c["patient_name"], c["member_id"]) for c in claims["rows"]] == [
        ("O.", "****0042"), ("Z.", "*****0111")]


def test_a_disabled_user_is_refused_a_report_and_the_refusal_is_audited(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        edi_posting.disable_user(staff["ada"], "sam")
        results = {name: cli(database_url, "report", name, *args)
                   for name, args in (("era", ()), ("plb", ()), ("era-pdf", ("EFT-5501",)))}
        refused = {name: refusals(staff["aud"], f"report.{name}") for name in results}

    assert {name: (r.exit_code, r.stdout) for name, r in results.items()} == {
        "era": (77, ""), "plb": (77, ""), "era-pdf": (77, "")}
    assert {name: [e["actor"] for e in events] for name, events in refused.items()} == {
        "era": ["sam"], "plb": ["sam"], "era-pdf": ["sam"]}


def test_a_forwarding_balance_is_open_until_its_reference_nets_to_zero(
        database_url: str, tmp_path: Path) -> None:
    def check(amount: str, pcn: str, fb: str, trace: str, control: str) -> Path:
        body = remit(amount, clp(pcn, "1", "100.00", "80.00", "0", f"ICN-{pcn}",
                                 svc("99213", "100.00", "80.00", "CO*45*20")),
                     trace=trace, plb=f"PLB*1234567893*20261231*FB:FWD-1*{fb}~\n")
        return write_x12(tmp_path, build_x12(body, interchange_control=control),
                         f"{trace}.835")

    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], [bill(tmp_path, "PCN-F1", "PCN-F2")])
        edi_posting.import_files(staff["pat"], [check("90.00", "PCN-F1", "-10.00", "EFT-F1",
                                                      "000000901")])
        opened = edi_posting.run_report(staff["sam"], "plb")
        edi_posting.import_files(staff["pat"], [check("70.00", "PCN-F2", "10.00", "EFT-F2",
                                                      "000000902")])
        netted = edi_posting.run_report(staff["sam"], "plb")

    assert [(r["trace"], r["amount"], r["status"]) for r in opened.sections[0].rows] == [
        ("EFT-F1", -1000, "open FB")]
    assert (opened.summary["open_fb"], opened.summary["total"]) == (-1000, -1000)
    assert [(r["trace"], r["amount"], r["status"]) for r in netted.sections[0].rows] == [
        ("EFT-F1", -1000, "FB netted"), ("EFT-F2", 1000, "FB netted")]
    assert (netted.summary["open_fb"], netted.summary["total"]) == (0, 0)


@pytest.mark.parametrize("name", ["reconciliation", "denials", "unapplied", "credit-balances",
                                  "refunds",
                                  "month-end", "productivity", "posting-audit"])
def test_every_finance_report_prints_and_exports_in_every_format(
        database_url: str, tmp_path: Path, name: str) -> None:
    """Registered once, a report runs from the CLI as a table, CSV, JSON, XLSX and PDF."""
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        table = cli(database_url, "report", name, "--from", "2025-01-01", "--to", "2026-12-31")
        as_json = cli(database_url, "report", name, "--from", "2025-01-01", "--to",
                      "2026-12-31", "--format", "json")
        exports = {fmt: cli(database_url, "report", name, "--from", "2025-01-01", "--to",
                            "2026-12-31", "-o", str(tmp_path / f"{name}.{fmt}"))
                   for fmt in ("csv", "xlsx", "pdf")}
    assert table.exit_code == 0, table.output
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["report"] == name
    for fmt, result in exports.items():
        assert result.exit_code == 0, (fmt, result.output)
        assert (tmp_path / f"{name}.{fmt}").stat().st_size > 0
    assert (tmp_path / f"{name}.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / f"{name}.xlsx").read_bytes().startswith(b"PK")
