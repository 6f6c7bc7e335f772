"""Analysts on years of history: the README's queries, the views, alert detection and the report on a
store of N mentions (issue 14, section 2; target: each under 2 seconds at N = 10,000,000).

Run from the repository root::

    .venv/bin/python bench/history.py [--n 10000000] [--keep PATH] [--write]

The store is synthetic, built in SQL in a minute or two (scoring 10 million texts would take days on 2
cores): the product's own schema (``Store`` migrates a fresh file), N mentions over three years ending
2026-11-30, spread over 50 brands and 2,000 locations (each of one brand) with Zipf-skewed volume and 2,150 sources (a review
page per location, a feed, a social timeline and an export per brand), 5% of them linked copies; each original has an active score (a third negative) and one or two topic rows of
the default taxonomy's topics. Texts are drawn from 200 short review sentences; their length does not
matter to these queries, which never read the text column but for the handful of quotes.

Timed, each on its own after one untimed run (DuckDB's first query of a table pays for reading it),
the best of three: the README's analyst queries, a full read of each view, the nightly alert detection
(:func:`sentiment.pipeline.detect_alerts`, the emerging-theme rule off: it embeds texts and its cost is
the encoder's, not the store's), the look-up of which of 1,000 fetched ids are stored
(:meth:`sentiment.store.Store.existing_ids`, once per group of 50 sources a night) and the HTML report
(:func:`sentiment.report.write_report`); then, once,
what counting a night of 10,000 more scored mentions into the daily totals costs
(:meth:`sentiment.store.Store.refresh_totals`, which the scoring stage runs when it ends). The last line
is JSON; ``--write`` stores it as ``bench/history.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sentiment import pipeline
from sentiment.config import MonitorConfig
from sentiment.report import write_report
from sentiment.store import Store
from sentiment.taxonomy import load_taxonomy

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "history.json"
AS_OF = date(2026, 11, 30)
BRANDS, LOCATIONS, DAYS = 50, 2000, 1095
MODEL = ("embedded", "bench")

#: The README's queries ("Query it"), with the demo's location replaced by one of these.
QUERIES = {
    "readme: last 14 days per location": """
        SELECT day, brand, location, mentions, round(mean_score, 2) AS score, round(share_negative, 2) AS neg,
               round(mean_rating, 1) AS stars
        FROM daily_sentiment WHERE location IS NOT NULL AND day > DATE '2026-11-30' - 14 ORDER BY location, day""",
    "readme: brands week by week": """
        SELECT date_trunc('week', day) AS week, brand, sum(mentions) AS mentions,
               round(sum(mean_score * mentions) / sum(mentions), 3) AS score
        FROM daily_brand_sentiment GROUP BY ALL ORDER BY week, brand""",
    "readme: topics per location, 4 weeks": """
        SELECT location, topic, sum(mentions) AS mentions, round(sum(mean_score * mentions) / sum(mentions), 2),
               round(sum(share_negative * mentions) / sum(mentions), 2) AS neg
        FROM daily_topic_sentiment
        WHERE location IS NOT NULL AND topic <> 'other' AND day > DATE '2026-11-30' - 28
        GROUP BY ALL ORDER BY location, mentions DESC""",
    "readme: alerts": "SELECT as_of, rule, brand, location, topic, message FROM alerts ORDER BY as_of DESC",
    "readme: most negative at a location, 7 days": """
        SELECT published_date, lang, round(score, 2) AS score, rating, text FROM scored_mentions
        WHERE location = 'loc-0007' AND published_date > DATE '2026-11-30' - 7 ORDER BY score LIMIT 5""",
    "view: daily_sentiment": "SELECT count(*), sum(mentions) FROM daily_sentiment",
    "view: daily_brand_sentiment": "SELECT count(*), sum(mentions) FROM daily_brand_sentiment",
    "view: daily_topic_sentiment": "SELECT count(*), sum(mentions) FROM daily_topic_sentiment",
    "view: location_health": "SELECT count(*), avg(mean_score_7d) FROM location_health",
    "view: reality_gap": "SELECT count(*) FROM reality_gap",
}


def build(path: Path, n: int) -> dict[str, float]:
    """The synthetic store; returns seconds per table built."""
    topics = [t.id for t in load_taxonomy().topics]
    spent: dict[str, float] = {}
    with Store(path) as store:
        con = store.con
        start = time.perf_counter()
        con.execute("SET preserve_insertion_order = false")
        con.execute(
            f"""
            CREATE TEMP TABLE raw_draws AS
            SELECT i,
                   -- Zipf-like skew: squaring a uniform draw piles volume onto the low indexes
                   CAST(floor(pow(random(), 2) * {LOCATIONS}) AS INT) AS l,
                   CAST(floor(pow(random(), 2) * {BRANDS}) AS INT) AS brand_draw,
                   CAST(floor(random() * {DAYS}) AS INT) AS d,
                   random() AS u, random() AS v
            FROM range({n}) t(i)"""
        )
        # A location belongs to one brand (l % BRANDS) and has its review pages; a tenth of the mentions
        # are about a brand only, from its feed, social timeline or file export.
        con.execute(
            f"""
            CREATE TEMP TABLE draws AS
            SELECT i, l, d, u, v, CASE WHEN u < 0.1 THEN brand_draw ELSE l % {BRANDS} END AS b,
                   CASE WHEN u < 0.1 THEN ['feed-', 'social-', 'file-'][1 + i % 3] || brand_draw
                        ELSE 'reviews-' || l END AS source
            FROM raw_draws"""
        )
        con.execute(
            f"""
            INSERT INTO mentions (id, source, source_item_id, brand, location, text, lang, published_at,
                                  published_date, rating, content_hash, duplicate_of, first_run_id, fetched_at)
            SELECT md5(i::VARCHAR)[:24], source, i::VARCHAR, 'brand-' || lpad(b::VARCHAR, 2, '0'),
                   CASE WHEN u < 0.1 THEN NULL ELSE 'loc-' || lpad(l::VARCHAR, 4, '0') END,
                   'Review ' || (i % 200) || ': ' || CASE WHEN v < 0.33 THEN 'slow and rude, never again'
                        WHEN v < 0.5 THEN 'fine, nothing special' ELSE 'lovely place, great coffee' END,
                   ['en', 'de', 'pl', 'fr', 'es'][1 + i % 5],
                   (DATE '{AS_OF}' - d)::TIMESTAMPTZ + INTERVAL 12 HOUR, DATE '{AS_OF}' - d,
                   CASE WHEN u < 0.5 THEN 1 + floor(v * 5) END, md5('c' || i::VARCHAR)[:24],
                   CASE WHEN u > 0.95 AND i > 0 THEN md5((i - 1)::VARCHAR)[:24] END, 'bench', now()
            FROM draws"""
        )
        spent["mentions"] = time.perf_counter() - start
        start = time.perf_counter()
        con.execute("INSERT INTO models VALUES (?, ?, true, now())", list(MODEL))
        con.execute(
            f"""
            INSERT INTO scores
            SELECT md5(i::VARCHAR)[:24], '{MODEL[0]}', '{MODEL[1]}',
                   CASE WHEN v < 0.33 THEN 'negative' WHEN v < 0.5 THEN 'neutral' ELSE 'positive' END,
                   p_neg, 0.1, 0.9 - p_neg, 0.9 - 2 * p_neg, now(), 'bench', false, false
            FROM (SELECT i, u, v, CASE WHEN v < 0.33 THEN 0.8 WHEN v < 0.5 THEN 0.45 ELSE 0.05 END AS p_neg
                  FROM draws) WHERE NOT (u > 0.95 AND i > 0)"""
        )
        spent["scores"] = time.perf_counter() - start
        start = time.perf_counter()
        con.execute(
            f"""
            INSERT INTO mention_topics
            SELECT md5(i::VARCHAR)[:24], '{MODEL[0]}', '{MODEL[1]}', 'bench-set', topic, 0.8,
                   CASE WHEN v < 0.33 THEN 'negative' ELSE 'positive' END, CASE WHEN v < 0.33 THEN -0.7 ELSE 0.7 END,
                   now(), 'bench', false
            FROM (SELECT i, v, unnest(CASE WHEN i % 2 = 0 THEN [t1] ELSE [t1, t2] END) AS topic
                  FROM (SELECT i, u, v, ? [1 + i % {len(topics)}] AS t1, ? [1 + (i + 3) % {len(topics)}] AS t2
                        FROM draws WHERE NOT (u > 0.95 AND i > 0)))""",
            [topics, topics],
        )
        spent["topics"] = time.perf_counter() - start
        con.execute("DROP TABLE draws")
        con.execute("DROP TABLE raw_draws")
        start = time.perf_counter()
        store.refresh_totals()  # as the nights that stored them would have
        spent["daily totals"] = time.perf_counter() - start
        con.execute("CHECKPOINT")
    return spent


def night_refresh(path: Path, n: int = 10_000) -> float:
    """Seconds to count one more night of ``n`` scored mentions (with a topic row each) into the totals."""
    with Store(path) as store:
        con = store.con
        con.execute(
            f"""
            INSERT INTO mentions (id, source, source_item_id, brand, location, text, published_at, published_date,
                                  content_hash, first_run_id, fetched_at)
            SELECT 'night-' || i, 'reviews-' || (i % {LOCATIONS}), 'night-' || i,
                   'brand-' || lpad(((i % {LOCATIONS}) % {BRANDS})::VARCHAR, 2, '0'),
                   'loc-' || lpad((i % {LOCATIONS})::VARCHAR, 4, '0'), 'fine', now(), DATE '{AS_OF}',
                   md5('night' || i)[:24], 'night', now()
            FROM range({n}) t(i)"""
        )
        con.execute(
            f"INSERT INTO scores SELECT 'night-' || i, '{MODEL[0]}', '{MODEL[1]}', 'neutral', 0.2, 0.6, 0.2, 0.0, "
            f"now(), 'night', false, false FROM range({n}) t(i)"
        )
        con.execute(
            f"INSERT INTO mention_topics SELECT 'night-' || i, '{MODEL[0]}', '{MODEL[1]}', 'bench-set', 'price_value', "
            f"0.8, 'neutral', 0.0, now(), 'night', false FROM range({n}) t(i)"
        )
        start = time.perf_counter()
        counted = store.refresh_totals()
        spent = time.perf_counter() - start
        assert counted == (n, n), counted
    return spent


def monitor(path: Path) -> MonitorConfig:
    """A config naming the store's brands and locations (alert scopes come from it), themes off."""
    brands = [
        {"name": f"brand-{b:02d}",
         "locations": [{"name": f"loc-{loc:04d}"} for loc in range(LOCATIONS) if loc % BRANDS == b]}
        for b in range(BRANDS)
    ]  # fmt: skip
    return MonitorConfig.model_validate(
        {"database": str(path), "brands": brands, "alerts": {"theme_min_mentions": 1_000_000_000}}
    )


def best_of(fn: Callable[[], Any], runs: int = 3) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(path: Path) -> dict[str, float]:
    config = monitor(path)
    out: dict[str, float] = {}
    with Store(path) as store:
        for name, sql in QUERIES.items():
            out[name] = best_of(lambda sql=sql: store.con.execute(sql).fetchall())

        def detect() -> None:
            stats = pipeline.RunStats(run_id=f"bench-{time.monotonic_ns()}", as_of=AS_OF)
            store.start_run(stats.run_id, as_of=AS_OF, config_sha256="bench")
            pipeline.detect_alerts(store, config, stats)
            store.finish_run(stats.run_id, status="ok", stats=stats.as_row())

        out["alert detection"] = best_of(detect)
        # A store group's look-up of its fetched ids (half stored, half new): once per 50 sources a night.
        stored = [str(r[0]) for r in store.con.execute("SELECT id FROM mentions USING SAMPLE 500 ROWS").fetchall()]
        fetched = stored + [f"new-{i}" for i in range(500)]
        out["known ids among 1,000 fetched"] = best_of(lambda: store.existing_ids(fetched))
        report = path.with_name("report.html")
        out["report"] = best_of(lambda: write_report(store, config, report, as_of=AS_OF))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--keep", type=Path, help="build the store here (or reuse the one there) and keep it")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "history.duckdb"
        built = build(path, args.n) if not path.exists() else {}
        for table, seconds in built.items():
            print(f"built {table} in {seconds:.1f} s", flush=True)
        timings = measure(path)
        timings["refresh totals after a night of 10,000"] = night_refresh(path)
        size_mb = path.stat().st_size / 2**20
    for name, seconds in timings.items():
        print(f"{name:>45}: {seconds:6.2f} s {'' if seconds < 2 else '(over 2 s)'}")
    out = {"n": args.n, "db_mb": round(size_mb), "seconds": {k: round(v, 3) for k, v in timings.items()},
           "over_2s": sorted(k for k, v in timings.items() if v >= 2)}  # fmt: skip
    if args.write:
        OUT.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
