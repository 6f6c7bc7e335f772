"""The topic benchmark's reading of the real SemEval and GermEval files and its metrics (fast); the
fits themselves run in ``bench/topics.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import topics as bench


def test_semeval_sentences_carry_their_categories_and_polarities(shared_data: Path) -> None:
    train = bench.semeval(shared_data, "en", ("train", "dev"))
    test = bench.semeval(shared_data, "en", ("test",))
    assert (len(train), len(test)) == (2000, 676)
    categories = sorted({c for _, ops in train for c, _ in ops})
    assert len(categories) == 12 and "FOOD#QUALITY" in categories and "SERVICE#GENERAL" in categories
    assert {p for _, ops in test for _, p in ops} == {"positive", "negative", "neutral"}


def test_germeval_fits_on_dev_without_test_texts(shared_data: Path) -> None:
    test_syn = bench.germeval(shared_data, "test_syn")
    dev = bench.germeval(shared_data, "dev")
    coarse = {c for _, ops in dev for c, _ in ops}
    assert "Allgemein" in coarse and "Zugfahrt" in coarse and not any("#" in c for c in coarse)
    assert len(test_syn) == 2095  # the relevant documents, as the reading benchmark counts them


def test_categories_become_taxonomy_ids_and_agreeing_polarities_aspects() -> None:
    assert bench.topic_id("FOOD#STYLE_OPTIONS") == "food_style_options"
    assert bench.topic_id("Atmosphäre") == "atmosphaere"
    rows = [
        ("Great food, slow service.", [("FOOD#QUALITY", "positive"), ("SERVICE#GENERAL", "negative")]),
        ("Mixed food.", [("FOOD#QUALITY", "positive"), ("FOOD#QUALITY", "negative")]),
        ("Nothing.", []),
    ]
    lines = bench.examples(rows, {"FOOD#QUALITY", "SERVICE#GENERAL"})
    assert lines[0].topics == ("food_quality", "service_general")
    assert lines[0].aspects == {"food_quality": "positive", "service_general": "negative"}
    assert lines[1].topics == ("food_quality",) and lines[1].aspects == {}  # disagreeing: no aspect label
    assert lines[2].topics == ()


def test_micro_f1_counts_pairs() -> None:
    gold = [{"a", "b"}, {"c"}, set()]
    found = [{"a"}, {"c", "d"}, set()]
    assert bench.micro_f1(gold, found) == pytest.approx(2 * 2 / (3 + 3))
    assert bench.micro_f1([set()], [set()]) == 0.0
