"""The backfill flow, killed mid-chunk and run again: the store ends as after one uninterrupted import.

``sentiment -v backfill`` runs as a real process (its own temporary Prefect API, the real model and topic
head, DuckDB) on a CSV export of the demo's reviews, 50 rows a chunk, scored 32 texts a batch. One
import runs through into a fresh database. Into another, an import is killed with SIGKILL after the
second chunk's first scoring batch is committed (its mentions stored, some scored, its progress not
recorded), and the same command is run again: it resumes after row 50, and the mentions, scores, topic
rows and progress must equal the uninterrupted import's. A third run finds the file done and adds nothing.
A review-page source's archive is read past the page limit its nights keep to.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from sentiment.demo.server import serve_sample_web
from sentiment.demo.site import load_sample_data

REPO = Path(__file__).resolve().parents[2]
ROWS = 130


def _export(path: Path) -> None:
    """The demo's Bella Caffè reviews as a CSV without ids (so the ids are hashes of the rows), plus a
    repeated row (kept twice: a second identical review), an empty text and a bad date."""
    reviews = [(loc.name, r) for brand in load_sample_data().brands[:1] for loc in brand.locations for r in loc.reviews]
    rows = [[loc, r.text, f"2026-{9 + r.day // 30:02d}-{1 + r.day % 28:02d}", r.author, r.rating] for loc, r in reviews]
    rows = rows[:ROWS]
    rows[7:7] = [rows[3], [rows[4][0], "", "2026-10-01", "x", 4], [rows[5][0], "ok", "not a date", "y", 4]]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["location", "review", "written", "author", "stars"])
        writer.writerows(rows)


def _config(tmp_path: Path, name: str, export: Path) -> Path:
    data = yaml.safe_load((REPO / "examples" / "demo.yaml").read_text(encoding="utf-8"))
    brand = data["sources"][0]["brand"]
    data["database"] = str(tmp_path / f"{name}.duckdb")
    data.pop("surveys")
    data["channels"] = []
    data["model"] = {"batch_size": 4}  # 32 texts per committed scoring batch
    data["sources"] = [
        {
            "name": "reviews-export",
            "kind": "file",
            "url": "file:///nowhere.csv",
            "brand": brand,
            "options": {
                "path": str(export),
                "columns": {
                    "text": "review",
                    "date": "written",
                    "author": "author",
                    "rating": "stars",
                    "location": "location",
                },
            },
        }
    ]
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PYTHONUNBUFFERED"] = "1"
    env["PREFECT_HOME"] = str(Path(os.environ.get("TMPDIR", "/tmp")) / f"prefect-backfill-{os.getpid()}")
    return env


def _backfill(config: Path, *, kill_after: tuple[str, int] | None = None) -> tuple[int, str]:
    """Run ``sentiment -v backfill``; with ``kill_after=(line, n)``, SIGKILL it at the n-th log line holding
    ``line``. Returns (exit code, log)."""
    command = [sys.executable, "-m", "sentiment.cli", "-v", "backfill", "--config", str(config),
               "--source", "reviews-export", "--chunk-rows", "50", "--json"]  # fmt: skip
    process = subprocess.Popen(
        command, env=_env(), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    lines: list[str] = []
    seen = 0
    for line in process.stdout:
        lines.append(line)
        if kill_after is not None and kill_after[0] in line:
            seen += 1
            if seen == kill_after[1]:
                process.send_signal(signal.SIGKILL)
                break
    rest, _ = process.communicate(timeout=600)
    return process.returncode, "".join(lines) + rest


def _result(log: str) -> dict[str, Any]:
    """The command's JSON result: its last line that is a JSON object (the temporary server logs after it)."""
    found: dict[str, Any] = json.loads(next(line for line in reversed(log.splitlines()) if line.startswith("{")))
    return found


def _rows(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    with duckdb.connect(str(database), read_only=True) as con:
        queries = {
            "mentions": "SELECT id, source_item_id, location, text, published_date, rating, duplicate_of FROM mentions "
            "ORDER BY id",
            "scores": "SELECT mention_id, label, round(score, 4) FROM scores ORDER BY 1",
            "topics": "SELECT mention_id, topic, label, round(score, 4) FROM mention_topics ORDER BY 1, 2",
            "progress": "SELECT file_sha256, source, rows_done, skipped, finished FROM backfill_progress",
        }
        return {name: con.execute(sql).fetchall() for name, sql in queries.items()}


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_a_backfill_killed_mid_chunk_resumes_to_the_same_rows(tmp_path: Path) -> None:
    export = tmp_path / "history.csv"
    _export(export)

    code, log = _backfill(_config(tmp_path, "clean", export))
    assert code == 0, log[-3000:]
    result = _result(log)
    # 130 reviews and the repeated row (a second, identical review) are stored; the two bad rows skipped.
    assert (result["status"], result["new_mentions"], result["skipped"]) == ("ok", ROWS + 1, {"empty_text": 1,
                                                                                               "bad_date": 1})  # fmt: skip
    assert result["files"][0]["rows"] == ROWS + 1 and result["files"][0]["resumed_at"] == 0
    clean = _rows(tmp_path / "clean.duckdb")
    assert len(clean["mentions"]) == ROWS + 1
    originals = sum(1 for m in clean["mentions"] if m[6] is None)
    assert len(clean["scores"]) == originals and originals >= ROWS - 1
    assert len({m for m, *_ in clean["topics"]}) == originals
    assert [p[2:] for p in clean["progress"]] == [(ROWS + 1, '{"empty_text": 1, "bad_date": 1}', True)]

    crashed = _config(tmp_path, "crashed", export)
    code, log = _backfill(crashed, kill_after=("scored 32 of", 2))  # chunk 2: stored, partly scored
    assert code == -signal.SIGKILL, log[-2000:]
    assert "rows 0-50 stored and scored" in log and "rows 50-100" not in log
    with duckdb.connect(str(tmp_path / "crashed.duckdb"), read_only=True) as con:
        assert con.execute("SELECT rows_done, finished FROM backfill_progress").fetchall() == [(50, False)]
        assert con.execute("SELECT count(*) FROM mentions").fetchone() == (100,)

    code, log = _backfill(crashed)
    assert code == 0, log[-3000:]
    assert "resuming after row 50" in log
    resumed = _result(log)
    assert (resumed["new_mentions"], resumed["files"][0]["resumed_at"]) == (ROWS + 1 - 100, 50)
    assert _rows(tmp_path / "crashed.duckdb") == clean
    with duckdb.connect(str(tmp_path / "crashed.duckdb"), read_only=True) as con:
        runs = con.execute("SELECT status FROM runs ORDER BY started_at").fetchall()
        assert runs == [("interrupted",), ("ok",)]
    with duckdb.connect(str(tmp_path / "crashed.read.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM mentions").fetchone() == (ROWS + 1,)

    code, log = _backfill(crashed)
    assert code == 0, log[-3000:]
    again = _result(log)
    assert (again["new_mentions"], again["scored"], again["files"][0]["already"]) == (0, 0, True)


def test_an_unknown_backfill_source_names_the_configured_ones(tmp_path: Path) -> None:
    export = tmp_path / "history.csv"
    _export(export)
    command = [sys.executable, "-m", "sentiment.cli", "backfill", "--config", str(_config(tmp_path, "x", export)),
               "--source", "no-such-source"]  # fmt: skip
    done = subprocess.run(command, env=_env(), cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "backfill source 'no-such-source' is not a configured source; allowed: ['reviews-export']" in done.stderr


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_web_sources_archive_is_read_past_the_nightly_page_limit(tmp_path: Path) -> None:
    """A review page source that reads 2 pages a night: its backfill reads every page of the location."""
    data = yaml.safe_load((REPO / "examples" / "demo.yaml").read_text(encoding="utf-8"))
    source = next(s for s in data["sources"] if s["kind"] == "review_page")
    source["options"] = {**source.get("options", {}), "max_pages": 2}
    data.update(database=str(tmp_path / "web.duckdb"), sources=[source], channels=[])
    data.pop("surveys")
    data["http"] = {"backoff_s": 0.05, "max_retries": 1, "timeout_s": 10, "allow_private_addresses": True}
    config = tmp_path / "web.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    sample = load_sample_data()
    with serve_sample_web(today=date(2026, 11, 23)) as web:
        location = next(loc for loc in sample.locations if source["url"].endswith(loc.path))
        env = _env() | {"SENTIMENT_DEMO_BASE_URL": web.base_url}
        command = [sys.executable, "-m", "sentiment.cli", "backfill", "--config", str(config), "--source",
                   source["name"], "--json"]  # fmt: skip
        done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = _result(done.stdout)
    assert location.page_count() > 2
    assert result["new_mentions"] == len(location.reviews)
    assert result["scored"] == len(location.reviews) - result["duplicates"]
    with duckdb.connect(str(tmp_path / "web.duckdb"), read_only=True) as con:
        assert con.execute("SELECT pages, fetched FROM source_runs").fetchall() == [
            (location.page_count(), len(location.reviews))
        ]
        assert con.execute("SELECT count(*) FROM source_state").fetchone() == (1,)  # the nightly cursor moved on
