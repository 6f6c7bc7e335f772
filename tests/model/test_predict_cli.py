"""JSON lines in, predictions out: input checks (fast) and the real model end to end (slow)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sentiment.errors import ModelError
from sentiment.model import SentimentModel, default_adapter_path
from sentiment.model.predict_cli import parse_line, run_predict
from sentiment.model.topic_reader import TopicReader
from sentiment.records import LABELS
from sentiment.taxonomy import OTHER, TopicSettings
from sentiment.training.data import LANGUAGES, load_split
from sentiment.training.metrics import macro_f1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r"line 7: not valid JSON \(.*column 2\)"),
        ('["a list"]', "line 7: got a JSON list"),
        ('{"id": 1}', "line 7: no text field"),
        ('{"id": 1, "text": 42}', 'line 7: "text" is int'),
    ],
)
def test_bad_lines_name_the_line_and_what_is_expected(line: str, message: str) -> None:
    with pytest.raises(ModelError, match=message) as err:
        parse_line(line, 7)
    assert 'expected a JSON object with a string "text"' in str(err.value)


def test_topics_on_a_line_must_be_a_list_of_ids() -> None:
    with pytest.raises(
        ModelError, match=r'line 4: "topics" must be a list of topic ids, e.g. \["wait_time"\], got \'wait_time\''
    ):
        parse_line('{"text": "ok", "topics": "wait_time"}', 4)
    assert parse_line('{"text": "ok", "topics": ["wait_time"]}', 4)["topics"] == ["wait_time"]


def test_a_good_line_is_returned_as_is() -> None:
    assert parse_line('{"id": "a", "text": "ok", "extra": 1}', 1) == {"id": "a", "text": "ok", "extra": 1}


@pytest.mark.slow
def test_run_predict_writes_one_line_per_input_in_order(embedded_model: SentimentModel) -> None:
    lines = [
        json.dumps({"id": "r1", "text": "Absolutely wonderful coffee, the staff were lovely. Highly recommended!"}),
        "",
        "   ",
        json.dumps({"id": 2, "text": "Bardzo źle. Obsługa niemiła, kawa zimna i droga. Nie wrócę tu."}),
        json.dumps({"text": "Der Laden hat montags geöffnet."}),
    ]
    out = io.StringIO()
    count = run_predict(lines, out, embedded_model, batch_size=2)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == 3 and len(rows) == 3
    assert [r["id"] for r in rows] == ["r1", 2, None]
    assert [r["lang"] for r in rows] == ["en", "pl", "de"]
    assert rows[0]["label"] == "positive" and rows[0]["score"] > 0.3
    assert rows[1]["label"] == "negative" and rows[1]["score"] < -0.3
    for row in rows:
        assert set(row) == {"id", "lang", "label", "probabilities", "score"}
        assert set(row["probabilities"]) == {"negative", "neutral", "positive"}
        assert sum(row["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.slow
def test_run_predict_adds_topics_with_aspect_sentiment(embedded_model: SentimentModel, cafe_head: Path) -> None:
    topics = TopicReader.load(TopicSettings(model=str(cafe_head)), sentiment=embedded_model)
    texts = [
        "Great coffee, but the 40 minute wait was ridiculous.",
        "Czekaliśmy ponad godzinę na obsługę, skandal.",  # Polish: waiting, like the English one
        "Hoffenheim gewinnt das Derby mit 3-1 gegen Hannover.",  # football: none of the café's topics
        "Quick service and spotless tables.",
    ]
    lines = [json.dumps({"id": i, "text": text}, ensure_ascii=False) for i, text in enumerate(texts)]
    lines[3] = json.dumps({"id": 3, "text": texts[3], "topics": ["cleanliness", "vegan_options"]})
    out = io.StringIO()
    assert run_predict(lines, out, embedded_model, batch_size=3, topics=topics) == 4
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == [0, 1, 2, 3]
    for row in rows:
        assert set(row) == {"id", "lang", "label", "probabilities", "score", "topics"}
        for hit in row["topics"]:
            assert set(hit) == {"topic", "confidence", "label", "score"}
            assert 0.0 <= hit["confidence"] <= 1.0 and -1.0 <= hit["score"] <= 1.0
    mixed, waiting, football, tagged = ({h["topic"]: h for h in row["topics"]} for row in rows)
    assert list(mixed) == ["wait_time"] and mixed["wait_time"]["label"] == "negative"
    assert list(waiting) == ["wait_time"] and waiting["wait_time"]["label"] == "negative"
    assert rows[1]["lang"] == "pl" and waiting["wait_time"]["confidence"] > 0.5
    assert list(football) == [OTHER]  # the "other" bucket carries the whole text's sentiment
    assert football[OTHER]["label"] == rows[2]["label"]
    assert football[OTHER]["score"] == pytest.approx(rows[2]["score"], abs=1e-4)
    # A line that names its topics gets exactly those, in its order, each with its aspect sentiment.
    assert list(tagged) == ["cleanliness", "vegan_options"]
    assert tagged["cleanliness"]["label"] == "positive"
    # Without topics the output keeps its sentiment-only shape, with the same sentiment.
    plain = io.StringIO()
    run_predict(lines, plain, embedded_model, batch_size=3)  # same batches: padding moves the last digits
    for row, sentiment_only in zip(rows, (json.loads(line) for line in plain.getvalue().splitlines()), strict=True):
        assert set(sentiment_only) == {"id", "lang", "label", "probabilities", "score"}
        assert sentiment_only["label"] == row["label"]
        assert sentiment_only["score"] == pytest.approx(row["score"], abs=1e-4)
    # A line naming a topic the head does not know stops the run with its number.
    bad = [json.dumps({"id": 9, "text": "ok", "topics": ["parking"]})]
    with pytest.raises(ModelError, match=r"line 1: unknown topics \['parking'\]; allowed: wait_time, cleanliness"):
        run_predict(bad, io.StringIO(), embedded_model, topics=topics)


@pytest.mark.slow
def test_run_predict_stops_at_a_bad_line_with_its_number(embedded_model: SentimentModel) -> None:
    lines = [json.dumps({"id": 1, "text": "fine"}), "", '{"id": 3, "txt": "typo"}']
    with pytest.raises(ModelError, match="line 3: no text field"):
        run_predict(lines, io.StringIO(), embedded_model)


@pytest.mark.slow
def test_the_command_reproduces_the_model_cards_test_scores(shared_data: Path, tmp_path: Path) -> None:
    """Acceptance of the model: ``sentiment model predict`` on each language's xlm-t-umsab test texts
    (6,960 in all, one file per language as the card says) gives the committed evaluation's
    per-language macro-F1 (within 0.5; the card's own scoring groups them identically)."""
    evaluation = json.loads((default_adapter_path().parent / "evaluation.json").read_text(encoding="utf-8"))
    sentiment = str(Path(sys.executable).with_name("sentiment"))
    for language in LANGUAGES:
        split = load_split(shared_data / "xlm-t-umsab", language, "test")
        source = tmp_path / f"{language}.jsonl"
        source.write_text(
            "".join(json.dumps({"id": i, "text": text}) + "\n" for i, text in enumerate(split.texts)), encoding="utf-8"
        )
        run = subprocess.run(
            [sentiment, "model", "predict", "--input", str(source), "--no-topics"], capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        rows = [json.loads(line) for line in run.stdout.splitlines()]
        assert [row["id"] for row in rows] == list(range(len(split.texts)))
        ours = 100 * macro_f1(split.labels, [LABELS.index(row["label"]) for row in rows])
        assert ours == pytest.approx(evaluation["languages"][language]["macro_f1"], abs=0.5), language
