"""The analyst report's queries (issue 13), in the store layer so that every number on the page is a
query on the published views that anyone can rerun.

Each function answers one part of the page (``sentiment.report``) for the report's day ``as_of``: the
timeline with its alert baseline band, the leaderboard and its health tiers, brands and topics side by side,
the topic heat map and its quotes, the survey gap and what the last run did.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sentiment.records import SourceRun
from sentiment.store.db import Store

#: The leaderboard's window: the last four weeks, against the four weeks before.
WINDOW_DAYS = 28


def _windows(as_of: date) -> tuple[date, date]:
    """The first days of the four weeks before and of the last four weeks up to ``as_of``."""
    start = as_of - timedelta(days=WINDOW_DAYS - 1)
    return start - timedelta(days=WINDOW_DAYS), start


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
    before, start = _windows(as_of)
    rows = store.con.execute(
        """
        WITH m AS (
            SELECT nullif(brand, '') AS brand, location, day, mentions, score_sum, rating_sum, rated
            FROM active_score_totals t WHERE location <> '' AND day BETWEEN $before AND $as_of
        )
        SELECT brand, location,
               coalesce(sum(mentions) FILTER (WHERE day >= $start), 0) AS mentions,
               sum(score_sum) FILTER (WHERE day >= $start) / sum(mentions) FILTER (WHERE day >= $start) AS score,
               sum(score_sum) FILTER (WHERE day < $start) / sum(mentions) FILTER (WHERE day < $start) AS score_before,
               sum(rating_sum) FILTER (WHERE day >= $start) / nullif(sum(rated) FILTER (WHERE day >= $start), 0)
                   AS stars,
               (SELECT count(*) FROM alerts a WHERE a.brand = m.brand AND a.location = m.location
                  AND a.resolved_on IS NULL AND a.as_of <= $as_of) AS open_alerts
        FROM m
        GROUP BY brand, location
        ORDER BY score DESC NULLS LAST, brand, location
        """,
        {"before": before, "start": start, "as_of": as_of},
    ).fetchall()
    return [LeaderboardRow(str(b), str(loc), int(n), s, sb, st, int(a)) for b, loc, n, s, sb, st, a in rows]


#: The five location-health tiers, best first, as customer-success teams sort accounts before a downturn.
TIERS = ("healthy", "steady", "watch", "at risk", "act now")
#: Below this many mentions in four weeks a location is neither called healthy nor, by its score, in need
#: of action: too few customers spoke.
MIN_MENTIONS = 5
HEALTHY_MENTIONS = 10
#: The rule, as the report prints it under the table; :func:`tier` applies it, first match wins.
TIER_RULE = (
    f"act now: an open alert, or at least {MIN_MENTIONS} mentions, a negative score and a fall of 0.3 or more; "
    f"at risk: at least {MIN_MENTIONS} mentions and a negative score or a fall of 0.2 or more; "
    f"watch: fewer than {MIN_MENTIONS} mentions, no earlier four weeks to compare with, a score under 0.3 "
    "or a fall of 0.1 or more; "
    f"healthy: at least {HEALTHY_MENTIONS} mentions, a score of 0.5 or more and no fall beyond 0.05; "
    "steady: the rest. Score: the mean sentiment score (-1 to +1) of the last four weeks; fall: against the "
    "four weeks before."
)


def tier(row: LeaderboardRow) -> str:
    """The location's health tier by :data:`TIER_RULE`."""
    change = row.change
    enough = row.mentions >= MIN_MENTIONS
    score = row.score if row.score is not None else 0.0
    if row.open_alerts or (enough and score < 0 and change is not None and change <= -0.3):
        return "act now"
    if enough and (score < 0 or (change is not None and change <= -0.2)):
        return "at risk"
    if not enough or change is None or score < 0.3 or change <= -0.1:
        return "watch"
    if row.mentions >= HEALTHY_MENTIONS and score >= 0.5 and change >= -0.05:
        return "healthy"
    return "steady"


@dataclass(frozen=True, slots=True)
class BrandRow:
    """One brand over the last four weeks: its mentions, its share of all brands' mentions (share of voice)
    and its mean score."""

    brand: str
    mentions: int
    share_of_voice: float
    score: float | None


def brand_comparison(store: Store, as_of: date) -> list[BrandRow]:
    """Every brand with scored original mentions in the last four weeks up to ``as_of``, most mentioned first."""
    _, start = _windows(as_of)
    rows = store.con.execute(
        """
        SELECT nullif(brand, '') AS brand, sum(mentions) AS mentions, sum(mentions) / sum(sum(mentions)) OVER () AS share,
               sum(score_sum) / sum(mentions) AS score
        FROM active_score_totals t
        WHERE day BETWEEN $start AND $as_of
        GROUP BY brand
        ORDER BY mentions DESC, brand
        """,
        {"start": start, "as_of": as_of},
    ).fetchall()
    return [BrandRow(str(b), int(n), float(share), s) for b, n, share, s in rows]


def topic_comparison(store: Store, as_of: date) -> dict[str, dict[str, tuple[int, float]]]:
    """topic -> brand -> (mentions, mean aspect score) over the last four weeks, from the daily topic view
    (mentions-weighted), ``other`` left out: where each brand is read better or worse than the others."""
    _, start = _windows(as_of)
    rows = store.con.execute(
        """
        SELECT topic, brand, sum(mentions) AS n, sum(mean_score * mentions) / sum(mentions) AS score
        FROM daily_topic_sentiment
        WHERE day BETWEEN $start AND $as_of AND topic <> 'other'
        GROUP BY topic, brand
        ORDER BY topic, brand
        """,
        {"start": start, "as_of": as_of},
    ).fetchall()
    out: dict[str, dict[str, tuple[int, float]]] = {}
    for topic, brand, n, score in rows:
        out.setdefault(str(topic), {})[str(brand)] = (int(n), float(score))
    return out


@dataclass(frozen=True, slots=True)
class TopicCell:
    """One topic at one location: mentions and mean aspect score over the last four weeks, and the mean
    aspect score of the four weeks before (``None`` when the topic was not read there then)."""

    brand: str
    location: str
    topic: str
    mentions: int
    score: float
    score_before: float | None

    @property
    def change(self) -> float | None:
        return None if self.score_before is None else self.score - self.score_before


def topic_heatmap(store: Store, as_of: date) -> list[TopicCell]:
    """Every (brand, location, topic) read in the last four weeks up to ``as_of``, ``other`` left out."""
    before, start = _windows(as_of)
    rows = store.con.execute(
        """
        SELECT brand, location, topic,
               sum(mentions) FILTER (WHERE day >= $start) AS n,
               sum(mean_score * mentions) FILTER (WHERE day >= $start) / sum(mentions) FILTER (WHERE day >= $start),
               sum(mean_score * mentions) FILTER (WHERE day < $start) / sum(mentions) FILTER (WHERE day < $start)
        FROM daily_topic_sentiment
        WHERE day BETWEEN $before AND $as_of AND topic <> 'other' AND location IS NOT NULL
        GROUP BY brand, location, topic
        HAVING sum(mentions) FILTER (WHERE day >= $start) > 0
        ORDER BY brand, location, topic
        """,
        {"before": before, "start": start, "as_of": as_of},
    ).fetchall()
    return [TopicCell(str(b), str(loc), str(t), int(n), float(s), sb) for b, loc, t, n, s, sb in rows]


def topics_that_moved(cells: list[TopicCell], count: int = 5, min_mentions: int = 3) -> list[TopicCell]:
    """The cells whose aspect score changed most against the four weeks before (either way), among those
    with at least ``min_mentions`` mentions in the last four weeks: what the report points at first."""
    moved = [c for c in cells if c.change is not None and c.mentions >= min_mentions]
    return sorted(moved, key=lambda c: (-abs(c.change or 0.0), c.brand, c.location, c.topic))[:count]


def topic_quotes(
    store: Store, brand: str, location: str | None, topic: str, as_of: date, label: str, count: int = 1
) -> list[str]:
    """The most telling ``label`` ("negative" or "positive") mentions about ``topic`` in the last four weeks,
    in their own language: the topic head's confidence times the strength of the aspect's score, highest first."""
    _, start = _windows(as_of)
    rows = store.con.execute(
        """
        SELECT m.text FROM active_topics t JOIN mentions m ON m.id = t.mention_id AND m.duplicate_of IS NULL
        WHERE t.topic = $topic AND t.label = $label AND m.brand = $brand
          AND ($location IS NULL OR m.location = $location) AND m.published_date BETWEEN $start AND $as_of
        ORDER BY t.confidence * abs(t.score) DESC, m.id
        LIMIT $count
        """,
        {"topic": topic, "label": label, "brand": brand, "location": location, "start": start, "as_of": as_of,
         "count": count},
    ).fetchall()  # fmt: skip
    return [str(text) for (text,) in rows]


def largest_reality_gaps(store: Store, count: int = 3) -> list[tuple[str, str, date, float, float]]:
    """(brand, location, month, survey score, public score) of the ``count`` largest gaps in the
    ``reality_gap`` view, largest first."""
    rows = store.con.execute(
        "SELECT brand, location, month, survey_score, public_score FROM reality_gap "
        "WHERE gap_rank <= ? ORDER BY gap_rank",
        [count],
    ).fetchall()
    return [(str(b), str(loc), m, float(s), float(p)) for b, loc, m, s, p in rows]


@dataclass(frozen=True, slots=True)
class TimelinePoint:
    """One day of a brand's (or several brands') mentions: the day's count and mean score, the mean of the
    seven days ending that day, and the alert baseline: the mean of the ``baseline_days`` before that week
    (``None`` under ``min_mentions``), with the band ``baseline ± min_drop`` that a week's mean must leave
    downwards before a drop alert is possible."""

    day: date
    mentions: int
    score: float
    score_7d: float
    baseline: float | None
    band_low: float | None
    band_high: float | None


def sentiment_timeline(
    store: Store,
    brands: Sequence[str],
    as_of: date,
    *,
    days: int = 90,
    baseline_days: int = 84,
    min_mentions: int = 5,
    min_drop: float = 0.15,
) -> list[TimelinePoint]:
    """The last ``days`` days up to ``as_of`` of the scored original mentions of ``brands`` together, one point
    per day with mentions (the seven-day mean and the baseline are mention-weighted)."""
    week, base = 6, int(baseline_days) + 6
    rows = store.con.execute(
        f"""
        WITH d AS (
            SELECT day, sum(mentions) AS n, sum(score_sum) AS s FROM active_score_totals t
            WHERE brand IN (SELECT unnest($brands)) AND day BETWEEN $first AND $as_of
            GROUP BY day
        ), w AS (
            SELECT day, n, s / n AS mean, sum(s) OVER wk / sum(n) OVER wk AS mean_7d,
                   sum(n) OVER bl AS n_base, sum(s) OVER bl / sum(n) OVER bl AS baseline
            FROM d
            WINDOW wk AS (ORDER BY day RANGE BETWEEN INTERVAL {week} DAY PRECEDING AND CURRENT ROW),
                   bl AS (ORDER BY day RANGE BETWEEN INTERVAL {base} DAY PRECEDING AND INTERVAL {week + 1} DAY PRECEDING)
        )
        SELECT day, n, mean, mean_7d, CASE WHEN n_base >= $min_mentions THEN baseline END
        FROM w WHERE day >= $start ORDER BY day
        """,
        {"brands": list(brands), "first": as_of - timedelta(days=days + base), "start": as_of - timedelta(days=days - 1),
         "as_of": as_of, "min_mentions": min_mentions},
    ).fetchall()  # fmt: skip
    return [
        TimelinePoint(
            d, int(n), float(s), float(s7), b,
            None if b is None else b - min_drop, None if b is None else b + min_drop,
        )
        for d, n, s, s7, b in rows
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class AlertMark:
    """An alert raised on ``day`` (its ``as_of``), for the timeline and the leaderboard."""

    day: date
    rule: str
    brand: str
    location: str | None
    message: str
    resolved_on: date | None


def alert_marks(store: Store, brands: Sequence[str], as_of: date, days: int = 90) -> list[AlertMark]:
    """The alerts on ``brands`` raised in the last ``days`` days up to ``as_of``, oldest first."""
    rows = store.con.execute(
        """
        SELECT as_of, rule, brand, location, message, CASE WHEN resolved_on <= $as_of THEN resolved_on END
        FROM alerts WHERE brand IN (SELECT unnest($brands)) AND as_of BETWEEN $start AND $as_of
        ORDER BY as_of, brand, location NULLS FIRST, rule
        """,
        {"brands": list(brands), "start": as_of - timedelta(days=days - 1), "as_of": as_of},
    ).fetchall()
    return [AlertMark(d, str(r), str(b), loc, str(m), res) for d, r, b, loc, m, res in rows]


@dataclass(frozen=True, slots=True)
class GapRow:
    """One location and month of the ``reality_gap`` view with both scores."""

    brand: str
    location: str
    month: date
    responses: int
    survey_score: float
    mentions: int
    public_score: float

    @property
    def gap(self) -> float:
        return self.survey_score - self.public_score


def reality_gaps(store: Store, as_of: date, months: int = 3) -> list[GapRow]:
    """The ``reality_gap`` rows with a public score in the last ``months`` months up to ``as_of``'s month,
    largest gap first."""
    first = (as_of.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    rows = store.con.execute(
        """
        SELECT brand, location, month, responses, survey_score, mentions, public_score FROM reality_gap
        WHERE public_score IS NOT NULL AND month BETWEEN $first AND $as_of
        ORDER BY gap DESC, brand, location, month
        """,
        {"first": first, "as_of": as_of},
    ).fetchall()
    return [GapRow(str(b), str(loc), m, int(r), float(s), int(n), float(p)) for b, loc, m, r, s, n, p in rows]


@dataclass(frozen=True, slots=True)
class RunRow:
    """The last run on or before the report's day, with its sources."""

    run_id: str
    status: str
    as_of: date
    started_at: datetime
    finished_at: datetime | None
    fetched: int
    new_mentions: int
    duplicates: int
    scored: int
    topics: int
    alerts: int
    notifications: int
    skipped: dict[str, int]
    error: str | None
    sources: list[SourceRun]


def last_run_day(store: Store) -> date | None:
    """The day of the newest finished run (``None`` before the first)."""
    row = store.con.execute("SELECT max(as_of) FROM runs WHERE status <> 'running'").fetchone()
    return row[0] if row else None


def last_run(store: Store, as_of: date) -> RunRow | None:
    """The newest run whose day is ``as_of`` or earlier (``None`` when none is)."""
    row = store.con.execute(
        """
        SELECT run_id, status, as_of, started_at, finished_at, fetched, new_mentions, duplicates, scored, topics,
               alerts, notifications, skipped, error
        FROM runs WHERE as_of <= ? ORDER BY as_of DESC, started_at DESC LIMIT 1
        """,
        [as_of],
    ).fetchone()
    if row is None:
        return None
    sources = store.con.execute(
        "SELECT source, status, pages, fetched, new_mentions, skipped, error FROM source_runs WHERE run_id = ? "
        "ORDER BY status = 'ok', source",
        [row[0]],
    ).fetchall()
    fetched, new, duplicates, scored, topics, alerts, notifications = (int(v or 0) for v in row[5:12])
    return RunRow(
        str(row[0]), str(row[1]), row[2], row[3], row[4], fetched, new, duplicates, scored, topics, alerts,
        notifications, _counts(row[12]), row[13],
        [SourceRun(str(s), str(st), int(p), int(f), int(n), _counts(sk), e) for s, st, p, f, n, sk, e in sources],
    )  # fmt: skip


def _counts(value: str | None) -> dict[str, int]:
    """A stored JSON object of skip reasons and counts."""
    return {str(k): int(v) for k, v in json.loads(value).items()} if value else {}
