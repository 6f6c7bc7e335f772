"""The shared source contract: option validation, cursors, and mapping items to mentions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from sentiment.config import HttpSettings
from sentiment.errors import ConfigError, FetchError
from sentiment.records import SourceOutcome
from sentiment.sources.base import Collector, Page, PageWalk, RawItem, Source, Watermark, parse_options
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


def _item(n: int, day: int) -> RawItem:
    return RawItem(source_item_id=f"r{n}", text=f"review {n}", published_at=datetime(2026, 1, day, tzinfo=UTC))


# Four pages, newest first, linked by tokens "p1" -> "p2" -> "p3" -> "p4" (the last has no next).
_PAGES = {f"p{n}": [_item(2 * n, 20 - 2 * n), _item(2 * n + 1, 19 - 2 * n)] for n in range(1, 5)}


def _walk(fast_http: HttpSettings, cursor: dict[str, Any] | None, limit: int) -> PageWalk[str]:
    config = source_config("shop", "dummy", "https://x.example/")
    return PageWalk(_Dummy(config, monitor(fast_http, config)), cursor, limit)


def _read(fail: str | None = None, loop: bool = False):  # type: ignore[no-untyped-def]
    def read(token: str | None) -> Page[str]:
        assert token is not None
        if token == fail:
            raise FetchError(f"{token} answered 500", reason="http_500", url=token)
        number = int(token[1:])
        following = "p1" if loop and number == 2 else (f"p{number + 1}" if number < 4 else None)
        return Page(_PAGES[token], next=following, skipped={"empty_text": 1} if number == 1 else {})

    return read


def test_the_walk_reads_every_page_and_advances_the_cursor(fast_http: HttpSettings) -> None:
    walk = _walk(fast_http, None, limit=10)
    for page in walk.pages_of(_read(), "p1"):
        walk.collector.add(walk.fresh(page))
    outcome = walk.outcome()
    assert (outcome.status, outcome.pages, len(outcome.mentions), outcome.skipped) == ("ok", 4, 8, {"empty_text": 1})
    assert outcome.cursor == {"newest": "2026-01-18T00:00:00+00:00", "newest_ids": ["r2"]}


def test_a_failing_first_page_fails_the_source_and_keeps_its_cursor(fast_http: HttpSettings) -> None:
    cursor = {"newest": "2026-01-01T00:00:00+00:00", "newest_ids": ["r0"]}
    walk = _walk(fast_http, cursor, limit=10)
    assert list(walk.pages_of(_read(fail="p1"), "p1")) == []
    failed = walk.failed()
    assert failed is not None and (failed.status, failed.cursor, failed.skipped) == ("failed", cursor, {"http_500": 1})


def test_a_failing_later_page_is_counted_and_the_cursor_does_not_advance(fast_http: HttpSettings) -> None:
    cursor = {"newest": "2026-01-01T00:00:00+00:00", "newest_ids": ["r0"]}
    walk = _walk(fast_http, cursor, limit=10)
    for page in walk.pages_of(_read(fail="p3"), "p1"):
        walk.collector.add(walk.fresh(page))
    outcome = walk.outcome()
    assert walk.failed() is None
    assert (outcome.pages, len(outcome.mentions), outcome.skipped) == (2, 4, {"empty_text": 1, "http_500": 1})
    assert outcome.cursor == cursor  # pages 3 and 4 hold older items, still unread


def test_the_page_limit_and_a_repeated_page_end_the_walk(fast_http: HttpSettings) -> None:
    limited = _walk(fast_http, None, limit=2)
    assert [len(p.items) for p in limited.pages_of(_read(), "p1")] == [2, 2]
    assert limited.outcome().skipped == {"empty_text": 1, "page_limit": 1}
    looping = _walk(fast_http, None, limit=10)
    assert [p.next for p in looping.pages_of(_read(loop=True), "p1")] == ["p2", "p1"]
    assert "page_limit" not in looping.outcome().skipped


def test_the_collector_keeps_the_first_copy_and_counts_repeats(fast_http: HttpSettings) -> None:
    config = source_config("shop", "dummy", "https://x.example/")
    collector = Collector(_Dummy(config, monitor(fast_http, config)))
    collector.add([_item(1, 2), _item(1, 3), _item(2, 3)])
    assert (list(collector.mentions), dict(collector.skipped)) == (["r1", "r2"], {"repeated": 1})
    assert collector.mentions["r1"].published_at == datetime(2026, 1, 2, tzinfo=UTC)
