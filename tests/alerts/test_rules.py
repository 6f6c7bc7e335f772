from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from sentiment.alerts.counts import DailyCounts, from_daily_rows, from_topic_rows
from sentiment.alerts.drop import scan_drops
from sentiment.alerts.rules import (
    RULE_SENTIMENT_DROP,
    RULE_TOPIC_SURGE,
    RULE_VOLUME_SPIKE,
    Finding,
    alert_scopes,
    find,
    history_days,
    make_alert,
    recovery,
    topics_behind,
)
from sentiment.config import AlertRules
from sentiment.records import Breakdown, TopicCounts, WindowRow
from tests.helpers import monitor

AS_OF = date(2026, 11, 23)
BRAND = "Bella Caffè"
KRAKOW, BERLIN = "Bella Kraków", "Bella Berlin"
RULES = AlertRules()
DAYS = history_days(RULES)
Row = tuple[str, str | None, date, int, int, float, float]


def day_rows(
    location: str | None, *, mean: float, n: int = 3, days: range, brand: str = BRAND, spread: float = 0.4
) -> list[Row]:
    """``n`` mentions a day ``days`` back from AS_OF, half at ``mean + spread`` and half at ``mean - spread``
    (n even) or one more at the mean: a known mean and variance without randomness."""
    out = []
    for back in days:
        scores = [mean + spread * (1 if i % 2 else -1) for i in range(n - n % 2)] + [mean] * (n % 2)
        negative = sum(1 for s in scores if s < -0.2)
        out.append(
            (brand, location, AS_OF - timedelta(days=back), n, negative, sum(scores), sum(s * s for s in scores))
        )
    return out


def counts_for(rows: list[Row], **overrides: object) -> DailyCounts:
    return from_daily_rows(rows, alert_scopes(monitor(**overrides)), AS_OF, DAYS)


def no_topics(counts: DailyCounts) -> np.ndarray:
    return np.zeros((len(counts.scopes), counts.days, 0))


def steady(location: str | None, brand: str = BRAND) -> list[Row]:
    return day_rows(location, mean=0.5, days=range(DAYS), brand=brand)


def test_daily_rows_become_arrays_with_brands_adding_up_their_locations() -> None:
    rows: list[Row] = [
        (BRAND, KRAKOW, AS_OF, 2, 1, 0.5, 0.9),
        (BRAND, None, AS_OF, 1, 0, 0.7, 0.49),  # a brand mention with no location
        (BRAND, BERLIN, AS_OF - timedelta(days=1), 4, 0, 2.0, 1.2),
        (BRAND, KRAKOW, AS_OF - timedelta(days=DAYS), 9, 9, -9.0, 9.0),  # before the window: ignored
        ("Nordbrew", "Nordbrew Oslo", AS_OF, 5, 5, -4.0, 4.0),  # not a watched scope
    ]
    counts = counts_for(rows)
    assert counts.scopes == ((BRAND, None), (BRAND, KRAKOW), (BRAND, BERLIN))
    assert counts.mentions.shape == (3, DAYS)
    assert counts.mentions[:, -1].tolist() == [3.0, 2.0, 0.0]
    assert counts.mentions[:, -2].tolist() == [4.0, 0.0, 4.0]
    assert counts.score_sum[0, -1] == pytest.approx(1.2)
    assert counts.negative.sum() == 2.0  # the brand row's 1 and Kraków's 1
    assert counts.brand_of.tolist() == [0, 0, 0]
    assert counts.day(-1) == AS_OF and counts.day(0) == AS_OF - timedelta(days=DAYS - 1)


def test_topic_rows_become_one_array_with_brands_adding_up_their_locations() -> None:
    rows = [
        (BRAND, KRAKOW, AS_OF, "wait_time", 3),
        (BRAND, BERLIN, AS_OF, "wait_time", 1),
        (BRAND, KRAKOW, AS_OF - timedelta(days=2), "contact", 2),
        (BRAND, None, AS_OF, "contact", 1),
        (BRAND, KRAKOW, AS_OF, "price_value", 5),  # not asked for: ignored
        (BRAND, KRAKOW, AS_OF - timedelta(days=DAYS), "contact", 9),  # before the window: ignored
    ]
    scopes = alert_scopes(monitor())
    per_topic = from_topic_rows(rows, ["contact", "wait_time"], scopes, AS_OF, DAYS)
    assert per_topic.shape == (3, DAYS, 2)
    assert per_topic[:, -1].tolist() == [[1.0, 4.0], [0.0, 3.0], [0.0, 1.0]]  # brand, Kraków, Berlin
    assert per_topic[:, -3, 0].tolist() == [2.0, 2.0, 0.0]
    assert per_topic.sum() == 13.0  # the brand 7, Kraków 5, Berlin 1


def test_the_scan_finds_the_day_a_drop_began_and_its_size() -> None:
    rows = day_rows(KRAKOW, mean=0.5, days=range(5, DAYS)) + day_rows(KRAKOW, mean=-0.3, days=range(5))
    scan = scan_drops(counts_for(rows), recent_days=28, baseline_days=84, min_mentions=5, min_drop=0.15, prior=0.0)
    krakow = 1
    assert scan.recent_days[krakow] == 5
    assert scan.recent_n[krakow] == 15 and scan.baseline_n[krakow] == 3 * (DAYS - 5 - 0)
    assert scan.recent_mean[krakow] == pytest.approx(-0.3)
    assert scan.baseline_mean[krakow] == pytest.approx(0.5)
    assert scan.effect[krakow] == pytest.approx(0.8)
    # pooled variance of the whole window: within-day 0.16*(n-1)/n-ish plus the step; z is well past 4
    assert 6.0 < scan.z[krakow] < 12.0
    assert scan.z[2] == -np.inf  # Berlin has no mentions: no change day had enough


def test_a_location_drop_alerts_for_that_location_and_not_for_its_brand() -> None:
    rows = day_rows(KRAKOW, mean=0.5, days=range(5, DAYS)) + day_rows(KRAKOW, mean=-0.3, days=range(5))
    rows += steady(BERLIN) + steady("Nordbrew Oslo", brand="Nordbrew")
    counts = counts_for(rows)
    (f,) = find(counts, no_topics(counts), [], RULES)
    assert (f.rule, f.brand, f.location, f.topic) == (RULE_SENTIMENT_DROP, BRAND, KRAKOW, None)
    assert (f.recent_start, f.recent_end) == (AS_OF - timedelta(days=4), AS_OF)
    assert f.baseline_end == AS_OF - timedelta(days=5)
    assert (f.n_recent, f.recent_value) == (15, pytest.approx(-0.3))
    assert find(counts, no_topics(counts), [], RULES)[0].id == f.id  # deterministic


def test_a_brand_alerts_when_its_drop_is_beyond_its_locations() -> None:
    rows = day_rows(None, mean=0.5, days=range(6, DAYS)) + day_rows(None, mean=-0.2, days=range(6))
    rows += steady(BERLIN)
    counts = counts_for(rows)
    found = find(counts, no_topics(counts), [], RULES)
    assert [(f.rule, f.location) for f in found] == [(RULE_SENTIMENT_DROP, None)]
    assert found[0].n_recent == 36  # the brand counts every mention: 3 a day without location + Berlin's 3


def test_competitors_are_watched_only_when_asked() -> None:
    rows = day_rows("Nordbrew Oslo", mean=0.5, days=range(5, DAYS), brand="Nordbrew")
    rows += day_rows("Nordbrew Oslo", mean=-0.5, days=range(5), brand="Nordbrew")
    assert ("Nordbrew", "Nordbrew Oslo") not in alert_scopes(monitor())
    cfg = monitor(alerts={"include_competitors": True})
    counts = from_daily_rows(rows, alert_scopes(cfg), AS_OF, DAYS)
    found = find(counts, no_topics(counts), [], cfg.alerts)
    # the brand's drop is all its one location's: only the location alerts
    assert [(f.rule, f.location) for f in found] == [(RULE_SENTIMENT_DROP, "Nordbrew Oslo")]


def test_a_scope_without_min_mentions_before_the_change_does_not_alert() -> None:
    rows = day_rows(KRAKOW, mean=0.5, n=1, days=range(10, 14)) + day_rows(KRAKOW, mean=-0.6, n=2, days=range(5))
    counts = counts_for(rows)  # a new location: 4 mentions in its history, then 10 bad ones
    assert find(counts, no_topics(counts), [], RULES) == []  # min_mentions 5 on each side
    (f,) = find(counts, no_topics(counts), [], AlertRules(min_mentions=4))
    assert (f.location, f.n_baseline, f.n_recent) == (KRAKOW, 4, 10)


def test_a_significant_but_small_drop_does_not_alert() -> None:
    rows = day_rows(KRAKOW, mean=0.5, n=40, days=range(14, DAYS), spread=0.1)
    rows += day_rows(KRAKOW, mean=0.4, n=40, days=range(14), spread=0.1)
    counts = counts_for(rows)
    assert find(counts, no_topics(counts), [], RULES) == []
    (f,) = find(counts, no_topics(counts), [], AlertRules(min_drop=0.05))
    assert f.location == KRAKOW and f.baseline_value - f.recent_value == pytest.approx(0.1)


def test_the_cooldown_is_per_rule_scope_and_topic() -> None:
    rows = day_rows(KRAKOW, mean=0.5, days=range(5, DAYS)) + day_rows(KRAKOW, mean=-0.3, days=range(5))
    counts = counts_for(rows)
    key = (RULE_SENTIMENT_DROP, BRAND, KRAKOW, None)
    assert find(counts, no_topics(counts), [], RULES, {key: AS_OF - timedelta(days=3)}) == []
    assert len(find(counts, no_topics(counts), [], RULES, {key: AS_OF - timedelta(days=7)})) == 1
    other = {(RULE_VOLUME_SPIKE, BRAND, KRAKOW, None): AS_OF}
    assert len(find(counts, no_topics(counts), [], RULES, other)) == 1


def test_a_day_with_many_negative_mentions_is_a_volume_spike() -> None:
    rows = [(BRAND, KRAKOW, AS_OF - timedelta(days=b), 4, 1, 1.0, 1.0) for b in range(1, DAYS)]
    rows.append((BRAND, KRAKOW, AS_OF, 12, 10, -6.0, 8.0))
    counts = counts_for(rows)
    no_drops = AlertRules(threshold=20)  # the day is a drop too, which would take the spike in
    found = [f for f in find(counts, no_topics(counts), [], no_drops) if f.rule == RULE_VOLUME_SPIKE]
    assert [(f.brand, f.location) for f in found] == [(BRAND, KRAKOW)]  # the brand's spike is Kraków's
    spike = found[0]
    assert (spike.recent_start, spike.n_recent) == (AS_OF, 10)
    assert spike.baseline_value == pytest.approx(1.0, abs=0.15)  # one negative a day, weekday-adjusted
    assert spike.n_baseline == 84 and spike.strength > 5.0
    assert spike.baseline_end == AS_OF - timedelta(days=3)


def test_one_topic_rising_beyond_its_own_rate_is_a_topic_surge() -> None:
    rows = steady(KRAKOW)
    counts = counts_for(rows)
    topics = ["contact", "wait_time"]
    per_topic = np.zeros((len(counts.scopes), counts.days, len(topics)))
    per_topic[1, :, 0] = np.arange(counts.days) % 2  # contact: a complaint every other day, all along
    per_topic[1, -40::20, 1] = 1  # wait_time: twice in 40 days
    per_topic[1, -4:, 1] = 2  # then two a day for four days
    per_topic[0] = per_topic[1]  # the brand row adds up its locations
    found = find(counts, per_topic, topics, RULES)
    assert [(f.rule, f.location, f.topic) for f in found] == [(RULE_TOPIC_SURGE, KRAKOW, "wait_time")]
    surge = found[0]
    assert (surge.n_recent, surge.recent_start) == (8, AS_OF - timedelta(days=3))
    assert surge.recent_value == 2.0 and surge.baseline_value < 0.05


def finding() -> Finding:
    start = AS_OF - timedelta(days=4)
    return Finding(RULE_SENTIMENT_DROP, BRAND, KRAKOW, None, start, AS_OF, AS_OF - timedelta(days=111), start - timedelta(days=1),
                   15, 300, -0.3, 0.5, 7.5)  # fmt: skip


def window_rows() -> list[WindowRow]:
    texts = ["Zimna kawa, nikt nie przeprasza.", "Zimna kawa, nikt nie przeprasza.", "Czekałem 40 minut.",
             "Obsługa niemiła.", "Dobre ciasto."]  # fmt: skip
    scores = [-0.9, -0.85, -0.7, -0.6, 0.6]
    return [WindowRow(BRAND, KRAKOW, AS_OF, s, f"m{i}", t, "negative" if s < 0 else "positive")
            for i, (t, s) in enumerate(zip(texts, scores, strict=True))]  # fmt: skip


def test_an_alert_explains_itself_with_numbers_sources_languages_and_distinct_quotes() -> None:
    sources = [Breakdown("google", 12, 9, 200, 20), Breakdown("tripadvisor", 3, 1, 100, 5)]
    languages = [Breakdown("pl", 14, 10, 280, 22), Breakdown("en", 1, 0, 20, 3)]
    alert = make_alert(finding(), AS_OF, window_rows(), sources=sources, languages=languages)
    assert alert.message == (
        f"Sentiment drop at {KRAKOW} ({BRAND}): mean score +0.50 -> -0.30 over 2026-11-19..2026-11-23 (n=15) "
        "against 2026-08-04..2026-11-18 (n=300); z=7.5; sources: google (9 of 12 negative), "
        "tripadvisor (1 of 3 negative); languages: pl (10 of 14 negative)"
    )
    assert alert.effect == pytest.approx(0.8) and alert.p_value == pytest.approx(3.19e-14, rel=0.01)
    assert [q["mention_id"] for q in alert.details["examples"]] == ["m0", "m2", "m3"]  # m1 repeats m0
    assert alert.details["share_negative_recent"] == 0.8
    assert alert.details["sources"][0] == {"key": "google", "recent": 12, "recent_negative": 9, "baseline": 200,
                                           "baseline_negative": 20}  # fmt: skip
    assert alert.id == finding().id and alert.topic is None


def test_a_topic_surge_alert_quotes_mentions_of_its_topic() -> None:
    surge = Finding(
        RULE_TOPIC_SURGE, BRAND, KRAKOW, "wait_time", AS_OF - timedelta(days=3), AS_OF,
        AS_OF - timedelta(days=97), AS_OF - timedelta(days=14), 8, 2, 2.0, 0.04, 7.2,
    )  # fmt: skip
    alert = make_alert(surge, AS_OF, window_rows(), quote_ids={"m2"})
    assert alert.message == (
        f"Topic surge at {KRAKOW} ({BRAND}): 8 negative mentions about wait_time over 2026-11-20..2026-11-23, "
        "0.2 expected from 2026-08-18..2026-11-09; p=6.3e-08"
    )
    assert alert.topic == "wait_time" and alert.details["topic"] == "wait_time"
    assert [q["text"] for q in alert.details["examples"]] == ["Czekałem 40 minut."]
    assert alert.effect == pytest.approx(8 - 0.16)


def test_an_alert_names_the_topics_whose_negative_mentions_rose_beyond_the_baseline_rate() -> None:
    alert = make_alert(finding(), AS_OF, window_rows())  # 15 recent mentions against 300 in the baseline
    counts = [
        TopicCounts("wait_time", recent=10, recent_negative=9, baseline=120, baseline_negative=20),
        TopicCounts("staff_attitude", recent=5, recent_negative=4, baseline=100, baseline_negative=30),
        TopicCounts("price_value", recent=6, recent_negative=3, baseline=300, baseline_negative=60),  # as before
        TopicCounts("cleanliness", recent=2, recent_negative=2, baseline=2, baseline_negative=1),  # 1.95 excess
    ]
    named = topics_behind(alert, counts)
    assert [t["topic"] for t in named.details["topics"]] == ["wait_time", "staff_attitude"]
    assert named.details["topics"][0] == {
        "topic": "wait_time", "negative_recent": 9, "mentions_recent": 10, "negative_expected": 1.0,
        "negative_baseline": 20, "mentions_baseline": 120, "share_negative_recent": 0.6,
        "share_negative_baseline": 0.0667,
    }  # fmt: skip
    assert named.message == (
        alert.message + "; topics behind it: wait_time (9 negative mentions, 1 expected), "
        "staff_attitude (4 negative mentions, 2 expected)"
    )
    assert (named.id, named.effect) == (alert.id, alert.effect)
    unchanged = topics_behind(alert, counts[2:])
    assert unchanged.message == alert.message and unchanged.details["topics"] == []


def test_spikes_and_surges_on_a_dropping_scope_fold_into_the_drop() -> None:
    rows = day_rows(KRAKOW, mean=0.5, days=range(3, DAYS)) + day_rows(KRAKOW, mean=-0.5, n=6, days=range(3))
    counts = counts_for(rows)
    topics = ["wait_time"]
    per_topic = np.zeros((len(counts.scopes), counts.days, 1))
    per_topic[:2, -3:, 0] = 3  # Kraków (and so its brand): three complaints a day about waiting, never before
    alone = find(counts, per_topic, topics, AlertRules(threshold=20))  # no drop: the surge and spike speak
    assert sorted((f.rule, f.topic) for f in alone) == [(RULE_TOPIC_SURGE, "wait_time"), (RULE_VOLUME_SPIKE, None)]
    assert [f.rule for f in find(counts, per_topic, topics, RULES)] == [RULE_SENTIMENT_DROP]
    yesterday = {(RULE_SENTIMENT_DROP, BRAND, KRAKOW, None): AS_OF - timedelta(days=1)}
    assert find(counts, per_topic, topics, RULES, yesterday) == []  # the incident already paged


def test_an_alert_is_over_when_its_scope_recovers() -> None:
    drop = {"rule": RULE_SENTIMENT_DROP, "brand": BRAND, "location": KRAKOW, "topic": None, "baseline_mean": 0.5}
    still_bad = counts_for(
        day_rows(KRAKOW, mean=0.5, days=range(10, DAYS)) + day_rows(KRAKOW, mean=0.2, days=range(10))
    )
    assert recovery(drop, still_bad, no_topics(still_bad), [], RULES) is None  # 0.2 < 0.5 - 0.15
    back = counts_for(day_rows(KRAKOW, mean=0.5, days=range(7, DAYS)) + day_rows(KRAKOW, mean=0.4, days=range(7)))
    assert recovery(drop, back, no_topics(back), [], RULES) == (
        "mean score +0.40 over the last 7 days (n=21), baseline +0.50"
    )
    quiet = counts_for(day_rows(KRAKOW, mean=0.5, days=range(7, DAYS)))
    assert recovery(drop, quiet, no_topics(quiet), [], RULES) is None  # no mentions: nothing to judge on
    gone = {**drop, "location": "Bella Warszawa"}
    assert recovery(gone, back, no_topics(back), [], RULES) is None

    surge = {"rule": RULE_TOPIC_SURGE, "brand": BRAND, "location": KRAKOW, "topic": "wait_time", "baseline_mean": 0.1}
    per_topic = np.zeros((len(back.scopes), back.days, 1))
    per_topic[1, -7:, 0] = [1, 0, 0, 1, 0, 0, 0]
    assert recovery(surge, back, per_topic, ["wait_time"], RULES) == (
        "2 negative mentions about wait_time over the last 7 days, 0.7 expected"
    )
    per_topic[1, -3:, 0] = 1
    assert recovery(surge, back, per_topic, ["wait_time"], RULES) is None  # 5 > 0.7 + 2
    assert recovery(surge, back, per_topic, ["contact"], RULES) is None  # the topic is no longer read
