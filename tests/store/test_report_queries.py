"""The report's queries on a real DuckDB file, with figures computed by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sentiment.records import Alert, Score
from sentiment.store import Store
from sentiment.store.report_queries import (
    TIER_RULE,
    TIERS,
    LeaderboardRow,
    alert_marks,
    brand_comparison,
    last_run,
    location_leaderboard,
    sentiment_timeline,
    tier,
    topic_comparison,
    topic_heatmap,
    topic_quotes,
    topics_that_moved,
)
from sentiment.text.prepare import prepare
from tests.helpers import mention, monitor
from tests.store.test_db import TZ

AS_OF = date(2026, 11, 30)


def _alert(location: str) -> Alert:
    return Alert(
        id=f"a-{location}", rule="sentiment_drop", scope="location", brand="Bella Caffè", location=location,
        as_of=date(2026, 11, 28), recent_start=date(2026, 11, 22), recent_end=date(2026, 11, 28),
        baseline_start=date(2026, 9, 1), baseline_end=date(2026, 11, 21), n_recent=5, n_baseline=40,
        recent_mean=-0.5, baseline_mean=0.4, effect=0.9, p_value=1e-6, message="drop",
    )  # fmt: skip


def test_the_leaderboard_compares_four_weeks_with_the_four_before(tmp_path: Path) -> None:
    # (item, location, day of November unless October is named, score, stars)
    plan = [
        ("k1", "Bella Kraków", 20, -0.6, 1.0),
        ("k2", "Bella Kraków", 28, -0.2, 2.0),
        ("k0", "Bella Kraków", -20, 0.5, 5.0),  # 20 October: in the four weeks before
        ("b1", "Bella Berlin", 10, 0.8, 5.0),
        ("b0", "Bella Berlin", -10, 0.6, None),  # 10 October: before
        ("old", "Bella Berlin", -1, 0.9, 4.0),  # 1 October: outside both windows (3 Nov - 30 Nov, 6 Oct - 2 Nov)
    ]
    raw = []
    for item, location, day, _, stars in plan:
        m = mention(item, f"Review {item} of the café, long enough to keep", brand="Bella Caffè", location=location,
                    day=max(day, 1), rating=stars)  # fmt: skip
        raw.append(replace(m, published_at=datetime(2026, 10, -day, 12, tzinfo=UTC)) if day < 0 else m)
    mentions = prepare(raw, monitor=monitor(), salt="s").mentions
    score = {item: s for item, _, _, s, _ in plan}
    with Store(tmp_path / "m.duckdb") as store:
        store.insert_mentions(mentions, run_id="r", tz=TZ)
        store.activate_model("m", "v")
        store.insert_scores(
            [Score(m.id, "m", "v", "x", 0, 0, 0, score[m.source_item_id]) for m in mentions], run_id="r"
        )
        store.insert_alerts([_alert("Bella Kraków")], run_id="r", model=("m", "v"))
        board = location_leaderboard(store, AS_OF)
    berlin, krakow = board
    assert (berlin.location, berlin.mentions, berlin.stars, berlin.open_alerts) == ("Bella Berlin", 1, 5.0, 0)
    assert berlin.score == pytest.approx(0.8) and berlin.score_before == pytest.approx(0.6)
    assert berlin.change == pytest.approx(0.2)
    assert (krakow.location, krakow.mentions, krakow.stars, krakow.open_alerts) == ("Bella Kraków", 2, 1.5, 1)
    assert krakow.score == pytest.approx(-0.4) and krakow.change == pytest.approx(-0.9)


@pytest.mark.parametrize(
    ("mentions", "score", "before", "alerts", "expected"),
    [
        (12, 0.6, 0.6, 0, "healthy"),
        (8, 0.6, 0.6, 0, "steady"),  # too few mentions to be called healthy
        (12, 0.35, 0.4, 0, "steady"),
        (12, 0.25, 0.3, 0, "watch"),  # score under 0.3
        (12, 0.5, 0.62, 0, "watch"),  # a fall of 0.12
        (3, -0.8, 0.6, 0, "watch"),  # too few mentions to act on the score alone
        (12, 0.3, 0.55, 0, "at risk"),  # a fall of 0.25
        (12, -0.1, 0.1, 0, "at risk"),
        (12, -0.2, 0.3, 0, "act now"),
        (3, 0.6, 0.6, 1, "act now"),  # an open alert
        (12, 0.6, None, 0, "watch"),  # nothing to compare with
    ],
)
def test_each_tier_of_the_printed_rule(
    mentions: int, score: float, before: float | None, alerts: int, expected: str
) -> None:
    row = LeaderboardRow("Bella Caffè", "Bella Kraków", mentions, score, before, None, alerts)
    assert tier(row) == expected
    assert expected in TIER_RULE and expected in TIERS


def test_share_of_voice_and_topics_where_each_brand_is_read_better(tmp_path: Path) -> None:
    plan = [  # (item, brand, day, score, topics with aspect scores)
        ("a1", "Bella Caffè", 20, 0.5, {"wait_time": -0.6}),
        ("a2", "Bella Caffè", 25, -0.5, {"wait_time": -0.2, "price_value": 0.4}),
        ("a3", "Bella Caffè", 29, 0.3, {}),
        ("n1", "Nordbrew", 21, 0.9, {"wait_time": 0.5}),
        ("n0", "Nordbrew", 1, 0.9, {"wait_time": 0.5}),  # 1 November: before the four weeks
    ]
    raw = [
        mention(item, f"Review {item} of the café, long enough to keep", brand=b, day=d) for item, b, d, _, _ in plan
    ]
    mentions = prepare(raw, monitor=monitor(), salt="s").mentions
    by_item = {m.source_item_id: m.id for m in mentions}
    with Store(tmp_path / "m.duckdb") as store:
        store.insert_mentions(mentions, run_id="r", tz=TZ)
        store.activate_model("m", "v")
        store.insert_scores([Score(by_item[i], "m", "v", "x", 0, 0, 0, s) for i, _, _, s, _ in plan], run_id="r")
        topic_rows = [
            (by_item[i], "m", "v", "set", topic, 0.9, "x", aspect)
            for i, _, _, _, topics in plan
            for topic, aspect in (topics or {"other": 0.0}).items()
        ]
        store.insert_topics(topic_rows, run_id="r")
        brands = brand_comparison(store, AS_OF)
        topics = topic_comparison(store, AS_OF)
    assert [(b.brand, b.mentions) for b in brands] == [("Bella Caffè", 3), ("Nordbrew", 1)]
    assert [b.share_of_voice for b in brands] == [0.75, 0.25]
    assert brands[0].score == pytest.approx(0.1) and brands[1].score == pytest.approx(0.9)
    assert set(topics) == {"wait_time", "price_value"}  # "other" left out
    bella_n, bella_score = topics["wait_time"]["Bella Caffè"]
    assert (bella_n, bella_score) == (2, pytest.approx(-0.4))
    assert topics["wait_time"]["Nordbrew"] == (1, pytest.approx(0.5))
    assert topics["price_value"] == {"Bella Caffè": (1, pytest.approx(0.4))}


def test_the_heat_map_the_topics_that_moved_and_their_quotes(tmp_path: Path) -> None:
    plan = [  # (item, day in November or -day in October, text, {topic: (label, aspect score, confidence)})
        ("k1", 20, "We waited forty minutes for a flat white at the counter", {"wait_time": ("negative", -0.8, 0.9)}),
        ("k2", 22, "Slow service, the queue did not move for half an hour", {"wait_time": ("negative", -0.6, 0.5)}),
        ("k3", 25, "Served in two minutes even with a full room, impressive", {"wait_time": ("positive", 0.7, 0.8)}),
        ("k0", -15, "Quick service as always, in and out in five minutes", {"wait_time": ("positive", 0.6, 0.9)}),
        ("k4", 26, "Lovely cakes, fair prices for the old town square", {"price_value": ("positive", 0.5, 0.9)}),
    ]
    raw = []
    for item, day, text, _ in plan:
        m = mention(item, text, brand="Bella Caffè", location="Bella Kraków", day=max(day, 1))
        raw.append(replace(m, published_at=datetime(2026, 10, -day, 12, tzinfo=UTC)) if day < 0 else m)
    mentions = prepare(raw, monitor=monitor(), salt="s").mentions
    by_item = {m.source_item_id: m.id for m in mentions}
    with Store(tmp_path / "m.duckdb") as store:
        store.insert_mentions(mentions, run_id="r", tz=TZ)
        store.activate_model("m", "v")
        store.insert_scores([Score(m.id, "m", "v", "x", 0, 0, 0, 0.0) for m in mentions], run_id="r")
        store.insert_topics(
            [
                (by_item[item], "m", "v", "set", topic, confidence, label, aspect)
                for item, _, _, topics in plan
                for topic, (label, aspect, confidence) in topics.items()
            ],
            run_id="r",
        )
        cells = topic_heatmap(store, AS_OF)
        negative = topic_quotes(store, "Bella Caffè", "Bella Kraków", "wait_time", AS_OF, "negative", count=2)
        positive = topic_quotes(store, "Bella Caffè", None, "wait_time", AS_OF, "positive")
    by_topic = {c.topic: c for c in cells}
    assert set(by_topic) == {"wait_time", "price_value"}
    wait = by_topic["wait_time"]
    # Three wait-time mentions in the four weeks: (-0.8 - 0.6 + 0.7) / 3; the one before: +0.6.
    assert (wait.location, wait.mentions) == ("Bella Kraków", 3)
    assert wait.score == pytest.approx(-0.7 / 3) and wait.change == pytest.approx(-0.7 / 3 - 0.6)
    assert by_topic["price_value"].change is None  # not read in the four weeks before
    assert topics_that_moved(cells, min_mentions=3) == [wait]
    assert topics_that_moved(cells, min_mentions=4) == []
    # Quotes: confidence x |aspect score|, highest first (0.72 before 0.30), in the text as written.
    assert negative == [plan[0][2], plan[1][2]]
    assert positive == [plan[2][2]]


def _scored(store: Store, plan: list[tuple[str, str, int, float]]) -> None:
    """Store and score mentions: (item, brand, day of November or -day of October, score)."""
    raw = []
    for item, brand, day, _ in plan:
        m = mention(item, f"Review {item} of the café, long enough to keep", brand=brand, day=max(day, 1))
        raw.append(replace(m, published_at=datetime(2026, 10, -day, 12, tzinfo=UTC)) if day < 0 else m)
    mentions = prepare(raw, monitor=monitor(), salt="s").mentions
    score = {item: s for item, _, _, s in plan}
    store.insert_mentions(mentions, run_id="r", tz=TZ)
    store.activate_model("m", "v")
    store.insert_scores([Score(m.id, "m", "v", "x", 0, 0, 0, score[m.source_item_id]) for m in mentions], run_id="r")


def test_the_timeline_has_seven_day_means_and_the_alert_baseline_band(tmp_path: Path) -> None:
    plan = [
        ("o1", "Bella Caffè", -28, 0.2),  # 28 October: before the chart, inside 1 November's seven days
        ("a1", "Bella Caffè", 1, 0.6), ("a2", "Bella Caffè", 1, 0.4),
        ("b1", "Bella Caffè", 5, 0.8),
        ("c1", "Bella Caffè", 20, -0.2),
        ("d1", "Bella Caffè", 24, -0.4), ("d2", "Bella Caffè", 24, 0.0),
        ("e1", "Bella Caffè", 30, -0.6),
        ("n1", "Nordbrew", 30, 0.9),  # another brand: not on this timeline
    ]  # fmt: skip
    with Store(tmp_path / "m.duckdb") as store:
        _scored(store, plan)
        points = sentiment_timeline(
            store, ["Bella Caffè"], AS_OF, days=30, baseline_days=14, min_mentions=2, min_drop=0.15
        )
        both = sentiment_timeline(store, ["Bella Caffè", "Nordbrew"], AS_OF, days=1)
    assert [(p.day.day, p.mentions) for p in points] == [(1, 2), (5, 1), (20, 1), (24, 2), (30, 1)]
    assert [p.score for p in points] == pytest.approx([0.5, 0.8, -0.2, -0.2, -0.6])
    # Seven days ending each day: 1 Nov takes in 28 Oct; 30 Nov takes 24-30 Nov.
    assert [p.score_7d for p in points] == pytest.approx([0.4, 0.6, -0.2, -0.2, -1 / 3])
    # The baseline of 20 Nov: the 14 days before its week (31 Oct - 13 Nov) hold 1 and 5 Nov: 3 mentions, mean
    # 0.6. 24 Nov's (4 - 17 Nov) holds one mention, under min_mentions: no band.
    baselines = [p.baseline for p in points]
    assert baselines[:2] == [None, None] and baselines[3:] == [None, None]
    assert points[2].baseline == pytest.approx(0.6)
    assert (points[2].band_low, points[2].band_high) == (pytest.approx(0.45), pytest.approx(0.75))
    assert [(p.mentions, p.score) for p in both] == [(2, pytest.approx(0.15))]


def test_alert_marks_and_the_last_run(tmp_path: Path) -> None:
    with Store(tmp_path / "m.duckdb") as store:
        _scored(store, [("a1", "Bella Caffè", 20, 0.5)])
        other = replace(_alert("Nordbrew Oslo"), id="a-n", brand="Nordbrew")
        old = replace(_alert("Bella Berlin"), id="a-old", as_of=date(2026, 8, 1))
        store.insert_alerts([_alert("Bella Kraków"), other, old], run_id="r", model=("m", "v"))
        store.resolve_alert("a-Bella Kraków", date(2026, 11, 29), "recovered")
        for run_id, day in (("r1", date(2026, 11, 29)), ("r2", AS_OF), ("r3", date(2026, 12, 1))):
            store.start_run(run_id, as_of=day, config_sha256="x")
            store.record_source_run(run_id, "feed", status="ok", pages=2, fetched=7, new=5, skipped={}, error=None)
            store.record_source_run(
                run_id, "broken", status="failed", pages=0, fetched=0, new=0, skipped={"http_404": 1}, error="404"
            )
            stats = {"fetched": 7, "new_mentions": 5, "scored": 4, "sources_ok": 1, "sources_failed": 1,
                     "skipped": {"http_404": 1}}  # fmt: skip
            store.finish_run(run_id, status="partial", stats=stats)
        marks = alert_marks(store, ["Bella Caffè"], AS_OF, days=90)
        before = alert_marks(store, ["Bella Caffè"], date(2026, 11, 28))
        run = last_run(store, AS_OF)
        none = last_run(store, date(2026, 11, 1))
    assert [(m.day, m.location, m.resolved_on) for m in marks] == [
        (date(2026, 11, 28), "Bella Kraków", date(2026, 11, 29))
    ]
    assert [m.resolved_on for m in before] == [None]  # resolved after the report's day: open on it
    assert run is not None and none is None
    assert (run.run_id, run.status, run.fetched, run.new_mentions, run.scored) == ("r2", "partial", 7, 5, 4)
    assert run.skipped == {"http_404": 1}
    assert [(s.source, s.status, s.skipped, s.error) for s in run.sources] == [
        ("broken", "failed", {"http_404": 1}, "404"), ("feed", "ok", {}, None),
    ]  # fmt: skip
