"""`queue accept-set`: an admin posts an 835 set that `import --validate` rejected, from the
archived file, after review (issue 23).  The item closes naming what was wrong; accepting
again posts nothing; tampered archive bytes are refused; only `administer` may do it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

import edi_posting
from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.models import AuditEvent, ClaimPayment, JournalEntry, ReviewItem
from tests.test_queue_money import events, item, item_id
from tests.test_validation import BODY, remit
from tests.x835 import Practice


def _rejected_by_validation(practice: Practice) -> int:
    """Two sets in one file; the second's BPR16 (2026-13-50) fails the guide's date rule,
    so `import --validate` posts the first and rejects the second (its claim: PCN2)."""
    practice.bill(("PCN1", (("HC:99213:25", "100"),)), ("PCN2", (("HC:99213:25", "100"),)))
    bad = (BODY.replace("20260105~", "20261350~").replace("EFT1", "EFT2")
           .replace("CLP*PCN1*", "CLP*PCN2*"))
    practice.options = replace(practice.options, validate=True)
    result = practice.import_text(remit(BODY, bad), "mixed.835")
    assert (result.status, result.posted) == ("partial", 1)
    return item_id(practice, "rejected_file")


def _paid(practice: Practice) -> list[str]:
    with practice.engine.connect() as conn:
        return sorted(conn.execute(select(ClaimPayment.patient_control_number)).scalars())


def _entries(practice: Practice) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(JournalEntry)).scalar_one())


def test_an_admin_accepts_a_set_validation_rejected_and_it_posts_from_the_archive(
        practice: Practice, as_user: Any) -> None:
    ident = _rejected_by_validation(practice)
    assert _paid(practice) == ["PCN1"]
    done = edi_posting.accept_rejected_set(as_user("ada"), ident, "payer confirmed the date")
    assert done.status == "resolved"
    assert done.message.startswith(
        f"review item {ident}: accepted transaction set 0002 rejected for "
        "REJECTED_BY_VALIDATION (transaction set 0002")
    assert done.message.endswith("payer confirmed the date; 1 claims: 1 posted, 0 queued")
    assert _paid(practice) == ["PCN1", "PCN2"]
    assert practice.balances("PCN2") == ("0.00", "10.00")  # paid 80, CO-45 off, PR-3 the patient's
    assert item(practice, ident)[0] == "resolved"
    assert events(practice, ident)[-1] == ("accept-set", "resolved")
    with practice.engine.connect() as conn:
        audited = conn.execute(select(AuditEvent.actor, AuditEvent.outcome).where(
            AuditEvent.action == "queue.accept-set")).all()
    assert [tuple(a) for a in audited] == [("ada", "ok")]
    assert edi_posting.check_ledger(as_user("aud")).violations == []
    entries = _entries(practice)
    with pytest.raises(edi_posting.ActionError, match="resolved already"):
        edi_posting.accept_rejected_set(as_user("ada"), ident, "again")
    assert _entries(practice) == entries  # a second accept posts nothing


def test_only_an_admin_may_accept_a_rejected_set(practice: Practice, as_user: Any) -> None:
    ident = _rejected_by_validation(practice)
    for name in ("sam", "leo", "pat"):
        with pytest.raises(edi_posting.PermissionDeniedError, match="administer"):
            edi_posting.accept_rejected_set(as_user(name), ident, "looks fine")
    assert _paid(practice) == ["PCN1"] and item(practice, ident)[0] == "open"


def test_accept_set_refuses_tampered_archive_bytes(practice: Practice, as_user: Any) -> None:
    ident = _rejected_by_validation(practice)
    with write_transaction(practice.engine) as conn:
        file_id = conn.execute(select(ReviewItem.file_id).where(
            ReviewItem.id == ident)).scalar_one()
        conn.execute(text("UPDATE received_files SET content = :c WHERE id = :i"),
                     {"c": b"ISA*tampered~", "i": file_id})
    with pytest.raises(edi_posting.ArchiveIntegrityError):
        edi_posting.accept_rejected_set(as_user("ada"), ident, "looks fine")
    assert _paid(practice) == ["PCN1"] and item(practice, ident)[0] == "open"


def test_accept_set_refuses_an_item_that_is_not_a_rejected_set(practice: Practice,
                                                               as_user: Any) -> None:
    from tests.test_api_queue import _denied
    ident = _denied(practice)
    with pytest.raises(edi_posting.ActionError, match="naming no transaction set"):
        edi_posting.accept_rejected_set(as_user("ada"), ident, "looks fine")


def test_cli_accept_set_dry_run_writes_nothing_then_posts(
        practice: Practice, as_user: Any, database_url: str) -> None:
    ident = _rejected_by_validation(practice)
    runner = CliRunner()

    def queue(actor: str, *args: str) -> Any:
        return runner.invoke(main, ["--db", database_url, "--actor", actor, "queue", *args])

    entries = _entries(practice)
    rehearsed = queue("ada", "accept-set", str(ident), "--reason", "ok", "--dry-run")
    assert rehearsed.exit_code == 0, rehearsed.output
    lines = rehearsed.stdout.splitlines()
    assert lines[0].startswith(f"review item {ident} (dry run, nothing written) would: "
                               "accepted transaction set 0002")
    assert lines[1].startswith("  would post payment: ")
    assert lines[-1] == f"  would leave review item {ident} resolved at 0.00"
    assert _entries(practice) == entries and _paid(practice) == ["PCN1"]
    refused = queue("sam", "accept-set", str(ident), "--reason", "ok")
    assert refused.exit_code == 77
    done = queue("ada", "accept-set", str(ident), "--reason", "ok")
    assert done.exit_code == 0 and done.stdout.startswith(f"review item {ident}: accepted")
    again = queue("ada", "accept-set", str(ident), "--reason", "ok")
    assert (again.exit_code, again.stderr) == (65, (f"edi-posting: review item {ident} is "
                                                    "resolved already\n"))
