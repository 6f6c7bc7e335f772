"""The topic head's parts: attention ignores padding, confidences, hits, long-text parts, the artefact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from sentiment.errors import ModelError
from sentiment.model.topic_head import FittedTopics, TopicHead, combine_parts, confidences, topic_hits


def _fitted(thresholds: list[float]) -> FittedTopics:
    torch.manual_seed(0)
    head = TopicHead(len(thresholds), width=8)
    return FittedTopics(
        head,
        ["wait_time", "price_value", "contact"][: len(thresholds)],
        ["Wait", "Price", "Contact"][: len(thresholds)],
        np.array(thresholds),
        6,
        "2.0-abc",
    )


def test_padding_gets_no_attention_and_does_not_change_the_result() -> None:
    torch.manual_seed(1)
    head = TopicHead(3, width=8)
    states = torch.randn(1, 4, 8)
    padded = torch.cat([states, torch.randn(1, 3, 8) * 50], dim=1)
    mask = torch.tensor([[True] * 4 + [False] * 3])
    with torch.no_grad():
        weights, _ = head.attention(padded, mask)
    assert float(weights[0, :, 4:].abs().max()) == 0.0
    assert torch.allclose(weights[0].sum(dim=-1), torch.ones(3))
    short = head(states, states, torch.ones(1, 4, dtype=torch.bool))
    long = head(padded, padded, mask)
    assert torch.allclose(short[0], long[0], atol=1e-5) and torch.allclose(short[1], long[1], atol=1e-5)


def test_confidence_is_one_half_at_each_topics_own_threshold() -> None:
    values = confidences(np.array([0.2, 0.7, 0.2]), np.array([0.2, 0.7, 0.5]))
    assert values[0] == pytest.approx(0.5) and values[1] == pytest.approx(0.5)
    assert values[2] < 0.5


def test_hits_are_ordered_by_confidence_and_other_takes_the_whole_texts_sentiment() -> None:
    fitted = _fitted([0.3, 0.5, 0.5])
    aspects = np.array([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3]])
    hits = topic_hits(fitted, np.array([0.4, 0.9, 0.1]), aspects, ("neutral", 0.0))
    assert [(h.topic, h.label) for h in hits] == [("price_value", "positive"), ("wait_time", "negative")]
    assert hits[0].score == pytest.approx(0.7) and hits[0].confidence > hits[1].confidence > 0.5
    other = topic_hits(fitted, np.array([0.1, 0.2, 0.1]), aspects, ("negative", -0.6))
    assert [(h.topic, h.label, h.score) for h in other] == [("other", "negative", -0.6)]
    asked = topic_hits(fitted, np.array([0.1, 0.9, 0.1]), aspects, ("neutral", 0.0), only=["contact"])
    assert [(h.topic, h.label) for h in asked] == [("contact", "neutral")]
    with pytest.raises(ModelError, match="unknown topics \\['parking'\\]; this head has: wait_time"):
        topic_hits(fitted, np.array([0.1, 0.9, 0.1]), aspects, ("neutral", 0.0), only=["parking"])


def test_a_long_texts_topic_is_its_best_parts_and_aspects_follow_the_parts_that_carry_it() -> None:
    topics = np.array([[0.9, 0.1], [0.1, 0.2], [0.5, 0.5]])
    aspects = np.array([[[1.0, 0, 0], [0, 0, 1.0]], [[0, 0, 1.0], [0, 0, 1.0]], [[0, 1.0, 0], [1.0, 0, 0]]])
    text_topics, text_aspects = combine_parts(topics, aspects, [0, 0, 1], 2)
    assert text_topics.tolist() == [[0.9, 0.2], [0.5, 0.5]]
    assert text_aspects[0, 0] == pytest.approx([0.9, 0, 0.1])  # the part that speaks of topic 0 weighs 9 to 1
    assert text_aspects[1, 1] == pytest.approx([1.0, 0, 0])


def test_the_artefact_round_trips_and_refuses_another_sentiment_model(tmp_path: Path) -> None:
    fitted = _fitted([0.3, 0.55])
    fitted.save(tmp_path)
    loaded = FittedTopics.load(tmp_path)
    assert loaded.topics == ["wait_time", "price_value"] and loaded.tap == 6
    assert loaded.thresholds.tolist() == [0.3, 0.55] and loaded.sentiment_version == "2.0-abc"
    states = torch.randn(2, 5, 8)
    mask = torch.ones(2, 5, dtype=torch.bool)
    assert torch.equal(loaded.head(states, states, mask)[0], fitted.head(states, states, mask)[0])
    loaded.check_version("2.0-abc", tmp_path)
    with pytest.raises(ModelError, match=r"fitted on sentiment model 2\.0-abc, but the model is 2\.0-new; refit"):
        loaded.check_version("2.0-new", tmp_path)
    with pytest.raises(ModelError, match=r"cannot read the topic head .*sentiment topics fit"):
        FittedTopics.load(tmp_path / "missing")
