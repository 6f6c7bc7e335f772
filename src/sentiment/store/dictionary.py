"""The data dictionary: every table and view of the store, what it holds and its columns, generated
from the schema itself (the table and view comments of ``sql/009_comments.sql``, the table column comments
of ``sql/011_column_comments.sql``, the view columns of ``view_columns.py`` and the column types), plus the Parquet export's datasets.
``docs/data-dictionary.md`` is its output, and a test fails when the two differ, so the document
cannot drift from the schema::

    python -m sentiment.store.dictionary [--write]
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sentiment.store.db import SCHEMA_VERSION, Store
from sentiment.store.export import DATASETS
from sentiment.store.view_columns import VIEW_COLUMNS

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "data-dictionary.md"


def objects(store: Store) -> list[tuple[str, str, str | None]]:
    """(name, "table" or "view", comment) of every table and view, tables first, by name."""
    rows = store.con.execute(
        "SELECT table_name, 'table', comment FROM duckdb_tables() WHERE NOT internal "
        "UNION ALL SELECT view_name, 'view', comment FROM duckdb_views() WHERE NOT internal "
        "ORDER BY 2, 1"
    ).fetchall()
    return [(str(name), str(kind), comment) for name, kind, comment in rows]


def columns(store: Store, name: str) -> list[tuple[str, str, str | None]]:
    """(column, type, description) of each column of a table or view, in order: a table's from its schema
    comments, a view's from :data:`VIEW_COLUMNS`."""
    rows = store.con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE NOT internal AND table_name = ? "
        "ORDER BY column_index",
        [name],
    ).fetchall()
    described = VIEW_COLUMNS.get(name, {})
    return [(str(column), str(data_type), comment or described.get(str(column))) for column, data_type, comment in rows]


def _cell(text: str | None) -> str:
    """A comment as a markdown table cell: its pipes escaped."""
    return (text or "(no description)").replace("|", "\\|")


def render(store: Store) -> str:
    lines = [
        "# Data dictionary",
        "",
        f"Every table and view of the monitor's DuckDB file (schema version {SCHEMA_VERSION}), generated from the",
        "schema by `python -m sentiment.store.dictionary --write`; do not edit by hand. The published read copy",
        "(`*.read.duckdb`) has the same tables and views.",
        "",
    ]
    for name, kind, comment in objects(store):
        lines += [f"## `{name}` ({kind})", "", comment or "(no description)", "", "| column | type | what |"]
        lines.append("|---|---|---|")
        lines += [f"| `{column}` | {data_type} | {_cell(what)} |" for column, data_type, what in columns(store, name)]
        lines.append("")
    lines += [
        "## Parquet export",
        "",
        "`sentiment export --config monitor.yaml --out DIR` (or `export: DIR` in the config, after each night)",
        "writes one folder per dataset, partitioned by day (`DIR/<dataset>/day=YYYY-MM-DD/*.parquet`):",
        "",
        "| dataset | what |",
        "|---|---|",
    ]
    lines += [f"| `{d.name}` | {d.what} |" for d in DATASETS]
    return "\n".join(lines) + "\n"


def generate() -> str:
    """The dictionary of a fresh store of this program's schema."""
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "schema.duckdb") as store:
        return render(store)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sentiment.store.dictionary", description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {DOCUMENT.name} instead of printing it")
    args = parser.parse_args(argv)
    text = generate()
    if args.write:
        DOCUMENT.parent.mkdir(parents=True, exist_ok=True)
        DOCUMENT.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
