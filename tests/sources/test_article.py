"""The ``article`` kind against the local server: a feed, and three real article pages from the
extraction benchmark (expected text from its ground truth), then the cursor, failures and the options."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sentiment import pipeline
from sentiment.config import HttpSettings
from sentiment.errors import ConfigError
from sentiment.records import SourceOutcome
from sentiment.sources.article import ArticleSource
from sentiment.sources.http import HttpClient
from sentiment.sources.registry import build_source
from sentiment.store import Store
from tests.sources.builders import BRAND, LOCATION, gated, monitor, source_config
from tests.support.local_server import Handler, LocalServer, RecordedRequest, Reply

WEWORK = "bc13ff87b2630ffbebc33bc37b11178b14f03109055e1d17bf644f804b63d98a"
STADIA = "aade2ec8d1e7b0919aef1001c3ef0573f8a239e22d4d751d8e664f04ea77ef0d"
KOREAN = "0ec95c7261d122f304728e90c983450ef1ce1e0b423546835c397d50aaf0d0f2"
HTML = {"Content-Type": "text/html; charset=utf-8"}

#: (path, benchmark page, headers): the Korean page is UTF-8 but its server claims ISO-8859-1.
PAGES = {
    "/news/wework": (WEWORK, HTML),
    "/news/stadia": (STADIA, HTML),
    "/news/korean": (KOREAN, {"Content-Type": "text/html; charset=ISO-8859-1"}),
}

ITEM = """<item><guid isPermaLink="false">{guid}</guid><title>{title}</title><link>{link}</link>
<description>Teaser: {title}</description>{extra}</item>"""


def feed(server: LocalServer, *items: tuple[str, str, str, str]) -> str:
    """An RSS 2.0 feed of (guid, title, path, extra elements) entries, linking to ``server``."""
    body = "".join(
        ITEM.format(guid=guid, title=title, link=server.url(path), extra=extra) for guid, title, path, extra in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>Acme news</title><language>en</language>{body}</channel></rss>"
    )


THREE = (
    ("g-wework", "WeWork to lay off thousands", "/news/wework",
     "<pubDate>Tue, 19 Nov 2019 08:00:00 GMT</pubDate><dc:creator>Feed Author</dc:creator>"),
    ("g-stadia", "Stadia runs below 60fps", "/news/stadia", "<pubDate>Mon, 18 Nov 2019 08:00:00 GMT</pubDate>"),
    ("g-korean", "엘제이의 리벤지인가", "/news/korean", "<pubDate>Sat, 25 Aug 2018 08:00:00 GMT</pubDate>"),
)  # fmt: skip


@pytest.fixture(scope="module")
def pages(shared_data: Path) -> dict[str, bytes]:
    html = shared_data / "article-extraction-benchmark" / "html"
    return {path: gzip.decompress((html / f"{page}.html.gz").read_bytes()) for path, (page, _) in PAGES.items()}


def serve(server: LocalServer, pages: dict[str, bytes], feed_route: Reply | None = None) -> None:
    for path, (_, headers) in PAGES.items():
        server.route(path, Reply(200, headers, pages[path]))
    server.route("/feed", feed_route or Reply(200, {"Content-Type": "application/rss+xml"}, feed(server, *THREE)))


def make_source(server: LocalServer, http: HttpSettings, url: str = "/feed", **options: object) -> ArticleSource:
    # The benchmark pages are not about "Acme": brand matching is tested on its own below.
    config = source_config("acme-press", "article", server.url(url), **{"match_brand": False, **options})
    return ArticleSource(config, monitor(http, config))


def fetch(source: ArticleSource, http: HttpSettings, cursor: dict[str, Any] | None = None) -> SourceOutcome:
    with HttpClient(http) as client:
        return source.fetch(client, cursor)


def article_requests(server: LocalServer) -> list[str]:
    return [r.path for r in server.requests if r.path.startswith("/news/")]


def test_feed_entries_become_mentions_with_the_pages_main_text(
    local_server: LocalServer, fast_http: HttpSettings, pages: dict[str, bytes]
) -> None:
    serve(local_server, pages)
    outcome = fetch(make_source(local_server, fast_http), fast_http)
    assert (outcome.status, outcome.pages, outcome.skipped) == ("ok", 4, {})
    wework, stadia, korean = outcome.mentions
    assert [m.source_item_id for m in outcome.mentions] == ["g-wework", "g-stadia", "g-korean"]
    assert (wework.source, wework.brand, wework.location) == ("acme-press", BRAND, LOCATION)

    # The page's main text, not the feed's teaser (fragments from the benchmark's ground truth).
    assert wework.text.startswith(
        "More than a third of WeWork’s 12,000 employees will likely receive notice this week that they no longer have a job."
    )
    assert "a $3 billion tender offer by SoftBank will be launched" in wework.text
    assert "Teaser" not in wework.text
    assert wework.title == "WeWork to lay off thousands"  # the feed's title first
    assert wework.author == "Feed Author"  # the feed's author first
    assert wework.published_at == datetime(2019, 11, 19, 8, tzinfo=UTC)  # the feed's date first
    assert wework.url == "https://therealdeal.com/2019/11/18/thousands-of-wework-employees-to-be-laid-off-this-week/"
    assert wework.platform_lang == "en-US"

    assert stadia.text.startswith("The promise of Google Stadia: high quality visuals and rock-solid performance")
    assert "It’s peak Google. Read our review-in-progress here." in stadia.text
    assert stadia.author == "Lewis White"  # none in the feed: the page's

    # UTF-8 served as ISO-8859-1: decoded right all the same.
    assert "엘제이의 리벤지인가, 류화영의 피해자 코스프레인가." in korean.text
    assert "여론공방이나 진흙탕 싸움이 아닌 좀 더 차분하게 사안들을 들여다봐야 할 필요가 있다." in korean.text
    assert korean.platform_lang == "ko"
    assert korean.url == local_server.url("/news/korean")  # no canonical link: the fetched URL

    assert outcome.cursor == {
        "seen": ["g-korean", "g-stadia", "g-wework"],
        "newest": "2019-11-19T08:00:00+00:00",
        "newest_ids": ["g-wework"],
    }


def conditional_feed(server: LocalServer, items: tuple[tuple[str, str, str, str], ...]) -> Handler:
    def reply(request: RecordedRequest) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304, {"ETag": '"v1"'})
        return Reply(200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, feed(server, *items))

    return reply


def test_the_next_night_fetches_only_what_is_new(
    local_server: LocalServer, fast_http: HttpSettings, pages: dict[str, bytes]
) -> None:
    serve(local_server, pages)
    source = make_source(local_server, fast_http)
    first = fetch(source, fast_http)
    assert len(article_requests(local_server)) == 3

    # The same feed again (a server that ignores conditional requests): no page is fetched again.
    second = fetch(source, fast_http, first.cursor)
    assert (second.mentions, second.pages, second.cursor) == ([], 1, first.cursor)
    assert len(article_requests(local_server)) == 3

    # A new, undated entry: only its page is fetched, and once only.
    local_server.route("/news/new", Reply(200, HTML, pages["/news/stadia"]))
    new = ("g-new", "Undated news", "/news/new", "")
    local_server.route("/feed", Reply(200, {"Content-Type": "application/rss+xml"}, feed(local_server, new, *THREE)))
    third = fetch(source, fast_http, second.cursor)
    assert [m.source_item_id for m in third.mentions] == ["g-new"]
    assert third.mentions[0].published_at == datetime(2019, 11, 19, 9, 8, 46, tzinfo=UTC)  # from the page
    fourth = fetch(source, fast_http, third.cursor)
    assert fourth.mentions == []
    assert article_requests(local_server) == ["/news/wework", "/news/stadia", "/news/korean", "/news/new"]


def test_an_unchanged_feed_costs_one_304(
    local_server: LocalServer, fast_http: HttpSettings, pages: dict[str, bytes]
) -> None:
    serve(local_server, pages)
    local_server.route("/feed", conditional_feed(local_server, THREE))
    source = make_source(local_server, fast_http)
    first = fetch(source, fast_http)
    assert first.cursor is not None and first.cursor["etag"] == '"v1"'
    second = fetch(source, fast_http, first.cursor)
    assert (second.status, second.mentions, second.pages, second.cursor) == ("ok", [], 0, first.cursor)
    assert local_server.requests_to("/feed")[-1].headers["if-none-match"] == '"v1"'


def test_pages_that_fail_or_hold_no_text_are_skipped_and_counted(
    local_server: LocalServer, fast_http: HttpSettings, pages: dict[str, bytes]
) -> None:
    serve(local_server, pages)
    local_server.route("/news/stadia", Reply(404))
    local_server.route("/news/korean", Reply(200, HTML, "<html><body><script>play()</script></body></html>"))
    source = make_source(local_server, fast_http)
    outcome = fetch(source, fast_http)
    assert outcome.status == "ok"
    assert [m.source_item_id for m in outcome.mentions] == ["g-wework"]
    assert outcome.skipped == {"http_404": 1, "no_text": 1}
    # Both are final: marked seen, and the watermark moves on.
    assert outcome.cursor is not None
    assert outcome.cursor["seen"] == ["g-korean", "g-stadia", "g-wework"]
    assert outcome.cursor["newest"] == "2019-11-19T08:00:00+00:00"
    again = fetch(source, fast_http, outcome.cursor)
    assert again.mentions == [] and len(local_server.requests_to("/news/stadia")) == 1


def test_a_page_that_may_recover_is_retried_the_next_night(
    local_server: LocalServer, fast_http: HttpSettings, pages: dict[str, bytes]
) -> None:
    serve(local_server, pages)
    local_server.route("/feed", conditional_feed(local_server, THREE))
    local_server.route("/news/stadia", Reply(503))
    source = make_source(local_server, fast_http)
    first = fetch(source, fast_http)
    assert [m.source_item_id for m in first.mentions] == ["g-wework", "g-korean"]
    assert first.skipped == {"http_503": 1}
    # Neither the watermark nor the feed's ETag may hide the waiting entry.
    assert first.cursor == {"seen": ["g-korean", "g-wework"]}

    local_server.route("/news/stadia", Reply(200, HTML, pages["/news/stadia"]))
    second = fetch(source, fast_http, first.cursor)
    assert [m.source_item_id for m in second.mentions] == ["g-stadia"]
    assert second.cursor is not None
    assert (second.cursor["etag"], second.cursor["newest"]) == ('"v1"', "2019-11-19T08:00:00+00:00")
    assert article_requests(local_server).count("/news/wework") == 1


def test_max_articles_caps_a_run_and_the_rest_follow(
    local_server: LocalServer, fast_http: HttpSettings, pages: dict[str, bytes]
) -> None:
    serve(local_server, pages)
    source = make_source(local_server, fast_http, max_articles=2)
    first = fetch(source, fast_http)
    assert [m.source_item_id for m in first.mentions] == ["g-wework", "g-stadia"]
    second = fetch(source, fast_http, first.cursor)
    assert [m.source_item_id for m in second.mentions] == ["g-korean"]
    assert second.cursor is not None and second.cursor["newest"] == "2019-11-19T08:00:00+00:00"
    assert fetch(source, fast_http, second.cursor).mentions == []


def test_the_feed_option_names_the_feed(
    local_server: LocalServer, fast_http: HttpSettings, pages: dict[str, bytes]
) -> None:
    serve(local_server, pages)
    outcome = fetch(make_source(local_server, fast_http, "/", feed=local_server.url("/feed")), fast_http)
    assert len(outcome.mentions) == 3 and not local_server.requests_to("/")


def test_listed_pages_are_read_once_with_their_canonical_url_as_id(
    local_server: LocalServer, fast_http: HttpSettings, pages: dict[str, bytes]
) -> None:
    serve(local_server, pages)
    urls = [local_server.url("/news/wework"), local_server.url("/news/korean"), local_server.url("/news/gone")]
    source = make_source(local_server, fast_http, "/", urls=urls)
    outcome = fetch(source, fast_http)
    wework, korean = outcome.mentions
    assert (
        wework.source_item_id
        == "https://therealdeal.com/2019/11/18/thousands-of-wework-employees-to-be-laid-off-this-week/"
    )
    assert wework.title == "WeWork employees to be laid off this week"  # no feed: the page's
    assert wework.published_at == datetime(2019, 11, 18, 17, 2, 2, tzinfo=UTC)
    assert korean.source_item_id == local_server.url("/news/korean")
    assert korean.published_at == datetime(2018, 8, 25, tzinfo=UTC)  # a day, found by htmldate
    assert (outcome.pages, outcome.skipped) == (2, {"http_404": 1})
    assert outcome.cursor == {"seen": sorted(urls)}
    assert fetch(source, fast_http, outcome.cursor).mentions == []


def test_a_feed_that_fails_is_reported_not_raised(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/feed", Reply(200, HTML, "<html><body>Maintenance</body></html>"))
    cursor = {"seen": ["g-1"], "newest": "2019-11-19T08:00:00+00:00", "newest_ids": ["g-1"]}
    outcome = fetch(make_source(local_server, fast_http), fast_http, cursor)
    assert (outcome.status, outcome.skipped, outcome.cursor) == ("failed", {"parse": 1}, cursor)


def test_listed_pages_that_all_fail_fail_the_source(local_server: LocalServer, fast_http: HttpSettings) -> None:
    outcome = fetch(
        make_source(local_server, fast_http, "/", urls=[local_server.url("/a"), local_server.url("/b")]), fast_http
    )
    assert (outcome.status, outcome.skipped, outcome.cursor) == ("failed", {"http_404": 2}, None)
    assert outcome.error is not None and "HTTP 404" in outcome.error


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"feed": "https://a.example/feed", "urls": ["https://a.example/1"]}, "either 'feed' or 'urls', not both"),
        ({"urls": ["ftp://a.example/1"]}, "'ftp://a.example/1' is not an http\\(s\\) URL"),
        ({"urls": []}, "option 'urls'"),
        ({"max_articles": 0}, "option 'max_articles'"),
        ({"limit": 3}, "option 'limit': unknown option"),
    ],
)
def test_bad_options_are_config_errors(fast_http: HttpSettings, options: dict[str, object], message: str) -> None:
    config = source_config("acme-press", "article", "https://a.example/feed", **options)
    with pytest.raises(ConfigError, match=message):
        ArticleSource(config, monitor(fast_http, config))


def test_articles_must_name_the_brand_by_default(
    local_server: LocalServer, fast_http: HttpSettings, pages: dict[str, bytes]
) -> None:
    serve(local_server, pages)
    config = source_config("acme-press", "article", local_server.url("/feed"))
    source = ArticleSource(config, monitor(fast_http, config))
    with HttpClient(fast_http) as client:
        outcome = source.fetch(client, None)
    assert (outcome.status, len(outcome.mentions)) == ("ok", 3)
    assert all(m.brand_gate for m in outcome.mentions)  # the text stage applies the gate
    assert gated(source, outcome) == ([], {"no_brand_match": 3})


def test_the_registry_knows_the_kind(fast_http: HttpSettings) -> None:
    config = source_config("acme-press", "article", "https://a.example/feed")
    assert isinstance(build_source(config, monitor(fast_http, config)), ArticleSource)


def test_two_nights_through_the_pipeline_store_each_article_once(
    local_server: LocalServer, fast_http: HttpSettings, pages: dict[str, bytes], tmp_path: Path
) -> None:
    """The nightly flow's fetch and store stages (Prefect only wires them): mentions, then the cursor."""
    serve(local_server, pages)
    config = source_config("acme-press", "article", local_server.url("/feed"), match_brand=False)
    settings = monitor(fast_http, config)
    with Store(tmp_path / "monitor.duckdb") as store, HttpClient(fast_http) as client:
        new = []
        for night in ("2019-11-20", "2019-11-21"):
            stats = pipeline.RunStats(run_id=night, as_of=datetime.fromisoformat(night).date())
            store.start_run(stats.run_id, as_of=stats.as_of, config_sha256="test")
            outcome = pipeline.fetch_source(config, settings, store.cursor(config.name), client)
            new.append(pipeline.store_outcome(store, outcome, settings, stats))
        assert new == [3, 0]
        assert store.cursor(config.name) == outcome.cursor
    assert len(article_requests(local_server)) == 3
