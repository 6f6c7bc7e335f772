"""Near-duplicate benchmark: the text stage's copy linking on the airline tweets, and the precision of its
links as checked by hand.

Run from the repository root (about a minute on 2 cores)::

    .venv/bin/python bench/near_dups.py [--sample N] [--show]

The 14,640 tweets of ``../shared/data/twitter-airline-sentiment`` (February 2015, six US airlines; they
hold retweets and repeated texts) go through the product's text stage (``sentiment.text.prepare``) as one
source's night, each tweet a mention of its airline by its author at its time. The stage links exact
copies (equal normalised text) and near copies (:mod:`sentiment.text.near_dups`). Printed: how many of
each, the links by estimated similarity, and the precision of the near links on a fixed random sample
(``--sample``, seed 2026) judged by hand: ``bench/near_dups_checked.json`` holds each judged pair (the
copy's and the original's tweet id) and the verdict, ``copy`` (the same text re-posted or lightly edited:
a retweet, a quote with a word changed, a template) or ``distinct`` (two people writing alike). ``--show``
prints the sampled pairs to judge; a pair not judged yet is reported, not guessed. Last line: JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sentiment.config import parse_config  # noqa: E402
from sentiment.parse.dates import parse_datetime  # noqa: E402
from sentiment.records import Mention  # noqa: E402
from sentiment.text import near_dups  # noqa: E402
from sentiment.text.prepare import prepare  # noqa: E402
from sentiment.training.reading import shared_data_dir  # noqa: E402

CHECKED = ROOT / "bench" / "near_dups_checked.json"
SEED = 2026


def load_tweets(path: Path) -> list[Mention]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Mention(
            source="airline-tweets",
            source_item_id=row["tweet_id"],
            text=row["text"],
            author=row["name"],
            published_at=parse_datetime(row["tweet_created"]),
            brand=row["airline"],
        )
        for row in rows
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/near_dups.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=60, help="near links drawn for the hand check")
    parser.add_argument("--show", action="store_true", help="print the sampled pairs, to judge them")
    args = parser.parse_args(argv)
    tweets = load_tweets(shared_data_dir() / "twitter-airline-sentiment" / "Tweets.csv")
    airlines = sorted({t.brand for t in tweets if t.brand})
    monitor = parse_config({"brands": [{"name": a} for a in airlines], "sources": []}, origin="(bench)")
    started = time.perf_counter()
    prepared = prepare(tweets, monitor=monitor, salt="bench")
    seconds = time.perf_counter() - started
    by_id = {m.id: m for m in prepared.mentions}
    exact, near = [], []
    for m in prepared.mentions:
        if m.duplicate_of is None:
            continue
        original = by_id[m.duplicate_of]
        same = m.content_hash == original.content_hash
        (exact if same else near).append((m, original))
    buckets: Counter[str] = Counter()
    for m, original in near:
        a, b = near_dups.signature(m.text), near_dups.signature(original.text)
        assert a is not None and b is not None
        buckets[f"{min(0.95, int(near_dups.similarity(a, b) * 20) / 20):.2f}"] += 1
    retweets = sum(1 for m in prepared.mentions if m.text.startswith("RT @"))
    sample = random.Random(SEED).sample(near, min(args.sample, len(near)))
    checked: dict[str, str] = json.loads(CHECKED.read_text(encoding="utf-8")) if CHECKED.is_file() else {}
    verdicts = Counter()
    unjudged = 0
    for m, original in sample:
        key = f"{m.source_item_id}>{original.source_item_id}"
        verdict = checked.get(key)
        if verdict is None:
            unjudged += 1
        else:
            verdicts[verdict] += 1
        if args.show:
            print(f"\n{key} [{verdict or 'not judged'}]\n  copy:     {m.text}\n  original: {original.text}")
    judged = verdicts["copy"] + verdicts["distinct"]
    results: dict[str, Any] = {
        "tweets": len(tweets),
        "seconds": round(seconds, 1),
        "threshold": near_dups.THRESHOLD,
        "min_words": near_dups.MIN_WORDS,
        "exact_links": len(exact),
        "near_links": len(near),
        "tweets_starting_rt": retweets,
        "near_links_by_similarity": dict(sorted(buckets.items())),
        "sample": len(sample),
        "judged": judged,
        "unjudged": unjudged,
        "copies": verdicts["copy"],
        "precision": round(verdicts["copy"] / judged, 3) if judged else None,
    }
    print(f"{len(tweets)} tweets through the text stage in {seconds:.1f} s")
    print(f"links: {len(exact)} exact copies, {len(near)} near copies (threshold {near_dups.THRESHOLD})")
    print(f"near links by estimated similarity: {results['near_links_by_similarity']}")
    if judged:
        print(f"hand check: {verdicts['copy']} of {judged} sampled near links are copies ({results['precision']:.1%})")
    if unjudged:
        print(f"{unjudged} sampled links are not judged yet: run with --show and add them to {CHECKED.name}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
