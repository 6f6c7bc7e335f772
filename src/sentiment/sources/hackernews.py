"""Hacker News: stories and comments from the Algolia search API (kind ``hackernews``).

``search_by_date`` returns newest first; ``numericFilters=created_at_i>=CURSOR`` makes the server
return only what is new since the cursor, so a night costs as many requests as there are new pages.
The filter is inclusive (the ids already seen at the cursor's second are dropped here): HN timestamps
are whole seconds, and a strict ``>`` would lose a comment posted in the same second as the last one.

:func:`parse_hits` is pure. A story's text is its title, its own text (Ask HN) and the link it points
to (the link's domain may be the only place the brand is named); a comment's text is its HTML turned
into text, its title the story's, and its parent the item it answers.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from pydantic import Field

from sentiment.config import MonitorConfig, SourceConfig
from sentiment.errors import ConfigError, ParseError
from sentiment.parse.clean import clean_text
from sentiment.parse.dates import parse_datetime
from sentiment.records import SourceOutcome
from sentiment.sources.base import Page, PageWalk, RawItem, Source, parse_options
from sentiment.sources.http import HttpClient
from sentiment.sources.social import (
    SocialOptions,
    from_epoch,
    get_json,
    parse_json,
    plain_text,
    with_query,
)

logger = logging.getLogger(__name__)

ITEM_URL = "https://news.ycombinator.com/item?id={id}"


@dataclass(frozen=True, slots=True)
class HitsPage:
    """One page of hits, its number and the number of pages the query has."""

    items: list[RawItem] = field(default_factory=list)
    page: int = 0
    pages: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


def hit_item(hit: dict[str, Any]) -> RawItem | None:
    """One story or comment hit as an item; ``None`` for a hit with no text (deleted, or a poll option)."""
    object_id = str(hit.get("objectID") or "")
    tags = hit.get("_tags")
    is_comment = (isinstance(tags, list) and "comment" in tags) or bool(hit.get("comment_text"))
    if is_comment:
        text = clean_text(str(hit.get("comment_text") or ""))
        title = plain_text(hit.get("story_title"))
    else:
        title = plain_text(hit.get("title"))
        parts = [title, clean_text(str(hit.get("story_text") or "")), str(hit.get("url") or "")]
        text = "\n\n".join(part for part in parts if part)
    if not text or not object_id:
        return None
    parent = hit.get("parent_id") if is_comment else None
    return RawItem(
        source_item_id=object_id,
        text=text,
        url=ITEM_URL.format(id=object_id),
        title=title or None,
        author=hit.get("author") or None,
        published_at=from_epoch(hit.get("created_at_i")) or parse_datetime(hit.get("created_at")),
        parent_id=str(parent) if parent else None,
    )


def parse_hits(payload: Any) -> HitsPage:
    """An Algolia ``search`` / ``search_by_date`` answer (``{"hits": [...], "page": .., "nbPages": ..}``)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("hits"), list):
        raise ParseError("an HN Algolia answer is an object with a 'hits' list")
    items: list[RawItem] = []
    skipped: Counter[str] = Counter()
    for hit in payload["hits"]:
        item = hit_item(hit) if isinstance(hit, dict) else None
        if item is None:
            skipped["empty_text"] += 1
        else:
            items.append(item)
    return HitsPage(items, int(payload.get("page") or 0), int(payload.get("nbPages") or 0), dict(skipped))


class HackerNewsOptions(SocialOptions):
    """``query`` (or the config URL ``https://hn.algolia.com/?q=WORDS``), the Algolia ``tags`` filter, and
    the API base (overridable for tests and mirrors)."""

    query: str | None = Field(default=None, min_length=1)
    tags: str = Field(default="(story,comment)", min_length=1)
    hits_per_page: int = Field(default=100, ge=1, le=1000)
    api_base: str = Field(default="https://hn.algolia.com/api/v1", pattern=r"^https?://")


class HackerNewsSource(Source):
    """Stories and comments matching a query, newest first, since the cursor."""

    kind: ClassVar[str] = "hackernews"

    def __init__(self, config: SourceConfig, monitor: MonitorConfig) -> None:
        super().__init__(config, monitor)
        self.options = parse_options(config, HackerNewsOptions)
        self.brand_gate = self.options.match_brand
        query = parse_qs(urlsplit(config.url).query)
        self.query = self.options.query or next(iter(query.get("q", []) or query.get("query", [])), None)
        if not self.query:
            raise ConfigError(
                f"source {config.name!r} (kind 'hackernews'): give the option 'query' or a URL such as "
                f"https://hn.algolia.com/?q=WORDS (got {config.url!r})"
            )

    def parse_saved(self, content: bytes, url: str) -> list[RawItem]:
        return parse_hits(parse_json(content, url)).items

    def fetch(self, client: HttpClient, cursor: dict[str, Any] | None) -> SourceOutcome:
        """Page through ``search_by_date`` from page 0 until the last page of hits since the cursor."""
        walk: PageWalk[int] = PageWalk(self, cursor, self.options.max_pages)
        since = int(walk.watermark.newest.timestamp()) if walk.watermark.newest else None
        api = f"{self.options.api_base.rstrip('/')}/search_by_date"

        def read(number: int | None) -> Page[int]:
            params = {
                "query": self.query,
                "tags": self.options.tags,
                "hitsPerPage": self.options.hits_per_page,
                "page": number or 0,
                "numericFilters": f"created_at_i>={since}" if since is not None else None,
            }
            hits = parse_hits(get_json(client, with_query(api, params)))
            last = not hits.items or hits.page + 1 >= hits.pages
            return Page(hits.items, next=None if last else hits.page + 1, skipped=hits.skipped)

        for page in walk.pages_of(read, 0):
            walk.collector.add(walk.fresh(page))
        return walk.failed() or walk.outcome()
