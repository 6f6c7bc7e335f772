"""What a run reports at its end: sentiment per brand and per location, recent against before, the run's
counts and its alerts, as JSON (what the flow returns) and printed (what the command line shows).

The same numbers an analyst gets from the ``scored_mentions`` view, for the last week up to the run's
day and the four weeks before. The alert rules choose their own windows (a drop's recent part starts on
the day it began); each alert carries them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table

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


def sentiment_rows(store: Store, as_of: date) -> list[SentimentRow]:
    """Per brand (all mentions) then per location, recent window against baseline window."""
    w = windows(as_of)
    rows = store.sentiment_windows((w["rs"], w["re"]), (w["bs"], w["be"]))
    return sorted((SentimentRow(*r) for r in rows), key=lambda r: (r.brand, r.location or ""))


def open_alerts(store: Store, as_of: date) -> list[dict[str, Any]]:
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
        "timings": {stage: round(seconds, 3) for stage, seconds in stats.timings.items()},
        "peak_rss_mb": dict(stats.peak_rss_mb),
    }


console = Console(stderr=False, highlight=False, soft_wrap=True)


def fmt_number(value: float | None, pattern: str = "{:+.2f}") -> str:
    """A figure as the summary and the report print it: signed with two decimals by default, "–" for none."""
    return "–" if value is None else pattern.format(value)


def print_summary(summary: dict[str, Any], out: Console = console) -> None:
    """Per-brand and per-location sentiment, the run's counts, and the alerts it raised."""
    table = Table(title=f"Sentiment as of {summary['as_of']} (last 7 days vs the 28 before)")
    for col in ("brand", "location", "mentions 7d", "score 7d", "score before", "negative 7d", "stars 7d"):
        table.add_column(col, justify="left" if col in {"brand", "location"} else "right")
    for row in summary["sentiment"]:
        table.add_row(
            row["brand"],
            row["location"] or "(all)",
            str(row["mentions_recent"]),
            fmt_number(row["mean_score_recent"]),
            fmt_number(row["mean_score_baseline"]),
            fmt_number(row["share_negative_recent"], "{:.0%}"),
            fmt_number(row["mean_rating_recent"], "{:.1f}"),
        )
    out.print(table)
    skipped = ", ".join(f"{k}: {v}" for k, v in sorted(summary["skipped"].items())) or "none"
    out.print(
        f"Run {summary['run_id']} ({summary['status']}): fetched {summary['fetched']}, new {summary['new_mentions']}"
        f" (duplicates linked {summary['duplicates']}), scored {summary['scored']}, topics {summary['topics']},"
        f" skipped: {skipped}; sources ok {summary['sources_ok']}, failed {summary['sources_failed']}"
    )
    for name, error in summary["failed_sources"].items():
        out.print(f"  source {name} failed: {error}")
    if summary.get("topics_error"):
        out.print(f"  topic assignment failed (scores kept; the next run retries): {summary['topics_error']}")
    new_ids = {a["id"] for a in summary["new_alerts"]}
    if summary["new_alerts"]:
        out.print(f"[bold red]{len(summary['new_alerts'])} new alert(s):[/]")
        for alert in summary["new_alerts"]:
            out.print(f"  ALERT {alert['message']}")
    else:
        out.print("No new alerts.")
    older = [a for a in summary.get("open_alerts", []) if a["id"] not in new_ids]
    if older:
        out.print(f"{len(older)} alert(s) raised earlier this week (already sent, in cool-down):")
        for alert in older:
            out.print(f"  ALERT ({alert['as_of']}) {alert['message']}")
    out.print(f"Notifications sent: {summary['notifications']}")
    if "report" in summary:
        report = summary["report"]
        failed = f" [bold red]failed: {report['error']}[/]" if report.get("error") else ""
        out.print(f"Report: {report['path']}{failed}")
