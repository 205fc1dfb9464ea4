"""Keyed paper EOBs written inside a test: rows as dicts of the template's columns.

``line(...)`` fills a service-line row with the check and claim of the small practice of
:mod:`tests.x835` (payer ACME01, PCN1, ZQCANARY ALBA); ``eob_csv(...)`` renders rows under
the template's header, ``eob_json(...)`` the same checks in the nested form.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from edi_posting.keyed.template import COLUMNS

__all__ = ["eob_csv", "line", "plb"]

CHECK = {"payer": "ACME01", "check_number": "CHK100", "payment_date": "2026-03-10",
         "payment_amount": "80.00", "payment_method": "check"}


def line(pcn: str = "PCN1", charge: str = "100.00", paid: str = "80.00", *,
         adjustments: tuple[tuple[str, str, str], ...] = (("CO", "45", "20.00"),),
         **fields: str) -> dict[str, str]:
    """One service line of a one-line claim (claim charge and paid = the line's)."""
    row = {"record": "line", **CHECK, "claim_pcn": pcn, "claim_status": "1",
           "claim_charge": charge, "claim_paid": paid, "patient_responsibility": "0",
           "payer_claim_number": f"ICN-{pcn}", "patient_name": "ZQCANARY, ALBA",
           "member_id": "ZQM000111", "procedure": "99213", "modifiers": "",
           "service_date": "2026-02-20", "line_charge": charge, "allowed": "",
           "line_paid": paid, "units": "1", "remarks": ""}
    for n, (group, carc, amount) in enumerate(adjustments, start=1):
        row |= {f"adj{n}_group": group, f"adj{n}_carc": carc, f"adj{n}_amount": amount}
    return row | fields


def plb(reason: str, reference: str, amount: str, **fields: str) -> dict[str, str]:
    return {"record": "plb", **CHECK, "plb_reason": reason, "plb_reference": reference,
            "plb_amount": amount} | fields


def eob_csv(*rows: dict[str, str], columns: tuple[str, ...] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def eob_json(*rows: dict[str, str]) -> str:
    """The same rows in the nested form (consecutive rows of one claim: one claim)."""
    checks: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["payer"], row["check_number"])
        check = checks.setdefault(key, {c: row[c] for c in CHECK} | {"claims": [], "plb": []})
        if row["record"] == "plb":
            check["plb"].append({"reason": row["plb_reason"], "reference": row["plb_reference"],
                                 "amount": row["plb_amount"]})
            continue
        claim = {"pcn": row["claim_pcn"], "status": row["claim_status"],
                 "charge": row["claim_charge"], "paid": row["claim_paid"],
                 "patient_responsibility": row["patient_responsibility"],
                 "payer_claim_number": row["payer_claim_number"],
                 "patient_name": row["patient_name"], "member_id": row["member_id"]}
        if not check["claims"] or {k: v for k, v in check["claims"][-1].items()
                                   if k != "lines"} != claim:
            check["claims"].append(claim | {"lines": []})
        adjustments = [{"group": row[f"adj{n}_group"], "carc": row[f"adj{n}_carc"],
                        "amount": row[f"adj{n}_amount"]}
                       for n in range(1, 7) if row.get(f"adj{n}_group")]
        check["claims"][-1]["lines"].append(
            {"procedure": row["procedure"], "modifiers": row["modifiers"],
             "service_date": row["service_date"], "charge": row["line_charge"],
             "allowed": row["allowed"], "paid": row["line_paid"], "units": row["units"],
             "adjustments": adjustments, "remarks": row["remarks"]})
    return json.dumps({"format": "edi-posting keyed eob 1", "checks": list(checks.values())},
                      indent=2)
