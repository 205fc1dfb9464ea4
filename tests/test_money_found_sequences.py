"""The shortest failing sequences the money state machine found, replayed as plain tests.

Each is a list of the machine's own steps (``tests/test_money_state_machine.py``), run
one by one on a fresh database of each backend with every invariant checked after each
step: deterministic, so the fix of each bug shows here by name.  Each failed when added.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from tests.test_money_state_machine import MoneyMachine

FOUND = {
    "set_resent_under_another_st02_opens_a_conflict": [
        ("receive", {"names": ["paid_pcn4"]}),
        ("reimport_sets_renumbered", {"names": ["paid_pcn4"]})],
    "set_sent_twice_in_one_file_posts_again": [
        ("receive", {"names": ["paid_pcn4"]}),
        ("reimport_set_twice_in_one_file", {"name": "paid_pcn4"})],
    "original_after_its_reversal_and_correction_charges_the_patient_twice": [
        ("bill", {"pcn": "PCN1"}),
        ("receive", {"names": ["reversal_and_correction_pcn1"]}),
        ("receive", {"names": ["paid_pcn1"]})],
    "apply_onto_an_adjudicated_claim_charges_the_patient_twice": [
        ("bill", {"pcn": "PCN1"}),
        ("receive", {"names": ["paid_pcn1"]}),
        ("receive", {"names": ["wrong_pcn_with_shares"]}),
        ("apply", {"pick": 0, "pcn": "PCN1", "amount": None, "confirm": True})],
    "payment_before_its_claim_splits_its_payer_in_two": [
        ("receive", {"names": ["stranger_paid"]}),
        ("bill", {"pcn": "PCN1"}),
        ("receive", {"names": ["paid_pcn1"]})],
}


@pytest.mark.parametrize("steps", list(FOUND.values()), ids=list(FOUND))
def test_sequences_the_machine_found_keep_the_books_right(
        database_factory: Callable[[], AbstractContextManager[str]], tmp_path: Path,
        steps: list[tuple[str, dict[str, Any]]]) -> None:
    machine = type("Machine", (MoneyMachine,), {
        "databases": staticmethod(database_factory), "directory": tmp_path, "day": tmp_path,
        "generated": {}})()
    try:
        for name, arguments in steps:
            getattr(machine, name)(**arguments)
            machine.ledger_checks_pass()
            machine.queue_owns_every_open_dollar_once()
            machine.no_patient_owes_more_than_the_payer_assigned()
            machine.no_payer_is_split_in_two()
    finally:
        machine.teardown()
