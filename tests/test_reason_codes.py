"""apply, transfer, place-plb and write-off take a reason from the documented code list
(write-off also a CAS group-CARC such as CO-16) and an optional note; both land in the item
event and the audit trail.  An unknown reason is a usage error listing the valid ones."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select

from edi_posting.cli import main
from edi_posting.db.models import ReviewItemEvent
from edi_posting.review.reason_codes import ReasonCode
from tests.test_queue_money import OFFICE_VISIT, item_id
from tests.x835 import Practice, clp, remit, svc


def _cli(db: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", db, "--actor", "sam", "queue", *args])


def _denied(practice: Practice) -> str:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("0", clp("PCN1", "4", "100", "0", "0", "ICN1",
                                    svc("99213", "100", "0", "PR*96*100")), method="NON"))
    return str(item_id(practice, "denial"))


def _last_event(practice: Practice, ident: str) -> tuple[str | None, dict[str, Any] | None]:
    with practice.engine.connect() as conn:
        row = conn.execute(select(ReviewItemEvent.note, ReviewItemEvent.details)
                           .where(ReviewItemEvent.review_item_id == int(ident))
                           .order_by(ReviewItemEvent.id.desc()).limit(1)).one()
    return row.note, row.details


def test_an_unknown_reason_is_a_usage_error_listing_the_valid_codes(practice: Practice,
                                                                    database_url: str) -> None:
    denial = _denied(practice)
    for action in (["write-off", denial], ["transfer", denial, "--to", "patient"],
                   ["apply", denial, "--claim", "PCN1"], ["place-plb", denial, "--note", "x"]):
        result = _cli(database_url, *action, "--reason", "because")
        assert result.exit_code == 2, (action, result.output)
        assert "'because' is not a reason code; choose one of: " in result.stderr
        assert all(code.value in result.stderr for code in ReasonCode)
    other = _cli(database_url, "write-off", denial, "--reason", "other")
    assert other.exit_code == 2 and "reason 'other' needs --note" in other.stderr
    assert practice.balances("PCN1") == ("100.00", "0.00")


def test_write_off_keeps_a_cas_code_or_a_listed_reason_with_its_note(practice: Practice,
                                                                     database_url: str) -> None:
    denial = _denied(practice)
    carc = _cli(database_url, "write-off", denial, "--reason", "CO-16", "--amount", "10")
    assert carc.exit_code == 0, carc.output
    listed = _cli(database_url, "write-off", denial, "--reason", "small-balance", "--note",
                  "under the statement threshold", "--amount", "5")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout == (f"review item {denial}: wrote off 5.00 of claim PCN1's insurance "
                             "balance (small-balance: under the statement threshold)\n")
    _, details = _last_event(practice, denial)
    assert details and details["reason"] == "small-balance"
    assert details["note"] == "under the statement threshold"


def test_transfer_takes_a_reason_and_note_into_the_event_and_the_audit(
        practice: Practice, database_url: str) -> None:
    denial = _denied(practice)
    done = _cli(database_url, "transfer", denial, "--to", "patient", "--amount", "40",
                "--reason", "patient-responsibility", "--note", "non-covered, ABN signed")
    assert done.exit_code == 0, done.output
    note, details = _last_event(practice, denial)
    assert note == ("transferred 40.00 of claim PCN1 to the patient (patient-responsibility: "
                    "non-covered, ABN signed)")
    assert details and (details["reason"], details["note"]) == ("patient-responsibility",
                                                                "non-covered, ABN signed")
    log = CliRunner().invoke(main, ["--db", database_url, "--actor", "sam", "audit", "log",
                                    "--action", "queue.transfer", "--format", "json"])
    assert json.loads(log.stdout)[-1]["summary"]["details"]["reason"] == "patient-responsibility"
