"""``SentimentModel.predict``: the one interface the pipeline uses to read sentiment.

A model turns texts into probabilities over ``LABELS``; everything else (label, score, batching,
input checks) is shared here so every backend behaves the same. The embedded backend is the
fine-tuned e5 classifier (:mod:`sentiment.model.classifier`); another backend can wrap any Hugging
Face classifier directory (:mod:`sentiment.model.hf_classifier`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple, Protocol, cast, overload

import numpy as np

from sentiment.errors import ModelError
from sentiment.model.progress import Progress
from sentiment.model.topic_head import FittedTopics, TopicHit, topic_hits
from sentiment.records import LABELS, Prediction


class Reading(NamedTuple):
    """A backend's reading of some texts: ``(n, 3)`` probabilities in ``LABELS`` order and, per text,
    whether only part of it was read (a cap on the work one text can cause); when topics were read
    in the same pass, ``(n, topics)`` topic probabilities and ``(n, topics, 3)`` aspect probabilities."""

    probabilities: np.ndarray
    truncated: list[bool]
    topics: np.ndarray | None = None
    aspects: np.ndarray | None = None


class Backend(Protocol):
    """Something that reads texts: probabilities, and which texts it read only in part, from one
    tokenisation (the truncation is decided where the tokens are)."""

    def read(self, texts: Sequence[str], batch_size: int, progress: Progress | None) -> Reading: ...


class _TopicBackend(Protocol):
    """A backend that reads topic heads in its own pass (the embedded model's)."""

    def read(
        self, texts: Sequence[str], batch_size: int, progress: Progress | None, topics: FittedTopics | None = None
    ) -> Reading: ...


class SentimentModel:
    """Reads sentiment: ``predict(texts)`` gives label, probabilities and ``score = p_pos - p_neg``.

    ``model_id`` and ``version`` go into every stored score row, so a retrained model rescores
    without mixing its numbers with the old ones.
    """

    def __init__(self, backend: Backend, *, model_id: str, version: str, batch_size: int = 16) -> None:
        self.backend = backend
        self.model_id = model_id
        self.version = version
        self.batch_size = batch_size

    @overload
    def predict(self, texts: str, *, progress: Progress | None = None) -> Prediction: ...  # type: ignore[overload-overlap]

    @overload
    def predict(self, texts: Sequence[str], *, progress: Progress | None = None) -> list[Prediction]: ...

    def predict(self, texts: str | Sequence[str], *, progress: Progress | None = None) -> Prediction | list[Prediction]:
        """One ``Prediction`` for a string; a list in input order for a sequence of strings.

        The embedded model scores a text longer than its 512-token window in sentence-packed parts
        and averages their probabilities, weighted by tokens (:mod:`sentiment.model.long_text`).
        """
        if isinstance(texts, str):
            return self._predict([texts], progress)[0]
        return self._predict(list(texts), progress)

    def predict_proba(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        """The raw ``(n, 3)`` probability matrix (columns in ``LABELS`` order), for evaluation."""
        return self._read(texts, progress).probabilities

    def _read(self, texts: Sequence[str], progress: Progress | None) -> Reading:
        items = _strings(texts, "predict")
        if not items:
            return Reading(np.zeros((0, len(LABELS))), [])
        return self.backend.read(items, self.batch_size, progress)

    def _predict(self, texts: list[str], progress: Progress | None) -> list[Prediction]:
        reading = self._read(texts, progress)
        return [to_prediction(row, cut) for row, cut in zip(reading.probabilities, reading.truncated, strict=True)]

    def analyse(
        self,
        texts: Sequence[str],
        topics: FittedTopics,
        *,
        only: Sequence[Sequence[str] | None] | None = None,
        progress: Progress | None = None,
    ) -> list[tuple[Prediction, list[TopicHit]]]:
        """Sentiment, topics and aspect sentiment of each text, from one pass of the encoder.

        ``only[i]``, when given and not None, names the topics text ``i`` is about (it gets the
        aspect sentiment of exactly those). The topic head must have been fitted on this model.
        """
        self.check_topics(topics)
        items = list(texts)
        if only is not None and len(only) != len(items):
            raise ModelError(f"only has {len(only)} entries for {len(items)} texts")
        _strings(items, "analyse")
        if not items:
            return []
        backend = cast(_TopicBackend, self.backend)
        reading = backend.read(items, self.batch_size, progress, topics=topics)
        assert reading.topics is not None and reading.aspects is not None
        results = []
        for i, (row, cut) in enumerate(zip(reading.probabilities, reading.truncated, strict=True)):
            prediction = to_prediction(row, cut)
            whole = (prediction.label, prediction.score)
            wanted = None if only is None else only[i]
            results.append((prediction, topic_hits(topics, reading.topics[i], reading.aspects[i], whole, wanted)))
        return results

    def check_topics(self, topics: FittedTopics, directory: Path | None = None) -> None:
        """A topic head is read in this model's own pass, on the encoder it was fitted on, or not at all."""
        if not getattr(self.backend, "reads_topics", False):
            raise ModelError(
                f"{self.model_id} cannot read topics: topic heads sit on the embedded model's encoder; "
                "score with model name 'embedded' or set topics.enabled: false"
            )
        topics.check_version(self.version, directory)

    def __repr__(self) -> str:
        return f"SentimentModel(model_id={self.model_id!r}, version={self.version!r})"


def _strings(texts: Sequence[str], method: str) -> list[str]:
    """The texts as a list; a non-string is named by its position (JSON input can hold numbers)."""
    items = list(texts)
    for index, text in enumerate(items):
        if not isinstance(text, str):
            raise ModelError(f"text {index} is a {type(text).__name__}; {method} takes strings only")
    return items


def to_prediction(row: np.ndarray, truncated: bool = False) -> Prediction:
    """Label of the most probable class; ``score = p(positive) - p(negative)`` in [-1, 1]."""
    probabilities: dict[str, float] = {label: float(p) for label, p in zip(LABELS, row, strict=True)}
    label = LABELS[int(np.argmax(row))]
    score = probabilities["positive"] - probabilities["negative"]
    return Prediction(label=label, probabilities=probabilities, score=score, truncated=truncated)
