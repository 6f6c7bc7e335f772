"""The nightly run's stages as plain functions over plain records.

Prefect flows (``flows/``) only wire these together with retries, concurrency and logging; the
library never imports Prefect, so each stage can be run and tested alone, and another orchestrator
could drive the same functions.
"""

from __future__ import annotations

import hashlib
import logging
import os
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from signal import Signals
from typing import TYPE_CHECKING, Any

import httpx
import numpy as np

from sentiment import netguard
from sentiment.alerts.counts import from_daily_rows, from_topic_rows
from sentiment.alerts.notify import notify
from sentiment.alerts.rules import (
    RULE_EMERGING_THEME,
    Finding,
    alert_scopes,
    find,
    history_days,
    in_cooldown,
    make_alert,
    recovery,
)
from sentiment.alerts.themes import (
    EARLIER_DAYS,
    ThemeMention,
    find_themes,
    reference_centre,
    reference_texts,
    theme_alert,
)
from sentiment.config import MonitorConfig, SourceConfig
from sentiment.errors import ModelError
from sentiment.model import SentimentModel
from sentiment.model.embedded import ensure_encoder
from sentiment.model.encoder import E5Encoder
from sentiment.records import LABELS, Alert, Mention, Prediction, Score, SourceOutcome, SourceRun
from sentiment.sources.http import HttpClient
from sentiment.sources.registry import build_source
from sentiment.store import Store
from sentiment.text.prepare import Prepared, prepare

if TYPE_CHECKING:
    from sentiment.model.topic_head import TopicHit
    from sentiment.model.topic_reader import TopicReader

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


@dataclass
class RunStats:
    """What one run did: written to the ``runs`` table and printed as the run's summary."""

    run_id: str
    as_of: date
    fetched: int = 0
    new_mentions: int = 0
    duplicates: int = 0
    scored: int = 0
    #: Topic rows added (a mention gets one per topic, or one "other").
    topics: int = 0
    alerts: int = 0
    notifications: int = 0
    sources_ok: int = 0
    sources_failed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    failed_sources: dict[str, str] = field(default_factory=dict)
    new_alerts: list[Alert] = field(default_factory=list)
    #: Why topic assignment failed this run (scores are kept; the next run assigns what is missing).
    topics_error: str | None = None
    #: Channels that had alerts to send, and those of them that delivered none.
    channels_attempted: int = 0
    channels_failed: int = 0
    #: Wall seconds per stage (fetch, text, store, scoring, topics, alerts, publish, ...), for the summary
    #: and ``bench/night.py``: where a large night spends its time.
    timings: dict[str, float] = field(default_factory=dict)
    #: The process's peak resident memory (MB) when each stage last ended: the first stage whose figure
    #: is the run's peak is where memory went up (threads that run alongside a stage count in it).
    peak_rss_mb: dict[str, int] = field(default_factory=dict)
    #: The time spent in the stages timed inside each open :meth:`timed` block (they are not its own).
    _inner: list[float] = field(default_factory=list, repr=False)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Add the wall time of the block to ``stage``, less that of stages timed inside it."""
        start = time.perf_counter()
        self._inner.append(0.0)
        try:
            yield
        finally:
            spent, inner = time.perf_counter() - start, self._inner.pop()
            self.timings[stage] = self.timings.get(stage, 0.0) + spent - inner
            self.peak_rss_mb[stage] = peak_rss_mb()
            if self._inner:
                self._inner[-1] += spent

    def as_row(self) -> dict[str, Any]:
        return {
            "fetched": self.fetched,
            "new_mentions": self.new_mentions,
            "duplicates": self.duplicates,
            "scored": self.scored,
            "topics": self.topics,
            "alerts": self.alerts,
            "notifications": self.notifications,
            "sources_ok": self.sources_ok,
            "sources_failed": self.sources_failed,
            "skipped": dict(self.skipped),
        }

    @property
    def status(self) -> str:
        """``failed`` when no source worked or no channel delivered the alerts it had; ``partial`` when
        some source or channel failed; ``ok`` otherwise. A night whose alerts reached nobody did not
        do its job, whatever it stored."""
        if (self.sources_failed and not self.sources_ok) or (
            self.channels_attempted and self.channels_failed == self.channels_attempted
        ):
            return "failed"
        return "partial" if self.sources_failed or self.channels_failed else "ok"


def peak_rss_mb() -> int:
    """This process's peak resident memory so far, in MB (``ru_maxrss``: KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak / 2**20 if sys.platform == "darwin" else peak / 2**10)


def config_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def new_run_id(as_of: date) -> str:
    return f"{as_of.isoformat()}-{datetime.now().strftime('%H%M%S%f')}"


def fetch_source(
    source: SourceConfig, monitor: MonitorConfig, cursor: dict[str, Any] | None, client: HttpClient
) -> SourceOutcome:
    """Fetch one source through the run's shared client (whose per-host limits then hold across sources).

    Never raises for a failing site: the outcome says what failed, and the night goes on.
    """
    try:
        return build_source(source, monitor).fetch(client, cursor)
    except Exception as err:
        log.exception("source %s crashed", source.name)
        return SourceOutcome(source=source.name, status="failed", error=error_text(err),
                             skipped={"crash": 1})  # fmt: skip


def store_outcome(store: Store, outcome: SourceOutcome, monitor: MonitorConfig, stats: RunStats) -> int:
    """:func:`store_outcomes` for one source."""
    return store_outcomes(store, [outcome], monitor, stats)


def store_outcomes(store: Store, outcomes: Sequence[SourceOutcome], monitor: MonitorConfig, stats: RunStats) -> int:
    """Text stage + idempotent insert for a group of sources, then their cursors (so a crash loses nothing).

    One transaction per group: the group's mentions, source records and cursors commit together, and
    each DuckDB statement serves the whole group (a night of 2,000 sources stored one by one spent
    most of its store time in per-statement overhead). A cursor is saved only with the mentions it
    covers: a crash before the commit makes the next run fetch them again, and the deterministic ids
    make that a no-op.
    """
    for outcome in outcomes:
        stats.fetched += len(outcome.mentions)
        stats.skipped.update(outcome.skipped)
        if outcome.status == "failed":
            stats.sources_failed += 1
            stats.failed_sources[outcome.source] = outcome.error or "failed"
        else:
            stats.sources_ok += 1
    with stats.timed("store"), store.transaction():
        new, prepared = store_mentions(store, [m for outcome in outcomes for m in outcome.mentions], monitor, stats)
        new_by_source = Counter(source for source, _ in {(m.source, m.id) for m in prepared.mentions})
        store.record_source_runs(
            stats.run_id,
            [
                SourceRun(o.source, o.status, o.pages, len(o.mentions), new_by_source[o.source],
                          dict(o.skipped) | dict(prepared.skipped_by_source.get(o.source, {})), o.error)
                for o in outcomes
            ],
        )  # fmt: skip
        store.save_cursors({o.source: o.cursor for o in outcomes if o.status == "ok"}, run_id=stats.run_id)
        store.update_run(stats.run_id, stats=stats.as_row())
    for outcome in outcomes:
        log.info("stored source %s: %d new of %d", outcome.source, new_by_source[outcome.source], len(outcome.mentions))
    return new


def store_mentions(
    store: Store, mentions: Sequence[Mention], monitor: MonitorConfig, stats: RunStats
) -> tuple[int, Prepared]:
    """The text stage and the idempotent insert: mentions not stored yet are cleaned, gated and linked
    to earlier copies, then stored once. Returns (new mentions, what the text stage made of them)."""
    with stats.timed("text"):
        known = store.existing_ids(m.id for m in mentions)
        prepared = prepare(
            [m for m in mentions if m.id not in known],
            monitor=monitor,
            salt=store.author_salt(),
            first_copies=store.first_copies,
            near_copies=store.near_copies,
        )
    stats.skipped.update(prepared.skipped)
    new = store.insert_mentions(prepared.mentions, run_id=stats.run_id, tz=monitor.tz)
    stats.new_mentions += new
    stats.duplicates += prepared.duplicates
    return new, prepared


@dataclass(frozen=True, slots=True)
class BatchRead:
    """One batch's reading: a prediction per text and, when topics were read, each text's topic hits.

    ``topics_error`` says why a batch that was to have topics has none (its scores are kept)."""

    predictions: list[Prediction]
    hits: list[list[TopicHit]] | None = None
    topics_error: str | None = None


#: Reads batches of texts in order (one :class:`BatchRead` per batch, as each is ready): in this
#: process by default, on a cluster's workers in the flow that has one.
Reads = Callable[[Sequence[list[str]]], Iterator[BatchRead]]


def read_batch(model: SentimentModel, topics: TopicReader | None, texts: list[str]) -> BatchRead:
    """Sentiment, and with a topic reader topics and aspect sentiment from the same encoder pass. A topic
    failure is logged and the batch keeps its scores, read again without topics."""
    if topics is None:
        return BatchRead(model.predict(texts))
    try:
        analysed = topics.analyse(texts)
    except Exception as err:
        log.exception("topic assignment failed; scoring goes on without topics")
        return BatchRead(model.predict(texts), None, error_text(err))
    return BatchRead([prediction for prediction, _ in analysed], [found for _, found in analysed])


def local_reads(model: SentimentModel, topics: TopicReader | None) -> Reads:
    """Batches read one after the other in this process; after a topic failure, the rest without topics."""

    def reads(batches: Sequence[list[str]]) -> Iterator[BatchRead]:
        reader = topics
        for texts in batches:
            read = read_batch(model, reader, texts)
            if read.topics_error is not None:
                reader = None
            yield read

    return reads


def score_pending(
    store: Store,
    model: SentimentModel,
    stats: RunStats,
    *,
    topics: TopicReader | None = None,
    batch_size: int = 256,
    progress: Progress | None = None,
    reads: Reads | None = None,
) -> int:
    """Score every original mention the active model has not scored yet, in committed batches.

    With ``topics``, each batch's topics and aspect sentiment come from the same encoder pass and are
    stored with its scores. Topics never cost the night its scores: if reading them fails, the failure
    is logged and counted, and the rest is scored without them (the next run assigns what is missing).
    ``reads`` reads the batches elsewhere (a cluster's workers, with the same model and topics); each
    batch is stored here as it comes back, in order.
    """
    store.activate_model(model.model_id, model.version)
    with stats.timed("store"):
        pending = store.unscored(model.model_id, model.version)
    chunks = [pending[start : start + batch_size] for start in range(0, len(pending), batch_size)]
    results = (reads or local_reads(model, topics))([[text for _, text in chunk] for chunk in chunks])
    done = reached = 0
    for chunk in chunks:
        with stats.timed("scoring"):
            read = next(results)
        if read.topics_error is not None and stats.topics_error is None:
            topics_failed(stats, read.topics_error)
        scores = [
            Score(mention_id=mid, model_id=model.model_id, model_version=model.version, label=p.label,
                  p_negative=p.probabilities[LABELS[0]], p_neutral=p.probabilities[LABELS[1]],
                  p_positive=p.probabilities[LABELS[2]], score=p.score, truncated=p.truncated)
            for (mid, _), p in zip(chunk, read.predictions, strict=True)
        ]  # fmt: skip
        with stats.timed("store"):
            added = store.insert_scores(scores, run_id=stats.run_id)
            done += added
            stats.scored += added
            if topics is not None and read.hits is not None:
                ids = [mid for mid, _ in chunk]
                stats.topics += store.insert_topics(_topic_rows(ids, model, topics, read.hits), run_id=stats.run_id)
        reached += len(chunk)
        _committed(store, stats, "scored %d of %d pending mentions", reached, len(pending), progress)
    with stats.timed("store"):
        store.refresh_totals()
    return done


def assign_topics(
    store: Store,
    model: SentimentModel,
    topics: TopicReader,
    stats: RunStats,
    *,
    batch_size: int = 256,
    progress: Progress | None = None,
) -> int:
    """Topics with aspect sentiment for every scored original that has none from this model and topic set.

    :func:`score_pending` stores topics with the scores it makes; this catches up the rest: mentions
    scored before the topic set changed, or on a night when topics failed. Rows are committed per batch
    and keyed by mention, model version, topic set and topic, so an interrupted run resumes and a re-run
    adds nothing. Returns the number of topic rows added.
    """
    reader = topics.sentiment
    if (reader.model_id, reader.version) != (model.model_id, model.version):
        raise ModelError(
            f"the topic head reads with {reader.model_id} {reader.version}, not {model.model_id} {model.version}; "
            "load it with sentiment=<the scoring model>"
        )
    pending = store.without_topics(model.model_id, model.version, topics.topic_set)
    added = 0
    for start in range(0, len(pending), batch_size):
        chunk = pending[start : start + batch_size]
        with stats.timed("topics"):
            hits = topics.assign([text for _, text in chunk])
        with stats.timed("store"):
            new = store.insert_topics(_topic_rows([mid for mid, _ in chunk], model, topics, hits), run_id=stats.run_id)
        added += new
        stats.topics += new
        _committed(store, stats, "topics for %d of %d mentions", start + len(chunk), len(pending), progress)
    with stats.timed("store"):
        store.refresh_totals()
    return added


def _topic_rows(
    ids: list[str], model: SentimentModel, topics: TopicReader, hits: list[list[TopicHit]]
) -> list[tuple[str, str, str, str, str, float, str, float]]:
    return [
        (mid, model.model_id, model.version, topics.topic_set, h.topic, h.confidence, h.label, h.score)
        for mid, per_text in zip(ids, hits, strict=True)
        for h in per_text
    ]


def topics_failed(stats: RunStats, err: BaseException | str) -> None:
    """Count a topic failure (the exception, or its text as :func:`error_text` wrote it) in the run's
    stats; the night goes on with its scores."""
    stats.skipped["topics_failed"] += 1
    stats.topics_error = err if isinstance(err, str) else error_text(err)


def error_text(err: BaseException) -> str:
    """How a run records an error: ``Type: message``."""
    return f"{type(err).__name__}: {err}"


def _committed(
    store: Store, stats: RunStats, message: str, reached: int, total: int, progress: Progress | None
) -> None:
    """After a batch is committed: the run row's counters (a crash leaves true totals), a log line with
    ``message`` % (reached, total), and the progress bar."""
    store.update_run(stats.run_id, stats=stats.as_row())
    log.info(message, reached, total)
    if progress:
        progress(reached, total)


def detect_alerts(store: Store, monitor: MonitorConfig, stats: RunStats) -> list[Alert]:
    """Run the alert rules on the stored scores and topics, explain what fired, store the new alerts."""
    rules = monitor.alerts
    days = history_days(rules)
    start = stats.as_of - timedelta(days=days - 1)
    scopes = alert_scopes(monitor)
    counts = from_daily_rows(store.daily_counts(start, stats.as_of), scopes, stats.as_of, days)
    topic_rows = store.daily_topic_negative(start, stats.as_of)
    topics = sorted({r[3] for r in topic_rows})
    topic_negative = from_topic_rows(topic_rows, topics, scopes, stats.as_of, days)
    last = store.last_alert_days(stats.as_of - timedelta(days=max(rules.cooldown_days, 1)))
    found = [_explain(store, f, stats.as_of) for f in find(counts, topic_negative, topics, rules, last)]
    firing = {(a.rule, a.brand, a.location, a.topic) for a in found}
    for row in store.unresolved_alerts(stats.as_of):
        key = (row["rule"], row["brand"], row["location"], row["topic"])
        why = None if key in firing else recovery(row, counts, topic_negative, topics, rules)
        if why is not None:
            store.resolve_alert(row["id"], stats.as_of, why)
            log.info("alert %s resolved: %s", row["id"], why)
    found += _themes(store, monitor, stats.as_of, last)
    model = store.active_model() or ("none", "none")
    new = store.insert_alerts(found, run_id=stats.run_id, model=model)
    stats.alerts += len(new)
    stats.new_alerts.extend(new)
    store.update_run(stats.run_id, stats=stats.as_row())
    log.info("alerts: %d found, %d new", len(found), len(new))
    return new


def _themes(
    store: Store, monitor: MonitorConfig, as_of: date, last: dict[tuple[str, str, str | None, str | None], date]
) -> list[Alert]:
    """Emerging themes among the recent negative mentions no topic covers (:mod:`sentiment.alerts.themes`);
    the sentence encoder is loaded only when there are enough such mentions to make one, and some of
    their texts were not embedded on an earlier night (:class:`ThemeEmbed`)."""
    rules = monitor.alerts
    watched = {brand for brand, location in alert_scopes(monitor) if location is None}
    start = as_of - timedelta(days=rules.theme_days - 1)
    recent = [ThemeMention(*r) for r in store.other_negatives(start, as_of) if r[1] in watched]
    if len(recent) < rules.theme_min_mentions:
        return []
    earlier_start = start - timedelta(days=EARLIER_DAYS)
    earlier = [ThemeMention(*r) for r in store.other_negatives(earlier_start, start - timedelta(days=1))]
    embed = ThemeEmbed(store, monitor.model.cache_dir)
    centre = _theme_centre(embed.encoder_dir, embed.encode)
    themes = find_themes(recent, earlier, embed, centre, min_mentions=rules.theme_min_mentions,
                         min_authors=rules.theme_min_authors, similarity=rules.theme_similarity)  # fmt: skip
    embed.keep()
    log.info("emerging themes: %d texts embedded, %d kept from earlier nights", embed.embedded, embed.reused)
    return [
        theme_alert(theme, as_of, rules.theme_days)
        for theme in themes
        if not in_cooldown(last, (RULE_EMERGING_THEME, theme.brand, theme.location, None), as_of, rules)
    ]


class ThemeEmbed:
    """The emerging-theme rule's ``embed``: e5 vectors of texts, kept in the store from night to night.

    The rule's window (35 days of complaints no topic covers, with the default ``theme_days``) moves
    by a day a night, so nearly every text in it was embedded the night before: only texts not seen
    then load and run the encoder.
    :meth:`keep` stores tonight's new vectors and drops those the window has left behind."""

    PREFIX = "query: "

    def __init__(self, store: Store, cache_dir: str | None) -> None:
        self._store = store
        self.encoder_dir = ensure_encoder(cache_dir)
        kept = store.theme_vectors(self.encoder_dir.name)
        self._vectors = {key: np.frombuffer(vector, dtype="<f4") for key, vector in kept.items()}
        self._kept = set(self._vectors)
        self._used: set[str] = set()
        self._encoder: E5Encoder | None = None

    @property
    def embedded(self) -> int:
        """The rule's texts run through the encoder tonight."""
        return len(self._vectors) - len(self._kept)

    @property
    def reused(self) -> int:
        """The rule's texts read tonight whose vector an earlier night kept."""
        return len(self._used & self._kept)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` now, without the kept vectors (the encoder is loaded on first use)."""
        if self._encoder is None:
            self._encoder = E5Encoder(self.encoder_dir)
        return self._encoder.embed(texts, prefix=self.PREFIX)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha256((self.PREFIX + text).encode("utf-8")).hexdigest() for text in texts]
        missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in self._vectors}
        if missing:
            self._vectors.update(zip(missing, self.encode(list(missing.values())), strict=True))
        self._used.update(keys)
        return np.stack([self._vectors[key] for key in keys])

    def keep(self) -> None:
        """Store the vectors embedded tonight; drop those not read tonight."""
        new = {key: np.asarray(v, dtype="<f4").tobytes() for key, v in self._vectors.items() if key not in self._kept}
        self._store.keep_theme_vectors(self.encoder_dir.name, new, self._used)


def _theme_centre(encoder_dir: Path, embed: Callable[[Sequence[str]], np.ndarray]) -> np.ndarray:
    """:func:`reference_centre`, kept beside the encoder it was computed with: the same reference texts
    on the same encoder give the same mean, so the taxonomy's hundreds of texts need not be embedded
    again each night. A cache that cannot be written (a read-only model cache) is only logged."""
    texts = reference_texts()
    key = hashlib.sha256("\x1f".join(texts).encode()).hexdigest()[:16]
    path = encoder_dir / f"theme-centre-{key}.npy"
    try:
        return np.asarray(np.load(path), dtype=np.float64)
    except (OSError, ValueError):
        pass
    centre = reference_centre(embed, texts)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as out:
            np.save(out, centre)
        os.replace(tmp, path)
    except OSError as err:
        with suppress(OSError):
            tmp.unlink()
        log.warning("could not keep the theme centre in %s: %s", path, err)
    return centre


def _explain(store: Store, f: Finding, as_of: date) -> Alert:
    """The alert for a finding, with its quotes, topics, sources and languages from the store."""
    recent, baseline = (f.recent_start, f.recent_end), (f.baseline_start, f.baseline_end)
    rows = store.window_scores(*recent, brand=f.brand, location=f.location)
    quote_ids = store.topic_mentions(f.brand, f.location, f.topic, *recent) if f.topic else None
    return make_alert(
        f, as_of, rows,
        topics=store.topic_counts(f.brand, f.location, recent, baseline),
        sources=store.breakdown("source", f.brand, f.location, recent, baseline),
        languages=store.breakdown("lang", f.brand, f.location, recent, baseline),
        quote_ids=quote_ids,
    )  # fmt: skip


def send_notifications(
    store: Store, monitor: MonitorConfig, stats: RunStats, transport: httpx.BaseTransport | None = None
) -> dict[str, int]:
    transport = transport or netguard.transport(allow_private=monitor.http.allow_private_addresses)
    log.info("notifying %d channel(s)", len(monitor.channels))
    with httpx.Client(transport=transport, headers={"User-Agent": monitor.http.user_agent}) as client:
        counts = notify(store, monitor.channels, client, run_id=stats.run_id)
    stats.notifications += counts["sent"]
    stats.channels_attempted = counts["channels_attempted"]
    stats.channels_failed = counts["channels_failed"]
    if counts["failed"]:
        stats.skipped["notification_failed"] += counts["failed"]
    store.update_run(stats.run_id, stats=stats.as_row())
    return counts


def finish(store: Store, stats: RunStats, publish_to: Path | None = None) -> None:
    """Close the run and publish the analysts' copy; a publish that fails makes the run ``failed``.

    The run is closed first so the published copy shows its final status; if publishing then fails,
    the run's row says so and the error propagates (the night failed: analysts would read stale data).
    """
    store.refresh_totals()  # rows of a stage that failed before it counted them
    store.finish_run(stats.run_id, status=stats.status, stats=stats.as_row())
    if publish_to is None:
        return
    log.info("publishing the read copy %s", publish_to)
    try:
        store.publish(publish_to)
    except Exception as err:
        store.finish_run(stats.run_id, status="failed", stats=stats.as_row(), error=f"publish failed: {err}")
        raise


def interrupted(store: Store, stats: RunStats, err: BaseException, *, signal: int | None = None) -> None:
    """Close a run that a signal, a crash or a bug stopped, with the counts it had reached:
    ``interrupted`` when a signal stopped it (SIGTERM, SIGINT: the orchestrator passes which),
    ``failed`` otherwise."""
    if signal is not None:
        status, error = "interrupted", f"stopped by signal {Signals(signal).name}"
    else:
        status, error = "failed", error_text(err)
    store.finish_run(stats.run_id, status=status, stats=stats.as_row(), error=error)


def published_path(database: Path) -> Path:
    """Where analysts read: ``monitor.duckdb`` -> ``monitor.read.duckdb``, replaced atomically per run."""
    return database.with_name(f"{database.stem}.read{database.suffix}")
