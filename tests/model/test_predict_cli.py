"""JSON lines in, predictions out: input checks (fast) and the real model end to end (slow)."""

from __future__ import annotations

import io
import json

import pytest

from sentiment.errors import ModelError
from sentiment.model import SentimentModel
from sentiment.model.predict_cli import parse_line, run_predict


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
def test_run_predict_stops_at_a_bad_line_with_its_number(embedded_model: SentimentModel) -> None:
    lines = [json.dumps({"id": 1, "text": "fine"}), "", '{"id": 3, "txt": "typo"}']
    with pytest.raises(ModelError, match="line 3: no text field"):
        run_predict(lines, io.StringIO(), embedded_model)
