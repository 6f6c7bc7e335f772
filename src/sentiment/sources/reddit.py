"""Reddit: search and subreddit comments through the OAuth API (kind ``reddit``).

Reddit refuses unauthenticated ``.json`` reads, so every request carries an application-only token
(the client-credentials grant; the client id and secret come from environment variables whose *names*
are options) and a descriptive User-Agent, as Reddit's API rules ask. Neither the secret nor the token
is ever logged or kept in the cursor.

:func:`parse_listing` is pure: it reads a Listing of submissions (``t3``) or comments (``t1``) and a
comment page ``[submission listing, comment listing]``, flattening comment trees; each comment keeps
its parent (``parent_id``, a ``t1_``/``t3_`` fullname) and its submission's title. ``more`` stubs
(collapsed replies that cost one request each) are skipped and counted.
"""

from __future__ import annotations

import base64
import html
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qs, quote, urlsplit

from pydantic import Field

from sentiment import redact
from sentiment.config import MonitorConfig, SourceConfig
from sentiment.errors import ConfigError, ParseError, SourceError
from sentiment.parse.clean import clean_text
from sentiment.records import SourceOutcome
from sentiment.sources.base import Collector, Page, PageWalk, RawItem, Source, parse_options
from sentiment.sources.http import HttpClient
from sentiment.sources.social import (
    ENV_NAME,
    SocialOptions,
    env_secrets,
    from_epoch,
    get_json,
    json_body,
    parse_json,
    plain_text,
    with_query,
)

logger = logging.getLogger(__name__)

SITE = "https://www.reddit.com"
_GONE = frozenset({"[deleted]", "[removed]"})
_SUBREDDIT = r"^[A-Za-z0-9_]{2,21}$"


@dataclass(frozen=True, slots=True)
class Listing:
    """Items of one listing page, the ``after`` token of the next page, and what was skipped."""

    items: list[RawItem] = field(default_factory=list)
    after: str | None = None
    skipped: dict[str, int] = field(default_factory=dict)


def _markdown_html(value: Any) -> str:
    """``body_html``/``selftext_html`` as text; without ``raw_json=1`` Reddit sends it entity-escaped."""
    text = str(value or "")
    if "<" not in text and "&lt;" in text:
        text = html.unescape(text)
    return clean_text(text)


def _permalink(path: Any) -> str | None:
    if not path:
        return None
    return SITE + str(path).split("?", 1)[0]


def _submission(data: dict[str, Any]) -> RawItem | None:
    title = plain_text(data.get("title"))
    body = _markdown_html(data.get("selftext_html")) or plain_text(data.get("selftext"))
    if body in _GONE:
        body = ""
    url = _permalink(data.get("permalink"))
    link = str(data.get("url") or "")
    linked = link if link and not data.get("is_self") and not link.startswith(SITE) else ""
    text = "\n\n".join(part for part in (title, body, linked) if part)
    if not text or not data.get("name"):
        return None
    author = data.get("author")
    return RawItem(
        source_item_id=str(data["name"]),
        text=text,
        url=url,
        title=title or None,
        author=None if author in _GONE else author,
        published_at=from_epoch(data.get("created_utc")),
    )


def _comment(data: dict[str, Any], thread: RawItem | None) -> RawItem | None:
    body = _markdown_html(data.get("body_html")) or plain_text(data.get("body"))
    if not body or body in _GONE or not data.get("name"):
        return None
    url = _permalink(data.get("permalink"))
    if url is None and thread is not None and thread.url:
        url = f"{thread.url.rstrip('/')}/{data.get('id')}/"
    elif url is None and str(data.get("link_id", "")).startswith("t3_"):
        url = f"{SITE}/comments/{str(data['link_id'])[3:]}/_/{data.get('id')}/"
    title = plain_text(data.get("link_title")) or (thread.title if thread else None)
    author = data.get("author")
    return RawItem(
        source_item_id=str(data["name"]),
        text=body,
        url=url,
        title=title or None,
        author=None if author in _GONE else author,
        published_at=from_epoch(data.get("created_utc")),
        parent_id=str(data["parent_id"]) if data.get("parent_id") else None,
    )


def _walk(listing: Any, thread: RawItem | None, items: list[RawItem], skipped: Counter[str]) -> None:
    """Depth-first over a listing's children: comments, their ``replies`` listings, ``more`` stubs."""
    children = listing.get("data", {}).get("children", []) if isinstance(listing, dict) else []
    for child in children if isinstance(children, list) else []:
        kind = child.get("kind") if isinstance(child, dict) else None
        data = child.get("data") if isinstance(child, dict) else None
        if not isinstance(data, dict):
            skipped["invalid_item"] += 1
        elif kind == "more":
            skipped["more"] += 1
        elif kind in ("t1", "t3"):
            item = _submission(data) if kind == "t3" else _comment(data, thread)
            if item is None:
                skipped["deleted"] += 1
            else:
                items.append(item)
            _walk(data.get("replies"), thread, items, skipped)
        else:
            skipped[f"kind_{kind}"] += 1


def parse_listing(payload: Any) -> Listing:
    """A Reddit Listing, or a comment page ``[submission listing, comment listing]``, flattened."""
    items: list[RawItem] = []
    skipped: Counter[str] = Counter()
    if isinstance(payload, list) and len(payload) == 2:
        _walk(payload[0], None, items, skipped)
        thread = items[0] if items and items[0].source_item_id.startswith("t3_") else None
        _walk(payload[1], thread, items, skipped)
        return Listing(items, None, dict(skipped))
    if not isinstance(payload, dict) or payload.get("kind") != "Listing":
        raise ParseError("a Reddit answer is a Listing or a [submission, comments] pair")
    _walk(payload, None, items, skipped)
    after = payload.get("data", {}).get("after")
    return Listing(items, str(after) if after else None, dict(skipped))


class RedditOptions(SocialOptions):
    """``mode`` search (``query``, optionally in ``subreddit``) or comments (the newest comments of
    ``subreddit``). The config URL may say it: ``https://www.reddit.com/r/SUB/search?q=WORDS``,
    ``https://www.reddit.com/search?q=WORDS``, ``https://www.reddit.com/r/SUB/comments``.

    ``thread_comments`` also reads the comment trees of the new submissions a search found (at most
    ``max_threads``, one request each). ``user_agent`` defaults to ``http.user_agent``; Reddit asks for
    ``<platform>:<app id>:<version> (by /u/<username>)`` and throttles generic ones. ``token_url`` and
    ``api_base`` exist so tests (or a proxy) can stand in for Reddit.
    """

    mode: Literal["search", "comments"] | None = None
    query: str | None = Field(default=None, min_length=1)
    subreddit: str | None = Field(default=None, pattern=_SUBREDDIT)
    thread_comments: bool = False
    max_threads: int = Field(default=25, ge=1, le=500)
    limit: int = Field(default=100, ge=1, le=100)
    user_agent: str | None = Field(default=None, min_length=8)
    client_id_env: str = Field(default="REDDIT_CLIENT_ID", pattern=ENV_NAME)
    client_secret_env: str = Field(default="REDDIT_CLIENT_SECRET", pattern=ENV_NAME)
    token_url: str = Field(default="https://www.reddit.com/api/v1/access_token", pattern=r"^https?://")
    api_base: str = Field(default="https://oauth.reddit.com", pattern=r"^https?://")


@dataclass(frozen=True, slots=True)
class Target:
    mode: Literal["search", "comments"]
    query: str | None
    subreddit: str | None


def resolve_target(config: SourceConfig, options: RedditOptions) -> Target:
    """What to read, from the options, else the config URL; search needs a query, comments a subreddit."""
    parts = urlsplit(config.url)
    match = re.match(r"^(?:/r/([^/]+))?/(search|comments)/?$", parts.path)
    mode = options.mode or (match.group(2) if match else None)
    subreddit = options.subreddit or (match.group(1) if match else None)
    query = options.query or next(iter(parse_qs(parts.query).get("q", [])), None)
    if mode == "search" and query:
        return Target("search", query, subreddit)
    if mode == "comments" and subreddit:
        return Target("comments", None, subreddit)
    raise ConfigError(
        f"source {config.name!r} (kind 'reddit'): give mode 'search' with a 'query' (and optionally a "
        "'subreddit') or mode 'comments' with a 'subreddit', or a URL such as "
        "https://www.reddit.com/r/SUB/search?q=WORDS or https://www.reddit.com/r/SUB/comments "
        f"(got mode={mode!r}, query={query!r}, subreddit={subreddit!r})"
    )


class RedditSource(Source):
    """Submissions matching a search (optionally with their comment trees), or a subreddit's comments."""

    kind: ClassVar[str] = "reddit"

    def __init__(self, config: SourceConfig, monitor: MonitorConfig) -> None:
        super().__init__(config, monitor)
        self.options = parse_options(config, RedditOptions)
        self.brand_gate = self.options.match_brand
        self.target = resolve_target(config, self.options)

    def fetch(self, client: HttpClient, cursor: dict[str, Any] | None) -> SourceOutcome:
        """Newest first, following ``after`` until a page reaches what the cursor has seen.

        The cursor (newest ``created_utc`` and the ids at that second) advances on the paged listing
        only: comments read from new threads are not part of it, so a late comment never hides a
        submission that the search index publishes late.
        """
        walk: PageWalk[str] = PageWalk(self, cursor, self.options.max_pages)
        try:
            headers = self._headers(client)
        except SourceError as err:
            return self.failed(err, cursor)

        def read(after: str | None) -> Page[str]:
            listing = parse_listing(get_json(client, self._listing_url(after), headers=headers))
            return Page(listing.items, next=listing.after, skipped=listing.skipped)

        threads: list[str] = []
        for page in walk.pages_of(read, None):
            fresh = walk.fresh(page)
            before = set(walk.collector.mentions)
            walk.collector.add(fresh)
            threads += [i for i in walk.collector.mentions if i not in before and i.startswith("t3_")]
            if not page.items or len(fresh) < len(page.items):
                break  # an empty page, or one that reached what the cursor had seen (newest first)
        if (failed := walk.failed()) is not None:
            return failed
        if self.options.thread_comments:
            walk.pages += self._read_threads(client, headers, threads, walk.collector)
        return walk.outcome()

    def parse_saved(self, content: bytes, url: str) -> list[RawItem]:
        return parse_listing(parse_json(content, url)).items

    def _listing_url(self, after: str | None) -> str:
        api = self.options.api_base.rstrip("/")
        sub = f"/r/{quote(self.target.subreddit)}" if self.target.subreddit else ""
        params: dict[str, object] = {"limit": self.options.limit, "after": after, "raw_json": 1}
        if self.target.mode == "comments":
            return with_query(f"{api}{sub}/comments", params)
        search = {"q": self.target.query, "sort": "new", "t": "all", "type": "link", "restrict_sr": 1 if sub else None}
        return with_query(f"{api}{sub}/search", {**search, **params})

    def _read_threads(
        self, client: HttpClient, headers: dict[str, str], threads: list[str], collector: Collector
    ) -> int:
        """Add the flattened comment trees of new submissions (up to ``max_threads``); returns pages read."""
        read = 0
        for fullname in threads[: self.options.max_threads]:
            url = with_query(
                f"{self.options.api_base.rstrip('/')}/comments/{fullname.removeprefix('t3_')}",
                {"sort": "new", "limit": 500, "raw_json": 1},
            )
            try:
                listing = parse_listing(get_json(client, url, headers=headers))
            except SourceError as err:
                logger.warning("source %s: skipping the comments of %s: %s", self.name, fullname, err)
                collector.skip({err.reason: 1})
                continue
            read += 1
            collector.skip(listing.skipped)
            collector.add(item for item in listing.items if item.source_item_id != fullname)
        return read

    def _headers(self, client: HttpClient) -> dict[str, str]:
        """An application-only OAuth token (client-credentials grant) and the User-Agent Reddit asks for."""
        names = [self.options.client_id_env, self.options.client_secret_env]
        client_id, secret = env_secrets(self.name, names, "the Reddit API (an app's client id and secret)")
        agent = self.options.user_agent or self.monitor.http.user_agent
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode("ascii")
        try:
            answer = json_body(
                client.post(
                    self.options.token_url,
                    form={"grant_type": "client_credentials"},
                    headers={"Authorization": f"Basic {basic}", "User-Agent": agent},
                )
            )
        except SourceError as err:
            raise SourceError(
                f"source {self.name!r}: Reddit token request with {names[0]} / {names[1]} failed: {err}",
                reason=err.reason,
            ) from None
        token = answer.get("access_token") if isinstance(answer, dict) else None
        redact.register_secret(token if isinstance(token, str) else None)
        if not isinstance(token, str) or not token:
            error = answer.get("error") if isinstance(answer, dict) else None
            raise SourceError(
                f"source {self.name!r}: Reddit granted no token with {names[0]} / {names[1]} (error: {error!r})",
                reason="credentials",
            )
        return {"Authorization": f"bearer {token}", "User-Agent": agent}
