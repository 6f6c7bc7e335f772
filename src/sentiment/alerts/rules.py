"""The sentiment-drop rule: a statistical statement, not a threshold on one noisy day.

For each own brand and each of its locations, the per-mention scores of a recent window (the last
``recent_days`` days up to the run's day) are compared with a baseline window (the ``baseline_days``
before it). An alert needs all of:

* at least ``min_mentions`` scored mentions in *each* window (a quiet location cannot alert on 3 posts);
* a drop of the mean score of at least ``min_drop`` (effect size on the [-1, 1] scale);
* a one-sided Welch t-test (recent < baseline) significant at ``alpha`` after a Holm-Bonferroni
  correction over every scope tested in the run, so 40 locations do not give 40 chances of a false alarm;
* no alert for the same scope within ``cooldown_days`` (a bad week pages once, not seven times).

The alert id derives from the rule, the scope and the recent window, so re-running a night finds the
same id and stores nothing new.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from statistics import fmean
from typing import Literal

from scipy import stats

from sentiment.config import AlertRules, MonitorConfig
from sentiment.records import Alert, TopicCounts

RULE_SENTIMENT_DROP = "sentiment_drop"
_QUOTES = 3
_QUOTE_CHARS = 220


@dataclass(frozen=True, slots=True)
class WindowRow:
    """One scored original mention inside the alert windows."""

    brand: str
    location: str | None
    day: date
    score: float
    mention_id: str
    text: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class Windows:
    recent_start: date
    recent_end: date
    baseline_start: date
    baseline_end: date


def windows(as_of: date, rules: AlertRules) -> Windows:
    recent_start = as_of - timedelta(days=rules.recent_days - 1)
    baseline_end = recent_start - timedelta(days=1)
    return Windows(recent_start, as_of, baseline_end - timedelta(days=rules.baseline_days - 1), baseline_end)


def alert_id(rule: str, brand: str, location: str | None, w: Windows) -> str:
    key = "\x1f".join([rule, brand, location or "", w.recent_start.isoformat(), w.recent_end.isoformat()])
    return hashlib.sha256(key.encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class _Test:
    brand: str
    location: str | None
    recent: list[WindowRow]
    baseline: list[WindowRow]
    p_value: float


def detect_drops(
    rows: Sequence[WindowRow],
    monitor: MonitorConfig,
    as_of: date,
    last_alert: Mapping[tuple[str, str | None], date] | None = None,
) -> list[Alert]:
    """Return the drop alerts for ``as_of``; ``last_alert`` gives each scope's last alert day (cool-down)."""
    rules = monitor.alerts
    w = windows(as_of, rules)
    last_alert = last_alert or {}
    tests: list[_Test] = []
    for brand in monitor.brands:
        if brand.competitor and not rules.include_competitors:
            continue
        scopes: list[str | None] = [None, *(loc.name for loc in brand.locations)]
        for location in scopes:
            mine = [r for r in rows if r.brand == brand.name and (location is None or r.location == location)]
            recent = [r for r in mine if w.recent_start <= r.day <= w.recent_end]
            baseline = [r for r in mine if w.baseline_start <= r.day <= w.baseline_end]
            if len(recent) < rules.min_mentions or len(baseline) < rules.min_mentions:
                continue
            p = _welch_less([r.score for r in recent], [r.score for r in baseline])
            tests.append(_Test(brand.name, location, recent, baseline, p))
    adjusted = _holm([t.p_value for t in tests])
    passed = [(t, p) for t, p in zip(tests, adjusted, strict=True) if _passes(t, p, rules)]
    dropping: set[tuple[str, str | None]] = {(t.brand, t.location) for t, _ in passed if t.location}
    alerts = []
    for test, p_adj in passed:
        if test.location is None and not _brand_drop_beyond(test, dropping, rules, len(tests)):
            continue
        last = last_alert.get((test.brand, test.location))
        if last is not None and (as_of - last).days < max(rules.cooldown_days, 1):
            continue
        alerts.append(_make_alert(test, w, as_of, p_adj))
    return alerts


def _effect(recent: list[WindowRow], baseline: list[WindowRow]) -> float:
    return fmean(r.score for r in baseline) - fmean(r.score for r in recent)


def _passes(test: _Test, p_adjusted: float, rules: AlertRules) -> bool:
    return _effect(test.recent, test.baseline) >= rules.min_drop and p_adjusted < rules.alpha


def _brand_drop_beyond(test: _Test, dropping: set[tuple[str, str | None]], rules: AlertRules, m: int) -> bool:
    """Whether a brand's drop still holds without its alerting locations (else those alerts explain it).

    The rest is tested with a Bonferroni factor over all tests of the run, the conservative choice.
    """
    rest_recent = [r for r in test.recent if (r.brand, r.location) not in dropping]
    rest_base = [r for r in test.baseline if (r.brand, r.location) not in dropping]
    if len(rest_recent) == len(test.recent):
        return True
    if len(rest_recent) < rules.min_mentions or len(rest_base) < rules.min_mentions:
        return False
    p = min(1.0, m * _welch_less([r.score for r in rest_recent], [r.score for r in rest_base]))
    return _effect(rest_recent, rest_base) >= rules.min_drop and p < rules.alpha


def _welch_less(recent: list[float], baseline: list[float]) -> float:
    """One-sided p-value that the recent mean is lower; 1.0 when the test is undefined (no variance)."""
    result = stats.ttest_ind(recent, baseline, equal_var=False, alternative="less")
    p = float(result.pvalue)
    if math.isnan(p):
        return 0.0 if fmean(recent) < fmean(baseline) and len(set(recent + baseline)) > 1 else 1.0
    return p


def _holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (monotone), in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def _share_negative(rows: list[WindowRow]) -> float:
    """Share of mentions the model labelled negative (as in the ``daily_sentiment`` view)."""
    return sum(1 for r in rows if r.label == "negative") / len(rows)


def _make_alert(test: _Test, w: Windows, as_of: date, p: float) -> Alert:
    recent_mean = fmean(r.score for r in test.recent)
    baseline_mean = fmean(r.score for r in test.baseline)
    effect = baseline_mean - recent_mean
    scope: Literal["brand", "location"] = "location" if test.location else "brand"
    who = f"{test.location} ({test.brand})" if test.location else test.brand
    neg_recent, neg_base = _share_negative(test.recent), _share_negative(test.baseline)
    worst = sorted(test.recent, key=lambda r: (r.score, r.mention_id))[:_QUOTES]
    daily: dict[str, list[float]] = {}
    for r in test.recent:
        daily.setdefault(r.day.isoformat(), []).append(r.score)
    message = (
        f"Sentiment drop at {who}: mean score {baseline_mean:+.2f} -> {recent_mean:+.2f} "
        f"over {w.recent_start}..{w.recent_end} (n={len(test.recent)}) against "
        f"{w.baseline_start}..{w.baseline_end} (n={len(test.baseline)}); negative share "
        f"{neg_base:.0%} -> {neg_recent:.0%}; p={p:.1e} (Holm-adjusted)"
    )
    return Alert(
        id=alert_id(RULE_SENTIMENT_DROP, test.brand, test.location, w),
        rule=RULE_SENTIMENT_DROP,
        scope=scope,
        brand=test.brand,
        location=test.location,
        as_of=as_of,
        recent_start=w.recent_start,
        recent_end=w.recent_end,
        baseline_start=w.baseline_start,
        baseline_end=w.baseline_end,
        n_recent=len(test.recent),
        n_baseline=len(test.baseline),
        recent_mean=round(recent_mean, 4),
        baseline_mean=round(baseline_mean, 4),
        effect=round(effect, 4),
        p_value=p,
        message=message,
        details={
            "share_negative_recent": round(neg_recent, 4),
            "share_negative_baseline": round(neg_base, 4),
            "daily_mean_recent": {d: round(fmean(v), 4) for d, v in sorted(daily.items())},
            "examples": [
                {"mention_id": r.mention_id, "day": r.day.isoformat(), "score": round(r.score, 3),
                 "text": r.text[:_QUOTE_CHARS]}
                for r in worst
            ],
        },
    )  # fmt: skip


#: At most this many topics are named in an alert; each must have at least this many more negative
#: mentions in the recent window than the baseline's rate predicts.
_TOPICS_NAMED = 3
_MIN_EXCESS = 2.0


def topics_behind(alert: Alert, counts: Sequence[TopicCounts]) -> Alert:
    """The alert with the topics behind its drop: those whose negative mentions rose most above what
    the baseline's rate for that topic, scaled to the recent window's volume, predicts. "The score fell"
    tells a manager that something is wrong; "wait_time: 9 negative, 2 expected" tells them what."""
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
         "mentions_baseline": c.baseline}
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
