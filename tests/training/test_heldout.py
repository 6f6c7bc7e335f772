"""The held-out-language comparison's parts: the logistic head, the selection rule, the figures."""

from __future__ import annotations

import numpy as np
import pytest

from sentiment.training.heldout import as_prediction, figures, fit_logistic_path, group_mean, probabilities
from sentiment.training.mixture import Group, Mixture
from sentiment.training.reading import Example, reading_set


def test_the_logistic_head_separates_separable_classes_and_regularisation_shrinks_it() -> None:
    rng = np.random.default_rng(0)
    centres = np.array([[-3.0, 0.0], [0.0, 3.0], [3.0, 0.0]])
    labels = np.repeat([0, 1, 2], 40)
    features = centres[labels] + rng.normal(scale=0.5, size=(120, 2))
    weak, strong = fit_logistic_path(features, labels, [100.0, 0.01])
    assert (probabilities(features, weak).argmax(axis=1) == labels).all()
    assert np.abs(strong[0]).sum() < np.abs(weak[0]).sum()
    assert probabilities(features, weak).sum(axis=1) == pytest.approx(np.ones(120))


def test_selection_averages_groups_over_the_classes_each_has() -> None:
    three = Group("a/en", {"val": ["x"] * 3}, {"val": [0, 1, 2]})
    two = Group("b/ar", {"val": ["y"] * 2}, {"val": [0, 2]})
    mixture = Mixture("m", [three, two], [])
    # Group a: all right (100); group b: negative right (F1 1), "neutral" for its positive (F1 0): 50,
    # where a mean over three classes would give 33.3.
    assert group_mean(mixture, np.array([0, 1, 2, 0, 1])) == pytest.approx(75.0)


def test_figures_read_a_two_class_set_by_the_leaning_of_its_probabilities() -> None:
    entry = reading_set("arabic-reviews")
    group = [Example("1", "t", "positive", "ar"), Example("2", "t", "negative", "ar")]
    # Both "neutral" by argmax; the first leans positive, the second negative.
    rows = np.array([[0.2, 0.5, 0.3], [0.4, 0.5, 0.1]])
    predictions = [as_prediction(row) for row in rows]
    assert [p.label for p in predictions] == ["neutral", "neutral"]
    assert predictions[0].score == pytest.approx(0.1)
    assert figures(entry, group, predictions) == {
        "n": 2,
        "metric": "accuracy",
        "value": 100.0,
        "accuracy": 100.0,
        "macro_f1": 100.0,
    }
