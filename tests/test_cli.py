"""The command line, run as a user runs it (a subprocess of the installed entry point)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sentiment.cli import main

REPO = Path(__file__).resolve().parents[1]
SENTIMENT = str(Path(sys.executable).with_name("sentiment"))


def test_sources_parse_prints_mentions_and_page_summary(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = shared_data / "recipe-review-pages/pages/allrecipes.com/allrecipescurated.html"
    expected = json.loads(page.with_name("allrecipescurated.expected.json").read_text())
    assert main(["sources", "parse", "--kind", "review_page", "--file", str(page), "--summary"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["rating_value"], summary["rating_count"]) == (expected["ratings"], expected["ratings_count"])
    assert summary["item_name"] == "Four Cheese Margherita Pizza" and summary["mentions"] == 10
    assert (
        main(["sources", "parse", "--kind", "review_page", "--file", str(page), "--url", "https://allrecipes.com/x"])
        == 0
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 10
    assert set(lines[0]) >= {"source_id", "url", "author_hash", "published_at", "rating", "title", "text"}
    assert lines[1]["published_at"] == "2024-03-01T23:02:55.425000+00:00" and lines[1]["rating"] == 4.0
    assert all(len(item["author_hash"]) == 20 for item in lines)


def test_sources_parse_reads_a_saved_mastodon_timeline(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = shared_data / "social-api-payloads/mastodon/timelines_public.json"
    args = ["sources", "parse", "--kind", "mastodon", "--file", str(saved), "--url", "https://mastodon.example/tags/x"]
    assert main(args) == 0
    assert len(capsys.readouterr().out.splitlines()) == 20


def test_bad_input_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    run = subprocess.run(
        [SENTIMENT, "sources", "parse", "--kind", "tiktok", "--file", str(REPO / "README.md")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 2
    assert "unknown source kind 'tiktok'; allowed: ['article', 'bluesky'," in run.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("brands: []\n")
    run = subprocess.run([SENTIMENT, "config", "check", str(bad)], capture_output=True, text=True)
    assert run.returncode == 2
    assert "brands: List should have at least 1 item" in run.stderr
    assert "Traceback" not in run.stderr


def test_config_check_accepts_the_demo_config(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SENTIMENT_DEMO_BASE_URL", "http://127.0.0.1:8765")
    monkeypatch.setenv("SENTIMENT_DEMO_CHAT_URL", "mmost://127.0.0.1:9/demo-hook")
    monkeypatch.setenv(
        "SENTIMENT_DEMO_MAIL_URL", "mailto://127.0.0.1:9/cx@bella.example?from=monitor@bella.example&mode=insecure"
    )
    assert main(["config", "check", str(REPO / "examples/demo.yaml")]) == 0
    assert "ok — 2 brands, 6 locations, 8 sources, 2 channels, 14 topics" in capsys.readouterr().out


def test_config_check_reads_the_taxonomy_file_a_config_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text("brands: [{name: Acme}]\ntopics: {taxonomy: bank.yaml}\n", encoding="utf-8")
    assert main(["config", "check", str(config)]) == 2
    assert f"cannot read the topic taxonomy {tmp_path / 'bank.yaml'}" in capsys.readouterr().err
    (tmp_path / "bank.yaml").write_text(
        "version: 1\ntopics:\n  - {id: mortgage, name: Mortgages, description: Home loans and their rates.}\n",
        encoding="utf-8",
    )
    assert main(["config", "check", str(config)]) == 2  # a topic the shipped head was not fitted on
    assert "topics ['mortgage'] are configured but the topic head in " in capsys.readouterr().err
    (tmp_path / "bank.yaml").write_text(
        "version: 1\ntopics:\n  - {id: contact, name: Reaching a human, description: Whether customers reach anyone.}\n",
        encoding="utf-8",
    )
    assert main(["config", "check", str(config)]) == 0
    assert "ok — 1 brands, 0 locations, 0 sources, 0 channels, 1 topics" in capsys.readouterr().out
    config.write_text("brands: [{name: Acme}]\ntopics: {enabled: false}\n", encoding="utf-8")
    assert main(["config", "check", str(config)]) == 0
    assert "0 channels, topics off" in capsys.readouterr().out


CHECKED = """\
brands: [{name: Acme}]
topics: {enabled: false}
sources:
  - {name: typo, kind: revew_page, url: "https://a.example/r", brand: Acme}
  - {name: pages, kind: review_page, url: "https://a.example/p", brand: Acme, options: {max_pagez: 3}}
  - {name: quiet, kind: rss, url: "https://a.example/feed", brand: Acme, enabled: false, options: {max_pages: 2}}
  - {name: good, kind: review_page, url: "https://a.example/g", brand: Acme, options: {max_pages: 3}}
channels:
  - {name: ops, url_env: SENTIMENT_TEST_OPS_HOOK}
  - {name: chat, url_env: SENTIMENT_TEST_CHAT_HOOK}
"""


def test_config_check_reports_every_problem_the_run_would_meet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text(CHECKED, encoding="utf-8")
    monkeypatch.delenv("SENTIMENT_TEST_OPS_HOOK", raising=False)
    monkeypatch.setenv("SENTIMENT_TEST_CHAT_HOOK", "hooks.example/secret-token-123")
    assert main(["config", "check", str(config)]) == 2
    captured = capsys.readouterr()
    kinds = "['article', 'bluesky', 'file', 'hackernews', 'mastodon', 'reddit', 'review_page', 'rss', 'selector_page']"
    assert captured.err.splitlines() == [
        f"error: config {config} has 5 problem(s) the run would fail on:",
        f"  source 'typo': unknown kind 'revew_page'; allowed: {kinds}",
        "  source 'pages' (kind 'review_page'): option 'max_pagez': unknown option (got 3); "
        "allowed options: ['max_pages', 'next_selector']",
        "  source 'quiet' (kind 'rss'): option 'max_pages': unknown option (got 2); allowed options: ['match_brand']",
        "  channel 'ops': environment variable SENTIMENT_TEST_OPS_HOOK is not set; allowed: an http(s) URL in "
        "that variable",
        "  channel 'chat': environment variable SENTIMENT_TEST_CHAT_HOOK does not hold an http(s) URL",
    ]
    assert "secret-token" not in captured.err and captured.out == ""

    fixed = CHECKED.replace("revew_page", "review_page").replace("max_pagez", "max_pages")
    config.write_text(fixed.replace(", options: {max_pages: 2}", ""), encoding="utf-8")
    monkeypatch.setenv("SENTIMENT_TEST_OPS_HOOK", "https://hooks.example/ops")
    monkeypatch.setenv("SENTIMENT_TEST_CHAT_HOOK", "https://hooks.example/chat")
    assert main(["config", "check", str(config)]) == 0
    assert capsys.readouterr().out == f"{config}: ok — 1 brands, 0 locations, 4 sources, 2 channels, topics off\n"


@pytest.mark.slow
def test_model_predict_adds_topics_unless_told_not_to(tmp_path: Path) -> None:
    lines = tmp_path / "in.jsonl"
    lines.write_text(
        json.dumps({"id": "a", "text": "My refund still hasn't arrived after three weeks."}) + "\n", encoding="utf-8"
    )
    run = subprocess.run([SENTIMENT, "model", "predict", "--input", str(lines)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    (row,) = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(t["topic"], t["label"]) for t in row["topics"]] == [("returns_refunds", "negative")]
    # A taxonomy file naming some of the default topics reads only those.
    subset = tmp_path / "subset.yaml"
    subset.write_text(
        "version: 1\ntopics:\n  - {id: wait_time, name: Waiting, description: How long customers wait.}\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [SENTIMENT, "model", "predict", "--topics", str(subset), "--input", str(lines)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    (narrow,) = [json.loads(line) for line in run.stdout.splitlines()]
    assert [t["topic"] for t in narrow["topics"]] == ["other"]
    run = subprocess.run(
        [SENTIMENT, "model", "predict", "--no-topics", "--input", str(lines)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    (plain,) = [json.loads(line) for line in run.stdout.splitlines()]
    assert "topics" not in plain and plain["label"] == row["label"] == "negative"
