"""The data dictionary is generated from the schema: every table and view, and every column of each, is
described there, and the committed document is exactly what the schema gives."""

from __future__ import annotations

from pathlib import Path

from sentiment.store import Store
from sentiment.store.dictionary import DOCUMENT, columns, generate, objects
from sentiment.store.view_columns import VIEW_COLUMNS


def test_every_table_and_view_is_described_in_the_schema(tmp_path: Path) -> None:
    with Store(tmp_path / "m.duckdb") as store:
        found = objects(store)
    assert {name for name, kind, _ in found if kind == "view"} >= {"scored_mentions", "daily_sentiment"}
    assert [name for name, _, comment in found if not comment] == []


def test_every_column_of_every_table_and_view_is_described(tmp_path: Path) -> None:
    """A migration that adds a table column comments it; a view's columns are described in view_columns.py,
    and nothing there names a column the view does not have."""
    with Store(tmp_path / "m.duckdb") as store:
        found = {name: columns(store, name) for name, _, _ in objects(store)}
        view_columns = {
            name: {column for column, _, _ in columns(store, name)}
            for name, kind, _ in objects(store)
            if kind == "view"
        }
        commented_views = store.con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE comment IS NOT NULL AND table_name IN "
            "(SELECT view_name FROM duckdb_views() WHERE NOT internal)"
        ).fetchall()
    assert sum(len(cols) for cols in found.values()) > 200
    missing = [
        f"{name}.{column}" for name, cols in found.items() for column, _, what in cols if not (what or "").strip()
    ]
    assert missing == [], f"columns without a description: {', '.join(missing)}"
    assert {name: set(cols) for name, cols in VIEW_COLUMNS.items()} == view_columns
    assert commented_views == [(0,)]  # no COMMENT ON COLUMN on a view: DuckDB cannot replay it from the log


def test_the_committed_dictionary_is_the_generated_one() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == generate(), "run python -m sentiment.store.dictionary --write"
