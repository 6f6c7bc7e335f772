"""The Parquet export: every dataset written partitioned by day, read back with the same rows and values
as the store, replaced whole on the next export; the command exports the published read copy."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from sentiment.errors import StoreError
from sentiment.pipeline import published_path
from sentiment.records import Mention
from sentiment.store import Store
from sentiment.store.export import DATASETS, export_parquet
from tests.store.test_db import TZ, _mentions, _score


def _filled(path: Path) -> list[Mention]:
    """r1 (Kraków, 2 Nov, 5 stars) positive, r2 (Kraków, 2 Nov, 1 star) negative, r3 (Berlin, 3 Nov) neutral."""
    mentions = _mentions()
    by_item = {m.source_item_id: m.id for m in mentions}
    with Store(path) as store:
        store.insert_mentions(mentions, run_id="r", tz=TZ)
        store.activate_model("test-model", "v1")
        store.insert_scores(
            [
                _score(by_item["r1"], "positive", (0.05, 0.10, 0.85)),
                _score(by_item["r2"], "negative", (0.80, 0.15, 0.05)),
                _score(by_item["r3"], "neutral", (0.20, 0.60, 0.20)),
            ],
            run_id="r",
        )
    return mentions


def _read(folder: Path, query: str) -> list[tuple[object, ...]]:
    glob = str(folder / "**" / "*.parquet")
    return duckdb.sql(query.replace("DATA", f"read_parquet('{glob}', hive_partitioning = true)")).fetchall()


def test_every_dataset_is_written_by_day_with_the_stores_values(tmp_path: Path) -> None:
    mentions = _filled(tmp_path / "m.duckdb")
    with Store(tmp_path / "m.duckdb") as store:
        rows = export_parquet(store, tmp_path / "export")
    assert rows == {
        "mentions": 3,
        "scores": 3,
        "topics": 0,
        "daily_sentiment": 2,
        "daily_brand_sentiment": 2,
        "daily_topic_sentiment": 0,
    }
    out = tmp_path / "export"
    assert sorted(p.name for p in out.iterdir()) == sorted(d.name for d in DATASETS)
    assert sorted(p.name for p in (out / "mentions").iterdir()) == ["day=2026-11-02", "day=2026-11-03"]
    expected = sorted((m.id, m.source_item_id, m.location, m.rating) for m in mentions)
    assert sorted(row[1:] for row in expected) == [
        ("r1", "Bella Kraków", 5.0),
        ("r2", "Bella Kraków", 1.0),
        ("r3", "Bella Berlin", 3.0),
    ]
    days = {"r1": date(2026, 11, 2), "r2": date(2026, 11, 2), "r3": date(2026, 11, 3)}
    read = _read(out / "mentions", "SELECT id, source_item_id, location, rating, day FROM DATA ORDER BY id")
    assert read == [(*row, days[row[1]]) for row in expected]
    assert _read(out / "scores", "SELECT label, score FROM DATA ORDER BY score") == [
        ("negative", -0.75),
        ("neutral", 0.0),
        ("positive", 0.8),
    ]
    daily = _read(
        out / "daily_sentiment", "SELECT day, location, mentions, round(mean_score, 3) FROM DATA ORDER BY day"
    )
    assert daily == [(date(2026, 11, 2), "Bella Kraków", 2, 0.025), (date(2026, 11, 3), "Bella Berlin", 1, 0.0)]
    assert list((out / "topics").iterdir()) == []  # an empty dataset is an empty folder


def test_an_export_replaces_the_previous_one_whole(tmp_path: Path) -> None:
    _filled(tmp_path / "m.duckdb")
    out = tmp_path / "export"
    (out / "mentions" / "day=1999-01-01").mkdir(parents=True)
    with Store(tmp_path / "m.duckdb") as store:
        export_parquet(store, out)
        export_parquet(store, out)
    assert not (out / "mentions" / "day=1999-01-01").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    (tmp_path / "file").write_text("x")
    with Store(tmp_path / "m.duckdb") as store, pytest.raises(StoreError, match="is a file; allowed: a directory"):
        export_parquet(store, tmp_path / "file")


@pytest.mark.slow  # two runs of the command line (about 20 s of imports)
def test_the_command_exports_the_published_read_copy(tmp_path: Path) -> None:
    database = tmp_path / "data" / "m.duckdb"
    config = tmp_path / "monitor.yaml"
    config.write_text(yaml.safe_dump({"database": str(database), "brands": [{"name": "Bella Caffè"}]}))
    command = [sys.executable, "-m", "sentiment.cli", "export", "--config", str(config), "--out", str(tmp_path / "x")]
    missing = subprocess.run(command, capture_output=True, text=True, check=False)
    assert missing.returncode != 0 and "no database at" in missing.stderr
    _filled(database)
    with Store(database) as store:
        store.publish(published_path(database))
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    assert (result["source"], result["rows"]["mentions"]) == (str(published_path(database)), 3)
