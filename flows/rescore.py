"""Rescore: score every stored mention with the configured model version and make it the active one.

Run it after changing the model (a retrained adapter, another Hugging Face model in the config). Old
scores stay in ``scores`` under their own model id and version, so history is kept and a rollback is
one ``activate_model`` away; the views read the active version only. Topics are assigned again with
the new model's topic head in the same pass (as the nightly flow does), so ``daily_topic_sentiment``, which reads
the active version too, is not empty until the next night. The nightly flow would also score the
mentions a new version lacks, but a rescore of years of mentions belongs in its own run, not in a night's.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from flows.cluster import cluster_reads
from flows.local_api import signal_of
from flows.nightly import catch_up_topics, load_topics, prepare_model, score_stage
from sentiment import pipeline
from sentiment.config import load_config
from sentiment.store import Store


@flow(name="rescore")
def rescore(config_path: str = "monitor.yaml") -> dict[str, Any]:
    """Score the mentions the configured model version has not scored; return what changed."""
    logger = get_run_logger()
    monitor = load_config(config_path)
    day = datetime.now(monitor.tz).date()
    stats = pipeline.RunStats(run_id=f"rescore-{pipeline.new_run_id(day)}", as_of=day)
    database = monitor.database_path()
    model = prepare_model(monitor)
    with Store(database) as store:
        previous = store.active_model()
        store.start_run(stats.run_id, as_of=day, config_sha256=pipeline.config_sha256(config_path))
        try:
            base_dir = Path(config_path).resolve().parent
            reader = load_topics(monitor, model, stats, base_dir)
            with cluster_reads(monitor, reader, base_dir) as reads:
                score_stage(store, model, stats, reader, monitor, reads)
            catch_up_topics(store, model, reader, stats, monitor.model.batch_size * 8)
        except BaseException as err:
            pipeline.interrupted(store, stats, err, signal=signal_of(err))
            raise
        pipeline.finish(store, stats, publish_to=pipeline.published_path(Path(database)))
    active = (model.model_id, model.version)
    logger.info(
        "rescored %d mentions with %s %s (was %s); %d topic rows", stats.scored, *active, previous, stats.topics
    )
    return {
        "scored": stats.scored,
        "topics": stats.topics,
        "topics_error": stats.topics_error,
        "active": list(active),
        "previous": list(previous) if previous else None,
    }
