"""The daily totals (schema 13): the views read the same figures whether the rows are counted in the totals
yet or not, a refresh counts each row once, and a store from before the totals gets them when it opens."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sentiment.store import Store
from tests.store.test_db import TZ, _mentions, _score

VIEWS = {
    "daily_sentiment": "SELECT day, brand, location, source, mentions, round(mean_score, 6), share_negative, "
    "share_positive, mean_rating, rated FROM daily_sentiment ORDER BY ALL",
    "daily_brand_sentiment": "SELECT day, brand, mentions, round(mean_score, 6), share_negative, mean_rating "
    "FROM daily_brand_sentiment ORDER BY ALL",
    "daily_topic_sentiment": "SELECT day, location, topic, mentions, round(mean_score, 6), share_negative "
    "FROM daily_topic_sentiment ORDER BY ALL",
    "location_health": "SELECT brand, location, mentions_7d, round(mean_score_7d, 6), mean_rating_7d "
    "FROM location_health ORDER BY ALL",
}


def _views(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    return {name: store.con.execute(sql).fetchall() for name, sql in VIEWS.items()}


def _store_first_batch(store: Store) -> list[str]:
    m1, m2, m3 = _mentions()
    store.insert_mentions([m1, m2, m3], run_id="r", tz=TZ)
    store.activate_model("test-model", "v1")
    store.insert_scores([_score(m1.id, "positive", (0.1, 0.1, 0.8)), _score(m2.id, "negative", (0.7, 0.2, 0.1))],
                        run_id="r")  # fmt: skip
    store.insert_topics([(m2.id, "test-model", "v1", "set-a", "wait_time", 0.9, "negative", -0.6)], run_id="r")
    return [m1.id, m2.id, m3.id]


def test_the_views_read_the_same_before_and_after_a_refresh(tmp_path: Path) -> None:
    with Store(tmp_path / "m.duckdb") as store:
        m1, _, m3 = _store_first_batch(store)
        pending = _views(store)
        assert pending["daily_sentiment"] == [
            (date(2026, 11, 2), "Bella Caffè", "Bella Kraków", "src", 2, 0.05, 0.5, 0.5, 3.0, 2)
        ]
        assert store.refresh_totals() == (2, 1)
        assert _views(store) == pending
        assert store.refresh_totals() == (0, 0)  # counted once
        # More rows on a day already in the totals: the key is in both parts, and the views sum them.
        store.insert_scores([_score(m3, "neutral", (0.2, 0.6, 0.2))], run_id="r2")
        store.insert_topics(
            [(m1, "test-model", "v1", "set-a", "wait_time", 0.8, "positive", 0.5),
             (m3, "test-model", "v1", "set-a", "price_value", 0.7, "neutral", 0.0)],
            run_id="r2",
        )  # fmt: skip
        mixed = _views(store)
        assert mixed["daily_topic_sentiment"] == [
            (date(2026, 11, 2), "Bella Kraków", "wait_time", 2, -0.05, 0.5),
            (date(2026, 11, 3), "Bella Berlin", "price_value", 1, 0.0, 0.0),
        ]
        assert mixed["daily_brand_sentiment"][0][2] == 2 and mixed["daily_brand_sentiment"][1][2] == 1
        assert store.refresh_totals() == (1, 2)
        assert _views(store) == mixed
        totals = store.con.execute(
            "SELECT day, location, mentions, negative, positive, round(score_sum, 6), rating_sum, rated "
            "FROM daily_score_totals ORDER BY ALL"
        ).fetchall()
        assert totals == [
            (date(2026, 11, 2), "Bella Kraków", 2, 1, 1, 0.1, 6.0, 2),
            (date(2026, 11, 3), "Bella Berlin", 1, 0, 0, 0.0, 3.0, 1),
        ]
        assert store.con.execute("SELECT count(*) FROM scores WHERE NOT totalled").fetchone() == (0,)


def test_a_store_from_before_the_totals_gets_them_when_it_opens(tmp_path: Path) -> None:
    db = tmp_path / "m.duckdb"
    with Store(db) as store:
        _store_first_batch(store)
        expected = _views(store)
        # As schema 12 left it: no totals, no totalled marks.
        store.con.execute("DROP VIEW daily_topic_sentiment")
        for view in ("daily_sentiment", "daily_brand_sentiment", "location_health", "reality_gap", "active_score_totals",
                     "active_topic_totals", "active_topics", "current_topic_sets", "pending_score_totals",
                     "pending_topic_totals"):  # fmt: skip
            store.con.execute(f"DROP VIEW {view}")
        store.con.execute("DROP TABLE daily_score_totals")
        store.con.execute("DROP TABLE daily_topic_totals")
        store.con.execute("DROP TABLE topic_sets")
        store.con.execute("ALTER TABLE scores DROP COLUMN totalled")
        store.con.execute("ALTER TABLE mention_topics DROP COLUMN totalled")
        store.con.execute("UPDATE settings SET value = '12' WHERE key = 'schema_version'")
    with Store(db) as store:
        assert store.con.execute("SELECT count(*), sum(mentions) FROM daily_score_totals").fetchone() == (1, 2)
        assert store.con.execute("SELECT count(*) FROM mention_topics WHERE NOT totalled").fetchone() == (0,)
        assert _views(store) == expected
