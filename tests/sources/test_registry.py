"""The registry of source kinds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sentiment.config import HttpSettings
from sentiment.errors import ConfigError
from sentiment.sources.bluesky import BlueskySource
from sentiment.sources.file import FileSource
from sentiment.sources.hackernews import HackerNewsSource
from sentiment.sources.mastodon import MastodonSource
from sentiment.sources.reddit import RedditSource
from sentiment.sources.registry import SOURCE_KINDS, build_source
from sentiment.sources.review_page import ReviewPageSource
from sentiment.sources.rss import RssSource
from sentiment.sources.selector_page import SelectorPageSource
from tests.sources.builders import monitor, source_config

KINDS: list[tuple[str, type, str, dict[str, Any]]] = [
    ("review_page", ReviewPageSource, "https://x.example/", {}),
    ("rss", RssSource, "https://x.example/feed", {}),
    ("selector_page", SelectorPageSource, "https://x.example/", {"container": "li", "text": "p"}),
    ("mastodon", MastodonSource, "https://mastodon.example/tags/acme", {}),
    ("bluesky", BlueskySource, "https://bsky.app/search?q=acme", {}),
    ("reddit", RedditSource, "https://www.reddit.com/r/acme/comments", {}),
    ("hackernews", HackerNewsSource, "https://hn.algolia.com/?q=acme", {}),
    ("file", FileSource, "https://x.example/reviews.csv", {"columns": {"text": "Review"}}),
]


def test_the_registered_kinds() -> None:
    assert {kind: cls for kind, cls, _, _ in KINDS}.items() <= SOURCE_KINDS.items()
    assert all(kind == cls.kind for kind, cls in SOURCE_KINDS.items())


@pytest.mark.parametrize(("kind", "cls", "url", "options"), KINDS, ids=[k[0] for k in KINDS])
def test_build_source_makes_the_kind(
    fast_http: HttpSettings, kind: str, cls: type, url: str, options: dict[str, Any]
) -> None:
    config = source_config("s1", kind, url, **options)
    source = build_source(config, monitor(fast_http, config))
    assert isinstance(source, cls)
    assert source.name == "s1"


def test_an_unknown_kind_lists_the_allowed_kinds(fast_http: HttpSettings) -> None:
    config = source_config("s1", "myspace", "https://x.example/")
    with pytest.raises(ConfigError, match=r"source 's1': unknown kind 'myspace'; allowed: \[.*'bluesky'.*'rss'.*\]"):
        build_source(config, monitor(fast_http))


SAVED: list[tuple[str, str, dict[str, Any], str, int]] = [
    ("mastodon", "https://m.example/tags/hoot", {}, "social-api-payloads/mastodon/timelines_public.json", 20),
    ("bluesky", "https://bsky.app/search?q=x", {}, "social-api-payloads/bluesky/app.bsky.feed.getTimeline.json", 49),
    ("reddit", "https://www.reddit.com/search?q=x", {}, "social-api-payloads/reddit/comments_listing__2gmzqe.json", 3),
    (
        "hackernews",
        "https://hn.algolia.com/?q=x",
        {},
        "social-api-payloads/hackernews/algolia_search__q_tim_cook__tags_story__page1.json",
        20,
    ),
    (
        "selector_page",
        "https://www.wellplated.com/crockpot-potato-soup-recipe/",
        {"container": "li.comment", "text": ".comment-content > p"},
        "recipe-review-pages/pages/wellplated.com/wellplated_2.html",
        24,
    ),
    (
        "file",
        "https://x.example/manifest.csv",
        {"columns": {"text": "title", "id": "file"}},
        "recipe-review-pages/manifest.csv",
        13,
    ),
]


@pytest.mark.parametrize(("kind", "url", "options", "saved", "count"), SAVED, ids=[s[0] for s in SAVED])
def test_a_saved_response_parses_with_the_sources_options(
    fast_http: HttpSettings, shared_data: Path, kind: str, url: str, options: dict[str, Any], saved: str, count: int
) -> None:
    """What ``sentiment sources parse --kind KIND --file FILE`` needs: the fetch's parse, without I/O."""
    config = source_config("s1", kind, url, **options)
    items = build_source(config, monitor(fast_http, config)).parse_saved((shared_data / saved).read_bytes(), url)
    assert len(items) == count
    assert all(item.source_item_id and item.text for item in items)
