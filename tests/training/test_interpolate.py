"""Weight-space interpolation of two LoRA adapters is exact: the merged delta is the weighted sum."""

from __future__ import annotations

import pytest
import torch

from sentiment.training.interpolate import interpolate


def _adapter(seed: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {
        "bert.encoder.layer.0.attention.self.query.lora_A": torch.randn(4, 8, generator=g),
        "bert.encoder.layer.0.attention.self.query.lora_B": torch.randn(8, 4, generator=g),
        "classifier.weight": torch.randn(3, 8, generator=g),
        "calibration.bert.encoder.layer.0.attention.self.query": torch.rand(8, generator=g),
    }


def test_the_mixed_delta_is_the_weighted_sum_of_the_two_deltas() -> None:
    base, tuned = _adapter(1), _adapter(2)
    mixed = interpolate(base, tuned, 0.3)
    key = "bert.encoder.layer.0.attention.self.query"
    delta = mixed[f"{key}.lora_B"] @ mixed[f"{key}.lora_A"]
    expected = (
        0.7 * base[f"{key}.lora_B"] @ base[f"{key}.lora_A"] + 0.3 * tuned[f"{key}.lora_B"] @ tuned[f"{key}.lora_A"]
    )
    assert mixed[f"{key}.lora_A"].shape == (8, 8)  # rank 4 + 4
    assert torch.allclose(delta, expected, atol=1e-5)
    assert torch.allclose(
        mixed["classifier.weight"], 0.7 * base["classifier.weight"] + 0.3 * tuned["classifier.weight"]
    )
    assert not any(name.startswith("calibration.") for name in mixed)  # recalibrated for the mix


def test_adapters_of_different_shape_are_refused() -> None:
    tuned = _adapter(2)
    del tuned["classifier.weight"]
    with pytest.raises(ValueError, match="different tensors"):
        interpolate(_adapter(1), tuned, 0.5)
