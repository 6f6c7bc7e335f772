"""What every source kind shares: the parsed-item record, the base class, options and cursors.

A source kind is one module with one :class:`Source` subclass and a pure parser. The parser turns a
response into :class:`RawItem` records (no I/O, so tests run it on recorded real responses); the class
fetches through the shared :class:`~sentiment.sources.http.HttpClient`, keeps a cursor so a night
fetches only what is new, and never raises for fetch or parse problems: the run record counts them.
"""

from __future__ import annotations

import hashlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ValidationError

from sentiment.config import MonitorConfig, SourceConfig
from sentiment.errors import ConfigError, SourceError
from sentiment.records import Mention, SourceOutcome
from sentiment.sources.http import HttpClient

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
        """Attach this source's name, brand and location (alias-based attribution happens later)."""
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
        )

    def failed(self, error: SourceError, cursor: dict[str, Any] | None) -> SourceOutcome:
        """The outcome of a source whose first request failed: nothing fetched, the old cursor kept."""
        logger.warning("source %s failed: %s", self.name, error)
        return SourceOutcome(
            source=self.name, status="failed", error=str(error), skipped={error.reason: 1}, cursor=cursor
        )
