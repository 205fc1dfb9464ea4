"""The package map holds: stages import only the stages below them, and nothing cycles.

``ARCHITECTURE.md`` lists the packages bottom to top; this test is that list, so the
document and the code cannot drift apart.  Every import counts: module level, inside a
function, and under ``TYPE_CHECKING``, because each one is a dependency a reader follows.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "edi_posting"

#: Bottom to top.  A package may import itself and any package listed before it.  The
#: foundation (shared records with problems and states, money, names, logs, exit codes,
#: code lists) sits below every stage.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("records", "money", "names", "logs", "exit_codes", "codes"),
    ("x12",),
    ("keyed",),
    ("db",),
    ("audit",),
    ("access",),
    ("ledger",),
    ("parties",),
    ("queue",),
    ("archive",),
    ("bank",),
    ("intake",),
    ("matching",),
    ("payments",),
    ("posting",),
    ("reconciliation",),
    ("review",),
    ("importing",),
    ("reports",),
    ("rendering",),
    ("testdata",),
    ("api",),
    ("web",),
    ("cli",),
)
#: The public API (``edi_posting/__init__.py``) stands above every stage it exposes.
TOP = "__init__"


def _unit(module: str) -> str:
    """``edi_posting.posting.store`` -> ``posting``; ``edi_posting.money`` -> ``money``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else TOP


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "edi_posting":  # a module, or else a public API name
                found.update(f"edi_posting.{alias.name}" if _is_module(alias.name)
                             else "edi_posting" for alias in node.names)
            elif node.module.startswith("edi_posting."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("edi_posting."))
    return found


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").exists() or (PACKAGE / name / "__init__.py").exists()


def _module_graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in PACKAGE.rglob("*.py")
            if "migrations" not in p.parts}


def _rank() -> dict[str, int]:
    rank = {name: level for level, names in enumerate(LAYERS) for name in names}
    rank[TOP] = len(LAYERS)
    rank["__main__"] = len(LAYERS) + 1
    return rank


def test_every_package_and_top_level_module_has_a_place_in_the_layers() -> None:
    units = {_unit(m) for m in _module_graph()}
    assert units - set(_rank()) == set()


def test_no_stage_imports_a_stage_above_it() -> None:
    rank = _rank()
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in _module_graph().items()
        for target in targets
        if rank.get(_unit(target), 0) > rank[_unit(module)])
    assert upward == []


def test_no_two_packages_import_each_other_through_any_path() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in _module_graph().items():
        for target in targets:
            if _unit(target) != _unit(module):
                graph[_unit(module)].add(_unit(target))
    assert _cycles(graph) == []


@pytest.mark.parametrize("package", ["x12"])
def test_no_cycle_among_the_subpackages_of(package: str) -> None:
    """The package's own modules count as one node; each subpackage is another."""
    subpackages = {p.parent.name for p in (PACKAGE / package).glob("*/__init__.py")}

    def node(module: str) -> str:
        parts = module.split(".")
        return parts[2] if len(parts) > 3 and parts[2] in subpackages else package

    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in _module_graph().items():
        if _unit(module) != package:
            continue
        for target in targets:
            if _unit(target) == package and node(module) != node(target):
                graph[node(module)].add(node(target))
    assert subpackages
    assert _cycles(graph) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of more than one node (Tarjan), sorted for a stable diff."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


#: What a thin front end may import besides the public API (``edi_posting``) and itself:
#: the shared vocabulary it renders (records, money, exit codes, log set-up).
FRONT_END_MAY_IMPORT = ("edi_posting.records.", "edi_posting.money", "edi_posting.exit_codes",
                        "edi_posting.logs", "edi_posting.codes")


#: What else each front end may import: ``serve`` (CLI) starts the web application.
FRONT_END_ALSO = {"cli": ("edi_posting.web.",), "web": ()}


@pytest.mark.parametrize("front_end", ["cli", "web"])
def test_the_front_ends_call_only_the_public_api(front_end: str) -> None:
    """The CLI and the web application go through ``edi_posting``'s public names, where
    authorisation and auditing happen; reaching into a stage would skip both."""
    allowed = FRONT_END_MAY_IMPORT + FRONT_END_ALSO[front_end]
    reaching_in = sorted(
        f"{module} -> {target}"
        for module, targets in _module_graph().items() if _unit(module) == front_end
        for target in targets
        if target != "edi_posting" and _unit(target) != front_end
        and not target.startswith(allowed))
    assert reaching_in == []


def test_architecture_md_lists_the_packages_in_the_order_the_layers_enforce() -> None:
    """The package map in ARCHITECTURE.md is this test's LAYERS, row by row."""
    text = (PACKAGE.parent / "ARCHITECTURE.md").read_text()
    listed: list[str] = []
    for row in text.split("## The package map", 1)[1].splitlines():
        cells = row.split("|")
        if len(cells) > 3:
            names = re.findall(r"`([a-z_0-9]+)(?:/|\.py)`", cells[2])
            listed.extend(names)
    expected = [name for layer in LAYERS for name in layer]
    assert [n for n in listed if n in expected] == expected
