"""Macro-F1 and friends against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from sentiment.training import finetune_core as core
from sentiment.training.metrics import accuracy, confusion_matrix, macro_f1, macro_f1_gold_classes, per_class_f1


def test_macro_f1_matches_a_hand_computed_example() -> None:
    gold = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2]
    predicted = [0, 0, 1, 1, 2, 2, 2, 2, 0, 1]
    # class 0: tp 2, fp 1, fn 1 -> 4/6;  class 1: tp 1, fp 2, fn 1 -> 2/5;  class 2: tp 3, fp 1, fn 2 -> 6/9
    assert confusion_matrix(gold, predicted) == [[2, 1, 0], [0, 1, 1], [1, 1, 3]]
    assert per_class_f1(gold, predicted) == pytest.approx([4 / 6, 2 / 5, 6 / 9])
    assert macro_f1(gold, predicted) == pytest.approx((4 / 6 + 2 / 5 + 6 / 9) / 3)
    assert accuracy(gold, predicted) == pytest.approx(0.6)


def test_perfect_and_constant_predictions() -> None:
    gold = [0, 1, 2, 2]
    assert macro_f1(gold, gold) == 1.0
    # Always "positive": F1 of positive = 2*2/(2*2+2) = 2/3, the others 0.
    assert macro_f1(gold, [2, 2, 2, 2]) == pytest.approx((2 / 3) / 3)


def test_a_class_absent_from_gold_and_predictions_counts_zero() -> None:
    assert per_class_f1([0, 2], [0, 2]) == [1.0, 0.0, 1.0]


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="gold has 2 labels but predicted has 1"):
        macro_f1([0, 1], [0])
    with pytest.raises(ValueError, match="gold has 1 labels but predicted has 2"):
        accuracy([0], [0, 1])


def test_macro_f1_over_gold_classes_gives_a_two_class_set_the_same_ceiling() -> None:
    gold = [0, 0, 2, 2]
    assert macro_f1_gold_classes(gold, gold) == 1.0
    # A "neutral" answer on a positive/negative set is a miss for the positive class only.
    assert macro_f1_gold_classes(gold, [0, 0, 2, 1]) == pytest.approx((1.0 + 2 / 3) / 2)
    assert macro_f1(gold, gold) == pytest.approx(2 / 3)


def test_training_and_card_metrics_agree_on_gold_classes() -> None:
    gold, predicted = [0, 1, 1, 2, 2, 2, 0], [0, 1, 2, 2, 0, 2, 1]
    assert core.macro_f1(np.array(gold), np.array(predicted)) == pytest.approx(macro_f1(gold, predicted))
    two = [0, 2, 2, 0]
    assert core.macro_f1(np.array(two), np.array([0, 1, 2, 2])) == pytest.approx(
        macro_f1_gold_classes(two, [0, 1, 2, 2])
    )
