"""The alert rules, run on daily counts per scope, and what an alert says about itself.

Three rules look at every own brand and each of its locations (competitors too with
``include_competitors``), on the arrays of :mod:`sentiment.alerts.counts`:

* ``sentiment_drop``: the mean score stepped down (:mod:`sentiment.alerts.drop`);
* ``volume_spike``: more negative mentions in the last days than the weekday leads to expect;
* ``topic_surge``: one topic's negative mentions rose beyond that topic's own rate
  (both in :mod:`sentiment.alerts.surge`).

A scope that fired on a rule (for a surge: on that topic) stays quiet on it for ``cooldown_days``. A brand
alerts only where the rule still fires without the brand's locations that fired the same night (else those
locations explain it). A spike or surge on a scope whose sentiment drop alerts tonight, or did within the
cool-down, is part of that incident: the drop's alert names the topics behind it, and one incident pages
once. ``bench/alerts.py`` runs the same functions on simulated nights and measures
recall, delay and false alarms against the baselines.

An alert id derives from the rule, scope, topic and recent window, so re-running a night finds the same id
and stores nothing new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal, Protocol, TypeVar

import numpy as np
import numpy.typing as npt
from scipy import stats

from sentiment.alerts.counts import DailyCounts, FloatArray, Scope
from sentiment.alerts.drop import DropScan, scan_drops
from sentiment.alerts.surge import SPIKE_DAYS, SURGE_DAYS, Surge, topic_surges, volume_spikes
from sentiment.config import AlertRules, MonitorConfig
from sentiment.records import Alert, Breakdown, TopicCounts, WindowRow

RULE_SENTIMENT_DROP = "sentiment_drop"
RULE_VOLUME_SPIKE = "volume_spike"
RULE_TOPIC_SURGE = "topic_surge"
RULES = (RULE_SENTIMENT_DROP, RULE_VOLUME_SPIKE, RULE_TOPIC_SURGE)
RULE_EMERGING_THEME = "emerging_theme"  # sentiment.alerts.themes: it reads texts, not counts
#: (rule, brand, location, topic) -> the last day an alert was stored for it
AlertKey = tuple[str, str, str | None, str | None]
BoolArray = npt.NDArray[np.bool_]
_T = TypeVar("_T")
_QUOTES = 3
_QUOTE_CHARS = 220


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule that fired on one scope tonight, before quotes, topics, sources and languages explain it.

    For a drop the values are mean scores and the counts mentions; for a spike or surge they are negative
    mentions a day (``baseline_value`` the number the baseline predicts for the recent days) and the
    counts negative mentions. ``strength`` is the drop's z, or ``-log10`` of a count's tail probability.
    """

    rule: str
    brand: str
    location: str | None
    topic: str | None
    recent_start: date
    recent_end: date
    baseline_start: date
    baseline_end: date
    n_recent: int
    n_baseline: int
    recent_value: float
    baseline_value: float
    strength: float

    @property
    def scope(self) -> Literal["brand", "location"]:
        return "location" if self.location else "brand"

    @property
    def id(self) -> str:
        return alert_id(self.rule, self.brand, self.location or "", self.topic or "", self.recent_start.isoformat(),
                        self.recent_end.isoformat())  # fmt: skip


def alert_id(*parts: str) -> str:
    """An alert's id: the same parts (rule, scope, window ...) give the same id on every re-run of a night."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


def in_cooldown(last_alert: Mapping[AlertKey, date], key: AlertKey, as_of: date, rules: AlertRules) -> bool:
    """Whether ``key`` alerted less than ``cooldown_days`` (at least 1) before ``as_of``."""
    last = last_alert.get(key)
    return last is not None and (as_of - last).days < max(rules.cooldown_days, 1)


def history_days(rules: AlertRules) -> int:
    """How many days up to the run's day the rules read."""
    return max(rules.recent_days, SURGE_DAYS, SPIKE_DAYS) + rules.baseline_days


def alert_scopes(monitor: MonitorConfig) -> list[Scope]:
    """The brands the rules watch and their locations, brands first."""
    brands = [b for b in monitor.brands if monitor.alerts.include_competitors or not b.competitor]
    return [(b.name, None) for b in brands] + [(b.name, loc.name) for b in brands for loc in b.locations]


def find(
    counts: DailyCounts,
    topic_negative: FloatArray,
    topics: Sequence[str],
    rules: AlertRules,
    last_alert: Mapping[AlertKey, date] | None = None,
) -> list[Finding]:
    """Every rule on every scope of ``counts`` for its last day; ``topic_negative`` is scopes x days x
    ``topics`` (aspect-negative mentions per topic), ``last_alert`` the cool-down's memory."""
    last_alert = last_alert or {}
    as_of = counts.end
    found = _drops(counts, rules) + _spikes(counts, rules)
    if topics:
        found += _surges(counts, topic_negative, topics, rules)

    found = [f for f in found if not in_cooldown(last_alert, (f.rule, f.brand, f.location, f.topic), as_of, rules)]
    dropping = {(f.brand, f.location) for f in found if f.rule == RULE_SENTIMENT_DROP}
    return [
        f for f in found
        if f.rule == RULE_SENTIMENT_DROP
        or ((f.brand, f.location) not in dropping
            and not in_cooldown(last_alert, (RULE_SENTIMENT_DROP, f.brand, f.location, None), as_of, rules))
    ]  # fmt: skip


def _drops(counts: DailyCounts, rules: AlertRules) -> list[Finding]:
    def fired(located: list[int]) -> tuple[DropScan, BoolArray]:
        scan = scan_drops(
            _without(counts, located), recent_days=rules.recent_days, baseline_days=rules.baseline_days,
            min_mentions=rules.min_mentions, min_drop=rules.min_drop, prior=rules.prior_mentions,
        )  # fmt: skip
        return scan, scan.z >= rules.threshold

    result, hits = _beyond_locations(counts, fired)
    as_of = counts.end
    out = []
    for i in np.flatnonzero(hits):
        brand, location = counts.scopes[i]
        recent_start = as_of - timedelta(days=int(result.recent_days[i]) - 1)
        out.append(
            Finding(
                RULE_SENTIMENT_DROP, brand, location, None, recent_start, as_of,
                as_of - timedelta(days=rules.recent_days + rules.baseline_days - 1), recent_start - timedelta(days=1),
                int(result.recent_n[i]), int(result.baseline_n[i]), float(result.recent_mean[i]),
                float(result.baseline_mean[i]), float(result.z[i]),
            )
        )  # fmt: skip
    return out


def _beyond_locations(counts: DailyCounts, rule: Callable[[list[int]], tuple[_T, BoolArray]]) -> tuple[_T, BoolArray]:
    """``rule([])`` on every scope, a brand's hit kept only where ``rule(located)`` (the brand without
    its ``located`` rows that fired) still fires: else those locations' alerts explain it."""
    result, hits = rule([])
    located = [i for i, (_, loc) in enumerate(counts.scopes) if loc is not None and hits[i].any()]
    if located:
        _, rest = rule(located)
        brand_rows = np.array([loc is None for _, loc in counts.scopes]).reshape((-1,) + (1,) * (hits.ndim - 1))
        hits = hits & (~brand_rows | rest)
    return result, hits


def _minus(array: FloatArray, brand_of: npt.NDArray[np.int64], located: list[int]) -> FloatArray:
    """``array`` (scopes first) with the rows ``located`` taken out of their brands' rows."""
    if not located:
        return array
    out = array.copy()
    for i in located:
        out[brand_of[i]] -= array[i]
    return out


def _without(counts: DailyCounts, located: list[int]) -> DailyCounts:
    if not located:
        return counts
    m, n, s, q = (_minus(a, counts.brand_of, located) for a in (counts.mentions, counts.negative, counts.score_sum,
                                                                counts.score_sq))  # fmt: skip
    return DailyCounts(counts.scopes, counts.end, m, n, s, q, counts.brand_of)


def _count_finding(
    rule: str, scope: Scope, topic: str | None, found: Surge, i: int | tuple[int, int], as_of: date, rules: AlertRules
) -> Finding:
    days = int(found.days[i])
    recent_start = as_of - timedelta(days=days - 1)
    baseline_end = as_of - timedelta(days=(SURGE_DAYS if rule == RULE_TOPIC_SURGE else SPIKE_DAYS))
    return Finding(
        rule, scope[0], scope[1], topic, recent_start, as_of,
        baseline_end - timedelta(days=rules.baseline_days - 1), baseline_end,
        int(found.observed[i]), round(float(found.baseline[i])), float(found.observed[i]) / days,
        float(found.expected[i]) / days, float(found.score[i]),
    )  # fmt: skip


def _spikes(counts: DailyCounts, rules: AlertRules) -> list[Finding]:
    def fired(located: list[int]) -> tuple[Surge, BoolArray]:
        found = volume_spikes(_without(counts, located), recent_days=SPIKE_DAYS, baseline_days=rules.baseline_days,
                              min_count=rules.spike_min_negative)  # fmt: skip
        return found, found.score >= rules.spike_threshold

    found, hits = _beyond_locations(counts, fired)
    return [
        _count_finding(RULE_VOLUME_SPIKE, counts.scopes[i], None, found, int(i), counts.end, rules)
        for i in np.flatnonzero(hits)
    ]


def _surges(counts: DailyCounts, topic_negative: FloatArray, topics: Sequence[str], rules: AlertRules) -> list[Finding]:
    def fired(located: list[int]) -> tuple[Surge, BoolArray]:
        found = topic_surges(
            _without(counts, located), _minus(topic_negative, counts.brand_of, located), recent_days=SURGE_DAYS,
            baseline_days=rules.baseline_days, min_count=rules.surge_min_negative,
        )  # fmt: skip
        return found, found.score >= rules.surge_threshold

    found, hits = _beyond_locations(counts, fired)
    return [
        _count_finding(RULE_TOPIC_SURGE, counts.scopes[i], topics[t], found, (int(i), int(t)), counts.end, rules)
        for i, t in zip(*np.nonzero(hits), strict=True)
    ]


# --- when an alert is over --------------------------------------------------------------------------

#: Recovery is judged on the last week.
RECOVERY_DAYS = 7


def recovery(
    alert: Mapping[str, Any], counts: DailyCounts, topic_negative: FloatArray, topics: Sequence[str], rules: AlertRules
) -> str | None:
    """Why ``alert`` (a stored row) is over on ``counts.end``, or None while it is not.

    A drop is over when the last week's mean score is back within ``min_drop`` of the baseline the alert
    measured, on at least ``min_mentions`` mentions; a spike or surge when the last week's negative
    mentions (about the topic) are at most twice what the alert's baseline rate predicts, or two more.
    An emerging theme (which no count follows) is over after ``2 * RECOVERY_DAYS`` days; if it goes on, the
    rule raises it again after its cool-down. A scope no longer watched, or a topic no longer read, is left
    open."""
    if alert["rule"] == RULE_EMERGING_THEME:
        age = (counts.end - alert["as_of"]).days
        return f"no new alert on this theme for {age} days" if age >= 2 * RECOVERY_DAYS else None
    scope = (str(alert["brand"]), alert["location"])
    if scope not in counts.scopes:
        return None
    row = counts.scopes.index(scope)
    week = slice(-RECOVERY_DAYS, None)
    if alert["rule"] == RULE_SENTIMENT_DROP:
        n = float(counts.mentions[row, week].sum())
        if n < rules.min_mentions:
            return None
        mean = float(counts.score_sum[row, week].sum()) / n
        baseline = float(alert["baseline_mean"])
        if mean < baseline - rules.min_drop:
            return None
        return f"mean score {mean:+.2f} over the last {RECOVERY_DAYS} days (n={int(n)}), baseline {baseline:+.2f}"
    if alert["rule"] == RULE_TOPIC_SURGE:
        if alert["topic"] not in topics:
            return None
        observed = float(topic_negative[row, week, list(topics).index(alert["topic"])].sum())
        what = f"negative mentions about {alert['topic']}"
    else:
        observed = float(counts.negative[row, week].sum())
        what = "negative mentions"
    expected = float(alert["baseline_mean"]) * RECOVERY_DAYS
    if observed > max(2 * expected, expected + 2):
        return None
    return f"{int(observed)} {what} over the last {RECOVERY_DAYS} days, {expected:.1f} expected"


# --- what an alert says ----------------------------------------------------------------------------


def make_alert(
    finding: Finding,
    as_of: date,
    recent: Sequence[WindowRow],
    topics: Sequence[TopicCounts] = (),
    sources: Sequence[Breakdown] = (),
    languages: Sequence[Breakdown] = (),
    quote_ids: set[str] | None = None,
) -> Alert:
    """The stored alert: numbers, the topics behind it, sources, languages and three quotes from
    ``recent`` (the scope's scored mentions of the recent window; with ``quote_ids``, only those)."""
    f = finding
    who = f"{f.location} ({f.brand})" if f.location else f.brand
    window = f"{f.recent_start}..{f.recent_end}"
    if f.rule == RULE_SENTIMENT_DROP:
        p = float(stats.norm.sf(f.strength))
        head = (
            f"Sentiment drop at {who}: mean score {f.baseline_value:+.2f} -> {f.recent_value:+.2f} over {window} "
            f"(n={f.n_recent}) against {f.baseline_start}..{f.baseline_end} (n={f.n_baseline}); z={f.strength:.1f}"
        )
        effect = f.baseline_value - f.recent_value
    else:
        p = 10.0 ** (-f.strength)
        what = "negative mentions" if f.rule == RULE_VOLUME_SPIKE else f"negative mentions about {f.topic}"
        expected = f.baseline_value * ((f.recent_end - f.recent_start).days + 1)
        head = (
            f"{'Volume spike' if f.rule == RULE_VOLUME_SPIKE else 'Topic surge'} at {who}: {f.n_recent} {what} "
            f"over {window}, {expected:.1f} expected from {f.baseline_start}..{f.baseline_end}; p={p:.1e}"
        )
        effect = f.n_recent - expected
    pool = [r for r in recent if quote_ids is None or r.mention_id in quote_ids]
    negative = [r for r in recent if r.label == "negative"]
    details: dict[str, Any] = {
        "strength": round(f.strength, 3),
        "share_negative_recent": round(len(negative) / len(recent), 4) if recent else None,
        "examples": quotes(pool),
        "sources": [b.as_dict() for b in sources],
        "languages": [b.as_dict() for b in languages],
    }
    if f.topic:
        details["topic"] = f.topic
    alert = Alert(
        id=f.id, rule=f.rule, scope=f.scope, brand=f.brand, location=f.location, as_of=as_of,
        recent_start=f.recent_start, recent_end=f.recent_end, baseline_start=f.baseline_start,
        baseline_end=f.baseline_end, n_recent=f.n_recent, n_baseline=f.n_baseline,
        recent_mean=round(f.recent_value, 4), baseline_mean=round(f.baseline_value, 4), effect=round(effect, 4),
        p_value=p, message=head + _where(sources, "sources") + _where(languages, "languages"), details=details,
        topic=f.topic,
    )  # fmt: skip
    return topics_behind(alert, topics) if f.rule != RULE_TOPIC_SURGE else alert


class Quotable(Protocol):
    """What a quote is taken from: a window row or a theme's mention."""

    @property
    def mention_id(self) -> str: ...
    @property
    def day(self) -> date: ...
    @property
    def text(self) -> str: ...
    @property
    def score(self) -> float: ...


def quotes(rows: Sequence[Quotable]) -> list[dict[str, Any]]:
    """The three most negative mentions with different texts, each in its original language."""
    seen: set[str] = set()
    out = []
    for r in sorted(rows, key=lambda r: (r.score, r.mention_id)):
        key = " ".join(r.text.lower().split())
        if key in seen:
            continue
        seen.add(key)
        out.append({"mention_id": r.mention_id, "day": r.day.isoformat(), "score": round(r.score, 3),
                    "text": r.text[:_QUOTE_CHARS]})  # fmt: skip
        if len(out) == _QUOTES:
            break
    return out


def _where(parts: Sequence[Breakdown], name: str) -> str:
    """``; sources: google (9 of 12 negative), ...`` for the two parts with most recent negatives."""
    top = sorted((b for b in parts if b.recent_negative), key=lambda b: (-b.recent_negative, b.key))[:2]
    if not top:
        return ""
    return f"; {name}: " + ", ".join(f"{b.key} ({b.recent_negative} of {b.recent} negative)" for b in top)


#: At most this many topics are named in an alert; each must have at least this many more negative
#: mentions in the recent window than the baseline's rate predicts.
_TOPICS_NAMED = 3
_MIN_EXCESS = 2.0


def topics_behind(alert: Alert, counts: Sequence[TopicCounts]) -> Alert:
    """The alert with the topics behind it: those whose negative mentions rose most above what the
    baseline's rate for that topic, scaled to the recent window's volume, predicts, with their share of
    the window's mentions before and after. "The score fell" tells a manager that something is wrong;
    "wait_time: 9 negative, 2 expected" tells them what."""
    scale = alert.n_recent / alert.n_baseline if alert.n_baseline else 0.0
    ranked = []
    for c in counts:
        expected = c.baseline_negative * scale
        if c.recent_negative - expected >= _MIN_EXCESS:
            ranked.append((c.recent_negative - expected, expected, c))
    ranked.sort(key=lambda item: (-item[0], item[2].topic))
    named = [
        {"topic": c.topic, "negative_recent": c.recent_negative, "mentions_recent": c.recent,
         "negative_expected": round(expected, 1), "negative_baseline": c.baseline_negative,
         "mentions_baseline": c.baseline,
         "share_negative_recent": round(c.recent_negative / alert.n_recent, 4) if alert.n_recent else None,
         "share_negative_baseline": round(c.baseline_negative / alert.n_baseline, 4) if alert.n_baseline else None}
        for _, expected, c in ranked[:_TOPICS_NAMED]
    ]  # fmt: skip
    if not named:
        return replace(alert, details={**alert.details, "topics": []})
    behind = ", ".join(
        f"{t['topic']} ({t['negative_recent']} negative mentions, {t['negative_expected']:.0f} expected)" for t in named
    )
    return replace(
        alert, message=f"{alert.message}; topics behind it: {behind}", details={**alert.details, "topics": named}
    )
