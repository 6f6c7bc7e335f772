"""`sentiment topics fit`'s input checks, splits and thresholds (the fit itself runs in the slow tests)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sentiment.errors import ModelError
from sentiment.taxonomy import default_taxonomy_path, read_taxonomy
from sentiment.training.topics_fit import Example, best_thresholds, held_out_split, read_examples, split

TAXONOMY = read_taxonomy(default_taxonomy_path())


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "e.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_examples_are_read_with_their_topics_and_aspects(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        json.dumps({"text": "We waited 40 minutes.", "topics": ["wait_time"], "aspects": {"wait_time": "negative"}}),
        "",
        json.dumps({"text": "Nice weather.", "topics": [], "lang": "en", "held_out": True}),
    )
    examples = read_examples(path, TAXONOMY)
    assert examples == [
        Example(1, "We waited 40 minutes.", ("wait_time",), {"wait_time": "negative"}),
        Example(3, "Nice weather.", (), {}, True, "en"),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "line 2: not JSON"),
        ('["a list"]', "line 2: expected an object"),
        ('{"text": "", "topics": []}', 'line 2: "text" must be a non-empty string'),
        ('{"text": "x", "topics": "wait_time"}', 'line 2: "topics" must be a list of topic ids'),
        ('{"text": "x", "topics": ["parking"]}', "line 2: unknown topics \\['parking'\\]; allowed: contact, wait_time"),
        ('{"text": "x", "topics": [], "aspects": {"wait_time": "negative"}}', "aspect 'wait_time' is not among"),
        ('{"text": "x", "topics": ["wait_time"], "aspects": {"wait_time": "bad"}}', "allowed: negative, neutral"),
        ('{"text": "x", "topics": [], "label": "x"}', "unknown keys \\['label'\\]; allowed: text, topics"),
    ],
)
def test_a_bad_line_is_named_with_what_is_allowed(tmp_path: Path, line: str, message: str) -> None:
    path = _write(tmp_path, json.dumps({"text": "fine", "topics": []}), line)
    with pytest.raises(ModelError, match=message):
        read_examples(path, TAXONOMY)


def test_the_split_is_deterministic_and_every_topic_is_on_both_sides() -> None:
    examples = [
        Example(i, f"text {i}", ("contact",) if i % 10 == 0 else ("wait_time",) if i % 3 else ()) for i in range(100)
    ]
    kept, aside = split(examples, 0.2, "salt")
    assert (kept, aside) == split(list(examples), 0.2, "salt")
    assert sorted(kept + aside) == list(range(100))
    for topic in ("contact", "wait_time"):
        assert any(topic in examples[i].topics for i in aside) and any(topic in examples[i].topics for i in kept)
    assert len(aside) == 2 + 12 + 6  # 20% of 10 contact, 60 wait_time and 30 other texts


def test_lines_marked_held_out_decide_the_held_out_part() -> None:
    examples = [Example(1, "a", (), {}, True), Example(2, "b", (), {}, False), Example(3, "c", ())]
    assert held_out_split(examples) == ([1, 2], [0])


def test_thresholds_are_the_f1_best_per_topic() -> None:
    probabilities = np.array([[0.9, 0.2], [0.6, 0.15], [0.4, 0.1], [0.1, 0.05]])
    labels = np.array([[1, 1], [1, 0], [0, 0], [0, 0]], dtype=np.float32)
    thresholds, score = best_thresholds(probabilities, labels)
    assert 0.4 < thresholds[0] <= 0.6 and 0.15 < thresholds[1] <= 0.2
    assert score == 1.0
