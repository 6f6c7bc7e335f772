"""Reddit: the pure listing parser on recorded API answers, and the source's OAuth, paging and cursor."""

from __future__ import annotations

import base64
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
from sentiment.sources.http import HttpClient
from sentiment.sources.reddit import RedditSource, parse_listing
from tests.sources.builders import gated, social_config, social_monitor, two_nights
from tests.support.local_server import LocalServer, RecordedRequest, Reply

CLIENT_ID = "client-id-123"
SECRET = "client-SECRET-456"
TOKEN = "token-SECRET-789"
AGENT = "python:acme-monitor:1.0 (by /u/acme_cx)"


@pytest.fixture(scope="module")
def payloads(shared_data: Path) -> Path:
    return shared_data / "social-api-payloads" / "reddit"


def load(payloads: Path, name: str) -> Any:
    return json.loads((payloads / name).read_text(encoding="utf-8"))


# --- the parser on recorded answers ----------------------------------------------------------------------


def test_search_listing_of_submissions(payloads: Path) -> None:
    listing = parse_listing(load(payloads, "search_listing__r_all_search_q_praw_oauth_search.json"))
    assert (len(listing.items), listing.after, listing.skipped) == (6, None, {})
    first = listing.items[0]
    assert first.source_item_id == "t3_3gpbiu"
    assert first.title == "[PRAW][OAuth2Util] Problem using get_banned() : raise Forbidden(_raw=response)"
    # The permalink loses its ?ref=search_posts tracking query.
    assert (
        first.url == "https://www.reddit.com/r/redditdev/comments/3gpbiu/prawoauth2util_problem_using_get_banned_raise/"
    )
    assert (first.author, first.published_at) == ("dClauzel", datetime(2015, 8, 12, 9, 8, 34, tzinfo=UTC))
    assert first.text.startswith(f"{first.title}\n\nsolved\n\nProblem solved with this: /r/redditdev/comments/3gpbiu")
    # clean_text (ftfy) folds the full-width parentheses of the original title to ASCII ones.
    assert listing.items[-1].title == "たびたび話題になるサイドバーの閲覧中ユーザ数について(また)調べた"


def test_a_comment_page_is_flattened_with_parents_and_the_submission_title(payloads: Path) -> None:
    items = parse_listing(load(payloads, "comments_listing__2gmzqe.json")).items
    assert [(i.source_item_id, i.parent_id) for i in items] == [
        ("t3_2gmzqe", None),
        ("t1_cklfmye", "t3_2gmzqe"),
        ("t1_cklhv0f", "t1_cklfmye"),
    ]
    reply = items[2]
    assert reply.title == "[PRAW] HTTPS enabled PRAW testing needed"
    # 2014 comments carry no permalink: it is built from the submission's.
    assert (
        reply.url
        == "https://www.reddit.com/r/redditdev/comments/2gmzqe/praw_https_enabled_praw_testing_needed/cklhv0f/"
    )
    assert reply.text.startswith("Yes it does. That fix is also in the master branch")
    assert (reply.author, reply.published_at) == ("bboe", datetime(2014, 9, 18, 3, 13, 54, tzinfo=UTC))


def test_a_deep_tree_with_more_stubs_and_deleted_comments(payloads: Path) -> None:
    listing = parse_listing(load(payloads, "comments_listing__57dw9a_context100.json"))
    assert (len(listing.items), listing.skipped) == (141, {"more": 1, "deleted": 5})
    by_id = {i.source_item_id: i for i in listing.items}
    # Seven levels down: each comment points at the one it answers.
    chain = ["t1_d8s3a60"]
    while (parent := by_id[chain[-1]].parent_id) in by_id and parent != "t3_57dw9a":
        chain.append(parent)
    assert chain == ["t1_d8s3a60", "t1_d8rdeie", "t1_d8rcf9y", "t1_d8rc96c", "t1_d8ray04", "t1_d8r79x6", "t1_d8r4im1"]
    assert by_id["t1_d8ray04"].author == "ChrisHardwick"
    assert by_id["t1_d8ray04"].text.startswith("WE LOVE YOU TOO, KENNETH.")
    # Every comment carries the submission's title (its curly apostrophe made straight by clean_text).
    assert {i.title for i in listing.items} == {
        "I'm American citizen, undecided voter, loving husband Ken Bone, Welcome to the Bone Zone! AMA"
    }
    assert by_id["t1_d8r8zew"].author is None  # a comment whose author deleted the account keeps its text


def test_current_field_set(payloads: Path) -> None:
    items = parse_listing(load(payloads, "comments_listing__2025_1j7g9uj_context100.json")).items
    assert len(items) == 68
    comment = items[2]
    assert (comment.source_item_id, comment.parent_id, comment.text) == (
        "t1_mynfuan",
        "t1_mynfrrh",
        "Test u/Lil_SpazTest mention",
    )
    assert comment.url == "https://www.reddit.com/r/Lil_SpazJoekp/comments/1j7g9uj/test_post_pls_ignore/mynfuan/"


def test_subreddit_comment_stream(payloads: Path) -> None:
    listing = parse_listing(load(payloads, "subreddit_new_comments__2023.json"))
    assert (len(listing.items), listing.after) == (100, "t1_k3uzsxu")
    first = listing.items[0]
    assert (first.source_item_id, first.parent_id, first.text) == ("t1_k3yrfii", "t1_k3u4rtt", "Did it work?")
    assert first.title == "<TEST_SUBREDDIT>"  # a plain-text title is not parsed as an HTML tag
    assert first.published_at == datetime(2023, 10, 8, 8, 46, 8, tzinfo=UTC)


def test_a_comment_without_permalink_or_thread(payloads: Path) -> None:
    [item] = parse_listing(load(payloads, "info__t1_d81vwef.json")).items
    assert item.url == "https://www.reddit.com/comments/54hhwl/_/d81vwef/"
    assert item.text == (
        "That appears to be a bug in that PRAW4 is currently using /api/info to load the comment's attributes. "
        "I'll see what I can do."
    )
    with pytest.raises(ParseError, match="Listing"):
        parse_listing({"message": "Forbidden", "error": 403})


def test_popular_link_posts_carry_their_link(payloads: Path) -> None:
    items = parse_listing(load(payloads, "r_popular_hot__2026.json")).items
    assert len(items) == 100
    assert items[1].text == 'A medium rare "steak."\n\nhttps://v.redd.it/dqm10oy4d0vg1'


# --- the source over HTTP --------------------------------------------------------------------------------


def comment(base: dict[str, Any], cid: str, body: str, created: int, **extra: Any) -> dict[str, Any]:
    data = copy.deepcopy(base)
    data.update(id=cid, name=f"t1_{cid}", body=body, body_html=None, created_utc=created, **extra)
    data["permalink"] = f"/r/espresso/comments/abc/thread/{cid}/"
    return {"kind": "t1", "data": data}


def listing(children: list[dict[str, Any]], after: str | None = None) -> str:
    return json.dumps({"kind": "Listing", "data": {"children": children, "after": after, "before": None}})


@pytest.fixture
def base_comment(payloads: Path) -> dict[str, Any]:
    data: dict[str, Any] = load(payloads, "subreddit_new_comments__2023.json")["data"]["children"][0]["data"]
    return data


def token_endpoint(request: RecordedRequest) -> Reply:
    expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    if request.headers.get("authorization") != expected or request.body != b"grant_type=client_credentials":
        return Reply(401, {"Content-Type": "application/json"}, '{"message": "Unauthorized", "error": 401}')
    answer = {"access_token": TOKEN, "token_type": "bearer", "expires_in": 86400, "scope": "*"}
    return Reply(200, {"Content-Type": "application/json"}, json.dumps(answer))


def api(pages: dict[str | None, str]) -> Any:
    def handler(request: RecordedRequest) -> Reply:
        if request.headers.get("authorization") != f"bearer {TOKEN}":
            return Reply(401, {"Content-Type": "application/json"}, '{"error": 401}')
        after = parse_qs(request.query).get("after", [None])[0]
        return Reply(200, {"Content-Type": "application/json"}, pages[after])

    return handler


def make_source(server: LocalServer, http: HttpSettings, url: str, **options: Any) -> RedditSource:
    config = social_config(
        "acme-reddit",
        "reddit",
        url,
        token_url=server.url("/api/v1/access_token"),
        api_base=server.base_url,
        user_agent=AGENT,
        **options,
    )
    return RedditSource(config, social_monitor(http, config))


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDDIT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", SECRET)


@pytest.mark.usefixtures("credentials")
def test_subreddit_comments_page_with_after_and_keep_a_cursor(
    local_server: LocalServer, fast_http: HttpSettings, base_comment: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    pages = {
        None: listing(
            [
                comment(base_comment, "c4", "Acme Coffee Kraków: queue was 20 minutes", 1772600000, link_title="Acme?"),
                comment(base_comment, "c3", "my grinder broke", 1772590000, link_title="Grinders"),
            ],
            after="t1_c3",
        ),
        "t1_c3": listing([comment(base_comment, "c2", "acme latte was burnt", 1772580000, link_title="Cafés")]),
    }
    local_server.route("/api/v1/access_token", token_endpoint, method="POST")
    local_server.route("/r/espresso/comments", api(pages))
    source = make_source(local_server, fast_http, "https://www.reddit.com/r/espresso/comments/")
    with caplog.at_level(logging.DEBUG), HttpClient(fast_http) as client:
        outcome = source.fetch(client, None)
    kept, skipped = gated(source, outcome)
    assert [m.source_item_id for m in kept] == ["t1_c4", "t1_c2"]
    assert kept[0].title == "Acme?"
    assert kept[0].url == "https://www.reddit.com/r/espresso/comments/abc/thread/c4/"
    assert (outcome.pages, len(outcome.mentions), skipped) == (2, 3, {"no_brand_match": 1})
    assert outcome.cursor == {"newest": "2026-03-04T04:53:20+00:00", "newest_ids": ["t1_c4"]}
    requests = local_server.requests_to("/r/espresso/comments")
    assert [parse_qs(r.query) for r in requests] == [
        {"limit": ["100"], "raw_json": ["1"]},
        {"limit": ["100"], "after": ["t1_c3"], "raw_json": ["1"]},
    ]
    assert all(r.headers["user-agent"] == AGENT for r in local_server.requests)
    assert SECRET not in caplog.text + repr(outcome) and TOKEN not in caplog.text + json.dumps(outcome.cursor)


@pytest.mark.usefixtures("credentials")
def test_the_next_night_stops_at_the_cursor(
    local_server: LocalServer, fast_http: HttpSettings, base_comment: dict[str, Any]
) -> None:
    pages = {
        None: listing(
            [comment(base_comment, "c5", "Acme again", 1772700000), comment(base_comment, "c4", "Acme", 1772600000)],
            after="t1_c4",
        )
    }
    local_server.route("/api/v1/access_token", token_endpoint, method="POST")
    local_server.route("/r/espresso/comments", api(pages))
    cursor = {"newest": "2026-03-04T04:53:20+00:00", "newest_ids": ["t1_c4"]}
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, "https://www.reddit.com/r/espresso/comments").fetch(
            client, cursor
        )
    assert [m.source_item_id for m in outcome.mentions] == ["t1_c5"]
    assert len(local_server.requests_to("/r/espresso/comments")) == 1  # page 1 reached c4: no page 2


@pytest.mark.usefixtures("credentials")
def test_search_reads_at_most_max_threads_and_survives_their_failures(
    local_server: LocalServer, fast_http: HttpSettings, payloads: Path
) -> None:
    search = load(payloads, "search_listing__r_all_search_q_praw_oauth_search.json")
    local_server.route("/api/v1/access_token", token_endpoint, method="POST")
    local_server.route("/search", api({None: json.dumps(search)}))
    local_server.route("/comments/3gpbiu", Reply(503))
    config_url = "https://www.reddit.com/search?q=praw"
    source = make_source(local_server, fast_http, config_url, thread_comments=True, max_threads=2, match_brand=False)
    with HttpClient(fast_http) as client:
        outcome = source.fetch(client, None)
    [search_request] = local_server.requests_to("/search")
    assert parse_qs(search_request.query) == {
        "q": ["praw"],
        "sort": ["new"],
        "t": ["all"],
        "type": ["link"],
        "limit": ["100"],
        "raw_json": ["1"],
    }
    ids = [m.source_item_id for m in outcome.mentions]
    assert ids[:6] == ["t3_3gpbiu", "t3_3x4kt2", "t3_3b4erh", "t3_1qvzkd", "t3_3qc02b", "t3_4at068"]
    # Only the first two threads (max_threads) were asked for; their failures are counted, not fatal.
    assert len(local_server.requests_to("/comments/3gpbiu")) == 3  # 503, retried
    assert len(local_server.requests_to("/comments/3x4kt2")) == 1  # 404
    assert local_server.requests_to("/comments/3b4erh") == []
    assert (outcome.status, outcome.skipped, len(outcome.mentions)) == ("ok", {"http_503": 1, "http_404": 1}, 6)


@pytest.mark.usefixtures("credentials")
def test_thread_comments_flattened_with_parent_and_title(
    local_server: LocalServer, fast_http: HttpSettings, payloads: Path
) -> None:
    thread = load(payloads, "comments_listing__2gmzqe.json")
    submission = thread[0]["data"]["children"][0]
    local_server.route("/api/v1/access_token", token_endpoint, method="POST")
    local_server.route("/r/redditdev/search", api({None: listing([submission])}))
    local_server.route("/comments/2gmzqe", api({None: json.dumps(thread)}))
    source = make_source(
        local_server,
        fast_http,
        "https://www.reddit.com/r/redditdev/search?q=https",
        thread_comments=True,
        match_brand=False,
    )
    with HttpClient(fast_http) as client:
        outcome = source.fetch(client, None)
    assert [(m.source_item_id, m.title) for m in outcome.mentions] == [
        ("t3_2gmzqe", "[PRAW] HTTPS enabled PRAW testing needed"),
        ("t1_cklfmye", "[PRAW] HTTPS enabled PRAW testing needed"),
        ("t1_cklhv0f", "[PRAW] HTTPS enabled PRAW testing needed"),
    ]
    assert parse_qs(local_server.requests_to("/r/redditdev/search")[0].query)["restrict_sr"] == ["1"]
    assert outcome.pages == 2


def test_missing_client_credentials_fail_by_name(
    local_server: LocalServer, fast_http: HttpSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDDIT_CLIENT_ID", CLIENT_ID)
    monkeypatch.delenv("REDDIT_CLIENT_SECRET", raising=False)
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, "https://www.reddit.com/r/espresso/comments").fetch(client, None)
    assert (outcome.status, outcome.skipped) == ("failed", {"credentials": 1})
    assert "REDDIT_CLIENT_SECRET" in (outcome.error or "") and CLIENT_ID not in (outcome.error or "")
    assert local_server.requests == []


def test_a_refused_token_is_counted_and_never_logged(
    local_server: LocalServer,
    fast_http: HttpSettings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("REDDIT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "wrong-SECRET")
    local_server.route("/api/v1/access_token", token_endpoint, method="POST")
    with caplog.at_level(logging.DEBUG), HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, "https://www.reddit.com/r/espresso/comments").fetch(client, None)
    assert (outcome.status, outcome.skipped) == ("failed", {"http_401": 1})
    assert "Reddit token request with REDDIT_CLIENT_ID / REDDIT_CLIENT_SECRET failed" in (outcome.error or "")
    assert "wrong-SECRET" not in caplog.text + repr(outcome)
    assert base64.b64encode(f"{CLIENT_ID}:wrong-SECRET".encode()).decode() not in caplog.text


@pytest.mark.parametrize(
    ("url", "options", "expected"),
    [
        ("https://www.reddit.com/r/espresso/search?q=acme+coffee", {}, ("search", "acme coffee", "espresso")),
        ("https://www.reddit.com/search/?q=acme", {}, ("search", "acme", None)),
        ("https://www.reddit.com/r/espresso/comments/", {}, ("comments", None, "espresso")),
        ("https://www.reddit.com/", {"mode": "comments", "subreddit": "cafe"}, ("comments", None, "cafe")),
    ],
)
def test_what_to_read(
    local_server: LocalServer, fast_http: HttpSettings, url: str, options: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    target = make_source(local_server, fast_http, url, **options).target
    assert (target.mode, target.query, target.subreddit) == expected


def test_an_incomplete_target_is_a_config_error(local_server: LocalServer, fast_http: HttpSettings) -> None:
    with pytest.raises(ConfigError, match="give mode 'search' with a 'query'"):
        make_source(local_server, fast_http, "https://www.reddit.com/r/espresso/")


@pytest.mark.usefixtures("credentials")
def test_two_nights_through_the_pipeline(
    local_server: LocalServer, fast_http: HttpSettings, base_comment: dict[str, Any], tmp_path: Path
) -> None:
    children = [comment(base_comment, "c9", "Acme Coffee has the best cortado in town", 1772900000)]
    local_server.route("/api/v1/access_token", token_endpoint, method="POST")
    local_server.route("/r/espresso/comments", api({None: listing(children)}))
    config = social_config(
        "acme-reddit",
        "reddit",
        "https://www.reddit.com/r/espresso/comments",
        token_url=local_server.url("/api/v1/access_token"),
        api_base=local_server.base_url,
    )
    assert two_nights(config, social_monitor(fast_http, config), fast_http, tmp_path / "m.duckdb") == [1, 0]
