"""RSS and Atom feeds: news, blogs, alert feeds (kind ``rss``).

:func:`parse_feed` is pure and takes BYTES, decoded as every fetched document is
(:func:`~sentiment.parse.decode.decode_body`: the XML prolog, else the HTTP charset, validated, with a
fallback when they lie, as feeds declared UTF-8 that are really ISO-8859-1 often do) and handed to
feedparser as UTF-8. feedparser's own fallback decodes a whole feed as windows-1252 for one corrupt byte;
here that byte becomes U+FFFD and is counted. feedparser reads XML with a SAX parser, which keeps no
recursion per nesting level: a feed nested 100,000 levels deep parses, its entries intact.
:class:`RssSource` makes conditional requests (ETag / Last-Modified kept in the cursor), so an unchanged
feed costs one 304 and no parsing, and it keeps only entries newer than the cursor.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urljoin

import feedparser
from pydantic import BaseModel, ConfigDict

from sentiment.config import MonitorConfig, SourceConfig
from sentiment.errors import ParseError, SourceError
from sentiment.parse.clean import clean_text
from sentiment.parse.dates import from_struct_time, parse_datetime
from sentiment.parse.decode import UNDECODABLE, Decoded, decode_body, xml_declared_encoding
from sentiment.records import Mention, SourceOutcome
from sentiment.sources.base import RawItem, Source, Watermark, conditional_get, hashed_id, parse_options, validators
from sentiment.sources.http import HttpClient, loggable_url

logger = logging.getLogger(__name__)

_XML_DECLARATION = re.compile(r"^\s*<\?xml\s[^>]*\?>")


def decode_feed(content: bytes, http_charset: str | None = None) -> Decoded:
    """The feed as text, without its XML declaration (the text is no longer in the encoding it names).

    The HTTP charset counts only for a feed that declares no encoding itself (a BOM or its prolog):
    feeds are served as text/xml far more often with a wrong charset than with a wrong prolog.
    """
    declared = http_charset and not xml_declared_encoding(content)
    decoded = decode_body(content, f"text/xml; charset={http_charset}" if declared else None)
    return replace(decoded, text=_XML_DECLARATION.sub("", decoded.text, count=1))


def _text(entry: Any) -> str:
    """Full content when the feed has it (``content:encoded``, Atom content), else the summary."""
    for content in entry.get("content") or []:
        value = clean_text(content.get("value") or "")
        if value:
            return value
    return clean_text(entry.get("summary") or "")


def _author(entry: Any) -> str | None:
    detail = entry.get("author_detail") or {}
    name = detail.get("name") or entry.get("author")
    return clean_text(name) or None if name else None


def _lang(entry: Any, feed_lang: str | None) -> str | None:
    for key in ("content", "summary_detail", "title_detail"):
        detail = entry.get(key)
        detail = detail[0] if isinstance(detail, list) and detail else detail
        if isinstance(detail, dict) and detail.get("language"):
            return str(detail["language"])
    return feed_lang


def _published(entry: Any) -> tuple[datetime | None, str | None]:
    """Publication (else update) time: the raw text first, which keeps sub-second precision and reads
    localised month names, then feedparser's own parse of the many other formats feeds use.

    ``dict.get`` skips FeedParserDict's deprecated ``updated`` -> ``published`` fallback mapping.
    """
    for key in ("published", "updated"):
        raw = dict.get(entry, key)
        parsed = parse_datetime(raw) or from_struct_time(dict.get(entry, f"{key}_parsed"))
        if parsed is not None or raw:
            return parsed, raw
    return None, None


def parse_feed(content: bytes, url: str, *, http_charset: str | None = None) -> list[RawItem]:
    """Parse an RSS 0.9x/1.0/2.0 or Atom feed into items (dates aware UTC, text cleaned of HTML).

    ``http_charset`` is the Content-Type charset, used only when the feed declares no encoding itself.
    Raises :class:`ParseError` when the bytes are not a feed at all (an HTML error page, nothing).
    """
    return feed_items(decode_feed(content, http_charset).text, url)


def feed_items(feed: str, url: str) -> list[RawItem]:
    """:func:`parse_feed` of a feed already decoded by :func:`decode_feed` (whose count the source keeps)."""
    parsed = feedparser.parse(feed.encode("utf-8"))
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception") or "no RSS or Atom root element"
        raise ParseError(f"{loggable_url(url)} is not an RSS/Atom feed: {problem}", url=url)
    feed_lang = parsed.feed.get("language") or None
    items: list[RawItem] = []
    for entry in parsed.entries:
        title = clean_text(entry.get("title") or "") or None
        text = _text(entry) or title
        if not text:
            logger.debug("skipping an empty entry in %s", loggable_url(url))
            continue
        link = urljoin(url, entry["link"]) if entry.get("link") else None
        published, raw_date = _published(entry)
        item_id = entry.get("id") or link
        if not item_id:
            item_id = hashed_id(url, title or "", raw_date or "", text)
        items.append(
            RawItem(
                source_item_id=item_id,
                text=text,
                url=link,
                title=title,
                author=_author(entry),
                published_at=published,
                platform_lang=_lang(entry, feed_lang),
            )
        )
    return items


class FeedOptions(BaseModel):
    """``match_brand: false`` keeps every entry, for a feed that is about the brand by construction (its
    own blog, a Google Alerts feed for its name); by default news entries must name the brand."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    match_brand: bool = True


class RssSource(Source):
    """Entries of one RSS or Atom feed, fetched conditionally."""

    kind: ClassVar[str] = "rss"

    def __init__(self, config: SourceConfig, monitor: MonitorConfig) -> None:
        super().__init__(config, monitor)
        self.options = parse_options(config, FeedOptions)
        self.brand_gate = self.options.match_brand

    def parse_saved(self, content: bytes, url: str) -> list[RawItem]:
        return parse_feed(content, url)

    def fetch(self, client: HttpClient, cursor: dict[str, Any] | None) -> SourceOutcome:
        """One conditional GET; a 304 returns no mentions and keeps the cursor as it was."""
        try:
            response = conditional_get(client, self.config.url, cursor)
            if response.not_modified:
                logger.info("source %s: feed not modified", self.name)
                return SourceOutcome(source=self.name, status="ok", pages=0, cursor=cursor)
            decoded = decode_feed(response.content, response.charset)
            items = feed_items(decoded.text, response.url)
        except SourceError as err:
            return self.failed(err, cursor)
        watermark = Watermark.from_cursor(cursor)
        mentions: dict[str, Mention] = {}
        skipped: Counter[str] = Counter()
        if decoded.replaced:
            skipped[UNDECODABLE] = decoded.replaced
        for item in items:
            if not watermark.is_new(item):
                continue
            mentions.setdefault(item.source_item_id, self.to_mention(item))
        new_cursor = {**validators(response), **watermark.advance(items).to_cursor()}
        return SourceOutcome(
            source=self.name,
            status="ok",
            mentions=list(mentions.values()),
            pages=1,
            skipped=dict(skipped),
            cursor={key: value for key, value in new_cursor.items() if value is not None} or None,
        )
