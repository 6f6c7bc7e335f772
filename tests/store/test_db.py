from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from sentiment.errors import StoreError
from sentiment.records import Score
from sentiment.store import SCHEMA_VERSION, Store
from sentiment.text.prepare import prepare
from tests.helpers import mention, monitor

TZ = ZoneInfo("Europe/Warsaw")


def _mentions():  # type: ignore[no-untyped-def]
    raw = [
        mention("r1", "Wonderful coffee and the friendliest staff in town, thank you!", day=2, rating=5.0,
                brand="Bella Caffè", location="Bella Kraków", author="Anna Nowak"),
        mention("r2", "Cold coffee, dirty tables and we waited forty minutes for a croissant.", day=2, rating=1.0,
                brand="Bella Caffè", location="Bella Kraków", author="Jan Kowalski"),
        mention("r3", "Decent flat white, a little pricey for what it is honestly.", day=3, rating=3.0,
                brand="Bella Caffè", location="Bella Berlin"),
    ]  # fmt: skip
    return prepare(raw, monitor=monitor(), salt="s").mentions


def _score(mid: str, label: str, p: tuple[float, float, float], version: str = "v1") -> Score:
    return Score(mid, "test-model", version, label, *p, round(p[2] - p[0], 6))  # type: ignore[arg-type]


def test_schema_is_versioned_and_migration_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "m.duckdb"
    with Store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
    with Store(db) as store:
        store.migrate()
        tables = {r[0] for r in store.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"mentions", "scores", "runs", "source_runs", "source_state", "alerts", "notifications"} <= tables
    assert {"daily_sentiment", "daily_brand_sentiment", "location_health", "scored_mentions"} <= tables


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "m.duckdb"
    with Store(db) as store:
        store.con.execute("UPDATE settings SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99, newer than this program's"):
        Store(db)


def test_mentions_and_scores_are_written_once(tmp_path: Path) -> None:
    mentions = _mentions()
    with Store(tmp_path / "m.duckdb") as store:
        assert store.insert_mentions(mentions, run_id="r", tz=TZ) == 3
        assert store.insert_mentions(mentions + mentions, run_id="r2", tz=TZ) == 0
        store.activate_model("test-model", "v1")
        assert [mid for mid, _ in store.unscored("test-model", "v1")] == sorted(m.id for m in mentions)
        scores = [_score(mentions[0].id, "positive", (0.02, 0.08, 0.9))]
        assert store.insert_scores(scores, run_id="r") == 1
        assert store.insert_scores(scores, run_id="r2") == 0
        assert len(store.unscored("test-model", "v1")) == 2
        assert len(store.unscored("test-model", "v2")) == 3
        assert store.con.execute("SELECT count(*) FROM mentions").fetchone() == (3,)


def test_raw_author_names_are_never_stored(tmp_path: Path) -> None:
    with Store(tmp_path / "m.duckdb") as store:
        store.insert_mentions(_mentions(), run_id="r", tz=TZ)
        dump = str(store.con.execute("SELECT * FROM mentions").fetchall())
    assert "Anna" not in dump and "Kowalski" not in dump


def test_mentions_need_the_text_stage(tmp_path: Path) -> None:
    with Store(tmp_path / "m.duckdb") as store, pytest.raises(StoreError, match="has no content_hash"):
        store.insert_mentions([mention("x", "raw text")], run_id="r", tz=TZ)


def test_daily_view_aggregates_active_model_scores(tmp_path: Path) -> None:
    m1, m2, m3 = _mentions()
    dup = replace(m1, source_item_id="r1-copy", duplicate_of=m1.id)
    with Store(tmp_path / "m.duckdb") as store:
        store.insert_mentions([m1, m2, m3, dup], run_id="r", tz=TZ)
        store.insert_scores(
            [_score(m1.id, "positive", (0.1, 0.1, 0.8)), _score(m2.id, "negative", (0.7, 0.2, 0.1)),
             _score(m3.id, "neutral", (0.2, 0.6, 0.2)), _score(m1.id, "negative", (0.9, 0.05, 0.05), "v0")],
            run_id="r",
        )  # fmt: skip
        store.activate_model("test-model", "v1")
        rows = store.con.execute(
            "SELECT day, location, mentions, round(mean_score, 4), share_negative, share_positive, mean_rating "
            "FROM daily_sentiment ORDER BY day, location"
        ).fetchall()
        assert rows == [
            (date(2026, 11, 2), "Bella Kraków", 2, 0.05, 0.5, 0.5, 3.0),
            (date(2026, 11, 3), "Bella Berlin", 1, 0.0, 0.0, 0.0, 3.0),
        ]
        store.activate_model("test-model", "v0")
        assert store.active_model() == ("test-model", "v0")
        assert store.con.execute("SELECT count(*), min(mean_score) FROM daily_sentiment").fetchone() == (1, -0.85)


def test_cursor_round_trip_and_run_record(tmp_path: Path) -> None:
    with Store(tmp_path / "m.duckdb") as store:
        assert store.cursor("feed") is None
        store.save_cursor("feed", {"etag": '"abc"', "newest": "2026-11-01T00:00:00+00:00"}, run_id="r1")
        store.save_cursor("feed", {"etag": '"def"'}, run_id="r2")
        assert store.cursor("feed") == {"etag": '"def"'}
        store.start_run("r2", as_of=date(2026, 11, 2), config_sha256="x")
        store.finish_run("r2", status="partial", stats={"fetched": 4, "sources_failed": 1, "skipped": {"http_500": 1}})
        row = store.con.execute("SELECT status, fetched, sources_failed, skipped FROM runs").fetchone()
        assert row == ("partial", 4, 1, '{"http_500": 1}')
        with pytest.raises(StoreError, match=r"unknown run statistics \['fetchd'\]"):
            store.finish_run("r2", status="ok", stats={"fetchd": 1})


def test_published_copy_is_readable_while_the_writer_holds_the_file(tmp_path: Path) -> None:
    with Store(tmp_path / "m.duckdb") as store:
        store.insert_mentions(_mentions(), run_id="r", tz=TZ)
        copy = store.publish(tmp_path / "m.read.duckdb")
        reader = duckdb.connect(str(copy), read_only=True)
        assert reader.execute("SELECT count(*) FROM mentions").fetchone() == (3,)
        reader.close()


def test_parent_ids_are_stored_for_threads(tmp_path: Path) -> None:
    reply = mention("t1_b", "Agreed, the queue at Bella was forty minutes long this morning.", parent_id="t1_a")
    prepared = prepare([reply], monitor=monitor(), salt="s").mentions
    with Store(tmp_path / "m.duckdb") as store:
        store.insert_mentions(prepared, run_id="r", tz=TZ)
        assert store.con.execute("SELECT source_item_id, parent_id FROM mentions").fetchall() == [("t1_b", "t1_a")]


def test_topics_are_written_once_per_model_version_and_topic_set(tmp_path: Path) -> None:
    m1, m2, m3 = _mentions()
    with Store(tmp_path / "m.duckdb") as store:
        store.insert_mentions([m1, m2, m3], run_id="r", tz=TZ)
        store.insert_scores(
            [_score(m1.id, "positive", (0.1, 0.1, 0.8)), _score(m2.id, "negative", (0.7, 0.2, 0.1))], run_id="r"
        )
        store.activate_model("test-model", "v1")
        pending = store.without_topics("test-model", "v1", "set-a")
        assert pending == sorted([(m1.id, m1.text), (m2.id, m2.text)])
        rows = [
            (m2.id, "test-model", "v1", "set-a", "product_quality", 0.9, "negative", -0.7),
            (m2.id, "test-model", "v1", "set-a", "cleanliness", 0.8, "negative", -0.5),
            (m1.id, "test-model", "v1", "set-a", "staff_attitude", 0.95, "positive", 0.8),
        ]
        assert store.insert_topics(rows, run_id="r") == 3
        assert store.insert_topics(rows, run_id="r2") == 0  # a re-run adds nothing
        assert store.without_topics("test-model", "v1", "set-a") == []
        assert len(store.without_topics("test-model", "v1", "set-b")) == 2  # a new topic set starts afresh
        assert store.without_topics("test-model", "v2", "set-a") == []  # only what this version scored
        assert store.con.execute(
            "SELECT day, location, topic, mentions, mean_score, share_negative FROM daily_topic_sentiment ORDER BY topic"
        ).fetchall() == [
            (date(2026, 11, 2), "Bella Kraków", "cleanliness", 1, -0.5, 1.0),
            (date(2026, 11, 2), "Bella Kraków", "product_quality", 1, -0.7, 1.0),
            (date(2026, 11, 2), "Bella Kraków", "staff_attitude", 1, 0.8, 0.0),
        ]


def test_runs_record_the_topics_they_added_also_after_a_migration(tmp_path: Path) -> None:
    db = tmp_path / "m.duckdb"
    with Store(db) as store:  # a database from before the topics count: schema version 4
        store.con.execute("ALTER TABLE runs DROP COLUMN topics")
        store.con.execute("UPDATE settings SET value = '4' WHERE key = 'schema_version'")
    with Store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        store.start_run("r1", as_of=date(2026, 11, 2), config_sha256="x")
        store.finish_run("r1", status="ok", stats={"scored": 3, "topics": 5})
        assert store.con.execute("SELECT scored, topics FROM runs").fetchone() == (3, 5)


def test_what_the_alert_rules_read_from_the_store(tmp_path: Path) -> None:
    m1, m2, m3 = _mentions()
    with Store(tmp_path / "m.duckdb") as store:
        store.insert_mentions([m1, m2, m3], run_id="r", tz=TZ)
        store.insert_scores(
            [_score(m1.id, "positive", (0.1, 0.1, 0.8)), _score(m2.id, "negative", (0.7, 0.2, 0.1)),
             _score(m3.id, "neutral", (0.2, 0.6, 0.2))],
            run_id="r",
        )  # fmt: skip
        store.activate_model("test-model", "v1")
        store.insert_topics(
            [(m2.id, "test-model", "v1", "set-a", "wait_time", 0.9, "negative", -0.7),
             (m2.id, "test-model", "v1", "set-a", "other", 0.9, "negative", -0.7),
             (m1.id, "test-model", "v1", "set-a", "wait_time", 0.8, "positive", 0.6)],
            run_id="r",
        )  # fmt: skip
        day2, day3 = date(2026, 11, 2), date(2026, 11, 3)
        counts = store.daily_counts(day2, day3)
        assert [(b, loc, d, n, neg, round(s, 4), round(q, 4)) for b, loc, d, n, neg, s, q in counts] == [
            ("Bella Caffè", "Bella Berlin", day3, 1, 0, 0.0, 0.0),
            ("Bella Caffè", "Bella Kraków", day2, 2, 1, 0.1, 0.85),
        ]
        assert store.daily_counts(day3, day3) == [("Bella Caffè", "Bella Berlin", day3, 1, 0, 0.0, 0.0)]
        # aspect-negative mentions per topic, never "other"
        assert store.daily_topic_negative(day2, day3) == [("Bella Caffè", "Bella Kraków", day2, "wait_time", 1)]
        assert store.topic_mentions("Bella Caffè", "Bella Kraków", "wait_time", day2, day2) == {m2.id}
        by_source = store.breakdown("source", "Bella Caffè", None, (day2, day3), (date(2026, 10, 1), date(2026, 11, 1)))
        assert [b.as_dict() for b in by_source] == [
            {"key": "src", "recent": 3, "recent_negative": 1, "baseline": 0, "baseline_negative": 0}
        ]
        with pytest.raises(ValueError, match="breakdown column 'text'; allowed: source, lang"):
            store.breakdown("text", "Bella Caffè", None, (day2, day3), (day2, day3))
        # m2 is negative but has a topic besides "other": no emerging-theme material; m3 is not negative
        assert store.other_negatives(day2, day3) == []
        store.insert_topics([(m3.id, "test-model", "v1", "set-a", "other", 0.9, "neutral", 0.0)], run_id="r")
        store.con.execute("UPDATE scores SET label = 'negative', score = -0.6 WHERE mention_id = ?", [m3.id])
        ((mid, brand, location, day, text, author, score),) = store.other_negatives(day2, day3)
        assert (mid, brand, location, day, text, score) == (m3.id, "Bella Caffè", "Bella Berlin", day3, m3.text, -0.6)
        assert author is None or len(author) >= 16  # a salted hash, never a name


def test_alerts_keep_their_topic_and_feed_the_cooldown(tmp_path: Path) -> None:
    from sentiment.alerts.rules import RULE_SENTIMENT_DROP, RULE_TOPIC_SURGE, Finding, make_alert
    from tests.alerts.test_rules import AS_OF, finding, window_rows

    drop = make_alert(finding(), AS_OF, window_rows())
    surge = Finding(RULE_TOPIC_SURGE, "Bella Caffè", None, "contact", AS_OF, AS_OF, date(2026, 8, 1),
                    date(2026, 11, 9), 6, 1, 6.0, 0.1, 8.0)  # fmt: skip
    with Store(tmp_path / "m.duckdb") as store:
        new = store.insert_alerts([drop, make_alert(surge, AS_OF, [])], run_id="r", model=("m", "v"))
        assert [a.rule for a in new] == [RULE_SENTIMENT_DROP, RULE_TOPIC_SURGE]
        assert store.insert_alerts([drop], run_id="r2", model=("m", "v")) == []
        assert store.last_alert_days(date(2026, 11, 1)) == {
            (RULE_SENTIMENT_DROP, "Bella Caffè", "Bella Kraków", None): AS_OF,
            (RULE_TOPIC_SURGE, "Bella Caffè", None, "contact"): AS_OF,
        }
        assert store.last_alert_days(date(2026, 11, 24)) == {}
        assert store.con.execute("SELECT topic FROM alerts WHERE rule = 'topic_surge'").fetchone() == ("contact",)
