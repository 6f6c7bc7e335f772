"""Sources stored in groups (``pipeline.store_outcomes``, as the nightly flow stores them): each source
keeps its own record, counts and cursor, and a group stored twice adds nothing (fast, real DuckDB)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from flows import nightly
from sentiment import pipeline
from sentiment.config import SourceConfig
from sentiment.records import SourceOutcome
from sentiment.store import Store
from tests.helpers import mention, monitor

COPIED = "Der Kaffee war kalt und die Bedienung unfreundlich, leider nie wieder hier."


def _group() -> list[SourceOutcome]:
    return [
        SourceOutcome(
            source="reviews", status="ok", pages=2, cursor={"seen": ["r1", "r2", "r3"]},
            mentions=[
                mention("r1", COPIED, source="reviews", brand="Bella Caffè", day=3),
                mention("r2", "   ", source="reviews", brand="Bella Caffè"),
                mention("r3", "Świetna kawa w Kraków Rynek, polecam!", source="reviews", brand="Bella Caffè"),
            ],
            skipped={"no_date": 1},
        ),
        SourceOutcome(
            source="social", status="ok", pages=1, cursor={"min_id": "9"},
            mentions=[
                mention("s1", COPIED, source="social", brand="Bella Caffè", day=5),
                mention("s2", "Nordbrew Oslo has the best cinnamon buns in town.", source="social", brand="Nordbrew"),
            ],
        ),
        SourceOutcome(source="news", status="failed", error="HTTP 503", skipped={"http_error": 1}),
    ]  # fmt: skip


def _source_runs(store: Store, run_id: str) -> dict[str, tuple[object, ...]]:
    rows = store.con.execute(
        "SELECT source, status, pages, fetched, new_mentions, skipped, error FROM source_runs WHERE run_id = ?",
        [run_id],
    ).fetchall()
    return {str(r[0]): (r[1], r[2], r[3], r[4], json.loads(r[5]), r[6]) for r in rows}


def test_a_group_keeps_each_sources_record_counts_and_cursor(tmp_path: Path) -> None:
    settings = monitor()
    with Store(tmp_path / "m.duckdb") as store:
        store.start_run("r1", as_of=date(2026, 11, 30), config_sha256="x")
        stats = pipeline.RunStats(run_id="r1", as_of=date(2026, 11, 30))
        assert pipeline.store_outcomes(store, _group(), settings, stats) == 4
        assert _source_runs(store, "r1") == {
            "reviews": ("ok", 2, 3, 2, {"empty_text": 1, "no_date": 1}, None),
            "social": ("ok", 1, 2, 2, {}, None),
            "news": ("failed", 0, 0, 0, {"http_error": 1}, "HTTP 503"),
        }
        assert (stats.fetched, stats.new_mentions, stats.duplicates) == (5, 4, 1)
        assert (stats.sources_ok, stats.sources_failed) == (2, 1)
        assert stats.skipped == {"empty_text": 1, "no_date": 1, "http_error": 1}
        # The later copy of the same complaint, from another source of the group, links to the first.
        links = store.con.execute("SELECT source_item_id, duplicate_of FROM mentions ORDER BY 1").fetchall()
        first = store.con.execute("SELECT id FROM mentions WHERE source_item_id = 'r1'").fetchone()
        assert first is not None
        assert links == [("r1", None), ("r3", None), ("s1", first[0]), ("s2", None)]
        located = store.con.execute("SELECT location FROM mentions WHERE source_item_id = 'r3'").fetchone()
        assert located == ("Bella Kraków",)
        assert (store.cursor("reviews"), store.cursor("social"), store.cursor("news")) == (
            {"seen": ["r1", "r2", "r3"]},
            {"min_id": "9"},
            None,
        )
        assert store.cursors(["news", "social", "reviews"]) == {
            "news": None,
            "social": {"min_id": "9"},
            "reviews": {"seen": ["r1", "r2", "r3"]},
        }
        runs = store.con.execute("SELECT fetched, new_mentions, duplicates FROM runs WHERE run_id = 'r1'").fetchone()
        assert runs == (5, 4, 1)

        store.start_run("r2", as_of=date(2026, 12, 1), config_sha256="x")
        again = pipeline.RunStats(run_id="r2", as_of=date(2026, 12, 1))
        assert pipeline.store_outcomes(store, _group(), settings, again) == 0
        # The blank review was never stored, so it is read (and skipped) again.
        assert _source_runs(store, "r2")["reviews"] == ("ok", 2, 3, 0, {"empty_text": 1, "no_date": 1}, None)
        assert store.con.execute("SELECT count(*) FROM mentions").fetchone() == (4,)


def test_a_group_that_fails_to_store_leaves_no_cursor_behind(tmp_path: Path) -> None:
    """The cursor commits with the mentions it covers: a group whose cursor cannot be written keeps
    none of its mentions either, so the next run fetches them again."""
    settings = monitor()
    broken = SourceOutcome(
        source="reviews", status="ok", cursor={"seen": ["r1"]},
        mentions=[mention("r1", COPIED, source="reviews", brand="Bella Caffè"), mention("r1b", "x" * 10, source="reviews")],
    )  # fmt: skip
    with Store(tmp_path / "m.duckdb") as store:
        store.start_run("r1", as_of=date(2026, 11, 30), config_sha256="x")
        stats = pipeline.RunStats(run_id="r1", as_of=date(2026, 11, 30))
        store.con.execute("ALTER TABLE source_state RENAME TO source_state_moved")  # the cursor's write fails
        with pytest.raises(duckdb.CatalogException, match="source_state"):
            pipeline.store_outcomes(store, [broken], settings, stats)
        store.con.execute("ALTER TABLE source_state_moved RENAME TO source_state")
        assert store.con.execute("SELECT count(*) FROM mentions").fetchone() == (0,)
        assert store.cursor("reviews") is None


@pytest.mark.parametrize(
    ("sources", "sizes"),
    [(1, [1]), (10, [1] * 10), (200, [13] * 15 + [5]), (2150, [50] * 43), (2200, [50] * 44), (3000, [50] * 60)],
)
def test_sources_are_fetched_a_few_a_task(sources: int, sizes: list[int]) -> None:
    """Few sources: one a task, all four fetch workers busy; many: up to a store group's 50 a task, so a
    night of 2,150 sources is 43 Prefect task runs, not 2,150. Every source once, in order."""
    configs = [
        SourceConfig(name=f"s{i}", kind="rss", brand="B", url=f"https://example.com/{i}.xml") for i in range(sources)
    ]
    chunks = nightly.fetch_chunks(configs)
    assert [len(chunk) for chunk in chunks] == sizes
    assert [s.name for chunk in chunks for s in chunk] == [s.name for s in configs]
