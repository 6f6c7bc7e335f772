"""The report page from a real DuckDB file: every number in its tables as computed by hand, nothing loaded
from the network, written atomically; the command's errors."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from lxml import html as lxml_html

from sentiment.cli import main
from sentiment.errors import StoreError
from sentiment.records import Alert, Score, SurveyResponse
from sentiment.report import gather, render, report_day, report_path, write_report
from sentiment.store import Store
from sentiment.text.prepare import prepare
from tests.helpers import mention, monitor
from tests.store.test_db import TZ

AS_OF = date(2026, 11, 30)
# (item, location, day of November or -day of October, score, stars, text, {topic: (label, aspect, confidence)})
PLAN = [
    ("k1", "Bella Kraków", 20, -0.6, 1.0, "We waited forty minutes for a flat white", {"wait_time": ("negative", -0.8, 0.9)}),
    ("k2", "Bella Kraków", 28, -0.2, 2.0, "The queue did not move for half an hour", {"wait_time": ("negative", -0.4, 0.5)}),
    ("k3", "Bella Kraków", 25, -0.4, None, "Slow again, twenty minutes for one cake", {"wait_time": ("negative", -0.6, 0.5)}),
    ("k0", "Bella Kraków", -20, 0.5, 5.0, "Quick service as always, in and out", {"wait_time": ("positive", 0.6, 0.9)}),
    ("b1", "Bella Berlin", 10, 0.8, 5.0, "Lovely cakes at fair prices in Berlin", {"price_value": ("positive", 0.5, 0.9)}),
    ("b0", "Bella Berlin", -10, 0.6, None, "A nice place for a morning coffee", {}),
    ("n1", None, 21, 0.9, None, "Nordbrew served me in two minutes flat", {"wait_time": ("positive", 0.5, 0.8)}),
]  # fmt: skip


def _store(path: Path) -> None:
    raw = []
    for item, location, day, _, stars, text, _ in PLAN:
        brand = "Nordbrew" if item.startswith("n") else "Bella Caffè"
        m = mention(item, f"{text}, long enough to keep", brand=brand, location=location, day=max(day, 1), rating=stars)
        raw.append(replace(m, published_at=datetime(2026, 10, -day, 12, tzinfo=UTC)) if day < 0 else m)
    mentions = prepare(raw, monitor=monitor(), salt="s").mentions
    by_item = {m.source_item_id: m.id for m in mentions}
    with Store(path) as store:
        store.insert_mentions(mentions, run_id="r", tz=TZ)
        store.activate_model("m", "v")
        store.insert_scores([Score(by_item[p[0]], "m", "v", "x", 0, 0, 0, p[3]) for p in PLAN], run_id="r")
        store.insert_topics(
            [
                (by_item[p[0]], "m", "v", "set", topic, confidence, label, aspect)
                for p in PLAN
                for topic, (label, aspect, confidence) in (p[6] or {"other": ("neutral", 0.0, 0.0)}).items()
            ],
            run_id="r",
        )
        alert = Alert(
            id="a-k", rule="sentiment_drop", scope="location", brand="Bella Caffè", location="Bella Kraków",
            as_of=date(2026, 11, 28), recent_start=date(2026, 11, 22), recent_end=date(2026, 11, 28),
            baseline_start=date(2026, 9, 1), baseline_end=date(2026, 11, 21), n_recent=3, n_baseline=4,
            recent_mean=-0.4, baseline_mean=0.5, effect=0.9, p_value=1e-6, message="Sentiment drop at Bella Kraków",
        )  # fmt: skip
        store.insert_alerts([alert], run_id="r", model=("m", "v"))
        store.insert_survey_responses(
            [SurveyResponse(f"s{i}", "nps", "Bella Caffè", "Bella Kraków", date(2026, 11, 5), nps=n)
             for i, n in enumerate((10, 9))]
        )  # fmt: skip
        store.start_run("run-1", as_of=AS_OF, config_sha256="x")
        store.record_source_run("run-1", "feed", status="ok", pages=1, fetched=9, new=7, skipped={}, error=None)
        store.finish_run("run-1", status="ok", stats={"fetched": 9, "new_mentions": 7, "scored": 7})


def _numbers(page: str) -> dict[tuple[str, str], str]:
    tree = lxml_html.fromstring(page)
    return {(e.get("data-metric"), e.get("data-key") or ""): e.text_content() for e in tree.xpath("//*[@data-metric]")}


def test_every_number_on_the_page_as_computed_by_hand(tmp_path: Path) -> None:
    _store(tmp_path / "m.duckdb")
    with Store(tmp_path / "m.duckdb", read_only=True) as store:
        assert report_day(store, date(2027, 1, 1)) == AS_OF  # the last run's day
        page = render(gather(store, monitor(), AS_OF))
    n = _numbers(page)
    krakow, berlin = "Bella Caffè|Bella Kraków", "Bella Caffè|Bella Berlin"
    # Kraków, last four weeks: -0.6, -0.2, -0.4 (mean -0.40) against +0.5 before; stars 1 and 2; one open alert.
    assert [n["leaderboard-" + k, krakow] for k in ("score", "change", "mentions", "stars", "alerts")] == [
        "-0.40", "-0.90", "3", "1.5", "1"
    ]  # fmt: skip
    assert [n["leaderboard-" + k, berlin] for k in ("score", "change", "mentions", "stars", "alerts")] == [
        "+0.80", "+0.20", "1", "5.0", "0"
    ]  # fmt: skip
    # Tiers: Kraków has an open alert (act now); Berlin too few mentions (watch).
    assert [n["cohort-size", t] for t in ("healthy", "steady", "watch", "at risk", "act now")] == [
        "0",
        "0",
        "1",
        "0",
        "1",
    ]
    # Brands: Bella 4 of 5 mentions, mean (-0.6 - 0.2 - 0.4 + 0.8) / 4; Nordbrew the fifth.
    assert [n["brand-" + k, "Bella Caffè"] for k in ("mentions", "share", "score")] == ["4", "80.0%", "-0.10"]
    assert [n["brand-" + k, "Nordbrew"] for k in ("mentions", "share", "score")] == ["1", "20.0%", "+0.90"]
    # Kraków's wait time: (-0.8 - 0.4 - 0.6) / 3 against +0.6 before, and its most telling complaint.
    key = "Bella Caffè|Bella Kraków|wait_time"
    assert (n["moved-score", key], n["moved-change", key]) == ("-0.60", "-1.20")
    assert "“We waited forty minutes for a flat white, long enough to keep”" in page
    # The survey glows (NPS 10 and 9: +1.00) while November's reviews there read -0.40.
    assert (n["gap-survey", "Bella Caffè|Bella Kraków|2026-11"], n["gap-public", "Bella Caffè|Bella Kraków|2026-11"]) == (
        "+1.00", "-0.40"
    )  # fmt: skip
    assert (n["run-status", ""], n["run-fetched", ""], n["run-new", ""]) == ("ok", "9", "7")
    # The four charts have their specs, and the page loads nothing from anywhere.
    tree = lxml_html.fromstring(page)
    specs = json.loads(tree.xpath("//script[@id='chart-specs']")[0].text)
    assert sorted(specs) == ["brands", "heatmap", "timeline-0", "topics-by-brand"]
    assert tree.xpath("//*[@src] | //link | //style[contains(., '@import')]") == []
    assert len(tree.xpath("//script[not(@src)]")) == 3


def test_an_empty_store_gives_a_page_that_says_so(tmp_path: Path) -> None:
    with Store(tmp_path / "m.duckdb") as store:
        page = render(gather(store, monitor(), AS_OF))
    assert "No scored mentions in these 90 days." in page
    assert "No own location has scored mentions" in page and "No run on record on or before 2026-11-30." in page
    assert _numbers(page) == {}


def test_the_report_is_replaced_atomically_and_an_unwritable_place_is_named(tmp_path: Path) -> None:
    _store(tmp_path / "m.duckdb")
    out = report_path(tmp_path / "m.duckdb")
    assert out == tmp_path / "m.report.html"
    out.write_text("yesterday's report")
    with Store(tmp_path / "m.duckdb", read_only=True) as store:
        write_report(store, monitor(), out)
        assert "Sentiment report · Monday 30 November 2026" in out.read_text(encoding="utf-8")
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("m.report")] == ["m.report.html"]
        (tmp_path / "file").write_text("x")
        with pytest.raises(StoreError, match=r"cannot write the report '.*file/r\.html'"):
            write_report(store, monitor(), tmp_path / "file" / "r.html")


def test_the_command_names_a_bad_day_and_a_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text(yaml.safe_dump({"database": str(tmp_path / "m.duckdb"), "brands": [{"name": "Bella Caffè"}]}))
    with pytest.raises(SystemExit):
        main(["report", "--config", str(config), "--as-of", "30.11.2026"])
    assert "'30.11.2026' is not a day; allowed: YYYY-MM-DD" in capsys.readouterr().err
    assert main(["report", "--config", str(config)]) == 2
    assert "report: no database at" in capsys.readouterr().err
    _store(tmp_path / "m.duckdb")
    assert main(["report", "--config", str(config), "--as-of", "2026-11-30", "--out", str(tmp_path / "r.html")]) == 0
    assert json.loads(capsys.readouterr().out)["report"] == str(tmp_path / "r.html")
    assert "Bella Caffè" in (tmp_path / "r.html").read_text(encoding="utf-8")
