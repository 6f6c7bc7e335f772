"""The analyst report's queries (issue 13), in the store layer so that every number on the page is a
query on the published views that anyone can rerun.

Started with the location leaderboard; the report page itself (charts, cohorts, competitors, heat map,
quotes) is not built yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sentiment.store.db import Store

#: The leaderboard's window: the last four weeks, against the four weeks before.
WINDOW_DAYS = 28


@dataclass(frozen=True, slots=True)
class LeaderboardRow:
    """One location over the last ``WINDOW_DAYS`` days up to the report's day, against the same span before."""

    brand: str
    location: str
    mentions: int
    score: float | None
    score_before: float | None
    stars: float | None
    open_alerts: int

    @property
    def change(self) -> float | None:
        """The mean score's change against the four weeks before (``None`` without both)."""
        if self.score is None or self.score_before is None:
            return None
        return self.score - self.score_before


def location_leaderboard(store: Store, as_of: date) -> list[LeaderboardRow]:
    """Every location with scored mentions in the last eight weeks up to ``as_of``: its mentions, mean
    score and mean stars in the last four, its mean score in the four before, and its open alerts (not
    resolved, raised on or before ``as_of``); best score first, locations without recent mentions last."""
    start = as_of - timedelta(days=WINDOW_DAYS - 1)
    before = start - timedelta(days=WINDOW_DAYS)
    rows = store.con.execute(
        """
        WITH m AS (
            SELECT brand, location, published_date AS day, score, rating FROM scored_mentions
            WHERE score IS NOT NULL AND location IS NOT NULL AND published_date BETWEEN $before AND $as_of
        )
        SELECT brand, location,
               count(*) FILTER (WHERE day >= $start) AS mentions,
               avg(score) FILTER (WHERE day >= $start) AS score,
               avg(score) FILTER (WHERE day < $start) AS score_before,
               avg(rating) FILTER (WHERE day >= $start) AS stars,
               (SELECT count(*) FROM alerts a WHERE a.brand = m.brand AND a.location = m.location
                  AND a.resolved_on IS NULL AND a.as_of <= $as_of) AS open_alerts
        FROM m
        GROUP BY brand, location
        ORDER BY score DESC NULLS LAST, brand, location
        """,
        {"before": before, "start": start, "as_of": as_of},
    ).fetchall()
    return [LeaderboardRow(str(b), str(loc), int(n), s, sb, st, int(a)) for b, loc, n, s, sb, st, a in rows]
