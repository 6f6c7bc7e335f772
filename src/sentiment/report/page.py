"""``sentiment report``: one self-contained HTML page of what the monitor knows on a day.

The page is gathered from the store's report queries (:mod:`sentiment.store.report_queries`) on the
published read copy, so every number on it is a query on the published views that anyone can rerun. Its
scripts (Vega, Vega-Lite and vega-embed, inlined from ``vl-convert``) and styles are in the file: it opens
offline, from a mail attachment or a shared drive.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import altair as alt
import jinja2
import vl_convert

from sentiment.config import MonitorConfig
from sentiment.errors import StoreError
from sentiment.report import charts
from sentiment.store import Store
from sentiment.store import report_queries as q
from sentiment.summary import fmt_number

#: How far back the timelines reach.
TIMELINE_DAYS = 90
#: How many moved topics the page quotes.
MOVED_TOPICS = 5


@dataclass(frozen=True, slots=True)
class Timeline:
    """One timeline chart: a brand, or ``overall`` (the own brands together)."""

    title: str
    brands: list[str]
    points: list[q.TimelinePoint]
    alerts: list[q.AlertMark]


@dataclass(frozen=True, slots=True)
class MovedTopic:
    """A topic at a location that moved most, with its most telling quotes."""

    cell: q.TopicCell
    negative: list[str]
    positive: list[str]


@dataclass(slots=True)
class Report:
    """Everything the page shows, gathered from the store for one day."""

    as_of: date
    generated_at: datetime
    own_brands: list[str]
    competitors: list[str]
    model: str | None
    baseline_days: int
    min_drop: float
    timelines: list[Timeline] = field(default_factory=list)
    leaderboard: list[tuple[q.LeaderboardRow, str]] = field(default_factory=list)
    cohorts: dict[str, list[q.LeaderboardRow]] = field(default_factory=dict)
    brands: list[q.BrandRow] = field(default_factory=list)
    topic_comparison: dict[str, dict[str, tuple[int, float]]] = field(default_factory=dict)
    heatmap: list[q.TopicCell] = field(default_factory=list)
    moved: list[MovedTopic] = field(default_factory=list)
    gaps: list[q.GapRow] = field(default_factory=list)
    run: q.RunRow | None = None


def report_day(store: Store, today: date) -> date:
    """The day a report is for by default: the last run's day (the night analysts last got), else ``today``."""
    return q.last_run_day(store) or today


def gather(store: Store, monitor: MonitorConfig, as_of: date) -> Report:
    """Run the report's queries for ``as_of``."""
    own = [b.name for b in monitor.brands if not b.competitor]
    rival = [b.name for b in monitor.brands if b.competitor]
    model = store.active_model()
    rules = monitor.alerts
    report = Report(
        as_of, datetime.now(UTC), own, rival, " ".join(model) if model else None, rules.baseline_days, rules.min_drop
    )
    groups = [(name, [name]) for name in own]
    if len(own) > 1:
        groups.insert(0, ("All own brands", own))
    for title, names in groups:
        points = q.sentiment_timeline(
            store, names, as_of, days=TIMELINE_DAYS, baseline_days=rules.baseline_days,
            min_mentions=rules.min_mentions, min_drop=rules.min_drop,
        )  # fmt: skip
        report.timelines.append(Timeline(title, names, points, q.alert_marks(store, names, as_of, TIMELINE_DAYS)))
    board = [row for row in q.location_leaderboard(store, as_of) if row.brand in own]
    report.leaderboard = [(row, q.tier(row)) for row in board]
    report.cohorts = {name: [row for row, t in report.leaderboard if t == name] for name in q.TIERS}
    report.brands = q.brand_comparison(store, as_of)
    report.topic_comparison = q.topic_comparison(store, as_of)
    report.heatmap = [c for c in q.topic_heatmap(store, as_of) if c.brand in own]
    for cell in q.topics_that_moved(report.heatmap, count=MOVED_TOPICS):
        quotes = {
            label: q.topic_quotes(store, cell.brand, cell.location, cell.topic, as_of, label)
            for label in ("negative", "positive")
        }
        report.moved.append(MovedTopic(cell, quotes["negative"], quotes["positive"]))
    report.gaps = q.reality_gaps(store, as_of)
    report.run = q.last_run(store, as_of)
    return report


@functools.cache
def _javascript() -> str:
    """Vega, Vega-Lite and vega-embed in one bundle (about 0.9 MB), for the Vega-Lite version altair writes."""
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    bundle: str = vl_convert.javascript_bundle("window.vegaEmbed = vegaEmbed;", vl_version=f"v{major}_{minor}")
    return bundle


def _script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``</script>`` can end it early)."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(
        signed=fmt_number,
        plain=lambda value: fmt_number(value, "{:.1f}"),
        percent=lambda value: fmt_number(value, "{:.1%}"),
    )
    return env


def render(report: Report) -> str:
    """The page's HTML."""
    specs: dict[str, charts.Spec] = {}
    for i, timeline in enumerate(report.timelines):
        specs[f"timeline-{i}"] = charts.timeline(timeline.points, timeline.alerts)
    if report.brands:
        order = [r.brand for r in report.brands]
        specs["brands"] = charts.brands(report.brands)
        if report.topic_comparison:
            specs["topics-by-brand"] = charts.topics_by_brand(report.topic_comparison, order)
    if report.heatmap:
        specs["heatmap"] = charts.heatmap(report.heatmap)
    template = _environment().from_string(resources.files("sentiment.report").joinpath("page.html.j2").read_text())
    return template.render(
        r=report, tiers=q.TIERS, tier_rule=q.TIER_RULE, window_days=q.WINDOW_DAYS, timeline_days=TIMELINE_DAYS,
        specs=specs, specs_json=_script_json(specs), javascript=_javascript(),
        better_worse=better_or_worse(report.topic_comparison),
    )  # fmt: skip


def better_or_worse(comparison: dict[str, dict[str, tuple[int, float]]]) -> list[tuple[str, str, str, float]]:
    """(topic, best brand, worst brand, spread) for the topics read for two brands or more, widest spread
    first: where one brand is read better than another."""
    out = []
    for topic, by_brand in comparison.items():
        if len(by_brand) < 2:
            continue
        ranked = sorted(by_brand.items(), key=lambda kv: (-kv[1][1], kv[0]))
        out.append((topic, ranked[0][0], ranked[-1][0], ranked[0][1][1] - ranked[-1][1][1]))
    return sorted(out, key=lambda row: (-row[3], row[0]))


def write_report(store: Store, monitor: MonitorConfig, out: Path, as_of: date | None = None) -> Path:
    """Gather and render the report and replace ``out`` atomically (a reader never sees half a page)."""
    day = as_of or report_day(store, datetime.now(monitor.tz).date())
    html = render(gather(store, monitor, day))
    tmp = out.with_name(out.name + ".tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, out)
    except OSError as err:
        if tmp.is_file():
            tmp.unlink()
        raise StoreError(f"cannot write the report {str(out)!r}: {err.strerror}; allowed: a file in a folder this "
                         "user can write") from None  # fmt: skip
    return out


def report_path(database: Path) -> Path:
    """Where the nightly run writes the report, beside the database and its read copy:
    ``monitor.duckdb`` -> ``monitor.report.html``."""
    return database.with_name(f"{database.stem}.report.html")
