"""Topic assignment and aspect sentiment with the real encoder and sentiment model (slow).

Concrete expectations on real texts from the labelled set (referenced, not copied), on hand-written
mixed reviews, and a quality gate: the evaluation part's macro-F1 must stay within a small margin of
the value in ``models/topics/evaluation.json``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from sentiment.errors import ModelError
from sentiment.model import SentimentModel
from sentiment.model.topic_calibration import Calibration
from sentiment.model.topic_encoder import check_encoder
from sentiment.model.topic_head import TopicHit
from sentiment.model.topics import TopicModel, default_topics_dir
from sentiment.taxonomy import OTHER, Topic, TopicSettings, load_taxonomy
from sentiment.training.topic_data import LabelledText, load_labelled
from sentiment.training.topics_eval import ASPECT_EXAMPLES, label_matrix, metrics

pytestmark = pytest.mark.slow

#: Mixed reviews whose second clause is explicitly negative, one per language.
MIXED = {
    "en": "Great coffee, but the 40 minute wait was ridiculous.",
    "de": "Super Kaffee, aber 40 Minuten warten war echt ärgerlich.",
    "fr": "Café excellent, mais l'attente de 40 minutes était insupportable.",
    "es": "El café estaba buenísimo, pero la espera de 40 minutos fue horrible.",
    "it": "Caffè ottimo, ma l'attesa di 40 minuti è stata terribile.",
}
WAITING = {
    "en": "We waited over an hour to be served, outrageous.",
    "pl": "Czekaliśmy ponad godzinę na obsługę, skandal.",
    "de": "Wir standen eine Stunde in der Schlange.",
}


@pytest.fixture(scope="module")
def topic_model(embedded_model: SentimentModel) -> TopicModel:
    return TopicModel.load(sentiment=embedded_model)


@pytest.fixture(scope="module")
def labelled() -> dict[str, LabelledText]:
    return {x.item.id: x for x in load_labelled()}


@pytest.mark.parametrize(
    ("ref", "topic"),
    [
        ("xlm-t-umsab/german/test_text.txt:598", "digital_self_service"),
        ("xlm-t-umsab/german/val_text.txt:103", "outages_connectivity"),
        ("xlm-t-umsab/german/train_text.txt:1279", "cleanliness"),
        ("xlm-t-umsab/spanish/val_text.txt:166", "wait_time"),
        ("xlm-t-umsab/spanish/train_text.txt:217", "outages_connectivity"),
        ("xlm-t-umsab/french/train_text.txt:1834", "price_value"),
        ("xlm-t-umsab/portuguese/train_text.txt:459", "delivery"),
        ("xlm-t-umsab/english/train_text.txt:1814", "delivery"),
        ("xlm-t-umsab/italian/train_text.txt:38", "opening_hours_availability"),
        ("recipe-review-pages/pages/delishkitchen.tv/delishkitchen_2.html#0", "product_quality"),
        ("social-api-payloads/reddit/r_popular_hot__2026.json#/data/children/37/data/title", "returns_refunds"),
    ],
)
def test_labelled_texts_get_their_topic(
    topic_model: TopicModel, labelled: dict[str, LabelledText], ref: str, topic: str
) -> None:
    assert labelled[ref].item.topics == (topic,)
    (result,) = topic_model.detect([labelled[ref].text])
    assert [m.topic for m in result.matches] == [topic]


@pytest.mark.parametrize(
    "ref",
    [
        "xlm-t-umsab/french/train_text.txt:15",  # "propre énergie": not cleanliness
        "xlm-t-umsab/french/train_text.txt:306",  # a "prix" that is an award
        "xlm-t-umsab/english/train_text.txt:746",  # waiting for an album: not wait time
        "xlm-t-umsab/german/train_text.txt:777",
        "xlm-t-umsab/italian/train_text.txt:147",  # #serviziopubblico is a TV show
    ],
)
def test_topical_words_in_other_senses_stay_other(
    topic_model: TopicModel, labelled: dict[str, LabelledText], ref: str
) -> None:
    assert labelled[ref].item.topics == ()
    (hits,) = topic_model.assign([labelled[ref].text])
    assert [h.topic for h in hits] == [OTHER]


@pytest.mark.parametrize("lang", sorted(WAITING))
def test_waiting_complaints_land_in_wait_time_in_every_language(topic_model: TopicModel, lang: str) -> None:
    hits = topic_model.assign(WAITING[lang])
    assert hits[0].topic == "wait_time" and hits[0].confidence > 0.5, hits
    assert hits[0].label == "negative" or lang == "de", hits  # the German one states a fact, no feeling


@pytest.mark.parametrize("lang", sorted(MIXED))
def test_mixed_reviews_get_opposite_aspect_sentiment(topic_model: TopicModel, lang: str) -> None:
    hits = {h.topic: h for h in topic_model.assign(MIXED[lang])}
    assert hits["product_quality"].label == "positive" and hits["product_quality"].score > 0.4, hits
    assert hits["wait_time"].label == "negative" and hits["wait_time"].score < -0.4, hits


@pytest.mark.parametrize(
    "lang",
    sorted(ASPECT_EXAMPLES),
)
def test_an_implicit_complaint_reads_less_positive_than_the_praise(topic_model: TopicModel, lang: str) -> None:
    """'great coffee but we waited 40 minutes': both aspects found, the waiting far below the coffee."""
    hits = {h.topic: h for h in topic_model.assign(ASPECT_EXAMPLES[lang])}
    assert hits["product_quality"].label == "positive", hits
    assert hits["wait_time"].score < hits["product_quality"].score - 0.4, hits


@pytest.mark.xfail(reason="known weakness: the sentiment model reads a bare '40 minutes wait' as neutral", strict=False)
def test_an_implicit_complaint_reads_negative(topic_model: TopicModel) -> None:
    hits = {h.topic: h for h in topic_model.assign(ASPECT_EXAMPLES["en"])}
    assert hits["wait_time"].label == "negative"


def test_assign_contract(topic_model: TopicModel, embedded_model: SentimentModel) -> None:
    texts = ["Hoffenheim führt hochverdient mit 2-0 gegen Hannover.", "", MIXED["en"]]
    batch = topic_model.assign(texts)
    assert len(batch) == 3 and batch[1] == []
    (other,) = batch[0]
    assert other.topic == OTHER and 0.0 <= other.confidence <= 1.0
    single = topic_model.assign(MIXED["en"])
    assert all(isinstance(h, TopicHit) for h in single)
    assert [(h.topic, h.label) for h in single] == [(h.topic, h.label) for h in batch[2]]
    assert [h.confidence for h in single] == pytest.approx([h.confidence for h in batch[2]], abs=1e-4)
    reused = topic_model.assign(texts, predictions=embedded_model.predict(texts))
    assert [[h.topic for h in hits] for hits in reused] == [[h.topic for h in hits] for hits in batch]
    assert reused[0][0].label == embedded_model.predict(texts[0]).label
    assert set(single[0].as_dict()) == {"topic", "confidence", "label", "score"}
    with pytest.raises(ModelError, match="2 predictions for 3 texts"):
        topic_model.assign(texts, predictions=embedded_model.predict(texts[:2]))


def test_quality_gate_on_the_evaluation_part(topic_model: TopicModel, labelled: dict[str, LabelledText]) -> None:
    measured = json.loads((default_topics_dir() / "evaluation.json").read_text(encoding="utf-8"))["evaluation"]
    part = [x for x in labelled.values() if x.split == "evaluation"]
    detected = topic_model.detect([x.text for x in part])
    ids = topic_model.taxonomy.ids
    predicted = np.array([[t in {m.topic for m in r.matches} for t in ids] for r in detected])
    scores = metrics(label_matrix(part, topic_model.taxonomy), predicted, topic_model.taxonomy)
    assert scores["macro_f1"] >= measured["macro_f1"] - 0.03, scores["per_topic"]
    assert scores["micro"]["f1"] >= measured["micro"]["f1"] - 0.03


def test_a_config_topic_is_assigned_with_the_global_threshold(topic_model: TopicModel) -> None:
    mortgage = Topic(
        id="mortgage",
        name="Mortgages",
        description="Home loans: mortgage rates, applications, approvals and repayments.",
        examples={
            "en": ["My mortgage application took months.", "Mortgage rates went up again."],
            "de": ["Die Baufinanzierung wurde abgelehnt."],
            "pl": ["Kredyt hipoteczny jest za drogi."],
        },
    )
    model = topic_model.with_taxonomy(load_taxonomy(TopicSettings(extend=[mortgage])))
    assert model.thresholds[-1] == topic_model.calibration.global_threshold
    texts = ["The bank took three months to approve our mortgage.", "Our mortgage payment went up again."]
    assert all("mortgage" in [m.topic for m in r.matches] for r in model.detect(texts))
    only = topic_model.with_taxonomy(load_taxonomy(TopicSettings(replace=True, extend=[mortgage])))
    assert only.taxonomy.ids == ["mortgage"]
    assert [m.topic for m in only.detect([MIXED["en"]])[0].matches] == []


def test_an_encoder_with_other_features_is_refused(topic_model: TopicModel) -> None:
    calibration = topic_model.calibration
    tampered = Calibration(
        calibration.encoder_sha256,
        calibration.space,
        calibration.global_threshold,
        calibration.thresholds,
        calibration.slope,
        calibration.intercept,
        np.roll(calibration.probe, 1),
    )
    with pytest.raises(ModelError, match="probe sentence"):
        check_encoder(topic_model.encoder, tampered)
    assert load_taxonomy().ids == topic_model.taxonomy.ids
