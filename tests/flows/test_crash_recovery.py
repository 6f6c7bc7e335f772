"""Kill the nightly run at every stage, as an unlucky operator would, and check what the next run makes of it.

``sentiment -v run`` runs as a real process (its own temporary Prefect API, the real model, DuckDB) against
the sample web and a slow webhook on localhost. The test reads the run's log as it goes and sends SIGKILL
as soon as the run says it has entered a stage (a source fetched, a source stored, a batch scored with its
topics, alerts, notifications, publishing): six runs in a row, each killed one stage further, then one
run that completes. A kill between a batch's scores and its topic rows leaves mentions scored without
topics, which the next run's catch-up assigns. The database must then hold exactly the rows of one uninterrupted run into a fresh
database, no run may be left ``running``, the analysts' copy must open, and no process of the killed runs
(the temporary Prefect server included) may be left behind. The same log is checked for secrets at DEBUG.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from sentiment.demo.server import serve_sample_web
from tests.support.local_server import LocalServer, Reply

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)
SECRET = "hook-secret-4f9c2a"
#: Stage -> a line the run logs once it is inside that stage (with ``-v``).
STAGES = {
    "fetch": "source bella-krakow-reviews:",
    "store": "stored source",
    "scoring": "scored 32 of",
    "alerts": "alerts:",
    "notify": "notifying",
    "publish": "publishing the read copy",
}
SOURCES = ("bella-krakow-reviews", "bella-berlin-reviews", "coffee-press-feed")


def _config(tmp_path: Path, database: Path) -> Path:
    data = yaml.safe_load((REPO / "examples" / "demo.yaml").read_text(encoding="utf-8"))
    data["database"] = str(database)
    data["sources"] = [s for s in data["sources"] if s["name"] in SOURCES]
    data.pop("surveys")  # the stages under test are the night's fetch to publish; surveys have their own tests
    # a JSON webhook (the kind with an Idempotency-Key), slow to answer, so a kill can land mid-send
    data["channels"] = [{"name": "demo-webhook", "kind": "webhook", "url_env": "SENTIMENT_DEMO_WEBHOOK_URL"}]
    data["http"] = {"backoff_s": 0.05, "max_retries": 1, "timeout_s": 10, "allow_private_addresses": True}
    # Small batches (32 texts per committed batch) so that a kill lands between commits of a stage.
    data["model"] = {"batch_size": 4}
    path = tmp_path / f"{database.stem}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _env(web: str, hook: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"SENTIMENT_DEMO_BASE_URL": web, "SENTIMENT_DEMO_WEBHOOK_URL": hook, "PYTHONUNBUFFERED": "1"}
    env["PREFECT_HOME"] = str(Path(os.environ.get("TMPDIR", "/tmp")) / f"prefect-crash-{os.getpid()}")
    return env


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (read from /proc, so nothing outside the test is involved)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _run(
    config: Path, env: dict[str, str], *, kill_at: str | None = None, sig: int = signal.SIGKILL
) -> tuple[int, str]:
    """Run one night; with ``kill_at``, send ``sig`` when the log shows that stage. Returns (code, log)."""
    command = [sys.executable, "-m", "sentiment.cli", "-v", "run", "--config", str(config), "--as-of", str(TODAY)]
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    lines: list[str] = []
    family: set[int] = set()
    for line in process.stdout:
        lines.append(line)
        family |= _descendants(process.pid)
        if kill_at is not None and STAGES[kill_at] in line:
            family |= _descendants(process.pid)
            process.send_signal(sig)
            break
    rest, _ = process.communicate(timeout=300)
    code = process.returncode
    deadline = time.monotonic() + 20
    while any(_alive(p) for p in family) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = sorted(p for p in family if _alive(p))
    assert not left, f"processes left behind after {kill_at}: {left}"
    return code, "".join(lines) + rest


def _rows(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        queries = {
            "mentions": "SELECT id, source, brand, location, text, lang, published_date, rating, duplicate_of, "
            "truncated FROM mentions ORDER BY id",
            "scores": "SELECT mention_id, model_version, label, round(score, 4), truncated FROM scores ORDER BY 1",
            "topics": "SELECT mention_id, topic_set, topic, label, round(score, 4) FROM mention_topics ORDER BY 1, 3",
            "alerts": "SELECT id, brand, location, n_recent, n_baseline, round(recent_mean, 4) FROM alerts ORDER BY 1",
            "notifications": "SELECT alert_id, channel FROM notifications ORDER BY 1",
            "cursors": "SELECT source, cursor FROM source_state ORDER BY 1",
        }
        return {name: con.execute(sql).fetchall() for name, sql in queries.items()}
    finally:
        con.close()


@pytest.fixture
def web_and_hook() -> Iterator[tuple[str, LocalServer]]:
    with serve_sample_web(today=TODAY) as web, LocalServer() as hook:
        # Slow enough that a kill at "notifying" lands while the alert is on its way.
        hook.route("/hooks/alerts", Reply(204, delay_s=0.5), method="POST")
        yield web.base_url, hook


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_a_run_killed_at_every_stage_leaves_nothing_lost_duplicated_or_running(
    tmp_path: Path, web_and_hook: tuple[str, LocalServer]
) -> None:
    web, hook = web_and_hook
    env = _env(web, hook.url(f"/hooks/alerts?token={SECRET}"))
    clean_db, crashed_db = tmp_path / "clean.duckdb", tmp_path / "crashed.duckdb"

    code, clean_log = _run(_config(tmp_path, clean_db), env)
    assert code == 0
    clean = _rows(clean_db)
    assert len(clean["mentions"]) > 100 and len(clean["scores"]) > 100 and len(clean["alerts"]) == 1
    hook_calls_clean = len(hook.requests_to("/hooks/alerts"))

    crashed_config = _config(tmp_path, crashed_db)
    logs = [clean_log]
    for stage in STAGES:
        code, log = _run(crashed_config, env, kill_at=stage)
        assert code == -signal.SIGKILL, (stage, log[-2000:])
        logs.append(log)
    code, log = _run(crashed_config, env)
    assert code == 0, log[-3000:]
    logs.append(log)

    assert _rows(crashed_db) == clean
    con = duckdb.connect(str(crashed_db), read_only=True)
    runs = con.execute("SELECT status, count(*) FROM runs GROUP BY 1 ORDER BY 1").fetchall()
    # Every killed run was closed by the next one with the counts of the rows it wrote.
    wrote = con.execute(
        "SELECT count(*) FROM runs r WHERE status = 'interrupted' AND scored = "
        "(SELECT count(*) FROM scores s WHERE s.run_id = r.run_id) AND new_mentions = "
        "(SELECT count(*) FROM mentions m WHERE m.first_run_id = r.run_id)"
    ).fetchone()
    con.close()
    # A run is closed before it publishes (so the copy shows its final status): the one killed while
    # publishing had done all its work and says ok; the copy it was writing is replaced by the next night.
    assert runs == [("interrupted", len(STAGES) - 1), ("ok", 2)]
    assert wrote == (len(STAGES) - 1,)
    assert not crashed_db.with_name("crashed.read.duckdb.tmp").exists()
    # The analysts' copy opens and holds the final night.
    read = duckdb.connect(str(crashed_db.with_name("crashed.read.duckdb")), read_only=True)
    assert read.execute("SELECT count(*) FROM mentions").fetchone() == (len(clean["mentions"]),)
    read.close()
    # A webhook that may have had the alert before the kill gets it again with the same key.
    posts = hook.requests_to("/hooks/alerts")[hook_calls_clean:]
    assert 1 <= len(posts) <= 2
    assert len({p.headers["idempotency-key"] for p in posts}) == 1
    # -v logs at DEBUG, httpx's request lines included: query values are masked, and the webhook URL,
    # a secret as a whole, is masked entirely.
    everything = "".join(logs)
    assert "HTTP Request: GET http://127.0.0.1" in everything and "reviews?page=[redacted]" in everything
    assert 'HTTP Request: POST [redacted] "HTTP/1.1 204' in everything
    assert SECRET not in everything


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_sigterm_ends_the_run_cleanly_with_true_counts(tmp_path: Path, web_and_hook: tuple[str, LocalServer]) -> None:
    web, hook = web_and_hook
    database = tmp_path / "term.duckdb"
    code, log = _run(
        _config(tmp_path, database), _env(web, hook.url("/hooks/alerts")), kill_at="scoring", sig=signal.SIGTERM
    )
    assert code == 130, log[-2000:]
    assert "the run is recorded as interrupted" in log
    con = duckdb.connect(str(database), read_only=True)
    row = con.execute("SELECT status, scored, (SELECT count(*) FROM scores), error FROM runs").fetchone()
    con.close()
    assert row is not None
    status, scored, stored, error = row
    assert (status, scored) == ("interrupted", stored)
    assert stored >= 32 and "SIGTERM" in error
