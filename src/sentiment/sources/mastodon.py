"""Mastodon: a hashtag timeline or an account's statuses, on any instance (kind ``mastodon``).

Instances differ in which timelines they open to anonymous readers, so an access token is optional
(``token_env`` names the variable). :func:`parse_statuses` is pure. A reblog carries the original
status, which is what the customer wrote: its id, author and text are used, so a post reblogged ten
times is one mention. The ``language`` field is kept as ``platform_lang`` only: instances set it from
the poster's default, not the text (English toots arrive tagged "ja").

Paging: the first night walks back from the newest status with ``max_id``; later nights walk forward
from the cursor with ``min_id``, which returns the statuses just above it, so a night that stops at
``max_pages`` resumes exactly there the next night instead of leaving a gap.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from pydantic import Field, field_validator

from sentiment.config import MonitorConfig, SourceConfig
from sentiment.errors import ConfigError, ParseError, SourceError
from sentiment.parse.clean import clean_text
from sentiment.parse.dates import parse_datetime
from sentiment.records import SourceOutcome
from sentiment.sources.base import Page, PageWalk, RawItem, Source, parse_options
from sentiment.sources.http import HttpClient
from sentiment.sources.social import (
    ENV_NAME,
    SocialOptions,
    env_secrets,
    get_json,
    parse_json,
    with_query,
)

logger = logging.getLogger(__name__)

_TAG_PATH = re.compile(r"^/(?:api/v1/timelines/tag|tags)/([^/]+)/?$")
_ACCOUNT_PATH = re.compile(r"^/@([^/]+)/?$")
_ACCOUNT_ID_PATH = re.compile(r"^/api/v1/accounts/(\d+)(?:/statuses)?/?$")


@dataclass(frozen=True, slots=True)
class StatusPage:
    """One page of a timeline: its statuses as items, and the timeline ids it held (for paging)."""

    items: list[RawItem] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


def id_key(status_id: str) -> tuple[int, str]:
    """Sort key of Mastodon ids: numeric strings of growing length (compare as numbers, not text)."""
    return (len(status_id), status_id)


def parse_status(status: dict[str, Any]) -> RawItem | None:
    """One status (or the original of a reblog) as an item; ``None`` when it has no text (media only)."""
    reblog = status.get("reblog")
    original: dict[str, Any] = reblog if isinstance(reblog, dict) else status
    content = clean_text(str(original.get("content") or ""))
    warning = clean_text(str(original.get("spoiler_text") or ""))
    text = f"{warning}\n\n{content}" if warning and content else content or warning
    if not text or not original.get("id"):
        return None
    account = original.get("account")
    account = account if isinstance(account, dict) else {}
    return RawItem(
        source_item_id=str(original["id"]),
        text=text,
        url=original.get("url") or original.get("uri"),
        author=account.get("acct") or account.get("username"),
        published_at=parse_datetime(original.get("created_at")),
        platform_lang=original.get("language") or None,
        parent_id=str(original["in_reply_to_id"]) if original.get("in_reply_to_id") else None,
    )


def parse_statuses(payload: Any) -> StatusPage:
    """A timeline response (a JSON array of statuses) as items, newest first as the API sends them."""
    if not isinstance(payload, list):
        raise ParseError(f"a Mastodon timeline is a JSON array, got {type(payload).__name__}")
    items: list[RawItem] = []
    ids: list[str] = []
    skipped: Counter[str] = Counter()
    for status in payload:
        if not isinstance(status, dict) or not status.get("id"):
            skipped["invalid_status"] += 1
            continue
        ids.append(str(status["id"]))
        item = parse_status(status)
        if item is None:
            skipped["empty_text"] += 1
        else:
            items.append(item)
    return StatusPage(items=items, ids=ids, skipped=dict(skipped))


class MastodonOptions(SocialOptions):
    """Which timeline to read: ``hashtag`` (without ``#``) or ``account`` (``user``, ``user@host`` or a
    numeric id). The config ``url`` may already say it (``https://host/tags/coffee``, ``https://host/@user``,
    ``https://host/@user@other.host``); options win over the URL, and ``instance`` over the URL's host.

    ``local`` keeps a hashtag timeline to the instance's own users; ``exclude_replies`` and
    ``exclude_reblogs`` filter an account's statuses. ``token_env`` names the variable holding an access
    token, for instances that only show timelines to logged-in clients.
    """

    instance: str | None = Field(default=None, pattern=r"^https?://[^/]+/?$")
    hashtag: str | None = Field(default=None, min_length=1)
    account: str | None = Field(default=None, min_length=1)
    local: bool = False
    exclude_replies: bool = False
    exclude_reblogs: bool = False
    limit: int = Field(default=40, ge=1, le=40)
    token_env: str | None = Field(default=None, pattern=ENV_NAME)

    @field_validator("hashtag")
    @classmethod
    def _no_hash(cls, value: str | None) -> str | None:
        return value.lstrip("#") if value else value


@dataclass(frozen=True, slots=True)
class Target:
    """The instance's origin and the one timeline the source reads."""

    instance: str
    hashtag: str | None = None
    account: str | None = None


def resolve_target(config: SourceConfig, options: MastodonOptions) -> Target:
    """Combine the config URL and the options into one timeline; exactly one of hashtag or account."""
    parts = urlsplit(config.url)
    instance = (options.instance or f"{parts.scheme}://{parts.netloc}").rstrip("/")
    hashtag, account = options.hashtag, options.account
    if hashtag is None and account is None:
        path = parts.path.rstrip("/") or "/"
        if match := _TAG_PATH.match(path):
            hashtag = match.group(1)
        elif match := _ACCOUNT_PATH.match(path) or _ACCOUNT_ID_PATH.match(path):
            account = match.group(1)
    if (hashtag is None) == (account is None):
        raise ConfigError(
            f"source {config.name!r} (kind 'mastodon'): give exactly one of the options 'hashtag' or 'account', "
            f"or a URL such as https://{parts.netloc}/tags/TAG or https://{parts.netloc}/@USER "
            f"(got hashtag={hashtag!r}, account={account!r}, url path {parts.path!r})"
        )
    return Target(instance=instance, hashtag=hashtag, account=account.lstrip("@") if account else None)


class MastodonSource(Source):
    """Statuses of one hashtag timeline or one account on a Mastodon instance."""

    kind: ClassVar[str] = "mastodon"

    def __init__(self, config: SourceConfig, monitor: MonitorConfig) -> None:
        super().__init__(config, monitor)
        self.options = parse_options(config, MastodonOptions)
        self.brand_gate = self.options.match_brand
        self.target = resolve_target(config, self.options)

    def fetch(self, client: HttpClient, cursor: dict[str, Any] | None) -> SourceOutcome:
        """Page back from the newest status (first night) or forward from the cursor (later nights).

        A short page ends the walk: it is the last one, or (forward) the rest waits for the next night
        above the advanced cursor, so nothing is skipped either way.
        """
        cursor = dict(cursor or {})
        walk: PageWalk[str] = PageWalk(self, cursor or None, self.options.max_pages)
        try:
            headers = self._headers()
            endpoint = self._endpoint(client, headers, cursor)
        except SourceError as err:
            return self.failed(err, cursor or None)
        saved = str(cursor.get("newest_id", ""))
        forward = saved.isdigit()
        newest = saved if forward else None

        def read(boundary: str | None) -> Page[str]:
            nonlocal newest
            params: dict[str, object] = {"limit": self.options.limit, ("min_id" if forward else "max_id"): boundary}
            statuses = parse_statuses(get_json(client, with_query(endpoint, params), headers=headers))
            if not statuses.ids:
                return Page(statuses.items, skipped=statuses.skipped)
            ids = sorted(statuses.ids, key=id_key)
            newest = max(filter(None, [newest, ids[-1]]), key=id_key)
            full = len(statuses.ids) >= self.options.limit
            return Page(
                statuses.items, next=(ids[-1] if forward else ids[0]) if full else None, skipped=statuses.skipped
            )

        for page in walk.pages_of(read, newest):
            walk.collector.add(page.items)
        if (failed := walk.failed()) is not None:
            return failed
        # Paging back from the newest status, a failed page leaves older ones unread: keep the old cursor.
        if newest and (forward or not walk.broken):
            cursor["newest_id"] = newest
        return walk.outcome(cursor)

    def parse_saved(self, content: bytes, url: str) -> list[RawItem]:
        return parse_statuses(parse_json(content, url)).items

    def _headers(self) -> dict[str, str]:
        if self.options.token_env is None:
            return {}
        [token] = env_secrets(self.name, [self.options.token_env], "reading this Mastodon timeline")
        return {"Authorization": f"Bearer {token}"}

    def _endpoint(self, client: HttpClient, headers: dict[str, str], cursor: dict[str, Any]) -> str:
        """The timeline URL; an account name is looked up once and its id kept in the cursor."""
        api = f"{self.target.instance}/api/v1"
        if self.target.hashtag is not None:
            local = "?local=true" if self.options.local else ""
            return f"{api}/timelines/tag/{quote(self.target.hashtag, safe='')}{local}"
        account = str(self.target.account)
        if account.isdigit():
            account_id = account
        elif cursor.get("account") == account and str(cursor.get("account_id", "")).isdigit():
            account_id = str(cursor["account_id"])
        else:
            found = get_json(client, with_query(f"{api}/accounts/lookup", {"acct": account}), headers=headers)
            if not isinstance(found, dict) or not str(found.get("id", "")).isdigit():
                raise ParseError(f"source {self.name!r}: Mastodon account lookup of {account!r} returned no id")
            account_id = str(found["id"])
            cursor.update(account=account, account_id=account_id)
        flags = {
            "exclude_replies": "true" if self.options.exclude_replies else None,
            "exclude_reblogs": "true" if self.options.exclude_reblogs else None,
        }
        return with_query(f"{api}/accounts/{account_id}/statuses", flags)
