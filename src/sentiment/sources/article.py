"""News and blog articles, found through an RSS/Atom feed or listed in the config (kind ``article``).

A feed entry usually carries a teaser, not the article, and the press writes about a brand in the body
(the teaser names the story's subject, often someone else). So this kind fetches each new entry's page
and keeps its main text, extracted by :func:`sentiment.parse.extract.extract_article` (boilerplate,
teasers of other stories and comments left out; measured by ``bench/extraction.py``).

Options: ``feed`` (the feed's URL; without it the source's ``url`` is the feed) or ``urls`` (article
pages to read once each, instead of a feed), and ``max_articles`` (pages fetched per run; default
``http.max_pages``).

The cursor holds the feed's validators (``etag``, ``last_modified``), the publication watermark of
:class:`~sentiment.sources.base.Watermark` (``newest``, ``newest_ids``) and ``seen``: the entries of the
current feed already handled, so that undated entries are not fetched again every night. A page that
fails or yields no text is skipped and counted, and the others continue. Failures that may pass
(timeouts, 5xx, 429) are retried the next night; while any entry waits (a retry, or the per-run cap),
the watermark and the validators are not advanced, since they would hide the waiting entries.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urldefrag

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sentiment.config import MonitorConfig, SourceConfig
from sentiment.errors import ParseError, SourceError
from sentiment.parse.extract import extract_article
from sentiment.records import Mention, SourceOutcome
from sentiment.sources.base import RawItem, Source, Watermark, conditional_get, max_pages, parse_options, validators
from sentiment.sources.http import HttpClient, loggable_url
from sentiment.sources.rss import parse_feed

logger = logging.getLogger(__name__)

#: Fetch failures worth retrying the next night; any other failure is final for that entry.
_TRANSIENT = frozenset({"timeout", "connection", "http_408", "http_429", "retry_after_too_long", "robots_unreachable"})


def _transient(reason: str) -> bool:
    return reason in _TRANSIENT or reason.startswith("http_5")


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"{value!r} is not an http(s) URL; allowed: URLs starting with http:// or https://")
    return value


class ArticleOptions(BaseModel):
    """``feed`` or ``urls`` (not both), and ``max_articles`` pages per run (default ``http.max_pages``).

    ``match_brand: false`` keeps every article, for a feed about the brand by construction; by default an
    article is kept only when its title or text names the brand.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    match_brand: bool = True
    feed: str | None = None
    urls: list[str] | None = Field(default=None, min_length=1)
    max_articles: int | None = Field(default=None, ge=1, le=10_000)

    @field_validator("feed")
    @classmethod
    def _feed_url(cls, value: str | None) -> str | None:
        return _http_url(value) if value is not None else None

    @field_validator("urls")
    @classmethod
    def _article_urls(cls, value: list[str] | None) -> list[str] | None:
        return [_http_url(url) for url in value] if value is not None else None

    @model_validator(mode="after")
    def _feed_or_urls(self) -> ArticleOptions:
        if self.feed is not None and self.urls is not None:
            raise ValueError("give either 'feed' or 'urls', not both")
        return self


@dataclass(slots=True)
class _Progress:
    """What one run did with the entries it tried."""

    mentions: dict[str, Mention] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)
    waiting: set[str] = field(default_factory=set)
    skipped: Counter[str] = field(default_factory=Counter)
    pages: int = 0
    errors: list[SourceError] = field(default_factory=list)


class ArticleSource(Source):
    """Articles of a feed (or listed pages), one mention per article with its extracted main text."""

    kind: ClassVar[str] = "article"

    def __init__(self, config: SourceConfig, monitor: MonitorConfig) -> None:
        super().__init__(config, monitor)
        self.options = parse_options(config, ArticleOptions)
        self.brand_gate = self.options.match_brand

    @property
    def max_articles(self) -> int:
        return max_pages(self.options.max_articles, self.monitor)

    def parse_saved(self, content: bytes, url: str) -> list[RawItem]:
        """A saved feed gives its entries (pages not fetched); a saved article page gives its main text."""
        try:
            return parse_feed(content, url)
        except ParseError:
            pass
        article = extract_article(content, url)
        if not article.text:
            return []
        return [
            RawItem(
                source_item_id=article.url or urldefrag(url).url, text=article.text, url=article.url or url,
                title=article.title, author=article.author, published_at=article.published_at,
                platform_lang=article.lang,
            )
        ]  # fmt: skip

    def fetch(self, client: HttpClient, cursor: dict[str, Any] | None) -> SourceOutcome:
        """Read the feed (or the listed pages), then each article page not handled before."""
        if self.options.urls is not None:
            return self._fetch_listed(client, self.options.urls, cursor)
        return self._fetch_feed(client, self.options.feed or self.config.url, cursor)

    def _fetch_feed(self, client: HttpClient, feed_url: str, cursor: dict[str, Any] | None) -> SourceOutcome:
        try:
            response = conditional_get(client, feed_url, cursor)
            if response.not_modified:
                logger.info("source %s: feed not modified", self.name)
                return SourceOutcome(source=self.name, status="ok", pages=0, cursor=cursor)
            entries = parse_feed(response.content, response.url, http_charset=response.charset)
        except SourceError as err:
            return self.failed(err, cursor)
        watermark = Watermark.from_cursor(cursor)
        seen = {str(i) for i in (cursor or {}).get("seen") or []}
        unique: dict[str, RawItem] = {}
        for entry in entries:
            unique.setdefault(entry.source_item_id, entry)
        new = [entry for entry in unique.values() if entry.source_item_id not in seen and watermark.is_new(entry)]
        progress = self._read_articles(client, new[: self.max_articles])
        progress.pages += 1
        waiting = len(new) > self.max_articles or bool(progress.waiting)
        if len(new) > self.max_articles:
            logger.info("source %s: %d new articles left for the next run", self.name, len(new) - self.max_articles)
        in_feed = set(unique)
        new_cursor: dict[str, Any] = {"seen": sorted((seen | progress.done) & in_feed)}
        if not waiting:
            new_cursor |= watermark.advance(entries).to_cursor()
            new_cursor |= validators(response)
        elif watermark.newest is not None:
            new_cursor |= watermark.to_cursor()
        return SourceOutcome(
            source=self.name,
            status="ok",
            mentions=list(progress.mentions.values()),
            pages=progress.pages,
            skipped=dict(progress.skipped),
            cursor={key: value for key, value in new_cursor.items() if value is not None},
        )

    def _fetch_listed(self, client: HttpClient, urls: list[str], cursor: dict[str, Any] | None) -> SourceOutcome:
        """Each listed page once; the source fails only when every page it tried could not be fetched."""
        seen = {str(i) for i in (cursor or {}).get("seen") or []}
        entries = [RawItem(source_item_id=url, text="", url=url) for url in dict.fromkeys(urls) if url not in seen]
        progress = self._read_articles(client, entries[: self.max_articles], id_from_page=True)
        if progress.errors and progress.pages == 0:
            error = progress.errors[0]
            logger.warning("source %s failed: every page failed, first: %s", self.name, error)
            return SourceOutcome(
                source=self.name, status="failed", error=str(error), skipped=dict(progress.skipped), cursor=cursor
            )
        return SourceOutcome(
            source=self.name,
            status="ok",
            mentions=list(progress.mentions.values()),
            pages=progress.pages,
            skipped=dict(progress.skipped),
            cursor={"seen": sorted((seen | progress.done) & set(urls))},
        )

    def _read_articles(self, client: HttpClient, entries: list[RawItem], *, id_from_page: bool = False) -> _Progress:
        """Fetch and extract each entry's page; ``id_from_page`` makes the page's canonical URL the id
        (listed pages have no guid, and the canonical URL survives tracking parameters)."""
        progress = _Progress()
        for entry in entries:
            key = entry.source_item_id
            if entry.url is None:
                logger.info("source %s: entry %s has no link", self.name, key)
                progress.skipped["no_link"] += 1
                progress.done.add(key)
                continue
            try:
                response = client.get(entry.url)
            except SourceError as err:
                logger.warning("source %s: skipping article %s: %s", self.name, loggable_url(entry.url), err)
                progress.skipped[err.reason] += 1
                progress.errors.append(err)
                (progress.waiting if _transient(err.reason) else progress.done).add(key)
                continue
            progress.pages += 1
            progress.done.add(key)
            try:
                article = extract_article(response.text, response.url)
            except Exception:
                # A page the extractor cannot handle must not end the night's run; the traceback is logged.
                logger.exception("source %s: could not extract %s", self.name, loggable_url(response.url))
                progress.skipped["parse"] += 1
                continue
            if not article.text:
                logger.info("source %s: no article text in %s", self.name, loggable_url(response.url))
                progress.skipped["no_text"] += 1
                continue
            url = article.url or urldefrag(response.url).url
            item = RawItem(
                source_item_id=url if id_from_page else key,
                text=article.text,
                url=url,
                title=entry.title or article.title,
                author=entry.author or article.author,
                published_at=entry.published_at or article.published_at,
                platform_lang=article.lang or entry.platform_lang,
            )
            progress.mentions.setdefault(item.source_item_id, self.to_mention(item))
        return progress
