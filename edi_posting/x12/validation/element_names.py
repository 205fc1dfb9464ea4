"""The names of a segment's elements, as the implementation guide gives them (pyx12's maps).

The case view shows raw segments with each element's name on hover (``CLP04 Claim Payment
Amount``), so a specialist reads the 835 as sent without the guide open beside it.  The
names come from the same pyx12 map that validates the group (chosen by ISA12, GS01 and
GS08 through :func:`edi_posting.x12.validation.maps.choose_guide`, loaded once per process).

Why not a table by segment ID: the guides name one segment differently per loop
(``NM103`` is "Patient Last Name" under ``NM1*QC`` and "Subscriber Last Name" under
``NM1*IL``; an ``N3`` is the address of whichever ``NM1`` opened its loop).  So a segment is
matched the way pyx12's walker matches it: by its ID and its qualifier (pyx12's own
``segment_if.is_match``), and, where several loops still fit (``N3``, ``N4``, ``PER``), the
one nearest the loop of the segment named before it.  An element the map lacks (beyond
the segment's last, a segment no map has, or a guide without a map) keeps its plain
reference (``CLP04``) with no name.  Dental 5010 (``005010X224A2``), which pyx12 has no map
for, is named from pyx12's 4010 dental map, whose segments it kept.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import pyx12.segment

from edi_posting.x12.validation.maps import choose_guide, load_map

__all__ = ["ElementName", "Guide", "name_elements"]

_CONTROL_MAPS = {"00401": "x12.control.00401.xml", "00501": "x12.control.00501.xml"}
_DEFAULT_CONTROL = "x12.control.00501.xml"
_NEAREST_MAPS = {("HC", "005010X224A2"): "837.4010.X097.A1.xml"}  # 5010 dental: no map
_ELEMENT, _SEGMENT, _REPEAT = "\x1f", "\x1e", "\x1d"  # never inside an element we join


class Guide(NamedTuple):
    """Which guide a run of segments belongs to: ISA12, GS01, GS08 (as read)."""

    icvn: str | None
    fic: str
    vriic: str


@dataclass(frozen=True, slots=True)
class ElementName:
    ref: str  # "CLP04": segment ID and the element's 2-digit position
    name: str | None  # "Claim Payment Amount"; None when the map lacks it


def name_elements(guide: Guide | None, segments: Iterable[Sequence[str]],
                  component: str = ":") -> list[list[ElementName]]:
    """For each segment (its element list, ID first), the ref and name of each element
    after the ID, in order.  ``segments`` are consecutive segments of one file: the loop
    context of one helps name the next."""
    maps = _maps_for(guide)
    previous: Any = None
    named: list[list[ElementName]] = []
    for elements in segments:
        node = _segment_node(maps, elements, component, previous)
        previous = node or previous
        named.append([ElementName(f"{elements[0]}{i:02d}", _name(node, i))
                      for i in range(1, len(elements))])
    return named


def _maps_for(guide: Guide | None) -> tuple[str, ...]:
    """The map files to look a segment up in: the group's guide, then the envelope's."""
    control = _CONTROL_MAPS.get((guide.icvn or "") if guide else "", _DEFAULT_CONTROL)
    if guide is None:
        return (control,)
    found = choose_guide(guide.icvn, guide.fic, guide.vriic).map_file
    found = found or _NEAREST_MAPS.get((guide.fic, guide.vriic))
    return (found, control) if found else (control,)


def _segment_node(maps: tuple[str, ...], elements: Sequence[str], component: str,
                  previous: Any) -> Any:
    """The map's segment node this segment is: its ID and qualifier match, nearest the
    loop of the segment before it; None when no map has the segment."""
    parsed = pyx12.segment.Segment(_ELEMENT.join(elements), _SEGMENT, _ELEMENT, component,
                                   _REPEAT)
    for map_file in maps:
        nodes = _segments_by_id(map_file).get(elements[0], ())
        matching = [n for n in nodes if n.is_match(parsed)] or list(nodes)
        if matching:
            return max(matching, key=lambda n: _shared_loops(n, previous))
    return None


def _shared_loops(node: Any, previous: Any) -> int:
    """How many loops ``node`` shares with ``previous`` (ties: the map's first wins)."""
    if previous is None:
        return 0
    mine, theirs = _loop_path(node), _loop_path(previous)
    shared = 0
    for a, b in zip(mine, theirs, strict=False):
        if a is not b:
            break
        shared += 1
    return shared


def _loop_path(node: Any) -> list[Any]:
    path: list[Any] = []
    parent = node.parent
    while parent is not None and not parent.is_map_root():
        path.append(parent)
        parent = parent.parent
    return path[::-1]


def _name(node: Any, position: int) -> str | None:
    if node is None:
        return None
    child = node.get_child_node_by_ordinal(position)
    return None if child is None else str(child.name)


@functools.cache
def _segments_by_id(map_file: str) -> dict[str, tuple[Any, ...]]:
    """Every segment node of a map by segment ID, in the map's order (cached: the maps
    are loaded once per process)."""
    found: dict[str, list[Any]] = {}
    for node in load_map(map_file).loop_segment_iterator():
        if node.is_segment():
            found.setdefault(node.id, []).append(node)
    return {seg_id: tuple(nodes) for seg_id, nodes in found.items()}
