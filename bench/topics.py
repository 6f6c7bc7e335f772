"""Topic benchmark: a user's own taxonomy fitted through ``sentiment topics fit``'s code on the public
aspect sets, scored with their publishers' metrics and the published figures beside ours.

Run from the repository root (about 20 minutes on 2 cores)::

    .venv/bin/python bench/topics.py [--write] [--limit N]

- **SemEval-2016 restaurants** (en, es, fr, ru): the 12 aspect categories (``FOOD#QUALITY`` ...) as a
  taxonomy, fitted on each language's official training sentences (our ``train`` + ``dev`` files),
  scored on the official test sentences. *Slot 1*: category micro-F1 over (sentence, category) pairs.
  *Slot 3*: polarity accuracy per gold opinion, given the gold categories (``only=`` the sentence's
  gold categories: the head's aspect sentiment of each). *Cross-lingual*: fitted on the other three
  languages' training sentences, Slot 1 on this one's test sentences.
- **Contrastive sentences**: the shipped default head, asked (``only=``) for the two aspects of each of
  12 sentences the team wrote that praise one thing and blame another ("great coffee, but the 40
  minute wait was ridiculous"): how many of the 24 aspects it reads the right way.
- **GermEval 2017** (German posts about Deutsche Bahn): the coarse categories (the part before ``#``)
  fitted on the relevant ``dev`` documents whose text is not also in ``test_syn``, scored on the
  relevant ``test_syn`` documents: category micro-F1 and category:polarity micro-F1 (a pair is right
  when both the category and the head's aspect sentiment match a gold opinion).

Each fit is what ``sentiment topics fit`` does (:func:`sentiment.training.topics_fit.fit_states`): the
sentiment model reads every text once (int8, the product's path), a label-attention head learns from
four fifths of the training lines and the last fifth chooses the epoch and each category's threshold.
Test sentences never enter a fit or a choice. The last printed line is JSON ``{"semeval": {lang:
{"slot1", "slot3", "cross_lingual_slot1"}}, "germeval": {"category", "category_polarity"}, ...}``;
``--write`` stores the full results as ``models/topics/benchmark.json`` and the table as
``models/topics/BENCHMARK.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from sentiment.model import SentimentModel, load_model
from sentiment.model.topic_head import DEFAULT_TAP, confidences
from sentiment.model.topic_reader import TopicReader, default_topics_dir
from sentiment.records import LABELS
from sentiment.taxonomy import Taxonomy, Topic
from sentiment.training.data import clean_text
from sentiment.training.reading import SEMEVAL_LANGUAGES, shared_data_dir, text_key
from sentiment.training.topics_fit import Example, States, encode, fit_states, predict

RESULTS = default_topics_dir() / "benchmark.json"
TABLE = default_topics_dir() / "BENCHMARK.md"
#: Sentences that praise one thing and blame another, written by the team (en, pl, de, es).
CONTRASTIVE = default_topics_dir() / "contrastive.jsonl"
#: Published figures: SemEval-2016 Task 5 best systems (Pontiki et al. 2016, restaurants, sentence level).
SEMEVAL_BEST = {
    "slot1": {"en": 73.03, "es": 70.59, "fr": 61.21, "ru": 64.83},
    "slot3": {"en": 88.13, "es": 83.58, "fr": 78.83, "ru": 77.92},
}
#: GermEval 2017 (Wojatzki et al. 2017), test_syn micro-F1: best 2017 systems and a later BERT (unverified).
GERMEVAL_ANCHORS = {
    "category": {"best_2017": 0.482, "bert": 0.76},
    "category_polarity": {"best_2017": 0.354, "bert": 0.66},
}
Opinion = tuple[str, str]  # (category, polarity)


def semeval(data: Path, language: str, files: Sequence[str]) -> list[tuple[str, list[Opinion]]]:
    """Sentences of the given files with their opinions (category, polarity); empty text left out."""
    rows = []
    for file in files:
        root = ET.parse(data / "semeval2016-absa" / language / f"{file}.xml").getroot()
        for sentence in root.iter("sentence"):
            text = clean_text(sentence.findtext("text") or "")
            if text:
                opinions = [(o.get("category", ""), o.get("polarity", "")) for o in sentence.iter("Opinion")]
                rows.append((text, opinions))
    return rows


def germeval(data: Path, file: str) -> list[tuple[str, list[Opinion]]]:
    """Relevant documents with their opinions (coarse category, polarity)."""
    root = ET.parse(data / "germeval2017" / "fixed" / f"{file}-2017-09-15.xml").getroot()
    rows = []
    for document in root.iter("Document"):
        text = clean_text(document.findtext("text") or "")
        if document.findtext("relevance") == "true" and text:
            opinions = [(o.get("category", "").split("#")[0], o.get("polarity", "")) for o in document.iter("Opinion")]
            rows.append((text, opinions))
    return rows


def topic_id(category: str) -> str:
    """A category as a taxonomy id: ``FOOD#QUALITY`` -> ``food_quality``, ``Atmosphäre`` -> ``atmosphaere``."""
    plain = category.lower().replace("#", "_").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    return "".join(c if c.isalnum() else "_" for c in plain).strip("_")


def taxonomy(categories: Sequence[str], source: str) -> Taxonomy:
    topics = [Topic(id=topic_id(c), name=c, description=f"{source} category {c}") for c in categories]
    return Taxonomy(topics=topics)


def examples(rows: Sequence[tuple[str, list[Opinion]]], known: set[str]) -> list[Example]:
    """Fit lines: the categories a text has, and each one's polarity where its opinions agree."""
    lines = []
    for number, (text, opinions) in enumerate(rows, start=1):
        topics = tuple(dict.fromkeys(topic_id(c) for c, _ in opinions if c in known))
        aspects = {}
        for topic in topics:
            polarities = {p for c, p in opinions if topic_id(c) == topic}
            if len(polarities) == 1 and (label := polarities.pop()) in LABELS:
                aspects[topic] = label
        lines.append(Example(line=number, text=text, topics=topics, aspects=aspects))
    return lines


def micro_f1(gold: Sequence[set[Any]], predicted: Sequence[set[Any]]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, predicted, strict=True))
    n_gold, n_predicted = sum(len(g) for g in gold), sum(len(p) for p in predicted)
    return 2 * tp / (n_gold + n_predicted) if n_gold + n_predicted else 0.0


def score(
    model: SentimentModel,
    train_rows: Sequence[tuple[str, list[Opinion]]],
    test_rows: Sequence[tuple[str, list[Opinion]]],
    categories: Sequence[str],
    source: str,
    states: tuple[States, States] | None = None,
) -> dict[str, Any]:
    """Fit on ``train_rows`` (states given or read now), score ``test_rows``: the figures of one fit."""
    tax = taxonomy(categories, source)
    ids = tax.ids
    train_examples = examples(train_rows, set(categories))
    train_states, test_states = states or (
        encode(model, [t for t, _ in train_rows], DEFAULT_TAP),
        encode(model, [t for t, _ in test_rows], DEFAULT_TAP),
    )
    fitted, report = fit_states(model, tax, train_examples, train_states, log=lambda *_: None)
    topic_p, aspect_p = predict(fitted.head, test_states, range(len(test_rows)))
    assigned = confidences(topic_p, fitted.thresholds) >= 0.5
    gold_topics = [{topic_id(c) for c, _ in opinions if c in categories} for _, opinions in test_rows]
    found = [{ids[j] for j in np.flatnonzero(row)} for row in assigned]
    gold_pairs = [{(topic_id(c), p) for c, p in opinions if c in categories} for _, opinions in test_rows]
    found_pairs = [
        {(ids[j], LABELS[int(aspect_p[i, j].argmax())]) for j in np.flatnonzero(assigned[i])} for i in range(len(found))
    ]
    right = total = 0
    for i, (_, opinions) in enumerate(test_rows):  # Slot 3: per gold opinion, given its category
        for category, polarity in opinions:
            if category in categories and polarity in LABELS:
                total += 1
                right += LABELS[int(aspect_p[i, ids.index(topic_id(category))].argmax())] == polarity
    return {
        "train": len(train_rows),
        "test": len(test_rows),
        "category_micro_f1": round(100 * micro_f1(gold_topics, found), 2),
        "category_polarity_micro_f1": round(100 * micro_f1(gold_pairs, found_pairs), 2),
        "polarity_accuracy_given_category": round(100 * right / max(1, total), 2),
        "opinions": total,
        "validation_macro_f1": max(h["validation_macro_f1"] for h in report["history"]),
    }


def contrastive(model: SentimentModel) -> dict[str, Any]:
    """The default head's aspect sentiment on sentences that praise one thing and blame another."""
    lines = [json.loads(line) for line in CONTRASTIVE.read_text(encoding="utf-8").splitlines()]
    reader = TopicReader.load(sentiment=model)
    analysed = reader.analyse([line["text"] for line in lines], only=[list(line["aspects"]) for line in lines])
    wrong = []
    right = 0
    for line, (_, hits) in zip(lines, analysed, strict=True):
        for hit in hits:
            if hit.label == line["aspects"][hit.topic]:
                right += 1
            else:
                wrong.append(f"{line['text']} [{hit.topic}: {hit.label}]")
    return {"aspects": sum(len(line["aspects"]) for line in lines), "right": right, "wrong": wrong}


def run(limit: int | None) -> dict[str, Any]:
    load_before = os.getloadavg()
    start = time.perf_counter()
    data = shared_data_dir()
    model = load_model()
    train = {lang: semeval(data, lang, ("train", "dev"))[:limit] for lang in SEMEVAL_LANGUAGES}
    test = {lang: semeval(data, lang, ("test",))[:limit] for lang in SEMEVAL_LANGUAGES}
    categories = sorted({c for rows in train.values() for _, ops in rows for c, _ in ops})
    states = {
        lang: (
            encode(model, [t for t, _ in train[lang]], DEFAULT_TAP),
            encode(model, [t for t, _ in test[lang]], DEFAULT_TAP),
        )
        for lang in SEMEVAL_LANGUAGES
    }
    results: dict[str, Any] = {"semeval": {}, "germeval": {}}
    for lang in SEMEVAL_LANGUAGES:
        own = score(model, train[lang], test[lang], categories, "SemEval-2016 restaurant", states[lang])
        others = [o for o in SEMEVAL_LANGUAGES if o != lang]
        pooled = States(
            [s for o in others for s in states[o][0].tapped], [s for o in others for s in states[o][0].last]
        )
        cross = score(
            model, [r for o in others for r in train[o]], test[lang], categories, "SemEval-2016 restaurant",
            (pooled, states[lang][1]),
        )  # fmt: skip
        results["semeval"][lang] = {
            "slot1": own["category_micro_f1"],
            "slot3": own["polarity_accuracy_given_category"],
            "cross_lingual_slot1": cross["category_micro_f1"],
            "best_2016_slot1": SEMEVAL_BEST["slot1"][lang],
            "best_2016_slot3": SEMEVAL_BEST["slot3"][lang],
            "own": own,
            "cross_lingual": {**cross, "fitted_on": others},
        }
        print(f"semeval {lang}: slot1 {own['category_micro_f1']:.1f} (best 2016 {SEMEVAL_BEST['slot1'][lang]}), "
              f"slot3 {own['polarity_accuracy_given_category']:.1f} (best {SEMEVAL_BEST['slot3'][lang]}), "
              f"cross-lingual slot1 {cross['category_micro_f1']:.1f}", flush=True)  # fmt: skip
    test_syn = germeval(data, "test_syn")[:limit]
    seen = {text_key(t) for t, _ in test_syn}
    dev = [row for row in germeval(data, "dev") if text_key(row[0]) not in seen][:limit]
    coarse = sorted({c for _, ops in dev for c, _ in ops})
    figures = score(model, dev, test_syn, coarse, "GermEval 2017 Deutsche Bahn")
    results["germeval"] = {
        "category": round(figures["category_micro_f1"] / 100, 4),
        "category_polarity": round(figures["category_polarity_micro_f1"] / 100, 4),
        "anchors": GERMEVAL_ANCHORS,
        "categories": len(coarse),
        "detail": figures,
    }
    print(f"germeval: category micro-F1 {figures['category_micro_f1'] / 100:.3f}, category:polarity "
          f"{figures['category_polarity_micro_f1'] / 100:.3f}", flush=True)  # fmt: skip
    results["contrastive"] = contrastive(model)
    print(f"contrastive sentences: {results['contrastive']['right']}/{results['contrastive']['aspects']} aspects right")
    results.update(
        model={"id": model.model_id, "version": model.version},
        seconds=round(time.perf_counter() - start, 1),
        limit=limit,
        threads=torch.get_num_threads(),
        load_average_before=[round(x, 2) for x in load_before],
        command="python bench/topics.py" + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else ""),
    )
    return results


def headline(results: dict[str, Any]) -> dict[str, Any]:
    keys = ("slot1", "slot3", "cross_lingual_slot1")
    return {
        "model": results["model"]["version"],
        "seconds": results["seconds"],
        "limit": results["limit"],
        "semeval": {lang: {k: v[k] for k in keys} for lang, v in results["semeval"].items()},
        "germeval": {k: results["germeval"][k] for k in ("category", "category_polarity")},
        "contrastive": {k: results["contrastive"][k] for k in ("aspects", "right")},
    }


def markdown(results: dict[str, Any]) -> str:
    """The benchmark as the table ``BENCHMARK.md`` shows, generated from the results."""
    rows = [
        "| language | Slot 1 category micro-F1 | best 2016 | Slot 3 polarity accuracy | best 2016 | cross-lingual Slot 1 |",
        "|---|---|---|---|---|---|",
    ]
    for lang, f in results["semeval"].items():
        rows.append(
            f"| {lang} | **{f['slot1']:.1f}** | {f['best_2016_slot1']:.1f} | **{f['slot3']:.1f}** | "
            f"{f['best_2016_slot3']:.1f} | {f['cross_lingual_slot1']:.1f} (fitted on {', '.join(f['cross_lingual']['fitted_on'])}) |"
        )
    g = results["germeval"]
    a = g["anchors"]
    return f"""# Topic benchmark

*Generated by `{results["command"]}` on sentiment model `{results["model"]["version"]}` in {results["seconds"]:.0f} s; do not
edit by hand. What is fitted and how it is scored: the docstring of `bench/topics.py`.*

## SemEval-2016 restaurants (12 aspect categories, sentence level)

{chr(10).join(rows)}

## GermEval 2017 (Deutsche Bahn, {g["categories"]} coarse categories, `test_syn`, relevant documents)

| measure | ours | best 2017 | BERT (unverified) |
|---|---|---|---|
| category micro-F1 | **{g["category"]:.3f}** | {a["category"]["best_2017"]:.3f} | {a["category"]["bert"]:.2f} |
| category:polarity micro-F1 | **{g["category_polarity"]:.3f}** | {a["category_polarity"]["best_2017"]:.3f} | {a["category_polarity"]["bert"]:.2f} |

## Contrastive sentences (the shipped default head)

{results["contrastive"]["right"]} of {results["contrastive"]["aspects"]} aspects read the right way in sentences that praise one
thing and blame another (`models/topics/contrastive.jsonl`). Read wrong:

{chr(10).join("- " + w for w in results["contrastive"]["wrong"]) or "- none"}
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/topics.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="store models/topics/benchmark.json")
    parser.add_argument("--limit", type=int, default=None, help="at most N texts per file (a quick check)")
    args = parser.parse_args(argv)
    if args.write and args.limit:
        parser.error("--write stores the figures of full sets: leave out --limit")
    results = run(args.limit)
    if args.write:
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        TABLE.write_text(markdown(results), encoding="utf-8")
    print(json.dumps(headline(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
