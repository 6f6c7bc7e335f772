"""Mastodon: the pure parser on recorded statuses, and the source's paging, cursor, auth and failures."""

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
from sentiment.sources.http import HttpClient
from sentiment.sources.mastodon import MastodonSource, id_key, parse_statuses
from tests.sources.builders import BRAND, gated, social_config, social_monitor, two_nights
from tests.support.local_server import LocalServer, RecordedRequest, Reply


@pytest.fixture(scope="module")
def payloads(shared_data: Path) -> Path:
    return shared_data / "social-api-payloads" / "mastodon"


def load(payloads: Path, name: str) -> Any:
    return json.loads((payloads / name).read_text(encoding="utf-8"))


# --- the parser on recorded responses ------------------------------------------------------------------


def test_public_timeline_statuses(payloads: Path) -> None:
    page = parse_statuses(load(payloads, "timelines_public.json"))
    assert len(page.items) == len(page.ids) == 20
    first = page.items[0]
    assert first.source_item_id == "117024258897469903"
    assert first.text == "you can't say that on television"  # <p> and &#39; gone
    assert first.author == "admin"
    assert first.url == "http://localhost:3000/@admin/117024258897469903"
    assert first.published_at == datetime(2026, 8, 2, 5, 28, 1, 712000, tzinfo=UTC)
    mention = page.items[3]
    assert (mention.source_item_id, mention.text) == ("117024251962941243", "@mastodonpy_test beep beep I'm a jeep")
    assert page.ids[-1] == "117024218475038112"


def test_the_language_field_is_only_what_the_platform_claims(payloads: Path) -> None:
    page = parse_statuses(load(payloads, "timelines_public.json"))
    # Six English test toots are tagged "ja" by the instance; they are kept as claimed, never trusted.
    assert [i.platform_lang for i in page.items].count("ja") == 6
    assert next(i for i in page.items if i.author == "mastodonpy_test").text == "it's cool guy"
    [hoot] = parse_statuses(load(payloads, "timelines_tag_hoot.json")).items
    assert (hoot.text, hoot.platform_lang, hoot.author) == ("#hoot (hashtag toot)", "ja", "mastodonpy_test_2")


def test_documentation_status_with_a_link(payloads: Path) -> None:
    [item] = parse_statuses([load(payloads, "docs_Status_entity_example.json")]).items
    assert item.source_item_id == "103270115826048975"
    assert item.author == "Gargron"
    # The invisible/ellipsis spans of a shortened link are joined back into the whole URL.
    assert item.text == (
        '"I lost my inheritance with one wrong digit on my sort code"\n\n'
        "https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code"
    )
    assert item.published_at == datetime(2019, 12, 8, 3, 48, 33, 901000, tzinfo=UTC)


def test_a_reblog_is_its_original(payloads: Path) -> None:
    original = load(payloads, "docs_Status_entity_example.json")
    # Hand-made wrapper in the shape Mastodon sends a reblog: its own id and account, the original inside.
    reblog = {**copy.deepcopy(load(payloads, "status_single.json")), "id": "117030000000000001", "reblog": original}
    page = parse_statuses([reblog, original])
    assert page.ids == ["117030000000000001", "103270115826048975"]
    assert [i.source_item_id for i in page.items] == ["103270115826048975", "103270115826048975"]
    assert page.items[0].author == "Gargron"


def test_content_warning_media_only_and_replies(payloads: Path) -> None:
    base = load(payloads, "status_single.json")
    warned = {**base, "id": "2", "spoiler_text": "Acme rant", "content": "<p>cold again</p>", "in_reply_to_id": "1"}
    media_only = {**base, "id": "3", "content": ""}
    page = parse_statuses([warned, media_only, "junk"])
    [item] = page.items
    assert (item.text, item.parent_id) == ("Acme rant\n\ncold again", "1")
    assert page.skipped == {"empty_text": 1, "invalid_status": 1}
    with pytest.raises(ParseError, match="JSON array"):
        parse_statuses({"error": "This method requires an authenticated user"})


def test_ids_sort_as_numbers() -> None:
    assert sorted(["99", "100", "117024218475038112"], key=id_key) == ["99", "100", "117024218475038112"]


# --- the source over HTTP ------------------------------------------------------------------------------


def status(base: dict[str, Any], status_id: str, content: str) -> dict[str, Any]:
    return {
        **copy.deepcopy(base),
        "id": status_id,
        "content": f"<p>{content}</p>",
        "url": f"https://m.example/{status_id}",
    }


def timeline(statuses: list[dict[str, Any]]) -> Any:
    """A handler serving ``statuses`` (newest first) the way Mastodon pages them by max_id / min_id."""

    def handler(request: RecordedRequest) -> Reply:
        query = {k: v[0] for k, v in parse_qs(request.query).items()}
        limit = int(query.get("limit", "40"))
        chosen = statuses
        if "max_id" in query:
            chosen = [s for s in chosen if id_key(s["id"]) < id_key(query["max_id"])][:limit]
        elif "min_id" in query:
            chosen = [s for s in chosen if id_key(s["id"]) > id_key(query["min_id"])][-limit:]
        else:
            chosen = chosen[:limit]
        return Reply(200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(chosen))

    return handler


def make_source(http: HttpSettings, url: str, **options: Any) -> MastodonSource:
    config = social_config("acme-mastodon", "mastodon", url, **options)
    return MastodonSource(config, social_monitor(http, config))


@pytest.fixture
def base_status(payloads: Path) -> dict[str, Any]:
    return dict(load(payloads, "status_single.json"))


def test_hashtag_pages_back_then_forward_from_the_cursor(
    local_server: LocalServer, fast_http: HttpSettings, base_status: dict[str, Any]
) -> None:
    older = [
        status(base_status, str(i), f"Acme latte number {i}" if i % 2 else "no brand here") for i in range(5, 0, -1)
    ]
    served = list(older)
    local_server.route("/api/v1/timelines/tag/acme", timeline(served))
    source = make_source(fast_http, local_server.url("/tags/acme"), limit=2)
    with HttpClient(fast_http) as client:
        first = source.fetch(client, None)
        kept, skipped = gated(source, first)
        assert [m.source_item_id for m in kept] == ["5", "3", "1"]
        assert (len(first.mentions), skipped) == (5, {"no_brand_match": 2})
        assert (first.pages, first.cursor) == (3, {"newest_id": "5"})
        queries = [r.query for r in local_server.requests_to("/api/v1/timelines/tag/acme")]
        assert queries == ["limit=2", "limit=2&max_id=4", "limit=2&max_id=2"]

        served[:0] = [status(base_status, str(i), f"#AcmeCoffee flat white {i}") for i in range(8, 5, -1)]
        second = source.fetch(client, first.cursor)
    assert [m.source_item_id for m in second.mentions] == ["7", "6", "8"]
    assert second.cursor == {"newest_id": "8"}
    queries = [r.query for r in local_server.requests_to("/api/v1/timelines/tag/acme")][3:]
    assert queries == ["limit=2&min_id=5", "limit=2&min_id=7"]
    mention = second.mentions[0]
    assert (mention.brand, mention.location, mention.url) == (BRAND, None, "https://m.example/7")


def test_account_lookup_token_and_cached_id(
    local_server: LocalServer, fast_http: HttpSettings, base_status: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_MASTODON_TOKEN", "tok-SECRET-123")
    local_server.route("/api/v1/accounts/lookup", Reply(200, {"Content-Type": "application/json"}, '{"id": "4242"}'))
    local_server.route("/api/v1/accounts/4242/statuses", timeline([status(base_status, "9", "Acme is great")]))
    source = make_source(
        fast_http,
        local_server.url("/@acmecoffee@social.example"),
        token_env="ACME_MASTODON_TOKEN",
        exclude_reblogs=True,
    )
    with HttpClient(fast_http) as client:
        first = source.fetch(client, None)
        second = source.fetch(client, first.cursor)
    assert first.cursor == {"account": "acmecoffee@social.example", "account_id": "4242", "newest_id": "9"}
    assert [m.source_item_id for m in first.mentions] == ["9"]
    [lookup] = local_server.requests_to("/api/v1/accounts/lookup")  # the second night used the cached id
    assert lookup.query == "acct=acmecoffee%40social.example"
    timeline_requests = local_server.requests_to("/api/v1/accounts/4242/statuses")
    assert timeline_requests[0].query == "exclude_reblogs=true&limit=40"
    assert all(r.headers["authorization"] == "Bearer tok-SECRET-123" for r in local_server.requests)
    assert second.mentions == [] and second.cursor == first.cursor


def test_a_missing_token_fails_by_variable_name(fast_http: HttpSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACME_MASTODON_TOKEN", raising=False)
    source = make_source(fast_http, "https://m.example/tags/acme", token_env="ACME_MASTODON_TOKEN")
    with HttpClient(fast_http) as client:
        outcome = source.fetch(client, {"newest_id": "5"})
    assert (outcome.status, outcome.skipped, outcome.cursor) == ("failed", {"credentials": 1}, {"newest_id": "5"})
    assert "ACME_MASTODON_TOKEN" in (outcome.error or "")


def test_the_token_never_reaches_logs_or_the_outcome(
    local_server: LocalServer,
    fast_http: HttpSettings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("ACME_MASTODON_TOKEN", "tok-SECRET-123")
    local_server.route("/api/v1/timelines/tag/acme", Reply(500))
    source = make_source(fast_http, local_server.url("/tags/acme"), token_env="ACME_MASTODON_TOKEN")
    with caplog.at_level(logging.DEBUG), HttpClient(fast_http) as client:
        outcome = source.fetch(client, None)
    assert (outcome.status, outcome.skipped) == ("failed", {"http_500": 1})
    assert len(local_server.requests) == 3  # retried, then counted
    assert "tok-SECRET-123" not in caplog.text + repr(outcome)


def test_a_later_page_failing_keeps_what_was_read(
    local_server: LocalServer, fast_http: HttpSettings, base_status: dict[str, Any]
) -> None:
    pages = [
        Reply(
            200,
            {"Content-Type": "application/json"},
            json.dumps([status(base_status, "7", "Acme"), status(base_status, "6", "Acme")]),
        ),
        Reply(200, {"Content-Type": "text/html"}, "<html>maintenance</html>"),
    ]
    local_server.route("/api/v1/timelines/tag/acme", pages)
    with HttpClient(fast_http) as client:
        outcome = make_source(fast_http, local_server.url("/tags/acme"), limit=2).fetch(client, None)
    assert (outcome.status, outcome.pages, outcome.skipped) == ("ok", 1, {"parse": 1})
    assert [m.source_item_id for m in outcome.mentions] == ["7", "6"]


def test_match_brand_false_keeps_everything(local_server: LocalServer, fast_http: HttpSettings, payloads: Path) -> None:
    local_server.route(
        "/api/v1/timelines/tag/hoot", Reply(200, {}, (payloads / "timelines_tag_hoot.json").read_bytes())
    )
    with HttpClient(fast_http) as client:
        outcome = make_source(fast_http, local_server.url("/tags/hoot"), match_brand=False).fetch(client, None)
    assert [m.text for m in outcome.mentions] == ["#hoot (hashtag toot)"]


@pytest.mark.parametrize(
    ("url", "options", "expected"),
    [
        ("https://m.example/tags/acme", {}, ("https://m.example", "acme", None)),
        ("https://m.example/@acme", {}, ("https://m.example", None, "acme")),
        ("https://m.example/api/v1/accounts/77/statuses", {}, ("https://m.example", None, "77")),
        ("https://m.example/", {"hashtag": "#café"}, ("https://m.example", "café", None)),
        (
            "https://x.example/",
            {"instance": "https://m.example", "account": "@a@b.example"},
            ("https://m.example", None, "a@b.example"),
        ),
    ],
)
def test_what_to_read_comes_from_the_url_or_the_options(
    fast_http: HttpSettings, url: str, options: dict[str, Any], expected: tuple[str, str | None, str | None]
) -> None:
    target = make_source(fast_http, url, **options).target
    assert (target.instance, target.hashtag, target.account) == expected


def test_neither_hashtag_nor_account_is_a_config_error(fast_http: HttpSettings) -> None:
    with pytest.raises(ConfigError, match="exactly one of the options 'hashtag' or 'account'"):
        make_source(fast_http, "https://m.example/")
    with pytest.raises(ConfigError, match="exactly one"):
        make_source(fast_http, "https://m.example/", hashtag="a", account="b")


def test_two_nights_through_the_pipeline(
    local_server: LocalServer, fast_http: HttpSettings, base_status: dict[str, Any], tmp_path: Path
) -> None:
    statuses = [status(base_status, "3", "Acme Coffee: der Kaffee war kalt"), status(base_status, "2", "Acme, love it")]
    local_server.route("/api/v1/timelines/tag/acme", timeline(statuses))
    config = social_config("acme-mastodon", "mastodon", local_server.url("/tags/acme"))
    assert two_nights(config, social_monitor(fast_http, config), fast_http, tmp_path / "m.duckdb") == [2, 0]
