"""The labelled topic set: references resolve to the exact source texts; the split is deterministic."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from sentiment.errors import ModelError
from sentiment.taxonomy import load_taxonomy
from sentiment.training.data import clean_text
from sentiment.training.topic_data import (
    EvalItem,
    assign_splits,
    default_eval_set_path,
    load_labelled,
    read_eval_set,
    resolve,
    shared_data_dir,
    text_hash,
)


@pytest.fixture(scope="module")
def items() -> list[EvalItem]:
    return read_eval_set(default_eval_set_path())


def test_the_set_is_large_multilingual_and_uses_taxonomy_topics(items: list[EvalItem]) -> None:
    assert len(items) >= 300
    languages = Counter(i.lang for i in items)
    assert len([lang for lang, n in languages.items() if n >= 20]) >= 5
    known = set(load_taxonomy().ids)
    assert {t for i in items for t in i.topics} <= known
    assert sum(1 for i in items if not i.topics) >= 150  # plenty of "other"


def test_every_reference_resolves_to_the_labelled_text() -> None:
    labelled = load_labelled()  # raises on any hash mismatch
    assert {x.split for x in labelled} == {"calibration", "evaluation"}


def test_a_line_reference_is_that_line_of_the_file_cleaned(items: list[EvalItem]) -> None:
    item = next(i for i in items if i.ref == {"file": "xlm-t-umsab/german/train_text.txt", "line": 1636})
    raw = (shared_data_dir() / item.ref["file"]).read_text(encoding="utf-8").split("\n")[1635]
    text = resolve(item.ref)
    assert text == clean_text(raw) and "Sixt" in text
    assert text_hash(text) == item.sha256 and item.topics == (
        "billing_payments", "opening_hours_availability", "product_quality", "wait_time",
    )  # fmt: skip


def test_a_pointer_and_a_review_reference(items: list[EvalItem]) -> None:
    pointer = {"file": "social-api-payloads/reddit/r_popular_hot__2026.json", "pointer": "/data/children/37/data/title"}
    payload = json.loads((shared_data_dir() / pointer["file"]).read_text(encoding="utf-8"))
    assert resolve(pointer) == payload["data"]["children"][37]["data"]["title"]
    review = next(i for i in items if i.ref.get("review") == 0 and "delishkitchen" in i.ref["file"])
    assert review.lang == "ja" and text_hash(resolve(review.ref)) == review.sha256


def test_a_changed_source_fails_loudly(tmp_path: Path, items: list[EvalItem]) -> None:
    lines = [json.dumps({"ref": items[0].ref, "lang": "en", "topics": [], "sha256": "0" * 16})]
    (tmp_path / "set.jsonl").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ModelError, match="resolves to a different text"):
        load_labelled(tmp_path / "set.jsonl")


def test_bad_lines_and_duplicates_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"ref": {"file": "x"}, "lang": "en", "topics": [], "sha256": "a"}\n', encoding="utf-8")
    with pytest.raises(ModelError, match="line 1: ref needs"):
        read_eval_set(path)
    line = '{"ref": {"file": "x", "line": 1}, "lang": "en", "topics": [], "sha256": "a"}'
    path.write_text(f"{line}\n{line}\n", encoding="utf-8")
    with pytest.raises(ModelError, match="listed twice"):
        read_eval_set(path)


def test_the_split_is_deterministic_stratified_and_balanced(items: list[EvalItem]) -> None:
    splits = assign_splits(items)
    assert splits == assign_splits(list(reversed(items)))
    for topic in load_taxonomy().ids:
        sides = Counter(splits[i.id] for i in items if topic in i.topics)
        if sum(sides.values()) >= 2:
            assert sides["calibration"] >= 1 and sides["evaluation"] >= 1, topic
    counts = Counter(splits.values())
    assert abs(counts["calibration"] - counts["evaluation"]) <= 20
