"""The labelled default-taxonomy set: references resolve, mappings hold, the held-out part is big enough.

These read ``../shared/data`` (as CI has it beside the checkout); no dataset text is copied here.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sentiment.errors import ModelError
from sentiment.training.reading import text_key
from sentiment.training.topic_data import text_hash
from sentiment.training.topic_labels import (
    LabelledText,
    assign_holdout,
    benchmark_test_keys,
    default_labelled_path,
    eval_set_ids,
    load_labelled_texts,
    map_labels,
    read_labelled,
    resolve_ref,
    source_labels,
)


@pytest.fixture(scope="module")
def texts() -> list[LabelledText]:
    return load_labelled_texts()


def test_the_set_is_large_multilingual_and_has_other(texts: list[LabelledText]) -> None:
    assert len(texts) >= 3000
    languages = Counter(t.item.lang for t in texts)
    assert len(languages) >= 8
    assert sum(1 for t in texts if not t.item.topics) >= 0.25 * len(texts)


def test_every_topic_has_thirty_positives_in_the_held_out_part(texts: list[LabelledText]) -> None:
    held = Counter(topic for t in texts if t.part == "held-out" for topic in t.item.topics)
    topics = {topic for t in texts for topic in t.item.topics}
    assert len(topics) == 14
    assert {topic: held[topic] for topic in topics if held[topic] < 30} == {}
    assert 0.30 <= sum(t.part == "held-out" for t in texts) / len(texts) <= 0.36


def test_every_held_out_text_was_read(texts: list[LabelledText]) -> None:
    assert {t.item.how for t in texts if t.part == "held-out"} == {"read"}


def test_the_eval_set_is_kept_whole(texts: list[LabelledText]) -> None:
    ids = {t.item.id for t in texts}
    assert eval_set_ids() <= ids
    assert all(t.item.how == "read" for t in texts if t.item.id in eval_set_ids())


def test_no_new_text_is_in_a_benchmark_test_split(texts: list[LabelledText]) -> None:
    test_keys = benchmark_test_keys()
    originals = eval_set_ids()
    leaked = [t.item.id for t in texts if t.item.id not in originals and text_key(t.text) in test_keys]
    assert leaked == []
    files = {str(t.item.ref["file"]) for t in texts}
    assert not {f for f in files if f.endswith(("test.xml", "test.txt", "test.csv", "test_preprocess.csv"))}
    assert not {f for f in files if "test_syn" in f}


def test_texts_are_unique_after_whitespace_collapse(texts: list[LabelledText]) -> None:
    keys = Counter(text_key(t.text) for t in texts)
    assert [k for k, n in keys.items() if n > 1] == []


@pytest.mark.parametrize(
    ("ref", "topics", "aspects"),
    [
        (
            {"file": "semeval2016-absa/en/dev.xml", "sentence": "0a834c0a-612a-4bf5-80f0-ab02935ed7da"},
            ["location_access"],
            {"location_access": "positive"},
        ),
        ({"file": "germeval2017/fixed/dev-2017-09-15.xml", "document": 40}, ["outages_connectivity"], None),
        ({"file": "twitter-airline-sentiment/Tweets.csv", "row": 9442}, ["wait_time"], {"wait_time": "negative"}),
        ({"file": "banking77-nlupp/banking77/train.csv", "row": 3}, ["delivery"], {}),
        ({"file": "banking77-nlupp/nlupp/data/banking/fold9.json", "pointer": "/59/text"}, ["contact"], {}),
        ({"file": "german-hotel-aspects/train.txt", "row": 2528}, ["location_access"], None),
        (
            {"file": "indonlu/hoasa_absa-airy/train_preprocess.csv", "row": 471},
            ["staff_attitude", "cleanliness"],
            {"staff_attitude": "positive", "cleanliness": "negative"},
        ),
        (
            {"file": "indonlu/casa_absa-prosa/train_preprocess.csv", "row": 656},
            ["price_value", "product_quality"],
            None,
        ),
    ],
)
def test_known_references_map_to_known_topics(
    ref: dict[str, Any], topics: list[str], aspects: dict[str, str] | None, texts: list[LabelledText]
) -> None:
    mapped_topics, mapped_aspects = map_labels(ref, source_labels(ref))
    assert mapped_topics == topics
    if aspects is not None:
        assert mapped_aspects == aspects
    stored = next(t for t in texts if t.item.ref == ref)
    assert list(stored.item.topics) == topics
    assert resolve_ref(ref) == stored.text


def test_read_items_keep_their_corrected_labels(texts: list[LabelledText]) -> None:
    by_ref = {str(sorted(t.item.ref.items())): t for t in texts}
    refund_and_human = by_ref[str(sorted({"file": "banking77-nlupp/banking77/train.csv", "row": 5772}.items()))]
    assert refund_and_human.item.how == "read"
    assert set(refund_and_human.item.topics) == {"contact", "returns_refunds"}
    arabic = by_ref[str(sorted({"file": "arabic-reviews/RES1.csv", "row": 429}.items()))]
    assert arabic.item.topics == ("cleanliness",)


def test_the_held_out_part_is_recomputed_from_the_file_alone() -> None:
    items = read_labelled(default_labelled_path())
    assert assign_holdout(items) == assign_holdout(list(reversed(items)))


def test_a_changed_text_is_an_error(tmp_path: Path) -> None:
    line = default_labelled_path().read_text(encoding="utf-8").splitlines()[600]
    path = tmp_path / "labelled.jsonl"
    sha = line.split('"sha256": "')[1][:16]
    path.write_text(line.replace(sha, text_hash("something else")) + "\n", encoding="utf-8")
    with pytest.raises(ModelError, match="resolves to a different text"):
        load_labelled_texts(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"ref": {"file": "x"}, "lang": "en"}', r"line 2: expected \{ref, lang, topics"),
        (
            '{"ref": {"file": "x", "cell": 1}, "lang": "en", "topics": [], "sha256": "0123456789abcdef", "how": "read"}',
            "line 2: ref needs 'file' and exactly one of line, review, pointer, sentence, document, row",
        ),
        (
            '{"ref": {"file": "x", "row": 1}, "lang": "en", "topics": ["wifi"], "sha256": "0123456789abcdef", "how": "read"}',
            "line 2: topics must be distinct default-taxonomy ids",
        ),
        (
            '{"ref": {"file": "x", "row": 1}, "lang": "en", "topics": [], "sha256": "0123456789abcdef", "how": "guess"}',
            "line 2: how must be one of read, mapped",
        ),
        (
            '{"ref": {"file": "x", "row": 1}, "lang": "en", "topics": ["delivery"], "aspects": {"delivery": "bad"},'
            ' "sha256": "0123456789abcdef", "how": "read"}',
            "line 2: aspects map topics of the item to one of",
        ),
    ],
)
def test_a_malformed_line_names_the_line(tmp_path: Path, line: str, message: str) -> None:
    good = default_labelled_path().read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "labelled.jsonl"
    path.write_text(f"{good}\n{line}\n", encoding="utf-8")
    with pytest.raises(ModelError, match=message):
        read_labelled(path)
