"""The data dictionary is generated from the schema: every table and view, and every column of each, is
described there, and the committed document is exactly what the schema gives."""

from __future__ import annotations

from pathlib import Path

from sentiment.store import Store
from sentiment.store.dictionary import DOCUMENT, columns, generate, objects


def test_every_table_and_view_is_described_in_the_schema(tmp_path: Path) -> None:
    with Store(tmp_path / "m.duckdb") as store:
        found = objects(store)
    assert {name for name, kind, _ in found if kind == "view"} >= {"scored_mentions", "daily_sentiment"}
    assert [name for name, _, comment in found if not comment] == []


def test_every_column_of_every_table_and_view_is_described_in_the_schema(tmp_path: Path) -> None:
    """A migration that adds a column, or replaces a view (which drops its column comments), comments the
    columns in the same migration."""
    with Store(tmp_path / "m.duckdb") as store:
        found = {name: columns(store, name) for name, _, _ in objects(store)}
    assert sum(len(cols) for cols in found.values()) > 200
    missing = [
        f"{name}.{column}" for name, cols in found.items() for column, _, what in cols if not (what or "").strip()
    ]
    assert missing == [], f"columns without a comment (COMMENT ON COLUMN ... IS '...'): {', '.join(missing)}"


def test_the_committed_dictionary_is_the_generated_one() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == generate(), "run python -m sentiment.store.dictionary --write"
