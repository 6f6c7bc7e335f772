"""Article-body extraction benchmark: :func:`sentiment.parse.extract.extract_article` on the 181 pages of
the Zyte (Scrapinghub) article-extraction benchmark, scored with that benchmark's own metric.

Run from the repository root::

    .venv/bin/python bench/extraction.py [--data DIR] [--compare] [--worst N]

The last line printed is JSON: ``{"f1", "precision", "recall", "accuracy", "pages", "seconds", ...}``.

The metric is re-implemented here from its definition (the data set's README), and checked on every run
against the published scores of the systems whose outputs the data set ships (``reference_outputs/``):
a scorer that does not reproduce them exactly would make our number incomparable. The definition:

- tokens are the matches of the Unicode regex ``\\w+``; a text's shingles are its token 4-grams
  counted as a multiset (a text of fewer than 4 tokens is one shingle of all of them);
- per page, tp = |true ∩ predicted|, fp = |predicted − true|, fn = |true − predicted| (multisets);
  precision = tp/(tp+fp) and recall = tp/(tp+fn), both 1 when fp = fn = 0;
- an empty prediction has no precision: it is left out of the precision mean (the published goose3
  and jusText numbers are only reproduced that way), so the number of empty predictions is printed
  too — returning nothing on hard pages would otherwise look like precision;
- precision and recall are means over pages, F1 = 2PR/(P+R) of those means, accuracy the share of
  pages whose token lists are equal; ± is the standard deviation of F1 over 1000 bootstrap resamples.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import mean
from typing import Any
from urllib.parse import urlsplit

import trafilatura

from sentiment.parse.extract import DEFAULT_SETTINGS, ExtractionSettings, extract_article

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "article-extraction-benchmark"
NGRAM = 4
BOOTSTRAP_SAMPLES = 1000
_TOKEN = re.compile(r"\w+")

#: F1, precision, recall as the benchmark's README publishes them for its reference outputs.
PUBLISHED: Mapping[str, tuple[float, float, float]] = {
    "AutoExtract": (0.970, 0.984, 0.956),
    "goose3": (0.896, 0.940, 0.856),
    "html-text": (0.665, 0.500, 0.994),
    "justext": (0.804, 0.858, 0.756),
    "newspaper": (0.949, 0.964, 0.934),
    "readability": (0.922, 0.913, 0.931),
    "readability_js": (0.947, 0.914, 0.982),
    "trafilatura": (0.958, 0.938, 0.978),
}

NOTE = (
    "note: the extraction settings were chosen on these same 181 pages (the benchmark is the only "
    "tuning data; there is no held-out set), so expect somewhat less on sites it has not seen"
)


# --- the metric -------------------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def shingles(words: Sequence[str], n: int = NGRAM) -> Counter[tuple[str, ...]]:
    """Token n-grams as a multiset; a text shorter than ``n`` tokens is one shingle, an empty one none."""
    if not words:
        return Counter()
    return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)))


@dataclass(frozen=True, slots=True)
class PageScore:
    """One page's score; ``precision`` is None for an empty prediction (left out of the mean)."""

    precision: float | None
    recall: float | None
    exact: bool

    @property
    def f1(self) -> float:
        p, r = self.precision or 0.0, self.recall or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0


def score_page(true: str, predicted: str) -> PageScore:
    true_tokens, predicted_tokens = tokens(true), tokens(predicted)
    t, p = shingles(true_tokens), shingles(predicted_tokens)
    tp, fp, fn = sum((t & p).values()), sum((p - t).values()), sum((t - p).values())
    exact = true_tokens == predicted_tokens
    if fp == fn == 0:
        return PageScore(1.0, 1.0, exact)
    return PageScore(tp / (tp + fp) if tp + fp else None, tp / (tp + fn) if tp + fn else None, exact)


@dataclass(frozen=True, slots=True)
class Summary:
    f1: float
    precision: float
    recall: float
    accuracy: float
    pages: int
    empty: int


def summarise(scores: Sequence[PageScore]) -> Summary:
    precisions = [s.precision for s in scores if s.precision is not None]
    recalls = [s.recall for s in scores if s.recall is not None]
    precision = mean(precisions) if precisions else 0.0
    recall = mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Summary(
        f1=f1,
        precision=precision,
        recall=recall,
        accuracy=mean(s.exact for s in scores) if scores else 0.0,
        pages=len(scores),
        empty=len(scores) - len(precisions),
    )


def bootstrap_f1_std(scores: Sequence[PageScore], samples: int = BOOTSTRAP_SAMPLES, seed: int = 0) -> float:
    """Standard deviation of F1 over resamples of the pages (with replacement), as the benchmark reports."""
    rng = random.Random(seed)
    values = [summarise(rng.choices(scores, k=len(scores))).f1 for _ in range(samples)]
    centre = mean(values)
    return math.sqrt(sum((v - centre) ** 2 for v in values) / (len(values) - 1))


# --- the data ---------------------------------------------------------------------------------------


def load_ground_truth(data: Path) -> dict[str, dict[str, str]]:
    truth: dict[str, dict[str, str]] = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    return truth


def read_page(data: Path, page_id: str) -> str:
    with gzip.open(data / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8") as f:
        return f.read()


def load_reference(path: Path) -> dict[str, str]:
    """A reference output's article bodies by page id (some files wrap them as ``{"output": ...}``)."""
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    items = raw["output"] if isinstance(raw.get("output"), dict) else raw
    return {key: str((value or {}).get("articleBody") or "") for key, value in items.items()}


def score_all(truth: Mapping[str, Mapping[str, str]], predicted: Mapping[str, str]) -> dict[str, PageScore]:
    """Every ground-truth page scored; a page missing from ``predicted`` counts as an empty prediction."""
    return {key: score_page(page["articleBody"], predicted.get(key, "")) for key, page in truth.items()}


def check_metric(data: Path, truth: Mapping[str, Mapping[str, str]]) -> bool:
    """Score the shipped reference outputs and compare with the published numbers (3 decimals)."""
    ok = True
    for name, published in PUBLISHED.items():
        path = data / "reference_outputs" / f"{name}.json"
        if not path.is_file():
            print(f"  metric check: {name}: {path} missing")
            ok = False
            continue
        s = summarise(list(score_all(truth, load_reference(path)).values()))
        ours = (round(s.f1, 3), round(s.precision, 3), round(s.recall, 3))
        match = ours == published
        ok &= match
        print(
            f"  metric check: {name:15s} F1/P/R {ours[0]:.3f}/{ours[1]:.3f}/{ours[2]:.3f} {'=' if match else '!='} published"
        )
    return ok


# --- the extractor under test ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    texts: dict[str, str]
    seconds: float
    slowest: float


def run_extraction(data: Path, truth: Mapping[str, Mapping[str, str]], extract: Callable[[str, str], str]) -> Run:
    """Extract every page (reading and decompressing is not timed, extraction is)."""
    texts: dict[str, str] = {}
    total = slowest = 0.0
    for key, page in truth.items():
        html = read_page(data, key)
        started = time.perf_counter()
        texts[key] = extract(html, page["url"])
        elapsed = time.perf_counter() - started
        total += elapsed
        slowest = max(slowest, elapsed)
    return Run(texts, total, slowest)


def halves(scores: Mapping[str, PageScore]) -> tuple[float, float]:
    """F1 on the even and odd pages (ids sorted): a quick look at how much the score depends on the pages."""
    keys = sorted(scores)
    return summarise([scores[k] for k in keys[::2]]).f1, summarise([scores[k] for k in keys[1::2]]).f1


def print_worst(
    truth: Mapping[str, Mapping[str, str]], texts: Mapping[str, str], scores: Mapping[str, PageScore], n: int
) -> None:
    print(f"worst {n} pages (F1, P, R, true/predicted tokens, url):")
    for key in sorted(scores, key=lambda k: scores[k].f1)[:n]:
        s = scores[key]
        url = truth[key]["url"]
        short = urlsplit(url).netloc + urlsplit(url).path[:40]
        p = "  - " if s.precision is None else f"{s.precision:.2f}"
        print(
            f"  {key[:10]} F1 {s.f1:.2f} P {p} R {s.recall or 0:.2f} "
            f"{len(tokens(truth[key]['articleBody'])):5d}/{len(tokens(texts[key])):5d}  {short}"
        )


def describe(summary: Summary, std: float | None = None) -> str:
    spread = f" ± {std:.3f}" if std is not None else ""
    return (
        f"F1 {summary.f1:.4f}{spread}  precision {summary.precision:.4f}  recall {summary.recall:.4f}  "
        f"accuracy {summary.accuracy:.3f}  empty {summary.empty}"
    )


def variants() -> dict[str, ExtractionSettings]:
    """The alternatives to the chosen settings that ``--compare`` measures (the first is the product's)."""
    base = DEFAULT_SETTINGS
    return {
        "chosen": base,
        "with comments": replace(base, include_comments=True),
        "balanced": replace(base, favor_precision=False),
        "favor_recall": replace(base, favor_precision=False, favor_recall=True),
        "balanced, fast (no fallbacks)": replace(base, favor_precision=False, fast=True),
        "favor_precision, fast": replace(base, fast=True),
        "no tables": replace(base, include_tables=False),
        "trafilatura defaults": replace(base, favor_precision=False, include_comments=True),
    }


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the benchmark folder (default: %(default)s)")
    parser.add_argument("--worst", type=int, default=10, help="how many worst pages to list (default: %(default)s)")
    parser.add_argument("--compare", action="store_true", help="also measure the alternative settings")
    args = parser.parse_args(list(argv) if argv is not None else None)

    data: Path = args.data.resolve()
    if not (data / "ground-truth.json").is_file():
        parser.error(f"no ground-truth.json in {data}; pass --data")
    truth = load_ground_truth(data)
    print(f"article-extraction benchmark: {len(truth)} pages from {data}")
    metric_ok = check_metric(data, truth)
    print(f"  metric check: {'reproduces' if metric_ok else 'DOES NOT reproduce'} the published numbers")

    def extractor(settings: ExtractionSettings) -> Callable[[str, str], str]:
        return lambda html, url: extract_article(html, url, settings=settings).text

    results: dict[str, tuple[Summary, float]] = {}
    chosen = run_extraction(data, truth, extractor(DEFAULT_SETTINGS))
    scores = score_all(truth, chosen.texts)
    summary = summarise(list(scores.values()))
    std = bootstrap_f1_std(list(scores.values()))
    results["chosen"] = (summary, chosen.seconds)
    if args.compare:
        for name, settings in list(variants().items())[1:]:
            alternative = run_extraction(data, truth, extractor(settings))
            results[name] = (summarise(list(score_all(truth, alternative.texts).values())), alternative.seconds)

    print_worst(truth, chosen.texts, scores, args.worst)
    print(
        f"extractor: sentiment.parse.extract.extract_article, trafilatura {trafilatura.__version__}, {DEFAULT_SETTINGS}"
    )
    if args.compare:
        print("settings compared (all pages):")
        for name, (s, seconds) in results.items():
            print(f"  {name:30s} {describe(s)}  {1000 * seconds / s.pages:.0f} ms/page")
    even, odd = halves(scores)
    print(f"F1 on the even / odd pages: {even:.4f} / {odd:.4f}")
    print(
        f"time: {chosen.seconds:.1f} s for {summary.pages} pages, {1000 * chosen.seconds / summary.pages:.0f} ms/page mean, "
        f"{1000 * chosen.slowest:.0f} ms slowest"
    )
    print(NOTE)
    print(f"result: {describe(summary, std)}")
    print(
        json.dumps(
            {
                "f1": round(summary.f1, 4),
                "precision": round(summary.precision, 4),
                "recall": round(summary.recall, 4),
                "accuracy": round(summary.accuracy, 4),
                "pages": summary.pages,
                "seconds": round(chosen.seconds, 2),
                "f1_std": round(std, 4),
                "empty": summary.empty,
                "metric_reproduces_published": metric_ok,
                "extractor": f"trafilatura {trafilatura.__version__}",
                "settings": {k: getattr(DEFAULT_SETTINGS, k) for k in DEFAULT_SETTINGS.__dataclass_fields__},
            }
        )
    )
    return 0 if metric_ok else 1


if __name__ == "__main__":
    sys.exit(main())
