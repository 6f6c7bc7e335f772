"""The record of every training run tried: ``models/embedded-sentiment/attempts.json``, shown by the card.

A run of ``python -m sentiment.training.finetune --mixture reading --out DIR`` leaves a whole model in
``DIR`` (adapter and ``training.json``). Whether it is adopted or not, it is recorded here::

    python -m sentiment.training.attempts DIR --round reading2 [--reading FILE] [--note TEXT]

``FILE`` is that model's reading benchmark (``SENTIMENT_MODELS_DIR=DIR/.. bench/reading.py --json FILE``),
kept "for the record": choices between runs are made on val (``val_mean_macro_f1``), never on it.

Runs trained before validation averaged macro-F1 over the classes each group has (a two-class group's
"neutral" F1 of 0 was averaged in) are recorded with ``--three-class-val``: a class absent from a
group's gold labels always has F1 0, so the old figure is converted exactly, ``old x 3 / classes``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sentiment.model import default_model_dir
from sentiment.training.finetune import ATTEMPTS_FILE as ATTEMPTS
from sentiment.training.mixture import load_mixture
from sentiment.training.reading import shared_data_dir


def gold_classes(mixture_name: str, hold_out: str | None = None) -> dict[str, int]:
    """Group name -> number of classes in its val labels."""
    mixture = load_mixture(mixture_name, shared_data_dir() / "xlm-t-umsab", hold_out=hold_out)
    return {g.name: len(set(g.labels["val"])) for g in mixture.groups}


def convert(scores: dict[str, float], classes: dict[str, int]) -> dict[str, float]:
    """Three-class macro-F1 per group -> macro-F1 over the group's own classes (see module docstring)."""
    return {name: round(value * 3 / classes[name], 2) for name, value in scores.items()}


def _mean(scores: dict[str, float]) -> float:
    return round(sum(scores.values()) / len(scores), 2)


def attempt(
    training: dict[str, Any],
    round_name: str,
    reading: dict[str, Any] | None,
    classes: dict[str, int] | None,
    note: str = "",
) -> dict[str, Any]:
    """One row of attempts.json from a run's training.json (and its reading benchmark, for the record)."""
    val = dict(training["val"]["macro_f1"])
    # A weight-space mix (``training.json`` has ``mix``) has no epochs of its own: those are the tuned run's.
    epochs = [] if "mix" in training else [dict(e["val_macro_f1"]) for e in training["epochs"]]
    if classes is not None:
        val, epochs = convert(val, classes), [convert(e, classes) for e in epochs]
    sizes = training["data"]["sizes"]
    record = None
    if reading is not None:
        sets = reading["sets"]
        record = {
            "model": reading["model"]["version"],
            "sets": {name: entry["value"] for name, entry in sets.items()},
            "semeval_macro_f1": {
                lang: figures["macro_f1"] for lang, figures in sets["semeval2016-absa"]["languages"].items()
            },
            "umsab_macro_f1": {lang: figures["macro_f1"] for lang, figures in sets["xlm-t-umsab"]["languages"].items()},
        }
    return {
        "round": round_name,
        "mixture": _mixture(training),
        "version": training["version"],
        "config": training["method"]["config"],
        "device": training["trained_on"],
        "train_texts": sum(s["train"] for s in sizes.values()),
        "largest_group": max(s["train"] for s in sizes.values()),
        "best_epoch": training["best_epoch"],
        "val_mean_macro_f1": _mean(val),
        "val_macro_f1": val,
        "epochs_val": [_mean(e) for e in epochs],
        "val_converted_from_three_classes": classes is not None,
        "test_for_the_record": record,
        "seconds": training["timing_s"]["training"],
        "note": note,
    }


def _mixture(training: dict[str, Any]) -> str:
    """The mixture a run trained on (a weight-space mix: its tuned run's)."""
    command = training["mix"]["tuned"]["trained_with"] if "mix" in training else training["trained_with"]
    return str(command).partition("--mixture ")[2] or "umsab"


def record(row: dict[str, Any], attempts_path: Path) -> list[dict[str, Any]]:
    """Add (or replace, by round) ``row`` in the attempts file; returns the new list."""
    rows: list[dict[str, Any]] = []
    if attempts_path.is_file():
        rows = json.loads(attempts_path.read_text(encoding="utf-8"))
    rows = [r for r in rows if r["round"] != row["round"]] + [row]
    attempts_path.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sentiment.training.attempts", description=__doc__.split("\n")[0])
    parser.add_argument("run", type=Path, help="the --out folder of the run (adapter and training.json)")
    parser.add_argument("--round", required=True, help="the name this run has in the record (e.g. reading2)")
    parser.add_argument("--reading", type=Path, default=None, help="the run's bench/reading.py --json file")
    parser.add_argument("--three-class-val", action="store_true", help="convert val figures of an older run")
    parser.add_argument("--note", default="", help="what was different about this run")
    args = parser.parse_args(argv)
    training = json.loads((args.run / "training.json").read_text(encoding="utf-8"))
    reading = json.loads(args.reading.read_text(encoding="utf-8")) if args.reading else None
    mixture = _mixture(training)
    name, _, hold_out = mixture.partition(" --hold-out ")
    classes = gold_classes(name, hold_out or None) if args.three_class_val else None
    row = attempt(training, args.round, reading, classes, args.note)
    rows = record(row, default_model_dir() / "embedded-sentiment" / ATTEMPTS)
    print(json.dumps({"recorded": row["round"], "val_mean_macro_f1": row["val_mean_macro_f1"], "attempts": len(rows)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
