"""The keyed-EOB layout: one CSV row per service line (the check's and the claim's fields
repeated on each row) or per provider-level adjustment, and the equivalent nested JSON.

The column names are the documented interface (README "Keyed paper EOBs"); the JSON form
uses the same names nested check -> claims -> lines (and ``plb``), so one validator serves
both and a problem names the same column in either.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = [
    "ADJUSTMENT_SLOTS",
    "CHECK_COLUMNS",
    "CLAIM_COLUMNS",
    "COLUMNS",
    "JSON_FORMAT",
    "KEYED_KIND",
    "LINE_COLUMNS",
    "PLB_COLUMNS",
    "KeyedMethod",
    "RowKind",
    "adjustment_columns",
    "csv_header",
    "json_skeleton",
]

KEYED_KIND = "eob"  # received_files.kind of a keyed EOB file (db.intake.FILE_KINDS)
ADJUSTMENT_SLOTS = 6  # a line's adjustments: group, CARC, amount, up to six (as CAS)
JSON_FORMAT = "edi-posting keyed eob 1"  # the JSON form's "format" marker


class RowKind(enum.StrEnum):
    """The ``record`` column: what one CSV row keys."""

    LINE = "line"  # a service line of a claim (the default when the column is empty)
    PLB = "plb"  # a provider-level adjustment of the check (PLB)


class KeyedMethod(enum.StrEnum):
    """``payment_method`` as keyed -> the BPR04 an 835 would carry."""

    CHECK = "check"
    EFT = "eft"
    NONE = "none"  # a zero-pay EOB: no money moved

    @property
    def bpr04(self) -> str:
        return {"check": "CHK", "eft": "ACH", "none": "NON"}[self.value]


CHECK_COLUMNS = ("payer", "check_number", "payment_date", "payment_amount", "payment_method")
CLAIM_COLUMNS = ("claim_pcn", "claim_status", "claim_charge", "claim_paid",
                 "patient_responsibility", "payer_claim_number", "patient_name", "member_id")
PLB_COLUMNS = ("plb_reason", "plb_reference", "plb_amount")


def adjustment_columns(slot: int) -> tuple[str, str, str]:
    """``adj1_group``, ``adj1_carc``, ``adj1_amount`` for slot 1 (of 1..6)."""
    return f"adj{slot}_group", f"adj{slot}_carc", f"adj{slot}_amount"


LINE_COLUMNS = ("procedure", "modifiers", "service_date", "line_charge", "allowed",
                "line_paid", "units",
                *(c for n in range(1, ADJUSTMENT_SLOTS + 1) for c in adjustment_columns(n)),
                "remarks")
COLUMNS = ("record", *CHECK_COLUMNS, *CLAIM_COLUMNS, *LINE_COLUMNS, *PLB_COLUMNS)

# JSON names of the nested form (the CSV column each stands for)
JSON_CLAIM = {"pcn": "claim_pcn", "status": "claim_status", "charge": "claim_charge",
              "paid": "claim_paid", "patient_responsibility": "patient_responsibility",
              "payer_claim_number": "payer_claim_number", "patient_name": "patient_name",
              "member_id": "member_id"}
JSON_LINE = {"procedure": "procedure", "modifiers": "modifiers", "service_date": "service_date",
             "charge": "line_charge", "allowed": "allowed", "paid": "line_paid",
             "units": "units", "remarks": "remarks"}
JSON_ADJUSTMENT = {"group": 0, "carc": 1, "amount": 2}  # index into adjustment_columns
JSON_PLB = {"reason": "plb_reason", "reference": "plb_reference", "amount": "plb_amount"}


def csv_header() -> str:
    """The CSV template: its header row."""
    return ",".join(COLUMNS) + "\n"


def json_skeleton() -> dict[str, Any]:
    """The JSON template: one check with one claim, one line, one adjustment and one PLB,
    every field present and empty."""
    line: dict[str, Any] = {name: "" for name in JSON_LINE}
    line["adjustments"] = [{name: "" for name in JSON_ADJUSTMENT}]
    claim: dict[str, Any] = {name: "" for name in JSON_CLAIM}
    claim["lines"] = [line]
    check: dict[str, Any] = {name: "" for name in CHECK_COLUMNS}
    check["claims"] = [claim]
    check["plb"] = [{name: "" for name in JSON_PLB}]
    return {"format": JSON_FORMAT, "checks": [check]}
