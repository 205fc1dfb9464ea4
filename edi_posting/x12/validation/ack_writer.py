"""Acknowledgment writer: validation findings -> 999 (or 997) and TA1 interchanges as text.

Consumes the :mod:`~edi_posting.x12.ack_records` that validation builds from pyx12's
error tree, and produces :class:`~edi_posting.x12.ack_records.Ack` records (kind, the
ISA13/GS06 they answer, and the X12 text).  We write the acknowledgments ourselves
instead of using pyx12's ``error_999`` visitor because that visitor raises ``EngineError:
Cannot create AK2: err_st.vriic was not set`` whenever ST03 is absent (the norm in real
835s, whose X221A1 map even marks ST03 "Not Used"; ``x12n_document`` logs it and leaves a
999 cut after AK1), raises ``KeyError`` on an ST03 error, and sets AK901 ``R`` when one
set of many is rejected (X12 says ``P``).

Rules (005010X231A1 for the 999, X12 TA1 for the interchange):

* one 999 per functional group, addressed back to its sender (ISA05/06 and GS02 swapped
  with ISA07/08 and GS03); no 999 answers an FA group (acknowledgments are never
  acknowledged) or a group of an interchange rejected by its TA1;
* a 004010 group gets a 997 instead (same shape: AK3/AK4/AK5 and no implementation codes);
* a TA1 is written when the interchange has envelope errors (TA104 ``R``) or asked for one
  (ISA14 = 1; TA104 ``A``, TA105 ``000``);
* the acknowledgments use the received file's separators, so no value copied back from it
  (an ID, a bad value in IK404) can contain one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence

from edi_posting.x12.ack_records import (
    ISA_WIDTHS,
    Ack,
    AckStatus,
    ElementError,
    Finding,
    GroupCode,
    GroupResult,
    InterchangeCode,
    InterchangeResult,
    SetCode,
    SetResult,
)
from edi_posting.x12.delimiters import Delimiters

__all__ = ["build_acks"]

_999_VERSION = "005010X231A1"
_MAX_CODES = 5  # IK502..IK506, AK905..AK909
_EXTENDED_CHARSET = re.compile(r"""[A-Za-z0-9!"&'()*+,\-./:;?= %~@\[\]_{}\\|<>^`#$]+""")
_SEGMENT_ID = re.compile(r"[A-Za-z0-9]{2,3}")  # IK301; an unreadable one is sent as UNK


def build_acks(
    interchanges: Sequence[InterchangeResult],
    delimiters: Delimiters,
    *,
    control_numbers: Iterator[int],
    now: dt.datetime,
) -> list[Ack]:
    """The TA1s and 999/997s for one file, in file order.

    ``control_numbers`` supplies the ISA13 (and GS06) of each acknowledgment written.
    """
    writer = _Writer(delimiters, now)
    acks: list[Ack] = []
    for ich in interchanges:
        if ich.failure is not None:
            continue
        if ich.findings or ich.is_ta1_requested:
            acks.append(writer.ta1(ich, next(control_numbers)))
        if ich.status is AckStatus.REJECTED:
            continue  # a rejected interchange was not processed: its groups get no 999
        for group in ich.groups:
            if group.functional_id != "FA":
                acks.append(writer.functional_ack(ich, group, next(control_numbers)))
    return acks


class _Writer:
    """Formats segments with the received file's separators."""

    def __init__(self, delimiters: Delimiters, now: dt.datetime) -> None:
        self.element, self.component = delimiters.element, delimiters.component
        self.terminator = (
            delimiters.terminator
            if delimiters.terminator != "\n"
            else next(c for c in "~|!^" if c not in (self.element, self.component))
        )
        used = {self.element, self.component, self.terminator}
        self.repetition = delimiters.repetition or next(c for c in "^|!{}`" if c not in used)
        self.now = now

    def segment(self, *elements: str) -> str:
        return self.element.join(elements).rstrip(self.element) + self.terminator

    def isa(self, answered: tuple[str, ...], control: int, version: str) -> str:
        values = [
            "00",
            "",
            "00",
            "",
            _at(answered, 7),
            _at(answered, 8),
            _at(answered, 5),
            _at(answered, 6),
            self.now.strftime("%y%m%d"),
            self.now.strftime("%H%M"),
            self.repetition if version == "00501" else "U",
            version,
            f"{control:09d}",
            "0",
            _at(answered, 15) if _at(answered, 15) in ("P", "T") else "P",
        ]
        padded = [v[:w].ljust(w) for v, w in zip(values, ISA_WIDTHS)]
        return self.element.join(["ISA", *padded, self.component]) + self.terminator

    def ta1(self, ich: InterchangeResult, control: int) -> Ack:
        note = next(
            (f.x12_code for f in ich.findings if f.x12_code),
            InterchangeCode.INVALID_CONTROL_STRUCTURE.value
            if ich.findings
            else InterchangeCode.NO_ERROR.value,
        )
        status = AckStatus.REJECTED if ich.findings else AckStatus.ACCEPTED
        version = "00401" if _at(ich.isa, 12) == "00401" else "00501"
        lines = [
            self.isa(ich.isa, control, version),
            self.segment(
                "TA1", ich.control_number, _at(ich.isa, 9), _at(ich.isa, 10), status.value, note
            ),
            self.segment("IEA", "0", f"{control:09d}"),
        ]
        return Ack("TA1", ich.control_number, None, "\n".join(lines) + "\n")

    def functional_ack(self, ich: InterchangeResult, group: GroupResult, control: int) -> Ack:
        is_997 = group.version.startswith("004010")
        kind = "997" if is_997 else "999"
        body = [
            self.segment(
                "AK1", group.functional_id, group.control_number, "" if is_997 else group.version
            )
        ]
        unsupported = {
            GroupCode.FUNCTIONAL_GROUP_NOT_SUPPORTED.problem,
            GroupCode.FUNCTIONAL_GROUP_VERSION_NOT_SUPPORTED.problem,
        }
        if not any(f.name in unsupported for f in group.findings):
            for tset in group.sets:
                body += self.set_response(tset, is_997)
        received = len(group.sets)
        declared = received if group.declared_sets is None else group.declared_sets
        body.append(
            self.segment(
                "AK9",
                group.status.value,
                str(declared),
                str(received),
                str(group.accepted_sets),
                *_codes(group.findings),
            )
        )
        header = self.segment("ST", kind, "0001", "" if is_997 else _999_VERSION)
        trailer = self.segment("SE", str(len(body) + 2), "0001")
        lines = [
            self.isa(ich.isa, control, "00401" if is_997 else "00501"),
            self.segment(
                "GS",
                "FA",
                group.receiver,
                group.sender,
                self.now.strftime("%Y%m%d"),
                self.now.strftime("%H%M"),
                str(control),
                "X",
                "004010" if is_997 else _999_VERSION,
            ),
            header,
            *body,
            trailer,
            self.segment("GE", "1", str(control)),
            self.segment("IEA", "1", f"{control:09d}"),
        ]
        return Ack(kind, ich.control_number, group.control_number, "\n".join(lines) + "\n")

    def set_response(self, tset: SetResult, is_997: bool) -> list[str]:
        """AK2, the IK3/IK4 of each segment in error, IK5 (AK3/AK4/AK5 in a 997)."""
        lines = [
            self.segment(
                "AK2", tset.transaction_id, tset.control_number, "" if is_997 else tset.convention
            )
        ]
        seg_tag, ele_tag = ("AK3", "AK4") if is_997 else ("IK3", "IK4")
        for error in tset.segments:
            segment_id = error.segment_id if _SEGMENT_ID.fullmatch(error.segment_id) else "UNK"
            head = (segment_id, str(error.set_position), error.loop_id or "")
            codes = _codes(error.findings, limit=None)
            if error.elements:  # IK4s follow the IK3 that says "has data element errors"
                codes = [c for c in codes if c != "8"] + ["8"]
            lines += [self.segment(seg_tag, *head, code) for code in codes]
            for element in error.elements:
                lines += self.element_errors(ele_tag, element)
        codes = _codes(tset.findings, limit=None)
        if tset.segments and SetCode.SEGMENTS_IN_ERROR.value not in codes:
            codes.append(SetCode.SEGMENTS_IN_ERROR.value)
        lines.append(
            self.segment("AK5" if is_997 else "IK5", tset.status.value, *codes[:_MAX_CODES])
        )
        return lines

    def element_errors(self, tag: str, element: ElementError) -> list[str]:
        where = self.component.join(
            [str(element.position)]
            + ([str(element.component or "")] if element.component or element.repetition else [])
            + ([str(element.repetition)] if element.repetition else [])
        )
        lines = []
        for finding in element.findings:
            value = self.copied_value(finding.value)
            code = "10" if tag == "AK4" and finding.x12_code == "I10" else finding.x12_code
            if tag == "AK4" and code.startswith("I"):  # a 997 has no implementation codes
                continue
            if code:
                lines.append(self.segment(tag, where, element.reference or "", code, value))
        return lines

    def copied_value(self, value: str | None) -> str:
        """IK404, left out when it cannot be copied as valid data: blank, a separator or a
        character outside the X12 extended set (a curly apostrophe), over 99 chars."""
        value = (value or "").strip()
        separators = {self.element, self.component, self.terminator, self.repetition}
        if not _EXTENDED_CHARSET.fullmatch(value) or any(c in separators for c in value):
            return ""
        return value[:99]


def _codes(findings: Sequence[Finding], limit: int | None = _MAX_CODES) -> list[str]:
    codes = list(dict.fromkeys(f.x12_code for f in findings if f.x12_code))
    return codes if limit is None else codes[:limit]


def _at(elements: Sequence[str], index: int) -> str:
    return elements[index] if index < len(elements) else ""
