"""Daily counts per scope: what every alert rule reads, from the store or from a simulation alike.

A scope is a brand or one of its locations. For each scope and day the rules need only four numbers:
scored mentions, mentions the model labelled negative, and the sum and the sum of squares of their
scores. Keeping the rules on these arrays (scopes x days, the last column being the run's day) lets the
nightly flow and ``bench/alerts.py`` run the very same functions: the flow fills the arrays from the
store with one query, the benchmark from simulated nights.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

Scope = tuple[str, str | None]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class DailyCounts:
    """Scopes x days arrays ending on ``end``; ``brand_of[i]`` is the row of scope ``i``'s brand
    (itself for a brand row), so a location can borrow strength from its brand."""

    scopes: tuple[Scope, ...]
    end: date
    mentions: FloatArray
    negative: FloatArray
    score_sum: FloatArray
    score_sq: FloatArray
    brand_of: npt.NDArray[np.int64]

    @property
    def days(self) -> int:
        return int(self.mentions.shape[1])

    def day(self, column: int) -> date:
        """The date of a column (negative columns count from the end)."""
        return self.end - timedelta(days=self.days - 1 - (column % self.days))

    def last(self, days: int) -> DailyCounts:
        """The same scopes over their last ``days`` days."""
        return DailyCounts(
            self.scopes,
            self.end,
            self.mentions[:, -days:],
            self.negative[:, -days:],
            self.score_sum[:, -days:],
            self.score_sq[:, -days:],
            self.brand_of,
        )


def from_daily_rows(
    rows: Iterable[tuple[str, str | None, date, int, int, float, float]],
    scopes: Sequence[Scope],
    end: date,
    days: int,
) -> DailyCounts:
    """Arrays from ``(brand, location, day, mentions, negative, score sum, score sum of squares)`` rows,
    one per brand, location and day (``Store.daily_counts``). A brand's row adds up all its mentions,
    located or not; rows of scopes not in ``scopes`` or days outside the window are ignored."""
    index = {scope: i for i, scope in enumerate(scopes)}
    shape = (len(scopes), days)
    arrays = [np.zeros(shape) for _ in range(4)]
    start = end - timedelta(days=days - 1)
    for brand, location, day, n, neg, s, s2 in rows:
        column = (day - start).days
        if not 0 <= column < days:
            continue
        targets = [index.get((brand, None))]
        if location is not None:
            targets.append(index.get((brand, location)))
        for row in targets:
            if row is None:
                continue
            for array, value in zip(arrays, (n, neg, s, s2), strict=True):
                array[row, column] += value
    brand_of = np.array([index.get((brand, None), i) for i, (brand, _) in enumerate(scopes)], dtype=np.int64)
    mentions, negative, score_sum, score_sq = arrays
    return DailyCounts(tuple(scopes), end, mentions, negative, score_sum, score_sq, brand_of)
