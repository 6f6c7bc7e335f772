"""Count surges: more negative mentions than a scope's own history leads to expect.

Two rules read counts rather than scores:

* **volume spike**: the negative mentions of the run's day (or of the last few days) against the
  scope's daily rate of negative mentions over the baseline, scaled by the weekday (a Saturday is
  busier than a Tuesday; the weekday pattern comes from the brand's mentions, where there are enough);
* **topic surge**: one topic's negative mentions over the last days against that topic's own rate.

Both scan the last ``recent_days`` windows ending on the run's day and keep the least likely one. The
count is tested against a negative binomial whose variance is the baseline's own (a scope whose days
already swing widely needs a bigger swing), never below Poisson. The threshold is on ``-log10`` of the
tail probability; since every window, scope and topic is looked at every night, it is set by the false
alarms measured on simulated nights without events (``bench/alerts.py``), not read as a p-value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from sentiment.alerts.counts import DailyCounts, FloatArray
from sentiment.alerts.drop import IntArray

#: Pseudo-days of a flat weekday pattern mixed into the estimate, so that a few weeks of a quiet brand
#: do not invent a weekday effect.
_WEEKDAY_PRIOR = 20.0
#: A rate never goes below this many mentions a day: a topic never complained about before is not
#: infinitely surprising after one complaint.
_RATE_FLOOR = 0.02
#: A volume spike is looked for in the last 1..SPIKE_DAYS days, a topic surge in the last 1..SURGE_DAYS.
SPIKE_DAYS = 3
SURGE_DAYS = 14


@dataclass(frozen=True, slots=True)
class Surge:
    """Per series: ``-log10`` of the tail probability of the most surprising window, its length in days,
    the negative mentions counted in it, the number expected, and those of the baseline it was judged by."""

    score: FloatArray
    days: IntArray
    observed: FloatArray
    expected: FloatArray
    baseline: FloatArray


def weekday_weights(counts: DailyCounts, baseline_days: int) -> FloatArray:
    """Per scope and column of ``counts``: the brand's relative volume on that column's weekday (mean 1
    over a week), from the ``baseline_days`` before the run's day."""
    brand = counts.mentions[counts.brand_of, :-1][:, -baseline_days:]
    days = brand.shape[1]
    weekday = (np.arange(days) - days) % 7  # days before the run's day, as weekdays counted from it
    per_day = brand.sum(axis=1) / max(days, 1)
    weights = np.ones((brand.shape[0], 7))
    for w in range(7):
        on = weekday == w
        expected = (on.sum() + _WEEKDAY_PRIOR) * per_day
        weights[:, w] = np.where(
            expected > 0, (brand[:, on].sum(axis=1) + _WEEKDAY_PRIOR * per_day) / np.maximum(expected, 1e-12), 1.0
        )
    weights /= weights.mean(axis=1, keepdims=True)
    columns = (np.arange(counts.days) - (counts.days - 1)) % 7
    return np.asarray(weights[:, columns], dtype=np.float64)


def scan_counts(
    negative: FloatArray, weights: FloatArray, *, recent_days: int, baseline_days: int, min_count: int
) -> Surge:
    """Scan ``negative`` (series x days, last column the run's day; ``weights`` the same shape, each
    day's expected share of volume) for a window of the last 1..``recent_days`` days that holds more
    than the baseline (the ``baseline_days`` before the longest window) predicts."""
    base = negative[:, -(recent_days + baseline_days) : -recent_days]
    base_w = weights[:, -(recent_days + baseline_days) : -recent_days]
    rate = np.maximum(base.sum(axis=1) / np.maximum(base_w.sum(axis=1), 1e-12), _RATE_FLOOR)
    days_seen = base.shape[1]
    per_day = base / np.maximum(base_w, 1e-12)
    dispersion = np.maximum(per_day.var(axis=1, ddof=1) / rate if days_seen > 1 else 1.0, 1.0)
    observed = np.cumsum(negative[:, ::-1], axis=1)[:, :recent_days]
    expected = rate[:, None] * np.cumsum(weights[:, ::-1], axis=1)[:, :recent_days]
    phi = dispersion[:, None]
    tail = np.where(
        phi > 1.0 + 1e-9,
        stats.nbinom.sf(observed - 1, expected / np.maximum(phi - 1, 1e-9), 1 / phi),
        stats.poisson.sf(observed - 1, expected),
    )
    score = np.where(observed >= min_count, -np.log10(np.maximum(tail, 1e-300)), 0.0)
    best = np.argmax(score, axis=1)
    rows = np.arange(score.shape[0])
    return Surge(
        score[rows, best], (best + 1).astype(np.int64), observed[rows, best], expected[rows, best], base.sum(axis=1)
    )


def volume_spikes(counts: DailyCounts, *, recent_days: int, baseline_days: int, min_count: int) -> Surge:
    """Per scope of ``counts``: the most surprising run of negative mentions ending on the run's day."""
    weights = weekday_weights(counts, baseline_days)
    return scan_counts(
        counts.negative, weights, recent_days=recent_days, baseline_days=baseline_days, min_count=min_count
    )


def topic_surges(
    counts: DailyCounts, topic_negative: FloatArray, *, recent_days: int, baseline_days: int, min_count: int
) -> Surge:
    """Per scope and topic (arrays scopes x topics): ``topic_negative`` is scopes x days x topics."""
    scopes, days, topics = topic_negative.shape
    weights = weekday_weights(counts, baseline_days)
    flat = topic_negative.transpose(0, 2, 1).reshape(scopes * topics, days)
    flat_w = np.repeat(weights, topics, axis=0)
    found = scan_counts(flat, flat_w, recent_days=recent_days, baseline_days=baseline_days, min_count=min_count)
    shape = (scopes, topics)
    return Surge(
        found.score.reshape(shape),
        found.days.reshape(shape),
        found.observed.reshape(shape),
        found.expected.reshape(shape),
        found.baseline.reshape(shape),
    )
