"""Wrap X12 written inside a test in a correct ISA/GS/ST..SE/GE/IEA envelope.

Scenarios are written in X12 with ``*`` between elements, ``:`` inside composites and
``~`` after each segment (line breaks and indentation are ignored); the builder adds the
envelope with correct counts and control numbers, and can re-write the result with other
separators.  Generic: ``functional_id``/``transaction_id``/``version`` make an 837 too::

    text = build_x12(\"\"\"
        BPR*I*100*C*CHK************20260105~
        TRN*1*12345*1512345678~
    \"\"\")
    text = build_x12(body_837, functional_id="HC", transaction_id="837",
                     version="005010X222A1")
    path = write_x12(tmp_path, text)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = ["build_x12", "segments_of", "transaction_set", "write_x12"]


def segments_of(body: str) -> list[str]:
    """The segments of X12 text written with ``~`` terminators (blank ones dropped)."""
    return [s.strip() for s in body.replace("\n", "").split("~") if s.strip()]


def transaction_set(body: str, *, transaction_id: str = "835", control_number: str = "0001",
                    version: str = "005010X221A1") -> list[str]:
    """ST + body + SE with the right SE01 segment count."""
    segments = segments_of(body)
    header = f"ST*{transaction_id}*{control_number}" + (f"*{version}" if version else "")
    return [header, *segments, f"SE*{len(segments) + 2}*{control_number}"]


def build_x12(
    *bodies: str,
    functional_id: str = "HP",
    transaction_id: str = "835",
    version: str = "005010X221A1",
    interchange_control: str = "000000001",
    group_control: str = "1",
    element: str = "*",
    component: str = ":",
    repetition: str = "^",
    terminator: str = "~",
    line_break: str = "\n",
    envelope: bool = True,
) -> str:
    """One interchange, one group, one transaction set per body (control 0001, 0002 ...)."""
    sets: list[str] = []
    for number, body in enumerate(bodies, start=1):
        sets += transaction_set(body, transaction_id=transaction_id,
                                control_number=f"{number:04d}", version=version)
    if envelope:
        isa = ("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
               f"*260101*1200*{repetition}*00501*{interchange_control}*0*P*{component}")
        gs = f"GS*{functional_id}*SENDER*RECEIVER*20260101*1200*{group_control}*X*{version}"
        segments = [isa, gs, *sets, f"GE*{len(bodies)}*{group_control}",
                    f"IEA*1*{interchange_control}"]
    else:
        segments = sets
    return _render(segments, element, component, terminator, line_break)


def _render(segments: Sequence[str], element: str, component: str, terminator: str,
            line_break: str) -> str:
    out = []
    for segment in segments:
        if segment.startswith("ISA"):  # ISA16 is the component separator itself
            head, _, isa16 = segment.rpartition("*")
            out.append(head.replace("*", element) + element + isa16)
        else:
            out.append(segment.replace(":", component).replace("*", element))
    return (terminator + line_break).join(out) + terminator + line_break


def write_x12(directory: Path, text: str, name: str = "test.835") -> Path:
    path = directory / name
    path.write_bytes(text.encode("utf-8"))
    return path
