"""The rendered pages for a fixed day: schema.org markup that extruct reads, pagination, feed, robots."""

from __future__ import annotations

import re
import urllib.robotparser
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import extruct
import feedparser
import lxml.html
import pytest

from sentiment.demo.site import (
    CANONICAL_ORIGIN,
    REVIEWS_PER_PAGE,
    SampleData,
    SampleLocation,
    SampleSite,
    load_sample_data,
    render_review_page,
)

TODAY = date(2025, 3, 14)
BASE = "http://sample.test:8765"
# (ratingValue, ratingCount, pages, reviews on the last page) over all of each location's reviews.
EXPECTED = {
    "bella/krakow": (3.5, 121, 7, 1),
    "bella/berlin": (3.9, 113, 6, 13),
    "bella/madrid": (4.1, 114, 6, 14),
    "nordbrew/paris": (3.7, 116, 6, 16),
    "nordbrew/milano": (3.9, 106, 6, 6),
    "nordbrew/warszawa": (3.9, 114, 6, 14),
}


@pytest.fixture(scope="module")
def data() -> SampleData:
    return load_sample_data()


@pytest.fixture(scope="module")
def site(data: SampleData) -> SampleSite:
    return SampleSite(data, today=TODAY, base_url=BASE)


def _location(data: SampleData, key: str) -> SampleLocation:
    brand, loc = key.split("/")
    return data.location(brand, loc)


def _business(html_text: str, url: str) -> dict[str, Any]:
    """The CafeOrCoffeeShop node as extruct reads it, from JSON-LD (either shape) or microdata."""
    found = extruct.extract(html_text, base_url=url, syntaxes=["json-ld", "microdata"], uniform=True)
    nodes: list[dict[str, Any]] = []
    for block in found["json-ld"]:
        nodes += block.get("@graph", [block])
    nodes += found["microdata"]
    shops = [n for n in nodes if n.get("@type") == "CafeOrCoffeeShop"]
    assert len(shops) == 1, [n.get("@type") for n in nodes]
    return shops[0]


def _reviews(shop: dict[str, Any]) -> list[dict[str, Any]]:
    reviews = shop.get("review", [])
    return reviews if isinstance(reviews, list) else [reviews]


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_every_page_carries_the_business_and_twenty_reviews(data: SampleData, key: str) -> None:
    loc = _location(data, key)
    value, count, pages, last = EXPECTED[key]
    assert loc.page_count() == pages
    for page in range(1, pages + 1):
        url = f"{BASE}{loc.path}" + (f"?page={page}" if page > 1 else "")
        shop = _business(render_review_page(loc, page, today=TODAY, base_url=BASE), url)
        assert shop["name"] == loc.display_name
        assert shop["address"]["streetAddress"] == loc.address.street
        assert shop["address"]["postalCode"] == loc.address.postal_code
        assert shop["address"]["addressLocality"] == loc.address.city
        assert shop["address"]["addressCountry"] == loc.address.country
        rating = shop["aggregateRating"]
        assert (float(rating["ratingValue"]), int(rating["ratingCount"])) == (value, count)
        assert (int(rating["bestRating"]), int(rating["worstRating"])) == (5, 1)
        assert len(_reviews(shop)) == (REVIEWS_PER_PAGE if page < pages else last)


def test_json_ld_review_nodes(data: SampleData) -> None:
    loc = _location(data, "bella/krakow")
    shop = _business(render_review_page(loc, 1, today=TODAY, base_url=BASE), BASE + loc.path)
    first = _reviews(shop)[0]
    newest = loc.newest_first()[0]
    assert first == {
        "@type": "Review",
        "@id": f"{CANONICAL_ORIGIN}/bella/krakow/reviews#{newest.id}",
        "author": {"@type": "Person", "name": newest.author},
        "datePublished": "2025-03-14",
        "reviewBody": newest.text,
        "reviewRating": {"@type": "Rating", "ratingValue": newest.rating, "bestRating": 5, "worstRating": 1},
        "inLanguage": newest.lang,
    }
    assert newest.id == "bella-krakow-0121"


def test_microdata_reviews_carry_itemid_and_all_fields(data: SampleData) -> None:
    loc = _location(data, "nordbrew/milano")
    assert loc.markup == "microdata"
    html_text = render_review_page(loc, 6, today=TODAY, base_url=BASE)
    assert "application/ld+json" not in html_text
    found = extruct.extract(html_text, base_url=BASE, syntaxes=["microdata"], uniform=False)["microdata"]
    shop = found[0]["properties"]
    reviews = shop["review"]
    assert len(reviews) == 6
    oldest = reviews[-1]
    assert oldest["id"] == f"{CANONICAL_ORIGIN}/nordbrew/milano/reviews#nordbrew-milano-0001"
    props = oldest["properties"]
    assert props["datePublished"] == (TODAY - timedelta(days=59)).isoformat() == "2025-01-14"
    assert props["reviewBody"] == loc.reviews[0].text
    assert props["author"]["properties"]["name"] == loc.reviews[0].author
    assert props["reviewRating"]["properties"] == {
        "ratingValue": str(loc.reviews[0].rating), "bestRating": "5", "worstRating": "1",
    }  # fmt: skip
    assert props["inLanguage"] == loc.reviews[0].lang
    assert shop["aggregateRating"]["properties"]["ratingCount"] == "106"


def test_dates_are_relative_to_today(data: SampleData) -> None:
    for loc in data.locations:
        first = render_review_page(loc, 1, today=TODAY, base_url=BASE)
        last = render_review_page(loc, loc.page_count(), today=TODAY, base_url=BASE)
        first_dates = re.findall(r'"datePublished": "([\d-]+)"|itemprop="datePublished" datetime="([\d-]+)"', first)
        last_dates = re.findall(r'"datePublished": "([\d-]+)"|itemprop="datePublished" datetime="([\d-]+)"', last)
        assert "".join(first_dates[0]) == "2025-03-14", loc.name
        assert "".join(last_dates[-1]) == "2025-01-14", loc.name
    other_day = render_review_page(data.locations[0], 1, today=date(2026, 1, 1), base_url=BASE)
    assert '"datePublished": "2026-01-01"' in other_day


def test_pagination_chains_through_every_review_once(data: SampleData, site: SampleSite) -> None:
    loc = _location(data, "bella/krakow")
    url: str | None = f"{BASE}{loc.path}"
    seen: list[str] = []
    pages = 0
    while url:
        page = site.get(url.removeprefix(BASE))
        assert page.status == 200
        doc = lxml.html.fromstring(page.body)
        head_next = doc.xpath('//head/link[@rel="next"]/@href')
        visible_next = doc.xpath('//a[@rel="next"]/@href')
        assert head_next == visible_next
        seen += [a.get("id") for a in doc.xpath('//article[@class="review"]')]
        pages += 1
        url = head_next[0] if head_next else None
    assert pages == 7
    assert seen == [r.id for r in loc.newest_first()]
    assert sorted(seen) == sorted(r.id for r in loc.reviews)


def test_pages_are_localised_with_boilerplate(data: SampleData, site: SampleSite) -> None:
    langs = {loc.slug: lxml.html.fromstring(site.get(loc.path).body).get("lang") for loc in data.locations}
    assert langs == {
        "bella-krakow": "pl", "bella-berlin": "de", "bella-madrid": "es",
        "nordbrew-paris": "fr", "nordbrew-milano": "it", "nordbrew-warszawa": "pl",
    }  # fmt: skip
    page = site.get("/bella/berlin/reviews?page=2").body.decode()
    for boilerplate in ('id="cookie-banner"', "Nächste Seite", "Vorherige Seite", "Datenschutz", "<nav"):
        assert boilerplate in page


def test_feed_parses_with_feedparser(data: SampleData, site: SampleSite) -> None:
    page = site.get("/news/feed.xml")
    assert page.content_type.startswith("application/rss+xml")
    feed = feedparser.parse(page.body)
    assert not feed.bozo and feed.version == "rss20"
    assert len(feed.entries) == 28
    first = feed.entries[0]
    assert first.title == "Co się dzieje z Bella na Rynku?"
    assert first.link == f"{BASE}/news/bella-na-rynku-co-sie-dzieje"
    assert first.id == "urn:sentiment-demo:news:bella-na-rynku-co-sie-dzieje"
    assert first.language == "pl"
    assert first.published == "Thu, 13 Mar 2025 08:15:00 +0100"
    published = [datetime(*e.published_parsed[:6]) for e in feed.entries]
    assert published == sorted(published, reverse=True)
    assert {e.language for e in feed.entries} == {"en", "pl", "de", "es", "fr", "it"}
    assert all(e.description for e in feed.entries)


def test_feed_dates_follow_the_time_zone(data: SampleData) -> None:
    summer = SampleSite(data, today=date(2025, 7, 1), base_url=BASE, timezone="Europe/Warsaw")
    entry = feedparser.parse(summer.get("/news/feed.xml").body).entries[0]
    assert entry.published == "Mon, 30 Jun 2025 08:15:00 +0200"
    utc = SampleSite(data, today=date(2025, 7, 1), base_url=BASE, timezone="UTC")
    assert feedparser.parse(utc.get("/news/feed.xml").body).entries[0].published.endswith("+0000")
    assert datetime(2025, 6, 30, 8, 15, tzinfo=ZoneInfo("Europe/Warsaw")).utcoffset() == timedelta(hours=2)


def test_robots_allows_all_but_the_private_area(site: SampleSite) -> None:
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(site.get("/robots.txt").body.decode().splitlines())
    assert robots.can_fetch("sentiment-monitor", f"{BASE}/bella/krakow/reviews?page=3")
    assert robots.can_fetch("sentiment-monitor", f"{BASE}/news/feed.xml")
    assert not robots.can_fetch("sentiment-monitor", f"{BASE}/private/login")
    assert site.get("/private/login").status == 403


def test_index_links_everything_and_errors_are_404(data: SampleData, site: SampleSite) -> None:
    index = lxml.html.fromstring(site.get("/").body)
    links = set(index.xpath("//a/@href"))
    assert set(site.urls()) - {f"{BASE}/", f"{BASE}/robots.txt"} <= links
    assert len(site.urls()) == 3 + sum(loc.page_count() for loc in data.locations) + 28
    for target in ("/bella/krakow/reviews?page=8", "/bella/krakow/reviews?page=0", "/bella/krakow/reviews?page=x",
                   "/bella/nowhere/reviews", "/news/nothing"):  # fmt: skip
        assert site.get(target).status == 404, target
    article = site.get("/news/krakow-rynek-cafe-cold-coffee")
    assert article.status == 200
    node = extruct.extract(article.body.decode(), base_url=BASE, syntaxes=["json-ld"])["json-ld"][0]
    assert node["@type"] == "NewsArticle" and node["inLanguage"] == "en"
    assert node["datePublished"] == "2025-03-11T18:40:00+01:00"
