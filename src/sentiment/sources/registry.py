"""Source kinds by name: adding a kind is one module, one class and one line here."""

from __future__ import annotations

from sentiment.config import MonitorConfig, SourceConfig
from sentiment.errors import ConfigError
from sentiment.sources.base import Source
from sentiment.sources.review_page import ReviewPageSource
from sentiment.sources.rss import RssSource

SOURCE_KINDS: dict[str, type[Source]] = {
    ReviewPageSource.kind: ReviewPageSource,
    RssSource.kind: RssSource,
}


def build_source(config: SourceConfig, monitor: MonitorConfig) -> Source:
    """The source object for a configured source; an unknown kind names the kinds there are."""
    kind = SOURCE_KINDS.get(config.kind)
    if kind is None:
        raise ConfigError(f"source {config.name!r}: unknown kind {config.kind!r}; allowed: {sorted(SOURCE_KINDS)}")
    return kind(config, monitor)
