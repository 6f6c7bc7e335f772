"""A crash mid-source loses nothing and duplicates nothing on the next run.

Two ways a night can break off inside a source, both against a local server and the real store:
- the connection drops in the middle of a later page (after the retries): the source keeps what it
  read but not its cursor, so the next night reads the missing page and stores only what was missing;
- the process is killed (SIGKILL) while a source is fetching: what earlier sources committed, with their
  cursors, survives in the DuckDB file, the interrupted source stored nothing, and the next night
  stores exactly the rest.

The stages are the nightly flow's own (``pipeline.fetch_source`` then ``pipeline.store_outcome``);
Prefect only wires them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import yaml

from sentiment.config import HttpSettings
from tests.sources.builders import BRAND, LOCATION, review, review_page
from tests.support.local_server import LocalServer, RecordedRequest, Reply

REPO = Path(__file__).resolve().parents[2]
HTML = {"Content-Type": "text/html; charset=utf-8"}

PAGES = {
    1: [review("Ann", "2026-03-03", "Great espresso", 5), review("Bob", "2026-03-02", "Slow service", 2)],
    2: [review("Cid", "2026-02-20", "Fine", 4), review("Dee", "2026-02-10", "Cold cup", 1)],
    3: [review("Eve", "2026-01-05", "Nice staff", 5), review("Fay", "2026-01-02", "Too loud", 2)],
}


class DroppedMidBody:
    """A chunked body whose connection drops after the first chunk, as when a proxy or the site dies."""

    def __iter__(self) -> Iterator[bytes]:
        yield b"<!doctype html><html><head>"
        raise ConnectionResetError("the test server drops the connection mid-body")


def night(config_path: str, day: str) -> None:
    """One night of the fetch and store stages for every configured source, in config order.

    Also run as a child process (``python -c``) by the test that kills it.
    """
    from sentiment import pipeline  # imported here: it loads torch, which collecting this file does not need
    from sentiment.config import load_config
    from sentiment.sources.http import HttpClient
    from sentiment.store import Store

    monitor = load_config(config_path)
    stats = pipeline.RunStats(run_id=f"night-{day}", as_of=date.fromisoformat(day))
    with Store(monitor.database) as store, HttpClient(monitor.http) as client:
        store.start_run(stats.run_id, as_of=stats.as_of, config_sha256="test")
        for source in monitor.sources:
            outcome = pipeline.fetch_source(source, monitor, store.cursor(source.name), client)
            pipeline.store_outcome(store, outcome, monitor, stats)
        pipeline.finish(store, stats)


def write_config(tmp_path: Path, server: LocalServer, http: HttpSettings, *paths: str) -> Path:
    data = {
        "database": str(tmp_path / "monitor.duckdb"),
        "brands": [{"name": BRAND, "locations": [{"name": LOCATION}]}],
        "sources": [
            {"name": f"reviews-{path.strip('/').split('/')[0]}", "kind": "review_page", "url": server.url(path),
             "brand": BRAND, "location": LOCATION}
            for path in paths
        ],
        "http": http.model_dump(),
    }  # fmt: skip
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def paged_site(
    server: LocalServer, prefix: str, pages: dict[int, list[dict[str, Any]]], broken: dict[int, Reply]
) -> None:
    """``{prefix}?page=N`` pages linked with rel=next; a page in ``broken`` gets that reply instead."""

    def handler(request: RecordedRequest) -> Reply:
        number = int(request.query.removeprefix("page=") or 1)
        if number in broken:
            return broken[number]
        following = f"{prefix}?page={number + 1}" if number < max(pages) else None
        return Reply(200, HTML, review_page(pages[number], next_href=following))

    server.route(prefix, handler)


def stored(database: Path) -> dict[str, Any]:
    """What the store holds: review texts per source (newest first), cursors, source runs, run statuses."""
    with duckdb.connect(str(database), read_only=True) as con:
        mentions = con.execute("SELECT source, text FROM mentions ORDER BY source, published_at DESC").fetchall()
        cursors = dict(con.execute("SELECT source, cursor FROM source_state").fetchall())
        runs = con.execute(
            "SELECT run_id, source, status, pages, fetched, new_mentions, skipped FROM source_runs ORDER BY run_id, source"
        ).fetchall()
        statuses = dict(con.execute("SELECT run_id, status FROM runs").fetchall())
    texts: dict[str, list[str]] = {}
    for source, text in mentions:
        texts.setdefault(source, []).append(text)
    return {
        "texts": texts,
        "cursors": {source: json.loads(cursor) for source, cursor in cursors.items()},
        "source_runs": [(*row[:6], json.loads(row[6])) for row in runs],
        "runs": statuses,
    }


def test_a_connection_dropped_on_page_3_is_made_good_the_next_night(
    local_server: LocalServer, fast_http: HttpSettings, tmp_path: Path
) -> None:
    broken = {3: Reply(200, HTML, DroppedMidBody())}
    paged_site(local_server, "/cafe/reviews", PAGES, broken)
    config = write_config(tmp_path, local_server, fast_http, "/cafe/reviews?page=1")
    database = tmp_path / "monitor.duckdb"

    night(str(config), "2026-03-10")
    after_first = stored(database)
    page_3_attempts = len([r for r in local_server.requests if r.query == "page=3"])
    broken.clear()  # the site is back
    night(str(config), "2026-03-11")
    after_second = stored(database)
    night(str(config), "2026-03-12")
    after_third = stored(database)

    # Night 1: pages 1-2 stored; page 3 dropped its connection on every attempt, and is counted.
    assert after_first["texts"] == {"reviews-cafe": ["Great espresso", "Slow service", "Fine", "Cold cup"]}
    assert after_first["cursors"] == {}  # not advanced past the unread page
    assert after_first["source_runs"] == [
        ("night-2026-03-10", "reviews-cafe", "ok", 2, 4, 4, {"connection": 1}),
    ]
    assert page_3_attempts == 1 + fast_http.max_retries
    # Night 2: all three pages read again; only page 3's two reviews are new.
    assert after_second["texts"]["reviews-cafe"] == [*after_first["texts"]["reviews-cafe"], "Nice staff", "Too loud"]
    assert after_second["source_runs"][-1] == ("night-2026-03-11", "reviews-cafe", "ok", 3, 6, 2, {})
    assert after_second["cursors"]["reviews-cafe"]["newest"] == "2026-03-03T00:00:00+00:00"
    # Night 3: the cursor now stops the walk at page 1, and nothing is stored twice.
    assert after_third["texts"] == after_second["texts"]
    assert after_third["source_runs"][-1] == ("night-2026-03-12", "reviews-cafe", "ok", 1, 0, 0, {})


def test_a_process_killed_mid_source_loses_nothing_and_duplicates_nothing(
    local_server: LocalServer, fast_http: HttpSettings, tmp_path: Path
) -> None:
    """The child process runs source A to the end (stored, cursor saved), then is killed with SIGKILL
    by the server when source B asks for its second page."""
    child: dict[str, int] = {}
    kills: list[int] = []

    def second_page_of_b(request: RecordedRequest) -> Reply:
        if not kills:  # the first time: the night's process dies while it waits for this answer
            kills.append(child["pid"])
            os.kill(child["pid"], signal.SIGKILL)
            return Reply(503)
        return Reply(200, HTML, review_page(PAGES[3]))

    paged_site(local_server, "/a/reviews", {1: PAGES[1]}, {})
    paged_site(local_server, "/b/reviews", {1: PAGES[2], 2: PAGES[3]}, {})
    local_server.route("/b/reviews?page=2", second_page_of_b)
    config = write_config(tmp_path, local_server, fast_http, "/a/reviews?page=1", "/b/reviews?page=1")
    database = tmp_path / "monitor.duckdb"

    script = f"from tests.sources.test_resume import night; night({str(config)!r}, '2026-03-10')"
    process = subprocess.Popen([sys.executable, "-c", script], cwd=REPO)
    child["pid"] = process.pid
    assert process.wait(timeout=300) == -signal.SIGKILL
    after_crash = stored(database)
    night(str(config), "2026-03-11")
    after_next = stored(database)

    # The crash: source A is complete and its cursor saved; B stored nothing and kept no cursor.
    assert kills == [process.pid]
    assert after_crash["texts"] == {"reviews-a": ["Great espresso", "Slow service"]}
    assert list(after_crash["cursors"]) == ["reviews-a"]
    assert after_crash["source_runs"] == [("night-2026-03-10", "reviews-a", "ok", 1, 2, 2, {})]
    assert after_crash["runs"] == {"night-2026-03-10": "running"}
    # The next night: A has nothing new (its cursor stops it at page 1), B stores all four of its reviews.
    assert after_next["texts"] == {
        "reviews-a": ["Great espresso", "Slow service"],
        "reviews-b": ["Fine", "Cold cup", "Nice staff", "Too loud"],
    }
    assert after_next["source_runs"][1:] == [
        ("night-2026-03-11", "reviews-a", "ok", 1, 0, 0, {}),
        ("night-2026-03-11", "reviews-b", "ok", 2, 4, 4, {}),
    ]
    # The killed night is closed by the next one, as interrupted.
    assert after_next["runs"] == {"night-2026-03-10": "interrupted", "night-2026-03-11": "ok"}
