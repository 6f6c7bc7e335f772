"""Topics and aspect sentiment read in the sentiment model's own pass: label-attention heads.

The sentiment encoder already reads every token of a text once; topics should not cost a second
encoder. So a topic is a small head on that pass: each topic has a query vector that attends over
the token states of an intermediate layer (the *tap*), and the attended vector says whether the text
speaks of the topic. Attention, not a mean over the text, because a topic is usually a few words
("we waited 40 minutes") in a longer review. The tap is an intermediate layer because the last
layers of a sentiment-tuned encoder keep how a text feels more than what it is about: on a
validation slice of the default taxonomy's fit part, early layers read topics better than the last
(the topic card lists the comparison of taps and of attention against a plain mean over tokens).

Aspect sentiment reuses the same attention: the topic's weights pool the *last* layer's token
states (where sentiment lives), and one shared linear layer reads negative / neutral / positive
from that pooled vector, so "great coffee but we waited 40 minutes" is positive on product quality
and negative on wait time in the same pass.

The artefact (``topic_head.safetensors``, a few hundred KB) holds the weights and, in its metadata,
the topic ids and names, the tap layer, each topic's calibrated threshold, and the sentiment model
version whose encoder it was fitted on: a head read on another encoder's states gives confident
nonsense, so loading it against another version is an error that says how to refit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file
from torch import nn

from sentiment.errors import ModelError
from sentiment.records import LABELS, Label
from sentiment.taxonomy import OTHER

HEAD_FILE = "topic_head.safetensors"
#: The taxonomy a head was fitted for, beside it (names and descriptions for reports).
TAXONOMY_FILE = "taxonomy.yaml"
HEAD_FORMAT = "1"
#: Token states of this layer (1-based, of 12) are what topics attend over; see the module docstring.
DEFAULT_TAP = 6


@dataclass(frozen=True, slots=True)
class TopicHit:
    """One topic of one text with its confidence and aspect sentiment (``score = p_pos - p_neg``)."""

    topic: str
    confidence: float
    label: Label
    score: float

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape ``sentiment model predict`` writes."""
        return {
            "topic": self.topic,
            "confidence": round(self.confidence, 4),
            "label": self.label,
            "score": round(self.score, 4),
        }


class TopicHead(nn.Module):
    """``topic_logits, aspect_logits = head(tap_states, last_states, mask)``.

    ``tap_states`` and ``last_states`` are ``(batch, length, width)`` token states of the tap layer
    and the last layer; ``mask`` is ``(batch, length)``, true on real tokens. Returns ``(batch,
    topics)`` topic logits and ``(batch, topics, 3)`` aspect logits in ``LABELS`` order.
    """

    def __init__(self, topics: int, width: int = 384) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.query = nn.Parameter(torch.randn(topics, width) * 0.02)
        self.weight = nn.Parameter(torch.zeros(topics, width))
        self.bias = nn.Parameter(torch.full((topics,), -2.0))
        self.aspect_norm = nn.LayerNorm(width)
        self.aspect = nn.Linear(width, len(LABELS))

    def attention(self, tap_states: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per topic, softmax weights over the tokens ``(batch, topics, length)``, and the normalised states."""
        states = self.norm(tap_states)
        scores = torch.einsum("bld,td->btl", states, self.query) / states.shape[-1] ** 0.5
        weights = scores.masked_fill(~mask[:, None, :], torch.finfo(scores.dtype).min).softmax(dim=-1)
        return weights, states

    def forward(
        self, tap_states: torch.Tensor, last_states: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        weights, states = self.attention(tap_states, mask)
        pooled = torch.einsum("btl,bld->btd", weights, states)
        topic_logits = (pooled * self.weight).sum(dim=-1) + self.bias
        aspect = self.aspect(self.aspect_norm(torch.einsum("btl,bld->btd", weights, last_states)))
        return topic_logits, aspect


@dataclass
class FittedTopics:
    """A fitted topic head with what it needs to be used: topic ids and names, thresholds, tap, and
    the sentiment model version it belongs to."""

    head: TopicHead
    topics: list[str]
    names: list[str]
    thresholds: np.ndarray
    tap: int
    sentiment_version: str

    def save(self, directory: Path) -> Path:
        """Write ``topic_head.safetensors`` into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / HEAD_FILE
        metadata = {
            "format": "sentiment-topic-head",
            "head_format": HEAD_FORMAT,
            "topics": json.dumps(self.topics, ensure_ascii=False),
            "names": json.dumps(self.names, ensure_ascii=False),
            "thresholds": json.dumps([round(float(t), 6) for t in self.thresholds]),
            "tap": str(self.tap),
            "sentiment_version": self.sentiment_version,
            "labels": json.dumps(list(LABELS)),
        }
        tensors = {name: value.detach().contiguous() for name, value in self.head.state_dict().items()}
        save_file(tensors, str(path), metadata=metadata)
        path.chmod(0o644)  # safetensors writes 0600
        return path

    @classmethod
    def load(cls, directory: Path) -> FittedTopics:
        """Read a head written by :meth:`save`; the error says what is wrong and what is allowed."""
        path = directory / HEAD_FILE
        try:
            tensors = load_file(str(path))
            with safe_open(str(path), framework="pt") as fh:
                meta = fh.metadata() or {}
        except (OSError, SafetensorError) as err:
            raise ModelError(f"cannot read the topic head {path}: {err}; fit one with `sentiment topics fit`") from err
        if meta.get("head_format") != HEAD_FORMAT or json.loads(meta.get("labels", "[]")) != list(LABELS):
            raise ModelError(
                f"{path} is not a topic head of format {HEAD_FORMAT}; refit it with `sentiment topics fit`"
            )
        topics = json.loads(meta["topics"])
        head = TopicHead(len(topics), int(tensors["query"].shape[1]))
        head.load_state_dict(tensors)
        head.train(False)
        return cls(
            head=head,
            topics=topics,
            names=json.loads(meta["names"]),
            thresholds=np.array(json.loads(meta["thresholds"]), dtype=np.float64),
            tap=int(meta["tap"]),
            sentiment_version=meta["sentiment_version"],
        )

    def subset(self, topics: Sequence[str]) -> FittedTopics:
        """The same head reading only ``topics`` (ids it has, in that order): a config that leaves
        topics out of a fitted taxonomy needs no refit, since each topic's query and weights are its own."""
        unknown = [t for t in topics if t not in self.topics]
        if unknown:
            raise ModelError(f"the topic head has no topics {unknown}; it has: {', '.join(self.topics)}")
        rows = [self.topics.index(t) for t in topics]
        head = TopicHead(len(rows), int(self.head.query.shape[1]))
        state = self.head.state_dict()
        state.update({name: state[name][rows] for name in ("query", "weight", "bias")})
        head.load_state_dict(state)
        head.train(False)
        return FittedTopics(
            head, list(topics), [self.names[i] for i in rows], self.thresholds[rows], self.tap, self.sentiment_version
        )

    def check_version(self, sentiment_version: str, directory: Path | None = None) -> None:
        """A head is read on the encoder it was fitted on, or not at all."""
        if sentiment_version != self.sentiment_version:
            where = f" in {directory}" if directory is not None else ""
            raise ModelError(
                f"the topic head{where} was fitted on sentiment model {self.sentiment_version}, "
                f"but the model is {sentiment_version}; refit it with `sentiment topics fit`"
            )


def combine_parts(
    topic_probabilities: np.ndarray, aspect_probabilities: np.ndarray, owners: Sequence[int], texts: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per text, from its parts (a long text is read in several): a topic's probability is its best
    part's; its aspect sentiment is the parts' aspect probabilities weighted by how surely each part
    speaks of the topic."""
    topics = np.zeros((texts, topic_probabilities.shape[1]))
    weighted = np.zeros((texts, *aspect_probabilities.shape[1:]))
    weights = np.zeros((texts, topic_probabilities.shape[1]))
    for part, owner in enumerate(owners):
        topics[owner] = np.maximum(topics[owner], topic_probabilities[part])
        weighted[owner] += topic_probabilities[part][:, None] * aspect_probabilities[part]
        weights[owner] += topic_probabilities[part]
    aspects = weighted / np.maximum(weights, 1e-12)[:, :, None]
    return topics, aspects


def confidences(probabilities: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """A topic probability on a scale where its own threshold is 0.5: ``sigmoid(logit p - logit t)``.

    Thresholds differ per topic (a rare topic's is lower), so a raw probability of 0.3 can mean
    "assigned" for one topic and "not" for another; on this scale 0.5 always separates them.
    """
    p = np.clip(probabilities, 1e-9, 1 - 1e-9)
    t = np.clip(thresholds, 1e-9, 1 - 1e-9)
    result: np.ndarray = 1.0 / (1.0 + np.exp(-(np.log(p / (1 - p)) - np.log(t / (1 - t)))))
    return result


def topic_hits(
    fitted: FittedTopics,
    topic_probabilities: np.ndarray,
    aspect_probabilities: np.ndarray,
    whole: tuple[Label, float],
    only: Sequence[str] | None = None,
) -> list[TopicHit]:
    """One text's topics, most confident first, each with its aspect sentiment; ``other`` (with the
    whole text's sentiment ``whole``) when no topic reaches its threshold. ``only`` asks for exactly
    these topics, assigned or not (an analyst who tagged a text asks how each aspect was judged)."""
    confidence = confidences(topic_probabilities, fitted.thresholds)
    if only is not None:
        unknown = [t for t in only if t not in fitted.topics]
        if unknown:
            raise ModelError(f"unknown topics {unknown}; this head has: {', '.join(fitted.topics)}")
        columns = [fitted.topics.index(t) for t in only]
    else:
        columns = [j for j in np.argsort(-confidence, kind="stable") if confidence[j] >= 0.5]
    if not columns:
        return [TopicHit(OTHER, float(1.0 - confidence.max(initial=0.0)), whole[0], whole[1])]
    hits = []
    for j in columns:
        aspect = aspect_probabilities[j]
        label = LABELS[int(np.argmax(aspect))]
        hits.append(TopicHit(fitted.topics[j], float(confidence[j]), label, float(aspect[2] - aspect[0])))
    return hits
