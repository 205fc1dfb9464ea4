"""The generator's keyed paper EOBs: the same checks as some of its 835 files, keyed.

A keyed twin is written for an 835 file when every check in it can be keyed: no claim
forwarded to a crossover payer (NM1*TT), no line the payer recoded (SVC06), no line with
more adjustments than the template's six, no institutional line (a revenue code has no
column).  Twins alternate between the CSV and the JSON form (``DIR/eob/<835 name>.csv`` or
``.json``); importing a twin instead of its 835 gives the same ledger apart from the
source (``tests/test_keyed_equivalence.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edi_posting.keyed.template import (
    ADJUSTMENT_SLOTS,
    COLUMNS,
    JSON_FORMAT,
    KeyedMethod,
    RowKind,
    adjustment_columns,
)
from edi_posting.money import format_cents
from edi_posting.testdata.scenarios import ClaimPay, PayerPlan, Plb, ServicePay

__all__ = ["KeyedCheckPlan", "KeyedTwins", "can_key"]

_METHODS = {"CHK": KeyedMethod.CHECK, "ACH": KeyedMethod.EFT, "NON": KeyedMethod.NONE}


def can_key(pays: Sequence[ClaimPay]) -> bool:
    """Whether these claim payments can be keyed from paper into the template's columns."""
    return all(pay.crossover is None and not pay.claim.provider.institutional
               and all(not s.has_original and len(s.adjustments) <= ADJUSTMENT_SLOTS
                       for s in pay.services) for pay in pays)


@dataclass(frozen=True, slots=True)
class KeyedCheckPlan:
    """One check of an 835 file as a keyer would key it."""

    payer: PayerPlan
    pays: tuple[ClaimPay, ...]
    plbs: tuple[Plb, ...]
    net_cents: int
    method: str  # BPR04
    trace: str
    day: dt.date

    def rows(self) -> list[dict[str, str]]:
        check = {"payer": self.payer.payer_id, "check_number": self.trace,
                 "payment_date": self.day.isoformat(),
                 "payment_amount": format_cents(self.net_cents),
                 "payment_method": _METHODS[self.method].value}
        rows = [{"record": RowKind.LINE.value, **check, **_claim(pay), **_line(service)}
                for pay in self.pays for service in pay.services]
        rows += [{"record": RowKind.PLB.value, **check, "plb_reason": p.reason,
                  "plb_reference": p.reference, "plb_amount": format_cents(p.cents)}
                 for p in self.plbs]
        return rows


def _claim(pay: ClaimPay) -> dict[str, str]:
    sub = pay.claim.subscriber
    return {"claim_pcn": pay.sent_pcn, "claim_status": pay.status,
            "claim_charge": format_cents(pay.charge_cents),
            "claim_paid": format_cents(pay.paid_cents),
            "patient_responsibility": format_cents(pay.patient_cents),
            "payer_claim_number": pay.icn, "patient_name": f"{sub.last}, {sub.first}",
            "member_id": sub.member_id}


def _line(service: ServicePay) -> dict[str, str]:
    line = service.line
    found = {"procedure": service.code, "modifiers": ":".join(service.modifiers),
             "service_date": dt.datetime.strptime(line.service_date, "%Y%m%d").date().isoformat(),
             "line_charge": format_cents(service.charge_cents),
             "allowed": format_cents(service.allowed_cents) if service.allowed_cents else "",
             "line_paid": format_cents(service.paid_cents), "units": str(line.units),
             "remarks": " ".join(service.remarks)}
    for slot, cas in enumerate(service.adjustments, start=1):
        group, carc, amount = adjustment_columns(slot)
        found |= {group: cas.group, carc: cas.reason, amount: format_cents(cas.cents)}
    return found


@dataclass
class KeyedTwins:
    """Collects the checks of the 835 file being written; writes its twin when all of them
    can be keyed."""

    out: Path
    written: list[dict[str, Any]] = field(default_factory=list)
    checks: list[KeyedCheckPlan] = field(default_factory=list)
    keyable: bool = True

    def add(self, check: KeyedCheckPlan) -> None:
        self.keyable = self.keyable and can_key(check.pays) and bool(check.pays or check.plbs)
        self.checks.append(check)

    def finish_file(self, name_835: str) -> None:
        checks, keyable = self.checks, self.keyable
        self.checks, self.keyable = [], True
        if not checks or not keyable:
            return
        form = "csv" if len(self.written) % 2 == 0 else "json"
        name = f"{Path(name_835).stem}.{form}"
        rows = [row for check in checks for row in check.rows()]
        (self.out / "eob").mkdir(exist_ok=True)
        path = self.out / "eob" / name
        if form == "csv":
            _write_csv(path, rows)
        else:
            path.write_text(json.dumps(_nested(checks), indent=2) + "\n", encoding="utf-8")
        self.written.append({"file": name, "twin_of": name_835, "form": form,
                             "checks": [c.trace for c in checks]})


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _nested(checks: Sequence[KeyedCheckPlan]) -> dict[str, Any]:
    out = []
    for check in checks:
        first = check.rows()[0] if check.rows() else {}
        claims = [{"pcn": c["claim_pcn"], "status": c["claim_status"],
                   "charge": c["claim_charge"], "paid": c["claim_paid"],
                   "patient_responsibility": c["patient_responsibility"],
                   "payer_claim_number": c["payer_claim_number"],
                   "patient_name": c["patient_name"], "member_id": c["member_id"],
                   "lines": [_json_line(_line(s)) for s in pay.services]}
                  for pay in check.pays for c in [_claim(pay)]]
        out.append({k: first.get(k, "") for k in ("payer", "check_number", "payment_date",
                                                   "payment_amount", "payment_method")}
                   | {"claims": claims, "plb": [
                       {"reason": p.reason, "reference": p.reference,
                        "amount": format_cents(p.cents)} for p in check.plbs]})
    return {"format": JSON_FORMAT, "checks": out}


def _json_line(row: dict[str, str]) -> dict[str, Any]:
    adjustments = []
    for slot in range(1, ADJUSTMENT_SLOTS + 1):
        group, carc, amount = adjustment_columns(slot)
        if row.get(group):
            adjustments.append({"group": row[group], "carc": row[carc], "amount": row[amount]})
    return {"procedure": row["procedure"], "modifiers": row["modifiers"],
            "service_date": row["service_date"], "charge": row["line_charge"],
            "allowed": row["allowed"], "paid": row["line_paid"], "units": row["units"],
            "adjustments": adjustments, "remarks": row["remarks"]}
