"""The package map, checked: which part of ``sentiment`` may import which (issue 12's layering).

Every ``import`` in ``src/sentiment`` is read with ``ast`` (at module level or inside a function alike) and
mapped to its part: a subpackage (``sentiment.sources``) or a top-level module (``sentiment.cli``).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "sentiment"
#: Leaf parts: they may import only themselves and these.
LEAVES = {"parse": {"errors"}, "errors": set(), "records": set(), "redact": set(), "progress": set()}
#: What the library may not import at all: the orchestrator lives in ``flows/``.
ORCHESTRATION = ("prefect", "flows")
#: Imports of the orchestrator that are still in the library; none left (the command line finds the flow
#: commands through entry points).
KNOWN_ORCHESTRATION: set[tuple[str, str]] = set()
#: Groups of parts that import each other round (a cycle) that are still there (issue 12 removes them);
#: no new one may come, and none may grow.
KNOWN_CYCLES: set[frozenset[str]] = set()


def _part(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "sentiment" and len(parts) > 1 else None


def _imports() -> dict[str, set[str]]:
    """part -> the modules its files import (absolute names)."""
    out: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        part = rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 or rel.name != "__init__.py" else "__init__"
        names = out.setdefault(part, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return out


def _graph() -> dict[str, set[str]]:
    return {
        part: {p for name in names if (p := _part(name)) is not None and p != part}
        for part, names in _imports().items()
    }


def test_leaves_import_nothing_of_the_pipeline() -> None:
    graph = _graph()
    for leaf, allowed in LEAVES.items():
        assert graph.get(leaf, set()) <= allowed, f"sentiment.{leaf} imports {sorted(graph[leaf] - allowed)}"


def test_data_flows_one_way_from_sources_to_text() -> None:
    """Sources fetch and hand raw items on; the text stage cleans, gates, attributes and de-duplicates."""
    graph = _graph()
    assert "text" not in graph["sources"], "sentiment.sources imports sentiment.text"
    later = {"model", "store", "alerts", "pipeline"}
    assert not later & graph["sources"], f"sentiment.sources imports {sorted(later & graph['sources'])}"
    assert not later & graph["text"], f"sentiment.text imports {sorted(later & graph['text'])}"


def test_the_library_does_not_import_the_orchestrator() -> None:
    found = {
        (part, name.split(".")[0])
        for part, names in _imports().items()
        for name in names
        if name.split(".")[0] in ORCHESTRATION
    }
    assert found <= KNOWN_ORCHESTRATION, f"new imports of the orchestrator: {sorted(found - KNOWN_ORCHESTRATION)}"


def _cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected groups of more than one part (each part reaches every other)."""

    def reach(start: str) -> set[str]:
        seen, stack = set(), [start]
        while stack:
            for nxt in graph.get(stack.pop(), set()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    reached = {part: reach(part) for part in graph}
    groups = {frozenset({p} | {q for q in reached[p] if p in reached.get(q, set())}) for p in graph}
    return {g for g in groups if len(g) > 1}


def test_no_new_import_cycle_between_parts() -> None:
    cycles = _cycles(_graph())
    assert cycles <= KNOWN_CYCLES, (
        f"parts importing each other round: {sorted(sorted(c) for c in cycles - KNOWN_CYCLES)}"
    )


def test_the_cycle_check_sees_a_cycle_through_three_parts() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == {frozenset({"a", "b", "c"})}
