"""Fit a taxonomy's topic head from labelled examples: ``sentiment topics fit``.

    sentiment topics fit --taxonomy T.yaml --examples E.jsonl --out DIR

Each line of ``E.jsonl`` is ``{"text": ..., "topics": [topic ids, possibly empty], "aspects": {topic id:
"negative"|"neutral"|"positive"}}`` (``aspects`` optional; ``"held_out": true`` optional, to fix a
line's part; ``"lang"`` optional, for per-language figures). What happens:

1. a held-out part is set aside (the lines marked ``held_out``, else about a fifth, chosen by a hash
   of the text within each rarest-topic group, so every topic with a few examples has some there); it
   is only scored, for the card;
2. the sentiment model reads every text once, keeping the token states of the tap layer and the last
   layer (the same pass the nightly run makes);
3. a :class:`~sentiment.model.topic_head.TopicHead` learns from four fifths of the rest (binary
   cross-entropy per topic, plus cross-entropy on the aspect labels where given), and from the
   taxonomy's own examples (each a positive of its topic only: short sentences written per language,
   often in languages the labelled lines lack); the last fifth chooses the epoch and each topic's
   threshold (the F1-best one);
4. ``DIR`` gets the head (``topic_head.safetensors``), the taxonomy it was fitted for, and a card with
   per-topic precision and recall on the held-out part (``evaluation.json``, ``README.md``).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml
from torch import nn

from sentiment.errors import ModelError
from sentiment.model import SentimentModel, load_model
from sentiment.model.classifier import FineTunedBackend
from sentiment.model.encoder import pad_batch
from sentiment.model.topic_head import DEFAULT_TAP, TAXONOMY_FILE, FittedTopics, TopicHead, confidences
from sentiment.records import LABELS
from sentiment.taxonomy import DEFAULT_TAXONOMY, OTHER, Taxonomy, default_taxonomy_path, read_taxonomy
from sentiment.training.topic_data import rarest_topic_strata

#: Tokens of a text whose states are kept for fitting (the head reads whole texts at run time; the
#: first 256 tokens carry the topics of nearly every review and post, and keep memory bounded).
FIT_TOKENS = 256
HELD_OUT_SHARE = 0.2
VALIDATION_SHARE = 0.2
EPOCHS = 15
#: Optimiser steps at least: a user's file of 80 examples is 2 batches an epoch, and 15 epochs of it
#: (30 steps) leave the head barely trained; small files get more epochs instead.
MIN_STEPS = 300
BATCH = 32
LEARNING_RATE = 3e-3
WEIGHT_DECAY = 1e-4
ASPECT_WEIGHT = 0.5
SEED = 13
#: Transformer layers of the encoder (e5-small): a tap is one of them.
LAYERS = 12
_THRESHOLDS = np.round(np.linspace(0.05, 0.95, 19), 2)


@dataclass(frozen=True)
class Example:
    """One labelled line of the examples file."""

    line: int
    text: str
    topics: tuple[str, ...]
    aspects: dict[str, str] = field(default_factory=dict)
    held_out: bool | None = None
    lang: str | None = None


def read_examples(path: Path, taxonomy: Taxonomy) -> list[Example]:
    """Parse ``E.jsonl``; an error names the line, the bad value and what is allowed."""
    allowed = [t.id for t in taxonomy.topics]
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise ModelError(f"cannot read the examples file {path}: {err}") from err
    examples = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            examples.append(_example(line, number, path, allowed))
    if not examples:
        raise ModelError(f'{path} has no examples; each line is {{"text": ..., "topics": [...]}}')
    return examples


def _example(line: str, number: int, path: Path, allowed: list[str]) -> Example:
    where = f"{path} line {number}"
    try:
        raw = json.loads(line)
    except ValueError as err:
        raise ModelError(f"{where}: not JSON ({err})") from None
    if not isinstance(raw, dict):
        raise ModelError(f'{where}: expected an object {{"text", "topics", "aspects"?}}, got {type(raw).__name__}')
    unknown_keys = set(raw) - {"text", "topics", "aspects", "held_out", "lang"}
    if unknown_keys:
        raise ModelError(
            f"{where}: unknown keys {sorted(unknown_keys)}; allowed: text, topics, aspects, held_out, lang"
        )
    text, topics, aspects = raw.get("text"), raw.get("topics"), raw.get("aspects", {})
    if not isinstance(text, str) or not text.strip():
        raise ModelError(f'{where}: "text" must be a non-empty string, got {text!r}')
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise ModelError(f'{where}: "topics" must be a list of topic ids (possibly empty), got {topics!r}')
    bad = [t for t in topics if t not in allowed]
    if bad:
        raise ModelError(f"{where}: unknown topics {bad}; allowed: {', '.join(allowed)} (an empty list is {OTHER!r})")
    if not isinstance(aspects, dict):
        raise ModelError(f'{where}: "aspects" must be an object {{topic id: label}}, got {aspects!r}')
    for topic, label in aspects.items():
        if topic not in topics:
            raise ModelError(f"{where}: aspect {topic!r} is not among the line's topics {topics}")
        if label not in LABELS:
            raise ModelError(f"{where}: aspect {topic!r} is {label!r}; allowed: {', '.join(LABELS)}")
    held_out, lang = raw.get("held_out"), raw.get("lang")
    if held_out is not None and not isinstance(held_out, bool):
        raise ModelError(f'{where}: "held_out" must be true or false, got {held_out!r}')
    if lang is not None and not isinstance(lang, str):
        raise ModelError(f'{where}: "lang" must be a language code string, got {lang!r}')
    return Example(number, text, tuple(dict.fromkeys(topics)), dict(aspects), held_out, lang)


def _rank(text: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}\x1f{text}".encode()).hexdigest()


def split(examples: Sequence[Example], share: float, salt: str) -> tuple[list[int], list[int]]:
    """Indices (kept, set aside): within each group of the rarest topic ("other" for none), ordered by
    a hash of the text, the first ``share`` (rounded up) is set aside. Deterministic, and every topic
    with a few examples has some on both sides."""
    groups = rarest_topic_strata([e.topics for e in examples])
    kept, aside = [], []
    for stratum in sorted(groups):
        ordered = sorted(groups[stratum], key=lambda i: _rank(examples[i].text, salt))
        cut = math.ceil(share * len(ordered)) if len(ordered) > 1 else 0
        aside += ordered[:cut]
        kept += ordered[cut:]
    return sorted(kept), sorted(aside)


def held_out_split(examples: Sequence[Example]) -> tuple[list[int], list[int]]:
    """The fit and held-out indices: lines marked ``held_out`` decide for themselves."""
    if any(e.held_out is not None for e in examples):
        return (
            [i for i, e in enumerate(examples) if not e.held_out],
            [i for i, e in enumerate(examples) if e.held_out],
        )
    return split(examples, HELD_OUT_SHARE, "held-out")


@dataclass
class States:
    """Per text, its token states at the tap layer and the last layer (float16, at most FIT_TOKENS)."""

    tapped: list[torch.Tensor]
    last: list[torch.Tensor]

    def batch(self, indices: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        length = max(self.tapped[i].shape[0] for i in indices)
        width = self.tapped[indices[0]].shape[1]
        tapped = torch.zeros(len(indices), length, width)
        last = torch.zeros(len(indices), length, width)
        mask = torch.zeros(len(indices), length, dtype=torch.bool)
        for row, i in enumerate(indices):
            n = self.tapped[i].shape[0]
            tapped[row, :n], last[row, :n], mask[row, :n] = self.tapped[i].float(), self.last[i].float(), True
        return tapped, last, mask


def encode(model: SentimentModel, texts: Sequence[str], tap: int) -> States:
    """Read every text once with the sentiment model, keeping the states a topic head reads."""
    backend = model.backend
    if not isinstance(backend, FineTunedBackend):
        raise ModelError(f"{model.model_id} has no topic heads: they sit on the embedded model's encoder")
    ids = [e.ids for e in backend.tokenizer.encode_batch([t.strip() for t in texts])]
    ids = [x if len(x) <= FIT_TOKENS else [*x[: FIT_TOKENS - 1], x[-1]] for x in ids]
    tapped: list[torch.Tensor] = [torch.empty(0)] * len(ids)
    last: list[torch.Tensor] = [torch.empty(0)] * len(ids)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    with torch.inference_mode():
        for start in range(0, len(order), 16):
            batch = order[start : start + 16]
            input_ids, mask = pad_batch([ids[i] for i in batch], backend.pad_id)
            _, tap_states, last_states = backend.model.states(input_ids, mask, tap)
            for row, i in enumerate(batch):
                n = len(ids[i])
                tapped[i], last[i] = tap_states[row, :n].half().clone(), last_states[row, :n].half().clone()
    return States(tapped, last)


def targets(examples: Sequence[Example], topics: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(n, topics)`` 0/1 topic labels and ``(n, topics)`` aspect labels (index into LABELS, -1: none)."""
    labels = np.zeros((len(examples), len(topics)), dtype=np.float32)
    aspects = np.full((len(examples), len(topics)), -1, dtype=np.int64)
    column = {t: j for j, t in enumerate(topics)}
    for i, example in enumerate(examples):
        for topic in example.topics:
            labels[i, column[topic]] = 1.0
        for topic, label in example.aspects.items():
            aspects[i, column[topic]] = LABELS.index(label)
    return labels, aspects


def predict(head: TopicHead, states: States, indices: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Topic probabilities ``(n, topics)`` and aspect probabilities ``(n, topics, 3)``."""
    head.train(False)
    topic_rows, aspect_rows = [], []
    with torch.inference_mode():
        for start in range(0, len(indices), 64):
            tapped, last, mask = states.batch(indices[start : start + 64])
            topic_logits, aspect_logits = head(tapped, last, mask)
            topic_rows.append(torch.sigmoid(topic_logits).numpy())
            aspect_rows.append(torch.softmax(aspect_logits, dim=-1).numpy())
    if not topic_rows:
        return np.zeros((0, len(head.bias))), np.zeros((0, len(head.bias), len(LABELS)))
    return np.concatenate(topic_rows), np.concatenate(aspect_rows)


def f1(predicted: np.ndarray, gold: np.ndarray) -> float:
    tp = float((predicted & gold).sum())
    wrong = float((predicted & ~gold).sum() + (~predicted & gold).sum())
    return 2 * tp / (2 * tp + wrong) if tp + wrong else 0.0


def best_thresholds(probabilities: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, float]:
    """Per topic the F1-best threshold on a grid (0.5 for a topic without positives), and the macro-F1."""
    thresholds, scores = [], []
    for j in range(labels.shape[1]):
        gold = labels[:, j] > 0.5
        if not gold.any():
            thresholds.append(0.5)
            continue
        candidates = [(f1(probabilities[:, j] >= t, gold), -abs(t - 0.5), t) for t in _THRESHOLDS]
        score, _, threshold = max(candidates)
        thresholds.append(float(threshold))
        scores.append(score)
    return np.array(thresholds), float(np.mean(scores)) if scores else 0.0


def train_head(
    states: States,
    labels: np.ndarray,
    aspects: np.ndarray,
    train: Sequence[int],
    validation: Sequence[int],
    log: Any = print,
) -> tuple[TopicHead, np.ndarray, list[dict[str, float]]]:
    """Train on ``train``; keep the epoch whose tuned-threshold macro-F1 on ``validation`` is best."""
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    width = states.tapped[train[0]].shape[1]
    head = TopicHead(labels.shape[1], width)
    optimiser = torch.optim.AdamW(head.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    topic_target, aspect_target = torch.tensor(labels), torch.tensor(aspects)
    best: tuple[float, dict[str, torch.Tensor], np.ndarray] | None = None
    history = []
    order = list(train)
    epochs = max(EPOCHS, math.ceil(MIN_STEPS / math.ceil(len(order) / BATCH)))
    for epoch in range(1, epochs + 1):
        head.train(True)
        rng.shuffle(order)
        total = 0.0
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            tapped, last, mask = states.batch(batch)
            topic_logits, aspect_logits = head(tapped, last, mask)
            loss = nn.functional.binary_cross_entropy_with_logits(topic_logits, topic_target[batch])
            known = aspect_target[batch] >= 0
            if bool(known.any()):
                loss = loss + ASPECT_WEIGHT * nn.functional.cross_entropy(
                    aspect_logits[known], aspect_target[batch][known]
                )
            optimiser.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimiser.step()
            total += float(loss.detach()) * len(batch)
        probabilities, _ = predict(head, states, validation)
        thresholds, score = best_thresholds(probabilities, labels[list(validation)])
        history.append({"epoch": epoch, "loss": round(total / len(order), 4), "validation_macro_f1": round(score, 4)})
        log(f"epoch {epoch}: loss {total / len(order):.4f}, validation macro-F1 {score:.3f}")
        if best is None or score > best[0]:
            best = (score, {k: v.detach().clone() for k, v in head.state_dict().items()}, thresholds)
    assert best is not None
    head.load_state_dict(best[1])
    head.train(False)
    return head, best[2], history


def scores(
    fitted: FittedTopics, probabilities: np.ndarray, aspects: np.ndarray, examples: Sequence[Example]
) -> dict[str, Any]:
    """Per-topic precision, recall and F1 at the fitted thresholds, macro-F1, aspect accuracy, per language."""
    labels, aspect_gold = targets(examples, fitted.topics)
    assigned = confidences(probabilities, fitted.thresholds) >= 0.5
    per_topic = {}
    for j, topic in enumerate(fitted.topics):
        gold, chosen = labels[:, j] > 0.5, assigned[:, j]
        tp = int((gold & chosen).sum())
        per_topic[topic] = {
            "support": int(gold.sum()),
            "precision": round(tp / max(1, int(chosen.sum())), 4),
            "recall": round(tp / max(1, int(gold.sum())), 4),
            "f1": round(f1(chosen, gold), 4),
        }
    known = aspect_gold >= 0
    aspect_right = int((aspects.argmax(axis=-1)[known] == aspect_gold[known]).sum())
    languages: dict[str, Any] = {}
    for lang in sorted({e.lang for e in examples if e.lang}):
        rows = np.array([e.lang == lang for e in examples])
        f1s = [f1(assigned[rows, j], labels[rows, j] > 0.5) for j in range(len(fitted.topics)) if labels[rows, j].any()]
        languages[lang] = {"n": int(rows.sum()), "macro_f1": round(float(np.mean(f1s)), 4) if f1s else None}
    return {
        "n": len(examples),
        "macro_f1": round(float(np.mean([t["f1"] for t in per_topic.values()])), 4),
        "topics": per_topic,
        "other": {
            "support": int((labels.sum(axis=1) == 0).sum()),
            "predicted": int((assigned.sum(axis=1) == 0).sum()),
        },
        "aspects": {"n": int(known.sum()), "accuracy": round(aspect_right / max(1, int(known.sum())), 4)},
        "languages": languages,
    }


def taxonomy_examples(taxonomy: Taxonomy) -> list[Example]:
    """Every example sentence of the taxonomy as a training line of its topic alone (no aspect label)."""
    return [
        Example(line=0, text=text, topics=(topic.id,), lang=lang)
        for topic in taxonomy.topics
        for lang in sorted(topic.examples)
        for text in topic.examples[lang]
    ]


def fit(
    model: SentimentModel,
    taxonomy: Taxonomy,
    examples: Sequence[Example],
    *,
    tap: int = DEFAULT_TAP,
    log: Any = print,
) -> tuple[FittedTopics, dict[str, Any]]:
    """The whole fit (see the module docstring): the fitted head and its evaluation report."""
    started = time.perf_counter()
    every = [*examples, *taxonomy_examples(taxonomy)]
    log(f"reading {len(every)} texts ({len(examples)} labelled lines, {len(every) - len(examples)} taxonomy examples)")
    states = encode(model, [e.text for e in every], tap)
    encoded = time.perf_counter()
    fitted, report = fit_states(model, taxonomy, examples, states, tap=tap, log=log)
    report["timing_s"] = {"encode": round(encoded - started, 1), "train": round(time.perf_counter() - encoded, 1)}
    return fitted, report


def fit_states(
    model: SentimentModel,
    taxonomy: Taxonomy,
    examples: Sequence[Example],
    states: States,
    *,
    tap: int = DEFAULT_TAP,
    log: Any = print,
) -> tuple[FittedTopics, dict[str, Any]]:
    """The fit once the texts were read: ``states`` holds ``examples`` then the taxonomy's own examples
    (as :func:`fit` reads them), so a benchmark can read a text once and fit several heads on it."""
    topics = [t.id for t in taxonomy.topics]
    fit_part, held_out = held_out_split(examples)
    fit_examples = [examples[i] for i in fit_part]
    train_local, validation_local = split(fit_examples, VALIDATION_SHARE, "validation")
    train = [fit_part[i] for i in train_local]
    validation = [fit_part[i] for i in validation_local]
    if not train or not validation:
        raise ModelError(f"{len(examples)} examples are too few to fit and validate a topic head; give at least 20")
    own = taxonomy_examples(taxonomy)
    if len(states.tapped) != len(examples) + len(own):
        raise ModelError(
            f"got states of {len(states.tapped)} texts for {len(examples)} lines and {len(own)} taxonomy examples"
        )
    train += range(len(examples), len(examples) + len(own))
    every = [*examples, *own]
    log(f"fitting on {len(train)} texts, {len(validation)} to validate, {len(held_out)} held out")
    labels, aspects = targets(every, topics)
    head, thresholds, history = train_head(states, labels, aspects, train, validation, log)
    fitted = FittedTopics(head, topics, [t.name for t in taxonomy.topics], thresholds, tap, model.version)
    report: dict[str, Any] = {
        "sentiment_model": {"id": model.model_id, "version": model.version},
        "tap": tap,
        "examples": {
            "fit": len(train) - len(own),
            "taxonomy": len(own),
            "validation": len(validation),
            "held_out": len(held_out),
        },
        "support_fit": {t: int(labels[train, j].sum()) for j, t in enumerate(topics)},
        "history": history,
        "thresholds": {t: float(x) for t, x in zip(topics, thresholds, strict=True)},
    }
    if held_out:
        probabilities, aspect_probabilities = predict(head, states, held_out)
        report["held_out"] = scores(fitted, probabilities, aspect_probabilities, [every[i] for i in held_out])
    return fitted, report


def render_card(report: dict[str, Any], taxonomy: Taxonomy) -> str:
    """The fitted head's card: what it was fitted on and how it scores on the held-out part."""
    names = {t.id: t.name for t in taxonomy.topics}
    lines = [
        "# Topic head",
        "",
        f"Fitted by `{report['command']}` on sentiment model `{report['sentiment_model']['version']}` "
        f"(token states of layer {report['tap']}); {report['examples']['fit']} examples to fit "
        f"(and the taxonomy's own {report['examples'].get('taxonomy', 0)} example sentences), "
        f"{report['examples']['validation']} to choose the epoch and thresholds, {report['examples']['held_out']} held out. "
        f"Reading the texts took {report['timing_s']['encode']:.0f} s, training {report['timing_s']['train']:.0f} s.",
        "",
        "*Generated by the command above; do not edit by hand.*",
    ]
    held = report.get("held_out")
    if held:
        lines += [
            "",
            f"## Held-out part ({held['n']} texts, never used to fit or choose)",
            "",
            f"Macro-F1 over topics **{held['macro_f1']:.3f}**; aspect sentiment right on "
            f"{100 * held['aspects']['accuracy']:.1f}% of {held['aspects']['n']} labelled aspects; "
            f"{held['other']['support']} texts without a topic, {held['other']['predicted']} predicted so.",
            "",
            "| topic | name | support | precision | recall | F1 | threshold | fit examples |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for topic, row in held["topics"].items():
            lines.append(
                f"| {topic} | {names.get(topic, topic)} | {row['support']} | {row['precision']:.2f} | "
                f"{row['recall']:.2f} | {row['f1']:.2f} | {report['thresholds'][topic]:.2f} | "
                f"{report['support_fit'][topic]} |"
            )
        if held["languages"]:
            lines += ["", "| language | texts | macro-F1 (topics present) |", "|---|---|---|"]
            for lang, row in held["languages"].items():
                value = "n/a" if row["macro_f1"] is None else f"{row['macro_f1']:.3f}"
                lines.append(f"| {lang} | {row['n']} | {value} |")
    lines += ["", "## Epochs", "", "| epoch | loss | validation macro-F1 |", "|---|---|---|"]
    lines += [f"| {h['epoch']} | {h['loss']:.4f} | {h['validation_macro_f1']:.3f} |" for h in report["history"]]
    return "\n".join(lines) + "\n"


def write_artefact(fitted: FittedTopics, report: dict[str, Any], taxonomy: Taxonomy, out: Path) -> None:
    """``out``: the head, the taxonomy it belongs to, the evaluation and the card."""
    fitted.save(out)
    taxonomy_text = yaml.safe_dump(taxonomy.model_dump(), allow_unicode=True, sort_keys=False)
    (out / TAXONOMY_FILE).write_text(taxonomy_text, encoding="utf-8")
    (out / "evaluation.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "README.md").write_text(render_card(report, taxonomy), encoding="utf-8")


def run(taxonomy_name: str, examples_path: Path, out: Path, tap: int, command: str) -> dict[str, Any]:
    """Read, fit, write: what ``sentiment topics fit`` does; returns the report."""
    if not 1 <= tap <= LAYERS:
        raise ModelError(f"--tap must be a layer from 1 to {LAYERS}, not {tap}")
    path = default_taxonomy_path() if taxonomy_name == DEFAULT_TAXONOMY else Path(taxonomy_name)
    taxonomy = read_taxonomy(path)
    examples = read_examples(examples_path, taxonomy)
    fitted, report = fit(load_model(), taxonomy, examples, tap=tap)
    report["command"] = command
    write_artefact(fitted, report, taxonomy, out)
    return report
