"""What a run prints at its end: sentiment per brand and per location, recent against before.

The same numbers an analyst gets from the ``scored_mentions`` view, for the last week up to the run's
day and the four weeks before. The alert rules choose their own windows (a drop's recent part starts on
the day it began); each alert carries them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from sentiment.config import MonitorConfig
from sentiment.store import Store


@dataclass(frozen=True, slots=True)
class SentimentRow:
    brand: str
    location: str | None
    mentions_recent: int
    mean_score_recent: float | None
    mean_score_baseline: float | None
    share_negative_recent: float | None
    mean_rating_recent: float | None


RECENT_DAYS = 7
BASELINE_DAYS = 28


def windows(as_of: date) -> dict[str, date]:
    """The summary's recent week (``rs``..``re``) and the baseline before it (``bs``..``be``)."""
    recent_start = as_of - timedelta(days=RECENT_DAYS - 1)
    baseline_end = recent_start - timedelta(days=1)
    return {"rs": recent_start, "re": as_of, "bs": baseline_end - timedelta(days=BASELINE_DAYS - 1), "be": baseline_end}


_SQL = """
SELECT brand, {loc} AS location,
    count(*) FILTER (WHERE published_date BETWEEN $rs AND $re),
    avg(score) FILTER (WHERE published_date BETWEEN $rs AND $re),
    avg(score) FILTER (WHERE published_date BETWEEN $bs AND $be),
    avg(CASE WHEN label = 'negative' THEN 1.0 ELSE 0.0 END) FILTER (WHERE published_date BETWEEN $rs AND $re),
    avg(rating) FILTER (WHERE published_date BETWEEN $rs AND $re)
FROM scored_mentions
WHERE score IS NOT NULL AND brand IS NOT NULL {where}
GROUP BY ALL ORDER BY brand, location NULLS FIRST
"""


def sentiment_rows(store: Store, monitor: MonitorConfig, as_of: date) -> list[SentimentRow]:
    """Per brand (all mentions) then per location, recent window against baseline window."""
    params = windows(as_of)
    rows = store.con.execute(_SQL.format(loc="NULL::VARCHAR", where=""), params).fetchall()
    rows += store.con.execute(_SQL.format(loc="location", where="AND location IS NOT NULL"), params).fetchall()
    out = [SentimentRow(*r) for r in rows]
    return sorted(out, key=lambda r: (r.brand, r.location or ""))


def open_alerts(store: Store, monitor: MonitorConfig, as_of: date) -> list[dict[str, Any]]:
    """Alerts raised within the recent week: still worth showing on a night that raised none."""
    since = windows(as_of)["rs"]
    return [
        {"id": a["id"], "as_of": a["as_of"].isoformat(), "brand": a["brand"], "location": a["location"],
         "message": a["message"]}
        for a in store.alerts_since(since)
    ]  # fmt: skip


def run_summary(stats: Any, rows: list[SentimentRow], open_: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A JSON-ready summary of a run (what the flow returns and the CLI prints)."""
    return {
        "run_id": stats.run_id,
        "as_of": stats.as_of.isoformat(),
        "status": stats.status,
        **stats.as_row(),
        "failed_sources": dict(stats.failed_sources),
        "topics_error": stats.topics_error,
        "sentiment": [asdict(r) for r in rows],
        "new_alerts": [
            {"id": a.id, "scope": a.scope, "brand": a.brand, "location": a.location, "message": a.message}
            for a in stats.new_alerts
        ],
        "open_alerts": open_ or [],
    }
