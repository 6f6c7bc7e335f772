"""The logistic head: fitting, the standardisation fold-back, the file format and the version."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from sentiment.errors import ModelError
from sentiment.model.head import LinearHead, fit_logistic, fit_logistic_path, head_version


def _blobs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.array([[-3.0, 0.0, 1.0], [0.0, 3.0, 1.0], [3.0, 0.0, 1.0]])
    labels = np.repeat(np.arange(3), 50)
    return centres[labels] + rng.normal(scale=0.5, size=(150, 3)), labels


def test_fit_separates_three_blobs_and_is_deterministic() -> None:
    x, y = _blobs()
    weight, bias = fit_logistic(x, y, c=10.0)
    head = LinearHead(weight, bias, "", "mean", False, "sha")
    probabilities = head.probabilities(x)
    assert (probabilities.argmax(axis=1) == y).mean() == 1.0
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    again, _ = fit_logistic(x, y, c=10.0)
    assert np.array_equal(weight, again)


def test_stronger_regularisation_shrinks_the_weights() -> None:
    x, y = _blobs()
    strong, _ = fit_logistic(x, y, c=0.01)
    weak, _ = fit_logistic(x, y, c=100.0)
    assert np.linalg.norm(strong) < np.linalg.norm(weak)


def test_warm_started_path_equals_separate_fits() -> None:
    x, y = _blobs()
    x = x + np.random.default_rng(1).normal(scale=3.0, size=x.shape)  # overlapping: a unique, finite optimum
    path = fit_logistic_path(x, y, [10.0, 0.1])
    for c, (weight, bias) in zip([10.0, 0.1], path, strict=True):
        alone = LinearHead(*fit_logistic(x, y, c), "", "mean", False, "sha").probabilities(x)
        warm = LinearHead(weight, bias, "", "mean", False, "sha").probabilities(x)
        assert np.allclose(warm, alone, atol=1e-4)


def test_save_load_round_trip_and_version_follows_content(tmp_path: Path) -> None:
    x, y = _blobs()
    weight, bias = fit_logistic(x, y, c=1.0)
    head = LinearHead(weight.astype(np.float32), bias.astype(np.float32), "query: ", "mean+cls", True, "abc")
    path = tmp_path / "head.safetensors"
    head.save(path)
    loaded = LinearHead.load(path)
    assert (loaded.prefix, loaded.pooling, loaded.bf16_verified, loaded.encoder_sha256) == (
        "query: ",
        "mean+cls",
        True,
        "abc",
    )
    assert np.array_equal(loaded.weight, head.weight) and np.array_equal(loaded.bias, head.bias)
    version = head_version(path)
    assert version.startswith("1.0-") and len(version) == 14
    LinearHead(head.weight * 2, head.bias, "query: ", "mean+cls", True, "abc").save(path)
    assert head_version(path) != version


def test_loading_something_else_is_a_clear_error(tmp_path: Path) -> None:
    other = tmp_path / "other.safetensors"
    save_file({"weight": np.zeros((3, 4), dtype=np.float32)}, str(other))
    with pytest.raises(ModelError, match="is not a sentiment head"):
        LinearHead.load(other)
    with pytest.raises(ModelError, match="cannot read the sentiment head"):
        LinearHead.load(tmp_path / "missing.safetensors")
