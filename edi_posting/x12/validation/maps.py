"""Validation: which pyx12 map checks a group, and our corrections to pyx12's maps.

pyx12 4.0.0's maps are used as shipped, with two exceptions made here, in our own layer
(never by editing the installed library), each written down and tested:

* **Corrections** (:data:`MAP_CORRECTIONS`): a map that contradicts its implementation
  guide is corrected when it is loaded.  The 835 5010 map allows the FOOTER loop (PLB)
  once, so a second PLB segment was rejected (``IK3*PLB*..**4``, "Loop FOOTER exceeded
  max count"); 005010X221A1 section 1.10.2.11 lets PLB repeat (">1", as pyx12's own 4010
  map has it).  Only the loop's repeat count changes: every other check of the map stays.
* **Errata versions** (:data:`ERRATA_GUIDES`): GS08 names another addendum of a guide
  pyx12 has (``005010X222A2`` and the base ``005010X222`` for the ``X222A1`` map,
  ``005010X223A3`` for ``X223A2``).
  The addenda changed code lists and notes, not the segment structure pyx12 checks, so the
  nearest map validates the group, with a WARNING naming the guide used instead.
  ``005010X224A2`` (5010 dental) has no 5010 map at all in pyx12: its envelope is checked
  and our parser reads it, but the guide itself is not checked, which a WARNING says
  (:data:`UNCHECKED_GUIDES`), instead of rejecting every dental claim sent.
* **Envelope version**: pyx12 files its maps under one ISA12, but X12 versions the
  interchange envelope and the functional group separately: a ``004010X098A1`` group in an
  ``00501`` interchange is checked with the 004010 map GS08 names.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import pyx12.map_if
import pyx12.map_index
import pyx12.params

__all__ = [
    "ERRATA_GUIDES",
    "MAP_CORRECTIONS",
    "UNCHECKED_GUIDES",
    "GuideChoice",
    "choose_guide",
    "functional_id_of",
    "load_map",
]


class MapCorrection(NamedTuple):
    map_file: str
    path: str  # the node in the map
    repeat: str  # its corrected loop repeat count
    why: str


MAP_CORRECTIONS = (
    MapCorrection("835.5010.X221.A1.xml", "/ISA_LOOP/GS_LOOP/ST_LOOP/FOOTER", ">1",
                  "005010X221A1 lets PLB repeat; pyx12's map allowed one FOOTER loop"),
)
# (GS01, GS08 received) -> the GS08 of the map that checks it instead
ERRATA_GUIDES = {
    ("HC", "005010X222"): "005010X222A1",
    ("HC", "005010X222A2"): "005010X222A1",
    ("HC", "005010X223A3"): "005010X223A2",
}
UNCHECKED_GUIDES = frozenset({("HC", "005010X224A2")})
# pyx12 files each map under one ISA12; a group's guide is named by GS08 whatever ISA12 the
# interchange around it has (X12 versions the envelope and the group separately)
_ENVELOPE_VERSIONS = ("00401", "00501")


class GuideChoice(NamedTuple):
    map_file: str | None  # None: no map checks the group
    note: str | None  # the WARNING to give, when the map is not the guide GS08 names


def choose_guide(icvn: str | None, fic: str, vriic: str) -> GuideChoice:
    """The map that checks a group, and what to say when it is not the one GS08 names."""
    index = _map_index()
    map_file = index.get_filename(icvn, vriic, fic)
    if map_file is not None:
        return GuideChoice(map_file, None)
    for other in _ENVELOPE_VERSIONS:  # a 004010 group in an 00501 interchange: GS08 rules
        map_file = index.get_filename(other, vriic, fic)
        if map_file is not None:
            return GuideChoice(map_file, None)
    nearest = ERRATA_GUIDES.get((fic, vriic))
    if nearest is not None:
        return GuideChoice(
            index.get_filename(icvn, nearest, fic),
            f"GS08 {vriic} was checked with pyx12's {nearest} map (its nearest guide: the "
            "errata changed code lists and notes, not the structure checked)",
        )
    if (fic, vriic) in UNCHECKED_GUIDES:
        return GuideChoice(
            None,
            f"pyx12 has no map for GS08 {vriic}: the envelope and our parser checked the "
            "group, the implementation guide itself was not checked",
        )
    return GuideChoice(None, None)


def functional_id_of(vriic: str) -> tuple[str, str] | None:
    """(GS01, transaction set) a GS08 belongs to, when pyx12 knows the guide: the fault
    of ``GS*HC`` around an 005010X221A1 835 is its GS01, not an unsupported version."""
    for entry in _map_index().maps:
        if entry["vriic"] == vriic and entry["fic"]:
            return entry["fic"], (entry["abbr"] or "")[:3]
    for fic, errata in ERRATA_GUIDES:
        if errata == vriic:
            return fic, "837"
    return None


@functools.cache
def load_map(name: str) -> Any:
    """pyx12 map objects hold no walk state (the walker does), so one per process; our
    corrections are applied once, when the map is loaded."""
    loaded = pyx12.map_if.load_map_file(name, _params())
    for correction in MAP_CORRECTIONS:
        if correction.map_file == name:
            loaded.getnodebypath(correction.path).repeat = correction.repeat
    for (fic, errata), nearest in ERRATA_GUIDES.items():
        if _map_index().get_filename("00501", nearest, fic) == name:
            _accept_version(loaded, errata)
    return loaded


def _accept_version(loaded: Any, version: str) -> None:
    """The map of the nearest guide names its own version in GS08's and ST03's code
    lists: the errata version joins them, so the substitution is not itself an error."""
    for path, ordinal in (("/ISA_LOOP/GS_LOOP/GS", 8), ("/ISA_LOOP/GS_LOOP/ST_LOOP/ST", 3)):
        element = loaded.getnodebypath(path).get_child_node_by_ordinal(ordinal)
        if element.valid_codes and version not in element.valid_codes:
            element.valid_codes.append(version)
            element._valid_codes_set = frozenset(element.valid_codes)


def known_functional_id(fic: str) -> bool:
    return any(m["fic"] == fic for m in _map_index().maps)


@functools.cache
def _params() -> Any:
    return pyx12.params.params()


@functools.cache
def _map_index() -> Any:
    return pyx12.map_index.map_index()
