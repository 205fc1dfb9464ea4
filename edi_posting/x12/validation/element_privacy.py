"""PHI in validation messages: which element values a message may show, and how the rest
are withheld.

Issue 7: a patient's name, member ID, date of birth or address must never reach a log
line, a traceback or an error message.  pyx12 writes the offending value into its
messages (``Data element "Subscriber Birth Date" (DMG02) contains an invalid date
(19801340)``); :mod:`edi_posting.x12.validation.findings` passes every message through here
before it becomes a finding, so no record we keep or print holds such a value.  (The
value itself stays in :attr:`~edi_posting.x12.ack_records.Finding.value`, because the
999's IK404 may copy it back to the trading partner; the acknowledgment is an X12
artifact written to a file or kept with the received file, never printed.)

The rule: **a value is shown only when its element is known not to carry PHI**, that is

* any element of an envelope segment (ISA, GS, ST, SE, GE, IEA): control numbers,
  trading-partner IDs, the interchange's dates;
* an element whose X12 data type (pyx12's data element dictionary) is ``ID``, a code from
  a code list (qualifiers, CLP02, NM101, DMG03), or numeric (``R``, ``N0``, ``N2``:
  amounts, quantities, counts); except the postal code (element 116, an ``ID`` in X12
  but part of an address);
* the hierarchical IDs of HL (elements 628 and 734);
* the dates of a payment or a batch, not of a person: BPR16 (check or EFT date), PLB02 and
  TS303 (fiscal period ends), BHT04 (the 837 batch's creation date);
* any value pyx12 found not to be a valid code (IK403 ``7``): pyx12 raises that only for
  an element with a code list (a remark code in MOA03, an ``AN`` element; a state, a
  qualifier), so the value was sent as a code, and a code is not PHI.  The message reads
  ``MOA03 MA15 is not a valid code for Claim Payment Remark Code``.

Everything else is withheld: strings (``AN``: names, member and patient IDs, REF02,
addresses, claim numbers, free text), dates and times (``DT``, ``TM``, and DMG02's
``AN`` date with its D8 qualifier: a date of birth is a date), and any element that
cannot be identified.  A withheld value is replaced by
:func:`edi_posting.logs.withheld` (``(8 characters withheld)``); when it still shows
through in a form we did not expect, the whole message is replaced by one of our own.

For segment-level messages the same rule applies to the element 01 that pyx12 quotes
(``Segment N3*12 MAIN ST not found``): shown for segments whose first element is a code
or a number (:data:`_CODE_FIRST_SEGMENTS`), withheld otherwise.
"""

from __future__ import annotations

import functools
import re

import pyx12.dataele

from edi_posting.logs import withheld
from edi_posting.records.problems import ProblemCode
from edi_posting.x12.strays import SEGMENT_ID

__all__ = ["is_value_shown", "scrub_element_message", "scrub_segment_message"]

ENVELOPE_SEGMENTS = frozenset(("ISA", "IEA", "GS", "GE", "ST", "SE"))
_SHOWN_TYPES = ("ID", "R", "N")  # a data type starting with one of these
_WITHHELD_ELEMENTS = frozenset(("116",))  # postal code: an ID in X12, an address here
_SHOWN_ELEMENTS = frozenset(("628", "734"))  # HL01, HL02: hierarchical IDs
_SHOWN_DATES = frozenset(("BPR", "PLB", "TS3", "BHT"))  # their only dates (373) are no one's
# segments whose element 01 is a qualifier, a code or a number (pyx12 quotes it in
# "Segment NM1*IL not found"); for any other segment (N3, N4, CLM, CLP ...) it is withheld
_CODE_FIRST_SEGMENTS = frozenset((
    "AMT", "BHT", "BPR", "CAS", "CL1", "CN1", "CRC", "CUR", "DMG", "DTM", "DTP", "HCP", "HI",
    "HL", "LQ", "LX", "MIA", "MOA", "N1", "NM1", "NTE", "PAT", "PER", "PRV", "PWK", "QTY",
    "REF", "SBR", "SV1", "SV2", "SV3", "SVC", "SVD", "TRN", "TS2",
))  # fmt: skip
_NOT_FOUND = re.compile(r"^Segment (?P<id>[^*\s]*)\*(?P<value>.*?) not found\.(?P<rest>.*)$",
                        re.DOTALL)
_BAD_CODE = re.compile(r"^\((?P<value>.*)\) is not a valid code for (?P<what>.*) "
                       r"\((?P<where>[A-Z0-9]+(?:-[0-9]+)?)\)$", re.DOTALL)
_SEGMENT_ID_INVALID = re.compile(r'^Segment identifier "(?P<id>.*)" is invalid$', re.DOTALL)


@functools.cache
def _data_types() -> dict[str, str]:
    """Data element reference number -> X12 data type, from pyx12's dictionary."""
    elements = pyx12.dataele.DataElements().dataele
    return {str(number): info["data_type"] or "" for number, info in elements.items()}


def is_value_shown(segment_id: str, reference: str | None) -> bool:
    """May a message show the value of data element ``reference`` (IK402) in this segment?"""
    if segment_id in ENVELOPE_SEGMENTS or reference in _SHOWN_ELEMENTS:
        return True
    if reference == "373" and segment_id in _SHOWN_DATES:
        return True
    if not reference or reference in _WITHHELD_ELEMENTS:
        return False
    return _data_types().get(reference, "").startswith(_SHOWN_TYPES)


def scrub_element_message(
    message: str, value: str | None, *, segment_id: str, reference: str | None,
    name: ProblemCode,
) -> str:
    """pyx12's message about one element, its value withheld unless the rule shows it."""
    code = _BAD_CODE.match(message)
    if code and name == ProblemCode.INVALID_CODE_VALUE and reference not in _WITHHELD_ELEMENTS:
        return f"{code['where']} {code['value']} is not a valid code for {code['what']}"
    if is_value_shown(segment_id, reference):
        return message
    return _withhold(message, value, f"{_spoken(name)} in {segment_id} element {reference or '?'}")


def scrub_segment_message(message: str, value: str | None, *, segment_id: str,
                          name: ProblemCode) -> str:
    """pyx12's message about a segment: the element 01 it quotes, an unreadable segment
    identifier and any element value it carries are withheld by the same rule."""
    found = _NOT_FOUND.match(message)
    if found and found["id"] not in _CODE_FIRST_SEGMENTS | ENVELOPE_SEGMENTS:
        shown = f"{found['id']}*{withheld(found['value'])}" if found["value"] else found["id"]
        message = f"Segment {shown} not found.{found['rest']}"
    bad_id = _SEGMENT_ID_INVALID.match(message)
    if bad_id and not SEGMENT_ID.fullmatch(bad_id["id"]):
        message = f"Segment identifier {withheld(bad_id['id'])} is invalid"
    if segment_id in ENVELOPE_SEGMENTS:
        return message
    return _withhold(message, value, f"{_spoken(name)} in segment {segment_id or '?'}")


def _spoken(name: ProblemCode) -> str:
    return name.replace("_", " ").lower()  # INVALID_DATE -> "invalid date"


def _withhold(message: str, value: str | None, what: str) -> str:
    """``message`` with ``value`` replaced where pyx12 writes it: ``len("value")``,
    ``(value)``, ``"value"``; a message that still shows it is replaced whole."""
    if not value:
        return message
    for variant in dict.fromkeys((value, value.strip())):
        if not variant:
            continue
        message = message.replace(f'len("{variant}")', "the length")
        message = message.replace(f"({variant})", withheld(variant))
        message = message.replace(f'"{variant}"', withheld(variant))
    leftover = value.strip()
    if len(leftover) >= 2 and leftover in message:
        return f"{what}: its value {withheld(value)} is not shown"
    return message
