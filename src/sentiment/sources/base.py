"""What every source kind shares: the parsed-item record, the base class, options, cursors and the page walk.

A source kind is one module with one :class:`Source` subclass and a pure parser. The parser turns a
response into :class:`RawItem` records (no I/O, so tests run it on recorded real responses); the class
fetches through the shared :class:`~sentiment.sources.http.HttpClient`, keeps a cursor so a night
fetches only what is new, and never raises for fetch or parse problems: the run record counts them.

A kind that reads several pages says only how to read one (a :class:`Page`: its items and the token of
the next) and when to stop early; :class:`PageWalk` does the rest, the same for every kind: a failing
first page fails the source, a failing later page is counted and ends the walk without advancing the
cursor, a repeated page ends it, the page limit ends it with a count, and one :class:`Collector` keeps
each item once.
"""

from __future__ import annotations

import hashlib
import logging
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from sentiment.config import MonitorConfig, SourceConfig
from sentiment.errors import ConfigError, SourceError
from sentiment.records import Mention, PageInfo, SourceOutcome
from sentiment.sources.http import HttpClient, HttpResponse, loggable_url

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RawItem:
    """One review, post or entry as a parser found it, before the source attaches brand and location.

    ``parent_id`` is the source's id of the item this one answers (a Reddit comment's parent comment or
    submission, a Hacker News comment's parent), so that a thread can be rebuilt.
    """

    source_item_id: str
    text: str
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    rating: float | None = None
    platform_lang: str | None = None
    parent_id: str | None = None


OptionsT = TypeVar("OptionsT", bound=BaseModel)


def max_pages(option: int | None, monitor: MonitorConfig) -> int:
    """How many pages a source reads per run: its own option where set, else ``http.max_pages``."""
    return option or monitor.http.max_pages


def hashed_id(*parts: str) -> str:
    """An item id for a source that gives none: the first 32 hex digits of the sha256 of ``parts`` joined
    by U+001F. Each kind chooses its parts (page, author, date, normalised text ...); the hashing is one."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def parse_options(config: SourceConfig, model: type[OptionsT]) -> OptionsT:
    """Validate ``config.options`` into ``model``; errors name the source, option, bad value and what is allowed."""
    try:
        return model.model_validate(config.options)
    except ValidationError as err:
        allowed = sorted(model.model_fields) or "none"
        problems = []
        for item in err.errors():
            option = ".".join(str(p) for p in item["loc"]) or "options"
            if item["type"] == "extra_forbidden":
                message = f"unknown option (got {item['input']!r}); allowed options: {allowed}"
            else:
                message = f"{item['msg'].removeprefix('Value error, ')} (got {item['input']!r})"
            problems.append(f"option {option!r}: {message}")
        raise ConfigError(f"source {config.name!r} (kind {config.kind!r}): " + "; ".join(problems)) from None


@dataclass(frozen=True, slots=True)
class Watermark:
    """How far a source has read: the newest publication time seen, and the ids published at exactly
    that time.

    The ids matter because many sites give dates without a time (midnight UTC here): a review posted
    later on the day of the last run has the same timestamp as the watermark, and a plain "newer than"
    test would lose it, while ">=" would return the boundary items every night. Saved in the cursor as
    ``{"newest": iso datetime, "newest_ids": [...]}``.
    """

    newest: datetime | None = None
    ids: frozenset[str] = frozenset()

    @classmethod
    def from_cursor(cls, cursor: dict[str, Any] | None) -> Watermark:
        """Read a saved cursor; a malformed one is ignored (a full fetch is safe: ids are deterministic)."""
        value = (cursor or {}).get("newest")
        if not value:
            return cls()
        try:
            newest = datetime.fromisoformat(str(value))
        except ValueError:
            logger.warning("ignoring malformed cursor value newest=%r", value)
            return cls()
        ids = (cursor or {}).get("newest_ids") or []
        return cls(newest if newest.tzinfo else newest.replace(tzinfo=UTC), frozenset(map(str, ids)))

    def is_new(self, item: RawItem) -> bool:
        """Not seen before; undated items always pass (the store's deterministic ids make that safe)."""
        if self.newest is None or item.published_at is None or item.published_at > self.newest:
            return True
        return item.published_at == self.newest and item.source_item_id not in self.ids

    def advance(self, items: Iterable[RawItem]) -> Watermark:
        """The watermark after also seeing ``items``."""
        dated = [item for item in items if item.published_at is not None]
        newest = max([item.published_at for item in dated if item.published_at], default=None)
        if newest is None or (self.newest is not None and newest < self.newest):
            return self
        ids = {item.source_item_id for item in dated if item.published_at == newest}
        if newest == self.newest:
            ids |= self.ids
        return Watermark(newest, frozenset(ids))

    def to_cursor(self) -> dict[str, Any]:
        """The cursor keys for this watermark (empty when nothing dated was ever seen)."""
        if self.newest is None:
            return {}
        return {"newest": self.newest.isoformat(), "newest_ids": sorted(self.ids)}


class Source(ABC):
    """A configured source of mentions. Subclasses set ``kind`` and implement :meth:`fetch`."""

    kind: ClassVar[str]
    #: Whether the text stage keeps only this source's mentions that name its brand (``match_brand``).
    brand_gate: bool = False

    def __init__(self, config: SourceConfig, monitor: MonitorConfig) -> None:
        if config.kind != self.kind:
            raise ConfigError(f"source {config.name!r}: kind {config.kind!r} given to the {self.kind!r} source class")
        self.config = config
        self.monitor = monitor

    @property
    def name(self) -> str:
        return self.config.name

    @abstractmethod
    def fetch(self, client: HttpClient, cursor: dict[str, Any] | None) -> SourceOutcome:
        """Fetch what is new since ``cursor``; report problems in the outcome instead of raising."""

    def parse_saved(self, content: bytes, url: str) -> list[RawItem]:
        """Parse one saved response body with this source's options, as :meth:`fetch` would, with no I/O:
        how a user checks a site or an API answer before adding it to the config. ``url`` is where the
        body came from (relative links and ids resolve against it)."""
        raise ConfigError(f"source {self.name!r}: kind {self.kind!r} cannot parse a saved response")

    def describe_saved(self, content: bytes, url: str) -> dict[str, Any]:
        """Page-level facts of a saved response (reviewed item, address, aggregate rating), where the kind
        has any; ``sentiment sources parse --summary`` prints them."""
        return {}

    def to_mention(self, item: RawItem) -> Mention:
        """Attach this source's name, brand and location; the text stage checks the brand gate and
        attributes a location where the config names none."""
        return Mention(
            source=self.config.name,
            source_item_id=item.source_item_id,
            text=item.text,
            url=item.url,
            title=item.title,
            author=item.author,
            published_at=item.published_at,
            rating=item.rating,
            brand=self.config.brand,
            location=self.config.location,
            platform_lang=item.platform_lang,
            parent_id=item.parent_id,
            brand_gate=self.brand_gate,
        )

    def failed(self, error: SourceError, cursor: dict[str, Any] | None) -> SourceOutcome:
        """The outcome of a source whose first request failed: nothing fetched, the old cursor kept."""
        logger.warning("source %s failed: %s", self.name, error)
        return SourceOutcome(
            source=self.name, status="failed", error=str(error), skipped={error.reason: 1}, cursor=cursor
        )


def conditional_get(client: HttpClient, url: str, cursor: dict[str, Any] | None) -> HttpResponse:
    """GET ``url`` with the validators a previous answer left in the cursor (``If-None-Match``,
    ``If-Modified-Since``): an unchanged feed or file then costs one 304 and no parsing."""
    headers = {}
    if cursor and cursor.get("etag"):
        headers["If-None-Match"] = str(cursor["etag"])
    if cursor and cursor.get("last_modified"):
        headers["If-Modified-Since"] = str(cursor["last_modified"])
    return client.get(url, headers=headers)


def validators(response: HttpResponse) -> dict[str, Any]:
    """The cursor keys :func:`conditional_get` sends back next time."""
    return {"etag": response.headers.get("etag"), "last_modified": response.headers.get("last-modified")}


class Collector:
    """One fetch's mentions: each item once (first copy wins), the rest counted as ``repeated``."""

    def __init__(self, source: Source) -> None:
        self._source = source
        self.mentions: dict[str, Mention] = {}
        self.skipped: Counter[str] = Counter()

    def add(self, items: Iterable[RawItem]) -> None:
        for item in items:
            if item.source_item_id in self.mentions:
                self.skipped["repeated"] += 1
            else:
                self.mentions[item.source_item_id] = self._source.to_mention(item)

    def skip(self, reasons: Mapping[str, int]) -> None:
        self.skipped.update(reasons)

    def outcome(self, *, pages: int, cursor: dict[str, Any] | None) -> SourceOutcome:
        return SourceOutcome(
            source=self._source.name,
            status="ok",
            mentions=list(self.mentions.values()),
            pages=pages,
            skipped={reason: count for reason, count in self.skipped.items() if count},
            cursor=cursor or None,
        )


TokenT = TypeVar("TokenT", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Page(Generic[TokenT]):
    """One page as a kind read it: its items, what its parser skipped, the token of the next page (a URL,
    an API cursor, a page number; ``None`` on the last page), for fetched pages the URL it came from
    after redirects, and for review pages what the page reviews."""

    items: Sequence[RawItem]
    next: TokenT | None = None
    skipped: Mapping[str, int] = field(default_factory=dict)
    url: str | None = None
    info: PageInfo | None = None


class PageWalk(Generic[TokenT]):
    """One fetch's walk over a source's pages, with the watermark of its cursor.

    ``for page in walk.pages_of(read, first)`` yields each page read; the kind's loop ``break`` s to stop
    early (a page with nothing new). The walk ends by itself on the last page, a repeated token (a
    redirect or cursor loop), the page limit (the kind's ``max_pages`` option, else ``http.max_pages``;
    counted as ``page_limit``: newer items may remain) or a failing page. After the loop, :meth:`failed`
    is the failed source's outcome when the first page failed, and :meth:`outcome` builds the result.
    """

    def __init__(self, source: Source, cursor: dict[str, Any] | None, page_limit: int | None) -> None:
        self.source = source
        self.cursor = cursor
        self.limit = max_pages(page_limit, source.monitor)
        self.collector = Collector(source)
        self.watermark = Watermark.from_cursor(cursor)
        self.seen = self.watermark
        self.pages = 0
        self.error: SourceError | None = None
        self.broken = False

    def pages_of(self, read: Callable[[TokenT | None], Page[TokenT]], first: TokenT | None) -> Iterator[Page[TokenT]]:
        """Read pages from ``first`` (``None`` where the first request takes no token)."""
        name = self.source.name
        tokens: set[Hashable] = set()
        token = first
        while self.pages == 0 or token is not None:
            if token is not None and token in tokens:
                logger.info("source %s: stopping at a repeated page %s", name, _loggable(token))
                return
            if self.pages >= self.limit:
                logger.warning("source %s: stopped at max_pages=%d; older new items were not read", name, self.limit)
                self.collector.skip({"page_limit": 1})
                return
            tokens.add(token)
            try:
                page = read(token)
            except SourceError as err:
                if self.pages == 0:
                    self.error = err
                    return
                logger.warning("source %s: stopping after page %d: %s", name, self.pages, err)
                self.collector.skip({err.reason: 1})
                self.broken = True
                return
            self.pages += 1
            if page.url is not None:
                tokens.add(page.url)
            self.collector.skip(page.skipped)
            yield page
            token = page.next

    def fresh(self, page: Page[TokenT]) -> list[RawItem]:
        """The page's items the cursor has not seen; the walk's watermark advances over all of them."""
        self.seen = self.seen.advance(page.items)
        return [item for item in page.items if self.watermark.is_new(item)]

    def failed(self) -> SourceOutcome | None:
        """The failed source's outcome when the first page failed, else ``None``."""
        return None if self.error is None else self.source.failed(self.error, self.cursor)

    def outcome(self, cursor: dict[str, Any] | None = None) -> SourceOutcome:
        """What the walk found. The cursor keeps the old watermark when a later page failed: the unread
        pages hold items older than those read, and an advanced cursor would skip them for good (re-reading
        the first pages next night costs nothing: ids are deterministic). ``cursor`` replaces the
        watermark cursor for a kind that keeps its own (Mastodon's status ids)."""
        if cursor is None:
            cursor = {**(self.cursor or {}), **(self.watermark if self.broken else self.seen).to_cursor()}
        return self.collector.outcome(pages=self.pages, cursor=cursor)


def _loggable(token: Hashable) -> str:
    return loggable_url(token) if isinstance(token, str) and "://" in token else repr(token)
