"""One keyed service line (procedure, date, amounts, up to six adjustments, remarks) or one
provider-level adjustment row -> the 835's records for it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from edi_posting.codes.records import CodeList, CodeListName
from edi_posting.keyed.fields import RowReader
from edi_posting.keyed.template import ADJUSTMENT_SLOTS, adjustment_columns
from edi_posting.records.claim import ProcedureCode
from edi_posting.records.problems import ProblemCode
from edi_posting.records.remittance import ProviderAdjustmentRecord, ServiceLinePaymentRecord
from edi_posting.records.remittance_parts import (
    AdjustmentRecord,
    Amount,
    DateValue,
    RemarkCodeRecord,
)

__all__ = ["KeyedLine", "KeyedPlb", "read_line", "read_plb"]

_PROCEDURE = re.compile(r"^[A-Z0-9]{4,8}$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_UNITS = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
_SPLIT = re.compile(r"[\s,:;]+")


@dataclass(frozen=True, slots=True)
class KeyedLine:
    record: ServiceLinePaymentRecord


@dataclass(frozen=True, slots=True)
class KeyedPlb:
    record: ProviderAdjustmentRecord


def read_line(reader: RowReader, lists: dict[CodeListName, CodeList], day: dt.date
              ) -> KeyedLine:
    """The line's columns, each checked; amounts the reader refused count as 0 (the file
    then has an ERROR and posts nothing)."""
    procedure = (reader.text("procedure", required=True) or "").upper()
    if procedure and not _PROCEDURE.match(procedure):
        reader.fail(ProblemCode.KEYED_FIELD_INVALID, "procedure",
                    "not a procedure code (4 to 8 letters and digits, e.g. 99213)")
    modifiers = tuple(m.upper() for m in _SPLIT.split(reader.text("modifiers") or "") if m)
    if len(modifiers) > 4 or not all(_MODIFIER.match(m) for m in modifiers):
        reader.fail(ProblemCode.KEYED_FIELD_INVALID, "modifiers",
                    "up to four 2-character modifiers, separated by ':' (e.g. 25:59)")
    service_date = reader.date("service_date", required=True)
    units = reader.text("units", longest=15)
    if units is not None and not _UNITS.match(units):
        reader.fail(ProblemCode.KEYED_FIELD_INVALID, "units", "not a number of units")
    allowed = reader.cents("allowed")
    record = ServiceLinePaymentRecord(
        ProcedureCode("HC", procedure, modifiers), None,
        reader.cents("line_charge", required=True) or 0,
        reader.cents("line_paid", required=True) or 0, None, units, None, None,
        (DateValue("472", service_date),), _adjustments(reader, lists, day), (),
        (Amount("B6", allowed),) if allowed is not None else (), (),
        _remarks(reader, lists, day), reader.source)
    return KeyedLine(record)


def _adjustments(reader: RowReader, lists: dict[CodeListName, CodeList], day: dt.date
                 ) -> tuple[AdjustmentRecord, ...]:
    found = []
    for slot in range(1, ADJUSTMENT_SLOTS + 1):
        group, carc, amount = adjustment_columns(slot)
        if not any(reader.row.get(c) for c in (group, carc, amount)):
            continue
        group_code = reader.code(group, lists[CodeListName.GROUP], day, required=True)
        reason = reader.code(carc, lists[CodeListName.CARC], day, required=True)
        cents = reader.cents(amount, required=True)
        found.append(AdjustmentRecord(group_code or "", reason or "", cents or 0, None,
                                      reader.row.number))
    return tuple(found)


def _remarks(reader: RowReader, lists: dict[CodeListName, CodeList], day: dt.date
             ) -> tuple[RemarkCodeRecord, ...]:
    text = reader.text("remarks", longest=200)
    if text is None:
        return ()
    codes = [c.upper() for c in _SPLIT.split(text) if c]
    for code in codes:  # each problem names the one bad code, not the whole cell
        reader.check_code("remarks", code, lists[CodeListName.RARC], day)
    return tuple(RemarkCodeRecord("HE", code) for code in codes)


def read_plb(reader: RowReader, lists: dict[CodeListName, CodeList], day: dt.date
             ) -> KeyedPlb:
    """A provider-level adjustment: positive takes money back (reduces the check), as PLB."""
    reason = reader.code("plb_reason", lists[CodeListName.PLB_REASON], day, required=True)
    reference = reader.text("plb_reference", longest=50)
    amount = reader.cents("plb_amount", required=True)
    return KeyedPlb(ProviderAdjustmentRecord("", None, reason or "", reference, amount or 0,
                                             reader.source))
