"""Canary PHI never reaches logs, stderr or error output; --mask-phi masks it in output."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from edi_posting.cli import main
from edi_posting.logs import log_event, mask_audit_event, mask_phi
from tests.test_import_837 import FIXTURE
from tests.x12build import build_x12
from tests.x835 import clp, remit, svc

CANARIES = ("ZQCANARY", "ALBA", "ZQM000111", "19800115", "1980-01-15")


def _run_everything(tmp_path: Path, *extra: str) -> list[tuple[str, str]]:
    path = tmp_path / "clinic.837"
    path.write_text(FIXTURE)
    broken = tmp_path / "broken.837"
    broken.write_text(FIXTURE.replace("SE*21*0001~", ""))
    remittance = tmp_path / "acme.835"
    remittance.write_text(build_x12(remit("80", clp("PCN-1001", "1", "100", "80", "20", "ICN1",
                                                    svc("99213", "100", "80", "PR*1*20")))))
    db = f"sqlite:///{tmp_path / 'edi.db'}"
    base = ["--db", db, "--log-level", "DEBUG", *extra]
    commands = [
        ["import", str(path)], ["import", str(broken)], ["import", str(path)],
        ["claim", "show", "PCN-1001"], ["claim", "show", "PCN-1001", "--format", "json"],
        ["account", "show", "1234567893-1"], ["history", "claim", "PCN-1001"],
        ["history", "account", "1234567893-1", "--format", "json"], ["ledger", "check"],
        ["audit", "log", "--format", "json"], ["audit", "verify"], ["claim", "show", "NOPE"],
        ["parse", str(path)], ["parse", str(remittance)],
        ["parse", str(path), str(remittance), "--format", "jsonl"],
    ]
    runner = CliRunner()
    return [(r.stdout, r.stderr) for r in (runner.invoke(main, base + c) for c in commands)]


def test_no_canary_reaches_stderr_or_logs_at_debug(tmp_path: Path) -> None:
    outputs = _run_everything(tmp_path)
    assert any("ZQCANARY" in out for out, _ in outputs), "the canary should be in normal output"
    for _, err in outputs:
        assert not [c for c in CANARIES if c in err], err


def test_mask_phi_masks_the_canary_in_every_output(tmp_path: Path) -> None:
    for out, err in _run_everything(tmp_path, "--mask-phi"):
        assert not [c for c in CANARIES if c in out + err], out


def test_log_fields_outside_the_allow_list_are_redacted(capsys: object) -> None:
    import logging

    from edi_posting.logs import configure_logging

    configure_logging("DEBUG")
    log_event(logging.INFO, "x", file="a.835", patient_name="ZQCANARY", claims=3)
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert '"patient_name": "[redacted]"' in err and "ZQCANARY" not in err and '"claims": 3' in err


def test_mask_phi_keeps_initials_and_last_four() -> None:
    masked = mask_phi({"patient": {"last_name": "ZQCANARY", "birth_date": "1980-01-15"},
                       "account_number": "1234567893-1", "total": "1.00"})
    assert masked == {"patient": {"last_name": "Z.", "birth_date": "[masked]"},
                      "account_number": "********93-1", "total": "1.00"}


def test_an_invalid_service_date_is_withheld_but_a_payment_date_is_shown(tmp_path: Path) -> None:
    body = remit("80", clp("PCN-1001", "1", "100", "80", "20", "ICN1",
                           svc("99213", "100", "80", "PR*1*20", dos="19991399")),
                 date="20261399")
    path = tmp_path / "bad-dates.835"
    path.write_text(build_x12(body))
    result = CliRunner().invoke(main, ["parse", str(path)])
    assert "19991399" not in result.output
    assert "DTM02: (8 characters withheld) is not a CCYYMMDD date" in result.output
    assert "BPR16: '20261399' is not a CCYYMMDD date" in result.output


def test_mask_phi_masks_account_numbers_and_names_in_the_audit_log(tmp_path: Path) -> None:
    path = tmp_path / "clinic.837"
    path.write_text(FIXTURE)
    base = ["--db", f"sqlite:///{tmp_path / 'edi.db'}", "--actor", "ada"]
    runner = CliRunner()
    for command in (["import", str(path)], ["account", "show", "1234567893-1"],
                    ["history", "account", "1234567893-1"], ["claim", "show", "PCN-1001"]):
        assert runner.invoke(main, base + command).exit_code == 0
    shown = runner.invoke(main, [*base, "--mask-phi", "audit", "log", "--format", "json"])
    events = [(e["action"], e["object_type"], e["object_id"]) for e in json.loads(shown.stdout)]
    assert events[-4:] == [("account.show", "account", "********93-1"),
                          ("history.account", "account", "********93-1"),
                          ("claim.show", "claim", "PCN-1001"), ("audit.log", None, None)]
    table = runner.invoke(main, [*base, "--mask-phi", "audit", "log", "--action", "account.*"])
    assert [line.split()[2:] for line in table.stdout.splitlines()] == [
        ["db_login", "actor", "role", "action", "object_type", "object_id", "outcome"],
        [_os_login(), "ada", "account.show", "account", "********93-1", "ok"]]
    assert "1234567893-1" in runner.invoke(main, [*base, "audit", "log"]).stdout


def _os_login() -> str:
    """The login SQLite's audit events record: the OS user running the tests."""
    import os
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def test_mask_audit_event_masks_payees_and_phi_keys_in_the_summary() -> None:
    event = {"action": "queue.refund", "object_type": "review_item", "object_id": "7",
             "summary": {"kind": "credit_balance", "note": "paid twice",
                         "details": {"payee": "ALBA ZQCANARY", "account_number": "1234567893-1",
                                     "amount": "20.00"}}}
    assert mask_audit_event(event) == {
        "action": "queue.refund", "object_type": "review_item", "object_id": "7",
        "summary": {"kind": "credit_balance", "note": "paid twice",
                    "details": {"payee": "A.", "account_number": "********93-1",
                                "amount": "20.00"}}}
