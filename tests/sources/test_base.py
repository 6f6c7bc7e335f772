"""The shared source contract: option validation, cursors, and mapping items to mentions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from sentiment.config import HttpSettings
from sentiment.errors import ConfigError, FetchError
from sentiment.records import SourceOutcome
from sentiment.sources.base import RawItem, Source, Watermark, parse_options
from sentiment.sources.http import HttpClient
from tests.sources.builders import BRAND, LOCATION, monitor, source_config


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=10, ge=1, le=100)
    mode: str = Field(default="new", pattern="^(new|top)$")


class _Dummy(Source):
    kind = "dummy"

    def fetch(self, client: HttpClient, cursor: dict[str, Any] | None) -> SourceOutcome:
        return SourceOutcome(source=self.name, status="ok")


def test_parse_options_names_source_option_value_and_what_is_allowed() -> None:
    config = source_config("shop", "dummy", "https://x.example/", limit=0, colour="red")
    with pytest.raises(ConfigError) as info:
        parse_options(config, _Options)
    message = str(info.value)
    assert message.startswith("source 'shop' (kind 'dummy'): ")
    assert "option 'limit': Input should be greater than or equal to 1 (got 0)" in message
    assert "option 'colour': unknown option (got 'red'); allowed options: ['limit', 'mode']" in message


def test_parse_options_accepts_valid_options() -> None:
    config = source_config("shop", "dummy", "https://x.example/", limit=5, mode="top")
    assert parse_options(config, _Options) == _Options(limit=5, mode="top")


def test_a_source_refuses_a_config_of_another_kind(fast_http: HttpSettings) -> None:
    config = source_config("shop", "rss", "https://x.example/")
    with pytest.raises(ConfigError, match="kind 'rss' given to the 'dummy' source class"):
        _Dummy(config, monitor(fast_http, config))


def test_to_mention_attaches_source_brand_and_location(fast_http: HttpSettings) -> None:
    config = source_config("shop", "dummy", "https://x.example/")
    item = RawItem(source_item_id="r1", text="Good", rating=4.0, platform_lang="en")
    mention = _Dummy(config, monitor(fast_http, config)).to_mention(item)
    assert (mention.source, mention.brand, mention.location) == ("shop", BRAND, LOCATION)
    assert (mention.source_item_id, mention.text, mention.rating, mention.platform_lang) == ("r1", "Good", 4.0, "en")


def test_failed_outcome_counts_the_reason_and_keeps_the_cursor(fast_http: HttpSettings) -> None:
    config = source_config("shop", "dummy", "https://x.example/")
    outcome = _Dummy(config, monitor(fast_http, config)).failed(
        FetchError("HTTP 503 for x.example/", reason="http_503"), {"newest": "2026-01-01T00:00:00+00:00"}
    )
    assert outcome == SourceOutcome(
        source="shop",
        status="failed",
        skipped={"http_503": 1},
        error="HTTP 503 for x.example/",
        cursor={"newest": "2026-01-01T00:00:00+00:00"},
    )


def test_watermark_reads_cursors_leniently() -> None:
    assert Watermark.from_cursor(None) == Watermark()
    assert Watermark.from_cursor({"newest": "not a date"}) == Watermark()
    assert Watermark.from_cursor({"newest": "2026-03-01T10:00:00", "newest_ids": ["a"]}) == Watermark(
        datetime(2026, 3, 1, 10, tzinfo=UTC), frozenset({"a"})
    )


def test_watermark_passes_only_unseen_items() -> None:
    day = datetime(2026, 3, 1, tzinfo=UTC)
    mark = Watermark(day, frozenset({"seen"}))
    older = RawItem("old", "t", published_at=datetime(2026, 2, 1, tzinfo=UTC))
    seen = RawItem("seen", "t", published_at=day)
    same_day_later = RawItem("late", "t", published_at=day)  # a date-only review posted after the last run
    newer = RawItem("new", "t", published_at=datetime(2026, 3, 2, tzinfo=UTC))
    undated = RawItem("undated", "t")
    assert [mark.is_new(i) for i in (older, seen, same_day_later, newer, undated)] == [False, False, True, True, True]
    assert Watermark().is_new(older)


def test_watermark_advances_and_round_trips() -> None:
    day = datetime(2026, 3, 1, tzinfo=UTC)
    mark = Watermark(day, frozenset({"seen"}))
    same_day = mark.advance([RawItem("late", "t", published_at=day), RawItem("u", "t")])
    assert same_day == Watermark(day, frozenset({"seen", "late"}))
    later = datetime(2026, 3, 2, tzinfo=UTC)
    assert mark.advance([RawItem("new", "t", published_at=later)]) == Watermark(later, frozenset({"new"}))
    assert mark.advance([RawItem("old", "t", published_at=datetime(2026, 1, 1, tzinfo=UTC))]) == mark
    assert Watermark().advance([RawItem("u", "t")]).to_cursor() == {}
    cursor = same_day.to_cursor()
    assert cursor == {"newest": "2026-03-01T00:00:00+00:00", "newest_ids": ["late", "seen"]}
    assert Watermark.from_cursor(cursor) == same_day


def test_a_kind_without_a_saved_response_parser_says_so(fast_http: HttpSettings) -> None:
    config = source_config("shop", "dummy", "https://x.example/")
    with pytest.raises(ConfigError, match="kind 'dummy' cannot parse a saved response"):
        _Dummy(config, monitor(fast_http, config)).parse_saved(b"{}", "https://x.example/")
