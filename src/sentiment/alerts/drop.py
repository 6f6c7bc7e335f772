"""The sentiment-drop scan: when did this scope's mean score step down, and is the step real?

Tonight's rule does not compare one fixed recent week with one fixed baseline. For every possible
change day in the last ``recent_days`` it compares the mentions since that day with all the mentions
before it in the window (``baseline_days`` more), and keeps the change day where the drop is most
significant: a generalised likelihood-ratio scan for a step in the mean. A sharp drop is seen after two
or three days of mentions, a small one once enough mentions have piled up, and neither waits for a
fixed window to fill with bad days.

A quiet location's baseline mean is uncertain; it is shrunk toward its brand's baseline by ``prior``
pseudo-mentions (locations of one brand resemble each other more than they differ), and so is its
variance. The statistic is a z-score; ``threshold`` is the z a scope must reach on a night. Because
the scan looks at many change days every night, the threshold is set by the false alarms it gives on
simulated nights without any event, not by a nominal p-value (``bench/alerts.py`` measures it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sentiment.alerts.counts import DailyCounts, FloatArray

IntArray = npt.NDArray[np.int64]
#: The smallest variance a scope's scores are assumed to have: a location whose baseline mentions all
#: carry the same score must not turn one different mention into an infinite z.
_VARIANCE_FLOOR = 0.02


@dataclass(frozen=True, slots=True)
class DropScan:
    """Per scope: the best change point's z (``-inf`` where no change day had enough mentions), the
    length of the recent part in days, its mention counts and means (baseline mean after shrinkage)."""

    z: FloatArray
    recent_days: IntArray
    recent_n: FloatArray
    baseline_n: FloatArray
    recent_mean: FloatArray
    baseline_mean: FloatArray

    @property
    def effect(self) -> FloatArray:
        return self.baseline_mean - self.recent_mean


def scan_drops(
    counts: DailyCounts, *, recent_days: int, baseline_days: int, min_mentions: int, min_drop: float, prior: float
) -> DropScan:
    """Scan each scope of ``counts`` (whose last column is the run's day) for a step down in mean score."""
    window = counts.last(recent_days + baseline_days)
    n, s, s2 = window.mentions, window.score_sum, window.score_sq
    recent = slice(None, None, -1)
    # recent_*[:, k - 1] sums the last k days, k = 1 .. recent_days
    rn = np.cumsum(n[:, recent], axis=1)[:, :recent_days]
    rs = np.cumsum(s[:, recent], axis=1)[:, :recent_days]
    total_n, total_s, total_s2 = n.sum(axis=1), s.sum(axis=1), s2.sum(axis=1)
    bn = total_n[:, None] - rn
    bs = total_s[:, None] - rs
    with np.errstate(divide="ignore", invalid="ignore"):
        own_mean = np.where(bn > 0, bs / bn, 0.0)
        brand = window.brand_of
        brand_mean = np.where(bn[brand] > 0, bs[brand] / bn[brand], own_mean)
        baseline_mean = (bs + prior * brand_mean) / (bn + prior)
        recent_mean = np.where(rn > 0, rs / rn, 0.0)
        variance = np.where(total_n > 1, (total_s2 - total_s**2 / np.maximum(total_n, 1)) / (total_n - 1), 0.0)
        brand_variance = np.where(total_n[brand] > 1, variance[brand], variance)
        pooled = (np.maximum(total_n - 1, 0) * variance + prior * brand_variance) / (np.maximum(total_n - 1, 0) + prior)
        pooled = np.maximum(pooled, _VARIANCE_FLOOR)
        se = np.sqrt(pooled[:, None] * (1.0 / rn + 1.0 / (bn + prior)))
        z = (baseline_mean - recent_mean) / se
    valid = (rn >= min_mentions) & (bn >= min_mentions) & (baseline_mean - recent_mean >= min_drop)
    z = np.where(valid, z, -np.inf)
    best = np.argmax(z, axis=1)
    rows = np.arange(z.shape[0])
    return DropScan(
        z=z[rows, best],
        recent_days=(best + 1).astype(np.int64),
        recent_n=rn[rows, best],
        baseline_n=bn[rows, best],
        recent_mean=recent_mean[rows, best],
        baseline_mean=baseline_mean[rows, best],
    )
