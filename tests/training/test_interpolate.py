"""Weight-space interpolation of two LoRA adapters is exact (the merged delta is the weighted sum), and the
weight is chosen from val and the untrained-language probe by a fixed rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from sentiment.training.interpolate import choose_alpha, interpolate, sweep_figures


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


def _sweep(flips: dict[float, int], val: dict[float, float]) -> dict[float, dict[str, object]]:
    return {
        a: {
            "val_mean_macro_f1_int8": val[a],
            "probe_right": 100 - flips[a],
            "probe_flips": flips[a],
            "probe_flipped": [],
        }
        for a in flips
    }


def test_the_weight_is_the_best_val_among_those_the_probe_allows() -> None:
    figures = _sweep({0.2: 1, 0.3: 2, 0.5: 4}, {0.2: 63.57, 0.3: 64.40, 0.5: 66.34})
    assert choose_alpha(figures) == 0.2
    assert choose_alpha(figures, max_flips=2) == 0.3
    assert choose_alpha(_sweep({0.2: 0, 0.3: 1}, {0.2: 64.0, 0.3: 63.0})) == 0.2  # val decides, not size


def test_no_allowed_weight_is_an_error_listing_each_weights_flips() -> None:
    with pytest.raises(SystemExit, match=r"0.2: 3, 0.5: 4"):
        choose_alpha(_sweep({0.2: 3, 0.5: 4}, {0.2: 60.0, 0.5: 61.0}))


def test_the_committed_sweep_is_read_and_a_missing_benchmark_is_named(tmp_path: Path) -> None:
    figures = sweep_figures(Path(__file__).parents[2] / "models" / "candidates" / "wise-ft")
    assert sorted(figures) == [0.1, 0.15, 0.2]
    assert figures[0.15]["val_mean_macro_f1_int8"] == 63.04 and figures[0.15]["probe_flipped"] == ["pl-1"]
    assert figures[0.2]["probe_flipped"] == ["pl-1", "hu-1"]
    assert choose_alpha(figures) == 0.15
    (tmp_path / "a0.4" / "embedded-sentiment").mkdir(parents=True)
    (tmp_path / "a0.4" / "embedded-sentiment" / "check.json").write_text(
        json.dumps({"alpha": 0.4, "val_mean_macro_f1_int8": 1.0})
    )
    with pytest.raises(SystemExit, match=r"a0.4/reading.json is missing"):
        sweep_figures(tmp_path)
