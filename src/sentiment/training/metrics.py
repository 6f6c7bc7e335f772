"""Classification metrics, written out so the numbers in our model card need no sklearn to reproduce.

Macro-F1 is the XLM-T benchmark's metric: the unweighted mean of per-class F1, so a model that ignores
the neutral class is punished even when accuracy looks fine. A class with no true and no predicted
examples has F1 0 here (sklearn's ``zero_division=0``); on the umsab splits every class is present.
"""

from __future__ import annotations

from collections.abc import Sequence


def confusion_matrix(gold: Sequence[int], predicted: Sequence[int], n_classes: int = 3) -> list[list[int]]:
    """``matrix[g][p]`` counts texts of gold class ``g`` predicted as ``p``."""
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} labels but predicted has {len(predicted)}")
    matrix = [[0] * n_classes for _ in range(n_classes)]
    for g, p in zip(gold, predicted, strict=True):
        matrix[g][p] += 1
    return matrix


def per_class_f1(gold: Sequence[int], predicted: Sequence[int], n_classes: int = 3) -> list[float]:
    """F1 of each class: 2 TP / (2 TP + FP + FN), 0 when the class is absent from both."""
    matrix = confusion_matrix(gold, predicted, n_classes)
    scores = []
    for c in range(n_classes):
        tp = matrix[c][c]
        fn = sum(matrix[c]) - tp
        fp = sum(matrix[g][c] for g in range(n_classes)) - tp
        denominator = 2 * tp + fp + fn
        scores.append(2 * tp / denominator if denominator else 0.0)
    return scores


def macro_f1(gold: Sequence[int], predicted: Sequence[int], n_classes: int = 3) -> float:
    """Unweighted mean of the per-class F1 scores, in [0, 1]."""
    scores = per_class_f1(gold, predicted, n_classes)
    return sum(scores) / len(scores)


def macro_f1_gold_classes(gold: Sequence[int], predicted: Sequence[int], n_classes: int = 3) -> float:
    """Mean F1 over the classes present in ``gold`` (a two-class set's ceiling stays 1; see
    ``finetune_core.macro_f1``, the same definition on arrays)."""
    scores = per_class_f1(gold, predicted, n_classes)
    present = sorted(set(gold))
    return sum(scores[c] for c in present) / len(present) if present else 0.0


def accuracy(gold: Sequence[int], predicted: Sequence[int]) -> float:
    """Share of texts whose predicted class is the gold class (0 for no texts)."""
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} labels but predicted has {len(predicted)}")
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold) if gold else 0.0
