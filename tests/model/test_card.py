"""The model card and the committed evaluation artefacts agree with each other and with the data set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sentiment.model import default_head_path
from sentiment.model.card import render_card
from sentiment.model.data import LANGUAGES
from sentiment.model.evaluate import parse_anchors
from sentiment.model.head import head_version

MODEL_DIR = default_head_path().parent


def _load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((MODEL_DIR / name).read_text(encoding="utf-8"))


def test_published_anchors_are_parsed_from_the_data_readme(shared_data: Path) -> None:
    anchors = parse_anchors(shared_data / "xlm-t-umsab" / "README.md")
    assert set(anchors) == {*LANGUAGES, "all"}
    assert anchors["all"]["XLM-Tw Multi"] == 69.4
    assert anchors["hindi"]["XLM-R Multi"] == 53.4


def test_committed_artefacts_belong_to_the_committed_head() -> None:
    training, evaluation = _load("training.json"), _load("evaluation.json")
    version = head_version(default_head_path())
    assert training["version"] == evaluation["version"] == version
    assert training["data"]["test_used"] is False
    assert set(evaluation["languages"]) == set(LANGUAGES)
    mean = sum(r["macro_f1"] for r in evaluation["languages"].values()) / len(LANGUAGES)
    assert evaluation["mean_macro_f1"] == pytest.approx(mean, abs=0.01)


def test_the_committed_card_is_the_rendering_of_the_committed_results() -> None:
    training, evaluation = _load("training.json"), _load("evaluation.json")
    card = render_card(training, evaluation)
    assert (MODEL_DIR / "README.md").read_text(encoding="utf-8") == card
    for lang in LANGUAGES:
        assert (
            f"| {lang} | {evaluation['languages'][lang]['n']} | {evaluation['languages'][lang]['macro_f1']:.1f} |"
            in card
        )
    assert "python -m sentiment.model.train" in card and "Known weaknesses" in card
