"""Hacker News (Algolia): the pure parser on a recorded answer and a hand-made comment answer, and the
source's paging, "since" filter, brand gate and failures."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from sentiment.config import HttpSettings, MonitorConfig, SourceConfig
from sentiment.errors import ConfigError, ParseError
from sentiment.sources.hackernews import HackerNewsSource, parse_hits
from sentiment.sources.http import HttpClient
from tests.sources.builders import gated, two_nights
from tests.support.local_server import LocalServer, RecordedRequest, Reply

# Hand-made (the recorded fixture has story hits only): two comment hits in the shape Algolia's
# search_by_date returns them (fields as documented at https://hn.algolia.com/api), one of them deleted.
COMMENT_HITS: dict[str, Any] = {
    "hits": [
        {
            "created_at": "2026-03-05T09:14:07Z",
            "title": None,
            "url": None,
            "author": "espresso_fan",
            "points": None,
            "story_text": None,
            "comment_text": "<p>Apple&#x27;s new store in Kraków is nice, but the queue was <i>45 minutes</i>.<p>"
            'See <a href="https://example.com/queue" rel="nofollow">the photos</a>.',
            "num_comments": None,
            "story_id": 43200001,
            "story_title": "Apple opens its first store in Poland",
            "story_url": "https://example.com/apple-poland",
            "parent_id": 43200017,
            "created_at_i": 1772702047,
            "_tags": ["comment", "author_espresso_fan", "story_43200001"],
            "objectID": "43200123",
        },
        {
            "created_at": "2026-03-05T09:10:00Z",
            "author": None,
            "comment_text": None,
            "story_id": 43200001,
            "story_title": "Apple opens its first store in Poland",
            "parent_id": 43200001,
            "created_at_i": 1772701800,
            "_tags": ["comment", "story_43200001"],
            "objectID": "43200100",
        },
    ],
    "nbHits": 2,
    "page": 0,
    "nbPages": 1,
    "hitsPerPage": 100,
}


@pytest.fixture(scope="module")
def story_hits(shared_data: Path) -> dict[str, Any]:
    path = shared_data / "social-api-payloads" / "hackernews" / "algolia_search__q_tim_cook__tags_story__page1.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_story_hits(story_hits: dict[str, Any]) -> None:
    page = parse_hits(story_hits)
    assert (len(page.items), page.page, page.pages, page.skipped) == (20, 1, 50, {})
    first = page.items[0]
    assert first.source_item_id == "3078351"
    assert first.url == "https://news.ycombinator.com/item?id=3078351"
    assert first.title == "Tim Cook's email to Apple employees about Steve's passing"
    # The story's text is its title and the link it points to (story_text is empty for link posts).
    assert first.text == (
        "Tim Cook's email to Apple employees about Steve's passing\n\n"
        "http://www.businesswire.com/news/home/20111005006889/en/Apple-Media-Advisory"
    )
    assert (first.author, first.published_at) == ("elmcitylabs", datetime(2011, 10, 6, 0, 24, 29, tzinfo=UTC))
    assert first.parent_id is None
    assert page.items[4].title == "Tim Cook Says Apple Is Focusing on an Autonomous Car System"  # leading space gone


def test_ask_hn_story_text_is_html_to_text(story_hits: dict[str, Any]) -> None:
    hit = copy.deepcopy(story_hits["hits"][0])
    hit.update(url=None, story_text="Is it just me?<p>The <b>Apple</b> store &amp; support were great.")
    [item] = parse_hits({"hits": [hit], "page": 0, "nbPages": 1}).items
    assert item.text == (
        "Tim Cook's email to Apple employees about Steve's passing\n\nIs it just me?\nThe Apple store & support were great."
    )


def test_comment_hits() -> None:
    page = parse_hits(COMMENT_HITS)
    assert page.skipped == {"empty_text": 1}
    [comment] = page.items
    assert comment.source_item_id == "43200123"
    assert comment.text == "Apple's new store in Kraków is nice, but the queue was 45 minutes.\n\nSee the photos."
    assert (comment.title, comment.parent_id) == ("Apple opens its first store in Poland", "43200017")
    assert comment.url == "https://news.ycombinator.com/item?id=43200123"
    assert (comment.author, comment.published_at) == ("espresso_fan", datetime(2026, 3, 5, 9, 14, 7, tzinfo=UTC))


def test_not_an_algolia_answer() -> None:
    with pytest.raises(ParseError, match="'hits' list"):
        parse_hits({"message": "Invalid value for numericFilters", "status": 400})


# --- the source over HTTP --------------------------------------------------------------------------------


def make_source(server: LocalServer, http: HttpSettings, **options: Any) -> HackerNewsSource:
    config = SourceConfig(
        name="apple-hn",
        kind="hackernews",
        url="https://hn.algolia.com/?q=tim+cook",
        brand="Apple",
        options={"api_base": server.url("/api/v1"), **options},
    )
    monitor = MonitorConfig.model_validate(
        {"brands": [{"name": "Apple"}], "sources": [config.model_dump()], "http": http.model_dump()}
    )
    return HackerNewsSource(config, monitor)


def paged(story_hits: dict[str, Any], pages: int) -> Any:
    """The recorded page, served as page N of ``pages`` (the real one says page 1 of 50)."""

    def handler(request: RecordedRequest) -> Reply:
        page = int(parse_qs(request.query)["page"][0])
        body = {**story_hits, "page": page, "nbPages": pages}
        if page == 1:
            body["hits"] = COMMENT_HITS["hits"]
        return Reply(200, {"Content-Type": "application/json"}, json.dumps(body))

    return handler


def test_first_night_pages_filters_by_brand_and_keeps_a_cursor(
    local_server: LocalServer, fast_http: HttpSettings, story_hits: dict[str, Any]
) -> None:
    local_server.route("/api/v1/search_by_date", paged(story_hits, 2))
    source = make_source(local_server, fast_http)
    with HttpClient(fast_http) as client:
        outcome = source.fetch(client, None)
    # 17 of the 20 recorded stories name Apple (three only name Tim Cook), plus the comment.
    kept, skipped = gated(source, outcome)
    assert (len(outcome.mentions), len(kept)) == (21, 18)
    assert skipped == {"no_brand_match": 3, "empty_text": 1}
    assert {"12403844", "8322920", "21217401"}.isdisjoint(m.source_item_id for m in kept)
    assert outcome.cursor == {"newest": "2026-03-05T09:14:07+00:00", "newest_ids": ["43200123"]}
    queries = [parse_qs(r.query) for r in local_server.requests_to("/api/v1/search_by_date")]
    assert queries == [
        {"query": ["tim cook"], "tags": ["(story,comment)"], "hitsPerPage": ["100"], "page": ["0"]},
        {"query": ["tim cook"], "tags": ["(story,comment)"], "hitsPerPage": ["100"], "page": ["1"]},
    ]


def test_the_next_night_asks_only_for_what_is_new(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route(
        "/api/v1/search_by_date", Reply(200, {"Content-Type": "application/json"}, json.dumps(COMMENT_HITS))
    )
    cursor = {"newest": "2026-03-05T09:14:07+00:00", "newest_ids": ["43200123"]}
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, tags="comment").fetch(client, cursor)
    assert outcome.mentions == []  # the one hit at the cursor's second was seen already
    assert outcome.cursor == cursor
    [request] = local_server.requests_to("/api/v1/search_by_date")
    assert parse_qs(request.query)["numericFilters"] == ["created_at_i>=1772702047"]
    assert parse_qs(request.query)["tags"] == ["comment"]


def test_max_pages_is_counted(local_server: LocalServer, fast_http: HttpSettings, story_hits: dict[str, Any]) -> None:
    local_server.route("/api/v1/search_by_date", paged(story_hits, 50))
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, max_pages=1).fetch(client, None)
    assert (outcome.pages, outcome.skipped["page_limit"]) == (1, 1)


def test_failures(local_server: LocalServer, fast_http: HttpSettings, story_hits: dict[str, Any]) -> None:
    local_server.route("/api/v1/search_by_date", Reply(500))
    cursor = {"newest": "2026-03-01T00:00:00+00:00", "newest_ids": []}
    with HttpClient(fast_http) as client:
        failed = make_source(local_server, fast_http).fetch(client, cursor)
        assert (failed.status, failed.skipped, failed.cursor) == ("failed", {"http_500": 1}, cursor)
        first = Reply(200, {"Content-Type": "application/json"}, json.dumps({**story_hits, "page": 0, "nbPages": 3}))
        local_server.route("/api/v1/search_by_date", [first, Reply(200, {}, "<html>busy</html>")])
        partial = make_source(local_server, fast_http).fetch(client, cursor)
    assert (partial.status, partial.pages, partial.skipped["parse"]) == ("ok", 1, 1)
    assert partial.cursor == cursor  # a page was lost, so the cursor stays where it was


def test_a_query_is_required(local_server: LocalServer, fast_http: HttpSettings) -> None:
    config = SourceConfig(name="hn", kind="hackernews", url="https://hn.algolia.com/", brand="Apple")
    monitor = MonitorConfig.model_validate({"brands": [{"name": "Apple"}], "sources": [config.model_dump()]})
    with pytest.raises(ConfigError, match="give the option 'query'"):
        HackerNewsSource(config, monitor)


def test_two_nights_through_the_pipeline(local_server: LocalServer, fast_http: HttpSettings, tmp_path: Path) -> None:
    local_server.route(
        "/api/v1/search_by_date", Reply(200, {"Content-Type": "application/json"}, json.dumps(COMMENT_HITS))
    )
    source = make_source(local_server, fast_http)
    assert two_nights(source.config, source.monitor, fast_http, tmp_path / "m.duckdb") == [1, 0]
