"""What a crash leaves in the store, and how the next run deals with it: stale runs, a broken read copy."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from sentiment.errors import StoreError
from sentiment.pipeline import RunStats, finish, published_path
from sentiment.records import Mention, Score
from sentiment.store import Store

DAY = date(2026, 11, 23)
UTC_ZONE = ZoneInfo("UTC")


def _mention(i: int) -> Mention:
    return Mention(source="s", source_item_id=str(i), text=f"text {i}", brand="B", content_hash=f"h{i}",
                   published_at=datetime(2026, 11, 20, tzinfo=UTC))  # fmt: skip


def _score(mention: Mention) -> Score:
    return Score(mention.id, "m", "v1", "positive", 0.1, 0.2, 0.7, 0.6)


def test_a_run_a_dead_process_left_running_is_closed_with_the_rows_it_wrote(tmp_path: Path) -> None:
    db = tmp_path / "m.duckdb"
    with Store(db) as store:
        store.start_run("r1", as_of=DAY, config_sha256="x")
        mentions = [_mention(i) for i in range(5)]
        store.insert_mentions(mentions, run_id="r1", tz=UTC_ZONE)
        store.insert_scores([_score(m) for m in mentions[:3]], run_id="r1")
        store.record_source_run("r1", "s", status="ok", pages=1, fetched=5, new=5, skipped={}, error=None)
        store.update_run("r1", stats={"fetched": 5, "new_mentions": 5, "skipped": {"empty_text": 1}})
        # The process dies here: no finish_run.
    with Store(db) as store:
        assert store.start_run("r2", as_of=DAY, config_sha256="x") == ["r1"]
        row = store.con.execute(
            "SELECT status, fetched, new_mentions, scored, sources_ok, skipped, error, finished_at IS NOT NULL "
            "FROM runs WHERE run_id = 'r1'"
        ).fetchone()
        assert row == ("interrupted", 5, 5, 3, 1, '{"empty_text": 1}',
                       "the process ended before the run finished; closed by run r2", True)  # fmt: skip
        assert store.run_status("r2") == "running"
        assert store.start_run("r3", as_of=DAY, config_sha256="x") == ["r2"]


def _analyst_crashes_while_writing(copy: Path) -> None:
    """An analyst opens the read copy without read_only, writes, and the process is killed."""
    script = (
        "import duckdb, os, signal\n"
        f"con = duckdb.connect({str(copy)!r})\n"
        "con.execute('CREATE TABLE scratch AS SELECT range AS i FROM range(1000)')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=False)


def test_publish_replaces_a_copy_an_analyst_left_with_a_stale_wal(tmp_path: Path) -> None:
    db = tmp_path / "m.duckdb"
    copy = published_path(db)
    with Store(db) as store:
        store.insert_mentions([_mention(1)], run_id="r1", tz=UTC_ZONE)
        store.publish(copy)
        _analyst_crashes_while_writing(copy)
        wal = copy.with_name(copy.name + ".wal")
        assert wal.exists()
        copy.with_name(copy.name + ".tmp").write_bytes(b"half a copy from a publish that died")
        # The WAL belongs to the old copy: replayed into the new one it would break it.
        store.insert_mentions([_mention(2)], run_id="r2", tz=UTC_ZONE)
        store.publish(copy)
    assert not wal.exists() and not copy.with_name(copy.name + ".tmp").exists()
    con = duckdb.connect(str(copy), read_only=True)
    assert con.execute("SELECT count(*) FROM mentions").fetchone() == (2,)
    con.close()


def test_a_failed_publish_is_a_failed_run(tmp_path: Path) -> None:
    db = tmp_path / "m.duckdb"
    blocked = tmp_path / "blocked.duckdb"
    blocked.mkdir()  # a folder where the copy should go: the rename cannot replace it
    stats = RunStats(run_id="r1", as_of=DAY)
    with Store(db) as store:
        store.start_run("r1", as_of=DAY, config_sha256="x")
        with pytest.raises(OSError):
            finish(store, stats, publish_to=blocked)
        status, error = store.con.execute("SELECT status, error FROM runs").fetchone()  # type: ignore[misc]
    assert status == "failed"
    assert error.startswith("publish failed:")


def test_a_database_path_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    with pytest.raises(StoreError, match=r"cannot create the folder of database .*file\.txt/m\.duckdb"):
        Store(not_a_folder / "m.duckdb")


def test_a_night_whose_every_channel_failed_is_not_ok() -> None:
    stats = RunStats(run_id="r", as_of=DAY, sources_ok=3)
    assert stats.status == "ok"
    stats.channels_attempted, stats.channels_failed = 2, 1
    assert stats.status == "partial"
    stats.channels_failed = 2
    assert stats.status == "failed"
