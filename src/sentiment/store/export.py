"""Parquet export for BI tools: the mentions, their scores and topics, and the daily aggregates.

``sentiment export --config monitor.yaml --out DIR`` (and the nightly flow, after publishing, where the
config says ``export: DIR``) writes one folder per dataset under ``DIR``, partitioned by day in Hive
style (``DIR/mentions/day=2026-11-30/data_0.parquet``), which DuckDB, pandas (pyarrow), polars, Spark
and most BI tools read as one table with ``day`` as a column. Undated mentions go to
``day=__HIVE_DEFAULT_PARTITION__`` (read back as NULL).

The export replaces ``DIR`` whole and atomically enough for readers: it is written beside it first
and swapped in with two renames, so a reader sees the old export or the new one, never half of one.
Raw author names are never exported (the store never holds them); ``author_hash`` is.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from sentiment.errors import StoreError
from sentiment.store.db import Store


@dataclass(frozen=True, slots=True)
class Dataset:
    """One exported folder: its name, the query that fills it (every row has a ``day``), what it is."""

    name: str
    query: str
    what: str


DATASETS = (
    Dataset(
        "mentions",
        "SELECT published_date AS day, id, source, source_item_id, brand, location, url, title, text, lang, "
        "platform_lang, author_hash, published_at, rating, duplicate_of, parent_id, truncated, fetched_at "
        "FROM mentions",
        "every stored mention (copies included, with duplicate_of pointing at their first copy)",
    ),
    Dataset(
        "scores",
        "SELECT m.published_date AS day, s.* EXCLUDE (totalled) FROM scores s JOIN mentions m ON m.id = s.mention_id",
        "every score of every model version (the active one is in the models table and the views)",
    ),
    Dataset(
        "topics",
        "SELECT m.published_date AS day, t.* EXCLUDE (totalled) FROM mention_topics t JOIN mentions m ON m.id = t.mention_id",
        "every topic row of every model version and topic set",
    ),
    Dataset("daily_sentiment", "SELECT * FROM daily_sentiment", "the daily_sentiment view"),
    Dataset("daily_brand_sentiment", "SELECT * FROM daily_brand_sentiment", "the daily_brand_sentiment view"),
    Dataset("daily_topic_sentiment", "SELECT * FROM daily_topic_sentiment", "the daily_topic_sentiment view"),
)


def export_parquet(store: Store, out: str | Path) -> dict[str, int]:
    """Write every dataset to ``out`` (replacing what was there); returns rows per dataset."""
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise StoreError(f"export: {str(target)!r} is a file; allowed: a directory (it is replaced whole)")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.export-tmp")
    previous = target.with_name(f".{target.name}.export-old")
    for stale in (staging, previous):
        shutil.rmtree(stale, ignore_errors=True)
    staging.mkdir()
    rows: dict[str, int] = {}
    for dataset in DATASETS:
        count = store.con.execute(f"SELECT count(*) FROM ({dataset.query})").fetchone()
        rows[dataset.name] = int(count[0]) if count else 0
        folder = staging / dataset.name
        if rows[dataset.name] == 0:
            folder.mkdir()  # an empty dataset is an empty folder, not a missing one
            continue
        store.con.execute(f"COPY ({dataset.query}) TO '{_sql_path(folder)}' (FORMAT parquet, PARTITION_BY (day))")
    if target.exists():
        target.rename(previous)
    staging.rename(target)
    shutil.rmtree(previous, ignore_errors=True)
    return rows


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
