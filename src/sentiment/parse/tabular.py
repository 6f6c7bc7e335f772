"""Rows of a CSV or JSON-lines export as dicts, whatever the exporter: the header decides the delimiter,
trailing empty cells are dropped, ``a.b`` reaches into nested JSON objects. Used by the ``file`` source
and the survey import (their dates: :func:`sentiment.parse.dates.parse_date`).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator
from typing import Any, Literal, TextIO

from sentiment.errors import ParseError

_DELIMITERS = ",;\t|"
#: Row problems a reader logs one by one before the rest are only counted (a broken export has thousands).
MAX_LOGGED_PROBLEMS = 20


def records(
    text: str | TextIO, fmt: Literal["csv", "jsonl"], delimiter: str | None, wanted: list[str]
) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(row number, record or ``None`` for an unreadable row); a CSV header lacking a ``wanted`` column is a
    :class:`ParseError` naming the columns it has. CSV rows count the header as row 1, JSONL rows are lines.

    ``text`` is the whole export, or a text stream opened with ``newline=""`` (a backfill's file of a
    million rows is read one row at a time, never held whole)."""
    lines = io.StringIO(text, newline="") if isinstance(text, str) else text
    return _jsonl_records(lines) if fmt == "jsonl" else _csv_records(lines, delimiter, wanted)


def guess_format(name: str, text: str) -> Literal["csv", "jsonl"]:
    """From the file name's extension, else from the content (a first ``{`` means JSON lines)."""
    lowered = name.lower().split("?", 1)[0]
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lowered.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    return "jsonl" if text.lstrip().startswith("{") else "csv"


def value(record: dict[str, Any], column: str | None) -> str | None:
    if column is None:
        return None
    value: Any = record.get(column)
    if value is None and "." in column:
        value = record
        for key in column.split("."):
            value = value.get(key) if isinstance(value, dict) else None
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _csv_records(
    lines: TextIO, delimiter: str | None, wanted: list[str]
) -> Iterator[tuple[int, dict[str, Any] | None]]:
    first_line = lines.readline()
    if delimiter is None:
        # The header line decides: csv.Sniffer guesses from the rows and is misled by free text.
        delimiter = max(_DELIMITERS, key=first_line.count) if any(d in first_line for d in _DELIMITERS) else ","
    reader = csv.reader(itertools.chain([first_line], lines), delimiter=delimiter)
    header = [name.strip() for name in next(reader, [])]
    missing = [column for column in wanted if column not in header]
    if missing:
        raise ParseError(f"columns {missing} are not in the CSV header (delimiter {delimiter!r}); allowed: {header}")
    number = 1
    try:
        for number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            if len(values) > len(header) and not any(value.strip() for value in values[len(header) :]):
                values = values[: len(header)]  # trailing empty cells, as spreadsheets write them
            yield number, dict(zip(header, values, strict=True)) if len(values) == len(header) else None
    except csv.Error as err:
        raise ParseError(f"the CSV cannot be read past row {number}: {err}") from None


def _jsonl_records(lines: TextIO) -> Iterator[tuple[int, dict[str, Any] | None]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        yield number, record if isinstance(record, dict) else None
