"""Bluesky: the pure parsers on recorded XRPC answers, and the source's session, paging and cursor."""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from sentiment.config import HttpSettings
from sentiment.errors import ConfigError, ParseError
from sentiment.sources.bluesky import BlueskySource, parse_feed, parse_posts
from sentiment.sources.http import HttpClient
from tests.sources.builders import gated, social_config, social_monitor, two_nights
from tests.support.local_server import LocalServer, RecordedRequest, Reply

JWT = "eyJhbGciOi.SECRET-ACCESS-JWT.sig"
PASSWORD = "abcd-efgh-SECRET-ijkl"


@pytest.fixture(scope="module")
def payloads(shared_data: Path) -> Path:
    return shared_data / "social-api-payloads" / "bluesky"


def load(payloads: Path, name: str) -> Any:
    return json.loads((payloads / name).read_text(encoding="utf-8"))


# --- the parsers on recorded answers ---------------------------------------------------------------------


def test_search_posts(payloads: Path) -> None:
    page = parse_posts(load(payloads, "app.bsky.feed.searchPosts__q_redistricting.json"))
    assert (len(page.items), page.next, page.skipped) == (25, "25", {})
    first = page.items[0]
    assert first.source_item_id == "at://did:plc:kkergqgbhb56ptpwj2wenkje/app.bsky.feed.post/3lpk2u6qo222m"
    assert first.url == "https://bsky.app/profile/socpaperbot.bsky.social/post/3lpk2u6qo222m"
    assert first.author == "socpaperbot.bsky.social"
    assert first.text.startswith(
        "Ends Versus Means: Public Opinion on Congressional Redistricting https://osf.io/v87fn"
    )
    assert first.published_at == datetime(2025, 5, 19, 17, 10, 9, 561858, tzinfo=UTC)
    # record.langs is ["en"] on 21 posts and absent on 4.
    assert [i.platform_lang for i in page.items].count("en") == 21
    assert [i.platform_lang for i in page.items].count(None) == 4


def test_a_post_dated_after_it_was_indexed_takes_the_index_time(payloads: Path) -> None:
    page = parse_posts(load(payloads, "app.bsky.feed.searchPosts__q_redistricting.json"))
    [skewed] = [i for i in page.items if i.author == "stemgal.bsky.social"]
    # createdAt 02:52:19.333Z claims a time after indexedAt 02:52:17.916Z: sortAt is the earlier one.
    assert skewed.published_at == datetime(2025, 5, 19, 2, 52, 17, 916000, tzinfo=UTC)
    [crlf] = [i for i in page.items if i.author == "humanbeinghuman.bsky.social"]
    assert crlf.text.startswith("Automated disqualification from services\n\n118. Manipulation of consumer rights")
    assert crlf.published_at == datetime(2025, 5, 19, 2, 3, 20, 286393, tzinfo=UTC)


def test_feed_with_reposts_and_replies(payloads: Path) -> None:
    page = parse_feed(load(payloads, "app.bsky.feed.getTimeline.json"))
    assert (len(page.items), page.next, page.skipped) == (49, "2025-05-17T09:25:00.413Z", {})
    reposted = "at://did:plc:5c2r73erhng4bszmxlfdtscf/app.bsky.feed.post/3lpemxzni4l2m"
    # The repost carries the original post: same URI as the original further down the feed.
    assert [i.source_item_id for i in page.items].count(reposted) == 2
    replies = {i.source_item_id.rsplit("/", 1)[1]: i.parent_id for i in page.items if i.parent_id}
    assert replies == {
        "3lpk2ljkgjd2t": "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lpk2ljkgjc2t",
        "3lpk2ljkgjc2t": "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lpk2lf7k6k2t",
        "3lpencuz2su2p": reposted,
    }


def test_get_posts_shape_and_errors(payloads: Path) -> None:
    [item] = parse_posts(load(payloads, "app.bsky.feed.getPosts.json")).items
    assert item.url == "https://bsky.app/profile/soubhikbarari.bsky.social/post/3k7qmjev5lr2s"
    assert item.text.startswith("Excited to be a speaker for the\n@rstatsai conf on Oct 19 @Georgetown!")
    with pytest.raises(ParseError, match="'posts' list"):
        parse_posts({"error": "AuthMissing", "message": "Authentication Required"})
    with pytest.raises(ParseError, match="'feed' list"):
        parse_feed([])


def test_image_only_posts_are_skipped(payloads: Path) -> None:
    post = copy.deepcopy(load(payloads, "app.bsky.feed.getPosts.json")["posts"][0])
    post["record"]["text"] = ""
    page = parse_posts({"posts": [post]})
    assert (page.items, page.skipped, page.next) == ([], {"empty_text": 1}, None)


# --- the source over HTTP --------------------------------------------------------------------------------


def post(payloads: Path, rkey: str, text: str, when: str) -> dict[str, Any]:
    """A real PostView (from getPosts) given a new key, text and time."""
    view: dict[str, Any] = copy.deepcopy(load(payloads, "app.bsky.feed.getPosts.json")["posts"][0])
    view["uri"] = f"at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/{rkey}"
    view["record"].update(text=text, createdAt=when)
    view["indexedAt"] = when
    return view


def session(request: RecordedRequest) -> Reply:
    body = json.loads(request.body)
    if body == {"identifier": "acme.bsky.social", "password": PASSWORD}:
        answer = {"accessJwt": JWT, "refreshJwt": "refresh", "handle": "acme.bsky.social", "did": "did:plc:x"}
        return Reply(200, {"Content-Type": "application/json"}, json.dumps(answer))
    return Reply(401, {"Content-Type": "application/json"}, '{"error": "AuthenticationRequired"}')


def search_pages(pages: dict[str | None, dict[str, Any]]) -> Any:
    def handler(request: RecordedRequest) -> Reply:
        if request.headers.get("authorization") != f"Bearer {JWT}":
            return Reply(401, {"Content-Type": "application/json"}, '{"error": "AuthMissing"}')
        cursor = parse_qs(request.query).get("cursor", [None])[0]
        return Reply(200, {"Content-Type": "application/json"}, json.dumps(pages[cursor]))

    return handler


def make_source(server: LocalServer, http: HttpSettings, url: str, **options: Any) -> BlueskySource:
    config = social_config("acme-bsky", "bluesky", url, service=server.base_url, public_api=server.base_url, **options)
    return BlueskySource(config, social_monitor(http, config))


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLUESKY_HANDLE", "acme.bsky.social")
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", PASSWORD)


@pytest.mark.usefixtures("credentials")
def test_search_logs_in_pages_and_keeps_a_cursor(
    local_server: LocalServer, fast_http: HttpSettings, payloads: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pages = {
        None: {
            "posts": [
                post(payloads, "p4", "Acme Coffee in Kraków: best flat white", "2026-03-04T10:00:00.000Z"),
                post(payloads, "p3", "acme? never heard of it... wait, #acmecoffee!", "2026-03-03T10:00:00.000Z"),
            ],
            "cursor": "2",
        },
        "2": {"posts": [post(payloads, "p2", "unrelated post about acmeology", "2026-03-02T10:00:00.000Z")]},
    }
    local_server.route("/xrpc/com.atproto.server.createSession", session, method="POST")
    local_server.route("/xrpc/app.bsky.feed.searchPosts", search_pages(pages))
    source = make_source(local_server, fast_http, "https://bsky.app/search?q=acme")
    with caplog.at_level(logging.DEBUG), HttpClient(fast_http) as client:
        outcome = source.fetch(client, None)
    kept, skipped = gated(source, outcome)
    assert [m.url for m in kept] == [
        "https://bsky.app/profile/soubhikbarari.bsky.social/post/p4",
        "https://bsky.app/profile/soubhikbarari.bsky.social/post/p3",
    ]
    assert (outcome.pages, len(outcome.mentions), skipped) == (2, 3, {"no_brand_match": 1})
    assert outcome.cursor == {
        "newest": "2026-03-04T10:00:00+00:00",
        "newest_ids": ["at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/p4"],
    }
    queries = [parse_qs(r.query) for r in local_server.requests_to("/xrpc/app.bsky.feed.searchPosts")]
    assert queries[0] == {"q": ["acme"], "sort": ["latest"], "limit": ["100"]}
    assert queries[1]["cursor"] == ["2"]
    assert JWT not in caplog.text + json.dumps(outcome.cursor) + repr(outcome)
    assert PASSWORD not in caplog.text + repr(outcome)


@pytest.mark.usefixtures("credentials")
def test_the_next_night_asks_since_the_cursor_and_stops_at_known_posts(
    local_server: LocalServer, fast_http: HttpSettings, payloads: Path
) -> None:
    known = post(payloads, "p4", "Acme again", "2026-03-04T10:00:00.000Z")
    pages = {
        None: {"posts": [post(payloads, "p5", "Acme Coffee new", "2026-03-05T08:00:00.000Z"), known], "cursor": "x"}
    }
    local_server.route("/xrpc/com.atproto.server.createSession", session, method="POST")
    local_server.route("/xrpc/app.bsky.feed.searchPosts", search_pages(pages))
    cursor = {"newest": "2026-03-04T10:00:00+00:00", "newest_ids": [known["uri"]]}
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, "https://bsky.app/", query="acme").fetch(client, cursor)
    assert [m.text for m in outcome.mentions] == ["Acme Coffee new"]
    [request] = local_server.requests_to("/xrpc/app.bsky.feed.searchPosts")
    assert parse_qs(request.query)["since"] == ["2026-03-04T10:00:00Z"]
    assert outcome.cursor is not None and outcome.cursor["newest"] == "2026-03-05T08:00:00+00:00"


def test_search_without_credentials_fails_naming_the_variables(
    local_server: LocalServer, fast_http: HttpSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACME_BSKY_HANDLE", raising=False)
    monkeypatch.setenv("ACME_BSKY_PASSWORD", PASSWORD)
    source = make_source(
        local_server,
        fast_http,
        "https://bsky.app/search?q=acme",
        handle_env="ACME_BSKY_HANDLE",
        password_env="ACME_BSKY_PASSWORD",
    )
    with HttpClient(fast_http) as client:
        outcome = source.fetch(client, {"newest": "2026-01-01T00:00:00+00:00"})
    assert (outcome.status, outcome.skipped) == ("failed", {"credentials": 1})
    assert outcome.cursor == {"newest": "2026-01-01T00:00:00+00:00"}
    assert "ACME_BSKY_HANDLE" in (outcome.error or "") and PASSWORD not in (outcome.error or "")
    assert local_server.requests == []


def test_a_refused_login_is_counted_without_the_password(
    local_server: LocalServer,
    fast_http: HttpSettings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("BLUESKY_HANDLE", "acme.bsky.social")
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "wrong-SECRET")
    local_server.route("/xrpc/com.atproto.server.createSession", session, method="POST")
    with caplog.at_level(logging.DEBUG), HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, "https://bsky.app/search?q=acme").fetch(client, None)
    assert (outcome.status, outcome.skipped) == ("failed", {"http_401": 1})
    assert "Bluesky login with BLUESKY_HANDLE / BLUESKY_APP_PASSWORD failed" in (outcome.error or "")
    assert "wrong-SECRET" not in caplog.text + repr(outcome)


def test_author_feed_is_public_and_counts_a_repost_once(
    local_server: LocalServer, fast_http: HttpSettings, payloads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BLUESKY_HANDLE", raising=False)
    feed = load(payloads, "app.bsky.feed.getTimeline.json")
    local_server.route(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        Reply(200, {"Content-Type": "application/json"}, json.dumps({"feed": feed["feed"]})),
    )
    source = make_source(local_server, fast_http, "https://bsky.app/profile/bskyr.bsky.social", match_brand=False)
    with HttpClient(fast_http) as client:
        outcome = source.fetch(client, None)
    assert len(outcome.mentions) == 48  # 49 entries, one of them a repost of a post also in the feed
    assert outcome.skipped == {"repeated": 1}
    [request] = local_server.requests_to("/xrpc/app.bsky.feed.getAuthorFeed")
    assert parse_qs(request.query) == {
        "actor": ["bskyr.bsky.social"],
        "limit": ["100"],
        "filter": ["posts_with_replies"],
    }
    assert "authorization" not in request.headers


def test_query_or_actor_is_required(local_server: LocalServer, fast_http: HttpSettings) -> None:
    with pytest.raises(ConfigError, match="exactly one of the options 'query' or 'actor'"):
        make_source(local_server, fast_http, "https://bsky.app/")


@pytest.mark.usefixtures("credentials")
def test_two_nights_through_the_pipeline(
    local_server: LocalServer, fast_http: HttpSettings, payloads: Path, tmp_path: Path
) -> None:
    pages = {None: {"posts": [post(payloads, "p9", "Acme Coffee, finally open late", "2026-03-09T20:00:00.000Z")]}}
    local_server.route("/xrpc/com.atproto.server.createSession", session, method="POST")
    local_server.route("/xrpc/app.bsky.feed.searchPosts", search_pages(pages))
    config = social_config("acme-bsky", "bluesky", "https://bsky.app/search?q=acme", service=local_server.base_url)
    assert two_nights(config, social_monitor(fast_http, config), fast_http, tmp_path / "m.duckdb") == [1, 0]
