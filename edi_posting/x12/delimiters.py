"""Separators of an X12 file, read from its head before any segment is split.

Part of the read stage (:mod:`edi_posting.x12.reader`): consumes the first 64 KiB of text
and produces :class:`Delimiters` and where the first segment starts.  The ISA is read by
counting separators, not by fixed offsets, because real files pad or shorten it.  A file
that starts at ST gets separators inferred from the ST segment itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edi_posting.records.problems import ProblemCode

__all__ = ["DelimiterError", "Delimiters", "detect_delimiters"]

_ISA_ANYWHERE = re.compile(r"ISA[ \t]*[^\w\s]")
_MAX_ISA_CHARS = 400  # a padded ISA is ~106 characters; more means it is not an ISA
_STANDARD_ISA_CHARS = 105  # "ISA" through ISA16, without the terminator


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str
    component: str  # ISA16
    repetition: str | None  # ISA11 when it is a separator (5010), None in 4010 ("U")
    terminator: str  # "\n" stands for any line break (CR, LF, CRLF)


class DelimiterError(ValueError):
    """The head of the file yields no usable separators; the reader turns it into FATAL."""

    def __init__(self, code: ProblemCode, message: str, element: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.element = element


Warnings = list[tuple[ProblemCode, str]]


def detect_delimiters(text: str, head_limit: int, at_eof: bool) -> tuple[Delimiters, int, Warnings]:
    """(delimiters, offset of the first segment, warnings) or :class:`DelimiterError`."""
    start = len(text) - len(text.lstrip("\ufeff \t\r\n"))
    if text.startswith("ISA", start):
        return _from_isa(text, start, at_eof)
    if text.startswith("ST", start) and len(text) > start + 2 and _is_separator(text[start + 2]):
        delimiters = _from_st(text, start)
        shown = "line break" if delimiters.terminator == "\n" else repr(delimiters.terminator)
        return delimiters, start, [(
            ProblemCode.NO_ENVELOPE,
            (f"no ISA/GS envelope: the file starts at ST; separators inferred (element "
            f"{delimiters.element!r}, segment terminator {shown})"),
        )]
    found = _ISA_ANYWHERE.search(text, 0, head_limit)
    if found is None:
        raise DelimiterError(
            ProblemCode.NOT_X12,
            f"no ISA or ST segment in the first {head_limit // 1024} KiB: not an "
            "X12 file", "ISA")
    delimiters, offset, warnings = _from_isa(text, found.start(), at_eof)
    return delimiters, offset, [(
        ProblemCode.LEADING_GARBAGE,
        f"{found.start()} characters before the ISA segment were skipped"
    ), *warnings]


def _is_separator(char: str) -> bool:
    return not char.isalnum() and not char.isspace()


def _from_isa(text: str, start: int, at_eof: bool) -> tuple[Delimiters, int, Warnings]:
    cursor = start + 3
    while cursor < len(text) and text[cursor] in " \t":
        cursor += 1
    if cursor >= len(text):
        raise DelimiterError(ProblemCode.TRUNCATED, "the file ends inside the ISA segment", "ISA")
    element = text[cursor]
    if not _is_separator(element):
        raise DelimiterError(ProblemCode.BAD_ISA,
                             f"no element separator after ISA (found {element!r})",
                             "ISA")
    for _ in range(15):  # to the separator before ISA16
        cursor = text.find(element, cursor + 1, start + _MAX_ISA_CHARS)
        if cursor < 0:
            if at_eof and len(text) - start < _MAX_ISA_CHARS and "GS" not in text[start:]:
                raise DelimiterError(ProblemCode.TRUNCATED,
                                     "the file ends inside the ISA segment", "ISA")
            raise DelimiterError(ProblemCode.BAD_ISA, "the ISA segment has fewer than 16 elements",
                                 "ISA16")
    cursor += 1
    while cursor < len(text) - 1 and text[cursor] == " ":
        cursor += 1
    if cursor + 1 >= len(text):
        raise DelimiterError(ProblemCode.TRUNCATED, "the file ends inside the ISA segment", "ISA16")
    component = text[cursor]
    terminator = _terminator_at(text, cursor + 1)
    if terminator is None or len({element, component, terminator}) < 3:
        raise DelimiterError(
            ProblemCode.BAD_ISA,
            f"no segment terminator after ISA16 (found {text[cursor + 1]!r}); the "
            "separators cannot be read", "ISA16")
    isa11 = text[start:cursor].split(element)[11].strip()
    repetition = isa11 if len(isa11) == 1 and _is_separator(isa11) else None
    warnings: Warnings = []
    if cursor - start + 1 != _STANDARD_ISA_CHARS:
        warnings.append((ProblemCode.ISA_NOT_FIXED_WIDTH,
                         (f"the ISA segment is {cursor - start + 2} "
                         "characters, not the fixed 106: read by its separators")))
    return Delimiters(element, component, repetition, terminator), start, warnings


def _terminator_at(text: str, index: int) -> str | None:
    """The character after ISA16, seeing through a line break placed before it."""
    char = text[index]
    if char in "\r\n":
        after = index
        while after < len(text) and text[after] in "\r\n \t":
            after += 1
        if after < len(text) and _is_separator(text[after]):
            return text[after]  # "...*^\n~GS*..." : the break comes before the terminator
        return "\n"
    if char.isalnum():
        return None
    return char


def _from_st(text: str, start: int) -> Delimiters:
    element = text[start + 2]
    cursor = start + 3
    while cursor < len(text) and (text[cursor].isalnum() or text[cursor] in (element, " ")):
        cursor += 1
    terminator = _terminator_at(text, cursor) if cursor < len(text) else "\n"
    if terminator is None or terminator == element:
        terminator = "~" if "~" in text else "\n"
    component = ":"
    service = re.search("SVC" + re.escape(element) + r"[A-Z][A-Z0-9]([^\w\s])", text)
    if service and service.group(1) not in (element, terminator):
        component = service.group(1)
    return Delimiters(element, component, None, terminator)
