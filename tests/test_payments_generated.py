"""The generator's day with its patient-payment batch (issue 24): imported with the 837s
and 835s, every claim paid at the desk ends with the patient balance expected.json says."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from edi_posting.db.models import SubmittedClaim
from edi_posting.importing.pipeline import import_paths
from edi_posting.ledger.journal import claim_balances
from edi_posting.money import format_cents
from edi_posting.testdata.generator import generate
from tests.x835 import Practice


def test_a_generated_day_with_its_patient_payments_leaves_the_expected_balances(
        practice: Practice, tmp_path: Path) -> None:
    out = tmp_path / "day"
    generate(out, 60, seed=5)
    expected = json.loads((out / "expected.json").read_text())["patient_payments"]
    assert expected["rows"] > 0 and expected["file"] == "payments/patient-payments.csv"
    result = import_paths(practice.engine, [out / "835", out / "payments", out / "837"],
                          practice.options)
    [batch] = [f for f in result.files if f.kind == "patient_payments"]
    assert (batch.status, batch.posted, format_cents(batch.payment_cents)) == (
        "imported", expected["rows"], expected["total"])
    with practice.engine.connect() as conn:
        found = {}
        for pcn in expected["claims"]:
            claim_id = conn.execute(select(SubmittedClaim.id).where(
                SubmittedClaim.patient_control_number == pcn)
                .order_by(SubmittedClaim.id.desc())).scalars().first()
            assert claim_id is not None
            found[pcn] = format_cents(claim_balances(conn, claim_id).patient_cents)
    assert found == {pcn: c["patient_balance_after"] for pcn, c in expected["claims"].items()}
