"""Seeded test data: matching 837 claims, 835 remittances, bank deposits and the
``expected.json`` they should produce.  No database: the files are written, not imported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from edi_posting.testdata.generator import (
    GenerationSummary,
    Separators,
    generate,
    iter_scenario_help,
    parse_mix,
)

__all__ = ["generate_test_files", "scenario_help"]


def scenario_help() -> Iterator[str]:
    """One line per scenario the generator knows, with its default weight per claim."""
    return iter_scenario_help()


def generate_test_files(out: Path, claims: int, *, seed: int = 1, payers: int = 3,
                        scenario_mix: str | None = None, element_separator: str = "*",
                        segment_terminator: str = "~",
                        line_break: str = "\n") -> GenerationSummary:
    """Write ``claims`` claims under ``out`` (837/, 835/, bank/, expected.json); the same
    seed and options write byte-identical files.  ``scenario_mix`` is ``NAME=WEIGHT,...``.
    :class:`GeneratorError` for a bad mix or a non-empty target; OSError when ``out``
    cannot be written."""
    mix = parse_mix(scenario_mix) if scenario_mix is not None else None
    return generate(out, claims, seed=seed, payers=payers, mix=mix,
                    separators=Separators(element_separator, segment_terminator, line_break))
