"""Parse a saved response the way a configured source would, with no network: how a user checks a new
site or API answer before adding it to the monitor config (``sentiment sources parse``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sentiment import redact
from sentiment.config import parse_config
from sentiment.errors import ConfigError
from sentiment.sources.base import RawItem
from sentiment.sources.registry import SOURCE_KINDS, build_source
from sentiment.text.prepare import author_hash

#: Author hashes in a preview are salted like the store's (``SENTIMENT_AUTHOR_SALT``) when it is set.
_PREVIEW_SALT = "preview"


@dataclass(frozen=True, slots=True)
class Preview:
    items: list[dict[str, Any]]
    summary: dict[str, Any]


def preview_saved(
    kind: str, content: bytes, url: str = "https://example.invalid/", options: dict[str, Any] | None = None
) -> Preview:
    """The mentions a saved response yields for ``kind`` (one JSON-ready dict each) and its page facts."""
    if kind not in SOURCE_KINDS:
        raise ConfigError(f"unknown source kind {kind!r}; allowed: {sorted(SOURCE_KINDS)}")
    monitor = parse_config(
        {
            "brands": [{"name": "preview"}],
            "sources": [{"name": "preview", "kind": kind, "url": url, "brand": "preview", "options": options or {}}],
        },
        origin="(sources parse)",
    )
    source = build_source(monitor.sources[0], monitor)
    salt = redact.env_secret("SENTIMENT_AUTHOR_SALT") or _PREVIEW_SALT
    items = [_item(raw, salt) for raw in source.parse_saved(content, url)]
    summary = {"kind": kind, "url": url, "mentions": len(items), **source.describe_saved(content, url)}
    return Preview(items=items, summary=summary)


def _item(raw: RawItem, salt: str) -> dict[str, Any]:
    return {
        "source_id": raw.source_item_id,
        "url": raw.url,
        "author_hash": author_hash(raw.author, salt),
        "published_at": raw.published_at.isoformat() if raw.published_at else None,
        "rating": raw.rating,
        "title": raw.title,
        "text": raw.text,
        "parent_id": raw.parent_id,
        "platform_lang": raw.platform_lang,
    }


def read_saved(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"saved response {str(path)!r} does not exist") from None
