"""The untrained-language probe: plain complaints and plain praise in 20 languages that no training
set of the model contains, each text written by the team for this purpose (``models/reading/probe.jsonl``,
committed; none comes from ``../shared/data``).

Why it exists: a model trained on more reviews and posts read every set of the reading benchmark
better and yet read "terrible service, cold food, rude waiter, never again" in Czech, Turkish or
Swedish as positive. The benchmark's sets cover ten languages; the product reads any. The probe is
small and hand-written, so it is a tripwire, not a measure of accuracy: a text whose polarity is
read the wrong way round (a complaint as positive, praise as negative) is a *flip*, and a model that
flips more of them than the committed one does has lost something the sets cannot show.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sentiment.records import Prediction
from sentiment.training.reading import SPLITS_DIR

PROBE_FILE = SPLITS_DIR / "probe.jsonl"
POLARITIES = ("negative", "positive")


@dataclass(frozen=True)
class ProbeText:
    id: str
    language: str
    label: str
    text: str


def load_probe(path: Path = PROBE_FILE) -> list[ProbeText]:
    """The probe's texts; an error names the line and what is wrong with it."""
    texts = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        row = json.loads(line)
        if row.get("label") not in POLARITIES or not str(row.get("text", "")).strip():
            raise ValueError(f"{path}:{number}: label must be one of {POLARITIES} and text non-empty, got {row}")
        texts.append(ProbeText(row["id"], row["language"], row["label"], row["text"]))
    return texts


def probe_figures(texts: Sequence[ProbeText], predictions: Sequence[Prediction]) -> dict[str, Any]:
    """Share read with the right polarity, the flips (listed), and per language how many were right."""
    right = 0
    flips = []
    per_language: dict[str, list[int]] = {}
    for text, prediction in zip(texts, predictions, strict=True):
        correct = prediction.label == text.label
        flipped = prediction.label in POLARITIES and not correct
        right += correct
        per_language.setdefault(text.language, [0, 0])
        per_language[text.language][0] += correct
        per_language[text.language][1] += 1
        if flipped:
            flips.append(
                {"id": text.id, "label": text.label, "read": prediction.label, "score": round(prediction.score, 2)}
            )
    return {
        "n": len(texts),
        "right": right,
        "accuracy": round(100 * right / len(texts), 1),
        "flips": len(flips),
        "flipped": flips,
        "languages": {language: f"{ok}/{n}" for language, (ok, n) in per_language.items()},
    }
