"""Scoring on a Dask cluster through Prefect's ``prefect-dask`` task runner (``cluster:`` in the config).

Scoring is where a large night spends its time. With a cluster, the nightly, rescore and backfill
flows submit batches of texts through a :class:`~prefect_dask.task_runners.DaskTaskRunner`: one task
per batch, run on a worker, which loads the model and topic head once (:func:`_loaded`, kept for the
worker process's life) and returns the batch's predictions and topic hits. The flow stores each batch
as it comes back, in order: DuckDB has one writer, and it stays the flow.

A worker needs what the run has: the model cache (``sentiment model prepare`` on each machine, or a
shared ``model.cache_dir``) and the topic taxonomy or head at the configured path.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import dask
from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect_dask.task_runners import DaskTaskRunner

from sentiment import pipeline
from sentiment.config import ClusterSettings, ModelSettings, MonitorConfig
from sentiment.model import SentimentModel, load_model
from sentiment.model.topic_reader import TopicReader
from sentiment.taxonomy import TopicSettings

#: Batches handed to the cluster ahead of the one being stored, per worker: enough to keep every worker
#: busy while the flow stores, few enough that a stopped run has little work in flight.
AHEAD_PER_WORKER = 2
_models: dict[str, tuple[SentimentModel, TopicReader | None]] = {}
_loading = threading.Lock()


def task_runner(settings: ClusterSettings) -> DaskTaskRunner:
    """The task runner for ``settings``: the cluster at ``address``, or a local cluster of processes."""
    if settings.address is not None:
        return DaskTaskRunner(address=settings.address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={"n_workers": settings.local_workers, "threads_per_worker": 1, "processes": True,
                        "dashboard_address": ":0"},
    )  # fmt: skip


def worker_environment(threads: int | None) -> dict[str, int]:
    """What the workers a local cluster starts get in their environment instead of Dask's defaults.

    Dask sets ``MALLOC_TRIM_THRESHOLD_=65536`` in every worker it starts, which also fixes glibc's mmap
    threshold: each batch's activations are then mapped and unmapped again, and ``bench/cluster.py``'s
    2,000 texts took 77.5 s on one worker instead of 44.7 s. Its ``OMP_NUM_THREADS=1`` is replaced by
    the worker's torch threads."""
    return {name: threads for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")} if threads else {}


def worker_threads(settings: ClusterSettings) -> int | None:
    """torch threads per worker: as configured, else this machine's cores shared by the local workers."""
    if settings.threads_per_worker is not None or settings.local_workers is None:
        return settings.threads_per_worker
    return max(1, (os.cpu_count() or 1) // settings.local_workers)


def _loaded(
    model: ModelSettings, topics: TopicSettings | None, base_dir: Path, threads: int | None
) -> tuple[SentimentModel, TopicReader | None]:
    """The worker's model and topic reader, loaded on its first batch and kept for the next ones."""
    key = "\x1f".join([model.model_dump_json(), topics.model_dump_json() if topics else "", str(base_dir)])
    with _loading:
        if key not in _models:
            if threads is not None:
                import torch

                torch.set_num_threads(threads)
            scorer = load_model(model)
            reader = TopicReader.load(topics, sentiment=scorer, base_dir=base_dir) if topics else None
            _models[key] = (scorer, reader)
        return _models[key]


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5, task_run_name="read-batch")
def read_on_worker(
    texts: list[str], model: ModelSettings, topics: TopicSettings | None, base_dir: Path, threads: int | None
) -> pipeline.BatchRead:
    """One batch read on a cluster worker with the run's model and topics."""
    scorer, reader = _loaded(model, topics, base_dir, threads)
    return pipeline.read_batch(scorer, reader, texts)


@contextmanager
def cluster_reads(
    monitor: MonitorConfig, topics: TopicReader | None, base_dir: Path
) -> Iterator[pipeline.Reads | None]:
    """For the block: how batches are read on the configured cluster (None without one: in this process).

    The cluster (a local one is started here) stays up for the whole block, so a backfill's chunks share
    its workers and the models they loaded. Use the reads from a flow's body, not inside a task: Prefect
    sends the calling run's context, parameters included, with every batch, and a task's are the store.
    """
    if monitor.cluster is None:
        yield None
        return
    cluster = monitor.cluster
    threads = worker_threads(cluster)
    ahead = AHEAD_PER_WORKER * (cluster.local_workers or 4)
    parameters = {"model": monitor.model, "topics": monitor.topics if topics else None, "base_dir": base_dir,
                  "threads": threads}  # fmt: skip
    with (
        dask.config.set({"distributed.nanny.pre-spawn-environ": worker_environment(threads)}),
        task_runner(cluster) as runner,
    ):

        def reads(batches: Sequence[list[str]]) -> Iterator[pipeline.BatchRead]:
            waiting: deque[PrefectFuture[pipeline.BatchRead]] = deque()
            for texts in batches:
                waiting.append(runner.submit(read_on_worker, {"texts": texts, **parameters}))
                if len(waiting) >= ahead:
                    yield waiting.popleft().result()
            while waiting:
                yield waiting.popleft().result()

        yield reads
