"""The shipped topic head for the default taxonomy (models/topics), on texts the team wrote in English,
German, Polish and Spanish: where each complaint lands, and how its aspect reads (real model)."""

from __future__ import annotations

import pytest

from sentiment.model import SentimentModel
from sentiment.model.topic_reader import TopicReader
from sentiment.taxonomy import OTHER

pytestmark = pytest.mark.slow

#: (text, the topic it must land in first, that topic's aspect label)
CASES = [
    ("I called customer service five times and never reached a human.", "contact", "negative"),
    ("Nikt nie odbiera telefonu na infolinii, nie da się z nikim porozmawiać.", "contact", "negative"),
    ("Niemand geht ans Telefon, man erreicht einfach keinen Menschen.", "contact", "negative"),
    ("Imposible hablar con una persona, solo un contestador automático.", "contact", "negative"),
    ("We waited over an hour to be served, outrageous.", "wait_time", "negative"),
    ("Czekaliśmy ponad godzinę na obsługę, skandal.", "wait_time", "negative"),  # lands where English does
    ("Wir haben eine Stunde auf unser Essen gewartet.", "wait_time", "negative"),
    ("Esperamos más de una hora para que nos atendieran.", "wait_time", "negative"),
    ("The app keeps crashing when I try to pay.", "digital_self_service", "negative"),
    ("My refund still hasn't arrived after three weeks.", "returns_refunds", "negative"),
    ("The bathroom was filthy.", "cleanliness", "negative"),
]


@pytest.fixture(scope="module")
def reader(embedded_model: SentimentModel) -> TopicReader:
    return TopicReader.load(sentiment=embedded_model)


def test_the_shipped_head_reads_the_default_taxonomy_contact_first(reader: TopicReader) -> None:
    assert reader.topics[0] == "contact" and len(reader.topics) == 14
    assert reader.fitted.sentiment_version == reader.sentiment.version


@pytest.mark.parametrize(("text", "topic", "label"), CASES)
def test_each_complaint_lands_in_its_topic_in_every_language(
    reader: TopicReader, text: str, topic: str, label: str
) -> None:
    ((_, hits),) = reader.analyse([text])
    assert hits[0].topic == topic and hits[0].label == label
    assert hits[0].confidence > 0.5


def test_texts_about_nothing_the_taxonomy_covers_are_other(reader: TopicReader) -> None:
    texts = ["Hoffenheim führt hochverdient mit 2-0 gegen Hannover.", "Na pewno wrócę!"]
    for (prediction, hits), text in zip(reader.analyse(texts), texts, strict=True):
        assert [h.topic for h in hits] == [OTHER], text
        assert hits[0].label == prediction.label


def test_a_sentence_that_praises_one_thing_and_blames_another_gets_both_aspects(reader: TopicReader) -> None:
    ((_, hits),) = reader.analyse(["Great coffee, but the 40 minute wait was ridiculous."])
    aspects = {hit.topic: hit.label for hit in hits}
    assert aspects == {"wait_time": "negative", "product_quality": "positive"}
    # Asked for both, a Polish one is read the same way, clause by clause.
    ((_, asked),) = reader.analyse(["Jedzenie pyszne, ale ceny kosmiczne."], only=[["product_quality", "price_value"]])
    assert [(h.topic, h.label) for h in asked] == [("product_quality", "positive"), ("price_value", "negative")]
