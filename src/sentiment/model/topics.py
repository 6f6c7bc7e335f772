"""Topic assignment and aspect sentiment: ``TopicModel.load(...).assign(texts)``.

What a mention is about, and how it feels about each thing: "great coffee but we waited 40 minutes"
is positive on product quality and negative on wait time. The steps, per text:

1. split into sentences; a text of several sentences also counts whole; a sentence with a
   contrastive conjunction ("but/aber/ale/mais/pero/ma" ...) is also cut into clauses
   (:mod:`sentiment.model.sentences`);
2. embed them and every topic example with the frozen multilingual e5 encoder ("query: " prefix,
   e5's convention for symmetric similarity) in the calibrated space (:mod:`topic_calibration`);
3. a unit's score for a topic is the mean cosine to the topic's 5 nearest examples, minus the unit's
   mean over all topics: a sentence is topical when it is closer to one topic than to the others,
   not when it is close to everything (short generic posts are);
4. a text's score is its best sentence's; a clause counts too but must beat the threshold by a
   margin (clauses are short and noisy: on the calibration part, detection per clause lost
   macro-F1, and the margin recovers a second aspect inside one sentence without that loss);
   the topic is assigned at its calibrated threshold, with a calibrated confidence; a text with no
   topic is "other";
5. aspect sentiment: the sentences reaching the threshold carry the topic, narrowed to their clauses
   that reach it (else their best clause); the sentiment model reads those, probabilities averaged.

Topics are matched against examples in every language at once, which is why a Polish complaint about
waiting lands where an English one does.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, overload

import numpy as np

from sentiment.config import ModelSettings
from sentiment.errors import ModelError
from sentiment.model.encoder import E5Encoder
from sentiment.model.scorer import SentimentModel, to_prediction
from sentiment.model.sentences import split_clauses, split_sentences
from sentiment.model.topic_calibration import Calibration
from sentiment.model.topic_encoder import check_encoder, frozen_encoder
from sentiment.model.topic_head import TopicHit
from sentiment.records import LABELS, Prediction
from sentiment.taxonomy import OTHER, Taxonomy, Topic, TopicSettings, load_taxonomy

#: The units topics are detected in: sentences with clauses at a margin (the default, chosen on the
#: calibration part), clauses alone, or the whole text only (the last two for the evaluation's ablation).
UnitMode = Literal["sentences", "clauses", "text"]


def default_topics_dir() -> Path:
    """``$SENTIMENT_MODELS_DIR/topics``, else the repository's ``models/topics``."""
    env = os.environ.get("SENTIMENT_MODELS_DIR", "").strip()
    models = Path(env) if env else Path(__file__).resolve().parents[3] / "models"
    return models / "topics"


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """A detected topic before sentiment and the units carrying it (indices into ``TextTopics.units``)."""

    topic: str
    confidence: float
    score: float
    units: tuple[int, ...]


@dataclass(frozen=True)
class TextTopics:
    """One text as the detector saw it.

    ``units`` are its sentences, then the whole text when there are several; ``unit_scores`` their
    ``(units, topics)`` scores; ``clauses`` maps a sentence of several clauses to those clauses and
    their scores; ``scores`` is the text's score per topic; ``matches`` the topics that reached their
    threshold, most confident first.
    """

    units: list[str]
    unit_scores: np.ndarray
    scores: np.ndarray
    matches: list[TopicMatch]
    clauses: dict[int, tuple[list[str], np.ndarray]] = field(default_factory=dict)


class TopicModel:
    """Assigns taxonomy topics to texts and reads the sentiment of the clauses carrying each topic."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        encoder: E5Encoder,
        calibration: Calibration,
        sentiment: SentimentModel | None = None,
        *,
        batch_size: int = 64,
        include_other: bool = True,
        unit_mode: UnitMode = "sentences",
        _known: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.encoder = encoder
        self.calibration = calibration
        self.sentiment = sentiment
        self.batch_size = batch_size
        self.include_other = include_other
        self.unit_mode: UnitMode = unit_mode
        self.thresholds = np.array([calibration.threshold(t) for t in taxonomy.topics])
        self._reference = _with_reference_topics(taxonomy)
        examples = [text for topic in self._reference for text in topic.texts()]
        self._owner = np.repeat(np.arange(len(self._reference)), [len(t.texts()) for t in self._reference])
        known = dict(_known or {})
        missing = [text for text in dict.fromkeys(examples) if text not in known]
        if missing:
            known.update(zip(missing, self._embed(missing), strict=True))
        self._known = known
        self._examples = np.stack([known[text] for text in examples])
        self.topic_set = self._topic_set()

    @classmethod
    def load(
        cls,
        settings: TopicSettings | None = None,
        *,
        sentiment: SentimentModel | None = None,
        encoder: E5Encoder | None = None,
        model_settings: ModelSettings | None = None,
        calibration_path: Path | None = None,
        base_dir: Path | None = None,
        with_sentiment: bool = True,
    ) -> TopicModel:
        """The configured taxonomy with the committed calibration, on the frozen e5 encoder.

        The sentiment model is the one given, else ``load_model(model_settings)`` (skipped with
        ``with_sentiment=False``, for topic detection only). Topics run on the frozen e5 encoder
        (the sentiment model's is fine-tuned), loaded from the model cache unless ``encoder`` is
        given; either way it is checked against the calibration. ``base_dir`` resolves a relative
        taxonomy path (the config file's folder).
        """
        settings = settings or TopicSettings()
        model_settings = model_settings or ModelSettings()
        taxonomy = load_taxonomy(settings, base_dir)
        calibration = Calibration.load(calibration_path or default_topics_dir() / "calibration.json")
        if sentiment is None and with_sentiment:
            from sentiment.model import load_model

            sentiment = load_model(model_settings)
        encoder = encoder or frozen_encoder(model_settings, calibration)
        check_encoder(encoder, calibration)
        return cls(taxonomy, encoder, calibration, sentiment, batch_size=settings.batch_size)

    def with_taxonomy(self, taxonomy: Taxonomy) -> TopicModel:
        """The same model on another taxonomy (a config reload), embedding only examples it lacks."""
        return TopicModel(
            taxonomy,
            self.encoder,
            self.calibration,
            self.sentiment,
            batch_size=self.batch_size,
            include_other=self.include_other,
            unit_mode=self.unit_mode,
            _known=self._known,
        )

    @overload
    def assign(self, texts: str, *, predictions: Sequence[Prediction] | None = None) -> list[TopicHit]: ...  # type: ignore[overload-overlap]

    @overload
    def assign(
        self, texts: Sequence[str], *, predictions: Sequence[Prediction] | None = None
    ) -> list[list[TopicHit]]: ...

    def assign(
        self, texts: str | Sequence[str], *, predictions: Sequence[Prediction] | None = None
    ) -> list[TopicHit] | list[list[TopicHit]]:
        """Topics with aspect sentiment: a list of hits for a string, one list per text for a sequence.

        ``predictions``, the whole-text sentiment the caller already has (in ``texts`` order), is
        reused wherever the whole text carries a topic, which saves most of the sentiment work on
        short posts. A text without a topic gets one ``"other"`` hit (its whole-text sentiment,
        confidence one minus the best topic's); an empty text gets none.
        """
        if isinstance(texts, str):
            return self._assign([texts], [predictions[0]] if predictions else None)[0]
        items = list(texts)
        if predictions is not None and len(predictions) != len(items):
            raise ModelError(f"got {len(predictions)} predictions for {len(items)} texts; pass one per text")
        return self._assign(items, list(predictions) if predictions is not None else None)

    def detect(self, texts: Sequence[str]) -> list[TextTopics]:
        """Topic scores and matches per text, without sentiment (what the evaluation measures)."""
        plans = [self._plan(text) for text in texts]
        flat = [u for units, clauses in plans for u in units + [c for cs in clauses.values() for c in cs]]
        scored = self.unit_scores(flat)
        results: list[TextTopics] = []
        start = 0
        for units, clause_texts in plans:
            block = scored[start : start + len(units)]
            start += len(units)
            clauses: dict[int, tuple[list[str], np.ndarray]] = {}
            for index, parts in clause_texts.items():
                clauses[index] = (parts, scored[start : start + len(parts)])
                start += len(parts)
            results.append(self._match(units, block, clauses))
        return results

    def unit_scores(self, units: Sequence[str]) -> np.ndarray:
        """``(units, configured topics)`` scores: nearest-examples similarity minus the unit's mean."""
        if not units:
            return np.zeros((0, len(self.taxonomy.topics)))
        similarity = self._embed(units) @ self._examples.T
        k = self.calibration.top_k
        per_topic = np.stack([_top_mean(similarity[:, self._owner == j], k) for j in range(len(self._reference))], 1)
        relative = per_topic - per_topic.mean(axis=1, keepdims=True)
        return np.asarray(relative[:, : len(self.taxonomy.topics)])

    def _plan(self, text: str) -> tuple[list[str], dict[int, list[str]]]:
        """The detection units of a text and, per sentence of several clauses, those clauses."""
        whole = text.strip()
        if not whole:
            return [], {}
        if self.unit_mode == "text":
            return [whole], {}
        sentences = split_sentences(whole)
        if self.unit_mode == "clauses":
            sentences = [c for s in sentences for c in split_clauses(s)]
        units = [*sentences, whole] if len(sentences) > 1 else sentences
        if self.unit_mode == "clauses":
            return units, {}
        split = {i: split_clauses(s) for i, s in enumerate(sentences)}
        return units, {i: parts for i, parts in split.items() if len(parts) > 1}

    def _match(
        self, units: list[str], block: np.ndarray, clauses: dict[int, tuple[list[str], np.ndarray]]
    ) -> TextTopics:
        if not units:
            empty = np.full(len(self.taxonomy.topics), -np.inf)
            return TextTopics(units, block, empty, [])
        margin = self.calibration.clause_margin
        sentence_rows = block[:-1] if len(units) > 1 else block
        clause_best = np.full(sentence_rows.shape, -np.inf)
        for index, (_, scores) in clauses.items():
            clause_best[index] = scores.max(axis=0) - margin
        scores = np.maximum(block.max(axis=0), clause_best.max(axis=0))
        confidence = self.calibration.confidence(scores - self.thresholds)
        carrying = np.maximum(sentence_rows, clause_best) >= self.thresholds
        matches = [
            TopicMatch(
                self.taxonomy.topics[j].id,
                float(confidence[j]),
                float(scores[j]),
                tuple(int(i) for i in np.flatnonzero(carrying[:, j])) or (len(units) - 1,),
            )
            for j in np.flatnonzero(scores >= self.thresholds)
        ]
        matches.sort(key=lambda m: -m.confidence)
        return TextTopics(units, block, scores, matches, clauses)

    def _assign(self, texts: list[str], predictions: list[Prediction] | None) -> list[list[TopicHit]]:
        if self.sentiment is None:
            raise ModelError("this TopicModel was loaded without a sentiment model; assign needs one")
        detected = self.detect(texts)
        carriers = [self._carriers(result) for result in detected]
        wholes = {text.strip(): index for index, text in enumerate(texts)}
        needed = list(dict.fromkeys(c for per_text in carriers for per_match in per_text for c in per_match))
        if predictions is not None:
            needed = [c for c in needed if c not in wholes]
        read = dict(zip(needed, self.sentiment.predict_proba(needed), strict=True)) if needed else {}
        if predictions is not None:
            read.update({whole: _probabilities(predictions[index]) for whole, index in wholes.items()})
        hits: list[list[TopicHit]] = []
        for result, per_text in zip(detected, carriers, strict=True):
            if not result.matches:
                hits.append(self._other(result, read[per_text[0][0]]) if per_text else [])
                continue
            found = []
            for match, carrier in zip(result.matches, per_text, strict=True):
                reading = to_prediction(np.mean([read[c] for c in carrier], axis=0))
                found.append(TopicHit(match.topic, match.confidence, reading.label, reading.score))
            hits.append(found)
        return hits

    def _other(self, result: TextTopics, probabilities: np.ndarray) -> list[TopicHit]:
        """The "other" bucket: whole-text sentiment, confidence one minus the best topic's."""
        best = float(self.calibration.confidence(result.scores - self.thresholds).max())
        reading = to_prediction(probabilities)
        return [TopicHit(OTHER, 1.0 - best, reading.label, reading.score)]

    def _carriers(self, result: TextTopics) -> list[list[str]]:
        """Per match, the texts whose sentiment is the topic's; ``[[whole text]]`` for "other".

        A carrying sentence of several clauses is narrowed to the clauses that reach the topic's
        threshold, or else to its best clause: that is what separates "great coffee" from "but we
        waited 40 minutes" within one sentence. When only the whole text reaches the threshold, its
        best sentence or clause carries the topic.
        """
        if not result.matches:
            return [[result.units[-1]]] if result.units and self.include_other else []
        column = {t.id: j for j, t in enumerate(self.taxonomy.topics)}
        whole = len(result.units) - 1 if len(result.units) > 1 else -1
        carriers = []
        for match in result.matches:
            j = column[match.topic]
            chosen: list[str] = []
            for index in match.units:
                indices = range(whole) if index == whole else [index]
                candidates = [pair for i in indices for pair in self._candidates(result, i, j)]
                passing = [text for text, score in candidates if score >= self.thresholds[j]]
                chosen += passing or [max(candidates, key=lambda pair: pair[1])[0]]
            carriers.append(list(dict.fromkeys(chosen)))
        return carriers

    @staticmethod
    def _candidates(result: TextTopics, index: int, column: int) -> list[tuple[str, float]]:
        """A sentence's clauses with their scores for one topic (the sentence itself if it has one)."""
        if index in result.clauses:
            parts, scores = result.clauses[index]
            return [(text, float(score)) for text, score in zip(parts, scores[:, column], strict=True)]
        return [(result.units[index], float(result.unit_scores[index, column]))]

    def _topic_set(self) -> str:
        """What decides the topics of a text, as a short digest: stored with every assigned topic.

        The configured topics as worded with their thresholds, the reference topics, the calibration
        (space, confidence curve, encoder) and the detection mode; any change gives a new topic set, so
        its rows are stored next to the old ones instead of mixing with them.
        """
        calibration = self.calibration
        space = hashlib.sha256(calibration.space.mean.tobytes() + calibration.space.components.tobytes())
        payload = {
            "topics": [[t.id, t.fingerprint()] for t in self.taxonomy.topics],
            "reference": [[t.id, t.fingerprint()] for t in self._reference[len(self.taxonomy.topics) :]],
            "thresholds": [float(x) for x in self.thresholds],
            "calibration": [
                calibration.encoder_sha256, calibration.space.prefix, space.hexdigest(), calibration.slope,
                calibration.intercept, calibration.top_k, calibration.clause_margin,
            ],
            "units": [self.unit_mode, self.include_other],
        }  # fmt: skip
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        raw = self.encoder.embed(list(texts), prefix=self.calibration.space.prefix, batch_size=self.batch_size)
        return self.calibration.space.project(raw)


def _with_reference_topics(taxonomy: Taxonomy) -> list[Topic]:
    """The configured topics, then the default topics it lacks (scored for normalisation only).

    The relative score subtracts a unit's mean over topics, which is only comparable to the
    calibration when the set of topics is similar; a config that replaces the taxonomy with three
    topics still gets the default ones as silent references.
    """
    configured = {t.id for t in taxonomy.topics}
    defaults = load_taxonomy(TopicSettings()).topics
    return list(taxonomy.topics) + [t for t in defaults if t.id not in configured]


def _top_mean(similarity: np.ndarray, k: int) -> np.ndarray:
    k = min(k, similarity.shape[1])
    return np.asarray(np.partition(similarity, -k, axis=1)[:, -k:].mean(axis=1))


def _probabilities(prediction: Prediction) -> np.ndarray:
    return np.array([prediction.probabilities[label] for label in LABELS])
