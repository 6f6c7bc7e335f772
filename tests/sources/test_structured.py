"""Structured data in three syntaxes read into one JSON-LD-like shape."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from sentiment.sources.structured import extract, local_name, types_of

BASE = "https://shop.example/p/1"


def nodes(html: str) -> list[dict[str, object]]:
    return extract(lxml.html.document_fromstring(html), BASE).nodes


def test_local_names() -> None:
    assert [local_name(n) for n in ("https://schema.org/Review", "schema:name", "http://schema.org/#x", "Review")] == [
        "Review",
        "name",
        "x",
        "Review",
    ]
    assert types_of({"@type": ["http://schema.org/Product", "schema:Thing", 3]}) == {"Product", "Thing"}


def test_microdata_values_from_attributes_nesting_and_itemref() -> None:
    html = """<html><body>
    <div itemscope itemtype="https://schema.org/Review" itemid="#r1" itemref="rating">
      <a itemprop="url" href="/r/1">link</a>
      <time itemprop="datePublished" datetime="2026-01-02">2 Jan</time>
      <div itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Ann</span></div>
      <p itemprop="reviewBody">Good   coffee,
         <b>slow</b> service</p>
    </div>
    <div id="rating" itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">
      <meta itemprop="ratingValue" content="4">
    </div></body></html>"""
    [review] = nodes(html)
    assert review == {
        "@type": "Review",
        "@id": "https://shop.example/p/1#r1",
        "url": "https://shop.example/r/1",
        "datePublished": "2026-01-02",
        "author": {"@type": "Person", "name": "Ann"},
        "reviewBody": "Good coffee, <b>slow</b> service",
        "reviewRating": {"@type": "Rating", "ratingValue": "4"},
    }


def test_rdfa_lite_is_read_like_microdata() -> None:
    html = """<div vocab="https://schema.org/" typeof="Product"><span property="name">Mug</span>
    <div property="review" typeof="Review"><span property="reviewBody">Nice</span>
    <span property="schema:author">Bo</span></div></div>"""
    assert nodes(html) == [
        {"@type": "Product", "name": "Mug", "review": {"@type": "Review", "reviewBody": "Nice", "author": "Bo"}}
    ]


def test_json_ld_lists_null_and_broken_scripts() -> None:
    html = """<script type="application/ld+json">null</script>
    <script type="application/ld+json">[{"@type": "A"}, {"@type": "B"}, 5]</script>
    <script type="application/ld+json">{"@type": "C",</script>
    <script type="application/ld+json; charset=utf-8">{"@type": "D"}</script>
    <script type="text/javascript">{"@type": "E"}</script>"""
    data = extract(lxml.html.document_fromstring(html), BASE)
    assert [n["@type"] for n in data.nodes] == ["A", "B", "D"]
    assert data.invalid_jsonld == 1


def test_the_songkick_page_reads_without_error(shared_data: Path) -> None:
    path = (
        shared_data
        / "structured-data-review-markup/extruct-samples/songkick__Years_Years_Tickets_Tour_Dates_2015_Concerts.html"
    )
    data = extract(lxml.html.document_fromstring(path.read_bytes()), BASE)
    assert data.invalid_jsonld == 0
    assert "MusicGroup" in set().union(*(types_of(n) for n in data.nodes))
