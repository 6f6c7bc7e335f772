"""Scoring benchmark: the product's sentiment scorer against Hugging Face ``transformers.pipeline``
running the *same* fine-tuned model in float32, on the same texts, in one run.

Run from the repository root (takes about 9 minutes on 2 cores)::

    .venv/bin/python bench/scoring.py [--write] [--speed-texts N] [--test-per-language N]

The last line printed is JSON: ``{"ratio", "texts_per_s_pipeline", "texts_per_s_product",
"texts_per_s_product_with_topics", "topics_ratio", "ratio_with_topics", "f1_pipeline", "f1_product",
"peak_rss_mb", ...}``. ``--write`` also stores it as
``models/embedded-sentiment/speed.json`` and regenerates the model card from it.

What is compared:

- **pipeline**: ``pipeline("text-classification")`` on a Hugging Face directory written from the
  product's model (the rebuilt e5 with the committed adapter merged in, float32; see
  ``classifier.export_hf_directory``), called as its documentation shows: a list of texts,
  ``truncation=True`` (so texts over 512 tokens are cut, as the pipeline does), default batching.
- **product**: ``load_model().predict(texts)``, the path the nightly flow uses: int8 SmoothQuant
  Linear layers, length-sorted batches, ``inference_mode``, and long texts split by sentence (more
  work than truncating, counted in its time).
- **product with topics**: ``TopicReader.load(sentiment=model).analyse(texts)`` with the shipped
  default topic head: sentiment, 14 topics and their aspect sentiment from the same pass (what the
  nightly flow runs when topics are on). ``topics_ratio`` is its speed over sentiment alone.

Texts (speed): 2,515 real texts from ``../shared/data`` of mixed lengths (5 to 500 tokens), taken
deterministically: 1,200 xlm-t-umsab train tweets (8 languages), every review body of the recipe review
pages (173, schema.org markup, several languages) and every third news paragraph of the
article-extraction benchmark (1,142). Separately (``long_texts``), 20 whole articles of 1,000-2,000
tokens, which the product scores in full (in sentence-packed parts) and the pipeline truncates: the
product is slower there per text, by design. Accuracy: the xlm-t-umsab test splits (macro-F1 per
language, then the mean), through both scorers. Each scorer is warmed up on 32 texts first; times are
wall-clock, the best of 3 passes.

Memory: ``peak_rss_mb`` is the process's peak resident memory after loading the product and scoring
everything with it, topics included, before the pipeline is built (``ru_maxrss``); ``peak_rss_mb_with_pipeline`` is
the peak once both were loaded. The machine's 2 cores are shared, so the load average before and
after is printed: compare runs made in similar conditions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from sentiment.model import default_adapter_path, load_model
from sentiment.model.classifier import Adapter, export_hf_directory
from sentiment.model.embedded import ensure_encoder
from sentiment.model.topic_reader import TopicReader
from sentiment.records import LABELS
from sentiment.sources.review_page import parse_review_page
from sentiment.training.data import LANGUAGES, load_split
from sentiment.training.evaluate import write_card
from sentiment.training.metrics import macro_f1

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SENTIMENT_SHARED_DIR", REPO.parent / "shared")) / "data"
TWEETS_PER_LANGUAGE = 150
PARAGRAPH_STEP = 3
#: Whole articles over the 512-token window, timed apart from the mix (see ``long_texts``).
WHOLE_ARTICLES = 20
#: Timed passes per scorer and text set; the best one counts (see ``timed``).
REPEATS = 3


def speed_texts(limit: int | None = None) -> dict[str, list[str]]:
    """The speed benchmark's texts by kind (2,515 in all), in a fixed order."""
    tweets: list[str] = []
    for language in LANGUAGES:
        split = load_split(SHARED / "xlm-t-umsab", language, "train")
        step = len(split.texts) // TWEETS_PER_LANGUAGE
        tweets += split.texts[::step][:TWEETS_PER_LANGUAGE]
    reviews: list[str] = []
    for page in sorted((SHARED / "recipe-review-pages" / "pages").glob("*/*.html")):
        parsed = parse_review_page(page.read_bytes(), f"https://{page.parent.name}/{page.name}")
        reviews += [item.text for item in parsed.items if item.text.strip()]
    truth = json.loads((SHARED / "article-extraction-benchmark" / "ground-truth.json").read_text(encoding="utf-8"))
    bodies = [entry["articleBody"] for _, entry in sorted(truth.items()) if entry.get("articleBody")]
    paragraphs = [p.strip() for body in bodies for p in body.split("\n") if len(p.strip()) >= 40]
    kinds = {"tweets": tweets, "reviews": reviews, "paragraphs": paragraphs[::PARAGRAPH_STEP]}
    if limit:
        kinds = {kind: texts[: max(1, limit * len(texts) // 2515)] for kind, texts in kinds.items()}
    return kinds


def long_articles() -> list[str]:
    """Whole articles of 4,000 to 8,000 characters (about 1,000 to 2,000 tokens), at most 20."""
    truth = json.loads((SHARED / "article-extraction-benchmark" / "ground-truth.json").read_text(encoding="utf-8"))
    bodies = [entry["articleBody"] for _, entry in sorted(truth.items()) if entry.get("articleBody")]
    return [b for b in bodies if 4000 <= len(b) <= 8000][:WHOLE_ARTICLES]


def timed(score: Callable[[list[str]], list[str]], texts: list[str], repeats: int = REPEATS) -> tuple[float, list[str]]:
    """Texts per second of ``score`` on ``texts`` (the best of ``repeats`` passes, after a 32-text
    warm-up: the 2 cores are shared with other tenants, and the fastest pass is the least disturbed),
    and its labels."""
    score(texts[:32])
    best = 0.0
    labels: list[str] = []
    for _ in range(repeats):
        start = time.perf_counter()
        labels = score(texts)
        best = max(best, len(texts) / (time.perf_counter() - start))
    return best, labels


def test_f1(score: Callable[[list[str]], list[str]], per_language: int | None) -> dict[str, float]:
    """Macro-F1 x 100 per xlm-t-umsab test language and their mean (key ``mean``)."""
    result: dict[str, float] = {}
    for language in LANGUAGES:
        split = load_split(SHARED / "xlm-t-umsab", language, "test")
        texts, gold = split.texts[:per_language], split.labels[:per_language]
        predicted = [LABELS.index(label) for label in score(texts)]
        result[language] = round(100 * macro_f1(gold, predicted), 2)
    result["mean"] = round(sum(result[language] for language in LANGUAGES) / len(LANGUAGES), 2)
    return result


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports ``ru_maxrss`` in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(speed_limit: int | None, test_per_language: int | None) -> dict[str, Any]:
    """The whole benchmark; returns the result that the last output line prints."""
    load_before = os.getloadavg()
    kinds = speed_texts(speed_limit)
    texts = [t for group in kinds.values() for t in group]
    start = time.perf_counter()
    product = load_model()
    product_load_s = time.perf_counter() - start

    def product_labels(batch: list[str]) -> list[str]:
        return [p.label for p in product.predict(batch)]

    product_speed, product_out = timed(product_labels, texts)
    reader = TopicReader.load(sentiment=product)

    def product_topics(batch: list[str]) -> list[str]:
        return [p.label for p, _ in reader.analyse(batch)]

    topics_speed, topics_out = timed(product_topics, texts)
    articles = long_articles()
    product_articles, _ = timed(product_labels, articles)
    product_f1 = test_f1(product_labels, test_per_language)
    product_peak = peak_rss_mb()

    with tempfile.TemporaryDirectory() as tmp:
        directory = export_hf_directory(ensure_encoder(), Adapter.load(default_adapter_path()), Path(tmp) / "model")
        from transformers import pipeline

        classify = pipeline("text-classification", model=str(directory), tokenizer=str(directory), device=-1)

        def pipeline_labels(batch: list[str]) -> list[str]:
            return [str(r["label"]) for r in classify(batch, truncation=True, max_length=512)]

        pipeline_speed, pipeline_out = timed(pipeline_labels, texts)
        pipeline_articles, _ = timed(pipeline_labels, articles)
        pipeline_f1 = test_f1(pipeline_labels, test_per_language)
    agreement = sum(a == b for a, b in zip(product_out, pipeline_out, strict=True)) / len(texts)
    precision = getattr(product.backend, "precision", "unknown")
    return {
        "ratio": round(product_speed / pipeline_speed, 2),
        "texts_per_s_pipeline": round(pipeline_speed, 1),
        "texts_per_s_product": round(product_speed, 1),
        "texts_per_s_product_with_topics": round(topics_speed, 1),
        "topics_ratio": round(topics_speed / product_speed, 2),
        "ratio_with_topics": round(topics_speed / pipeline_speed, 2),
        "topics_same_labels": round(sum(a == b for a, b in zip(product_out, topics_out, strict=True)) / len(texts), 4),
        "f1_pipeline": pipeline_f1["mean"],
        "f1_product": product_f1["mean"],
        "f1_delta": round(pipeline_f1["mean"] - product_f1["mean"], 2),
        "peak_rss_mb": product_peak,
        "peak_rss_mb_with_pipeline": peak_rss_mb(),
        "f1_pipeline_per_language": {k: v for k, v in pipeline_f1.items() if k != "mean"},
        "f1_product_per_language": {k: v for k, v in product_f1.items() if k != "mean"},
        "label_agreement_speed_texts": round(agreement, 4),
        "texts": len(texts),
        "texts_by_kind": {kind: len(group) for kind, group in kinds.items()},
        "mean_chars": round(sum(len(t) for t in texts) / len(texts), 1),
        "texts_over_512_tokens": _over_window(product, texts),
        "long_texts": {
            "texts": len(articles),
            "over_512_tokens": _over_window(product, articles),
            "texts_per_s_pipeline": round(pipeline_articles, 2),
            "texts_per_s_product": round(product_articles, 2),
            "note": "whole articles, timed apart: the product scores every token, the pipeline the first 512",
        },
        "test_texts_per_language": test_per_language or 870,
        "product": f"load_model() ({precision}), batch_size {product.batch_size}",
        "pipeline": "transformers.pipeline('text-classification'), float32, truncation=True, default batching",
        "product_load_s": round(product_load_s, 1),
        "threads": torch.get_num_threads(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpu": _cpu_name(),
        "versions": {"python": platform.python_version(), "torch": torch.__version__, **_versions()},
        "command": "python bench/scoring.py" + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else ""),
    }


def _over_window(model: Any, texts: Sequence[str]) -> int:
    tokenizer = getattr(model.backend, "tokenizer", None)
    if tokenizer is None:
        return 0
    return sum(len(e.ids) > 512 for e in tokenizer.encode_batch(list(texts)))


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {p: version(p) for p in ("transformers", "tokenizers")}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/scoring.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="store speed.json and regenerate the model card")
    parser.add_argument("--speed-texts", type=int, default=None, help="fewer speed texts (quick check)")
    parser.add_argument("--test-per-language", type=int, default=None, help="fewer test texts (quick check)")
    args = parser.parse_args(argv)
    result = run(args.speed_texts, args.test_per_language)
    print(
        f"product  {result['texts_per_s_product']:7.1f} texts/s  macro-F1 {result['f1_product']:.2f}  "
        f"peak RSS {result['peak_rss_mb']:.0f} MB ({result['product']})"
    )
    print(f"pipeline {result['texts_per_s_pipeline']:7.1f} texts/s  macro-F1 {result['f1_pipeline']:.2f}")
    print(f"ratio {result['ratio']:.2f}x on {result['texts']} texts {result['texts_by_kind']}")
    if args.write:
        out_dir = default_adapter_path().parent
        (out_dir / "speed.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        write_card(out_dir)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
