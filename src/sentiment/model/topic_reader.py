"""Topics as the product reads them: a fitted topic head (:mod:`sentiment.model.topic_head`) read in
the sentiment model's own pass, for the topics a monitor config names.

``TopicReader.load(settings, sentiment=model)`` resolves ``topics.model`` (the shipped head for the
default taxonomy, or a user's ``sentiment topics fit`` output), checks that the head was fitted on this
sentiment model and that it knows every configured topic, and keeps only those. ``analyse`` then gives
each text's sentiment, topics and aspect sentiment from one encoder pass (a text with several topics
in several parts is read once more, part by part, for its aspects).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from sentiment.errors import ModelError
from sentiment.model.progress import Progress
from sentiment.model.scorer import SentimentModel
from sentiment.model.sentences import split_units
from sentiment.model.topic_head import HEAD_FILE, FittedTopics, TopicHit
from sentiment.records import Prediction
from sentiment.taxonomy import DEFAULT_TAXONOMY, OTHER, TopicSettings, load_taxonomy


def default_topics_dir() -> Path:
    """``$SENTIMENT_MODELS_DIR/topics``, else the repository's ``models/topics``."""
    env = os.environ.get("SENTIMENT_MODELS_DIR", "").strip()
    models = Path(env) if env else Path(__file__).resolve().parents[3] / "models"
    return models / "topics"


def head_directory(settings: TopicSettings, base_dir: Path | None = None) -> Path:
    """Where ``topics.model`` points: the shipped head, or a directory (relative to ``base_dir``)."""
    if settings.model == DEFAULT_TAXONOMY:
        return default_topics_dir()
    path = Path(settings.model).expanduser()
    return base_dir / path if not path.is_absolute() and base_dir is not None else path


def configured_head(settings: TopicSettings, base_dir: Path | None = None) -> tuple[Path, FittedTopics]:
    """The head ``topics.model`` names, narrowed to the configured topics; the error names the topics
    it lacks and how to fit them. Reads no sentiment model: ``sentiment config check`` uses it too."""
    directory = head_directory(settings, base_dir)
    fitted = FittedTopics.load(directory)
    if settings.model != DEFAULT_TAXONOMY and settings.taxonomy == DEFAULT_TAXONOMY and not settings.extend:
        return directory, fitted  # a head of one's own, on its own taxonomy
    wanted = load_taxonomy(settings, base_dir).ids
    missing = [t for t in wanted if t not in fitted.topics]
    if missing:
        raise ModelError(
            f"topics {missing} are configured but the topic head in {directory} was not fitted on them "
            f"(it has: {', '.join(fitted.topics)}); fit a head with `sentiment topics fit --taxonomy T.yaml "
            "--examples E.jsonl --out DIR` and set topics.model: DIR"
        )
    return directory, fitted if wanted == fitted.topics else fitted.subset(wanted)


class TopicReader:
    """Sentiment, topics and aspect sentiment of texts from one pass of the sentiment model."""

    def __init__(self, sentiment: SentimentModel, fitted: FittedTopics, directory: Path) -> None:
        sentiment.check_topics(fitted, directory)
        self.sentiment = sentiment
        self.fitted = fitted
        self.directory = directory
        self.topic_set = _topic_set(directory, fitted)

    @classmethod
    def load(
        cls, settings: TopicSettings | None = None, *, sentiment: SentimentModel, base_dir: Path | None = None
    ) -> TopicReader:
        """The configured topics on their fitted head (see :func:`configured_head`)."""
        directory, fitted = configured_head(settings or TopicSettings(), base_dir)
        return cls(sentiment, fitted, directory)

    @property
    def topics(self) -> list[str]:
        return list(self.fitted.topics)

    def analyse(
        self,
        texts: Sequence[str],
        *,
        only: Sequence[Sequence[str] | None] | None = None,
        progress: Progress | None = None,
    ) -> list[tuple[Prediction, list[TopicHit]]]:
        """Per text its sentiment and its topics, most confident first (``other`` when none applies);
        ``only[i]`` asks for the aspect sentiment of exactly those topics of text ``i``.

        One encoder pass reads everything. Only a text with two or more topics that has two or more
        parts (sentences, or clauses cut before "but", "aber", "ale" ...) is read once more, part by part
        (see :meth:`_aspects_by_part`).
        """
        results = self.sentiment.analyse(texts, self.fitted, only=only, progress=progress)
        return self._aspects_by_part(list(texts), results)

    def _aspects_by_part(
        self, texts: list[str], results: list[tuple[Prediction, list[TopicHit]]]
    ) -> list[tuple[Prediction, list[TopicHit]]]:
        """Each topic's aspect sentiment from the part of the text that speaks of it most surely.

        Read whole, "Great coffee, but the 40 minute wait was ridiculous." lends its overall tone to
        every aspect, coffee included (on 12 such sentences the team wrote, 14 of 24 aspects came out
        right). Its parts are read with the topics already found (``only=``), and each topic takes the
        aspect of the part where its confidence is highest; the topics and their confidence stay
        those of the whole text.
        """
        plans = []
        for index, (text, (_, hits)) in enumerate(zip(texts, results, strict=True)):
            topics = [hit.topic for hit in hits if hit.topic != OTHER]
            units = split_units(text) if len(topics) >= 2 else []
            if len(units) >= 2:
                plans.append((index, topics, units))
        if not plans:
            return results
        parts = self.sentiment.analyse(
            [unit for _, _, units in plans for unit in units],
            self.fitted,
            only=[topics for _, topics, units in plans for _ in units],
        )
        refined = list(results)
        start = 0
        for index, _, units in plans:
            by_part = [{hit.topic: hit for hit in hits} for _, hits in parts[start : start + len(units)]]
            start += len(units)
            prediction, hits = refined[index]
            updated = []
            for hit in hits:
                if hit.topic == OTHER:
                    updated.append(hit)
                    continue
                best = max(by_part, key=lambda part: part[hit.topic].confidence)[hit.topic]
                updated.append(TopicHit(hit.topic, hit.confidence, best.label, best.score))
            refined[index] = (prediction, updated)
        return refined

    def assign(
        self, texts: Sequence[str], *, only: Sequence[Sequence[str] | None] | None = None
    ) -> list[list[TopicHit]]:
        """The topics of each text (see :meth:`analyse`), without the whole-text sentiment."""
        return [hits for _, hits in self.analyse(texts, only=only)]


def _topic_set(directory: Path, fitted: FittedTopics) -> str:
    """What decides a text's topics, as a short digest stored with every topic row: the head file
    (a refit changes it) and the topics read. A new topic set stores its rows beside the old ones."""
    digest = hashlib.sha256((directory / HEAD_FILE).read_bytes())
    digest.update(json.dumps(fitted.topics).encode())
    return digest.hexdigest()[:16]
