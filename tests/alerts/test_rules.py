from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from sentiment.alerts.rules import WindowRow, _holm, alert_id, detect_drops, topics_behind, windows
from sentiment.records import TopicCounts
from tests.helpers import monitor

AS_OF = date(2026, 11, 23)
BRAND = "Bella Caffè"


def rows_for(location: str | None, *, baseline: float, recent: float, n_base: int = 40, n_recent: int = 14,
             brand: str = BRAND, seed: int = 1, spread: float = 0.25) -> list[WindowRow]:  # fmt: skip
    rng = random.Random(seed)
    out = []
    for i in range(n_base):
        day = AS_OF - timedelta(days=7 + i % 28)
        out.append(_row(brand, location, day, rng.gauss(baseline, spread), f"{location}-b{i}"))
    for i in range(n_recent):
        day = AS_OF - timedelta(days=i % 7)
        out.append(_row(brand, location, day, rng.gauss(recent, spread), f"{location}-r{i}"))
    return out


def _row(brand: str, location: str | None, day: date, raw: float, mid: str) -> WindowRow:
    score = max(-1.0, min(1.0, raw))
    label = "negative" if score < -0.2 else "positive" if score > 0.2 else "neutral"
    return WindowRow(brand, location, day, score, mid, f"text of {mid}", label)


def test_windows_are_adjacent_and_sized_by_the_rules() -> None:
    w = windows(AS_OF, monitor().alerts)
    assert (w.recent_start, w.recent_end) == (date(2026, 11, 17), AS_OF)
    assert (w.baseline_start, w.baseline_end) == (date(2026, 10, 20), date(2026, 11, 16))


def test_a_location_drop_alerts_once_for_that_location_only() -> None:
    rows = rows_for("Bella Kraków", baseline=0.6, recent=-0.4) + rows_for("Bella Berlin", baseline=0.5, recent=0.5)
    rows += rows_for("Nordbrew Oslo", baseline=0.6, recent=-0.6, brand="Nordbrew")  # competitor: not alerted
    alerts = detect_drops(rows, monitor(), AS_OF)
    assert [(a.scope, a.brand, a.location) for a in alerts] == [("location", BRAND, "Bella Kraków")]
    alert = alerts[0]
    assert (alert.n_recent, alert.n_baseline) == (14, 40)
    assert alert.effect == pytest.approx(alert.baseline_mean - alert.recent_mean, abs=1e-3)
    assert alert.effect > 0.8 and alert.p_value < 1e-6
    assert alert.id == alert_id("sentiment_drop", BRAND, "Bella Kraków", windows(AS_OF, monitor().alerts))
    assert alert.message.startswith("Sentiment drop at Bella Kraków (Bella Caffè): mean score +0.")
    assert len(alert.details["examples"]) == 3
    recent = [r for r in rows if r.location == "Bella Kraków" and r.day >= date(2026, 11, 17)]
    share = sum(r.label == "negative" for r in recent) / 14
    assert alert.details["share_negative_recent"] == round(share, 4)
    assert 0.6 < share <= 1.0
    assert alert.details["examples"][0]["score"] == round(min(r.score for r in rows if r.location == "Bella Kraków"), 3)
    assert detect_drops(rows, monitor(), AS_OF)[0].id == alert.id  # deterministic


def test_brand_alert_when_the_drop_is_beyond_its_locations() -> None:
    rows = rows_for(None, baseline=0.5, recent=-0.2, seed=3) + rows_for("Bella Berlin", baseline=0.5, recent=0.5)
    alerts = detect_drops(rows, monitor(), AS_OF)
    assert [(a.scope, a.location) for a in alerts] == [("brand", None)]
    assert alerts[0].n_recent == 28  # brand scope counts every mention of the brand


def test_competitors_alert_only_when_asked() -> None:
    rows = rows_for("Nordbrew Oslo", baseline=0.6, recent=-0.6, brand="Nordbrew")
    assert detect_drops(rows, monitor(), AS_OF) == []
    cfg = monitor(alerts={"include_competitors": True})
    assert {a.location for a in detect_drops(rows, cfg, AS_OF)} == {"Nordbrew Oslo"}


def test_no_alert_below_minimum_volume() -> None:
    rows = rows_for("Bella Kraków", baseline=0.6, recent=-0.6, n_recent=9)
    assert detect_drops(rows, monitor(), AS_OF) == []


def test_no_alert_for_a_significant_but_small_drop() -> None:
    rows = rows_for("Bella Kraków", baseline=0.6, recent=0.45, n_base=400, n_recent=300, spread=0.1)
    assert detect_drops(rows, monitor(), AS_OF) == []
    assert detect_drops(rows, monitor(alerts={"min_drop": 0.1}), AS_OF) != []


def test_no_alert_for_a_large_but_noisy_drop() -> None:
    rows = rows_for("Bella Kraków", baseline=0.3, recent=0.0, n_base=12, n_recent=10, spread=0.9, seed=7)
    assert detect_drops(rows, monitor(), AS_OF) == []


def test_cooldown_suppresses_repeats() -> None:
    rows = rows_for("Bella Kraków", baseline=0.6, recent=-0.4)
    key = (BRAND, "Bella Kraków")
    assert detect_drops(rows, monitor(), AS_OF, {key: AS_OF - timedelta(days=3)}) == []
    assert len(detect_drops(rows, monitor(), AS_OF, {key: AS_OF - timedelta(days=7)})) == 1


def test_holm_adjustment() -> None:
    assert _holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert _holm([]) == []


def test_an_alert_names_the_topics_whose_negative_mentions_rose_beyond_the_baseline_rate() -> None:
    rows = rows_for("Bella Kraków", baseline=0.6, recent=-0.4)
    (alert,) = detect_drops(rows, monitor(), AS_OF)  # 14 recent mentions against 40 in the baseline
    counts = [
        TopicCounts("wait_time", recent=10, recent_negative=9, baseline=12, baseline_negative=2),
        TopicCounts("staff_attitude", recent=5, recent_negative=4, baseline=10, baseline_negative=3),
        TopicCounts("price_value", recent=6, recent_negative=3, baseline=30, baseline_negative=9),  # as before
        TopicCounts("cleanliness", recent=2, recent_negative=2, baseline=2, baseline_negative=1),  # 1.65 excess
    ]
    named = topics_behind(alert, counts)
    assert [t["topic"] for t in named.details["topics"]] == ["wait_time", "staff_attitude"]
    assert named.details["topics"][0] == {
        "topic": "wait_time", "negative_recent": 9, "mentions_recent": 10, "negative_expected": 0.7,
        "negative_baseline": 2, "mentions_baseline": 12,
    }  # fmt: skip
    assert named.message == (
        alert.message + "; topics behind it: wait_time (9 negative mentions, 1 expected), "
        "staff_attitude (4 negative mentions, 1 expected)"
    )
    assert (named.id, named.effect) == (alert.id, alert.effect)
    unchanged = topics_behind(alert, counts[2:])
    assert unchanged.message == alert.message and unchanged.details["topics"] == []
