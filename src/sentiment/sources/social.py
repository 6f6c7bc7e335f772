"""What the social-network kinds (mastodon, bluesky, reddit, hackernews) share.

They call JSON APIs rather than crawl pages, read credentials from environment variables whose names
the config gives, and keep only posts that name their brand: a hashtag, a search or a subreddit
returns much that is about something else: their mentions carry ``brand_gate`` (the ``match_brand``
option), which the text stage applies. The page walk is :class:`~sentiment.sources.base.PageWalk`'s, so
each kind only says how to read a page.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

from sentiment import redact
from sentiment.errors import ParseError, SourceError
from sentiment.parse.clean import clean_text
from sentiment.sources.http import HttpClient, HttpResponse, loggable_url

logger = logging.getLogger(__name__)

ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class SocialOptions(BaseModel):
    """Options every social kind takes.

    ``match_brand: false`` keeps every post, for a feed that is about the brand by construction (the
    brand's own subreddit or hashtag); ``max_pages`` overrides ``http.max_pages``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    match_brand: bool = True
    max_pages: int | None = Field(default=None, ge=1, le=10_000)


class CredentialsError(SourceError):
    """Credentials a source needs are not in the environment; the message names the variables only."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="credentials")


def env_secrets(source: str, names: Sequence[str], what: str) -> list[str]:
    """The values of the environment variables ``names``; a missing one fails the source by name.

    The message lists the variables, never a value, so it can go to logs and the run record.
    """
    values = [redact.env_secret(name) for name in names]
    missing = [name for name, value in zip(names, values, strict=True) if not value]
    if missing:
        raise CredentialsError(
            f"source {source!r}: {what} needs the environment variable(s) {', '.join(missing)}, "
            "which are not set; allowed: set them (the config names the variables, never the values)"
        )
    return values


def plain_text(value: Any) -> str:
    """Clean a field that is plain text, not HTML (a Reddit title, a Bluesky post): a literal "<b>" or
    "<TEST_SUBREDDIT>" stays text instead of being parsed away as a tag."""
    return clean_text(html.escape(str(value or ""), quote=False))


def with_query(url: str, params: Mapping[str, object]) -> str:
    """``url`` with ``params`` appended as a query string (``None`` values left out)."""
    query = urlencode({key: str(value) for key, value in params.items() if value is not None})
    if not query:
        return url
    return f"{url}{'&' if '?' in url else '?'}{query}"


def parse_json(content: bytes, url: str) -> Any:
    """A body as JSON; anything else (an HTML error page from a proxy) is a parse error naming the URL."""
    try:
        return json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ParseError(f"{loggable_url(url)} did not answer JSON: {err}", url=url) from None


def json_body(response: HttpResponse) -> Any:
    """The response body as JSON (see :func:`parse_json`)."""
    return parse_json(response.content, response.url)


def get_json(client: HttpClient, url: str, *, headers: Mapping[str, str] | None = None) -> Any:
    """GET an API endpoint (robots.txt does not govern APIs; see :meth:`HttpClient.get`) and parse JSON."""
    return json_body(client.get(url, headers=headers, robots=False))


def from_epoch(value: Any) -> datetime | None:
    """Unix seconds (int, float or numeric string) to aware UTC."""
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
