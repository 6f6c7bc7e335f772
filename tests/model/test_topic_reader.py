"""Topics as the product reads them: a head fitted with `sentiment topics fit`, named by a config,
read in the sentiment model's own pass (real model, real fit)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sentiment.errors import ModelError
from sentiment.model import SentimentModel
from sentiment.model.topic_reader import TopicReader, configured_head
from sentiment.taxonomy import OTHER, TopicSettings, default_taxonomy_path

pytestmark = pytest.mark.slow


def test_a_fitted_head_writes_its_card_and_reads_its_own_taxonomy(
    cafe_head: Path, embedded_model: SentimentModel
) -> None:
    report = json.loads((cafe_head / "evaluation.json").read_text(encoding="utf-8"))
    assert report["examples"]["fit"] + report["examples"]["validation"] + report["examples"]["held_out"] == 84
    assert "Vegan options" in (cafe_head / "README.md").read_text(encoding="utf-8")
    reader = TopicReader.load(TopicSettings(model=str(cafe_head)), sentiment=embedded_model)
    assert reader.topics == ["wait_time", "cleanliness", "vegan_options"]
    assert dict(zip(reader.topics, reader.fitted.names, strict=True))["vegan_options"] == "Vegan options"
    texts = [
        "We stood in line for 35 minutes just to order a flat white.",
        "Staliśmy w kolejce pół godziny, zanim ktoś przyjął zamówienie.",  # Polish: the same complaint
        "Die Tassen waren dreckig und der Boden klebte.",
        "They now have oat milk and two vegan cakes, wonderful!",
        "Bayern won the derby 3-1 on Saturday.",
    ]
    analysed = reader.analyse(texts)
    topics = [{hit.topic: hit for hit in hits} for _, hits in analysed]
    assert next(iter(topics[0])) == "wait_time" and topics[0]["wait_time"].label == "negative"
    assert next(iter(topics[1])) == "wait_time" and topics[1]["wait_time"].label == "negative"
    assert next(iter(topics[2])) == "cleanliness" and topics[2]["cleanliness"].label == "negative"
    assert next(iter(topics[3])) == "vegan_options" and topics[3]["vegan_options"].label == "positive"
    assert list(topics[4]) == [OTHER]
    # The sentiment comes from the same pass and equals predict's.
    plain = embedded_model.predict(texts)
    assert [p.label for p, _ in analysed] == [p.label for p in plain]


def test_only_asks_for_exactly_the_named_topics(cafe_head: Path, embedded_model: SentimentModel) -> None:
    reader = TopicReader.load(TopicSettings(model=str(cafe_head)), sentiment=embedded_model)
    text = "No oat milk today, what a shame."
    (hits,) = reader.assign([text], only=[["vegan_options", "cleanliness"]])
    assert [h.topic for h in hits] == ["vegan_options", "cleanliness"]
    assert hits[0].label == "negative"


def test_a_config_may_read_fewer_topics_but_not_topics_the_head_lacks(
    cafe_head: Path, embedded_model: SentimentModel, tmp_path: Path
) -> None:
    narrow = tmp_path / "narrow.yaml"
    narrow.write_text(
        "version: 1\ntopics:\n  - {id: cleanliness, name: Clean, description: Whether the place is clean.}\n",
        encoding="utf-8",
    )
    reader = TopicReader.load(TopicSettings(model=str(cafe_head), taxonomy=str(narrow)), sentiment=embedded_model)
    assert reader.topics == ["cleanliness"]
    (hits,) = reader.assign(["The toilets were disgusting."])
    assert [h.topic for h in hits] == ["cleanliness"]
    default_taxonomy = str(default_taxonomy_path())
    with pytest.raises(ModelError, match=r"topics \['contact', .*not fitted on them.*sentiment topics fit"):
        configured_head(TopicSettings(model=str(cafe_head), taxonomy=default_taxonomy))
