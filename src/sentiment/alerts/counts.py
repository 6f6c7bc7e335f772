"""Daily counts per scope: what every alert rule reads, from the store or from a simulation alike.

A scope is a brand or one of its locations. For each scope and day the rules need only four numbers:
scored mentions, mentions the model labelled negative, and the sum and the sum of squares of their
scores. Keeping the rules on these arrays (scopes x days, the last column being the run's day) lets the
nightly flow and ``bench/alerts.py`` run the very same functions: the flow fills the arrays from the
store with one query, the benchmark from simulated nights.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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


def _cells(
    index: Mapping[Scope, int], start: date, days: int, brand: str, location: str | None, day: date
) -> list[tuple[int, int]]:
    """The (scope row, day column) cells a brand's or location's day adds to: the brand's row always,
    the location's too; none for a day outside the window or a scope not watched."""
    column = (day - start).days
    if not 0 <= column < days:
        return []
    rows = [index.get((brand, None))]
    if location is not None:
        rows.append(index.get((brand, location)))
    return [(row, column) for row in rows if row is not None]


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
    start = end - timedelta(days=days - 1)
    values = np.zeros((4, len(scopes), days))
    for brand, location, day, n, neg, s, s2 in rows:
        for row, column in _cells(index, start, days, brand, location, day):
            values[:, row, column] += (n, neg, s, s2)
    brand_of = np.array([index.get((brand, None), i) for i, (brand, _) in enumerate(scopes)], dtype=np.int64)
    mentions, negative, score_sum, score_sq = values
    return DailyCounts(tuple(scopes), end, mentions, negative, score_sum, score_sq, brand_of)


def from_topic_rows(
    rows: Iterable[tuple[str, str | None, date, str, int]],
    topics: Sequence[str],
    scopes: Sequence[Scope],
    end: date,
    days: int,
) -> FloatArray:
    """Scopes x days x ``topics`` from ``(brand, location, day, topic, negative mentions)`` rows
    (``Store.daily_topic_negative``), added up like :func:`from_daily_rows`; other topics are ignored."""
    index = {scope: i for i, scope in enumerate(scopes)}
    column_of = {topic: i for i, topic in enumerate(topics)}
    start = end - timedelta(days=days - 1)
    out = np.zeros((len(scopes), days, len(topics)))
    for brand, location, day, topic, n in rows:
        if topic not in column_of:
            continue
        for row, column in _cells(index, start, days, brand, location, day):
            out[row, column, column_of[topic]] += n
    return out
