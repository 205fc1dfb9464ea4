"""`queue packet ID -o FILE.zip`: the evidence packet of a review item, JSON and HTML."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edi_posting.cli import main
from tests.x12build import build_x12
from tests.x835 import Practice, clp, remit, svc

OFFICE_VISIT = (("HC:99213", "100"),)


@pytest.fixture
def denied(database_url: str, tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A denied claim with users; the denial item's id."""
    practice = Practice(database_url, tmp_path)
    runner = CliRunner()
    for name, role in (("ada", "admin"), ("sam", "specialist"), ("pat", "poster"),
                       ("aud", "auditor")):
        assert runner.invoke(main, ["--db", database_url, "--actor", "ada", "users", "add",
                                    name, "--role", role]).exit_code == 0
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("0", clp("PCN1", "4", "100", "0", "0", "ICN1",
                                    svc("99213", "100", "0", "CO*16*100", line_control="PCN1-1")),
                           method="NON"))
    practice.close()
    listed = _cli(database_url, "sam", "queue", "list", "--kind", "denial", "--format", "json")
    yield database_url, json.loads(listed.stdout)[0]["id"]


def _cli(db: str, actor: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", db, "--actor", actor, *args])


def test_packet_holds_the_item_claim_lineage_and_raw_segments(denied: tuple[str, int],
                                                               tmp_path: Path) -> None:
    db, ident = denied
    note = "payer says <script>alert('no auth')</script> & more"
    assert _cli(db, "sam", "queue", "escalate", str(ident), "--to", "ada",
                "--note", note).exit_code == 0
    out = tmp_path / "denial.zip"
    result = _cli(db, "sam", "queue", "packet", str(ident), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"review item {ident}: evidence packet written to {out} "
                                    "(SHA-256 ")
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["packet.html", "packet.json"]
        packet = json.loads(archive.read("packet.json"))
        page = archive.read("packet.html").decode()
    assert list(packet) == ["packet", "item", "claim", "claim_history", "ledger_lineage",
                            "remittance", "billed_claim_837", "refunds", "case"]
    assert packet["case"]["denial"] == {"amount_at_risk": "100.00"}  # the case view's
    assert packet["case"]["actions"][0]["command"] == (
        f"edi-posting queue write-off {ident} --reason CODE --note WHY")
    assert "Commands that finish it" in page and "--reason CODE --note WHY" in page
    assert packet["item"]["kind"] == "denial" and packet["item"]["status"] == "escalated"
    assert [e["action"] for e in packet["item"]["events"]] == ["opened", "escalate"]
    assert packet["claim"]["claim"]["patient_control_number"] == "PCN1"
    assert packet["claim"]["balances"]["insurance"] == "100.00"
    assert [e["kind"] for e in packet["ledger_lineage"]] == ["charge"]
    remitted = [s["segment"] for s in packet["remittance"]["segments"]]
    assert remitted[0] == "ST*835*0001*005010X221A1~" and remitted[1].startswith("BPR*I*0*C*NON*")
    assert "CLP*PCN1*4*100*0*0*12*ICN1*11*1~" in remitted and "CAS*CO*16*100~" in remitted
    billed = [s["segment"] for s in packet["billed_claim_837"]["segments"]]
    assert billed[0].startswith("CLM*PCN1*100*") and "SV1*HC:99213*100*UN*1***1~" in billed
    assert "<script>" not in page
    assert "payer says &lt;script&gt;alert(&#x27;no auth&#x27;)&lt;/script&gt; &amp; more" in page
    assert "CLP*PCN1*4*100*0*0*12*ICN1*11*1~" in page


def test_packet_export_is_an_item_event_in_history_and_audited(denied: tuple[str, int],
                                                               tmp_path: Path) -> None:
    db, ident = denied
    assert _cli(db, "sam", "queue", "packet", str(ident), "-o", str(tmp_path / "p.zip")).exit_code == 0
    history = json.loads(_cli(db, "aud", "history", "claim", "PCN1", "--format", "json").stdout)
    assert sorted(r["what"] for r in history) == [
        "charge", "review denial opened", "review denial packet"]
    log = json.loads(_cli(db, "aud", "audit", "log", "--action", "queue.packet",
                          "--format", "json").stdout)
    assert [(e["actor"], e["outcome"]) for e in log] == [("sam", "ok")]
    assert len(log[0]["summary"]["details"]["sha256"]) == 64


def test_an_auditors_packet_export_is_audited_and_leaves_the_queue_history_alone(
        denied: tuple[str, int], tmp_path: Path) -> None:
    """An auditor's database login may write audit events and nothing else (`db grant
    --read-only`): their export is in the audit trail, not among the item's events."""
    db, ident = denied
    assert _cli(db, "aud", "queue", "packet", str(ident), "-o", str(tmp_path / "p.zip")).exit_code == 0
    history = json.loads(_cli(db, "aud", "history", "claim", "PCN1", "--format", "json").stdout)
    assert sorted(r["what"] for r in history) == ["charge", "review denial opened"]
    log = json.loads(_cli(db, "aud", "audit", "log", "--action", "queue.packet",
                          "--format", "json").stdout)
    assert [(e["actor"], e["role"], e["outcome"]) for e in log] == [("aud", "auditor", "ok")]
    assert len(log[0]["summary"]["details"]["sha256"]) == 64
    assert _cli(db, "aud", "audit", "verify").exit_code == 0


def test_packet_needs_the_export_permission(denied: tuple[str, int], tmp_path: Path) -> None:
    db, ident = denied
    out = tmp_path / "p.zip"
    refused = _cli(db, "pat", "queue", "packet", str(ident), "-o", str(out))
    assert refused.exit_code == 77
    assert refused.stderr == ("edi-posting: permission denied (export): role 'poster' lacks the "
                              "permission 'export'\n")
    assert not out.exists()
    missing = _cli(db, "sam", "queue", "packet", "999", "-o", str(out))
    assert (missing.exit_code, missing.stderr) == (65, "edi-posting: no review item 999\n")


def test_packet_of_an_applied_payment_follows_the_claim_it_paid(database_url: str,
                                                                tmp_path: Path) -> None:
    practice = Practice(database_url, tmp_path)
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20"))))
    practice.bill_unanswered(("PCN1", OFFICE_VISIT))  # `import` would match it itself
    practice.close()
    ident = json.loads(_cli(database_url, "x", "queue", "list", "--kind", "unmatched_payment",
                            "--format", "json").stdout)[0]["id"]
    assert _cli(database_url, "x", "queue", "apply", str(ident), "--claim", "PCN1").exit_code == 0
    out = tmp_path / "p.zip"
    assert _cli(database_url, "x", "queue", "packet", str(ident), "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        packet = json.loads(archive.read("packet.json"))
    assert packet["claim"]["claim"]["patient_control_number"] == "PCN1"
    assert [(e["kind"], e["review_item_id"]) for e in packet["ledger_lineage"]] == [
        ("unapplied", None), ("charge", None), ("apply", ident)]
    assert packet["remittance"]["claim_payment"]["posting_state"] == "applied"  # applied whole: linked to PCN1


def _items(db: str, kind: str) -> list[dict[str, Any]]:
    return json.loads(_cli(db, "x", "queue", "list", "--kind", kind, "--format", "json").stdout)


def _lineage(db: str, ident: int, out: Path) -> list[tuple[str, str]]:
    """(kind, first line's amount) of each entry in the item's packet."""
    assert _cli(db, "x", "queue", "packet", str(ident), "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        packet = json.loads(archive.read("packet.json"))
    return [(e["kind"], e["lines"][0]["amount"]) for e in packet["ledger_lineage"]]


def _other_payer(text: str) -> str:
    return text.replace("*1512345678~", "*1999999999~").replace("N1*PR*ACME HEALTH",
                                                                "N1*PR*OTHER HEALTH")


@pytest.fixture
def two_remittances(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Two payers' remittances, each with a payment for an unknown claim and unlinked PLBs."""
    practice = Practice(database_url, tmp_path)
    practice.receive(remit("52", clp("NOPE1", "1", "60", "60", "0", "ICN1", svc("99213", "60", "60")),
                           trace="TA", plb="PLB*1234567893*20261231*WO:GONE1*5~\n"
                                           "PLB*1234567893*20261231*WO:GONE2*3~\n"))
    practice.import_text(build_x12(_other_payer(remit(
        "36", clp("NOPE2", "1", "40", "40", "0", "ICN2", svc("99213", "40", "40")),
        trace="TB", plb="PLB*1234567893*20261231*WO:GONE3*4~\n")),
        interchange_control="000000777"), "other.835")
    practice.close()
    yield database_url


def test_packet_of_an_unmatched_payment_holds_only_its_own_remittance_entries(
    two_remittances: str, tmp_path: Path,
) -> None:
    first = [i for i in _items(two_remittances, "unmatched_payment") if i["amount"] == "60.00"]
    assert _lineage(two_remittances, first[0]["id"], tmp_path / "p.zip") == [("unapplied", "60.00")]


def test_packet_of_an_unlinked_plb_holds_only_that_plb(two_remittances: str,
                                                      tmp_path: Path) -> None:
    plbs = {i["amount"]: i["id"] for i in _items(two_remittances, "unlinked_plb")}
    out = tmp_path / "p.zip"
    assert _lineage(two_remittances, plbs["3.00"], out) == [("plb", "3.00")]
    with zipfile.ZipFile(out) as archive:
        segments = [s["segment"] for s in json.loads(archive.read("packet.json"))["remittance"]
                    ["segments"]]
    assert segments[0] == "ST*835*0001*005010X221A1~" and segments[-2:] == [
        "N1*PE*GOOD HEALTH CLINIC*XX*1234567893~", "PLB*1234567893*20261231*WO:GONE2*3~"]


def test_packet_with_mask_phi_masks_names_member_ids_birth_dates_and_account_numbers(
    denied: tuple[str, int], tmp_path: Path,
) -> None:
    db, ident = denied
    out = tmp_path / "masked.zip"
    result = CliRunner().invoke(main, ["--db", db, "--actor", "sam", "--mask-phi", "queue",
                                       "packet", str(ident), "-o", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        text = archive.read("packet.json").decode()
        page = archive.read("packet.html").decode()
    packet = json.loads(text)
    patient = packet["claim"]["patient"]
    assert (patient["last_name"], patient["first_name"], patient["birth_date"]) == (
        "Z.", "A.", "[masked]")
    assert packet["claim"]["account_number"] == "********93-1"
    remitted = [s["segment"] for s in packet["remittance"]["segments"]]
    assert remitted[6:8] == ["CLP*PCN1*4*100*0*0*12*ICN1*11*1~",
                             "NM1*QC*1*Z.*A.****MI*#####0111~"]
    assert "NM1*QC*1*Z.*A.****MI*#####0111~" in page and "********93-1" in page
    for canary in ("ZQCANARY", "ALBA", "ZQM000111", "19800115", "1980-01-15", "1234567893-1"):
        assert canary not in text and canary not in page, canary
    log = json.loads(_cli(db, "aud", "audit", "log", "--action", "queue.packet",
                          "--format", "json").stdout)
    assert log[-1]["summary"]["details"]["phi_masked"] is True
