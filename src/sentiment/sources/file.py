"""CSV and JSONL exports of reviews or survey verbatims (kind ``file``).

Review platforms, survey tools and CRMs export what customers wrote as files, each with its own column
names, date format, delimiter and encoding, so all of those are options. The file is the brand's own
data: it is not brand-filtered, and a ``location`` column is mapped onto the configured locations by
name or alias. Rows that cannot be read (no text, a date or rating that does not parse, broken JSON)
are skipped and counted, and their row numbers logged, so that the export can be fixed.

:func:`parse_file` is pure. An item without an id column gets a hash of its text, date and author
(plus how many identical rows came before it, so that fifty "Great!" verbatims stay fifty), which does
not change when a re-export reorders the rows. There is no date watermark: exports are often
back-filled, so every row is read and the store's deterministic ids drop those already stored; a file
whose bytes did not change since the last run is not parsed at all.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, Literal, TextIO
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sentiment.config import MonitorConfig, SourceConfig
from sentiment.errors import SourceError
from sentiment.parse.clean import clean_text, fold
from sentiment.parse.dates import parse_date
from sentiment.parse.decode import decode_body
from sentiment.parse.schema import normalise_rating
from sentiment.parse.tabular import MAX_LOGGED_PROBLEMS, guess_format, records, value
from sentiment.records import Mention, SourceOutcome
from sentiment.sources.base import RawItem, Source, conditional_get, hashed_id, parse_options, validators
from sentiment.sources.http import HttpClient

logger = logging.getLogger(__name__)


class Columns(BaseModel):
    """Which column (CSV header, or JSON key; ``a.b`` reaches into nested objects) holds each field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1)
    id: str | None = None
    date: str | None = None
    rating: str | None = None
    author: str | None = None
    title: str | None = None
    url: str | None = None
    lang: str | None = None
    location: str | None = None


class FileOptions(BaseModel):
    """``path`` reads a local file instead of the config URL. ``format`` is guessed from the name when
    not given; ``delimiter`` is sniffed and ``encoding`` detected (BOM, UTF-8, else windows-1252) when
    not given. ``date_formats`` are ``strptime`` formats tried before ISO 8601 / RFC 822."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: Columns
    path: str | None = Field(default=None, min_length=1)
    format: Literal["csv", "jsonl"] | None = None
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    encoding: str | None = None
    date_formats: list[str] = Field(default_factory=list)
    rating_max: float = 5.0
    rating_min: float = 1.0

    @model_validator(mode="after")
    def _rating_scale(self) -> FileOptions:
        if self.rating_max <= self.rating_min:
            raise ValueError(
                f"rating_max ({self.rating_max}) must be above rating_min ({self.rating_min}); "
                "allowed: e.g. 5 and 1 for stars, 10 and 0 for NPS"
            )
        return self

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                "".encode(value)
            except LookupError:
                raise ValueError(f"{value!r} is not a known encoding; allowed: names such as utf-8, cp1252") from None
        return value


@dataclass(frozen=True, slots=True)
class FileRow:
    """One readable row: its item and the raw value of its location column."""

    item: RawItem
    location: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedFile:
    rows: list[FileRow] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    #: (row number, reason) of each skipped row; CSV rows count the header as row 1, JSONL rows are lines.
    problems: list[tuple[int, str]] = field(default_factory=list)


def parse_file(text: str, options: FileOptions, *, name: str = "") -> ParsedFile:
    """Read an export's rows into items, skipping (and listing) rows that cannot be read.

    A CSV header that lacks a configured column is a :class:`ParseError` naming the columns it has.
    """
    reader = RowReader(options)
    rows = list(reader.rows(text, options.format or guess_format(name, text)))
    return ParsedFile(rows, dict(reader.skipped), reader.problems)


class RowReader:
    """An export's readable rows one at a time, with what it skipped so far in :attr:`skipped` and
    :attr:`problems`: :func:`parse_file` for a whole export, a backfill for a file too large to hold.

    Row ids depend only on the rows before them (an id-less row's hash counts the identical rows that
    came earlier), so reading the same file again gives the same ids, however it is split into chunks.
    """

    def __init__(self, options: FileOptions, *, max_problems: int | None = None) -> None:
        self.options = options
        self.skipped: Counter[str] = Counter()
        #: (row number, reason) of each skipped row, the first ``max_problems`` of them when that is set.
        self.problems: list[tuple[int, str]] = []
        self._max_problems = max_problems
        self._occurrences: Counter[str] = Counter()
        self._seen_ids: set[str] = set()

    def rows(self, text: str | TextIO, fmt: Literal["csv", "jsonl"]) -> Iterator[FileRow]:
        columns = self.options.columns
        wanted = [column for column in columns.model_dump().values() if column]
        for number, record in records(text, fmt, self.options.delimiter, wanted):
            if record is None:
                self._skip(number, "bad_json" if fmt == "jsonl" else "bad_row")
            elif (row := self._row(number, record)) is not None:
                yield row

    def _skip(self, number: int, reason: str) -> None:
        self.skipped[reason] += 1
        if self._max_problems is None or len(self.problems) < self._max_problems:
            self.problems.append((number, reason))

    def _row(self, number: int, record: dict[str, Any]) -> FileRow | None:
        options, columns = self.options, self.options.columns
        body = clean_text(value(record, columns.text) or "")
        if not body:
            self._skip(number, "empty_text")
            return None
        raw_date = value(record, columns.date)
        published = parse_date(raw_date, options.date_formats) if raw_date else None
        if raw_date and published is None:
            self._skip(number, "bad_date")
            return None
        raw_rating = value(record, columns.rating)
        rating = normalise_rating(raw_rating, options.rating_max, options.rating_min) if raw_rating else None
        if raw_rating and rating is None:
            self._skip(number, "bad_rating")
            return None
        author = value(record, columns.author)
        item_id = value(record, columns.id)
        if item_id is None:
            key = "\x1f".join([body, raw_date or "", author or ""])
            self._occurrences[key] += 1
            item_id = hashed_id(key, str(self._occurrences[key]))
        if item_id in self._seen_ids:
            self._skip(number, "repeated")
            return None
        self._seen_ids.add(item_id)
        item = RawItem(
            source_item_id=item_id,
            text=body,
            url=value(record, columns.url),
            title=value(record, columns.title),
            author=author,
            published_at=published,
            rating=rating,
            platform_lang=value(record, columns.lang),
        )
        return FileRow(item, value(record, columns.location))


class FileSource(Source):
    """Rows of one CSV or JSONL export, from a local ``path`` or the config URL."""

    kind: ClassVar[str] = "file"

    def __init__(self, config: SourceConfig, monitor: MonitorConfig) -> None:
        super().__init__(config, monitor)
        self.options = parse_options(config, FileOptions)
        brand = monitor.brand(config.brand)
        self._locations = brand.location_names()

    def fetch(self, client: HttpClient, cursor: dict[str, Any] | None) -> SourceOutcome:
        """Read the file (a conditional GET for a URL); skip it when its bytes are unchanged."""
        try:
            content, content_type, validators, name = self._read(client, cursor)
        except SourceError as err:
            return self.failed(err, cursor)
        if content is None:
            logger.info("source %s: file not modified", self.name)
            return SourceOutcome(source=self.name, status="ok", pages=0, cursor=cursor)
        digest = hashlib.sha256(content).hexdigest()
        new_cursor = {**validators, "sha256": digest}
        if cursor and cursor.get("sha256") == digest:
            logger.info("source %s: file unchanged since the last run", self.name)
            return SourceOutcome(source=self.name, status="ok", pages=0, cursor=new_cursor)
        if self.options.encoding:
            text = content.decode(self.options.encoding, errors="replace").lstrip("\ufeff")
        else:
            text = decode_body(content, content_type).text
        try:
            parsed = parse_file(text, self.options, name=name)
        except SourceError as err:
            return self.failed(SourceError(f"source {self.name!r}: {name}: {err}", reason=err.reason), cursor)
        for number, reason in parsed.problems[:MAX_LOGGED_PROBLEMS]:
            logger.warning("source %s: skipping row %d of %s: %s", self.name, number, name, reason)
        if len(parsed.problems) > MAX_LOGGED_PROBLEMS:
            logger.warning("source %s: %d more rows skipped", self.name, len(parsed.problems) - MAX_LOGGED_PROBLEMS)
        return SourceOutcome(
            source=self.name,
            status="ok",
            mentions=[self.mention(row) for row in parsed.rows],
            pages=1,
            skipped=parsed.skipped,
            cursor=new_cursor,
        )

    def parse_saved(self, content: bytes, url: str) -> list[RawItem]:
        text = content.decode(self.options.encoding, errors="replace") if self.options.encoding else None
        parsed = parse_file((text or decode_body(content).text).lstrip("\ufeff"), self.options, name=url)
        return [row.item for row in parsed.rows]

    def mention(self, row: FileRow) -> Mention:
        """The row as a mention of the source's brand, at its location when the row names a configured one."""
        mention = self.to_mention(row.item)
        if row.location is None:
            return mention
        location = self._locations.get(fold(row.location))
        if location is None:
            logger.debug("source %s: location %r is not a configured location or alias", self.name, row.location)
            return mention
        return replace(mention, location=location)

    def _read(
        self, client: HttpClient, cursor: dict[str, Any] | None
    ) -> tuple[bytes | None, str | None, dict[str, str], str]:
        """``(content or None when not modified, content type, validators to keep, name for messages)``."""
        local = self.options.path or (
            unquote(urlsplit(self.config.url).path) if self.config.url.startswith("file://") else None
        )
        if local is not None:
            try:
                return Path(local).read_bytes(), None, {}, Path(local).name
            except OSError as err:
                raise SourceError(
                    f"source {self.name!r}: cannot read {local!r}: {err.strerror or err}", reason="file_unreadable"
                ) from None
        response = conditional_get(client, self.config.url, cursor)
        if response.not_modified:
            return None, None, {}, response.url
        kept = {key: value for key, value in validators(response).items() if value}
        return response.content, response.headers.get("content-type"), kept, urlsplit(response.url).path
