"""The report a night writes, opened in headless Chromium (Debian's, driven by Playwright): the charts draw
their marks without a console error, and the page's numbers equal SQL over the published views."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sentiment.demo.run import chat_url, mail_receiver, webhook_receiver
from sentiment.demo.server import serve_sample_web
from tests.flows.demo_night import TODAY, demo_config
from tests.support.browser import browser_page

BELLA = "Bella Caffè"
KRAKOW = "Kraków Rynek"


def _marks(page: Any, chart: str, mark: str) -> int:
    """How many SVG items the chart drew for its marks of one kind (``symbol``, ``rect``, ``rule``)."""
    count: int = page.evaluate(
        "([chart, mark]) => [...document.querySelectorAll(`#${chart} svg g.mark-${mark}.role-mark`)]"
        ".reduce((n, g) => n + g.querySelectorAll(':scope > path, :scope > line').length, 0)",
        [chart, mark],
    )
    return count


@pytest.mark.slow
def test_the_nightly_report_draws_its_charts_and_matches_the_published_views(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness: None
) -> None:
    from flows.nightly import nightly

    config = demo_config(tmp_path)
    with serve_sample_web(today=TODAY) as web, webhook_receiver() as (hook, _), mail_receiver() as (mail_url, _):
        monkeypatch.setenv("SENTIMENT_DEMO_BASE_URL", web.base_url)
        monkeypatch.setenv("SENTIMENT_DEMO_CHAT_URL", chat_url(hook))
        monkeypatch.setenv("SENTIMENT_DEMO_MAIL_URL", mail_url)
        summary = nightly(config_path=str(config), as_of=TODAY.isoformat())
    report = Path(summary["report"]["path"])
    assert report == tmp_path / "monitor.report.html"

    errors: list[str] = []
    with browser_page() as page:
        page.on("console", lambda msg: errors.append(msg.text) if msg.type in ("error", "warning") else None)
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(report.as_uri())
        page.wait_for_selector("body[data-charts=drawn], body[data-charts=failed]", timeout=60_000)
        state = page.get_attribute("body", "data-charts")
        page.screenshot(path=str(tmp_path / "report.png"))
        drawn = {
            "days": _marks(page, "timeline-0", "symbol"), "volume": _marks(page, "timeline-0", "rect"),
            "alerts": _marks(page, "timeline-0", "rule"), "brand bars": _marks(page, "brands", "rect"),
            "brand dots": _marks(page, "brands", "symbol"), "topic dots": _marks(page, "topics-by-brand", "symbol"),
            "cells": _marks(page, "heatmap", "rect"),
        }  # fmt: skip
        shown = {
            (m, k): page.locator(f'[data-metric="{m}"]' + (f'[data-key="{k}"]' if k else "")).inner_text()
            for m, k in [
                ("leaderboard-score", f"{BELLA}|{KRAKOW}"), ("leaderboard-mentions", f"{BELLA}|{KRAKOW}"),
                ("brand-share", BELLA), ("gap-public", f"{BELLA}|{KRAKOW}|{TODAY:%Y-%m}"), ("run-fetched", ""),
            ]
        }  # fmt: skip
    assert (state, errors) == ("drawn", [])
    assert (tmp_path / "report.png").stat().st_size > 20_000

    read = duckdb.connect(str(tmp_path / "monitor.read.duckdb"), read_only=True)

    def one(sql: str) -> Any:
        params = {"today": TODAY, "start": TODAY - timedelta(days=27)}
        return read.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).fetchall()[0][0]

    four_weeks = "published_date BETWEEN $start AND $today AND score IS NOT NULL"
    own_topics = f"day BETWEEN $start AND $today AND topic <> 'other' AND brand = '{BELLA}' AND location IS NOT NULL"
    expected = {
        "days": one(f"SELECT count(DISTINCT day) FROM daily_brand_sentiment WHERE brand = '{BELLA}' "
                    "AND day BETWEEN $today - 89 AND $today"),
        "alerts": one(f"SELECT count(*) FROM alerts WHERE brand = '{BELLA}' AND as_of BETWEEN $today - 89 AND $today"),
        "brand bars": one(f"SELECT count(DISTINCT brand) FROM scored_mentions WHERE {four_weeks}"),
        "topic dots": one("SELECT count(DISTINCT (topic, brand)) FROM daily_topic_sentiment "
                          "WHERE day BETWEEN $start AND $today AND topic <> 'other'"),
        "cells": one(f"SELECT count(DISTINCT (location, topic)) FROM daily_topic_sentiment WHERE {own_topics}"),
    }  # fmt: skip
    expected |= {"volume": expected["days"], "brand dots": expected["brand bars"]}
    assert drawn == expected and expected["days"] > 40 and expected["alerts"] == 1 and expected["cells"] > 10

    krakow = f"brand = '{BELLA}' AND location = '{KRAKOW}'"
    assert shown == {
        ("leaderboard-score", f"{BELLA}|{KRAKOW}"): f"{one(f'SELECT avg(score) FROM scored_mentions WHERE {krakow} AND {four_weeks}'):+.2f}",
        ("leaderboard-mentions", f"{BELLA}|{KRAKOW}"): str(one(f"SELECT count(*) FROM scored_mentions WHERE {krakow} AND {four_weeks}")),
        ("brand-share", BELLA): f"{100 * one(f'SELECT avg((brand = $b)::INT) FROM scored_mentions WHERE {four_weeks}'.replace('$b', repr(BELLA))):.1f}%",
        ("gap-public", f"{BELLA}|{KRAKOW}|{TODAY:%Y-%m}"): f"{one(f'SELECT public_score FROM reality_gap WHERE {krakow} AND month = date_trunc($m, $today)'.replace('$m', repr('month'))):+.2f}",
        ("run-fetched", ""): str(one("SELECT fetched FROM runs ORDER BY started_at DESC LIMIT 1")),
    }  # fmt: skip
    read.close()
