"""examples/demo.yaml loads and agrees with the sample web it points at."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment.config import AlertRules, MonitorConfig, load_config
from sentiment.demo.site import SampleData, load_sample_data
from sentiment.text.attribution import attribute_location
from sentiment.text.brands import BrandMatcher

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "examples" / "demo.yaml"
BASE = "http://127.0.0.1:8765"


@pytest.fixture
def monitor(monkeypatch: pytest.MonkeyPatch) -> MonitorConfig:
    monkeypatch.setenv("SENTIMENT_DEMO_BASE_URL", BASE)
    monkeypatch.setenv("SENTIMENT_DEMO_CHAT_URL", "mmost://127.0.0.1:9/demo-hook")
    monkeypatch.setenv(
        "SENTIMENT_DEMO_MAIL_URL", "mailto://127.0.0.1:9/cx@bella.example?from=monitor@bella.example&mode=insecure"
    )
    return load_config(DEMO_CONFIG)


@pytest.fixture(scope="module")
def data() -> SampleData:
    return load_sample_data()


def test_settings(monitor: MonitorConfig) -> None:
    assert monitor.timezone == "Europe/Warsaw"
    assert monitor.database == "data/demo.duckdb"
    rules = monitor.alerts
    assert rules == AlertRules()  # the demo spells out the defaults
    chat, mail = monitor.channels
    assert (chat.name, chat.kind, chat.url_env) == ("demo-chat", "apprise", "SENTIMENT_DEMO_CHAT_URL")
    assert (mail.name, mail.kind, mail.url_env) == ("demo-mail", "apprise", "SENTIMENT_DEMO_MAIL_URL")
    assert chat.url() == "mmost://127.0.0.1:9/demo-hook"


def test_brands_and_locations_match_the_site(monitor: MonitorConfig, data: SampleData) -> None:
    assert [(b.name, b.competitor, b.aliases) for b in monitor.brands] == [
        (b.name, b.competitor, list(b.aliases)) for b in data.brands
    ]
    for brand, sample in zip(monitor.brands, data.brands, strict=True):
        for loc, site_loc in zip(brand.locations, sample.locations, strict=True):
            assert (loc.name, loc.aliases) == (site_loc.name, list(site_loc.aliases))
            assert loc.address is not None
            a, s = loc.address, site_loc.address
            assert (a.street, a.postal_code, a.city, a.country) == (s.street, s.postal_code, s.city, s.country)


def test_one_review_source_per_location_and_the_feed(monitor: MonitorConfig, data: SampleData) -> None:
    reviews = {(s.brand, s.location): s for s in monitor.sources if s.kind == "review_page"}
    assert len(reviews) == 6
    for loc in data.locations:
        source = reviews[(loc.brand_name, loc.name)]
        assert source.url == f"{BASE}{loc.path}"
        assert source.options == {"max_pages": 10} and source.enabled
        assert loc.page_count() <= 10
    feeds = [(s.url, s.brand, s.location) for s in monitor.sources if s.kind == "rss"]
    assert feeds == [(f"{BASE}/news/feed.xml", "Bella Caffè", None), (f"{BASE}/news/feed.xml", "Nordbrew Coffee", None)]


def test_each_feed_reading_keeps_the_items_naming_its_brand(monitor: MonitorConfig, data: SampleData) -> None:
    """The brand gate of news sources agrees with the brands each hand-written item is about."""
    matcher = BrandMatcher.from_config(monitor)
    for item in data.news:
        named = {b.name for b in monitor.brands if matcher.mentions(f"{item.title}\n{item.body}", b.name)}
        assert named == set(item.brands), item.id


def test_news_locations_are_what_attribution_finds(monitor: MonitorConfig, data: SampleData) -> None:
    """Each news item's ``location`` in news.yaml is what the text stage attributes it to."""
    bella = monitor.brand("Bella Caffè")
    for item in data.news:
        assert attribute_location(f"{item.title}\n{item.body}", bella) == item.location, item.id
    assert sum(1 for item in data.news if item.location) == 14
