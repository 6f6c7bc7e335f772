"""The sample web over real HTTP on 127.0.0.1, and the project's own sources reading it."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import feedparser
import httpx
import pytest

from sentiment.config import load_config
from sentiment.demo.server import SampleWeb, serve_sample_web
from sentiment.sources.http import HttpClient
from sentiment.sources.review_page import ReviewPageSource
from sentiment.sources.rss import RssSource

TODAY = date(2025, 3, 14)
DEMO_CONFIG = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "demo.yaml")


@pytest.fixture(scope="module")
def web() -> Iterator[SampleWeb]:
    with serve_sample_web(today=TODAY) as running:
        yield running


def test_serves_pages_feed_and_robots(web: SampleWeb) -> None:
    assert web.base_url.startswith("http://127.0.0.1:") and not web.base_url.endswith("/")
    with httpx.Client(base_url=web.base_url, timeout=5) as client:
        index = client.get("/")
        assert index.status_code == 200 and index.headers["content-type"] == "text/html; charset=utf-8"
        page = client.get("/bella/krakow/reviews", params={"page": 2})
        assert page.status_code == 200
        assert page.text.count('<article class="review"') == 20
        assert f'<link rel="next" href="{web.base_url}/bella/krakow/reviews?page=3">' in page.text
        feed = client.get("/news/feed.xml")
        assert feed.headers["content-type"] == "application/rss+xml; charset=utf-8"
        assert len(feedparser.parse(feed.content).entries) == 28
        robots = client.get("/robots.txt")
        assert "Disallow: /private/" in robots.text
        assert client.get("/private/login").status_code == 403
        assert client.get("/bella/krakow/reviews?page=99").status_code == 404
        head = client.head("/nordbrew/milano/reviews")
        assert head.status_code == 200 and head.content == b""
        assert int(head.headers["content-length"]) == len(client.get("/nordbrew/milano/reviews").content)


def test_conditional_requests(web: SampleWeb) -> None:
    with httpx.Client(base_url=web.base_url, timeout=5) as client:
        first = client.get("/news/feed.xml")
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert modified == "Thu, 13 Mar 2025 23:00:00 GMT"  # midnight of TODAY in Europe/Warsaw
        assert client.get("/news/feed.xml", headers={"If-None-Match": etag}).status_code == 304
        assert client.get("/news/feed.xml", headers={"If-Modified-Since": modified}).status_code == 304
        assert client.get("/news/feed.xml", headers={"If-None-Match": '"other"'}).status_code == 200


def test_default_today_is_the_date_in_the_time_zone() -> None:
    with serve_sample_web(timezone="Pacific/Kiritimati") as web:
        assert web.today == datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
        body = httpx.get(f"{web.base_url}/bella/berlin/reviews", timeout=5).text
        assert f'"datePublished": "{web.today.isoformat()}"' in body


def test_close_releases_the_port() -> None:
    web = serve_sample_web()
    port = web.port
    web.close()
    web.close()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_the_project_sources_read_the_sample_web(web: SampleWeb, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo config's sources, fetching over HTTP: every review once, robots.txt obeyed."""
    monkeypatch.setenv("SENTIMENT_DEMO_BASE_URL", web.base_url)
    monkeypatch.setenv("SENTIMENT_DEMO_CHAT_URL", "mmost://127.0.0.1:9/demo-hook")
    monkeypatch.setenv(
        "SENTIMENT_DEMO_MAIL_URL", "mailto://127.0.0.1:9/cx@bella.example?from=monitor@bella.example&mode=insecure"
    )
    monitor = load_config(DEMO_CONFIG)
    sources = {s.name: s for s in monitor.sources}
    web.requests.clear()
    with HttpClient(monitor.http) as client:
        krakow = ReviewPageSource(sources["bella-krakow-reviews"], monitor).fetch(client, None)
        milano = ReviewPageSource(sources["nordbrew-milano-reviews"], monitor).fetch(client, None)
        news = RssSource(sources["coffee-press-feed"], monitor).fetch(client, None)
    assert (krakow.status, krakow.pages, len(krakow.mentions)) == ("ok", 7, 121)
    assert (milano.status, milano.pages, len(milano.mentions)) == ("ok", 6, 106)
    assert (news.status, len(news.mentions)) == ("ok", 28)
    newest = max(krakow.mentions, key=lambda m: m.published_at or datetime.min.replace(tzinfo=ZoneInfo("UTC")))
    assert newest.published_at is not None and newest.published_at.date() == TODAY
    assert {m.location for m in krakow.mentions} == {"Kraków Rynek"}
    assert all(m.rating is not None and m.text for m in krakow.mentions + milano.mentions)
    assert "/robots.txt" in web.requests
    assert not any(path.startswith("/private/") for path in web.requests)
