"""What topic assignment learns from data, kept in ``models/topics/calibration.json``.

Raw e5 cosine similarities are poor topic scores: every sentence is about 0.8 similar to everything,
and real posts share a few dominant directions (style, length, "tweetness") that swamp the topical
ones. Two fixes, both fitted on data and stored here:

* the *space*: embeddings are centred on the mean of a background corpus of real posts and the
  corpus' top principal components are removed ("all-but-the-top", Mu & Viswanath 2018);
* the *thresholds*: a topic is assigned when its score reaches a threshold fitted on the
  calibration part of the labelled set (per topic, shrunk towards one global threshold, since most
  topics have few labelled examples), and a logistic fit of the same data turns the distance to the
  threshold into a confidence.

A threshold belongs to a topic's wording: it records the topic's fingerprint, and a topic whose
description or examples changed (or a topic a config added) falls back to the global threshold.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from sentiment.errors import ModelError
from sentiment.taxonomy import Topic

CALIBRATION_FORMAT = 1
#: The sentence that checks an encoder makes the features the calibration was fitted on.
PROBE = "The staff were friendly but we waited forever for our coffee."
#: How many topic examples a sentence's score averages over (its nearest ones).
TOP_K = 5
#: Principal components of the background corpus removed from every embedding.
COMPONENTS = 4
#: Pseudo-count of the shrinkage of per-topic thresholds towards the global one: with a handful of
#: labelled texts per topic, a per-topic optimum is mostly noise (chosen by cross-validation on the
#: calibration part, where 20 and a single global threshold tied and 5 or 1 were worse).
SHRINK = 20.0
#: A clause must beat a threshold by this much to assign a topic on its own (sentences need not):
#: clauses are short and noisy; 0.04 to 0.1 all kept the sentence-level macro-F1 in cross-validation on
#: the calibration part while catching a second aspect inside one sentence, 0 lost about 0.02.
CLAUSE_MARGIN = 0.05


@dataclass(frozen=True)
class TopicSpace:
    """Centre and flatten embeddings the way the calibration was fitted: ``prefix`` + projection."""

    prefix: str
    mean: np.ndarray
    components: np.ndarray

    def project(self, embeddings: np.ndarray) -> np.ndarray:
        """Centre, remove the dominant components, re-normalise (rows stay unit length)."""
        centred = embeddings.astype(np.float32) - self.mean
        flat = centred - (centred @ self.components.T) @ self.components
        norms = np.linalg.norm(flat, axis=1, keepdims=True)
        return np.asarray(flat / np.maximum(norms, 1e-12), dtype=np.float32)

    @classmethod
    def fit(cls, background: np.ndarray, prefix: str, components: int = COMPONENTS) -> TopicSpace:
        """Mean and top principal components of background embeddings (one row per text)."""
        mean = background.mean(axis=0)
        _, _, vt = np.linalg.svd(background - mean, full_matrices=False)
        return cls(prefix, mean.astype(np.float32), vt[:components].astype(np.float32))


@dataclass(frozen=True)
class TopicThreshold:
    """A calibrated threshold, valid for the topic wording with this fingerprint."""

    threshold: float
    fingerprint: str
    support: int


@dataclass(frozen=True)
class Calibration:
    """Everything fitted: the space, thresholds, the confidence curve and the encoder it assumes."""

    encoder_sha256: str
    space: TopicSpace
    global_threshold: float
    thresholds: dict[str, TopicThreshold]
    #: ``confidence = sigmoid(slope * (score - threshold) + intercept)``
    slope: float
    intercept: float
    probe: np.ndarray
    top_k: int = TOP_K
    clause_margin: float = CLAUSE_MARGIN
    meta: dict[str, object] = field(default_factory=dict)

    def threshold(self, topic: Topic) -> float:
        """The topic's own threshold when its wording is unchanged, else the global one."""
        own = self.thresholds.get(topic.id)
        if own is not None and own.fingerprint == topic.fingerprint():
            return own.threshold
        return self.global_threshold

    def confidence(self, margin: np.ndarray) -> np.ndarray:
        """Calibrated probability that a topic applies, from ``score - threshold``."""
        return np.asarray(1.0 / (1.0 + np.exp(-(self.slope * margin + self.intercept))))

    def save(self, path: Path) -> None:
        payload = {
            "format": CALIBRATION_FORMAT,
            "encoder_sha256": self.encoder_sha256,
            "prefix": self.space.prefix,
            "top_k": self.top_k,
            "clause_margin": self.clause_margin,
            "global_threshold": round(self.global_threshold, 6),
            "slope": round(self.slope, 6),
            "intercept": round(self.intercept, 6),
            "thresholds": {
                k: {"threshold": round(v.threshold, 6), "fingerprint": v.fingerprint, "support": v.support}
                for k, v in sorted(self.thresholds.items())
            },
            "meta": self.meta,
            "mean": _floats(self.space.mean),
            "components": [_floats(row) for row in self.space.components],
            "probe": _floats(self.probe),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Calibration:
        """Read :meth:`save`'s file; the error says how to make one."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ModelError(
                f"cannot read the topic calibration {path} ({err}); build it with "
                "`python -m sentiment.training.topics_eval` or set SENTIMENT_MODELS_DIR"
            ) from err
        if raw.get("format") != CALIBRATION_FORMAT:
            raise ModelError(f"{path} has format {raw.get('format')!r}; expected {CALIBRATION_FORMAT}, recalibrate")
        space = TopicSpace(
            str(raw["prefix"]),
            np.asarray(raw["mean"], dtype=np.float32),
            np.asarray(raw["components"], dtype=np.float32).reshape(-1, len(raw["mean"])),
        )
        thresholds = {
            k: TopicThreshold(float(v["threshold"]), str(v["fingerprint"]), int(v["support"]))
            for k, v in raw["thresholds"].items()
        }
        return cls(
            encoder_sha256=str(raw["encoder_sha256"]),
            space=space,
            global_threshold=float(raw["global_threshold"]),
            thresholds=thresholds,
            slope=float(raw["slope"]),
            intercept=float(raw["intercept"]),
            probe=np.asarray(raw["probe"], dtype=np.float32),
            top_k=int(raw["top_k"]),
            clause_margin=float(raw["clause_margin"]),
            meta=dict(raw.get("meta", {})),
        )


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """The score cut that maximises F1 of ``scores >= cut`` (ties: the highest such cut)."""
    order = np.argsort(-scores, kind="stable")
    ranked, truth = scores[order], labels[order].astype(bool)
    true_positives = np.cumsum(truth)
    predicted = np.arange(1, len(ranked) + 1)
    f1 = 2 * true_positives / (predicted + truth.sum())
    # A cut can only sit where the next score is strictly lower.
    valid = np.append(ranked[:-1] > ranked[1:], True)
    best = int(np.argmax(np.where(valid, f1, -1.0)))
    return float(ranked[best])


def global_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """One cut for all topics: maximises micro-F1 over every (text, topic) pair."""
    return best_threshold(scores.ravel(), labels.ravel())


def fit_thresholds(
    topics: Sequence[Topic], scores: np.ndarray, labels: np.ndarray, shrink: float = SHRINK
) -> tuple[float, dict[str, TopicThreshold]]:
    """Global threshold plus per-topic thresholds shrunk towards it by ``n / (n + shrink)``.

    A topic without a labelled example keeps the global threshold. ``scores`` and ``labels`` are
    ``(texts, topics)`` in ``topics`` order.
    """
    overall = global_threshold(scores, labels)
    fitted: dict[str, TopicThreshold] = {}
    for column, topic in enumerate(topics):
        support = int(labels[:, column].sum())
        own = best_threshold(scores[:, column], labels[:, column]) if support else overall
        weight = support / (support + shrink)
        fitted[topic.id] = TopicThreshold(weight * own + (1 - weight) * overall, topic.fingerprint(), support)
    return overall, fitted


def fit_confidence(margins: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Logistic regression of the label on ``score - threshold`` (Platt scaling), lightly regularised."""
    x = margins.ravel().astype(np.float64)
    y = labels.ravel().astype(np.float64)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = w[0] * x + w[1]
        p = 1.0 / (1.0 + np.exp(-z))
        nll = float(np.sum(np.logaddexp(0.0, z) - y * z)) + 1e-3 * float(w[0] ** 2)
        grad = np.array([np.sum((p - y) * x) + 2e-3 * w[0], np.sum(p - y)])
        return nll, grad

    result = minimize(loss, np.array([10.0, 0.0]), jac=True, method="L-BFGS-B")
    return float(result.x[0]), float(result.x[1])


def _floats(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]
