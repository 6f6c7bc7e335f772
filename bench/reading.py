"""Reading benchmark: how well the product reads sentiment, on the test split of every labelled set
in ``../shared/data`` that carries sentiment, each with its publishers' metric and figure beside ours.

Run from the repository root (about 2 minutes on 2 cores)::

    .venv/bin/python bench/reading.py [--write] [--limit N]

It scores through the product's own path, as the nightly flow does: ``load_model()`` (int8 where
training verified it) then ``.predict(texts)``, one call per set and language, texts in test-id
order. int8 scales activations per batch, so the same texts grouped differently (``--limit``, say)
can flip a few labels; a full run is deterministic. Sets, splits and label mappings are defined in
:mod:`sentiment.training.reading`.

Printed: a table per set and language (n, metric, our figure, the other of accuracy / macro-F1,
the share of product labels that differ from the previous committed model's, and the published
anchor, "(unverified)" where the set's README says so), then one line per set, then the
untrained-language probe (:mod:`sentiment.training.probe`: 100 hand-written complaints and praise in
20 languages no training set has; how many were read right and which were read the wrong way round),
and last a JSON line ``{"model", "seconds", "sets": {set: {"metric", "value", "n", "differs"}},
"probe": {"n", "accuracy", "flips"}}`` where ``value`` is the mean over the set's languages. "Previous committed model" means ``models/reading/labels.json``: the
product labels of the last ``--write`` run, one character per test text (``-`` negative, ``0``
neutral, ``+`` positive) in test-id order, so a change that helps one set and hurts another shows
at once. ``--write`` stores that file and the figures (``models/reading/results.json``) and
regenerates the model card, which shows them; it refuses ``--limit``. ``--json FILE`` writes the
full results to ``FILE`` too (a candidate model's figures, for ``sentiment.training.attempts``). ``--limit N`` scores at most the first N test texts per set and language (a quick check).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from sentiment.model import SentimentModel, default_adapter_path, load_model
from sentiment.training.evaluate import write_card
from sentiment.training.probe import load_probe, probe_figures
from sentiment.training.reading import SETS, SPLITS_DIR, Example, ReadingSet, languages, shared_data_dir
from sentiment.training.reading import figures as set_figures

LABEL_CHARS = {"negative": "-", "neutral": "0", "positive": "+"}
RESULTS = SPLITS_DIR / "results.json"
LABELS_FILE = SPLITS_DIR / "labels.json"


def ids_digest(examples: Sequence[Example]) -> str:
    """Fingerprint of a test split's ids in order: stored labels are only compared with the same split."""
    return hashlib.sha256("\n".join(e.id for e in examples).encode()).hexdigest()[:16]


def previous_labels(path: Path = LABELS_FILE) -> dict[str, Any]:
    """The committed model's labels (``{}`` before the first ``--write``)."""
    if not path.is_file():
        return {}
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def previous_by_id(previous: dict[str, Any], name: str, test: Sequence[Example]) -> dict[str, str] | None:
    """Id -> previous product label of one set, or None when there is none or the split has changed."""
    stored = previous.get("sets", {}).get(name)
    if not stored or stored["test_ids"] != ids_digest(test) or len(stored["labels"]) != len(test):
        return None
    return {e.id: char for e, char in zip(test, stored["labels"], strict=True)}


def differing(ids: Sequence[str], chars: Sequence[str], before: dict[str, str] | None) -> float | None:
    """Share of texts whose product label changed since the committed model (None: nothing to compare)."""
    if before is None or not ids:
        return None
    return sum(before[i] != c for i, c in zip(ids, chars, strict=True)) / len(ids)


def score(
    model: SentimentModel, entry: ReadingSet, group: Sequence[Example], before: dict[str, str] | None
) -> tuple[dict[str, Any], str]:
    """Figures of one set and language, and the product's labels as characters."""
    predictions = model.predict([e.text for e in group])
    chars = "".join(LABEL_CHARS[p.label] for p in predictions)
    change = differing([e.id for e in group], chars, before)
    figures = {**set_figures(entry, group, predictions), "differs": None if change is None else round(change, 4)}
    return figures, chars


def run(limit: int | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The whole benchmark: the results (results.json) and the product labels (labels.json)."""
    load_before = os.getloadavg()
    start = time.perf_counter()
    data = shared_data_dir()
    model = load_model()
    previous = previous_labels()
    sets: dict[str, Any] = {}
    labels: dict[str, Any] = {}
    texts = 0
    for entry in SETS:
        set_start = time.perf_counter()
        test = entry.load(data)["test"]
        before = previous_by_id(previous, entry.name, test)
        per_language: dict[str, Any] = {}
        chars_by_id: dict[str, str] = {}
        for language in languages(test):
            group = [e for e in test if e.language == language][:limit]
            figures, chars = score(model, entry, group, before)
            anchor = entry.anchors[language]
            per_language[language] = {
                **figures,
                "anchor": anchor.figure or None,
                "anchor_source": anchor.source,
                "anchor_verified": anchor.verified,
                "anchor_note": anchor.note,
            }
            chars_by_id.update(zip((e.id for e in group), chars, strict=True))
        scored = [e for e in test if e.id in chars_by_id]
        texts += len(scored)
        change = differing([e.id for e in scored], [chars_by_id[e.id] for e in scored], before)
        values = [figures["value"] for figures in per_language.values()]
        sets[entry.name] = {
            "metric": entry.metric,
            "value": round(sum(values) / len(values), 2),
            "n": len(scored),
            "differs": None if change is None else round(change, 4),
            "labels": list(entry.labels),
            "split": entry.split_source,
            "measures": entry.measures,
            "seconds": round(time.perf_counter() - set_start, 1),
            "languages": per_language,
        }
        labels[entry.name] = {
            "test_ids": ids_digest(test),
            "labels": "".join(chars_by_id[e.id] for e in scored),
        }
    probe = load_probe()
    probe_results = probe_figures(probe, model.predict([p.text for p in probe]))
    seconds = time.perf_counter() - start
    results = {
        "model": {"id": model.model_id, "version": model.version, "precision": _precision(model)},
        "previous_model": previous.get("version"),
        "sets": sets,
        "probe": probe_results,
        "texts": texts,
        "seconds": round(seconds, 1),
        "limit": limit,
        "threads": torch.get_num_threads(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "torch": torch.__version__,
        "command": "python bench/reading.py" + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else ""),
    }
    return results, {"model_id": model.model_id, "version": model.version, "sets": labels}


def _precision(model: SentimentModel) -> str:
    return str(getattr(model.backend, "precision", "unknown"))


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{100 * share:.1f}%"


def table(results: dict[str, Any]) -> list[str]:
    """The printed table: one row per set and language, then one per set (mean over languages)."""
    other = {"macro-F1": "accuracy", "accuracy": "macro_f1", "micro-F1": "macro_f1"}
    names = {"accuracy": "accuracy", "macro_f1": "macro-F1"}
    rows = [
        f"{'set':<26} {'lang':<4} {'n':>5}  {'metric':<9} {'ours':>6}  {'other':<14} {'differs':>7}  anchor",
    ]
    for name, entry in results["sets"].items():
        for language, figures in entry["languages"].items():
            key = other[entry["metric"]]
            anchor = f"{figures['anchor']} " if figures["anchor"] else ""
            anchor += figures["anchor_source"] + ("" if figures["anchor_verified"] else " (unverified)")
            rows.append(
                f"{name:<26} {language:<4} {figures['n']:>5}  {entry['metric']:<9} {figures['value']:>6.1f}  "
                f"{names[key]:<8} {figures[key]:>5.1f} {_percent(figures['differs']):>7}  {anchor}"
            )
    rows.append("")
    for name, entry in results["sets"].items():
        rows.append(
            f"{name:<26} {'all':<4} {entry['n']:>5}  {entry['metric']:<9} {entry['value']:>6.1f}  "
            f"{'':<14} {_percent(entry['differs']):>7}  ({entry['seconds']:.0f} s)"
        )
    return rows


def probe_line(probe: dict[str, Any]) -> str:
    """The untrained-language probe in one line, with each flipped text's id and what it was read as."""
    flipped = ", ".join(f"{f['id']} {f['label']}->{f['read']}" for f in probe["flipped"])
    return (
        f"untrained-language probe: {probe['right']}/{probe['n']} right ({probe['accuracy']:.1f}%), "
        f"{probe['flips']} read the wrong way round" + (f": {flipped}" if flipped else "")
    )


def headline(results: dict[str, Any]) -> dict[str, Any]:
    """The last printed line: per set the headline figure, its size and the share of changed labels."""
    return {
        "model": results["model"]["version"],
        "previous_model": results["previous_model"],
        "seconds": results["seconds"],
        "limit": results["limit"],
        "sets": {
            name: {key: entry[key] for key in ("metric", "value", "n", "differs")}
            for name, entry in results["sets"].items()
        },
        "probe": {key: results["probe"][key] for key in ("n", "accuracy", "flips")},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/reading.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="store models/reading/results.json and labels.json")
    parser.add_argument("--limit", type=int, default=None, help="at most N test texts per set and language")
    parser.add_argument("--json", type=Path, default=None, help="also write the full results to this file")
    args = parser.parse_args(argv)
    if args.write and args.limit:
        parser.error("--write stores the figures of full test splits: leave out --limit")
    results, labels = run(args.limit)
    print(
        f"model {results['model']['version']} ({results['model']['precision']}); labels compared with "
        f"{results['previous_model'] or 'nothing (no models/reading/labels.json yet)'}"
    )
    for row in table(results):
        print(row)
    print(probe_line(results["probe"]))
    print(f"{results['texts']} texts in {results['seconds']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.write:
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        LABELS_FILE.write_text(json.dumps(labels, indent=1) + "\n", encoding="utf-8")
        write_card(default_adapter_path().parent)
    print(json.dumps(headline(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
