"""Bluesky: post search and author feeds over the AT Protocol XRPC API (kind ``bluesky``).

``app.bsky.feed.searchPosts`` needs an authenticated session: the handle and an app password come from
environment variables whose *names* are options, and the session token is sent in a header only (never
in a URL, a log line, an error or the cursor). Author feeds are public, so without credentials they are
read from the public app view.

A post's time is its ``sortAt``, the earlier of the time its author claims (``createdAt``, which clients
may set in the future) and the time the network indexed it; search's ``since`` filter uses the same.
:func:`parse_posts` and :func:`parse_feed` are pure.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import Field

from sentiment import redact
from sentiment.config import MonitorConfig, SourceConfig
from sentiment.errors import ConfigError, ParseError, SourceError
from sentiment.parse.dates import parse_datetime
from sentiment.records import SourceOutcome
from sentiment.sources.base import Page, PageWalk, RawItem, Source, Watermark, parse_options
from sentiment.sources.http import HttpClient
from sentiment.sources.social import (
    ENV_NAME,
    SocialOptions,
    env_secrets,
    get_json,
    json_body,
    parse_json,
    plain_text,
    with_query,
)

logger = logging.getLogger(__name__)

POST_URL = "https://bsky.app/profile/{author}/post/{rkey}"


def _sort_at(post: dict[str, Any], record: dict[str, Any]) -> datetime | None:
    times = [t for t in (parse_datetime(record.get("createdAt")), parse_datetime(post.get("indexedAt"))) if t]
    return min(times) if times else None


def post_item(post: dict[str, Any]) -> RawItem | None:
    """A ``PostView`` as an item; ``None`` without text (an image-only post) or a usable ``at://`` URI."""
    record = post.get("record")
    record = record if isinstance(record, dict) else {}
    uri = str(post.get("uri") or "")
    text = plain_text(record.get("text"))
    if not text or not uri.startswith("at://"):
        return None
    author = post.get("author")
    author = author if isinstance(author, dict) else {}
    handle = author.get("handle")
    if not handle or handle == "handle.invalid":
        handle = author.get("did") or uri.split("/")[2]
    langs = record.get("langs")
    reply = record.get("reply")
    parent = reply.get("parent") if isinstance(reply, dict) else None
    return RawItem(
        source_item_id=uri,
        text=text,
        url=POST_URL.format(author=handle, rkey=uri.rstrip("/").rsplit("/", 1)[-1]),
        author=str(handle),
        published_at=_sort_at(post, record),
        platform_lang=str(langs[0]) if isinstance(langs, list) and langs else None,
        parent_id=str(parent["uri"]) if isinstance(parent, dict) and parent.get("uri") else None,
    )


def _page(posts: list[Any], payload: dict[str, Any]) -> Page[str]:
    items: list[RawItem] = []
    skipped: Counter[str] = Counter()
    for post in posts:
        item = post_item(post) if isinstance(post, dict) else None
        if item is None:
            skipped["empty_text"] += 1
        else:
            items.append(item)
    cursor = payload.get("cursor")
    return Page(items, next=str(cursor) if cursor else None, skipped={k: v for k, v in skipped.items() if v})


def parse_posts(payload: Any) -> Page[str]:
    """An ``app.bsky.feed.searchPosts`` answer (``{"posts": [...], "cursor": ...}``)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("posts"), list):
        raise ParseError("a Bluesky searchPosts answer is an object with a 'posts' list")
    return _page(payload["posts"], payload)


def parse_feed(payload: Any) -> Page[str]:
    """An author feed or timeline (``{"feed": [{"post": ..., "reason": ...}], "cursor": ...}``).

    A repost entry (``reason`` ``reasonRepost``) carries the original post, whose author, text and URI
    are used, so a post is one mention however often it is reposted (the source drops the repeats).
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("feed"), list):
        raise ParseError("a Bluesky feed answer is an object with a 'feed' list")
    entries = [entry for entry in payload["feed"] if isinstance(entry, dict)]
    return _page([entry.get("post") for entry in entries], payload)


class BlueskyOptions(SocialOptions):
    """``query`` (search) or ``actor`` (a handle or DID: author feed); the config URL may say it instead:
    ``https://bsky.app/search?q=...`` or ``https://bsky.app/profile/HANDLE``.
    """

    query: str | None = Field(default=None, min_length=1)
    actor: str | None = Field(default=None, min_length=1)
    lang: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")
    feed_filter: Literal["posts_with_replies", "posts_no_replies", "posts_and_author_threads"] = "posts_with_replies"
    limit: int = Field(default=100, ge=1, le=100)
    service: str = Field(default="https://bsky.social", pattern=r"^https?://")
    public_api: str = Field(default="https://public.api.bsky.app", pattern=r"^https?://")
    handle_env: str = Field(default="BLUESKY_HANDLE", pattern=ENV_NAME)
    password_env: str = Field(default="BLUESKY_APP_PASSWORD", pattern=ENV_NAME)


def resolve_target(config: SourceConfig, options: BlueskyOptions) -> tuple[str | None, str | None]:
    """``(query, actor)``, exactly one set, from the options or else the config URL."""
    query, actor = options.query, options.actor
    if query is None and actor is None:
        parts = urlsplit(config.url)
        segments = [s for s in parts.path.split("/") if s]
        if segments[:1] == ["search"]:
            query = next(iter(parse_qs(parts.query).get("q", [])), None)
        elif len(segments) == 2 and segments[0] == "profile":
            actor = segments[1]
    if (query is None) == (actor is None):
        raise ConfigError(
            f"source {config.name!r} (kind 'bluesky'): give exactly one of the options 'query' or 'actor', or a "
            f"URL https://bsky.app/search?q=WORDS or https://bsky.app/profile/HANDLE (got query={query!r}, "
            f"actor={actor!r})"
        )
    return query, actor


class BlueskySource(Source):
    """Posts matching a search, or the posts and reposts of one account."""

    kind: ClassVar[str] = "bluesky"

    def __init__(self, config: SourceConfig, monitor: MonitorConfig) -> None:
        super().__init__(config, monitor)
        self.options = parse_options(config, BlueskyOptions)
        self.brand_gate = self.options.match_brand
        self.query, self.actor = resolve_target(config, self.options)

    def fetch(self, client: HttpClient, cursor: dict[str, Any] | None) -> SourceOutcome:
        """Newest first, following the API cursor until a page reaches posts older than our cursor."""
        walk: PageWalk[str] = PageWalk(self, cursor, self.options.max_pages)
        try:
            base, headers = self._session(client)
        except SourceError as err:
            return self.failed(err, cursor)
        for page in walk.pages_of(lambda token: self._page(client, base, headers, walk.watermark, token), None):
            fresh = walk.fresh(page)
            walk.collector.add(fresh)
            if not page.items or len(fresh) < len(page.items):
                break  # an empty page, or one that reached posts the cursor had seen (newest first)
        return walk.failed() or walk.outcome()

    def parse_saved(self, content: bytes, url: str) -> list[RawItem]:
        """A saved ``searchPosts`` answer, or an author feed / timeline answer."""
        payload = parse_json(content, url)
        return list(
            (parse_feed(payload) if isinstance(payload, dict) and "feed" in payload else parse_posts(payload)).items
        )

    def _page(
        self, client: HttpClient, base: str, headers: dict[str, str], watermark: Watermark, page_cursor: str | None
    ) -> Page[str]:
        if self.query is not None:
            params = {
                "q": self.query,
                "sort": "latest",
                "limit": self.options.limit,
                "lang": self.options.lang,
                "since": watermark.newest.isoformat().replace("+00:00", "Z") if watermark.newest else None,
                "cursor": page_cursor,
            }
            return parse_posts(
                get_json(client, with_query(f"{base}/app.bsky.feed.searchPosts", params), headers=headers)
            )
        params = {
            "actor": self.actor,
            "limit": self.options.limit,
            "filter": self.options.feed_filter,
            "cursor": page_cursor,
        }
        return parse_feed(get_json(client, with_query(f"{base}/app.bsky.feed.getAuthorFeed", params), headers=headers))

    def _session(self, client: HttpClient) -> tuple[str, dict[str, str]]:
        """The XRPC base URL and auth headers: a fresh session when credentials are set (search needs
        one), else the public app view for author feeds."""
        names = [self.options.handle_env, self.options.password_env]
        service = self.options.service.rstrip("/")
        if self.query is None and not all(redact.env_secret(name) for name in names):
            return f"{self.options.public_api.rstrip('/')}/xrpc", {}
        handle, password = env_secrets(self.name, names, "Bluesky post search (a handle and an app password)")
        url = f"{service}/xrpc/com.atproto.server.createSession"
        try:
            session = json_body(client.post(url, json_body={"identifier": handle, "password": password}))
        except SourceError as err:
            raise SourceError(
                f"source {self.name!r}: Bluesky login with {names[0]} / {names[1]} failed: {err}", reason=err.reason
            ) from None
        token = session.get("accessJwt") if isinstance(session, dict) else None
        redact.register_secret(token if isinstance(token, str) else None)
        if not isinstance(token, str) or not token:
            raise ParseError(f"source {self.name!r}: the Bluesky session answer has no accessJwt")
        return f"{service}/xrpc", {"Authorization": f"Bearer {token}"}
