"""The demo day: a practice's 837s and the 835s that answer them, imported in one go.

``edi-posting demo`` is the first thing a new user runs: it shows the whole flow (claims
billed, remittances posted, reversals linked, what went to the queue) on files that ship
with the package, into whatever database ``--db`` names.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from edi_posting.importing.pipeline import import_paths
from edi_posting.importing.units import ImportOptions, ImportResult
from edi_posting.queue.items import QueueFilter, list_items

__all__ = ["DemoResult", "demo_directory", "run_demo"]


@dataclass(frozen=True, slots=True)
class DemoResult:
    imported: ImportResult
    open_items: list[dict[str, Any]]


def demo_directory() -> Path:
    """The installed demo files, or fixtures/demo in a source checkout."""
    spec = importlib.util.find_spec("edi_posting.demo_day")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if (Path(location) / "835").is_dir():
                return Path(location)
    return Path(__file__).resolve().parents[2] / "fixtures" / "demo"


def run_demo(engine: Engine, options: ImportOptions) -> DemoResult:
    """Import the demo's 837s, then its 835s; the open review items afterwards."""
    folder = demo_directory()
    imported = import_paths(engine, [folder / "837", folder / "835"], options)
    with engine.connect() as conn:
        items = list_items(conn, QueueFilter(sort="age"))
    return DemoResult(imported, items)
