"""Threshold fitting, shrinkage, the confidence curve and the calibration file (synthetic numbers)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sentiment.errors import ModelError
from sentiment.model.topic_calibration import (
    Calibration,
    TopicSpace,
    TopicThreshold,
    best_threshold,
    fit_confidence,
    fit_thresholds,
)
from sentiment.taxonomy import Topic

TOPICS = [
    Topic(id=name, name=name, description=f"all about {name} here", examples={"en": [name]})
    for name in ("alpha", "beta", "gamma")
]


def test_best_threshold_maximises_f1_at_a_real_score() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    labels = np.array([1, 1, 0, 1, 0], dtype=bool)
    assert best_threshold(scores, labels) == 0.6  # 3 TP, 1 FP: F1 0.857 beats 0.8 at 0.8
    assert best_threshold(np.array([0.5, 0.5, 0.1]), np.array([1, 0, 0], dtype=bool)) == 0.5


def test_per_topic_thresholds_shrink_towards_the_global_one() -> None:
    rng = np.random.default_rng(0)
    labels = np.zeros((200, 3), dtype=bool)
    labels[:40, 0] = True  # well supported
    labels[:2, 1] = True  # two examples
    scores = rng.normal(0.0, 0.05, (200, 3)) + 0.2 * labels
    overall, fitted = fit_thresholds(TOPICS, scores, labels, shrink=20.0)
    assert fitted["gamma"].threshold == pytest.approx(overall)  # no support: the global threshold
    assert fitted["gamma"].support == 0 and fitted["alpha"].support == 40
    own_beta = best_threshold(scores[:, 1], labels[:, 1])
    assert fitted["beta"].threshold == pytest.approx((2 * own_beta + 20 * overall) / 22)
    assert fitted["alpha"].fingerprint == TOPICS[0].fingerprint()


def test_confidence_grows_with_the_margin() -> None:
    margins = np.linspace(-0.2, 0.2, 401)
    labels = margins + np.random.default_rng(1).normal(0, 0.05, margins.shape) > 0
    slope, intercept = fit_confidence(margins, labels)
    assert slope > 10
    calibration = _calibration(slope=slope, intercept=intercept)
    low, mid, high = calibration.confidence(np.array([-0.2, 0.0, 0.2]))
    assert low < 0.05 and 0.3 < mid < 0.7 and high > 0.95


def test_a_reworded_or_new_topic_falls_back_to_the_global_threshold() -> None:
    calibration = _calibration()
    assert calibration.threshold(TOPICS[0]) == 0.3
    reworded = TOPICS[0].model_copy(update={"description": "something else entirely now"})
    assert calibration.threshold(reworded) == 0.1
    assert calibration.threshold(TOPICS[2]) == 0.1


def test_space_removes_the_dominant_direction_and_keeps_unit_length() -> None:
    rng = np.random.default_rng(2)
    background = rng.normal(0, 0.1, (500, 8)) + np.array([3.0, 0, 0, 0, 0, 0, 0, 0])
    background[:, 1] *= 10  # the dominant direction of variance
    space = TopicSpace.fit(background.astype(np.float32), "query: ", components=1)
    projected = space.project(background[:5].astype(np.float32))
    assert np.allclose(np.linalg.norm(projected, axis=1), 1.0, atol=1e-5)
    assert np.abs(projected[:, 1]).max() < 0.05


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    calibration = _calibration()
    calibration.save(tmp_path / "calibration.json")
    loaded = Calibration.load(tmp_path / "calibration.json")
    assert loaded.thresholds == calibration.thresholds
    assert loaded.global_threshold == calibration.global_threshold
    assert np.allclose(loaded.space.components, calibration.space.components)
    assert loaded.space.prefix == "query: " and loaded.clause_margin == calibration.clause_margin


def test_a_missing_calibration_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"python -m sentiment\.training\.topics_eval"):
        Calibration.load(tmp_path / "nope.json")


def _calibration(slope: float = 40.0, intercept: float = -1.0) -> Calibration:
    space = TopicSpace("query: ", np.zeros(4, dtype=np.float32), np.eye(4, dtype=np.float32)[:1])
    thresholds = {"alpha": TopicThreshold(0.3, TOPICS[0].fingerprint(), 10)}
    probe = np.array([0.5, 0.5, 0.5, 0.5], dtype=np.float32)
    return Calibration("sha", space, 0.1, thresholds, slope, intercept, probe)
