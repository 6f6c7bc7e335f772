"""``sentiment model predict``: JSON lines in, one JSON line of sentiment per input line out.

With a topic reader, each output line also carries the text's topics with their aspect sentiment, read
in the same encoder pass (:mod:`sentiment.model.topic_reader`); an input line with ``"topics": [ids]``
gets the aspect sentiment of exactly those topics. Input lines are objects with a string ``"text"`` and usually an ``"id"`` (passed through as given, or
null). Lines are read and scored in chunks, so a file of any size streams in bounded memory; a bad line
stops the run with its line number, after the chunks before it were written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

from sentiment.errors import ModelError
from sentiment.model.scorer import SentimentModel
from sentiment.text.lang import detect_language

if TYPE_CHECKING:
    from sentiment.model.topic_head import TopicHit
    from sentiment.model.topic_reader import TopicReader


def parse_line(line: str, number: int) -> dict[str, Any]:
    """One input line as a dict with a string ``text``; the error names the line and what is expected."""
    expected = 'expected a JSON object with a string "text", e.g. {"id": 1, "text": "Great coffee"}'
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ModelError(f"line {number}: not valid JSON ({err.msg} at column {err.colno}); {expected}") from None
    if not isinstance(record, dict):
        raise ModelError(f"line {number}: got a JSON {type(record).__name__}; {expected}")
    if not isinstance(record.get("text"), str):
        found = "no text field" if "text" not in record else f'"text" is {type(record["text"]).__name__}'
        raise ModelError(f"line {number}: {found}; {expected}")
    wanted = record.get("topics")
    if wanted is not None and not (isinstance(wanted, list) and all(isinstance(t, str) for t in wanted)):
        raise ModelError(f'line {number}: "topics" must be a list of topic ids, e.g. ["wait_time"], got {wanted!r}')
    return record


def run_predict(
    lines: Iterable[str],
    out: TextIO,
    model: SentimentModel,
    batch_size: int = 1024,
    topics: TopicReader | None = None,
) -> int:
    """Score JSON lines, writing ``{"id", "lang", "label", "probabilities", "score"}`` per input line
    in input order; blank lines are skipped. Returns the number of lines scored.

    ``batch_size`` lines are read and scored together (the model sorts them into its own batches):
    large enough that one language's xlm-t-umsab test file (870 lines) is one call, exactly as
    ``python -m sentiment.training.evaluate`` scores it, so the card's figures are reproduced exactly;
    int8 scales activations per batch, so texts grouped differently can flip a few labels.

    With ``topics``, each line also gets ``"topics"``: a list of ``{"topic", "confidence", "label",
    "score"}``, most confident first (``"other"`` for a text without a topic); a line that names its
    ``"topics"`` gets exactly those, each with its aspect sentiment, assigned or not."""
    count = 0
    chunk: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record = parse_line(line, number)
        if topics is not None:
            unknown = [t for t in record.get("topics") or [] if t not in topics.topics]
            if unknown:
                raise ModelError(f"line {number}: unknown topics {unknown}; allowed: {', '.join(topics.topics)}")
        chunk.append(record)
        if len(chunk) >= batch_size:
            count += _score_chunk(chunk, out, model, topics)
            chunk = []
    if chunk:
        count += _score_chunk(chunk, out, model, topics)
    return count


def _score_chunk(records: list[dict[str, Any]], out: TextIO, model: SentimentModel, topics: TopicReader | None) -> int:
    texts = [r["text"] for r in records]
    hits: list[list[TopicHit]] | None = None
    if topics is None:
        predictions = model.predict(texts)
    else:
        analysed = topics.analyse(texts, only=[r.get("topics") for r in records])
        predictions = [prediction for prediction, _ in analysed]
        hits = [found for _, found in analysed]
    for i, (record, text, prediction) in enumerate(zip(records, texts, predictions, strict=True)):
        row: dict[str, Any] = {
            "id": record.get("id"),
            "lang": detect_language(text),
            "label": prediction.label,
            "probabilities": {k: round(v, 6) for k, v in prediction.probabilities.items()},
            "score": round(prediction.score, 6),
        }
        if hits is not None:
            row["topics"] = [hit.as_dict() for hit in hits[i]]
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(records)
