"""The registry of source kinds."""

from __future__ import annotations

import pytest

from sentiment.config import HttpSettings
from sentiment.errors import ConfigError
from sentiment.sources.registry import SOURCE_KINDS, build_source
from sentiment.sources.review_page import ReviewPageSource
from sentiment.sources.rss import RssSource
from tests.sources.builders import monitor, source_config


def test_the_registered_kinds() -> None:
    assert {"review_page": ReviewPageSource, "rss": RssSource} == SOURCE_KINDS
    assert all(kind == cls.kind for kind, cls in SOURCE_KINDS.items())


@pytest.mark.parametrize(("kind", "cls"), [("review_page", ReviewPageSource), ("rss", RssSource)])
def test_build_source_makes_the_kind(fast_http: HttpSettings, kind: str, cls: type) -> None:
    config = source_config("s1", kind, "https://x.example/")
    source = build_source(config, monitor(fast_http, config))
    assert isinstance(source, cls)
    assert source.name == "s1"


def test_an_unknown_kind_lists_the_allowed_kinds(fast_http: HttpSettings) -> None:
    config = source_config("s1", "myspace", "https://x.example/")
    with pytest.raises(ConfigError, match=r"source 's1': unknown kind 'myspace'; allowed: \['review_page', 'rss'\]"):
        build_source(config, monitor(fast_http))
