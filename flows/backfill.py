"""The backfill flow: history files (or a source's full archive) into the store, in chunks that resume.

Each chunk of a file is stored (a task: the text stage and the insert, in one transaction), scored
(sentiment, topics and aspects in one pass, in committed batches; on the cluster when one is configured),
and then the file is marked done up to the chunk's end (:mod:`sentiment.backfill`). A run killed anywhere
starts again after its last finished chunk. The read copy is published every
``publish_every`` chunks and at the end, so analysts see history arrive. No alerts are sent: history is
not news. A source's archive (any other kind) is one fetch with no cursor and a raised page limit;
killed, it is fetched again, and its stored items are a no-op.

Do not run a backfill while the nightly flow runs: DuckDB lets one process write the file, and the second
to start stops with an error naming the database.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows.cluster import cluster_reads
from flows.local_api import signal_of
from flows.nightly import load_topics, prepare_model, score_stage
from sentiment import backfill as history
from sentiment import pipeline
from sentiment.config import MonitorConfig, load_config
from sentiment.errors import ConfigError
from sentiment.model import SentimentModel
from sentiment.model.topic_reader import TopicReader
from sentiment.sources.http import HttpClient
from sentiment.store import Store


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=10, task_run_name="chunk-{chunk.number}")
def store_chunk(store: Store, chunk: history.Chunk, monitor: MonitorConfig, stats: pipeline.RunStats) -> int:
    """A chunk's mentions through the text stage into the store, in one transaction (a retry is a no-op)."""
    with stats.timed("store"), store.transaction():
        new, _ = pipeline.store_mentions(store, chunk.mentions, monitor, stats)
    return new


def import_chunk(
    store: Store,
    chunk: history.Chunk,
    file: history.HistoryFile,
    source: str,
    monitor: MonitorConfig,
    scoring: tuple[SentimentModel, TopicReader | None, pipeline.Reads | None],
    stats: pipeline.RunStats,
) -> None:
    """Store a chunk's mentions, score what is unscored, then mark the file done up to the chunk's end.

    A rerun after a kill repeats the chunk: its stored rows and scores are a no-op."""
    model, topics, reads = scoring
    new = store_chunk(store, cast(history.Chunk, quote(chunk)), cast(MonitorConfig, quote(monitor)), stats)
    score_stage(store, model, stats, topics, monitor, reads)
    before = store.backfill_progress(file.sha256, source)
    stats.skipped.update(Counter(chunk.skipped) - Counter(before.skipped if before else {}))
    store.save_backfill_progress(file.sha256, source, str(file.path), history.advanced(chunk), run_id=stats.run_id)
    get_run_logger().info(
        "%s: rows %d-%d stored and scored (%d new)%s", file.path.name, chunk.start, chunk.end, new,
        ", file finished" if chunk.last else "",
    )  # fmt: skip


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=10, task_run_name="archive-{source}")
def import_archive(store: Store, source: str, monitor: MonitorConfig, max_pages: int, stats: pipeline.RunStats) -> int:
    """A web source's archive: every page up to ``max_pages`` with no cursor, stored like a night's."""
    config = next(s for s in monitor.sources if s.name == source)
    if "max_pages" in config.options:
        config = config.model_copy(update={"options": {**config.options, "max_pages": max_pages}})
    deep = monitor.model_copy(update={"http": monitor.http.model_copy(update={"max_pages": max_pages})})
    with HttpClient(deep.http) as client:
        outcome = pipeline.fetch_source(config, deep, None, client)
    return pipeline.store_outcome(store, outcome, monitor, stats)


def import_files(
    store: Store,
    source: str,
    files: list[str],
    monitor: MonitorConfig,
    scoring: tuple[SentimentModel, TopicReader | None, pipeline.Reads | None],
    stats: pipeline.RunStats,
    *,
    chunk_rows: int,
    publish_every: int,
) -> list[dict[str, Any]]:
    """Each file chunk by chunk from where its last import stopped; a finished file is skipped."""
    logger = get_run_logger()
    reader = history.file_source(monitor, source)
    read_copy = pipeline.published_path(Path(monitor.database_path()))
    imported: list[dict[str, Any]] = []
    done_chunks = 0
    for file in history.history_files(reader, files):
        before = store.backfill_progress(file.sha256, source)
        if before is not None and before.finished:
            logger.info("%s was imported already (%d rows); skipped", file.path, before.rows_done)
            imported.append({"path": str(file.path), "rows": before.rows_done, "already": True})
            continue
        start = before.rows_done if before else 0
        if start:
            logger.info("%s: resuming after row %d", file.path, start)
        for chunk in history.chunks(reader, file, chunk_rows, start=start):
            import_chunk(store, chunk, file, source, monitor, scoring, stats)
            done_chunks += 1
            if done_chunks % publish_every == 0 and not chunk.last:
                store.publish(read_copy)
        after = store.backfill_progress(file.sha256, source)
        assert after is not None
        imported.append({"path": str(file.path), "rows": after.rows_done, "skipped": after.skipped,
                         "resumed_at": start})  # fmt: skip
    return imported


@flow(name="backfill")
def backfill(
    config_path: str = "monitor.yaml",
    source: str = "",
    files: list[str] | None = None,
    chunk_rows: int = history.DEFAULT_CHUNK_ROWS,
    publish_every: int = 10,
    max_pages: int = 1000,
) -> dict[str, Any]:
    """Import ``files`` with the file source ``source`` (its own path when no files are given), or the
    full archive of a source of another kind. Returns what was imported."""
    logger = get_run_logger()
    monitor = load_config(config_path)
    if publish_every < 1:
        raise ConfigError(f"publish_every {publish_every} is not allowed; allowed: 1 or more chunks")
    kinds = {s.name: s.kind for s in monitor.sources}
    if source not in kinds:
        raise ConfigError(f"backfill source {source!r} is not a configured source; allowed: {sorted(kinds)}")
    day = datetime.now(monitor.tz).date()
    stats = pipeline.RunStats(run_id=f"backfill-{pipeline.new_run_id(day)}", as_of=day)
    database = Path(monitor.database_path())
    read_copy = pipeline.published_path(database)
    config = cast(MonitorConfig, quote(monitor))
    imported: list[dict[str, Any]] = []
    with Store(database) as store:
        store.start_run(stats.run_id, as_of=day, config_sha256=pipeline.config_sha256(config_path))
        try:
            model = prepare_model(monitor)
            base_dir = Path(config_path).resolve().parent
            topics = load_topics(monitor, model, stats, base_dir)
            with cluster_reads(monitor, topics, base_dir) as reads:
                if kinds[source] != "file":
                    import_archive(store, source, config, max_pages, stats)
                    score_stage(store, model, stats, topics, monitor, reads)
                else:
                    imported = import_files(store, source, files or [], monitor, (model, topics, reads), stats,
                                            chunk_rows=chunk_rows, publish_every=publish_every)  # fmt: skip
        except BaseException as err:
            pipeline.interrupted(store, stats, err, signal=signal_of(err))
            raise
        pipeline.finish(store, stats, publish_to=read_copy)
    logger.info("backfill %s: new %d, duplicates %d, scored %d, topics %d, skipped %s", stats.run_id,
                stats.new_mentions, stats.duplicates, stats.scored, stats.topics, dict(stats.skipped) or "none")  # fmt: skip
    return {
        "run_id": stats.run_id,
        "status": stats.status,
        "new_mentions": stats.new_mentions,
        "duplicates": stats.duplicates,
        "scored": stats.scored,
        "topics": stats.topics,
        "skipped": dict(stats.skipped),
        "files": imported,
        "timings": {stage: round(seconds, 1) for stage, seconds in stats.timings.items()},
    }
