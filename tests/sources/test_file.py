"""File imports: CSV and JSONL exports parsed with a column mapping, read from a path or over HTTP.

The exports here are written for the tests in the shapes real tools produce: a review-platform CSV
(UTF-8 with BOM, quoted multi-line reviews), a survey tool's CSV (semicolons, windows-1252, day-first
dates, 0-10 scores) and a CRM's JSON lines (nested objects).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sentiment.config import HttpSettings, MonitorConfig, SourceConfig
from sentiment.errors import ConfigError, ParseError
from sentiment.sources.file import FileOptions, FileSource, parse_file
from sentiment.sources.http import HttpClient
from tests.sources.builders import two_nights
from tests.support.local_server import LocalServer, RecordedRequest, Reply

REVIEWS_CSV = (
    "\ufeffReview ID,Review Created (UTC),Review Stars,Review Title,Review Content,Reviewer Name,Location\r\n"
    '6601,2026-03-02T18:40:00Z,5,Perfect flat white,"Friendly staff,\r\ngreat beans.",Anna K.,Kraków Rynek\r\n'
    "6602,2026-03-03T08:05:00Z,2,Slow,Waited 25 minutes for one latte,Tom,krakow rynek\r\n"
    "6603,2026-03-03T09:00:00Z,4,,Nice terrace,,Somewhere Else\r\n"
)
REVIEW_COLUMNS = {
    "id": "Review ID",
    "date": "Review Created (UTC)",
    "rating": "Review Stars",
    "title": "Review Title",
    "text": "Review Content",
    "author": "Reviewer Name",
    "location": "Location",
}
SURVEY_CSV = (
    "Antwort-ID;Datum;NPS;Kommentar\n"
    "r1;03.03.2026;9;Sehr freundliche Bedienung, der Kuchen war köstlich.\n"
    "r2;04.03.2026;11;Score out of range\n"
    "r3;31.02.2026;3;Impossible date\n"
    "r4;05.03.2026;;\n"
    "r5;05.03.2026;0;Zu teuer;extra cell\n"
    "r6;06.03.2026;zehn;Not a number\n"
    "r7;06.03.2026;0;Nie wieder: kalter Kaffee und lange Schlange.\n"
).encode("cp1252")
SURVEY_OPTIONS: dict[str, Any] = {
    "columns": {"id": "Antwort-ID", "date": "Datum", "rating": "NPS", "text": "Kommentar"},
    "date_formats": ["%d.%m.%Y"],
    "encoding": "cp1252",
    "rating_min": 0,
    "rating_max": 10,
    "format": "csv",
}


def options(**values: Any) -> FileOptions:
    return FileOptions.model_validate(values)


def test_review_platform_csv() -> None:
    parsed = parse_file(REVIEWS_CSV.lstrip("\ufeff"), options(columns=REVIEW_COLUMNS), name="reviews.csv")
    assert (parsed.skipped, parsed.problems) == ({}, [])
    first, second, third = (row.item for row in parsed.rows)
    assert (first.source_item_id, first.title, first.author) == ("6601", "Perfect flat white", "Anna K.")
    assert first.text == "Friendly staff,\ngreat beans."  # a quoted multi-line cell is one review
    assert (first.rating, first.published_at) == (5.0, datetime(2026, 3, 2, 18, 40, tzinfo=UTC))
    assert (second.rating, third.rating, third.title, third.author) == (2.0, 4.0, None, None)
    assert [row.location for row in parsed.rows] == ["Kraków Rynek", "krakow rynek", "Somewhere Else"]


def test_survey_csv_with_bad_rows() -> None:
    parsed = parse_file(SURVEY_CSV.decode("cp1252"), options(**SURVEY_OPTIONS))
    assert [row.item.source_item_id for row in parsed.rows] == ["r1", "r7"]
    assert parsed.rows[0].item.text == "Sehr freundliche Bedienung, der Kuchen war köstlich."
    # NPS 9 on 0..10 is 4.6 on the 1..5 scale; 0 is 1.0.
    assert [row.item.rating for row in parsed.rows] == [4.6, 1.0]
    assert parsed.rows[0].item.published_at == datetime(2026, 3, 3, tzinfo=UTC)
    assert parsed.problems == [(3, "bad_rating"), (4, "bad_date"), (5, "empty_text"), (6, "bad_row"), (7, "bad_rating")]
    assert parsed.skipped == {"bad_rating": 2, "bad_date": 1, "empty_text": 1, "bad_row": 1}


def test_json_lines_with_nested_fields() -> None:
    lines = [
        json.dumps(
            {
                "ticket": 81,
                "created": "2026-03-01 10:00:00",
                "body": "Card payment failed twice",
                "customer": {"name": "Ola"},
            }
        ),
        "{not json",
        json.dumps(["a list"]),
        "",
        json.dumps(
            {
                "ticket": 82,
                "created": "2026-03-02 11:30:00",
                "body": "<p>Thanks for the <b>refund</b></p>",
                "lang": "en",
            }
        ),
    ]
    columns = {"id": "ticket", "date": "created", "text": "body", "author": "customer.name", "lang": "lang"}
    parsed = parse_file("\n".join(lines), options(columns=columns), name="tickets.jsonl")
    first, second = (row.item for row in parsed.rows)
    assert (first.source_item_id, first.author, first.published_at) == (
        "81",
        "Ola",
        datetime(2026, 3, 1, 10, tzinfo=UTC),
    )
    assert (second.text, second.platform_lang, second.author) == ("Thanks for the refund", "en", None)
    assert parsed.problems == [(2, "bad_json"), (3, "bad_json")]


def test_rows_without_ids_keep_their_ids_when_reordered() -> None:
    rows = ["Comment", "Great!", "Too loud", "Great!"]
    first = parse_file("\n".join(rows), options(columns={"text": "Comment"}, format="csv"))
    again = parse_file("\n".join([rows[0], *reversed(rows[1:])]), options(columns={"text": "Comment"}, format="csv"))
    ids = [row.item.source_item_id for row in first.rows]
    assert len(set(ids)) == 3  # two identical verbatims stay two
    assert set(ids) == {row.item.source_item_id for row in again.rows}


def test_a_column_missing_from_the_header_names_the_header() -> None:
    with pytest.raises(ParseError, match=r"columns \['Kommentar'\] are not in the CSV header .*'Comment'"):
        parse_file("Comment,Score\nok,5\n", options(columns={"text": "Kommentar", "rating": "Score"}))


def test_options_are_validated() -> None:
    config = SourceConfig(
        name="f", kind="file", url="https://x.example/a.csv", brand="B", options={"columns": {}, "encoding": "klingon"}
    )
    monitor = MonitorConfig.model_validate({"brands": [{"name": "B"}], "sources": [config.model_dump()]})
    with pytest.raises(ConfigError) as info:
        FileSource(config, monitor)
    assert "option 'columns.text': Field required" in str(info.value)
    assert "'klingon' is not a known encoding" in str(info.value)


# --- the source ------------------------------------------------------------------------------------------


def make_source(url: str, http: HttpSettings | None = None, **source_options: Any) -> FileSource:
    config = SourceConfig(name="acme-export", kind="file", url=url, brand="Acme", options=source_options)
    brand = {"name": "Acme", "locations": [{"name": "Kraków Rynek", "aliases": ["Rynek"]}, {"name": "Berlin"}]}
    data = {"brands": [brand], "sources": [config.model_dump()], "http": (http or HttpSettings()).model_dump()}
    return FileSource(config, MonitorConfig.model_validate(data))


def test_a_local_file_is_read_once_and_rows_get_their_location(
    tmp_path: Path, fast_http: HttpSettings, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text(REVIEWS_CSV, encoding="utf-8")
    source = make_source("https://unused.example/", path=str(path), columns=REVIEW_COLUMNS)
    with HttpClient(fast_http) as client:
        first = source.fetch(client, None)
        second = source.fetch(client, first.cursor)
    assert [(m.source_item_id, m.location, m.brand) for m in first.mentions] == [
        ("6601", "Kraków Rynek", "Acme"),
        ("6602", "Kraków Rynek", "Acme"),  # "krakow rynek": case and diacritics do not matter
        ("6603", None, "Acme"),  # not a configured location: brand level
    ]
    assert first.pages == 1 and first.cursor is not None and len(first.cursor["sha256"]) == 64
    assert (second.status, second.pages, second.mentions, second.cursor) == ("ok", 0, [], first.cursor)


def test_bad_rows_are_logged_with_their_row_numbers(
    tmp_path: Path, fast_http: HttpSettings, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "nps.txt"
    path.write_bytes(SURVEY_CSV)
    source = make_source("https://unused.example/", path=str(path), **SURVEY_OPTIONS)
    with caplog.at_level(logging.WARNING), HttpClient(fast_http) as client:
        outcome = source.fetch(client, None)
    assert [m.source_item_id for m in outcome.mentions] == ["r1", "r7"]
    assert outcome.skipped == {"bad_rating": 2, "bad_date": 1, "empty_text": 1, "bad_row": 1}
    assert "skipping row 4 of nps.txt: bad_date" in caplog.text
    assert "Score out of range" not in caplog.text  # row numbers, not customers' words


def test_over_http_with_etag(local_server: LocalServer, fast_http: HttpSettings) -> None:
    body = "\n".join(json.dumps({"id": i, "text": f"review {i}"}) for i in range(3))

    def export(request: RecordedRequest) -> Reply:
        if request.headers.get("if-none-match") == '"e1"':
            return Reply(304, {"ETag": '"e1"'})
        return Reply(200, {"Content-Type": "application/x-ndjson", "ETag": '"e1"'}, body)

    local_server.route("/exports/reviews.jsonl", export)
    source = make_source(local_server.url("/exports/reviews.jsonl"), fast_http, columns={"id": "id", "text": "text"})
    with HttpClient(fast_http) as client:
        first = source.fetch(client, None)
        second = source.fetch(client, first.cursor)
    assert [m.text for m in first.mentions] == ["review 0", "review 1", "review 2"]
    assert first.cursor is not None and first.cursor["etag"] == '"e1"'
    assert (second.pages, second.mentions, second.cursor) == (0, [], first.cursor)


def test_failures_are_counted(local_server: LocalServer, fast_http: HttpSettings, tmp_path: Path) -> None:
    local_server.route("/gone.csv", Reply(404))
    local_server.route("/wrong.csv", Reply(200, {"Content-Type": "text/csv"}, "a,b\n1,2\n"))
    with HttpClient(fast_http) as client:
        missing = make_source("https://unused.example/", path=str(tmp_path / "nope.csv"), columns={"text": "t"})
        gone = make_source(local_server.url("/gone.csv"), fast_http, columns={"text": "t"})
        wrong = make_source(local_server.url("/wrong.csv"), fast_http, columns={"text": "t"})
        outcomes = [source.fetch(client, {"sha256": "old"}) for source in (missing, gone, wrong)]
    assert [(o.status, o.skipped) for o in outcomes] == [
        ("failed", {"file_unreadable": 1}),
        ("failed", {"http_404": 1}),
        ("failed", {"parse": 1}),
    ]
    assert all(o.cursor == {"sha256": "old"} for o in outcomes)
    assert "nope.csv" in (outcomes[0].error or "")
    assert "columns ['t'] are not in the CSV header" in (outcomes[2].error or "")


def test_two_nights_through_the_pipeline(tmp_path: Path, fast_http: HttpSettings) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text(REVIEWS_CSV, encoding="utf-8")
    source = make_source("https://unused.example/", fast_http, path=str(path), columns=REVIEW_COLUMNS)
    assert two_nights(source.config, source.monitor, fast_http, tmp_path / "m.duckdb") == [3, 0]


def test_a_file_url_is_read_from_disk(tmp_path: Path, fast_http: HttpSettings) -> None:
    """``file://`` URLs work once the config allows them for this kind (today it accepts http(s) only)."""
    path = tmp_path / "my reviews.jsonl"
    path.write_text(json.dumps({"text": "Sehr gut"}) + "\n", encoding="utf-8")
    source = make_source("https://unused.example/", columns={"text": "text"})
    source.config = SourceConfig.model_construct(**{**source.config.model_dump(), "url": path.as_uri()})
    with HttpClient(fast_http) as client:
        outcome = source.fetch(client, None)
    assert [m.text for m in outcome.mentions] == ["Sehr gut"]
