"""Validation, the result mapping: pyx12's error tree -> our acknowledgment records.

Consumes what :class:`~edi_posting.x12.validation.walk.Walk` recorded for one interchange
(pyx12's ``error_handler`` tree: ISA, GS, ST, segment and element nodes, each with its
``(code, message[, value])`` errors) and produces an
:class:`~edi_posting.x12.ack_records.InterchangeResult`: every error as a
:class:`~edi_posting.x12.ack_records.Finding` named by its X12 code table, placed where
the 999 (997) and TA1 need it.  pyx12's own odd codes (HL1, SEG1 ...) get stable names.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from edi_posting.records.envelope import normalize_control_number
from edi_posting.records.problems import ProblemCode
from edi_posting.x12.ack_records import (
    AckCode,
    ElementCode,
    ElementError,
    Finding,
    GroupCode,
    GroupResult,
    InterchangeCode,
    InterchangeResult,
    SegmentCode,
    SegmentError,
    SetCode,
    SetResult,
)
from edi_posting.x12.validation.element_privacy import scrub_element_message, scrub_segment_message

if TYPE_CHECKING:
    from edi_posting.x12.validation.walk import Walk

__all__ = ["ISA_ELEMENT_CODES", "ST01_MISMATCH", "ST03_MISMATCH", "interchange_result",
           "isa_finding"]

# TA105 note code for an error in ISA01..ISA16 (index 0 unused)
# fmt: off
ISA_ELEMENT_CODES = ("", "010", "011", "012", "013", "005", "006", "007", "008", "014",
                     "015", "016", "017", "018", "019", "020", "027")
# fmt: on
# pyx12's own segment codes (not X12 ones): the 999 says 8, the problem says what it was
_PYX12_SEGMENT_CODES = {
    "HL1": ProblemCode.HL_NUMBER_OUT_OF_SEQUENCE,
    "HL2": ProblemCode.HL_PARENT_INVALID,
    "LX": ProblemCode.LX_NUMBER_OUT_OF_SEQUENCE,
    "SEG1": ProblemCode.TRAILING_ELEMENT_SEPARATORS,
}


# our own set-level findings: ST01 is not the transaction set of its group (IK502 1,
# transaction set not supported), ST03 names another guide than GS08 (IK502 I6,
# implementation convention not supported)
ST01_MISMATCH, ST03_MISMATCH = "ST01", "ST03"
_OWN_SET_CODES = {
    ST01_MISMATCH: (SetCode.TRANSACTION_SET_NOT_SUPPORTED.value,
                    ProblemCode.ST01_DOES_NOT_MATCH_GROUP),
    ST03_MISMATCH: (SetCode.IMPLEMENTATION_CONVENTION_NOT_SUPPORTED.value,
                    ProblemCode.ST03_DOES_NOT_MATCH_GS08),
}


def isa_finding(code: str, message: str) -> Finding:
    return Finding(code, InterchangeCode(code).problem, message)


def interchange_result(
    walk: Walk,
    position: int,
    isa: tuple[str, ...],
    own: list[Finding],
    unread: tuple[GroupResult, ...],
) -> InterchangeResult:
    if not walk.errh.children:
        return InterchangeResult(isa, position, tuple(own), unread, "pyx12 read no ISA")
    err_isa, offset = walk.errh.children[0], position - 1
    findings = own + [
        _coded(InterchangeCode, code, message, ProblemCode.INVALID_CONTROL_STRUCTURE)
        for code, message in err_isa.errors
    ]
    for element in err_isa.elements:
        is_iea = bool(element.errors) and "IEA" in element.errors[0][1]
        codes = {1: "021", 2: "018"} if is_iea else dict(enumerate(ISA_ELEMENT_CODES))
        findings += [
            isa_finding(codes.get(element.ele_pos, "022"), message)
            for code, message, _value in element.errors
            if is_iea or not _is_separator_charset(element.ele_pos, code, isa)
        ]
    by_position = {g.file_position: g for g in unread}
    groups = []
    for err_gs in err_isa.children:
        why = walk.unsupported.get(err_gs.cur_line_gs)
        note = walk.notes.get(err_gs.cur_line_gs)
        scanned = by_position.get(offset + err_gs.cur_line_gs)
        if why and scanned:
            group = _unsupported(scanned, *why)
        elif note and scanned and not err_gs.children:  # no map: the envelope as we read it
            group = replace(scanned, declared_sets=_declared(err_gs, scanned))
        else:
            group = _group(err_gs, offset)
        groups.append(replace(group, notes=(_guide_note(note),)) if note else group)
    return InterchangeResult(isa, position, tuple(findings), tuple(groups))


def _guide_note(note: str) -> Finding:
    name = ProblemCode.GUIDE_NOT_CHECKED if "not checked" in note else ProblemCode.GUIDE_SUBSTITUTED
    return Finding("", name, note)


def _declared(err_gs: Any, scanned: GroupResult) -> int | None:
    """GE01 of a group pyx12 skipped (its sets were not walked): our reader's count
    stands in, since pyx12 saw no ST to count."""
    return len(scanned.sets) if err_gs.cur_line_ge else None


def _is_separator_charset(position: int, code: str, isa: tuple[str, ...]) -> bool:
    """pyx12 checks ISA16 (and 5010 ISA11) against the data character set, but they are
    separators, not data: a 4010 file with ``^`` as ISA16 is fine."""
    return code == ElementCode.INVALID_CHARACTER and (
        position == 16 or position == 11 and isa[12] == "00501"
    )


def _unsupported(group: GroupResult, why: GroupCode, said: str | None) -> GroupResult:
    message = said or (
        f"pyx12 has no implementation guide for GS01 {group.functional_id!r} / GS08 "
        f"{group.version!r}: the group was not validated"
    )
    not_read = Finding(
        SetCode.TRANSACTION_SET_NOT_SUPPORTED.value,
        SetCode.TRANSACTION_SET_NOT_SUPPORTED.problem,
        message,
    )
    return GroupResult(
        group.functional_id,
        group.sender,
        group.receiver,
        group.control_number,
        group.version,
        group.file_position,
        len(group.sets),
        (Finding(why.value, why.problem, message),),
        tuple(
            SetResult(
                s.transaction_id, s.control_number, s.convention, s.file_position, (not_read,)
            )
            for s in group.sets
        ),
    )


def _group(err_gs: Any, offset: int) -> GroupResult:
    findings = [
        _coded(GroupCode, "19" if code == "6" else code, message, None)
        for code, message in err_gs.errors
    ]
    for element in err_gs.elements:  # pyx12's own mapping of GS/GE element errors to AK905
        codes = {2: "6"} if element.errors and "GE" in element.errors[0][1] else {6: "6", 8: "2"}
        findings += [
            Finding(codes.get(element.ele_pos, ""), _element_name(code, message), message, value)
            for code, message, value in element.errors
        ]
    is_closed = bool(err_gs.cur_line_ge)
    if not is_closed and not any(f.x12_code == GroupCode.MISSING_GE for f in findings):
        findings.append(
            _coded(GroupCode, "3", f"group {err_gs.gs_control_num} has no GE trailer", None)
        )
    gs = {i: (err_gs.seg_data.get_value(f"GS{i:02d}") or "").strip() for i in (1, 2, 3, 8)}
    gs[6] = normalize_control_number(err_gs.seg_data.get_value("GS06"))
    return GroupResult(
        gs[1],
        gs[2],
        gs[3],
        gs[6],
        gs[8],
        offset + err_gs.cur_line_gs,
        err_gs.st_count_orig if is_closed else None,
        tuple(findings),
        tuple(_set(st, offset, gs[8]) for st in err_gs.children),
    )


def _set(err_st: Any, offset: int, gs08: str) -> SetResult:
    findings = tuple(
        Finding(*_OWN_SET_CODES[code], message)
        if code in _OWN_SET_CODES
        else _coded(SetCode, code, message, ProblemCode.TRANSACTION_SET_ERROR)
        for code, message in err_st.errors
    )
    envelope: dict[str, list[ElementError]] = {"ST": [], "SE": []}
    for element in err_st.elements:  # ST/SE element errors (an ST03 where it is Not Used)
        tag = "SE" if any("(SE0" in m for _c, m, _v in element.errors) else "ST"
        envelope[tag].append(_element(element, tag))
    segments = (
        [SegmentError("ST", 1, offset + err_st.cur_line_st, None, (), tuple(envelope["ST"]))]
        if envelope["ST"]
        else []
    )
    segments += [_segment(s, offset) for s in err_st.children]
    if envelope["SE"] and err_st.cur_line_se:
        segments.append(
            SegmentError(
                "SE",
                err_st.cur_line_se - err_st.cur_line_st + 1,
                offset + err_st.cur_line_se,
                None,
                (),
                tuple(envelope["SE"]),
            )
        )
    st = err_st.seg_data
    return SetResult(
        st.get_value("ST01") or "",
        normalize_control_number(st.get_value("ST02")),
        err_st.vriic or gs08,
        offset + err_st.cur_line_st,
        findings,
        tuple(segments),
    )


def _segment(err_seg: Any, offset: int) -> SegmentError:
    segment_id = err_seg.seg_id or ""
    findings = []
    for code, message, value in err_seg.errors:
        if code in _PYX12_SEGMENT_CODES:
            finding = Finding("8", _PYX12_SEGMENT_CODES[code], message, value)
        else:
            finding = _coded(SegmentCode, code, message, ProblemCode.SEGMENT_ERROR, value)
        shown = scrub_segment_message(message, value, segment_id=segment_id, name=finding.name)
        findings.append(replace(finding, message=shown))
    return SegmentError(
        segment_id,
        err_seg.seg_count,
        offset + err_seg.cur_line,
        err_seg.ls_id,
        tuple(findings),
        tuple(_element(e, segment_id) for e in err_seg.elements if e.errors),
    )


def _element(err_ele: Any, segment_id: str) -> ElementError:
    """One element's errors; a message shows the bad value only when the element is known
    not to carry PHI (:mod:`edi_posting.x12.validation.element_privacy`); the 999 gets it all the same."""
    findings = []
    for code, message, value in err_ele.errors:
        if code == "10" and "Not Used" in message:  # X12 has I10 for this; pyx12 says 10
            code = ElementCode.NOT_USED_ELEMENT_PRESENT.value
        name = _element_name(code, message)
        shown = scrub_element_message(
            message, value, segment_id=segment_id, reference=err_ele.ele_ref_num, name=name
        )
        findings.append(Finding(code, name, shown, value))
    return ElementError(
        err_ele.ele_pos,
        err_ele.subele_pos,
        err_ele.repeat_pos,
        err_ele.ele_ref_num,
        tuple(findings),
    )


def _element_name(code: str, message: str) -> ProblemCode:
    if code == "10" and "Not Used" in message:
        return ElementCode.NOT_USED_ELEMENT_PRESENT.problem
    return _coded(ElementCode, code, message, ProblemCode.ELEMENT_ERROR).name


def _coded(codes: type[AckCode], code: str, message: str, fallback: ProblemCode | None,
           value: str | None = None) -> Finding:
    """A finding named by its X12 code table; pyx12's odd codes are named ``fallback``
    (no X12 code), else keep their code as ``ENVELOPE_ERROR``."""
    try:
        return Finding(code, codes(code).problem, message, value)
    except ValueError:
        return Finding(code if fallback is None else "", fallback or ProblemCode.ENVELOPE_ERROR,
                       message, value)
