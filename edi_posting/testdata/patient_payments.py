"""The generator's patient-payment batch: part of its claims' patient responsibility paid
at the front desk, written as ``DIR/payments/patient-payments.csv`` (the header
``import`` recognises) and recorded in ``expected.json`` under ``patient_payments``.

Only claims whose outcome is final when planned and simple (scenario ``contractual``: a
PR share the 835 leaves on the patient) are chosen, about one in two, each paid in full or
in half; never more than the patient owes, so no credit balance is expected.  The rows
name the claim (PCN) and leave ``account`` empty: the engine numbers accounts itself.
Draws come from a generator of their own, so the 837s, 835s and bank files of a seed are
byte for byte what they were before this batch existed.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

from edi_posting.money import format_cents
from edi_posting.testdata.scenarios import Claim, Outcome

__all__ = ["PATIENT_PAYMENTS_FILE", "PatientPayments"]

PATIENT_PAYMENTS_FILE = "payments/patient-payments.csv"
_HEADER = ("date", "account", "claim", "amount", "method", "reference", "name")
_METHODS = ("cash", "check", "card", "online")
_CHOSEN_SCENARIOS = frozenset({"contractual"})


class PatientPayments:
    """Chooses the payments while claims are planned; writes the batch at the end."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"patient-payments:{seed}")
        self.rows: list[tuple[str, ...]] = []
        self.claims: dict[str, dict[str, str]] = {}
        self.total_cents = 0
        self.last_day = dt.date(2000, 1, 1)

    def consider(self, claim: Claim, outcome: Outcome, day: dt.date) -> None:
        """Maybe pay part of this claim's patient balance (``outcome`` is final)."""
        owed = outcome.patient_cents
        if claim.scenario not in _CHOSEN_SCENARIOS or owed <= 0 or self.rng.random() < 0.5:
            return
        paid = owed if self.rng.random() < 0.5 else max(owed // 2, 1)
        self.last_day = max(self.last_day, day)
        self.total_cents += paid
        name = f"{claim.subscriber.last}, {claim.subscriber.first}"
        self.rows.append(("", claim.pcn, format_cents(paid), self.rng.choice(_METHODS),
                          f"PP-{len(self.rows) + 1:06d}", name))
        self.claims[claim.pcn] = {"paid": format_cents(paid),
                                  "patient_balance_after": format_cents(owed - paid)}

    def write(self, out: Path) -> dict[str, Any]:
        """The CSV (every row dated the batch's day; none when no claim was chosen) and its
        ``expected.json`` section."""
        if not self.rows:
            return {"file": None, "date": None, "rows": 0, "total": "0.00", "claims": {}}
        path = out / PATIENT_PAYMENTS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        day = self.last_day.isoformat()
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(_HEADER)
            writer.writerows((day, *row) for row in self.rows)
        return {"file": PATIENT_PAYMENTS_FILE, "date": day, "rows": len(self.rows),
                "total": format_cents(self.total_cents), "claims": self.claims}
