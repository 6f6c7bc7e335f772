"""Review pages: the pure parser on real saved pages and schema.org's examples, and the source over HTTP."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from sentiment.config import HttpSettings, MonitorConfig
from sentiment.errors import ConfigError
from sentiment.records import PageInfo
from sentiment.sources.http import HttpClient, loggable_url
from sentiment.sources.review_page import ReviewPage, ReviewPageSource, is_html, parse_review_page
from tests.sources.builders import BRAND, LOCATION, gated, monitor, review, review_page, source_config, two_nights
from tests.sources.hostile import DEEP_ARRAYS, DEEP_OBJECTS, NOT_HTML, ld_script
from tests.support.local_server import LocalServer, RecordedRequest, Reply

PAGE = "https://reviews.example/acme"


@pytest.fixture(scope="module")
def recipes(shared_data: Path) -> Path:
    return shared_data / "recipe-review-pages"


@pytest.fixture(scope="module")
def markup(shared_data: Path) -> Path:
    return shared_data / "structured-data-review-markup"


def parse_file(path: Path, url: str = PAGE) -> ReviewPage:
    return parse_review_page(path.read_bytes(), url)


# --- real recipe pages ------------------------------------------------------------------------------

RECIPE_PAGES = [
    "allrecipes.com/allrecipescurated",
    "chefjeanpierre.com/chefjeanpierre_1",
    "cloudykitchen.com/cloudykitchen_2",
    "delishkitchen.tv/delishkitchen_2",
    "fresh.iprima.cz/freshiprima_2",
    "hostthetoast.com/hostthetoast_1",
    "kuchnia-domowa.pl/kuchniadomowa",
    "madamecuisine.de/madamecuisine_1",
    "recepti.index.hr/receptiindex_1",
    "theclevercarrot.com/theclevercarrot_1",
    "therecipecritic.com/therecipecritic_2",
    "wellplated.com/wellplated_2",
    "yemek.com/yemek",
]


@pytest.mark.parametrize("name", RECIPE_PAGES)
def test_aggregate_rating_item_and_language_match_the_expected_output(recipes: Path, name: str) -> None:
    expected = json.loads((recipes / "pages" / f"{name}.expected.json").read_text(encoding="utf-8"))
    page = parse_review_page((recipes / "pages" / f"{name}.html").read_bytes(), expected["canonical_url"])
    assert page.info.rating_value is not None
    assert round(page.info.rating_value, 2) == expected["ratings"]
    count = page.info.rating_count if page.info.rating_count is not None else page.info.review_count
    assert count == expected["ratings_count"]
    assert page.info.item_name == expected["title"]
    assert page.info.item_type == "Recipe"
    assert page.lang == expected["language"]
    assert page.skipped == {}


@pytest.mark.parametrize(
    ("name", "reviews"),
    [
        ("allrecipes.com/allrecipescurated", 10),
        ("cloudykitchen.com/cloudykitchen_2", 22),
        ("delishkitchen.tv/delishkitchen_2", 8),
        ("theclevercarrot.com/theclevercarrot_1", 30),
        ("madamecuisine.de/madamecuisine_1", 1),
        ("fresh.iprima.cz/freshiprima_2", 0),
    ],
)
def test_review_counts_match_the_manifest(recipes: Path, name: str, reviews: int) -> None:
    with (recipes / "manifest.csv").open(encoding="utf-8") as f:
        manifest = {row["file"]: row for row in csv.DictReader(f)}
    assert int(manifest[f"pages/{name}.html"]["jsonld_reviews"]) == reviews
    page = parse_review_page((recipes / "pages" / f"{name}.html").read_bytes(), PAGE)
    assert len(page.items) == reviews


def test_the_same_review_twice_is_one_mention(recipes: Path) -> None:
    # chefjeanpierre carries its 12 reviews in two scripts (the manifest counts 24 nodes); hostthetoast
    # lists one identical review (same author, date and body) twice among its 60.
    chef = parse_review_page((recipes / "pages/chefjeanpierre.com/chefjeanpierre_1.html").read_bytes(), PAGE)
    toast = parse_review_page((recipes / "pages/hostthetoast.com/hostthetoast_1.html").read_bytes(), PAGE)
    assert (len(chef.items), len(toast.items)) == (12, 59)
    assert len({item.source_item_id for item in toast.items}) == 59


def test_review_fields_of_a_real_page(recipes: Path) -> None:
    page = parse_review_page((recipes / "pages/hostthetoast.com/hostthetoast_1.html").read_bytes(), PAGE)
    first = page.items[0]
    assert first.author == "Jamie Young"
    assert first.published_at == datetime(2018, 8, 14, tzinfo=UTC)
    assert first.rating == 5.0
    assert first.text.startswith("Not only does you recipe sound delicious, your photography is downright")
    assert first.platform_lang == "en-US"
    assert first.url == PAGE


def test_japanese_page_bytes_are_decoded_from_the_meta_charset(recipes: Path) -> None:
    page = parse_review_page((recipes / "pages/delishkitchen.tv/delishkitchen_2.html").read_bytes(), PAGE)
    assert page.info.item_name == "とろっとあたたまる♪ ごぼうとベーコンのクリームスープ"
    assert page.items[0].author == "ねこさん"
    assert page.items[0].published_at == datetime(2024, 7, 8, 2, 40, 14, tzinfo=UTC)
    assert (page.info.best_rating, page.info.worst_rating) == (5.0, 1.0)


def test_microdata_aggregate_rating_of_kuchnia_domowa(recipes: Path) -> None:
    page = parse_review_page((recipes / "pages/kuchnia-domowa.pl/kuchniadomowa.html").read_bytes(), PAGE)
    assert page.info == PageInfo(
        item_name="Mizeria",
        item_type="Recipe",
        rating_value=4.0,
        rating_count=7,
        best_rating=5.0,
        worst_rating=1.0,
    )
    assert page.items == []


# --- schema.org examples and extruct samples --------------------------------------------------------


@pytest.mark.parametrize("syntax", ["jsonld", "microdata", "rdfa"])
def test_eg_0010_gives_the_same_two_reviews_in_every_syntax(markup: Path, syntax: str) -> None:
    page = parse_review_page((markup / f"schemaorg-examples/eg-0010.{syntax}.html").read_bytes(), PAGE)
    fields = [(i.author, i.rating, i.title, i.text, i.published_at) for i in page.items]
    assert fields == [
        (
            "Ellie",
            1.0,
            "Not a happy camper",
            "The lamp burned out and now I have to replace it.",
            datetime(2011, 4, 1, tzinfo=UTC),
        ),
        (
            "Lucas",
            4.0,
            "Value purchase",
            "Great microwave for the price. It is small and fits in my apartment.",
            datetime(2011, 3, 25, tzinfo=UTC),
        ),
    ]
    assert (page.info.item_name, page.info.item_type) == ('Kenmore White 17" Microwave', "Product")
    assert (page.info.rating_value, page.info.review_count) == (3.5, 11)


def test_eg_0010_ids_agree_across_syntaxes(markup: Path) -> None:
    ids = {
        syntax: [i.source_item_id for i in parse_file(markup / f"schemaorg-examples/eg-0010.{syntax}.html").items]
        for syntax in ("jsonld", "microdata", "rdfa")
    }
    assert ids["jsonld"] == ids["microdata"] == ids["rdfa"]
    assert len(set(ids["jsonld"])) == 2


@pytest.mark.parametrize("syntax", ["jsonld", "microdata", "rdfa"])
def test_eg_0004_restaurant_address_in_one_line(markup: Path, syntax: str) -> None:
    page = parse_review_page((markup / f"schemaorg-examples/eg-0004.{syntax}.html").read_bytes(), PAGE)
    assert page.info == PageInfo(
        item_name="GreatFood",
        item_type="Restaurant",
        address="1901 Lemur Ave, 94086, Sunnyvale, CA",
        rating_value=4.0,
        review_count=250,
        best_rating=5.0,
        worst_rating=1.0,
    )


def test_eg_0347_reviews_with_description_instead_of_review_body(markup: Path) -> None:
    page = parse_review_page((markup / "schemaorg-examples/eg-0347.jsonld.html").read_bytes(), PAGE)
    assert [(i.author, i.text, i.rating) for i in page.items] == [
        ("Liam", "Great prices, excellent service", 5.0),
        ("David", "I am totally satisfied with the quality of service, but the waiting time should be reduced", 4.0),
    ]
    assert page.info.address == "1001 Eagle Drive, 48226, Detroit, MI"


def test_a_standalone_review_names_its_item_by_item_reviewed(markup: Path) -> None:
    page = parse_review_page((markup / "schemaorg-examples/eg-0248.jsonld.html").read_bytes(), PAGE)
    assert (page.info.item_name, page.info.item_type) == ("Fine Dining Establishment", "Restaurant")
    assert [(i.rating, i.text) for i in page.items] == [(5.0, "The restaurant has great ambiance.")]


def test_null_json_ld_scripts_are_harmless(markup: Path) -> None:
    page = parse_review_page((markup / "extruct-samples/misc__null_ld_mock.html").read_bytes(), PAGE)
    assert page.info == PageInfo(
        item_name="Some Name Goes Here",
        item_type="LocalBusiness",
        address="123 Munroe Hwy, 52342, Tacoma, Georgia, Georgia",
        rating_value=5.0,
        rating_count=280,
        best_rating=5.0,
        worst_rating=1.0,
    )
    [only] = page.items
    assert only.text.startswith("Sed ut perspiciatis unde omnis iste natus error")
    assert (only.title, only.rating, only.author, only.published_at) == (None, None, None, None)
    assert page.skipped == {}


def test_creative_work_reviews_under_main_entity_with_a_bare_rating(markup: Path) -> None:
    page = parse_review_page((markup / "extruct-samples/schema.org__CreativeWork.001.html").read_bytes(), PAGE)
    assert [(i.author, i.rating, i.title) for i in page.items] == [
        ("John Doe", 5.0, "A masterpiece of literature"),
        ("Bob Smith", 4.0, "A good read."),
    ]
    assert (page.info.item_name, page.info.item_type, page.info.review_count) == (
        "The Catcher in the Rye",
        "Book",
        3077,
    )
    assert {i.platform_lang for i in page.items} == {"en"}


# --- synthetic edge cases ---------------------------------------------------------------------------


def test_invalid_json_ld_is_skipped_counted_and_the_rest_kept() -> None:
    good = review("Ann", "2026-01-02", "Lovely coffee", 5)
    html = (
        '<html><script type="application/ld+json">{"@type": "Review", "reviewBody": </script>'
        f'<script type="application/ld+json">{json.dumps(good)}</script></html>'
    )
    page = parse_review_page(html, PAGE)
    assert [i.text for i in page.items] == ["Lovely coffee"]
    assert page.skipped == {"invalid_jsonld": 1}


def test_lenient_json_ld_comment_wrapper_and_trailing_comma() -> None:
    html = '<script type="application/ld+json"><!-- {"@type": "Review", "reviewBody": "ok", } --></script>'
    assert [i.text for i in parse_review_page(html, PAGE).items] == ["ok"]


def test_a_review_with_neither_text_nor_rating_is_skipped() -> None:
    data = {
        "@type": "Product",
        "name": "P",
        "review": [{"@type": "Review", "author": "X"}, review("Y", "2026-01-01", "Good")],
    }
    page = parse_review_page(f'<script type="application/ld+json">{json.dumps(data)}</script>', PAGE)
    assert [i.author for i in page.items] == ["Y"]
    assert page.skipped == {"no_text_or_rating": 1}


def test_graph_references_reviews_key_and_explicit_ids_are_resolved() -> None:
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Restaurant", "@id": "#biz", "name": "Cafe", "reviews": [{"@id": "#r1"}, {"@id": "#r2"}]},
            {"@type": "Review", "@id": "#r1", "reviewBody": "Too slow", "reviewRating": {"ratingValue": "2"}},
            {
                "@type": "Review",
                "@id": "#r2",
                "reviewBody": "Fine",
                "reviewRating": {"ratingValue": "8", "bestRating": "10", "worstRating": "0"},
                "url": "/r/2",
            },
        ],
    }
    page = parse_review_page(f'<script type="application/ld+json">{json.dumps(data)}</script>', PAGE)
    assert [(i.source_item_id, i.text, i.rating) for i in page.items] == [
        (f"{PAGE}#r1", "Too slow", 2.0),
        (f"{PAGE}#r2", "Fine", 4.2),
    ]
    assert page.items[1].url == "https://reviews.example/r/2"
    assert page.info.item_name == "Cafe"


def test_an_id_shared_by_different_reviews_falls_back_to_hashes() -> None:
    reviews = [dict(review("A", "2026-01-01", "one"), url=PAGE), dict(review("B", "2026-01-02", "two"), url=PAGE)]
    data = {"@type": "Product", "name": "P", "review": reviews}
    page = parse_review_page(f'<script type="application/ld+json">{json.dumps(data)}</script>', PAGE)
    assert len({i.source_item_id for i in page.items}) == 2
    assert PAGE not in {i.source_item_id for i in page.items}


def test_hashed_ids_are_stable_and_scoped_by_id_scope() -> None:
    html = review_page([review("Ann", "2026-01-02", "Lovely")])
    first = parse_review_page(html, f"{PAGE}?page=2#top", id_scope=PAGE).items[0]
    again = parse_review_page(html, f"{PAGE}?page=3", id_scope=PAGE).items[0]
    other = parse_review_page(html, "https://reviews.example/other").items[0]
    assert first.source_item_id == again.source_item_id != other.source_item_id
    assert first.url == f"{PAGE}?page=2"


def test_empty_and_markup_free_pages_give_nothing() -> None:
    for html in (b"", "", "   ", "<html><body>No reviews yet</body></html>", b"\xff\xfe\x00garbage"):
        page = parse_review_page(html, PAGE)
        assert (page.items, page.info, page.next_url) == ([], PageInfo(), None)


def test_next_link_from_rel_next_resolved_against_base_href() -> None:
    link = '<html><head><base href="https://cdn.example/r/"><link rel="next" href="p2"></head></html>'
    anchor = '<html><body><a href="#">x</a><a rel="nofollow next" href="/reviews?page=2">Next</a></body></html>'
    assert parse_review_page(link, PAGE).next_url == "https://cdn.example/r/p2"
    assert parse_review_page(anchor, PAGE).next_url == "https://reviews.example/reviews?page=2"


def test_next_link_from_a_css_selector() -> None:
    html = '<ul class="pager"><li class="next"><a href="?page=2">More</a></li></ul><link rel="next" href="/x">'
    page = parse_review_page(html, PAGE, next_selector="ul.pager li.next")
    assert page.next_url == f"{PAGE}?page=2"


# --- the source over HTTP -----------------------------------------------------------------------------


def reviews_site(server: LocalServer, pages: dict[int, list[dict[str, object]]], last: int | None = None) -> None:
    """Serve ``/reviews?page=N`` pages linked with rel=next."""
    last = last or max(pages)

    def handler(request: RecordedRequest) -> Reply:
        number = int(request.query.removeprefix("page=") or 1)
        following = f"/reviews?page={number + 1}" if number < last else None
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, review_page(pages[number], next_href=following))

    server.route("/reviews", handler)


THREE_PAGES = {
    1: [review("Ann", "2026-03-03", "Great espresso", 5), review("Bob", "2026-03-02", "Slow service", 2)],
    2: [review("Cid", "2026-02-20", "Fine", 4), review("Dee", "2026-02-10", "Cold cup", 1)],
    3: [review("Eve", "2026-01-05", "Nice staff", 5)],
}


def make_source(
    server: LocalServer, http: HttpSettings, path: str = "/reviews?page=1", **options: object
) -> ReviewPageSource:
    config = source_config("acme-reviews", "review_page", server.url(path), **options)
    return ReviewPageSource(config, monitor(http, config))


def test_pagination_is_followed_across_three_pages(local_server: LocalServer, fast_http: HttpSettings) -> None:
    reviews_site(local_server, THREE_PAGES)
    source = make_source(local_server, fast_http)
    with HttpClient(fast_http) as client:
        outcome = source.fetch(client, None)
    assert (outcome.status, outcome.pages, outcome.skipped) == ("ok", 3, {})
    assert [m.author for m in outcome.mentions] == ["Ann", "Bob", "Cid", "Dee", "Eve"]
    assert {(m.source, m.brand, m.location) for m in outcome.mentions} == {("acme-reviews", BRAND, LOCATION)}
    ann = outcome.mentions[0]
    assert outcome.cursor == {"newest": "2026-03-03T00:00:00+00:00", "newest_ids": [ann.source_item_id]}
    assert source.page_info is not None and source.page_info.item_name == "Acme Krakow"
    assert [r.query for r in local_server.requests_to("/reviews")] == ["page=1", "page=2", "page=3"]


def test_the_cursor_stops_the_next_fetch_early(local_server: LocalServer, fast_http: HttpSettings) -> None:
    pages = {number: list(reviews) for number, reviews in THREE_PAGES.items()}
    reviews_site(local_server, pages)
    source = make_source(local_server, fast_http)
    with HttpClient(fast_http) as client:
        first = source.fetch(client, None)
        pages[1].insert(0, review("Fay", "2026-03-05", "New favourite", 5))
        second = source.fetch(client, first.cursor)
        third = source.fetch(client, second.cursor)
    assert [m.author for m in second.mentions] == ["Fay"]
    assert second.cursor == {"newest": "2026-03-05T00:00:00+00:00", "newest_ids": [second.mentions[0].source_item_id]}
    assert (third.mentions, third.pages, third.cursor) == ([], 1, second.cursor)
    # 3 pages, then pages 1-2 (page 2 holds nothing new), then page 1 only.
    assert [r.query for r in local_server.requests_to("/reviews")] == [
        "page=1", "page=2", "page=3", "page=1", "page=2", "page=1",
    ]  # fmt: skip


def test_a_review_dated_like_the_cursor_but_unseen_is_still_fetched(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    # Date-only reviews: one posted later on the day of the last run has the watermark's timestamp.
    pages = {1: [review("Ann", "2026-03-03", "Great espresso", 5)]}
    reviews_site(local_server, pages)
    source = make_source(local_server, fast_http)
    with HttpClient(fast_http) as client:
        first = source.fetch(client, None)
        pages[1].insert(0, review("Gus", "2026-03-03", "Late visit, still good", 4))
        second = source.fetch(client, first.cursor)
        third = source.fetch(client, second.cursor)
    assert [m.author for m in second.mentions] == ["Gus"]
    assert third.mentions == []
    assert second.cursor is not None and len(second.cursor["newest_ids"]) == 2


def test_max_pages_option_bounds_the_walk(local_server: LocalServer, fast_http: HttpSettings) -> None:
    reviews_site(local_server, THREE_PAGES)
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, max_pages=2).fetch(client, None)
    assert (outcome.pages, len(outcome.mentions)) == (2, 4)


def test_a_repeated_url_ends_the_walk(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/r1", Reply(200, body=review_page([review("A", "2026-01-01", "a")], next_href="/r2")))
    local_server.route("/r2", Reply(200, body=review_page([review("B", "2026-01-02", "b")], next_href="/r1")))
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, "/r1").fetch(client, None)
    assert (outcome.pages, len(outcome.mentions)) == (2, 2)
    assert len(local_server.requests_to("/r1")) == 1


def test_a_next_link_to_another_item_is_not_followed_into(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/a", Reply(200, body=review_page([review("A", "2026-01-01", "a")], next_href="/b")))
    local_server.route("/b", Reply(200, body=review_page([review("B", "2026-01-02", "b")], name="Other Cafe")))
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, "/a").fetch(client, None)
    assert [m.author for m in outcome.mentions] == ["A"]
    assert outcome.skipped == {"other_item": 1}


def test_a_failing_source_is_reported_and_others_still_finish(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    local_server.route("/broken", Reply(500))
    reviews_site(local_server, THREE_PAGES)
    broken = make_source(local_server, fast_http, "/broken")
    working = make_source(local_server, fast_http)
    with HttpClient(fast_http) as client:
        failed = broken.fetch(client, {"newest": "2026-01-01T00:00:00+00:00"})
        ok = working.fetch(client, None)
    assert failed.status == "failed"
    assert failed.skipped == {"http_500": 1}
    assert failed.error is not None and "HTTP 500" in failed.error
    assert failed.cursor == {"newest": "2026-01-01T00:00:00+00:00"}
    assert failed.mentions == []
    assert len(local_server.requests_to("/broken")) == 1 + fast_http.max_retries
    assert (ok.status, len(ok.mentions)) == ("ok", 5)


def test_a_later_page_that_fails_is_counted_and_the_rest_kept(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    local_server.route("/p1", Reply(200, body=review_page([review("A", "2026-01-01", "a")], next_href="/p2")))
    local_server.route("/p2", Reply(502))
    old_cursor = {"newest": "2025-12-01T00:00:00+00:00", "newest_ids": ["x"]}
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, "/p1").fetch(client, old_cursor)
    assert (outcome.status, outcome.pages, outcome.skipped) == ("ok", 1, {"http_502": 1})
    assert [m.author for m in outcome.mentions] == ["A"]
    assert outcome.cursor == old_cursor  # page 2 was never read: do not skip past it


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (Reply(200, body="x", delay_s=1.0), "timeout"),
        (Reply(200, body=b"x" * 6_000_000), "too_large"),
        (Reply(302, {"Location": "/start"}), "redirect_loop"),
    ],
)
def test_first_page_problems_fail_the_source_with_a_reason(
    local_server: LocalServer, fast_http: HttpSettings, route: Reply, reason: str
) -> None:
    local_server.route("/start", route)
    quick = fast_http.model_copy(update={"timeout_s": 0.2, "max_retries": 1})
    with HttpClient(quick) as client:
        outcome = make_source(local_server, quick, "/start").fetch(client, None)
    assert (outcome.status, outcome.skipped, outcome.mentions) == ("failed", {reason: 1}, [])


def test_robots_disallow_is_counted(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/robots.txt", Reply(200, body="User-agent: *\nDisallow: /private\n"))
    local_server.route("/open", Reply(200, body=review_page([review("A", "2026-01-01", "a")], next_href="/private/2")))
    with HttpClient(fast_http) as client:
        blocked = make_source(local_server, fast_http, "/private/1").fetch(client, None)
        partial = make_source(local_server, fast_http, "/open").fetch(client, None)
    assert (blocked.status, blocked.skipped) == ("failed", {"robots": 1})
    assert (partial.status, partial.skipped, len(partial.mentions)) == ("ok", {"robots": 1}, 1)
    assert [r.path for r in local_server.requests if r.path.startswith("/private")] == []


def test_an_empty_page_gives_zero_mentions(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/empty", Reply(200, {"Content-Type": "text/html"}, b""))
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, "/empty").fetch(client, None)
    assert (outcome.status, outcome.pages, outcome.mentions, outcome.cursor) == ("ok", 1, [], None)


def test_options_are_validated_with_helpful_messages(fast_http: HttpSettings) -> None:
    def build(**options: object) -> ReviewPageSource:
        config = source_config("acme-reviews", "review_page", PAGE, **options)
        return ReviewPageSource(config, monitor(fast_http, config))

    with pytest.raises(
        ConfigError,
        match=r"source 'acme-reviews'.*option 'max_page'.*allowed options: \['max_pages', 'next_selector'\]",
    ):
        build(max_page=3)
    with pytest.raises(ConfigError, match=r"option 'max_pages'.*greater than or equal to 1.*got 0"):
        build(max_pages=0)
    assert build(max_pages=3).options.max_pages == 3


def test_a_bad_css_selector_is_a_config_error(fast_http: HttpSettings) -> None:
    config = source_config("acme-reviews", "review_page", PAGE, next_selector="a[")
    with pytest.raises(ConfigError, match=r"option 'next_selector'.*not a valid CSS selector.*got 'a\['"):
        ReviewPageSource(config, monitor(fast_http, config))


# --- attribution by the reviewed place's name and postal address ------------------------------------

CITY_SMILES = {
    "name": "City Smiles",
    "locations": [
        {
            "name": "Detroit Downtown",
            "address": {"street": "1001 Eagle Drive", "postal_code": "48226", "city": "Detroit", "region": "MI"},
        },
        # The same street name in another town: a different branch.
        {"name": "Ann Arbor", "address": {"street": "1001 Eagle Dr.", "postal_code": "48104", "city": "Ann Arbor"}},
    ],
}


def dentist_source(server: LocalServer, http: HttpSettings, location: str | None = None) -> ReviewPageSource:
    source = {"name": "city-smiles", "kind": "review_page", "url": server.url("/dentist"), "brand": "City Smiles"}
    settings = MonitorConfig.model_validate(
        {"brands": [CITY_SMILES], "sources": [{**source, "location": location}], "http": http.model_dump()}
    )
    return ReviewPageSource(settings.sources[0], settings)


def test_a_brand_level_page_counts_for_the_location_at_its_postal_address(
    local_server: LocalServer, fast_http: HttpSettings, markup: Path
) -> None:
    """schema.org's eg-0347: a Dentist (a LocalBusiness) with a PostalAddress and two reviews."""
    page = (markup / "schemaorg-examples/eg-0347.jsonld.html").read_bytes()
    local_server.route("/dentist", Reply(200, {"Content-Type": "text/html; charset=utf-8"}, page))
    source = dentist_source(local_server, fast_http)
    with HttpClient(fast_http) as client:
        outcome = source.fetch(client, None)
        configured_source = dentist_source(local_server, fast_http, location="Ann Arbor")
        configured = configured_source.fetch(client, None)
    # The source hands on what the page reviews; the text stage matches it to a location.
    assert {(m.place_name, m.place_address, m.location) for m in outcome.mentions} == {
        ("City Smiles", "1001 Eagle Drive, 48226, Detroit, MI", None)
    }
    kept, _ = gated(source, outcome)
    assert [(m.brand, m.location) for m in kept] == [("City Smiles", "Detroit Downtown")] * 2
    # A location in the config is the source's word: the page's address does not override it.
    assert {m.location for m in gated(configured_source, configured)[0]} == {"Ann Arbor"}


def test_a_page_of_another_branch_stays_at_brand_level(
    local_server: LocalServer, fast_http: HttpSettings, markup: Path
) -> None:
    page = (markup / "schemaorg-examples/eg-0347.jsonld.html").read_text(encoding="utf-8")
    elsewhere = page.replace('"Detroit"', '"Lansing"').replace('"48226"', '"48933"')
    local_server.route("/dentist", Reply(200, {"Content-Type": "text/html; charset=utf-8"}, elsewhere))
    with HttpClient(fast_http) as client:
        outcome = dentist_source(local_server, fast_http).fetch(client, None)
    assert [(m.author, m.location) for m in outcome.mentions] == [("Liam", None), ("David", None)]


def test_the_attributed_location_is_stored_with_the_mentions(
    local_server: LocalServer, fast_http: HttpSettings, markup: Path, tmp_path: Path
) -> None:
    """Through the nightly flow's fetch and store stages: the text stage keeps the page's location."""
    page = (markup / "schemaorg-examples/eg-0347.jsonld.html").read_bytes()
    local_server.route("/dentist", Reply(200, {"Content-Type": "text/html; charset=utf-8"}, page))
    source = dentist_source(local_server, fast_http)
    assert two_nights(source.config, source.monitor, fast_http, tmp_path / "m.duckdb") == [2, 0]
    with duckdb.connect(str(tmp_path / "m.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT location, rating, text FROM mentions ORDER BY rating DESC").fetchall()
    assert rows == [
        ("Detroit Downtown", 5.0, "Great prices, excellent service"),
        (
            "Detroit Downtown",
            4.0,
            "I am totally satisfied with the quality of service, but the waiting time should be reduced",
        ),
    ]


# --- broken and hostile pages -------------------------------------------------------------------------

GOOD = review("Ann", "2026-03-01", "Dobra kawa, ale drożej niż rok temu", 4)


def test_reference_cycles_and_long_chains_in_a_graph_are_walked_without_recursion() -> None:
    cycle = {
        "@graph": [
            {"@id": "#a", "@type": "Thing", "x": {"@id": "#b"}},
            {"@id": "#b", "@type": "Thing", "y": {"@id": "#a"}},
        ]
    }
    links = [{"@id": f"#n{i}", "@type": "Thing", "next": {"@id": f"#n{i + 1}"}} for i in range(5_000)]
    chain = {"@graph": [*links, {"@id": "#n5000", "@type": "Cafe", "name": "Acme Kraków", "review": {"@id": "#r"}}]}
    html = ld_script(json.dumps(cycle)) + ld_script(json.dumps(chain)) + ld_script(json.dumps({**GOOD, "@id": "#r"}))
    page = parse_review_page(html, PAGE)
    assert [(i.author, i.text) for i in page.items] == [("Ann", "Dobra kawa, ale drożej niż rok temu")]
    assert (page.info.item_name, page.skipped) == ("Acme Kraków", {})


def test_json_ld_nested_100k_deep_is_counted_and_the_valid_review_kept() -> None:
    html = f"<html><head>{ld_script(DEEP_ARRAYS)}{ld_script(DEEP_OBJECTS)}{ld_script(json.dumps(GOOD))}</head></html>"
    page = parse_review_page(html, PAGE)
    assert [i.text for i in page.items] == ["Dobra kawa, ale drożej niż rok temu"]
    assert page.skipped == {"structured_data_too_deep": 2}


@pytest.mark.parametrize(
    ("levels", "texts", "skipped"),
    [
        (100, ["Przed", "Po"], {"structured_data_too_deep": 1}),
        # libxml2 reads HTML nested up to 255 levels and drops the rest of the page: counted, nothing raises.
        (10_000, ["Przed"], {"structured_data_too_deep": 1, "html_truncated": 1}),
    ],
)
def test_microdata_nested_deeply_is_counted_and_nothing_raises(
    levels: int, texts: list[str], skipped: dict[str, int]
) -> None:
    def micro(text: str) -> str:
        return f'<div itemscope itemtype="https://schema.org/Review"><p itemprop="reviewBody">{text}</p></div>'

    item = '<div itemprop="about" itemscope itemtype="https://schema.org/Thing">'
    deep = f'<div itemscope itemtype="https://schema.org/Thing">{item * levels}x{"</div>" * (levels + 1)}'
    page = parse_review_page(f"<html><body>{micro('Przed')}{deep}{micro('Po')}</body></html>", PAGE)
    assert [i.text for i in page.items] == texts
    assert page.skipped == skipped


def test_a_source_with_hostile_json_ld_ends_ok_with_the_valid_review(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    body = f"<html><head>{ld_script(DEEP_ARRAYS)}{ld_script(DEEP_OBJECTS)}{ld_script(json.dumps(GOOD))}</head></html>"
    local_server.route("/hostile", Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body))
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, "/hostile").fetch(client, None)
    assert (outcome.status, outcome.pages, outcome.skipped) == ("ok", 1, {"structured_data_too_deep": 2})
    assert [(m.author, m.text) for m in outcome.mentions] == [("Ann", "Dobra kawa, ale drożej niż rok temu")]


def raw_utf8_page(reviews: list[dict[str, object]]) -> str:
    """A review page whose JSON-LD holds its text as UTF-8, not as ``\\u`` escapes."""
    data = {"@context": "https://schema.org", "@type": "CafeOrCoffeeShop", "name": "Acme Kraków", "review": reviews}
    return (
        f'<!doctype html><html lang="pl"><head><meta charset="utf-8">'
        f"{ld_script(json.dumps(data, ensure_ascii=False))}</head><body><h1>Opinie</h1></body></html>"
    )


MIXED_REVIEWS = [
    review("Anna", "2026-03-03", "Świetna kawa, obsługa miła. Polecam każdemu!", 5),
    review("Jürgen", "2026-03-02", "Größter Käsekuchen der Stadt, überall gelobt.", 5),
    review("Zofia", "2026-03-01", "Zażółć gęślą jaźń: ciasto pyszne, ale drożej niż rok temu.", 3),
]


def test_one_bad_byte_spoils_one_review_not_the_page(local_server: LocalServer, fast_http: HttpSettings) -> None:
    body = raw_utf8_page(MIXED_REVIEWS).encode().replace("Größter ".encode(), "Größter ".encode() + b"\xff")
    local_server.route("/opinie", Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body))
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, "/opinie").fetch(client, None)
    assert (outcome.status, outcome.skipped) == ("ok", {"undecodable_bytes": 1})
    assert [(m.author, m.text) for m in outcome.mentions] == [
        ("Anna", "Świetna kawa, obsługa miła. Polecam każdemu!"),
        ("Jürgen", "Größter \ufffdKäsekuchen der Stadt, überall gelobt."),
        ("Zofia", "Zażółć gęślą jaźń: ciasto pyszne, ale drożej niż rok temu."),
    ]
    assert parse_review_page(body, PAGE).skipped == {"undecodable_bytes": 1}


def test_a_windows_1252_page_declared_utf8_is_read_as_windows_1252(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    reviews = [
        review("Jürgen", "2026-03-02", "Größter Käsekuchen – überall gelobt.", 5),
        review("Zoé", "2026-03-01", "Très bon café, service rapide.", 4),
    ]
    body = raw_utf8_page(reviews).encode("cp1252")  # header and <meta> both say UTF-8
    local_server.route("/cp1252", Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body))
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, "/cp1252").fetch(client, None)
    assert (outcome.status, outcome.skipped) == ("ok", {})
    assert [(m.author, m.text) for m in outcome.mentions] == [
        ("Jürgen", "Größter Käsekuchen – überall gelobt."),
        ("Zoé", "Très bon café, service rapide."),
    ]


@pytest.mark.parametrize("kind", list(NOT_HTML))
def test_a_first_page_that_is_not_html_fails_the_source(
    local_server: LocalServer, fast_http: HttpSettings, kind: str
) -> None:
    reply = NOT_HTML[kind]
    local_server.route("/garbage", reply)
    cursor = {"newest": "2026-01-01T00:00:00+00:00"}
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, "/garbage").fetch(client, cursor)
    assert (outcome.status, outcome.skipped, outcome.mentions, outcome.cursor) == (
        "failed", {"not_html": 1}, [], cursor
    )  # fmt: skip
    expected = f"{loggable_url(local_server.url('/garbage'))} is not an HTML page ({reply.headers['Content-Type']}, "
    assert outcome.error is not None and outcome.error.startswith(expected)


def test_a_later_page_that_is_not_html_is_counted_and_the_rest_kept(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    local_server.route("/p1", Reply(200, body=review_page([review("A", "2026-01-01", "a")], next_href="/p2")))
    local_server.route("/p2", NOT_HTML["png"])
    old_cursor = {"newest": "2025-12-01T00:00:00+00:00", "newest_ids": ["x"]}
    with HttpClient(fast_http) as client:
        outcome = make_source(local_server, fast_http, "/p1").fetch(client, old_cursor)
    assert (outcome.status, outcome.pages, outcome.skipped) == ("ok", 1, {"not_html": 1})
    assert [m.author for m in outcome.mentions] == ["A"]
    assert outcome.cursor == old_cursor  # page 2 was never read: do not skip past it


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", True),  # an empty page: no reviews, not garbage
        ("<!doctype html><title>x</title>", True),
        ("Gästebuch <b>ohne</b> Kopf", True),
        ("<p>ok</p>" + "\x01" * 40 + "a" * 4047, True),  # 40 control characters in 4096: under 1%
        ("<p>ok</p>" + "\x01" * 41 + "a" * 4046, False),
        ('{"error": "<b>rate limited</b>"}', False),
        ("[]", False),
        ("Service unavailable", False),
    ],
)
def test_is_html(text: str, expected: bool) -> None:
    assert is_html(text) is expected
