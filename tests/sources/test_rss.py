"""RSS/Atom: the pure parser against rss-parser's expected output, and the source's conditional fetch."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sentiment.config import HttpSettings
from sentiment.errors import ConfigError, ParseError
from sentiment.parse.clean import clean_text
from sentiment.sources import rss
from sentiment.sources.http import HttpClient
from sentiment.sources.rss import RssSource, parse_feed
from tests.sources.builders import BRAND, LOCATION, gated, monitor, source_config
from tests.support.local_server import LocalServer, RecordedRequest, Reply

FEED_URL = "https://news.example/feed"


@pytest.fixture(scope="module")
def feeds(shared_data: Path) -> Path:
    return shared_data / "social-api-payloads" / "rss-atom"


def expected_items(feeds: Path, name: str, encoding: str = "utf-8") -> list[dict[str, Any]]:
    data = json.loads((feeds / "rss-parser-expected" / f"{name}.json").read_bytes().decode(encoding))
    items: list[dict[str, Any]] = data["feed"]["items"]
    return items


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z") if value else None


@pytest.mark.parametrize(
    ("feed", "name", "encoding"),
    [
        ("heise.atom", "heise", "utf-8"),
        ("rss-1.rss", "rss-1", "utf-8"),
        ("guardian.rss", "guardian", "utf-8"),
        ("feedburner.atom", "feedburner", "utf-8"),
        ("encoding.rss", "encoding", "latin-1"),
        ("reddit-atom.rss", "reddit-atom", "utf-8"),
    ],
)
def test_titles_links_and_dates_match_rss_parser(feeds: Path, feed: str, name: str, encoding: str) -> None:
    items = parse_feed((feeds / feed).read_bytes(), FEED_URL)
    expected = expected_items(feeds, name, encoding)
    assert len(items) == len(expected)
    assert [i.title for i in items] == [clean_text(e["title"]) for e in expected]
    assert [i.url for i in items] == [e["link"] for e in expected]
    assert [iso(i.published_at) for i in items] == [e.get("isoDate") for e in expected]
    assert all(i.published_at is None or i.published_at.tzinfo is UTC for i in items)


def test_heise_atom_fields(feeds: Path) -> None:
    first = parse_feed((feeds / "heise.atom").read_bytes(), FEED_URL)[0]
    assert first.source_item_id == "http://heise.de/-3088438"
    assert first.title == "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei"
    assert first.published_at == datetime(2016, 2, 1, 16, 22, tzinfo=UTC)
    assert first.text.startswith("Die nun verfügbare Version 10 des Enterprise-Java-Servers stellt die Basis")
    assert "<p>" not in first.text and "<img" not in first.text


def test_iso_8859_1_feed_without_prolog_decodes_accents(feeds: Path) -> None:
    # uolNoticias.rss is ISO-8859-1 with no XML prolog; rss-parser read it as UTF-8 and wrote U+FFFD
    # for every accented letter, so the expected titles are compared with that substitution.
    items = parse_feed((feeds / "uolNoticias.rss").read_bytes(), FEED_URL)
    expected = expected_items(feeds, "uolNoticias")
    for item, entry in zip(items, expected, strict=True):
        # each U+FFFD stood for one accented letter (or a no-break space, which cleaning made a space)
        pattern = "".join("(?:[^\\x00-\\x7f]| )" if ch == "\ufffd" else re.escape(ch) for ch in entry["title"])
        assert re.fullmatch(pattern, item.title or ""), (item.title, entry["title"])
    assert [i.url for i in items] == [e["link"] for e in expected]
    assert items[0].title == "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno"
    assert items[0].text.startswith("Líder na pesquisa Ibope de intenção de voto")
    # Portuguese day and month names ("Seg, 24 Set 2018 19:42:40 -0300") are still read.
    assert items[0].published_at == datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)


def test_rss_1_authors_and_ids(feeds: Path) -> None:
    first = parse_feed((feeds / "rss-1.rss").read_bytes(), FEED_URL)[0]
    assert first.author == "Hines, P. J."
    assert first.source_item_id == "http://science.sciencemag.org/cgi/content/short/356/6343/1134-a?rss=1"
    assert first.text == "Food for fungi"  # no description: the title is the text


def test_feed_language_is_kept_as_platform_lang(feeds: Path) -> None:
    assert {i.platform_lang for i in parse_feed((feeds / "guardian.rss").read_bytes(), FEED_URL)} == {"en-gb"}
    assert {i.platform_lang for i in parse_feed((feeds / "encoding.rss").read_bytes(), FEED_URL)} == {"pt-pt"}


def test_large_russian_atom_feed_parses(feeds: Path) -> None:
    items = parse_feed((feeds / "feedparser__touchnokia_ru_large_atom.xml").read_bytes(), FEED_URL)
    assert len(items) == 15
    assert items[0].title == "Невидимая броня для Вашего Nokia 5800"
    assert items[0].published_at == datetime(2009, 9, 9, 14, 19, 45, tzinfo=UTC)


LATIN_FEED = (
    '<rss version="2.0"><channel><title>Café</title><language>pt-BR</language>'
    "<item><title>Atenção: promoção</title><link>/a</link><description>Ótimo café, péssimo serviço</description>"
    "<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item></channel></rss>"
)


def test_http_charset_is_used_only_when_it_holds_up() -> None:
    latin = LATIN_FEED.encode("latin-1")
    utf8 = LATIN_FEED.encode("utf-8")
    for content, charset in ((latin, "utf-8"), (latin, "iso-8859-1"), (utf8, "iso-8859-1"), (utf8, None)):
        [item] = parse_feed(content, FEED_URL, http_charset=charset)
        assert (item.title, item.text) == ("Atenção: promoção", "Ótimo café, péssimo serviço")
        assert item.url == "https://news.example/a"
        assert item.source_item_id == "https://news.example/a"  # no guid: the link


def test_a_prolog_that_lies_is_overridden() -> None:
    content = b'<?xml version="1.0" encoding="utf-8"?>\n' + LATIN_FEED.encode("latin-1")
    assert parse_feed(content, FEED_URL)[0].title == "Atenção: promoção"


@pytest.mark.parametrize("content", [b"", b"<html><body>Service unavailable</body></html>", b"not xml at all"])
def test_something_that_is_not_a_feed_is_a_parse_error(content: bytes) -> None:
    with pytest.raises(ParseError, match="not an RSS/Atom feed"):
        parse_feed(content, FEED_URL)


def test_an_empty_feed_is_fine() -> None:
    assert parse_feed(b'<rss version="2.0"><channel><title>x</title></channel></rss>', FEED_URL) == []


# --- the source over HTTP -----------------------------------------------------------------------------

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Acme news</title><language>en</language>
<item><guid>n3</guid><title>Acme opens in Krakow</title><description>&lt;p&gt;Queues &amp;amp; praise&lt;/p&gt;</description>
<pubDate>Tue, 03 Mar 2026 09:00:00 GMT</pubDate></item>
<item><guid>n2</guid><title>Acme prices up</title><description>Customers complain</description>
<pubDate>Mon, 02 Mar 2026 09:00:00 GMT</pubDate></item>
<item><guid>n1</guid><title>Old news</title><description>Nothing</description>
<pubDate>Sun, 01 Mar 2026 09:00:00 GMT</pubDate></item>
</channel></rss>"""


def make_source(server: LocalServer, http: HttpSettings, path: str = "/feed", match_brand: bool = False) -> RssSource:
    config = source_config("acme-news", "rss", server.url(path), match_brand=match_brand)
    return RssSource(config, monitor(http, config))


def conditional_feed(request: RecordedRequest) -> Reply:
    headers = {"ETag": '"v7"', "Last-Modified": "Tue, 03 Mar 2026 09:05:00 GMT"}
    if request.headers.get("if-none-match") == '"v7"':
        return Reply(304, headers)
    return Reply(200, {"Content-Type": "application/rss+xml; charset=utf-8", **headers}, FEED)


def test_fetch_maps_entries_to_mentions_and_keeps_validators(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    local_server.route("/feed", conditional_feed)
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http).fetch(client, None)
    assert (outcome.status, outcome.pages) == ("ok", 1)
    assert [m.source_item_id for m in outcome.mentions] == ["n3", "n2", "n1"]
    first = outcome.mentions[0]
    assert (first.source, first.brand, first.location, first.platform_lang) == ("acme-news", BRAND, LOCATION, "en")
    assert first.text == "Queues & praise"
    assert outcome.cursor == {
        "etag": '"v7"',
        "last_modified": "Tue, 03 Mar 2026 09:05:00 GMT",
        "newest": "2026-03-03T09:00:00+00:00",
        "newest_ids": ["n3"],
    }


def test_a_304_returns_no_mentions_and_is_not_parsed(
    local_server: LocalServer, fast_http: HttpSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_server.route("/feed", conditional_feed)
    source = make_source(local_server, fast_http)
    with HttpClient(fast_http) as client:
        first = source.fetch(client, None)

        def must_not_parse(*args: object, **kwargs: object) -> None:
            raise AssertionError("a 304 must not be parsed")

        monkeypatch.setattr(rss, "feed_items", must_not_parse)
        second = source.fetch(client, first.cursor)
    assert (second.status, second.mentions, second.pages, second.cursor) == ("ok", [], 0, first.cursor)
    request = local_server.requests_to("/feed")[-1]
    assert request.headers["if-none-match"] == '"v7"'
    assert request.headers["if-modified-since"] == "Tue, 03 Mar 2026 09:05:00 GMT"


def test_entries_not_newer_than_the_cursor_are_dropped(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/feed", Reply(200, {"Content-Type": "application/rss+xml"}, FEED))
    with HttpClient(fast_http) as client:
        cursor = {"newest": "2026-03-02T09:00:00+00:00", "newest_ids": ["n2"]}
        outcome = make_source(local_server, fast_http).fetch(client, cursor)
    assert [m.source_item_id for m in outcome.mentions] == ["n3"]
    assert outcome.cursor == {"newest": "2026-03-03T09:00:00+00:00", "newest_ids": ["n3"]}


def test_a_feed_declared_utf8_but_encoded_iso_8859_1(local_server: LocalServer, fast_http: HttpSettings) -> None:
    body = LATIN_FEED.encode("latin-1")
    local_server.route("/latin", Reply(200, {"Content-Type": "application/rss+xml; charset=UTF-8"}, body))
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, "/latin").fetch(client, None)
    [mention] = outcome.mentions
    assert (mention.title, mention.text) == ("Atenção: promoção", "Ótimo café, péssimo serviço")


@pytest.mark.parametrize(
    ("reply", "reason"),
    [(Reply(404), "http_404"), (Reply(200, {"Content-Type": "text/html"}, "<html>oops</html>"), "parse")],
)
def test_failures_are_reported_not_raised(
    local_server: LocalServer, fast_http: HttpSettings, reply: Reply, reason: str
) -> None:
    local_server.route("/feed", reply)
    cursor = {"etag": '"old"', "newest": "2026-01-01T00:00:00+00:00"}
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http).fetch(client, cursor)
    assert (outcome.status, outcome.skipped, outcome.cursor) == ("failed", {reason: 1}, cursor)


def test_news_entries_must_name_the_brand_by_default(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/feed", Reply(200, {"Content-Type": "application/rss+xml"}, FEED))
    source = make_source(local_server, fast_http, match_brand=True)
    with HttpClient(fast_http) as client:
        outcome = source.fetch(client, None)
    kept, skipped = gated(source, outcome)
    assert [m.source_item_id for m in kept] == ["n3", "n2"]
    assert (len(outcome.mentions), skipped) == (3, {"no_brand_match": 1})
    assert outcome.cursor is not None and outcome.cursor["newest_ids"] == ["n3"]


def test_rss_refuses_unknown_options(fast_http: HttpSettings) -> None:
    config = source_config("acme-news", "rss", FEED_URL, limit=5)
    with pytest.raises(ConfigError, match=r"source 'acme-news' \(kind 'rss'\): option 'limit': unknown option"):
        RssSource(config, monitor(fast_http, config))


# --- broken and hostile feeds -------------------------------------------------------------------------

POLISH_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Acme w prasie</title><language>pl</language>{channel_extra}
<item><guid>p1</guid><title>Acme otwiera kawiarnię</title><description>Świetna kawa, obsługa miła.{item_extra}</description></item>
<item><guid>p2</guid><title>Ceny w Acme</title><description>Größter Käsekuchen, ale drożej niż rok temu.</description></item>
<item><guid>p3</guid><title>Zażółć</title><description>Zażółć gęślą jaźń w Krakowie.</description></item>
</channel></rss>"""


def polish_feed(channel_extra: str = "", item_extra: str = "") -> str:
    return POLISH_FEED.format(channel_extra=channel_extra, item_extra=item_extra)


def test_one_bad_byte_in_a_utf8_feed_spoils_one_entry_and_is_counted(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    body = polish_feed().encode().replace("Größter ".encode(), "Größter ".encode() + b"\xff")
    expected = [
        "Świetna kawa, obsługa miła.",
        "Größter \ufffdKäsekuchen, ale drożej niż rok temu.",
        "Zażółć gęślą jaźń w Krakowie.",
    ]
    assert [item.text for item in parse_feed(body, FEED_URL)] == expected
    local_server.route("/feed", Reply(200, {"Content-Type": "application/rss+xml; charset=utf-8"}, body))
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http).fetch(client, None)
    assert (outcome.status, outcome.skipped) == ("ok", {"undecodable_bytes": 1})
    assert [m.text for m in outcome.mentions] == expected


@pytest.mark.parametrize("where", ["channel", "item"])
def test_elements_nested_20k_deep_leave_the_entries_intact(where: str) -> None:
    deep = "<x>" * 20_000 + "</x>" * 20_000
    feed = polish_feed(channel_extra=deep) if where == "channel" else polish_feed(item_extra=deep)
    assert [(item.source_item_id, item.text) for item in parse_feed(feed.encode(), FEED_URL)] == [
        ("p1", "Świetna kawa, obsługa miła."),
        ("p2", "Größter Käsekuchen, ale drożej niż rok temu."),
        ("p3", "Zażółć gęślą jaźń w Krakowie."),
    ]
