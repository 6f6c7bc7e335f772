"""The model card and the committed evaluation artefacts agree with each other and with the data set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sentiment.model import adapter_version, default_adapter_path
from sentiment.training.card import render_card
from sentiment.training.data import LANGUAGES
from sentiment.training.evaluate import parse_anchors

MODEL_DIR = default_adapter_path().parent


def _load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((MODEL_DIR / name).read_text(encoding="utf-8"))


def test_published_anchors_are_parsed_from_the_data_readme(shared_data: Path) -> None:
    anchors = parse_anchors(shared_data / "xlm-t-umsab" / "README.md")
    assert set(anchors) == {*LANGUAGES, "all"}
    assert anchors["all"]["XLM-Tw Multi"] == 69.4
    assert anchors["hindi"]["XLM-R Multi"] == 53.4


def test_committed_artefacts_belong_to_the_committed_adapter() -> None:
    training, evaluation, speed = _load("training.json"), _load("evaluation.json"), _load("speed.json")
    version = adapter_version(default_adapter_path())
    assert training["version"] == evaluation["version"] == version
    assert speed["product"].startswith("load_model() (int8)") and training["int8_check"]["verified"]
    assert default_adapter_path().stat().st_size < 16 * 2**20
    assert training["data"]["test_used"] is False
    assert set(evaluation["languages"]) == set(LANGUAGES)
    mean = sum(r["macro_f1"] for r in evaluation["languages"].values()) / len(LANGUAGES)
    assert evaluation["mean_macro_f1"] == pytest.approx(mean, abs=0.01)


def test_the_committed_card_is_the_rendering_of_the_committed_results() -> None:
    training, evaluation, speed = _load("training.json"), _load("evaluation.json"), _load("speed.json")
    card = render_card(training, evaluation, speed)
    assert (MODEL_DIR / "README.md").read_text(encoding="utf-8") == card
    for lang in LANGUAGES:
        assert (
            f"| {lang} | {evaluation['languages'][lang]['n']} | {evaluation['languages'][lang]['macro_f1']:.1f} |"
            in card
        )
    assert "python -m sentiment.training.finetune" in card and "Known weaknesses" in card
    assert f"Ratio **{speed['ratio']:.2f}x**" in card and "## Long texts" in card
    chosen = training["method"]["config"]["name"]
    assert f"`{chosen}` (chosen)" in card  # every attempt is listed, the chosen one marked
    assert max(a["val_mean_macro_f1"] for a in training["attempts"]) == training["attempts"][0]["val_mean_macro_f1"]
    assert training["attempts"][0]["config"]["name"] == chosen  # chosen on val, best first
