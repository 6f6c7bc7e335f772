"""Every source kind through the real nightly flow, against one local server, on two nights.

One server stands in for the whole web a monitor reads: a review portal's pages (a schema.org
LocalBusiness with a postal address, and a real recipe page), a guest book without markup, Mastodon,
Bluesky, Reddit and the Hacker News search API answering with recorded real payloads, a news feed, a
press feed linking to real article pages (and one page robots.txt forbids), and a CSV export. One monitor
config has a source of every registered kind; social sources keep only posts naming their brand, with
aliases chosen from words the recorded posts really contain.

The flow runs twice under a temporary Prefect API with the real model and DuckDB. The first night stores
what each kind yields (counted per source in ``source_runs``), the second stores nothing new; the
credentials the social kinds need go to the server and nowhere else: not the run tables, not the
cursors, not the logs.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import parse_qs

import duckdb
import pytest
import yaml

from sentiment.sources.mastodon import id_key
from sentiment.sources.registry import SOURCE_KINDS
from tests.support.local_server import LocalServer, RecordedRequest, Reply

AS_OF = "2026-11-23"
HTML = {"Content-Type": "text/html; charset=utf-8"}
JSON = {"Content-Type": "application/json; charset=utf-8"}
#: Article pages of the extraction benchmark that are about Apple (MacRumors, CRN).
MACRUMORS = "232a43fb15abde807427b2a7bf4f772e27b8760554370956d8291df4e8166dbf"
CRN = "291a8bf33ee49074f33dcff37544ac40506cae450db83b6cb63f02b9920b51c2"

#: Credentials the social kinds read from the environment, and the tokens the stand-in APIs grant.
SECRETS = {
    "TEST_MASTODON_TOKEN": "mastodon-token-S3CRET-1",
    "BLUESKY_HANDLE": "monitor-S3CRET-handle.bsky.social",
    "BLUESKY_APP_PASSWORD": "bsky-app-password-S3CRET-2",
    "REDDIT_CLIENT_ID": "reddit-client-id-S3CRET-3",
    "REDDIT_CLIENT_SECRET": "reddit-client-secret-S3CRET-4",
}
BLUESKY_JWT = "bsky-access-jwt-S3CRET-5"
REDDIT_TOKEN = "reddit-access-token-S3CRET-6"
REDDIT_BASIC = base64.b64encode(f"{SECRETS['REDDIT_CLIENT_ID']}:{SECRETS['REDDIT_CLIENT_SECRET']}".encode()).decode()


# --- the web, on one local server ------------------------------------------------------------------------


def conditional(reply: Reply, etag: str) -> Callable[[RecordedRequest], Reply]:
    """Serve ``reply`` with an ETag, and 304 to a request that already has it (feeds, exports)."""

    def handler(request: RecordedRequest) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(304, {"ETag": etag})
        return Reply(reply.status, {**reply.headers, "ETag": etag}, reply.body)

    return handler


def authorised(header: str, handler: Callable[[RecordedRequest], Reply]) -> Callable[[RecordedRequest], Reply]:
    """An API route that answers 401 unless the request carries the Authorization ``header``."""

    def guarded(request: RecordedRequest) -> Reply:
        if request.headers.get("authorization") != header:
            return Reply(401, JSON, '{"error": "unauthorized"}')
        return handler(request)

    return guarded


def mastodon_timeline(statuses: list[dict[str, Any]]) -> Callable[[RecordedRequest], Reply]:
    """A timeline paged by ``max_id`` / ``min_id`` / ``limit`` as Mastodon does (statuses newest first)."""

    def handler(request: RecordedRequest) -> Reply:
        query = {key: values[0] for key, values in parse_qs(request.query).items()}
        limit = int(query.get("limit", "20"))
        chosen = statuses
        if "max_id" in query:
            chosen = [s for s in chosen if id_key(s["id"]) < id_key(query["max_id"])][:limit]
        elif "min_id" in query:
            chosen = [s for s in chosen if id_key(s["id"]) > id_key(query["min_id"])][-limit:]
        return Reply(200, JSON, json.dumps(chosen[:limit]))

    return handler


def bluesky_session(request: RecordedRequest) -> Reply:
    given = json.loads(request.body)
    if given != {"identifier": SECRETS["BLUESKY_HANDLE"], "password": SECRETS["BLUESKY_APP_PASSWORD"]}:
        return Reply(401, JSON, '{"error": "AuthenticationRequired"}')
    session = {"accessJwt": BLUESKY_JWT, "refreshJwt": "refresh", "handle": given["identifier"], "did": "did:plc:m"}
    return Reply(200, JSON, json.dumps(session))


def bluesky_search(recorded: dict[str, Any]) -> Callable[[RecordedRequest], Reply]:
    """searchPosts: the recorded page, then an empty one for its cursor; ``since`` filters like the API."""

    def sort_at(post: dict[str, Any]) -> datetime:
        return min(datetime.fromisoformat(post["record"]["createdAt"]), datetime.fromisoformat(post["indexedAt"]))

    def handler(request: RecordedRequest) -> Reply:
        query = parse_qs(request.query)
        if "cursor" in query:
            return Reply(200, JSON, '{"posts": []}')
        posts = recorded["posts"]
        if "since" in query:
            since = datetime.fromisoformat(query["since"][0])
            posts = [post for post in posts if sort_at(post) >= since]
        return Reply(200, JSON, json.dumps({**recorded, "posts": posts}))

    return handler


def reddit_token(request: RecordedRequest) -> Reply:
    if request.headers.get("authorization") != f"Basic {REDDIT_BASIC}":
        return Reply(401, JSON, '{"message": "Unauthorized", "error": 401}')
    return Reply(200, JSON, json.dumps({"access_token": REDDIT_TOKEN, "token_type": "bearer", "expires_in": 86400}))


def reddit_comments(recorded: dict[str, Any]) -> Callable[[RecordedRequest], Reply]:
    """A subreddit's newest comments: the recorded listing, then an empty page for its ``after``."""

    def handler(request: RecordedRequest) -> Reply:
        if "after" in parse_qs(request.query):
            return Reply(200, JSON, json.dumps({"kind": "Listing", "data": {"children": [], "after": None}}))
        return Reply(200, JSON, json.dumps(recorded))

    return handler


def algolia(recorded: dict[str, Any]) -> Callable[[RecordedRequest], Reply]:
    """search_by_date: the recorded hits as the only page (it says page 1 of 50), filtered by
    ``numericFilters=created_at_i>=N`` like Algolia."""

    def handler(request: RecordedRequest) -> Reply:
        query = parse_qs(request.query)
        hits = recorded["hits"]
        for condition in query.get("numericFilters", []):
            since = int(condition.removeprefix("created_at_i>="))
            hits = [hit for hit in hits if hit["created_at_i"] >= since]
        page = int(query["page"][0])
        return Reply(200, JSON, json.dumps({**recorded, "hits": hits if page == 0 else [], "page": page, "nbPages": 1}))

    return handler


GUESTBOOK = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Guest book</title></head>
<body><h1>City Smiles Ann Arbor: what our patients say</h1>{entries}{next}</body></html>"""
ENTRY = """<div class="entry" data-id="{id}"><span class="who">{who}</span>
<time datetime="{day}">{day}</time><span class="score">{stars}/5</span><p>{text}</p></div>"""


def guestbook(page: int) -> str:
    entries = {
        1: [("gb-3", "Maria", "2026-11-20", 5, "The hygienist was gentle and explained every step."),
            ("gb-2", "Tom", "2026-11-12", 2, "They cancelled my appointment twice by text message.")],
        2: [("gb-1", "Ines", "2026-10-30", 4, "Clean waiting room, short wait, kind staff.")],
    }[page]  # fmt: skip
    html = "".join(ENTRY.format(id=i, who=w, day=d, stars=s, text=t) for i, w, d, s, t in entries)
    link = '<a class="next" href="/city-smiles/guestbook?page=2">older</a>' if page == 1 else ""
    return GUESTBOOK.format(entries=html, next=link)


SURVEY = """id,date,branch,stars,comment
s-101,2026-11-02,Detroit,5,"Dr. Patel explained everything, and it did not hurt at all."
s-102,2026-11-05,Ann Arbor,2,"I waited fifty minutes past my appointment time."
s-103,2026-11-09,Lansing,4,"Friendly reception, but parking was hard to find."
s-104,yesterday,Detroit,3,"Fine."
s-105,2026-11-12,,4,"Quick cleaning at a fair price."
"""

PRESS_ITEM = """<item><guid isPermaLink="false">{guid}</guid><title>{title}</title><link>{link}</link>
<description>Teaser</description><pubDate>{date}</pubDate></item>"""


def press_feed(server: LocalServer) -> str:
    items = [
        ("press-crn", "Tim Cook on Apple in the enterprise", "/news/crn", "Tue, 19 Nov 2019 08:00:00 GMT"),
        ("press-mac", "13-inch MacBook Pro expected in 2020", "/news/macrumors", "Mon, 18 Nov 2019 11:00:00 GMT"),
        ("press-leak", "Leaked roadmap", "/private/leak", "Sun, 17 Nov 2019 09:00:00 GMT"),
    ]
    body = "".join(PRESS_ITEM.format(guid=g, title=t, link=server.url(p), date=d) for g, t, p, d in items)
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Press</title>{body}</channel></rss>'
    )


def serve_the_web(server: LocalServer, data: Path) -> None:
    payloads = data / "social-api-payloads"

    def load(name: str) -> Any:
        return json.loads((payloads / name).read_text(encoding="utf-8"))

    def article(page: str) -> Reply:
        html = data / "article-extraction-benchmark" / "html" / f"{page}.html.gz"
        return Reply(200, HTML, gzip.decompress(html.read_bytes()))

    server.route("/robots.txt", Reply(200, {"Content-Type": "text/plain"}, "User-agent: *\nDisallow: /private/\n"))
    # Review pages: schema.org markup with the business's postal address, and a real recipe page.
    dentist = data / "structured-data-review-markup" / "schemaorg-examples" / "eg-0347.jsonld.html"
    server.route("/portal/city-smiles", Reply(200, HTML, dentist.read_bytes()))
    recipe = data / "recipe-review-pages" / "pages" / "allrecipes.com" / "allrecipescurated.html"
    server.route("/recipes/four-cheese-margherita-pizza", Reply(200, HTML, recipe.read_bytes()))
    # A page without markup, two pages long.
    server.route("/city-smiles/guestbook", lambda r: Reply(200, HTML, guestbook(2 if r.query == "page=2" else 1)))
    # Mastodon, Bluesky, Reddit, Hacker News: recorded answers behind the APIs' authentication.
    toots = load("mastodon/timelines_public.json")
    server.route(
        "/api/v1/timelines/tag/jeep",
        authorised(f"Bearer {SECRETS['TEST_MASTODON_TOKEN']}", mastodon_timeline(toots)),
    )
    server.route("/xrpc/com.atproto.server.createSession", bluesky_session, method="POST")
    server.route(
        "/xrpc/app.bsky.feed.searchPosts",
        authorised(
            f"Bearer {BLUESKY_JWT}", bluesky_search(load("bluesky/app.bsky.feed.searchPosts__q_redistricting.json"))
        ),
    )
    server.route("/reddit/api/v1/access_token", reddit_token, method="POST")
    server.route(
        "/r/apple/comments",
        authorised(f"bearer {REDDIT_TOKEN}", reddit_comments(load("reddit/subreddit_new_comments__2023.json"))),
    )
    server.route(
        "/algolia/api/v1/search_by_date", algolia(load("hackernews/algolia_search__q_tim_cook__tags_story__page1.json"))
    )
    # Feeds, articles and an export, all conditional.
    heise = (payloads / "rss-atom" / "heise.atom").read_bytes()
    server.route(
        "/heise/developer.atom", conditional(Reply(200, {"Content-Type": "application/atom+xml"}, heise), '"h1"')
    )
    server.route(
        "/press/feed.xml", conditional(Reply(200, {"Content-Type": "application/rss+xml"}, press_feed(server)), '"p1"')
    )
    server.route("/news/crn", article(CRN))
    server.route("/news/macrumors", article(MACRUMORS))
    server.route("/private/leak", Reply(200, HTML, "<html><body><p>must never be fetched</p></body></html>"))
    csv = Reply(200, {"Content-Type": "text/csv; charset=utf-8"}, SURVEY)
    server.route("/exports/survey.csv", conditional(csv, '"s1"'))


# --- one monitor config with every kind ------------------------------------------------------------------


#: A source of every kind, and a second review page whose postal address picks its location. Social sources
#: keep only posts naming their brand; the aliases are words the recorded posts contain ("beep beep I'm a
#: jeep", "Fort Worth Star Telegram", "Mac at night you mean?"). Credentials are named by their environment
#: variables, never written here.
MONITOR_YAML = """
timezone: America/Detroit
database: $DATABASE
brands:
  - name: City Smiles
    locations:
      - name: Detroit Downtown
        aliases: [Detroit]
        address: {street: 1001 Eagle Drive, postal_code: "48226", city: Detroit, region: MI, country: US}
      - name: Ann Arbor   # the same street name, in another town
        address: {street: 1001 Eagle Dr., postal_code: "48104", city: Ann Arbor, region: MI, country: US}
  - name: Allrecipes
  - name: Apple
    aliases: [Mac]
  - name: Jeep
  - name: Star-Telegram
  - name: heise
sources:
  - name: city-smiles-portal   # no location: the page's postal address decides
    kind: review_page
    url: $BASE/portal/city-smiles
    brand: City Smiles
  - name: allrecipes-pizza
    kind: review_page
    url: $BASE/recipes/four-cheese-margherita-pizza
    brand: Allrecipes
  - name: city-smiles-guestbook
    kind: selector_page
    url: $BASE/city-smiles/guestbook
    brand: City Smiles
    location: Ann Arbor
    options: {container: div.entry, text: p, author: .who, date: time, date_attribute: datetime,
              rating: .score, rating_pattern: '^(\\d)/5', id_attribute: data-id, next: a.next}
  - name: jeep-mastodon
    kind: mastodon
    url: $BASE/tags/jeep
    brand: Jeep
    options: {token_env: TEST_MASTODON_TOKEN}
  - name: star-telegram-bluesky   # handle and app password from BLUESKY_HANDLE / BLUESKY_APP_PASSWORD
    kind: bluesky
    url: https://bsky.app/search?q=Star-Telegram
    brand: Star-Telegram
    options: {service: $BASE}
  - name: apple-reddit   # client id and secret from REDDIT_CLIENT_ID / REDDIT_CLIENT_SECRET
    kind: reddit
    url: https://www.reddit.com/r/apple/comments
    brand: Apple
    options: {token_url: $BASE/reddit/api/v1/access_token, api_base: $BASE,
              user_agent: "test:sentiment-monitor:0.1 (by /u/monitor)"}
  - name: apple-hn
    kind: hackernews
    url: https://hn.algolia.com/?q=tim+cook
    brand: Apple
    options: {api_base: $BASE/algolia/api/v1, tags: story}
  - name: heise-developer
    kind: rss
    url: $BASE/heise/developer.atom
    brand: heise
    options: {match_brand: false}  # the publisher's own feed: about the brand by construction
  - name: apple-press
    kind: article
    url: $BASE/press/feed.xml
    brand: Apple
  - name: city-smiles-survey
    kind: file
    url: $BASE/exports/survey.csv
    brand: City Smiles
    options: {columns: {id: id, date: date, location: branch, rating: stars, text: comment}}
http:
  user_agent: sentiment-monitor-test/0.1 (+https://example.invalid/test)
  timeout_s: 10
  max_retries: 1
  backoff_s: 0.05
  allow_private_addresses: true
"""


def monitor_config(tmp_path: Path, server: LocalServer) -> Path:
    text = Template(MONITOR_YAML).substitute(BASE=server.base_url, DATABASE=tmp_path / "monitor.duckdb")
    path = tmp_path / "monitor.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- reading the results ---------------------------------------------------------------------------------


def query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def source_runs(database: Path, run: int) -> dict[str, tuple[str, int, int, int, dict[str, int]]]:
    """Per source of the ``run``-th run (1 or 2): status, pages, fetched, new mentions, skipped."""
    rows = query(
        database,
        "SELECT s.source, s.status, s.pages, s.fetched, s.new_mentions, s.skipped FROM source_runs s "
        f"JOIN (SELECT run_id FROM runs ORDER BY started_at LIMIT 1 OFFSET {run - 1}) r USING (run_id)",
    )
    return {
        name: (status, pages, fetched, new, json.loads(skipped)) for name, status, pages, fetched, new, skipped in rows
    }


@pytest.mark.slow
def test_every_source_kind_runs_through_the_nightly_flow(
    tmp_path: Path,
    shared_data: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    prefect_harness: None,
) -> None:
    from flows.nightly import nightly  # imported here: Prefect and the model load only for this test

    # Prefect's first import configures logging and replaces the root logger's handlers, pytest's
    # capture among them: put it back, to read every record (DEBUG up) of both nights.
    logging.getLogger().addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    with LocalServer() as server:
        serve_the_web(server, shared_data)
        config = monitor_config(tmp_path, server)
        first = nightly(config_path=str(config), as_of=AS_OF)
        night_1 = server.requests
        second = nightly(config_path=str(config), as_of=AS_OF)
        night_2 = server.requests[len(night_1) :]
    database = tmp_path / "monitor.duckdb"

    # Every registered kind has a source in the config.
    configured = yaml.safe_load(config.read_text(encoding="utf-8"))["sources"]
    kinds = {source["kind"] for source in configured}
    assert kinds == set(SOURCE_KINDS)

    # Night 1: every source ok, with what each kind yields from its recorded answers.
    assert source_runs(database, 1) == {
        "city-smiles-portal": ("ok", 1, 2, 2, {}),
        "allrecipes-pizza": ("ok", 1, 10, 10, {}),
        "city-smiles-guestbook": ("ok", 2, 3, 3, {}),
        "jeep-mastodon": ("ok", 1, 20, 3, {"no_brand_match": 17}),
        "star-telegram-bluesky": ("ok", 2, 25, 2, {"no_brand_match": 23}),
        "apple-reddit": ("ok", 2, 100, 2, {"no_brand_match": 98}),
        "apple-hn": ("ok", 1, 20, 17, {"no_brand_match": 3}),
        "heise-developer": ("ok", 1, 15, 15, {}),
        "apple-press": ("ok", 3, 2, 2, {"robots": 1}),
        "city-smiles-survey": ("ok", 1, 4, 4, {"bad_date": 1}),
    }
    assert (first["status"], first["sources_ok"], first["sources_failed"]) == ("ok", 10, 0)
    # Fetched counts what the sources handed on; the text stage kept those that name their brand.
    assert (first["fetched"], first["new_mentions"]) == (201, 60)
    # Night 2: nothing new anywhere. Feeds and the export answer 304; the APIs are asked only for what is
    # newer than the cursors; the recipe page's one undated review is read again and recognised.
    assert source_runs(database, 2) == {
        "city-smiles-portal": ("ok", 1, 0, 0, {}),
        "allrecipes-pizza": ("ok", 1, 1, 0, {}),
        "city-smiles-guestbook": ("ok", 1, 0, 0, {}),
        "jeep-mastodon": ("ok", 1, 0, 0, {}),
        "star-telegram-bluesky": ("ok", 1, 0, 0, {}),
        "apple-reddit": ("ok", 1, 0, 0, {}),
        "apple-hn": ("ok", 1, 0, 0, {}),
        "heise-developer": ("ok", 0, 0, 0, {}),
        "apple-press": ("ok", 0, 0, 0, {}),
        "city-smiles-survey": ("ok", 0, 0, 0, {}),
    }
    assert (second["status"], second["fetched"], second["new_mentions"], second["scored"]) == ("ok", 1, 0, 0)
    asked = {(r.path, r.query) for r in night_2}
    assert ("/api/v1/timelines/tag/jeep", "limit=40&min_id=117024258897469903") in asked
    since = [parse_qs(q).get("since") for path, q in asked if path == "/xrpc/app.bsky.feed.searchPosts"]
    assert since == [["2025-05-19T17:10:09.561858Z"]]
    hn = [parse_qs(q)["numericFilters"] for path, q in asked if path == "/algolia/api/v1/search_by_date"]
    assert hn == [["created_at_i>=1570730157"]]  # the newest recorded story, 2019-10-10 17:55:57 UTC
    conditional_requests = {
        r.path: r.headers.get("if-none-match") for r in night_2 if r.path.endswith((".atom", ".xml", ".csv"))
    }
    assert conditional_requests == {
        "/heise/developer.atom": '"h1"',
        "/press/feed.xml": '"p1"',
        "/exports/survey.csv": '"s1"',
    }
    # The three identical toots are linked to the first (and scored once); two short identical comments by
    # different people are two mentions.
    assert (first["duplicates"], first["scored"]) == (2, 58)
    assert query(database, "SELECT count(*), count(duplicate_of) FROM mentions") == [(60, 2)]

    # What the mentions table holds, spot-checked per kind.
    def rows(sql: str) -> list[tuple[Any, ...]]:
        return query(database, sql)

    assert rows(
        "SELECT location, rating, title FROM mentions WHERE source = 'city-smiles-portal' ORDER BY rating DESC"
    ) == [("Detroit Downtown", 5.0, "Great dental clinic"), ("Detroit Downtown", 4.0, "Waiting time")]
    assert rows(
        "SELECT source_item_id, location, rating FROM mentions WHERE source = 'city-smiles-survey' ORDER BY 1"
    ) == [("s-101", "Detroit Downtown", 5.0), ("s-102", "Ann Arbor", 2.0), ("s-103", None, 4.0), ("s-105", None, 4.0)]
    assert rows(
        "SELECT source_item_id, location, rating, text FROM mentions WHERE source = 'city-smiles-guestbook' ORDER BY 1"
    ) == [
        ("gb-1", "Ann Arbor", 4.0, "Clean waiting room, short wait, kind staff."),
        ("gb-2", "Ann Arbor", 2.0, "They cancelled my appointment twice by text message."),
        ("gb-3", "Ann Arbor", 5.0, "The hygienist was gentle and explained every step."),
    ]
    assert rows(
        "SELECT count(*), count(published_at), min(rating), max(rating), count(author_hash) FROM mentions "
        "WHERE source = 'allrecipes-pizza'"
    ) == [(10, 9, 4.0, 5.0, 10)]
    assert rows(
        "SELECT text, count(*), count(duplicate_of) FROM mentions WHERE source = 'jeep-mastodon' GROUP BY text"
    ) == [("@mastodonpy_test beep beep I'm a jeep", 3, 2)]
    assert rows("SELECT source_item_id FROM mentions WHERE source = 'star-telegram-bluesky' ORDER BY published_at") == [
        ("at://did:plc:xwxgmnbzmqrasm5yvlltlsqy/app.bsky.feed.post/3lpjlye6o6c2c",),
        ("at://did:plc:s7savtl25cqhm3ddqc7jeljx/app.bsky.feed.post/3lpk2r5h5ec2j",),
    ]
    assert rows(
        "SELECT source_item_id, parent_id, text, duplicate_of FROM mentions WHERE source = 'apple-reddit' ORDER BY 1"
    ) == [
        ("t1_k3uzt1m", "t3_1728cmo", "Mac at night you mean?", None),
        ("t1_k3v2nsw", "t3_1728sjk", "Mac at night you mean?", None),
    ]
    assert rows("SELECT title, brand FROM mentions WHERE source = 'apple-hn' AND source_item_id = '4017996'") == [
        ("How Tim Cook is changing Apple", "Apple")
    ]
    assert rows(
        "SELECT title, lang FROM mentions WHERE source = 'heise-developer' AND source_item_id = 'http://heise.de/-3088438'"
    ) == [("Java-Anwendungsserver: Red Hat gibt WildFly 10 frei", "de")]
    [(crn_url, crn_text)] = rows("SELECT url, text FROM mentions WHERE source_item_id = 'press-crn'")
    assert crn_url == "https://www.crn.com/news/cloud/tim-cook-on-apple-being-pulled-into-the-enterprise-"
    assert crn_text.startswith('Apple was "pulled into the enterprise," CEO Tim Cook said Tuesday')
    [(mac_text,)] = rows("SELECT text FROM mentions WHERE source_item_id = 'press-mac'")
    assert "The entry-level 13-inch MacBook Pro was last updated in July" in mac_text

    # robots.txt: the forbidden article was never requested.
    assert [r for r in night_1 + night_2 if r.path.startswith("/private/")] == []

    # Credentials went to the APIs that need them ...
    headers = {(r.path, r.headers.get("authorization")) for r in night_1}
    assert ("/api/v1/timelines/tag/jeep", f"Bearer {SECRETS['TEST_MASTODON_TOKEN']}") in headers
    assert ("/xrpc/app.bsky.feed.searchPosts", f"Bearer {BLUESKY_JWT}") in headers
    assert ("/reddit/api/v1/access_token", f"Basic {REDDIT_BASIC}") in headers
    assert ("/r/apple/comments", f"bearer {REDDIT_TOKEN}") in headers
    # ... and nowhere else: not the run records, the cursors, nor the logs.
    secrets = [*SECRETS.values(), BLUESKY_JWT, REDDIT_TOKEN, REDDIT_BASIC]
    for table in ("runs", "source_runs", "source_state"):
        dump = json.dumps(query(database, f"SELECT * FROM {table}"), default=str)
        assert [s for s in secrets if s in dump] == [], table
    assert "source jeep-mastodon: 20 mentions from 1 pages" in caplog.text  # the flow's logs were captured
    assert [s for s in secrets if s in caplog.text] == []
