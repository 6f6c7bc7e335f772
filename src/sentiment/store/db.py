"""The DuckDB store: one file, versioned SQL schema, idempotent writes.

Idempotence is the contract that lets a night be re-run or a backfill overlap the last night without
double counting: a mention's primary key derives from its source and the source's own id, scores are
keyed by (mention, model, version), topics by (mention, model, version, topic set, topic), alerts by a
deterministic id and notifications by (alert, channel).
Every insert is ``ON CONFLICT DO NOTHING`` after reading which keys already exist, so the counts a run
reports ("new mentions") are the rows it really added.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from sentiment import redact
from sentiment.errors import StoreError
from sentiment.records import (
    Alert,
    BackfillProgress,
    Breakdown,
    Mention,
    Score,
    SourceRun,
    SurveyResponse,
    TopicCounts,
    WindowRow,
)

SCHEMA_FILES = (
    "001_init.sql", "002_views.sql", "003_parent_id.sql", "004_topics.sql", "005_run_topics.sql", "006_hardening.sql",
    "007_alert_rules.sql", "008_near_dups.sql", "009_comments.sql", "010_surveys.sql", "011_column_comments.sql",
    "012_backfill.sql", "013_daily_totals.sql", "014_theme_vectors.sql",
)  # fmt: skip
SCHEMA_VERSION = len(SCHEMA_FILES)
_SALT_ENV = "SENTIMENT_AUTHOR_SALT"
_MENTION_COLUMNS = (
    "id, source, source_item_id, brand, location, url, title, text, lang, platform_lang, author_hash, published_at, "
    "published_date, rating, content_hash, duplicate_of, first_run_id, fetched_at, parent_id, truncated"
)
_SCORE_COLUMNS = (
    "mention_id, model_id, model_version, label, p_negative, p_neutral, p_positive, score, scored_at, run_id, truncated"
)
_TOPIC_COLUMNS = "mention_id, model_id, model_version, topic_set, topic, confidence, label, score, assigned_at, run_id"
#: The counters of a run row, as :class:`~sentiment.pipeline.RunStats` reports them.
RUN_COUNTERS = (
    "fetched", "new_mentions", "duplicates", "scored", "topics", "alerts", "notifications", "sources_ok",
    "sources_failed",
)  # fmt: skip
#: Run counter -> the rows that carry a run's id ($r) and count for it: what a dead run really stored.
_ROWS_OF_A_RUN = {
    "new_mentions": "mentions WHERE first_run_id = $r",
    "duplicates": "mentions WHERE first_run_id = $r AND duplicate_of IS NOT NULL",
    "scored": "scores WHERE run_id = $r",
    "topics": "mention_topics WHERE run_id = $r",
    "alerts": "alerts WHERE run_id = $r",
    "notifications": "notifications WHERE run_id = $r",
    "sources_ok": "source_runs WHERE run_id = $r AND status <> 'failed'",
    "sources_failed": "source_runs WHERE run_id = $r AND status = 'failed'",
}


def _sql(name: str) -> str:
    return resources.files("sentiment.store").joinpath("sql", name).read_text(encoding="utf-8")


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """A connection to the monitor's DuckDB file, migrated to the current schema on open."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        if not read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(
                    f"cannot create the folder of database {str(self.path)!r}: {err.strerror}; "
                    "allowed: a path in a folder this user can write"
                ) from None
            if not os.access(self.path.parent, os.W_OK):
                raise StoreError(
                    f"cannot write database {str(self.path)!r}: folder {str(self.path.parent)!r} is not writable; "
                    "allowed: a path in a folder this user can write (the database and its .wal live there)"
                )
        elif not self.path.exists():
            raise StoreError(f"database {str(self.path)!r} does not exist; run the monitor first")
        self._in_transaction = False
        self._salt: str | None = None
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except (duckdb.IOException, duckdb.PermissionException) as err:
            raise StoreError(f"cannot open database {str(self.path)!r}: {err}") from None
        self.con.execute("SET TimeZone = 'UTC'")
        if not read_only:
            self.migrate()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # -- schema ---------------------------------------------------------------------------------------

    def schema_version(self) -> int:
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'settings'"
        ).fetchone()
        if not exists or not exists[0]:
            return 0
        row = self.con.execute("SELECT value FROM settings WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def migrate(self) -> None:
        """Apply the SQL files past the stored version, each in one transaction."""
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"database {str(self.path)!r} has schema version {current}, newer than this program's "
                f"{SCHEMA_VERSION}; allowed: upgrade the program"
            )
        for number, name in enumerate(SCHEMA_FILES, start=1):
            if number <= current:
                continue
            with self.transaction():
                self.con.execute(_sql(name))
                self.con.execute("INSERT OR REPLACE INTO settings VALUES ('schema_version', ?)", [str(number)])
        if current < SCHEMA_VERSION:
            self.refresh_totals()  # a store from before the daily totals gets them from its stored rows

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction; inside another, part of that one (its writes commit or roll back with it)."""
        if self._in_transaction:
            yield
            return
        self.con.execute("BEGIN TRANSACTION")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")
        finally:
            self._in_transaction = False

    # -- settings -------------------------------------------------------------------------------------

    def author_salt(self) -> str:
        """The salt for author hashes: from ``SENTIMENT_AUTHOR_SALT`` or generated once per database."""
        env = redact.env_secret(_SALT_ENV)
        if env:
            return env
        if self._salt is None:
            row = self.con.execute("SELECT value FROM settings WHERE key = 'author_salt'").fetchone()
            if row is None:
                self.con.execute(
                    "INSERT INTO settings VALUES ('author_salt', ?) ON CONFLICT DO NOTHING", [secrets.token_hex(16)]
                )
                row = self.con.execute("SELECT value FROM settings WHERE key = 'author_salt'").fetchone()
            if row is None:
                raise StoreError("the author salt could not be stored; allowed: a database this user can write")
            self._salt = str(row[0])
        return self._salt

    # -- models ---------------------------------------------------------------------------------------

    def activate_model(self, model_id: str, model_version: str) -> None:
        """Make this model version the one the views read; older versions' scores stay."""
        with self.transaction():
            self.con.execute("UPDATE models SET active = false WHERE active")
            self.con.execute(
                "INSERT INTO models VALUES (?, ?, true, ?) ON CONFLICT DO UPDATE SET active = true",
                [model_id, model_version, _now()],
            )

    def active_model(self) -> tuple[str, str] | None:
        row = self.con.execute("SELECT model_id, model_version FROM models WHERE active").fetchone()
        return (str(row[0]), str(row[1])) if row else None

    # -- mentions -------------------------------------------------------------------------------------

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are stored. ``list_contains`` on the bound list, not ``IN (SELECT unnest(?))``,
        which DuckDB runs as a hash join over every stored id whatever the number looked up;
        ``bench/history.py`` times this one at 10 million mentions."""
        ids = list(set(ids))
        if not ids:
            return set()
        rows = self.con.execute("SELECT id FROM mentions WHERE list_contains(?, id)", [ids]).fetchall()
        return {str(r[0]) for r in rows}

    def first_copies(self, content_hashes: Iterable[str]) -> dict[str, str]:
        """For each content hash already stored, the id of its first (original) copy."""
        hashes = list(set(content_hashes))
        if not hashes:
            return {}
        rows = self.con.execute(
            "SELECT content_hash, arg_min(id, fetched_at) FROM mentions "
            "WHERE duplicate_of IS NULL AND content_hash IN (SELECT unnest(?)) GROUP BY content_hash",
            [hashes],
        ).fetchall()
        return {str(h): str(i) for h, i in rows}

    def near_copies(self, band_keys: Iterable[int]) -> dict[str, tuple[str | None, bytes]]:
        """First copies stored earlier that share a band key: id -> (brand, MinHash signature bytes)."""
        keys = sorted(set(band_keys))
        if not keys:
            return {}
        rows = self.con.execute(
            "SELECT s.mention_id, s.brand, s.signature FROM minhash_signatures s WHERE s.mention_id IN "
            "(SELECT mention_id FROM minhash_bands WHERE band IN (SELECT unnest(?)))",
            [keys],
        ).fetchall()
        return {str(i): (b, bytes(sig)) for i, b, sig in rows}

    def insert_survey_responses(self, rows: Sequence[SurveyResponse]) -> int:
        """Store survey responses not stored yet (by id); returns how many were new."""
        if not rows:
            return 0
        before = self._count("survey_responses")
        now = _now()
        with self.transaction():
            self._insert(
                "survey_responses",
                [(r.id, r.survey, r.brand, r.location, r.responded_on, r.nps, r.csat, r.verbatim, now) for r in rows],
            )
        return self._count("survey_responses") - before

    def insert_mentions(self, mentions: Sequence[Mention], *, run_id: str, tz: ZoneInfo) -> int:
        """Insert mentions not stored yet; return how many were new. Raw author names are never written."""
        existing = self.existing_ids(m.id for m in mentions)
        fetched_at = _now()
        rows = []
        seen: set[str] = set()
        for m in mentions:
            if m.id in existing or m.id in seen:
                continue
            if m.content_hash is None:
                raise StoreError(f"mention {m.id} has no content_hash; run the text stage before storing")
            seen.add(m.id)
            local_day = m.published_at.astimezone(tz).date() if m.published_at else None
            rows.append(
                (
                    m.id, m.source, m.source_item_id, m.brand, m.location, m.url, m.title, m.text, m.lang,
                    m.platform_lang, m.author_hash, m.published_at, local_day, m.rating, m.content_hash,
                    m.duplicate_of, run_id, fetched_at, m.parent_id, m.truncated,
                )
            )  # fmt: skip
        signed = [m for m in mentions if m.id in seen and m.minhash is not None and m.duplicate_of is None]
        if rows:
            with self.transaction():
                self._insert(f"mentions ({_MENTION_COLUMNS})", rows)
                if signed:
                    self._insert("minhash_signatures", [(m.id, m.brand, m.minhash) for m in signed])
                    self._insert(
                        "minhash_bands", [(key, m.id) for m in signed for key in m.band_keys], on_conflict=False
                    )
        return len(rows)

    def _insert(
        self, target: str, rows: Sequence[Sequence[object]], *, on_conflict: bool = True, replace: bool = False
    ) -> None:
        """Insert ``rows`` into ``target`` (a table, with its column list where needed) in one statement:
        each column's values are bound as one list and unnested. DuckDB's ``executemany`` runs the statement
        once per row (about 6 ms a row here: 10 s for a night's 1,500 mentions); this takes 0.05 ms."""
        if not rows:
            return
        columns = [list(column) for column in zip(*rows, strict=True)]
        select = ", ".join(f"unnest(${i + 1})" for i in range(len(columns)))
        conflict = " ON CONFLICT DO NOTHING" if on_conflict else ""
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        self.con.execute(f"{verb} INTO {target} SELECT {select}{conflict}", columns)

    def unscored(self, model_id: str, model_version: str) -> list[tuple[str, str]]:
        """(id, text) of original mentions this model version has not scored, in a stable order."""
        rows = self.con.execute(
            "SELECT m.id, m.text FROM mentions m WHERE m.duplicate_of IS NULL AND NOT EXISTS ("
            " SELECT 1 FROM scores s WHERE s.mention_id = m.id AND s.model_id = ? AND s.model_version = ?)"
            " ORDER BY m.id",
            [model_id, model_version],
        ).fetchall()
        return [(str(i), str(t)) for i, t in rows]

    def insert_scores(self, scores: Sequence[Score], *, run_id: str) -> int:
        if not scores:
            return 0
        now = _now()
        rows = [
            (s.mention_id, s.model_id, s.model_version, s.label, s.p_negative, s.p_neutral, s.p_positive,
             s.score, now, run_id, s.truncated)
            for s in scores
        ]  # fmt: skip
        before = self._count("scores")
        with self.transaction():
            self._insert(f"scores ({_SCORE_COLUMNS})", rows)
        return self._count("scores") - before

    def refresh_totals(self) -> tuple[int, int]:
        """Append the sums of the scores and topic rows stored since the last refresh to the daily totals
        and mark them counted, in one transaction (a crash leaves both as they were). Returns (scores,
        topic rows) counted.

        Figures never depend on it: the views read the rows not counted yet as well (``pending_*_totals``).
        It keeps those few, so that queries read sums instead of joining every mention with its score. The
        stages that store scores or topics call it when they end; rows of a run that died before are
        counted by the next refresh. It reads only the rows not counted yet, so it costs little."""
        with self.transaction():
            scores = self._count("scores", "NOT totalled")
            topics = self._count("mention_topics", "NOT totalled")
            if scores:
                self.con.execute("INSERT INTO daily_score_totals SELECT * FROM pending_score_totals")
                self.con.execute("UPDATE scores SET totalled = true WHERE NOT totalled")
            if topics:
                self.con.execute("INSERT INTO daily_topic_totals SELECT * FROM pending_topic_totals")
                self.con.execute("UPDATE mention_topics SET totalled = true WHERE NOT totalled")
        return scores, topics

    def without_topics(self, model_id: str, model_version: str, topic_set: str) -> list[tuple[str, str]]:
        """(id, text) of originals scored by this model but without topics from this set."""
        rows = self.con.execute(
            "SELECT m.id, m.text FROM mentions m "
            "JOIN scores s ON s.mention_id = m.id AND s.model_id = ? AND s.model_version = ? "
            "WHERE m.duplicate_of IS NULL AND NOT EXISTS (SELECT 1 FROM mention_topics t WHERE t.mention_id = m.id "
            " AND t.model_id = s.model_id AND t.model_version = s.model_version AND t.topic_set = ?) ORDER BY m.id",
            [model_id, model_version, topic_set],
        ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def insert_topics(self, rows: Sequence[tuple[str, str, str, str, str, float, str, float]], *, run_id: str) -> int:
        """Rows of (mention_id, model_id, model_version, topic_set, topic, confidence, label, score)."""
        if not rows:
            return 0
        now = _now()
        before = self._count("mention_topics")
        with self.transaction():
            self._insert(f"mention_topics ({_TOPIC_COLUMNS})", [(*r, now, run_id) for r in rows])
            # The sets of the rows this call stored (a re-run that stored none leaves the newest set as it was).
            self.con.execute(
                "INSERT INTO topic_sets SELECT model_id, model_version, topic_set, max(assigned_at) FROM mention_topics "
                "WHERE assigned_at = ? GROUP BY ALL "
                "ON CONFLICT DO UPDATE SET last_assigned = greatest(last_assigned, excluded.last_assigned)",
                [now],
            )
        return self._count("mention_topics") - before

    def _count(self, table: str, condition: str = "true") -> int:
        row = self.con.execute(f"SELECT count(*) FROM {table} WHERE {condition}").fetchone()
        return int(row[0]) if row else 0

    # -- source state ---------------------------------------------------------------------------------

    def cursor(self, source: str) -> dict[str, Any] | None:
        return self.cursors([source])[source]

    def cursors(self, sources: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        """Each of ``sources``' stored cursor (None when it has none), in one query."""
        rows = self.con.execute(
            "SELECT source, cursor FROM source_state WHERE source IN (SELECT unnest(?))", [list(sources)]
        ).fetchall()
        stored = {str(source): json.loads(cursor) for source, cursor in rows if cursor}
        return {source: stored.get(source) for source in sources}

    def save_cursor(self, source: str, cursor: dict[str, Any] | None, *, run_id: str) -> None:
        self.save_cursors({source: cursor}, run_id=run_id)

    def save_cursors(self, cursors: dict[str, dict[str, Any] | None], *, run_id: str) -> None:
        """Each source's cursor (None: leave what is stored), in one statement."""
        rows = [
            (source, json.dumps(cursor, sort_keys=True)) for source, cursor in cursors.items() if cursor is not None
        ]
        if not rows:
            return
        sources, values = (list(column) for column in zip(*rows, strict=True))
        self.con.execute(
            "INSERT INTO source_state SELECT unnest($1), unnest($2), $3, $4 ON CONFLICT DO UPDATE SET "
            "cursor = excluded.cursor, updated_at = excluded.updated_at, run_id = excluded.run_id",
            [sources, values, _now(), run_id],
        )

    # -- runs -----------------------------------------------------------------------------------------

    def backfill_progress(self, file_sha256: str, source: str) -> BackfillProgress | None:
        """How far the file with these bytes has been imported for ``source``; None when never started."""
        row = self.con.execute(
            "SELECT rows_done, skipped, finished FROM backfill_progress WHERE file_sha256 = ? AND source = ?",
            [file_sha256, source],
        ).fetchone()
        if row is None:
            return None
        return BackfillProgress(int(row[0]), {k: int(v) for k, v in json.loads(row[1]).items()}, row[2])

    def save_backfill_progress(
        self, file_sha256: str, source: str, path: str, progress: BackfillProgress, *, run_id: str
    ) -> None:
        self.con.execute(
            "INSERT OR REPLACE INTO backfill_progress VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [file_sha256, source, path, progress.rows_done, json.dumps(progress.skipped),
             progress.finished, run_id, _now()],
        )  # fmt: skip

    def start_run(self, run_id: str, *, as_of: date, config_sha256: str) -> list[str]:
        """Record a new run, after closing the runs a dead process left ``running``; return those.

        DuckDB lets one process write a file at a time, so a ``running`` row seen by a process that
        holds the write lock belongs to a process that died (kill -9, power loss, OOM killer).
        """
        closed = self.close_stale_runs(closed_by=run_id)
        self.con.execute(
            "INSERT INTO runs (run_id, started_at, status, as_of, config_sha256) VALUES (?, ?, 'running', ?, ?)",
            [run_id, _now(), as_of, config_sha256],
        )
        return closed

    def close_stale_runs(self, *, closed_by: str) -> list[str]:
        """Mark ``running`` runs ``interrupted`` with the counts of the rows they really wrote.

        The counters a run kept as it went stop wherever it died; the rows it committed carry its
        run id, so the closed record says what it actually stored (``fetched`` and ``skipped`` have no
        rows behind them and keep their last written values).
        """
        stale = [str(r[0]) for r in self.con.execute("SELECT run_id FROM runs WHERE status = 'running'").fetchall()]
        counted = ", ".join(f"(SELECT count(*) FROM {rows}) AS {name}" for name, rows in _ROWS_OF_A_RUN.items())
        for run_id in stale:
            row = self.con.execute(f"SELECT {counted}", {"r": run_id}).fetchone()
            assert row is not None
            counts = dict(zip(_ROWS_OF_A_RUN, row, strict=True))
            self.con.execute(
                "UPDATE runs SET status = 'interrupted', finished_at = ?, error = ?, "
                + ", ".join(f"{k} = ?" for k in counts)
                + " WHERE run_id = ?",
                [_now(), f"the process ended before the run finished; closed by run {closed_by}", *counts.values(),
                 run_id],
            )  # fmt: skip
        return stale

    def record_source_run(
        self, run_id: str, source: str, *, status: str, pages: int, fetched: int, new: int,
        skipped: dict[str, int], error: str | None,
    ) -> None:  # fmt: skip
        self.record_source_runs(run_id, [SourceRun(source, status, pages, fetched, new, skipped, error)])

    def record_source_runs(self, run_id: str, runs: Sequence[SourceRun]) -> None:
        """What each source did in this run, in one statement (a rerun of a source replaces its row)."""
        if not runs:
            return
        rows = [(run_id, r.source, r.status, r.pages, r.fetched, r.new_mentions, json.dumps(r.skipped, sort_keys=True), r.error)
                for r in runs]  # fmt: skip
        self._insert("source_runs", rows, on_conflict=False, replace=True)

    def update_run(self, run_id: str, *, stats: dict[str, Any]) -> None:
        """Write a running run's counters as its work commits, so a crash leaves true totals behind."""
        self._write_run(run_id, stats, status=None, error=None)

    def finish_run(self, run_id: str, *, status: str, stats: dict[str, Any], error: str | None = None) -> None:
        self._write_run(run_id, stats, status=status, error=error)

    def _write_run(self, run_id: str, stats: dict[str, Any], *, status: str | None, error: str | None) -> None:
        unknown = set(stats) - set(RUN_COUNTERS) - {"skipped"}
        if unknown:
            raise StoreError(f"unknown run statistics {sorted(unknown)}; allowed: {sorted(RUN_COUNTERS)}")
        fields = {k: stats[k] for k in RUN_COUNTERS if k in stats}
        fields["skipped"] = json.dumps(stats.get("skipped", {}), sort_keys=True)
        if status is not None:
            fields |= {"status": status, "finished_at": _now(), "error": error}
        self.con.execute(
            f"UPDATE runs SET {', '.join(f'{k} = ?' for k in fields)} WHERE run_id = ?", [*fields.values(), run_id]
        )

    def run_status(self, run_id: str) -> str | None:
        row = self.con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone()
        return str(row[0]) if row else None

    # -- alerts ---------------------------------------------------------------------------------------

    def topic_counts(
        self, brand: str, location: str | None, recent: tuple[date, date], baseline: tuple[date, date]
    ) -> list[TopicCounts]:
        """Per topic (not ``other``) of the active model and topic set: mentions and negative mentions
        of a brand (or one of its locations) in the recent and the baseline window."""
        rows = self.con.execute(
            "SELECT t.topic, "
            "count(*) FILTER (WHERE m.published_date BETWEEN ? AND ?), "
            "count(*) FILTER (WHERE m.published_date BETWEEN ? AND ? AND t.label = 'negative'), "
            "count(*) FILTER (WHERE m.published_date BETWEEN ? AND ?), "
            "count(*) FILTER (WHERE m.published_date BETWEEN ? AND ? AND t.label = 'negative') "
            "FROM active_topics t JOIN mentions m ON m.id = t.mention_id AND m.duplicate_of IS NULL "
            "WHERE t.topic <> 'other' AND m.brand = ? AND (? IS NULL OR m.location = ?) "
            "AND m.published_date BETWEEN ? AND ? GROUP BY t.topic ORDER BY t.topic",
            [*recent, *recent, *baseline, *baseline, brand, location, location, baseline[0], recent[1]],
        ).fetchall()
        return [TopicCounts(str(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]

    def window_scores(
        self, start: date, end: date, *, brand: str | None = None, location: str | None = None
    ) -> list[WindowRow]:
        """The scored originals with start <= day <= end (an alert's quotes are chosen from them)."""
        sql = (
            "SELECT brand, location, published_date, score, id, text, label FROM scored_mentions "
            "WHERE score IS NOT NULL AND published_date BETWEEN ? AND ?"
        )
        params: list[Any] = [start, end]
        if brand is not None:
            sql += " AND brand = ?"
            params.append(brand)
        if location is not None:
            sql += " AND location = ?"
            params.append(location)
        return [WindowRow(*r) for r in self.con.execute(sql + " ORDER BY id", params).fetchall()]

    def sentiment_windows(
        self, recent: tuple[date, date], baseline: tuple[date, date]
    ) -> list[tuple[str, str | None, int, float | None, float | None, float | None, float | None]]:
        """Per brand (all its mentions, location NULL) and per brand and location: scored mentions, mean
        score and share negative in ``recent``, mean score in ``baseline``, mean stars in ``recent``."""
        rows = []
        for location, where in (("NULL::VARCHAR", ""), ("location", "AND location IS NOT NULL")):
            rows += self.con.execute(
                f"SELECT brand, {location}, "
                "count(*) FILTER (WHERE published_date BETWEEN $rs AND $re), "
                "avg(score) FILTER (WHERE published_date BETWEEN $rs AND $re), "
                "avg(score) FILTER (WHERE published_date BETWEEN $bs AND $be), "
                "avg(CASE WHEN label = 'negative' THEN 1.0 ELSE 0.0 END) FILTER (WHERE published_date BETWEEN $rs AND $re), "
                "avg(rating) FILTER (WHERE published_date BETWEEN $rs AND $re) "
                f"FROM scored_mentions WHERE score IS NOT NULL AND brand IS NOT NULL {where} "
                "GROUP BY ALL ORDER BY brand, 2 NULLS FIRST",
                {"rs": recent[0], "re": recent[1], "bs": baseline[0], "be": baseline[1]},
            ).fetchall()
        return [tuple(r) for r in rows]

    def daily_counts(self, start: date, end: date) -> list[tuple[str, str | None, date, int, int, float, float]]:
        """(brand, location, day, mentions, negative, score sum, score sum of squares) of scored originals,
        per brand, location and day, start <= day <= end: what the alert rules read."""
        rows = self.con.execute(
            "SELECT nullif(t.brand, ''), nullif(t.location, ''), t.day, sum(t.mentions), sum(t.negative), "
            "sum(t.score_sum), sum(t.score_sq_sum) FROM active_score_totals t "
            "WHERE t.day BETWEEN ? AND ? GROUP BY ALL ORDER BY ALL",
            [start, end],
        ).fetchall()
        return [(str(r[0]), r[1], r[2], int(r[3]), int(r[4]), float(r[5]), float(r[6])) for r in rows]

    def daily_topic_negative(self, start: date, end: date) -> list[tuple[str, str | None, date, str, int]]:
        """(brand, location, day, topic, aspect-negative mentions) of the active topics (not ``other``)."""
        rows = self.con.execute(
            "SELECT nullif(t.brand, ''), nullif(t.location, ''), t.day, t.topic, sum(t.negative) "
            "FROM active_topic_totals t "
            "WHERE t.topic <> 'other' AND t.day BETWEEN ? AND ? GROUP BY ALL HAVING sum(t.negative) > 0 ORDER BY ALL",
            [start, end],
        ).fetchall()
        return [(str(r[0]), r[1], r[2], str(r[3]), int(r[4])) for r in rows]

    def breakdown(
        self, column: str, brand: str, location: str | None, recent: tuple[date, date], baseline: tuple[date, date]
    ) -> list[Breakdown]:
        """Per ``source`` or ``lang``: mentions and negative mentions of a scope in both alert windows."""
        if column not in {"source", "lang"}:
            raise ValueError(f"breakdown column {column!r}; allowed: source, lang")
        rows = self.con.execute(
            f"SELECT coalesce({column}, 'unknown'), "
            "count(*) FILTER (WHERE published_date BETWEEN ? AND ?), "
            "count(*) FILTER (WHERE published_date BETWEEN ? AND ? AND label = 'negative'), "
            "count(*) FILTER (WHERE published_date BETWEEN ? AND ?), "
            "count(*) FILTER (WHERE published_date BETWEEN ? AND ? AND label = 'negative') "
            "FROM scored_mentions WHERE score IS NOT NULL AND brand = ? AND (? IS NULL OR location = ?) "
            "GROUP BY 1 HAVING count(*) FILTER (WHERE published_date BETWEEN ? AND ?) > 0 ORDER BY 1",
            [*recent, *recent, *baseline, *baseline, brand, location, location, *recent],
        ).fetchall()
        return [Breakdown(str(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]

    def other_negatives(
        self, start: date, end: date
    ) -> list[tuple[str, str, str | None, date, str, str | None, float]]:
        """(id, brand, location, day, text, author hash, score) of negative scored originals whose only
        active topic is ``other``, start <= day <= end: what the emerging-theme rule groups."""
        rows = self.con.execute(
            "SELECT m.id, m.brand, m.location, m.published_date, m.text, mt.author_hash, m.score "
            "FROM scored_mentions m JOIN mentions mt ON mt.id = m.id "
            "WHERE m.label = 'negative' AND m.brand IS NOT NULL AND m.published_date BETWEEN ? AND ? "
            "AND EXISTS (SELECT 1 FROM active_topics t WHERE t.mention_id = m.id AND t.topic = 'other') "
            "AND NOT EXISTS (SELECT 1 FROM active_topics t WHERE t.mention_id = m.id AND t.topic <> 'other') "
            "ORDER BY m.id",
            [start, end],
        ).fetchall()
        return [(str(r[0]), str(r[1]), r[2], r[3], str(r[4]), r[5], float(r[6])) for r in rows]

    def theme_vectors(self, encoder: str) -> dict[str, bytes]:
        """The emerging-theme rule's kept vectors of ``encoder``: text sha256 -> float32 bytes."""
        rows = self.con.execute("SELECT text_sha256, vector FROM theme_vectors WHERE encoder = ?", [encoder]).fetchall()
        return {str(key): bytes(vector) for key, vector in rows}

    def keep_theme_vectors(self, encoder: str, new: dict[str, bytes], used: Iterable[str]) -> None:
        """Add the vectors embedded tonight and drop every other one not read tonight (older texts, other
        encoders): the table holds one night's window, not the history."""
        with self.transaction():
            self._insert("theme_vectors", [(key, encoder, vector) for key, vector in new.items()])
            self.con.execute(
                "DELETE FROM theme_vectors WHERE encoder <> ? OR text_sha256 NOT IN (SELECT unnest(?))",
                [encoder, sorted(set(used) | set(new))],
            )

    def topic_mentions(self, brand: str, location: str | None, topic: str, start: date, end: date) -> set[str]:
        """Ids of a scope's mentions read as negative about ``topic`` between start and end."""
        rows = self.con.execute(
            "SELECT t.mention_id FROM active_topics t JOIN mentions m ON m.id = t.mention_id "
            "WHERE t.topic = ? AND t.label = 'negative' AND m.brand = ? AND (? IS NULL OR m.location = ?) "
            "AND m.published_date BETWEEN ? AND ?",
            [topic, brand, location, location, start, end],
        ).fetchall()
        return {str(r[0]) for r in rows}

    def last_alert_days(self, since: date) -> dict[tuple[str, str, str | None, str | None], date]:
        """(rule, brand, location, topic) -> the last day an alert was stored for it, on or after ``since``
        (the rules' cool-down memory)."""
        rows = self.con.execute(
            "SELECT rule, brand, location, topic, max(as_of) FROM alerts WHERE as_of >= ? GROUP BY ALL", [since]
        ).fetchall()
        return {(str(r[0]), str(r[1]), r[2], r[3]): r[4] for r in rows}

    def insert_alerts(self, alerts: Sequence[Alert], *, run_id: str, model: tuple[str, str]) -> list[Alert]:
        """Store alerts whose id is new; return those (an alert is stored once, whatever the re-runs)."""
        existing = {
            str(r[0])
            for r in self.con.execute(
                "SELECT id FROM alerts WHERE id IN (SELECT unnest(?))", [[a.id for a in alerts]]
            ).fetchall()
        }
        new = [a for a in alerts if a.id not in existing]
        now = _now()
        columns = (
            "id, rule, scope, brand, location, as_of, recent_start, recent_end, baseline_start, baseline_end, "
            "n_recent, n_baseline, recent_mean, baseline_mean, effect, p_value, message, details, model_id, "
            "model_version, created_at, run_id, topic"
        )
        with self.transaction():
            for a in new:
                self.con.execute(
                    f"INSERT INTO alerts ({columns}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT DO NOTHING",
                    [
                        a.id, a.rule, a.scope, a.brand, a.location, a.as_of, a.recent_start, a.recent_end,
                        a.baseline_start, a.baseline_end, a.n_recent, a.n_baseline, a.recent_mean,
                        a.baseline_mean, a.effect, a.p_value, a.message, json.dumps(a.details, default=str),
                        model[0], model[1], now, run_id, a.topic,
                    ],
                )  # fmt: skip
        return new

    def _dicts(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        """The rows of a query as dicts keyed by column name."""
        cur = self.con.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def alerts_since(self, day: date) -> list[dict[str, Any]]:
        """Alerts whose run day is ``day`` or later, newest first (the ones still open for a summary)."""
        return self._dicts("SELECT * FROM alerts WHERE as_of >= ? ORDER BY as_of DESC, id", [day])

    def unsent_alerts(self, channel: str) -> list[dict[str, Any]]:
        """Stored alerts this channel has not acknowledged yet, oldest first."""
        return self._dicts(
            "SELECT * FROM alerts a WHERE NOT EXISTS "
            "(SELECT 1 FROM notifications n WHERE n.alert_id = a.id AND n.channel = ?) ORDER BY created_at, id",
            [channel],
        )

    def unresolved_alerts(self, before: date) -> list[dict[str, Any]]:
        """Alerts raised before ``before`` whose scope has not recovered yet."""
        return self._dicts("SELECT * FROM alerts WHERE resolved_on IS NULL AND as_of < ? ORDER BY as_of, id", [before])

    def resolve_alert(self, alert_id: str, day: date, resolution: str) -> None:
        self.con.execute(
            "UPDATE alerts SET resolved_on = ?, resolution = ? WHERE id = ? AND resolved_on IS NULL",
            [day, resolution, alert_id],
        )

    def unsent_resolutions(self, channel: str) -> list[dict[str, Any]]:
        """Resolved alerts this channel was sent but not told of their resolution (ledger id ``ID:resolved``)."""
        return self._dicts(
            "SELECT * FROM alerts a WHERE resolved_on IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM notifications n WHERE n.alert_id = a.id AND n.channel = ?) "
            "AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.alert_id = a.id || ':resolved' AND n.channel = ?) "
            "ORDER BY resolved_on, id",
            [channel, channel],
        )

    def record_notification(self, alert_id: str, channel: str, *, status: int, run_id: str) -> None:
        self.con.execute(
            "INSERT INTO notifications VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [alert_id, channel, _now(), status, run_id],
        )

    # -- publishing -----------------------------------------------------------------------------------

    def publish(self, destination: str | Path) -> Path:
        """Write a consistent read-only copy for analysts, replacing the old one atomically.

        DuckDB allows one writer per file; analysts who open the published copy are never locked out by
        the nightly run and never see a half-written night. Whatever was left beside the copy is
        dealt with: a stale ``.tmp`` of a publish that died, and a ``.wal`` written by an analyst who
        opened the copy without ``read_only`` (DuckDB would replay that log into the new copy and
        refuse to open it, night after night). The new copy must open read-only before it replaces the
        old one, and again after; otherwise :class:`StoreError`, and the run that published fails.
        """
        dest = Path(destination)
        self.con.execute("CHECKPOINT")
        tmp = dest.with_name(dest.name + ".tmp")
        for stale in (tmp, _wal(tmp)):
            stale.unlink(missing_ok=True)
        shutil.copyfile(self.path, tmp)
        _check_opens(tmp, SCHEMA_VERSION)
        _wal(dest).unlink(missing_ok=True)
        os.replace(tmp, dest)
        _check_opens(dest, SCHEMA_VERSION)
        return dest


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _check_opens(path: Path, version: int) -> None:
    """Open ``path`` read-only as an analyst would and read its schema version."""
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            row = con.execute("SELECT value FROM settings WHERE key = 'schema_version'").fetchone()
        finally:
            con.close()
    except duckdb.Error as err:
        raise StoreError(f"the published copy {str(path)!r} does not open read-only: {err}") from None
    if not row or int(row[0]) != version:
        raise StoreError(f"the published copy {str(path)!r} has schema version {row}, expected {version}")
