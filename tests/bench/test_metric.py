"""The benchmark's metric as re-implemented in ``bench/extraction.py``: the published numbers of the
shipped reference outputs must come out exactly, or our own score would not be comparable with them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import extraction as bench


@pytest.fixture(scope="module")
def benchmark(shared_data: Path) -> Path:
    return shared_data / "article-extraction-benchmark"


@pytest.mark.parametrize("system", sorted(bench.PUBLISHED))
def test_reference_outputs_score_as_published(benchmark: Path, system: str) -> None:
    truth = bench.load_ground_truth(benchmark)
    predicted = bench.load_reference(benchmark / "reference_outputs" / f"{system}.json")
    summary = bench.summarise(list(bench.score_all(truth, predicted).values()))
    assert summary.pages == 181
    assert (round(summary.f1, 3), round(summary.precision, 3), round(summary.recall, 3)) == bench.PUBLISHED[system]


def test_published_accuracy_and_spread_of_trafilatura(benchmark: Path) -> None:
    truth = bench.load_ground_truth(benchmark)
    scores = list(
        bench.score_all(truth, bench.load_reference(benchmark / "reference_outputs" / "trafilatura.json")).values()
    )
    assert round(bench.summarise(scores).accuracy, 3) == 0.293
    assert bench.bootstrap_f1_std(scores) == pytest.approx(0.006, abs=0.0015)  # published ± 0.006


def test_identical_texts_score_one_whatever_the_spacing_and_punctuation() -> None:
    score = bench.score_page("Acme opens, in Krakow today.", "Acme  opens in\nKrakow -- today")
    assert (score.precision, score.recall, score.exact, score.f1) == (1.0, 1.0, True, 1.0)


def test_shingles_are_4_grams_counted_as_a_multiset() -> None:
    assert bench.shingles(["a", "b", "c", "d", "e"]) == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert bench.shingles(["a", "b"]) == {("a", "b"): 1}  # shorter than 4 tokens: one shingle
    assert bench.shingles([]) == {}
    # The truth's 8 tokens make 5 shingles, "one two three four" twice: predicting it once finds 1 of 5.
    score = bench.score_page("one two three four. one two three four.", "one two three four")
    assert score.precision == 1.0 and score.recall == pytest.approx(1 / 5)


def test_an_empty_prediction_has_no_precision_and_no_recall() -> None:
    score = bench.score_page("Acme opens in Krakow", "")
    assert (score.precision, score.recall, score.f1) == (None, 0.0, 0.0)
    summary = bench.summarise([score, bench.score_page("a b c d", "a b c d")])
    assert (summary.precision, summary.recall, summary.empty) == (1.0, 0.5, 1)


def test_a_wrong_prediction_scores_zero() -> None:
    score = bench.score_page("Acme opens in Krakow today", "Subscribe to our newsletter now")
    assert (score.precision, score.recall, score.exact) == (0.0, 0.0, False)
