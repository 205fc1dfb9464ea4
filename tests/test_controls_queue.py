"""Controls on the non-money queue actions and on placing a PLB: escalations and
assignments go to known, enabled users; a PLB is placed on the claim its reference names,
or the specialist says why it belongs elsewhere."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner

from edi_posting.cli import main
from tests.test_queue_money import (
    OFFICE_VISIT,
    accept_duplicates,
    item_id,
)
from tests.x835 import Practice, clp, remit, svc


def _cli(db: str, actor: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", db, "--actor", actor, "queue", *args])


def _users(db: str) -> None:
    for name, role in (("ada", "admin"), ("sam", "specialist"), ("bob", "specialist")):
        assert CliRunner().invoke(main, ["--db", db, "--actor", "ada", "users", "add", name,
                                         "--role", role]).exit_code == 0
    assert CliRunner().invoke(main, ["--db", db, "--actor", "ada", "users", "disable",
                                     "bob"]).exit_code == 0


def _denial(practice: Practice) -> str:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("0", clp("PCN1", "4", "100", "0", "0", "ICN1",
                                    svc("99213", "100", "0", "CO*16*100")), method="NON"))
    return str(item_id(practice, "denial"))


def test_escalate_and_assign_accept_only_known_enabled_users(practice: Practice,
                                                             database_url: str) -> None:
    denial = _denial(practice)
    _users(database_url)
    unknown = _cli(database_url, "sam", "escalate", denial, "--to", "nobody", "--note", "why")
    assert (unknown.exit_code, unknown.stderr) == (65, (
        "edi-posting: no active user 'nobody' to escalate to (a user name, or a role: poster, "
        "specialist, lead, auditor, admin)\n"))
    disabled = _cli(database_url, "sam", "assign", denial, "bob")
    assert (disabled.exit_code, disabled.stderr) == (
        65, "edi-posting: user 'bob' is disabled: assign to an active user\n")
    assert _cli(database_url, "sam", "assign", denial, "nobody").exit_code == 65
    assert _cli(database_url, "sam", "assign", denial, "sam").exit_code == 0
    assert _cli(database_url, "sam", "escalate", denial, "--to", "ada", "--note", "appeal").exit_code == 0
    assert _cli(database_url, "sam", "escalate", denial, "--to", "admin", "--note", "again").exit_code == 0


def test_without_users_escalate_and_assign_take_any_name(practice: Practice,
                                                         database_url: str) -> None:
    denial = _denial(practice)
    assert _cli(database_url, "solo", "assign", denial, "finance").exit_code == 0


def _unlinked_wo(practice: Practice, reference: str) -> str:
    """A WO recovery whose reference named no claim when it arrived, then PCN1 is paid twice."""
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    practice.receive(remit("60", clp("PCN2", "1", "100", "100", "0", "ICN3",
                                     svc("99213", "100", "100")),
                           trace="TRACE3", plb=f"PLB*1234567893*20261231*WO:{reference}*40~"))
    paid = clp("PCN1", "1", "100", "100", "0", "ICN1", svc("99213", "100", "100"))
    practice.receive(remit("100", paid))
    practice.receive(remit("100", paid.replace("ICN1", "PAYERREF9"), trace="TRACE2"))
    accept_duplicates(practice)  # the second payment, held at import, accepted: a credit
    return str(item_id(practice, "unlinked_plb"))


def test_place_plb_on_a_claim_its_reference_does_not_name_needs_a_note(
        practice: Practice, database_url: str) -> None:
    plb = _unlinked_wo(practice, "OLDREF77")
    refused = _cli(database_url, "sam", "place-plb", plb, "--claim", "PCN1")
    assert (refused.exit_code, refused.stderr) == (65, (
        "edi-posting: PLB WO reference OLDREF77 names neither claim PCN1 nor one of its payer "
        "claim numbers (CLP07): say why it belongs there (--note)\n"))
    assert practice.balances("PCN1") == ("-100.00", "0.00")
    placed = _cli(database_url, "sam", "place-plb", plb, "--claim", "PCN1", "--note",
                  "payer's letter 4471 names PCN1")
    assert placed.exit_code == 0, placed.output
    assert practice.balances("PCN1") == ("-60.00", "0.00")


def test_place_plb_on_the_claim_whose_payer_claim_number_it_names_needs_no_note(
        practice: Practice, database_url: str) -> None:
    plb = _unlinked_wo(practice, "PAYERREF9")
    assert _cli(database_url, "sam", "place-plb", plb, "--claim", "PCN2").exit_code == 65
    placed = _cli(database_url, "sam", "place-plb", plb, "--claim", "PCN1")
    assert placed.exit_code == 0, placed.output
    assert practice.balances("PCN1") == ("-60.00", "0.00")
