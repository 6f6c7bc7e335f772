"""The model card and the committed evaluation artefacts agree with each other and with the data set."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from sentiment.model import adapter_version, default_adapter_path
from sentiment.training.card import render_card
from sentiment.training.data import LANGUAGES
from sentiment.training.evaluate import card_data, parse_anchors

MODEL_DIR = default_adapter_path().parent


def _load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((MODEL_DIR / name).read_text(encoding="utf-8"))


def test_published_anchors_are_parsed_from_the_data_readme(shared_data: Path) -> None:
    anchors = parse_anchors(shared_data / "xlm-t-umsab" / "README.md")
    assert set(anchors) == {*LANGUAGES, "all"}
    assert anchors["all"]["XLM-Tw Multi"] == 69.4
    assert anchors["hindi"]["XLM-R Multi"] == 53.4


def test_committed_artefacts_belong_to_the_committed_adapter() -> None:
    data = card_data(MODEL_DIR)
    version = adapter_version(default_adapter_path())
    assert data.training["version"] == data.evaluation["version"] == version
    assert data.reading is not None and data.reading["model"]["version"] == version
    assert data.speed is not None and data.speed["product"].startswith("load_model() (int8)")
    assert data.training["int8_check"]["verified"]
    assert default_adapter_path().stat().st_size < 16 * 2**20
    assert data.training["data"]["test_used"] is False
    assert set(data.evaluation["languages"]) == set(LANGUAGES)
    mean = sum(r["macro_f1"] for r in data.evaluation["languages"].values()) / len(LANGUAGES)
    assert data.evaluation["mean_macro_f1"] == pytest.approx(mean, abs=0.01)
    if data.heldout is not None:
        assert data.heldout["adopted"]["version"] == version


def test_the_committed_card_is_the_rendering_of_the_committed_results() -> None:
    data = card_data(MODEL_DIR)
    card = render_card(data)
    assert (MODEL_DIR / "README.md").read_text(encoding="utf-8") == card
    for lang, result in data.evaluation["languages"].items():
        assert f"| {lang} | {result['n']} | {result['macro_f1']:.1f} |" in card
    assert data.reading is not None
    for name, entry in data.reading["sets"].items():
        for lang, figures in entry["languages"].items():
            assert f"| {name} | {lang} | {figures['n']} | {entry['metric']} | **{figures['value']:.1f}** |" in card
    for source in data.evaluation.get("training_sources", []):
        assert source["licence"] in card
    assert "python -m sentiment.training.finetune" in card and "Known weaknesses" in card
    assert data.speed is not None and f"Ratio **{data.speed['ratio']:.2f}x**" in card and "## Long texts" in card
    for attempt in data.attempts:
        assert f"| {attempt['round']} | `{attempt['config']['name']}`" in card  # every attempt is listed


def test_the_card_says_which_targets_are_missed() -> None:
    data = card_data(MODEL_DIR)
    assert data.reading is not None
    reading = copy.deepcopy(data.reading)
    reading["model"]["version"] = data.training["version"]
    for figures in reading["sets"]["semeval2016-absa"]["languages"].values():
        figures["macro_f1"] = 80.0
    reading["sets"]["germeval2017"]["value"] = 70.0
    data.reading = reading
    card = render_card(data)
    assert "least 75 in each language:\n  met (en 80.0, es 80.0, fr 80.0, ru 80.0)" in card
    assert "document accuracy at least 78: **not met** (70.0)" in card
    reading["model"]["version"] = "2.0-0000000000"
    assert "These figures are of model 2.0-0000000000, not this one" in render_card(data)
