"""A local Hugging Face sequence-classification directory as the model (a tiny one, made here)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, models, pre_tokenizers, processors
from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

from sentiment.config import ModelSettings
from sentiment.errors import ModelError
from sentiment.model import load_model
from sentiment.model.hf_classifier import label_columns


def test_labels_are_matched_by_name_not_position() -> None:
    assert label_columns({0: "Positive", 1: "NEGATIVE", 2: "neutral"}) == [1, 2, 0]
    assert label_columns({0: "neg", 1: "neu", 2: "pos"}) == [0, 1, 2]
    with pytest.raises(ModelError, match="cannot be matched"):
        label_columns({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    with pytest.raises(ModelError, match="cannot be matched"):
        label_columns({0: "negative", 1: "positive"})


def _tiny_tokenizer() -> Tokenizer:
    """A character-level Unigram tokenizer in e5's style, small enough to build in milliseconds."""
    pieces = ["<s>", "<pad>", "</s>", "<unk>", "<mask>", "\u2581", *"abcdefghijklmnopqrstuvwxyz"]
    tokenizer = Tokenizer(models.Unigram([(p, -1.0) for p in pieces], unk_id=3, byte_fallback=False))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    return tokenizer


@pytest.fixture(scope="module")
def tiny_classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised 2-layer BERT with labels in an unusual order."""
    path = tmp_path_factory.mktemp("tiny-classifier")
    torch.manual_seed(0)
    tokenizer = _tiny_tokenizer()
    config = BertConfig(
        vocab_size=tokenizer.get_vocab_size(),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=512,
        id2label={0: "positive", 1: "negative", 2: "neutral"},
        label2id={"positive": 0, "negative": 1, "neutral": 2},
    )
    BertForSequenceClassification(config).save_pretrained(path)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        cls_token="<s>",
        sep_token="</s>",
        mask_token="<mask>",
        model_max_length=512,
    )
    fast.save_pretrained(path)
    return path


def test_a_local_classifier_directory_loads_and_reorders_its_labels(tiny_classifier: Path) -> None:
    model = load_model(ModelSettings(name=str(tiny_classifier), batch_size=2))
    assert model.model_id == f"dir:{tiny_classifier.name}" and model.version.startswith("dir-")
    texts = ["great", "a much longer text about terrible service", "ok"]
    predictions = model.predict(texts)
    reference = BertForSequenceClassification.from_pretrained(tiny_classifier).eval()
    fast = PreTrainedTokenizerFast.from_pretrained(tiny_classifier)
    for text, prediction in zip(texts, predictions, strict=True):
        with torch.inference_mode():
            p = torch.softmax(reference(**fast(text, return_tensors="pt")).logits, dim=-1)[0].tolist()
        assert prediction.probabilities["positive"] == pytest.approx(p[0], abs=1e-5)
        assert prediction.probabilities["negative"] == pytest.approx(p[1], abs=1e-5)
        assert prediction.probabilities["neutral"] == pytest.approx(p[2], abs=1e-5)


def test_a_hub_id_loads_from_the_hugging_face_cache_without_a_network(
    tiny_classifier: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hub id the machine downloaded once keeps working offline: the snapshot in the cache (laid
    out as huggingface_hub lays it out) is used and nothing is fetched."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--acme--tiny-sentiment"
    shutil.copytree(tiny_classifier, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    model = load_model(ModelSettings(name="acme/tiny-sentiment", batch_size=2))
    assert model.model_id == "hub:acme/tiny-sentiment"
    assert model.version == load_model(ModelSettings(name=str(tiny_classifier))).version
    local = load_model(ModelSettings(name=str(tiny_classifier))).predict("a much longer text about terrible service")
    hub = model.predict("a much longer text about terrible service")
    assert hub.probabilities == pytest.approx(local.probabilities, abs=1e-6)


def test_an_unknown_hub_id_or_name_is_refused_with_what_is_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hub"))
    with pytest.raises(
        ModelError, match="cannot get the hub model 'acme/not-downloaded': it is not in the Hugging Face cache"
    ):
        load_model(ModelSettings(name="acme/not-downloaded"))
    with pytest.raises(ModelError, match="'no such model' is neither 'embedded', a Hugging Face hub id"):
        load_model(ModelSettings(name="no such model"))
