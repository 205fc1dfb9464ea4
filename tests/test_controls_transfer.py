"""Only patient responsibility goes to the patient: a transfer that would move a
contractual (CO) amount is refused naming the group and CARC, unless an admin overrides
it with a reason, which is audited."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from edi_posting.cli import main
from tests.test_queue_money import OFFICE_VISIT, item_id
from tests.x835 import Practice, clp, remit, svc


def _cli(db: str, actor: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", db, "--actor", actor, "queue", *args])


def _denied(practice: Practice, *cas: str) -> str:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("0", clp("PCN1", "4", "100", "0", "0", "ICN1",
                                    svc("99213", "100", "0", *cas)), method="NON"))
    return str(item_id(practice, "denial"))


def test_a_contractual_denial_is_not_transferred_to_the_patient(practice: Practice,
                                                                database_url: str) -> None:
    denial = _denied(practice, "CO*16*100")
    refused = _cli(database_url, "sam", "transfer", denial, "--to", "patient")
    assert (refused.exit_code, refused.stderr) == (65, (
        "edi-posting: 100.00 of claim PCN1's balance with its payer (100.00) is contractual "
        "(CO-16 100.00 in its 835s), which the patient does not owe: at most 0.00 can go to "
        "the patient (an admin may override with --override-reason)\n"))
    assert practice.balances("PCN1") == ("100.00", "0.00")


def test_only_the_patient_responsibility_part_goes_to_the_patient(practice: Practice,
                                                                  database_url: str) -> None:
    denial = _denied(practice, "CO*45*30", "PR*96*70")
    too_much = _cli(database_url, "sam", "transfer", denial, "--to", "patient")
    assert too_much.exit_code == 65 and "(CO-45 30.00 in its 835s)" in too_much.stderr
    done = _cli(database_url, "sam", "transfer", denial, "--to", "patient", "--amount", "70")
    assert done.exit_code == 0, done.output
    assert practice.balances("PCN1") == ("30.00", "70.00")
    assert _cli(database_url, "sam", "transfer", denial, "--to", "patient").exit_code == 65


def test_an_admin_may_override_with_a_reason_and_it_is_audited(practice: Practice,
                                                               database_url: str) -> None:
    denial = _denied(practice, "CO*16*100")
    for name, role in (("ada", "admin"), ("sam", "specialist"), ("aud", "auditor")):
        CliRunner().invoke(main, ["--db", database_url, "--actor", "ada", "users", "add", name,
                                  "--role", role])
    specialist = _cli(database_url, "sam", "transfer", denial, "--to", "patient",
                      "--override-reason", "patient signed a waiver")
    assert specialist.exit_code == 77 and "permission denied (administer)" in specialist.stderr
    done = _cli(database_url, "ada", "transfer", denial, "--to", "patient",
                "--override-reason", "patient signed a waiver")
    assert done.exit_code == 0, done.output
    assert done.stdout.endswith("(contractual CO-16 overridden by ada: patient signed a "
                                "waiver); the denying payer's balance on the claim is settled\n")
    assert practice.balances("PCN1") == ("0.00", "100.00")
    log = CliRunner().invoke(main, ["--db", database_url, "--actor", "aud", "audit", "log",
                                    "--action", "queue.transfer", "--format", "json"])
    details = [e["summary"].get("details", {}) for e in json.loads(log.stdout)
               if e["outcome"] == "ok"]
    assert details[0]["override_reason"] == "patient signed a waiver"
