"""The untrained-language probe: its committed texts, the checks on its file, and how flips are counted."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sentiment.records import Prediction
from sentiment.training.probe import ProbeText, load_probe, probe_figures
from sentiment.training.reading import UMSAB_ISO

#: Every language some training set of the model has (UMSAB, SemEval, GermEval, SmSA, Arabic reviews).
TRAINED = set(UMSAB_ISO.values()) | {"ru", "id"}


def test_the_committed_probe_is_20_untrained_languages_of_three_complaints_and_two_praises() -> None:
    texts = load_probe()
    assert len(texts) == 100
    languages = Counter(t.language for t in texts)
    assert len(languages) == 20 and set(languages.values()) == {5}
    assert not set(languages) & TRAINED
    assert Counter(t.label for t in texts) == {"negative": 60, "positive": 40}
    assert len({t.id for t in texts}) == 100 and len({t.text for t in texts}) == 100


def test_a_bad_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "probe.jsonl"
    path.write_text(
        '{"id": "a", "language": "pl", "label": "negative", "text": "Nie."}\n'
        '{"id": "b", "language": "pl", "label": "neutral", "text": "Tak."}\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"probe.jsonl:2: label must be one of \('negative', 'positive'\)"):
        load_probe(path)


def _prediction(label: str, score: float) -> Prediction:
    return Prediction(label=label, probabilities={}, score=score)  # type: ignore[arg-type]


def test_flips_are_polarity_read_the_wrong_way_round_and_neutral_is_only_wrong() -> None:
    texts = [
        ProbeText("pl-1", "pl", "negative", "a"),
        ProbeText("pl-2", "pl", "negative", "b"),
        ProbeText("cs-1", "cs", "positive", "c"),
        ProbeText("cs-2", "cs", "positive", "d"),
    ]
    read = [
        _prediction("positive", 0.41),
        _prediction("neutral", 0.0),
        _prediction("positive", 0.9),
        _prediction("negative", -0.333),
    ]
    figures = probe_figures(texts, read)
    assert figures["right"] == 1 and figures["accuracy"] == 25.0
    assert figures["flips"] == 2
    assert figures["flipped"] == [
        {"id": "pl-1", "label": "negative", "read": "positive", "score": 0.41},
        {"id": "cs-2", "label": "positive", "read": "negative", "score": -0.33},
    ]
    assert figures["languages"] == {"pl": "0/2", "cs": "1/2"}
