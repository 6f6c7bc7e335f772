"""Source kinds by name: adding a kind is one module, one class and one line here."""

from __future__ import annotations

from sentiment.config import MonitorConfig, SourceConfig
from sentiment.errors import ConfigError
from sentiment.sources.article import ArticleSource
from sentiment.sources.base import Source
from sentiment.sources.bluesky import BlueskySource
from sentiment.sources.file import FileSource
from sentiment.sources.hackernews import HackerNewsSource
from sentiment.sources.mastodon import MastodonSource
from sentiment.sources.reddit import RedditSource
from sentiment.sources.review_page import ReviewPageSource
from sentiment.sources.rss import RssSource
from sentiment.sources.selector_page import SelectorPageSource

SOURCE_KINDS: dict[str, type[Source]] = {
    ArticleSource.kind: ArticleSource,
    ReviewPageSource.kind: ReviewPageSource,
    SelectorPageSource.kind: SelectorPageSource,
    MastodonSource.kind: MastodonSource,
    BlueskySource.kind: BlueskySource,
    RedditSource.kind: RedditSource,
    HackerNewsSource.kind: HackerNewsSource,
    RssSource.kind: RssSource,
    FileSource.kind: FileSource,
}


def build_source(config: SourceConfig, monitor: MonitorConfig) -> Source:
    """The source object for a configured source; an unknown kind names the kinds there are."""
    kind = SOURCE_KINDS.get(config.kind)
    if kind is None:
        raise ConfigError(f"source {config.name!r}: unknown kind {config.kind!r}; allowed: {sorted(SOURCE_KINDS)}")
    return kind(config, monitor)
