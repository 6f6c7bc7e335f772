"""The nightly monitor flow: sources -> text -> model -> topics -> store -> alerts -> notify.

Thin on purpose: every step is a function of :mod:`sentiment.pipeline`; this module adds what Prefect
is for: tasks with explicit retries, concurrent fetching, logging, and a deployment (``prefect.yaml``).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

import duckdb
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from flows.cluster import cluster_reads
from flows.local_api import signal_of
from sentiment import pipeline, redact
from sentiment.config import MonitorConfig, SourceConfig, load_config
from sentiment.errors import SentimentError, StoreError
from sentiment.model import SentimentModel, load_model
from sentiment.model.topic_reader import TopicReader
from sentiment.progress import progress_bar
from sentiment.records import SourceOutcome
from sentiment.report import report_path, write_report
from sentiment.sources.http import HttpClient
from sentiment.store import Store
from sentiment.store.export import export_parquet
from sentiment.summary import open_alerts, run_summary, sentiment_rows
from sentiment.surveys import import_surveys

# Fetching is I/O: sources run concurrently, each host still limited by the shared client.
FETCH_WORKERS = 4
# A worker that imports this flow logs through Prefect's handlers: query strings and secrets are masked
# there too, whoever started the process.
redact.install()


#: Sources are stored in groups of at least this many (whole fetch tasks), in the order they were
#: submitted (so which copy of a re-post counts as the first does not depend on which site answered
#: first): one transaction and one statement per table for the group. One source at a time, a
#: 1,150-source night spent 31 s in the store's per-statement overhead.
STORE_GROUP = 50
#: The flow's thread stores with short DuckDB calls, each of which releases the GIL; with the fetch
#: threads parsing pages it waited up to the default 5 ms switch interval to get it back after every
#: call (1.2 s a source against 31 ms alone, with three busy threads). At 0.1 ms: 80 ms.
STORE_SWITCH_INTERVAL_S = 0.0001


@contextmanager
def switch_interval(seconds: float) -> Iterator[None]:
    """Let a thread that gave up the GIL for a short call get it back sooner, for the block's length."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=10, task_run_name="fetch-{label}")
def fetch(
    label: str, sources: list[SourceConfig], monitor: MonitorConfig, cursors: dict[str, Any], client: HttpClient
) -> list[SourceOutcome]:
    """A few sources, one after the other (the flow runs several such tasks at once). HTTP retries happen
    inside the client; a failing source is an outcome, not an exception; this retry covers a crashed worker.

    Several sources a task, not one: each task run costs Prefect's engine and API several state
    changes, and 2,150 one-source tasks were much of a quiet night's CPU in a profile."""
    logger = get_run_logger()
    outcomes = []
    for source in sources:
        outcome = pipeline.fetch_source(source, monitor, cursors.get(source.name), client)
        if outcome.status == "failed":
            logger.warning("source %s failed and is skipped: %s", source.name, outcome.error)
        else:
            logger.info("source %s: %d mentions from %d pages", source.name, len(outcome.mentions), outcome.pages)
        outcomes.append(outcome)
    return outcomes


def fetch_chunks(sources: list[SourceConfig], workers: int = FETCH_WORKERS) -> list[list[SourceConfig]]:
    """The sources cut into consecutive runs for the fetch tasks: as few tasks as keep the ``workers``
    busy to the end (four runs each), each at most :data:`STORE_GROUP` sources, one source when few."""
    size = max(1, min(STORE_GROUP, -(-len(sources) // (workers * 4))))
    return [sources[start : start + size] for start in range(0, len(sources), size)]


def _label(chunk: list[SourceConfig]) -> str:
    return chunk[0].name if len(chunk) == 1 else f"{chunk[0].name}..{chunk[-1].name}"


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def prepare_model(monitor: MonitorConfig) -> SentimentModel:
    """Build (first run) or load the embedded model; retried because the first build writes a cache."""
    with progress_bar("preparing model") as progress:
        return load_model(monitor.model, progress=progress)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=10)
def prepare_topics(monitor: MonitorConfig, model: SentimentModel, base_dir: Path) -> TopicReader:
    """The configured topics on their fitted head, read in the scoring model's own pass."""
    return TopicReader.load(monitor.topics, sentiment=model, base_dir=base_dir)


def load_topics(
    monitor: MonitorConfig, model: SentimentModel, stats: pipeline.RunStats, base_dir: Path
) -> TopicReader | None:
    """The topic reader, or None: topics disabled, or the head failed to load (logged and counted,
    the night goes on with its scores)."""
    if not monitor.topics.enabled:
        return None
    try:
        return prepare_topics(monitor, model, base_dir)
    except Exception as err:
        get_run_logger().exception("the topic head could not be loaded; scores are kept and the next run retries")
        pipeline.topics_failed(stats, err)
        return None


@task(cache_policy=NO_CACHE)
def score(
    store: Store, model: SentimentModel, stats: pipeline.RunStats, batch_size: int, topics: TopicReader | None
) -> int:
    """Sentiment, and with a topic reader topics and aspect sentiment, from one encoder pass per batch."""
    with progress_bar("scoring mentions") as progress:
        return pipeline.score_pending(store, model, stats, topics=topics, batch_size=batch_size, progress=progress)


def score_stage(
    store: Store,
    model: SentimentModel,
    stats: pipeline.RunStats,
    reader: TopicReader | None,
    monitor: MonitorConfig,
    reads: pipeline.Reads | None,
) -> int:
    """Score what is pending: in this process (the ``score`` task), or with ``reads`` from
    :func:`flows.cluster.cluster_reads` on the cluster's workers (from the flow's body, see there)."""
    batch_size = monitor.model.batch_size * 8
    if reads is None:
        return score(store, model, stats, batch_size, reader)
    with progress_bar("scoring mentions on the cluster") as progress:
        return pipeline.score_pending(
            store, model, stats, topics=reader, batch_size=batch_size, progress=progress, reads=reads
        )


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=10)
def topics(store: Store, model: SentimentModel, reader: TopicReader, stats: pipeline.RunStats, batch_size: int) -> int:
    """Batches are committed as they go, so a retry continues where the failed attempt stopped."""
    with progress_bar("assigning topics") as progress:
        return pipeline.assign_topics(store, model, reader, stats, batch_size=batch_size, progress=progress)


def catch_up_topics(
    store: Store, model: SentimentModel, reader: TopicReader | None, stats: pipeline.RunStats, batch_size: int
) -> None:
    """Topics for scored mentions that lack them from this topic set (a changed taxonomy or head, a
    night whose topics failed); a failure is logged and counted, never costs the night its scores."""
    if reader is None:
        return
    try:
        topics(store, model, reader, stats, batch_size)
    except Exception as err:
        get_run_logger().exception("topic assignment failed; scores are kept and the next run retries")
        pipeline.topics_failed(stats, err)


@task(cache_policy=NO_CACHE)
def alerts(store: Store, monitor: MonitorConfig, stats: pipeline.RunStats) -> int:
    return len(pipeline.detect_alerts(store, monitor, stats))


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=30)
def notify(store: Store, monitor: MonitorConfig, stats: pipeline.RunStats) -> dict[str, int]:
    return pipeline.send_notifications(store, monitor, stats)


@task(cache_policy=NO_CACHE)
def surveys(store: Store, monitor: MonitorConfig, stats: pipeline.RunStats, base_dir: Path) -> None:
    """The configured survey exports (the reality gap); one that cannot be read is logged and counted as
    ``survey_failed``, and the night goes on."""
    try:
        report = import_surveys(store, monitor, base_dir)
    except SentimentError as err:
        get_run_logger().error("survey import failed: %s", err)
        stats.skipped["survey_failed"] += 1
        return
    for result in report.values():
        stats.skipped.update({f"survey_{reason}": count for reason, count in result["skipped"].items()})


@task(cache_policy=NO_CACHE)
def export(store: Store, folder: str) -> dict[str, Any]:
    """The Parquet export, after the run is closed and published: a failing export is logged and reported
    in the summary (``error``), and the night's data stays stored and published."""
    try:
        return {"folder": folder, "rows": export_parquet(store, folder)}
    except (StoreError, OSError, duckdb.Error) as err:
        get_run_logger().error("export to %s failed: %s", folder, err)
        return {"folder": folder, "error": str(err)}


@task(cache_policy=NO_CACHE)
def report(monitor: MonitorConfig, read_copy: Path, as_of: date) -> dict[str, Any]:
    """The analyst's HTML report from the published copy, beside it and replaced atomically. A failing
    report is logged and reported in the summary (``error``); the night's data stays stored and published."""
    out = report_path(monitor.database_path())
    try:
        with Store(read_copy, read_only=True) as read:
            write_report(read, monitor, out, as_of=as_of)
    except (SentimentError, OSError, duckdb.Error) as err:
        get_run_logger().error("the report %s failed: %s", out, err)
        return {"path": str(out), "error": str(err)}
    return {"path": str(out)}


@flow(name="nightly-monitor", task_runner=ThreadPoolTaskRunner(max_workers=FETCH_WORKERS))  # type: ignore[arg-type]
def nightly(config_path: str = "monitor.yaml", as_of: str | None = None) -> dict[str, Any]:
    """Run one night: fetch what is new, score it, assign topics, store it, alert on drops.

    Returns the run summary."""
    logger = get_run_logger()
    monitor = load_config(config_path)
    day = date.fromisoformat(as_of) if as_of else datetime.now(monitor.tz).date()
    database = monitor.database_path()
    stats = pipeline.RunStats(run_id=pipeline.new_run_id(day), as_of=day)
    sources = [s for s in monitor.sources if s.enabled]
    with Store(database) as store:
        closed = store.start_run(stats.run_id, as_of=day, config_sha256=pipeline.config_sha256(config_path))
        if closed:
            logger.warning("closed %d run(s) a dead process left running: %s", len(closed), ", ".join(closed))
        try:
            model_future = prepare_model.submit(monitor)
            cursors = store.cursors([s.name for s in sources])
            with HttpClient(monitor.http) as client, switch_interval(STORE_SWITCH_INTERVAL_S):
                # quote: Prefect walks every task argument to find futures in it; the whole config (every
                # source and location) walked once per task made the fetch stage quadratic in sources.
                config = cast(MonitorConfig, quote(monitor))  # Prefect unwraps it before calling the task
                futures = [
                    fetch.submit(_label(chunk), chunk, config, {s.name: cursors[s.name] for s in chunk}, client)
                    for chunk in fetch_chunks(sources)
                ]
                # Stored in this thread, a group at a time: DuckDB has one writer. "fetch" is the time
                # spent waiting for sources (they fetch and parse concurrently while others are stored).
                group: list[SourceOutcome] = []
                for number, future in enumerate(futures, 1):
                    with stats.timed("fetch"):
                        group += future.result()
                    if len(group) >= STORE_GROUP or number == len(futures):
                        pipeline.store_outcomes(store, group, monitor, stats)
                        group = []
            base_dir = Path(config_path).resolve().parent
            if monitor.surveys:
                with stats.timed("surveys"):
                    surveys(store, monitor, stats, base_dir)
            with stats.timed("model"):
                model = model_future.result()
                reader = load_topics(monitor, model, stats, base_dir)
            with cluster_reads(monitor, reader, base_dir) as reads:
                score_stage(store, model, stats, reader, monitor, reads)
            catch_up_topics(store, model, reader, stats, monitor.model.batch_size * 8)
            with stats.timed("alerts"):
                alerts(store, monitor, stats)
            with stats.timed("notify"):
                notify(store, monitor, stats)
        except BaseException as err:
            pipeline.interrupted(store, stats, err, signal=signal_of(err))
            raise
        read_copy = pipeline.published_path(Path(database))
        with stats.timed("publish"):
            pipeline.finish(store, stats, publish_to=read_copy)
        with stats.timed("aggregates"):
            rows, still_open = sentiment_rows(store, day), open_alerts(store, day)
        if monitor.export:
            with stats.timed("export"):
                exported = export(store, monitor.export)
    with stats.timed("report"):
        reported = report(monitor, read_copy, day)
    summary = run_summary(stats, rows, still_open)
    summary["report"] = reported
    if monitor.export:
        summary["export"] = exported
    logger.info(
        "run %s %s: fetched %d, new %d (duplicates %d), scored %d, topics %d, alerts %d, notifications %d, "
        "skipped %s",
        stats.run_id, stats.status, stats.fetched, stats.new_mentions, stats.duplicates, stats.scored, stats.topics,
        stats.alerts, stats.notifications, dict(stats.skipped) or "none",
    )  # fmt: skip
    return summary


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    nightly()
