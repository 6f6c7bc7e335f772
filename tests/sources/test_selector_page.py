"""selector_page: CSS-selector rules on real comment sections (recipe pages) and on pages written here,
and the source's pagination, cursor, robots.txt and failures against the local server."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sentiment.config import HttpSettings
from sentiment.errors import ConfigError
from sentiment.sources.http import HttpClient
from sentiment.sources.selector_page import SelectorPageSource, SelectorRules, parse_selector_page
from tests.sources.builders import BRAND, LOCATION, monitor, source_config, two_nights
from tests.sources.hostile import NOT_HTML
from tests.support.local_server import LocalServer, Reply

WP_TIME = "%B %d, %Y at %I:%M %p"


@pytest.fixture(scope="module")
def pages(shared_data: Path) -> Path:
    return shared_data / "recipe-review-pages" / "pages"


def read(pages: Path, name: str) -> str:
    return (pages / name).read_text(encoding="utf-8")


# --- real pages --------------------------------------------------------------------------------------


def test_german_comment_with_stars_in_an_image_alt(pages: Path) -> None:
    rules = SelectorRules(
        container="li.comment",
        text=".comment-content",
        author=".comment-author-name",
        date=".comment-time",
        date_formats=[WP_TIME],
        rating="img.wprm-comment-rating",
        rating_attribute="alt",
        id_attribute="id",
    )
    url = "https://www.madamecuisine.de/gemueseeintopf-mit-wintergemuese/"
    page = parse_selector_page(read(pages, "madamecuisine.de/madamecuisine_1.html"), url, rules)
    [item] = page.items
    assert item.source_item_id == "comment-102101"
    assert item.text == "Richtig lecker, und passt toll zur Jahreszeit!"
    assert (item.author, item.rating, item.platform_lang) == ("Dagmar", 5.0, "de")  # alt="5 Sterne"
    assert item.published_at == datetime(2024, 11, 2, 21, 0, tzinfo=UTC)  # "November 02, 2024 at 9:00 pm"
    assert item.url == url + "#comment-102101"


def test_stars_counted_and_nested_replies_keep_their_own_fields(pages: Path) -> None:
    rules = SelectorRules(
        container="li.comment",
        text=".comment-content > p:not(.tasty-recipes-ratings)",
        author=".comment-author-name",
        date=".comment-time",
        date_formats=[WP_TIME],
        rating=".tasty-recipes-rating-solid",
        rating_count=True,
        id_attribute="id",
    )
    url = "https://www.theclevercarrot.com/2017/12/how-to-make-sourdough-cinnamon-rolls-step-by-step-guide/"
    page = parse_selector_page(read(pages, "theclevercarrot.com/theclevercarrot_1.html"), url, rules)
    assert len(page.items) == 55
    assert Counter(i.rating for i in page.items) == {5.0: 27, None: 25, 4.0: 2, 3.0: 1}
    by_id = {i.source_item_id: i for i in page.items}
    first = by_id["comment-995757"]
    assert (first.author, first.rating, first.published_at) == (
        "Whitney",
        5.0,
        datetime(2023, 10, 13, 18, 36, tzinfo=UTC),
    )
    assert first.text.startswith("This recipe is fantastic! I definitely liked using the softened butter method")
    assert "★" not in first.text
    # Mathew's unrated comment holds Sarah's five-star reply: the stars stay with the reply.
    assert (by_id["comment-995393"].author, by_id["comment-995393"].rating) == ("Mathew", None)
    assert (by_id["comment-995472"].author, by_id["comment-995472"].rating) == ("Sarah", 5.0)
    assert by_id["comment-995472"].parent_id == "comment-995393"
    assert by_id["comment-994421"].rating == 3.0


def test_datetime_attribute_and_paragraphs(pages: Path) -> None:
    rules = SelectorRules(
        container="li.comment",
        text=".comment-content > p",
        author=".comment-author .fn",
        date="time",
        date_attribute="datetime",
        rating="img.wprm-comment-rating",
        rating_attribute="alt",
        id_attribute="id",
    )
    url = "https://www.wellplated.com/crockpot-potato-soup-recipe/"
    page = parse_selector_page(read(pages, "wellplated.com/wellplated_2.html"), url, rules)
    assert (len(page.items), sum(1 for i in page.items if i.parent_id), page.next_url) == (24, 13, None)
    lauren, erin = page.items[:2]
    assert lauren.text.startswith("My second time making this soup. It is so delicious.")
    # <time datetime="2023-12-30T20:59:19-06:00">: the attribute, with its offset, in UTC.
    assert (lauren.published_at, lauren.rating) == (datetime(2023, 12, 31, 2, 59, 19, tzinfo=UTC), 5.0)
    assert (erin.author, erin.rating, erin.parent_id) == ("Erin Clarke", None, "comment-196097")


# --- pages written here ------------------------------------------------------------------------------


def guestbook(entries: list[tuple[str, str, str, str]], next_href: str | None = None) -> str:
    """A guest book without markup: each entry a div with its own stars text, date and author."""
    body = "".join(
        f'<div class="entry"><h3>{title}</h3><p class="txt">{text}</p>'
        f'<span class="stars">Bewertung: {stars} von 10</span><em class="when">{when}</em>'
        '<b class="who">Gast</b></div>'
        for title, text, stars, when in entries
    )
    nav = f'<a class="older" href="{next_href}">Ältere Einträge</a>' if next_href else ""
    return f'<html lang="de"><body><div id="book">{body}</div>{nav}</body></html>'


RULES: dict[str, Any] = {
    "container": "div.entry",
    "text": "p.txt",
    "title": "h3",
    "author": ".who",
    "date": ".when",
    "date_formats": ["%d.%m.%Y %H:%M"],
    "rating": ".stars",
    "rating_pattern": r"(\d+(?:[.,]\d+)?) von 10",
    "rating_min": 0,
    "rating_max": 10,
    "next": "a.older",
}


def test_rating_pattern_scale_and_hashed_ids() -> None:
    html = guestbook(
        [
            ("Toll", "Sehr nette Bedienung", "8,5", "03.03.2026 18:30"),
            ("", "", "2", "02.03.2026 09:00"),  # stars only: kept, its text is empty
            ("", "", "", "gestern"),  # neither text nor stars: skipped
        ],
        next_href="/buch?seite=2",
    )
    page = parse_selector_page(
        html, "https://cafe.example/buch", SelectorRules(**RULES), id_scope="https://cafe.example/buch"
    )
    first, stars_only = page.items
    assert (first.title, first.text, first.rating) == ("Toll", "Sehr nette Bedienung", 4.4)  # 8.5/10 -> 1..5
    assert first.published_at == datetime(2026, 3, 3, 18, 30, tzinfo=UTC)
    assert (stars_only.text, stars_only.rating) == ("", 1.8)
    assert len(first.source_item_id) == 32 and first.url == "https://cafe.example/buch"
    assert page.next_url == "https://cafe.example/buch?seite=2"
    assert page.skipped == {"no_text_or_rating": 1}
    # The same entry on another page keeps its id (scoped by the source's start URL, not the page).
    again = parse_selector_page(
        html, "https://cafe.example/buch?seite=2", SelectorRules(**RULES), id_scope="https://cafe.example/buch"
    )
    assert again.items[0].source_item_id == first.source_item_id


def test_an_unreadable_date_keeps_the_review_and_is_counted() -> None:
    html = guestbook([("x", "Lecker", "9", "am Montag")])
    page = parse_selector_page(html, "https://cafe.example/buch", SelectorRules(**RULES))
    assert [(i.text, i.published_at) for i in page.items] == [("Lecker", None)]
    assert page.skipped == {"unreadable_date": 1}


def test_empty_or_broken_documents_yield_nothing() -> None:
    rules = SelectorRules(**RULES)
    assert parse_selector_page("", "https://cafe.example/", rules).items == []
    assert parse_selector_page("<html><body>no entries</body></html>", "https://cafe.example/", rules).items == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"container": "div[", "text": "p"}, "is not a valid CSS selector"),
        ({"container": "div", "text": "p", "rating_pattern": "(unclosed"}, "is not a valid regular expression"),
        ({"container": "div"}, "option 'text': Field required"),
        ({"container": "div", "text": "p", "colour": "red"}, "option 'colour': unknown option"),
        ({"container": "div", "text": "p", "rating_max": 1}, r"rating_max \(1.0\) must be above rating_min \(1.0\)"),
    ],
)
def test_rules_are_validated(fast_http: HttpSettings, options: dict[str, Any], message: str) -> None:
    config = source_config("cafe-book", "selector_page", "https://cafe.example/buch", **options)
    with pytest.raises(ConfigError, match=message):
        SelectorPageSource(config, monitor(fast_http, config))


# --- the source over HTTP ------------------------------------------------------------------------------


def make_source(server: LocalServer, http: HttpSettings, path: str = "/buch") -> SelectorPageSource:
    config = source_config("cafe-book", "selector_page", server.url(path), **RULES)
    return SelectorPageSource(config, monitor(http, config))


def serve_book(server: LocalServer) -> None:
    server.route(
        "/buch",
        Reply(
            200,
            {"Content-Type": "text/html; charset=utf-8"},
            guestbook(
                [("A", "Bester Kuchen", "10", "05.03.2026 10:00"), ("B", "Zu laut", "3", "04.03.2026 10:00")],
                "/buch?seite=2",
            ),
        ),
    )
    server.route(
        "/buch?seite=2",
        Reply(
            200, {"Content-Type": "text/html"}, guestbook([("C", "Kalter Kaffee", "1", "01.03.2026 10:00")], "/buch")
        ),
    )


def test_pages_are_followed_and_the_cursor_stops_the_next_night(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    serve_book(local_server)
    source = make_source(local_server, fast_http)
    with HttpClient(fast_http) as client:
        first = source.fetch(client, None)
        second = source.fetch(client, first.cursor)
    assert [m.text for m in first.mentions] == ["Bester Kuchen", "Zu laut", "Kalter Kaffee"]
    assert first.pages == 2  # page 2 links back to page 1: a repeated URL ends the walk
    mention = first.mentions[0]
    assert (mention.brand, mention.location, mention.rating, mention.platform_lang) == (BRAND, LOCATION, 5.0, "de")
    assert first.cursor is not None and first.cursor["newest"] == "2026-03-05T10:00:00+00:00"
    assert (second.mentions, second.pages, second.cursor) == ([], 1, first.cursor)


def test_robots_txt_is_obeyed(local_server: LocalServer, fast_http: HttpSettings) -> None:
    serve_book(local_server)
    local_server.route("/robots.txt", Reply(200, {"Content-Type": "text/plain"}, "User-agent: *\nDisallow: /buch\n"))
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http).fetch(client, None)
    assert (outcome.status, outcome.skipped) == ("failed", {"robots": 1})
    assert local_server.requests_to("/buch") == []


def test_a_failing_later_page_keeps_the_old_cursor(local_server: LocalServer, fast_http: HttpSettings) -> None:
    serve_book(local_server)
    local_server.route("/buch?seite=2", Reply(503))
    cursor = {"newest": "2026-02-01T00:00:00+00:00", "newest_ids": []}
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http).fetch(client, cursor)
        missing = make_source(local_server, fast_http, "/nowhere").fetch(client, cursor)
    assert (outcome.status, outcome.pages, outcome.skipped) == ("ok", 1, {"http_503": 1})
    assert [m.text for m in outcome.mentions] == ["Bester Kuchen", "Zu laut"]
    assert outcome.cursor == cursor
    assert (missing.status, missing.skipped, missing.cursor) == ("failed", {"http_404": 1}, cursor)


def test_two_nights_through_the_pipeline(local_server: LocalServer, fast_http: HttpSettings, tmp_path: Path) -> None:
    serve_book(local_server)
    source = make_source(local_server, fast_http)
    assert two_nights(source.config, source.monitor, fast_http, tmp_path / "m.duckdb") == [3, 0]


# --- broken and hostile pages -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(NOT_HTML))
def test_a_first_page_that_is_not_html_fails_the_source(
    local_server: LocalServer, fast_http: HttpSettings, kind: str
) -> None:
    local_server.route("/buch", NOT_HTML[kind])
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http).fetch(client, None)
    assert (outcome.status, outcome.skipped, outcome.mentions, outcome.cursor) == ("failed", {"not_html": 1}, [], None)
    assert outcome.error is not None and " is not an HTML page (" in outcome.error


def test_a_later_page_that_is_not_html_is_counted_and_the_cursor_kept(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    serve_book(local_server)
    local_server.route("/buch?seite=2", NOT_HTML["random bytes"])
    cursor = {"newest": "2026-02-01T00:00:00+00:00", "newest_ids": []}
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http).fetch(client, cursor)
    assert (outcome.status, outcome.pages, outcome.skipped) == ("ok", 1, {"not_html": 1})
    assert [m.text for m in outcome.mentions] == ["Bester Kuchen", "Zu laut"]
    assert outcome.cursor == cursor


def test_undecodable_bytes_are_replaced_and_counted(local_server: LocalServer, fast_http: HttpSettings) -> None:
    page = guestbook([("A", "Größter Käsekuchen, überall gelobt", "10", "05.03.2026 10:00")])
    body = page.encode().replace("Größter ".encode(), "Größter ".encode() + b"\xff")
    local_server.route("/buch", Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body))
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http).fetch(client, None)
    assert (outcome.status, outcome.skipped) == ("ok", {"undecodable_bytes": 1})
    assert [m.text for m in outcome.mentions] == ["Größter \ufffdKäsekuchen, überall gelobt"]


def test_a_page_nested_past_the_parser_limit_is_counted_as_truncated() -> None:
    entry = guestbook([("A", "Lecker", "9", "05.03.2026 10:00")])
    deep = "<div>" * 10_000 + "</div>" * 10_000
    page = parse_selector_page(
        entry.replace("</body>", deep + "</body>"), "https://cafe.example/", SelectorRules(**RULES)
    )
    assert [i.text for i in page.items] == ["Lecker"]
    assert page.skipped == {"html_truncated": 1}
