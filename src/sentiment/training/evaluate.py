"""Evaluate the embedded model on the test sets and write its model card:
``python -m sentiment.training.evaluate``.

Scores each xlm-t-umsab language's test split through the production path (``load_model()`` and
``SentimentModel.predict``, so batching, precision and preprocessing are the ones users get), writes
``evaluation.json`` beside the adapter (with the training sets' licences) and regenerates ``README.md``
(see :mod:`sentiment.training.card` for what it is rendered from).
The published XLM-T scores are parsed from the data set's README so the card shows them beside ours.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from sentiment.config import ModelSettings
from sentiment.model import default_adapter_path, load_model
from sentiment.progress import progress_bar
from sentiment.records import LABELS
from sentiment.training.card import CardData, render_card
from sentiment.training.data import LANGUAGES, default_data_dir, load_split
from sentiment.training.finetune import ATTEMPTS_FILE as ATTEMPTS
from sentiment.training.heldout import RESULT_FILE
from sentiment.training.metrics import accuracy, confusion_matrix, macro_f1, per_class_f1
from sentiment.training.reading import SETS, SPLITS_DIR

log = logging.getLogger("sentiment.training.evaluate")
_DEVANAGARI = re.compile("[\u0900-\u097f]")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sentiment.training.evaluate", description="Evaluate the sentiment model, write its card."
    )
    parser.add_argument("--data", type=Path, default=default_data_dir(), help="the xlm-t-umsab folder")
    parser.add_argument("--cache-dir", default=None, help="model cache (default $SENTIMENT_CACHE_DIR or ~/.cache)")
    parser.add_argument("--batch-size", type=int, default=ModelSettings().batch_size)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out_dir = default_adapter_path().parent
    evaluation = evaluate(args.data, args.cache_dir, args.batch_size)
    evaluation["training_sources"] = training_sources(out_dir)
    (out_dir / "evaluation.json").write_text(json.dumps(evaluation, indent=2) + "\n", encoding="utf-8")
    write_card(out_dir)
    log.info("test mean macro-F1 %.2f; wrote %s", evaluation["mean_macro_f1"], out_dir)
    return 0


def card_data(out_dir: Path) -> CardData:
    """What the card is rendered from: the committed JSON files (speed, reading and held-out figures
    only once their commands have written them)."""

    def optional(path: Path) -> Any:
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    return CardData(
        training=json.loads((out_dir / "training.json").read_text(encoding="utf-8")),
        evaluation=json.loads((out_dir / "evaluation.json").read_text(encoding="utf-8")),
        attempts=optional(out_dir / ATTEMPTS) or [],
        speed=optional(out_dir / "speed.json"),
        reading=optional(SPLITS_DIR / "results.json"),
        heldout=optional(out_dir / RESULT_FILE),
    )


def write_card(out_dir: Path) -> None:
    """Regenerate README.md from the committed JSON files."""
    (out_dir / "README.md").write_text(render_card(card_data(out_dir)), encoding="utf-8")


def training_sources(out_dir: Path) -> list[dict[str, str]]:
    """The reading sets the committed model was trained on, with what they measure and their licence."""
    training = json.loads((out_dir / "training.json").read_text(encoding="utf-8"))
    names = {group.partition("/")[0] for group in training["data"]["sizes"]}
    if not any("/" in group for group in training["data"]["sizes"]):
        names = {"xlm-t-umsab"}
    return [
        {"name": entry.name, "measures": entry.measures, "licence": entry.licence}
        for entry in SETS
        if entry.name in names
    ]


def evaluate(data_dir: Path, cache_dir: str | None, batch_size: int) -> dict[str, Any]:
    """Per-language test metrics (x100) of the model ``load_model`` gives, plus speed and anchors."""
    with progress_bar("preparing the model") as progress:
        model = load_model(ModelSettings(cache_dir=cache_dir, batch_size=batch_size), progress)
    precision = str(getattr(model.backend, "precision", "float32"))
    languages: dict[str, dict[str, Any]] = {}
    seconds = 0.0
    texts_total = 0
    devanagari = None
    for lang in LANGUAGES:
        split = load_split(data_dir, lang, "test")
        with progress_bar(f"scoring {lang} test") as progress:
            start = time.perf_counter()
            predictions = model.predict(split.texts, progress=progress)
            seconds += time.perf_counter() - start
        texts_total += len(split.texts)
        predicted = [LABELS.index(p.label) for p in predictions]
        languages[lang] = {
            "n": len(split.texts),
            "macro_f1": round(100 * macro_f1(split.labels, predicted), 2),
            "accuracy": round(100 * accuracy(split.labels, predicted), 2),
            "per_class_f1": {
                label: round(100 * f1, 2)
                for label, f1 in zip(LABELS, per_class_f1(split.labels, predicted), strict=True)
            },
            "confusion_matrix": {
                "rows": "gold",
                "columns": "predicted",
                "labels": list(LABELS),
                "counts": confusion_matrix(split.labels, predicted),
            },
        }
        if lang == "hindi":
            devanagari = sum(bool(_DEVANAGARI.search(t)) for t in split.texts)
    count = len(languages)
    return {
        "model_id": model.model_id,
        "version": model.version,
        "command": "python -m sentiment.training.evaluate",
        "data": "shared/data/xlm-t-umsab/<language>/test_{text,labels}.txt",
        "precision": precision,
        "batch_size": batch_size,
        "threads": torch.get_num_threads(),
        "languages": languages,
        "mean_macro_f1": round(sum(r["macro_f1"] for r in languages.values()) / count, 2),
        "mean_accuracy": round(sum(r["accuracy"] for r in languages.values()) / count, 2),
        "mean_per_class_f1": {
            label: round(sum(r["per_class_f1"][label] for r in languages.values()) / count, 2) for label in LABELS
        },
        "texts_per_s": round(texts_total / seconds, 1),
        "seconds": round(seconds, 1),
        "hindi_devanagari_count": devanagari,
        "anchors": parse_anchors(data_dir / "README.md"),
    }


def parse_anchors(readme: Path) -> dict[str, dict[str, float]]:
    """The published macro-F1 table of the data set's README: language (lower case, "all") -> column -> score."""
    try:
        lines = readme.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    anchors: dict[str, dict[str, float]] = {}
    columns: list[str] = []
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "Language":
            columns = cells[1:]
        elif columns and line.startswith("|") and not set(cells[0]) <= set("-: "):
            name = "all" if cells[0].lower().startswith("all") else cells[0].lower()
            anchors[name] = {c: float(v) for c, v in zip(columns, cells[1:], strict=False) if v}
        elif columns and not line.startswith("|"):
            break
    return anchors


if __name__ == "__main__":
    raise SystemExit(main())
