"""The nightly flow end to end under Prefect: the sample web over real HTTP, the real model, DuckDB.

Run twice on the same day: the second run must add no mentions, scores, topics or alerts and send nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sentiment.demo.run import chat_url, mail_receiver, webhook_receiver
from sentiment.demo.server import serve_sample_web
from sentiment.demo.site import load_sample_data
from tests.flows.demo_night import TODAY, demo_config

REPO = Path(__file__).resolve().parents[2]


def _counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = ("mentions", "scores", "mention_topics", "alerts", "notifications", "runs")
        return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}  # type: ignore[index]
    finally:
        con.close()


@pytest.mark.slow
def test_nightly_flow_end_to_end_and_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness: None
) -> None:
    from flows.nightly import nightly

    sample = load_sample_data()
    # The press feed is read once per brand; each reading keeps the items that name its brand.
    n_reviews = len(sample.reviews)
    n_news = sum("Bella Caffè" in n.brands for n in sample.news) + sum(
        "Nordbrew Coffee" in n.brands for n in sample.news
    )
    n_dups = sum(1 for r in sample.reviews if r.duplicate_of)
    config = demo_config(tmp_path)
    with (
        serve_sample_web(today=TODAY) as web,
        webhook_receiver() as (hook, received),
        mail_receiver() as (mail_url, mails),
    ):
        monkeypatch.setenv("SENTIMENT_DEMO_BASE_URL", web.base_url)
        monkeypatch.setenv("SENTIMENT_DEMO_CHAT_URL", chat_url(hook))
        monkeypatch.setenv("SENTIMENT_DEMO_MAIL_URL", mail_url)
        first: dict[str, Any] = nightly(config_path=str(config), as_of=TODAY.isoformat())
        after_first = _counts(tmp_path / "monitor.duckdb")
        second: dict[str, Any] = nightly(config_path=str(config), as_of=TODAY.isoformat())
        after_second = _counts(tmp_path / "monitor.duckdb")

    # First night: everything new, the broken source counted and skipped, the others finished.
    assert first["status"] == "partial"
    assert (first["sources_ok"], first["sources_failed"]) == (8, 1)
    assert list(first["failed_sources"]) == ["broken-page"]
    assert first["skipped"] == {"http_404": 1, "no_brand_match": 22}
    assert first["fetched"] == n_reviews + n_news + 22  # 22 news entries the text stage's brand gate dropped
    assert first["new_mentions"] == n_reviews + n_news
    assert first["duplicates"] == n_dups
    assert first["scored"] == n_reviews + n_news - n_dups
    # Every scored original got its topics (at least one row each, "other" when none applies).
    assert first["topics"] >= first["scored"] and first["topics_error"] is None
    assert [(a["scope"], a["brand"], a["location"]) for a in first["new_alerts"]] == [
        ("location", "Bella Caffè", "Kraków Rynek")
    ]
    # The alert says what Kraków complains about: the demo's reviews there sour on rude staff, cold
    # coffee and waiting (and dirty tables, the fourth: an alert names three).
    message = first["new_alerts"][0]["message"]
    behind = message.partition("; topics behind it: ")[2]
    assert [part.split(" (")[0] for part in behind.split("), ")] == ["staff_attitude", "product_quality", "wait_time"]
    # Sent once to the Slack-format chat receiver and once by mail, both through apprise.
    assert first["notifications"] == 2
    assert len(received) == 1 and "Sentiment drop at Kraków Rynek (Bella Caffè)" in received[0]["text"]
    assert len(mails) == 1 and b"Krak" in mails[0]
    krakow = next(r for r in first["sentiment"] if r["location"] == "Kraków Rynek")
    assert krakow["mean_score_recent"] < 0 < krakow["mean_score_baseline"]
    assert after_first == {
        "mentions": n_reviews + n_news, "scores": n_reviews + n_news - n_dups, "mention_topics": first["topics"],
        "alerts": 1, "notifications": 2, "runs": 1,
    }  # fmt: skip
    # The Parquet export after publishing holds what the store holds.
    assert first["export"]["rows"]["mentions"] == n_reviews + n_news
    assert first["export"]["rows"]["scores"] == n_reviews + n_news - n_dups
    exported = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{tmp_path}/export/scores/**/*.parquet', hive_partitioning = true)"
    ).fetchall()
    assert exported == [(n_reviews + n_news - n_dups,)]

    # Where the night spent its time, stage by stage (bench/night.py reads these).
    stages = {"fetch", "text", "store", "surveys", "model", "scoring", "topics", "alerts", "notify", "publish",
              "aggregates", "export", "report"}  # fmt: skip
    assert set(first["timings"]) == stages - {"topics"}  # topics came in the scoring pass: no catch-up
    assert first["timings"]["scoring"] > first["timings"]["alerts"] > 0
    # And its memory: the process's peak when each stage ended, never falling, the model in it by scoring.
    peaks = [first["peak_rss_mb"][stage] for stage in ("model", "scoring", "alerts", "report")]
    assert set(first["peak_rss_mb"]) == set(first["timings"]) and peaks == sorted(peaks) and peaks[1] > 800

    # The analyst's report beside the read copy (tests/flows/test_report_flow.py opens it in a browser).
    assert first["report"] == {"path": str(tmp_path / "monitor.report.html")}
    assert (tmp_path / "monitor.report.html").stat().st_size > 500_000  # the charts' scripts are inlined

    # Second night, same day: nothing new anywhere, nothing sent again.
    assert (second["new_mentions"], second["scored"], second["topics"], second["notifications"]) == (0, 0, 0, 0)
    assert second["new_alerts"] == []
    assert [(a["location"], a["id"]) for a in second["open_alerts"]] == [("Kraków Rynek", first["new_alerts"][0]["id"])]
    assert after_second == {**after_first, "runs": 2}
    assert len(received) == 1 and len(mails) == 1

    # The published read copy carries the same data and the analyst views answer.
    read = duckdb.connect(str(tmp_path / "monitor.read.duckdb"), read_only=True)
    langs = read.execute("SELECT count(DISTINCT lang) FROM mentions").fetchall()[0][0]
    days = read.execute("SELECT count(DISTINCT day) FROM daily_sentiment").fetchall()[0][0]
    # Every SQL example in the README runs on it and returns rows.
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    queries = [q.strip() for block in re.findall(r"```sql\n(.*?)```", readme, re.S) for q in block.split(";")]
    queries = [q.replace("current_date", f"DATE '{TODAY}'") for q in queries if q]
    assert len(queries) == 6
    assert all(read.sql(q).fetchall() for q in queries)
    # The demo's survey was imported with the night, and Kraków, whose survey glows while its reviews sour,
    # has the largest reality gap of the current month.
    assert read.execute("SELECT count(*) FROM survey_responses").fetchall() == [(22,)]
    top = read.execute(
        "SELECT location, survey_score > 0.5, public_score < survey_score - 0.5 FROM reality_gap "
        f"WHERE month = DATE '{TODAY:%Y-%m}-01' ORDER BY gap DESC LIMIT 1"
    ).fetchall()
    assert top == [("Kraków Rynek", True, True)]
    read.close()
    assert langs >= 4
    assert days >= 55
