"""The committed adapter on the rebuilt encoder (slow): concrete readings, the int8 fast path against
float32, and the Hugging Face export the speed benchmark compares against."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from transformers import pipeline

from sentiment.model import SentimentModel, adapter_version, default_adapter_path, load_model
from sentiment.model.classifier import Adapter, FineTunedBackend, _Logits, export_hf_directory
from sentiment.model.embedded import ensure_encoder
from sentiment.model.int8 import BlockEmbedding, Int8Classifier
from sentiment.training.data import LANGUAGES, load_split

pytestmark = pytest.mark.slow

#: Text -> (label, score) as the committed adapter reads them through the int8 fast path.
EXPECTED = {
    "Absolutely wonderful coffee and the friendliest staff, I will definitely come back!": ("positive", 0.836),
    "Hervorragender Kaffee und super freundliches Personal, sehr empfehlenswert!": ("positive", 0.836),
    "Terrible service, cold food and a rude manager. Never again.": ("negative", -0.885),
    "Servicio horrible, comida fría y un camarero grosero. Nunca más.": ("negative", -0.88),
    "The store opens at 9 am on Saturdays.": ("neutral", 0.208),
    "Le magasin ouvre à 9 heures le samedi.": ("neutral", 0.25),
}


@pytest.fixture(scope="module")
def float32_model() -> SentimentModel:
    return load_model(precision="float32")


def test_the_default_model_is_the_adapter_on_the_rebuilt_encoder_in_int8(embedded_model: SentimentModel) -> None:
    backend = embedded_model.backend
    assert isinstance(backend, FineTunedBackend) and backend.precision == "int8"
    assert embedded_model.version == adapter_version(default_adapter_path())
    training = json.loads((default_adapter_path().parent / "training.json").read_text(encoding="utf-8"))
    assert training["version"] == embedded_model.version and training["int8_check"]["verified"]


def test_the_fast_path_keeps_the_embedding_table_on_its_4_bit_grid(
    embedded_model: SentimentModel, float32_model: SentimentModel
) -> None:
    """The int8 path's table is int8 steps and float16 scales, and reads back the float32 rows exactly."""
    fast, exact = embedded_model.backend, float32_model.backend
    assert isinstance(fast, FineTunedBackend) and isinstance(exact, FineTunedBackend)
    assert isinstance(fast.model, Int8Classifier) and isinstance(exact.model, _Logits)
    compact = fast.model.embeddings.word_embeddings
    assert isinstance(compact, BlockEmbedding) and compact.steps.shape == (250037, 384)
    assert compact.steps.element_size() * compact.steps.numel() + compact.scales.numel() * 2 == 102_015_096
    table = exact.model.model.bert.embeddings.word_embeddings
    ids = torch.arange(0, 250037, 97)
    assert torch.equal(compact(ids), table(ids))


def test_fixed_texts_get_their_known_readings(embedded_model: SentimentModel) -> None:
    predictions = embedded_model.predict(list(EXPECTED))
    for (text, (label, score)), prediction in zip(EXPECTED.items(), predictions, strict=True):
        assert prediction.label == label, (text, prediction)
        assert prediction.score == pytest.approx(score, abs=0.05), (text, prediction)


def test_the_fast_path_agrees_with_float32_on_labels(
    embedded_model: SentimentModel, float32_model: SentimentModel, shared_data: Path
) -> None:
    """200 val tweets (25 per language): 98% agreement measured; training measured 97.6% on all of val."""
    texts = [t for lang in LANGUAGES for t in load_split(shared_data / "xlm-t-umsab", lang, "val").texts[::13][:25]]
    fast = embedded_model.predict_proba(texts).argmax(axis=1)
    exact = float32_model.predict_proba(texts).argmax(axis=1)
    assert (fast == exact).mean() >= 0.95


def test_the_hugging_face_export_is_the_float32_model(float32_model: SentimentModel, tmp_path: Path) -> None:
    directory = export_hf_directory(ensure_encoder(), Adapter.load(default_adapter_path()), tmp_path / "hf")
    classify = pipeline("text-classification", model=str(directory), tokenizer=str(directory), device=-1, top_k=None)
    texts = list(EXPECTED)
    ours = float32_model.predict(texts)
    for text, theirs, mine in zip(texts, classify(texts), ours, strict=True):
        scores = {row["label"]: row["score"] for row in theirs}
        for label, probability in mine.probabilities.items():
            assert scores[label] == pytest.approx(probability, abs=1e-4), text
