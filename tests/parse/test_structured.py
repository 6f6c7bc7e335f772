"""Structured data in three syntaxes read into one JSON-LD-like shape."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest

from sentiment.parse.structured import (
    MAX_BLOCK_CHARS,
    MAX_DEPTH,
    MAX_PAGE_CHARS,
    extract,
    local_name,
    types_of,
)
from tests.sources.hostile import DEEP_ARRAYS, DEEP_OBJECTS, ld_script

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
    assert data.skipped == {"invalid_jsonld": 1}


def test_the_songkick_page_reads_without_error(shared_data: Path) -> None:
    path = (
        shared_data
        / "structured-data-review-markup/extruct-samples/songkick__Years_Years_Tickets_Tour_Dates_2015_Concerts.html"
    )
    data = extract(lxml.html.document_fromstring(path.read_bytes()), BASE)
    assert data.skipped == {}
    assert "MusicGroup" in set().union(*(types_of(n) for n in data.nodes))


# --- hostile blocks: bounded, skipped and counted, their siblings kept ----------------------------------

VALID = {"@type": "Review", "reviewBody": "Świetna kawa, miła obsługa"}
MICRO_VALID = (
    '<div itemscope itemtype="https://schema.org/Review"><p itemprop="reviewBody">Świetna kawa, miła obsługa</p></div>'
)


@pytest.mark.parametrize(
    ("block", "reason"),
    [
        (DEEP_ARRAYS, "structured_data_too_deep"),
        (DEEP_OBJECTS, "structured_data_too_deep"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "structured_data_too_deep"),
        ('{"@type": "Review", "reviewBody": "' + "x" * MAX_BLOCK_CHARS + '"}', "structured_data_too_large"),
    ],
    ids=["100k arrays", "100k objects", "one level too deep", "too large"],
)
def test_a_json_ld_script_over_the_bounds_is_skipped_and_its_sibling_read(block: str, reason: str) -> None:
    html = f"<html><head>{ld_script(block)}{ld_script(json.dumps(VALID, ensure_ascii=False))}</head></html>"
    data = extract(lxml.html.document_fromstring(html), BASE)
    assert data.nodes == [VALID]
    assert data.skipped == {reason: 1}


def test_json_ld_at_the_depth_bound_is_read_and_brackets_in_strings_do_not_count() -> None:
    nested = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)  # inside the top-level object: MAX_DEPTH levels
    text = '{"@type": "Review", "reviewBody": "[[[ \\"{{{\\" ' + "[" * 100 + '", "x": ' + nested + "}"
    data = extract(lxml.html.document_fromstring(f"<html><head>{ld_script(text)}</head></html>"), BASE)
    assert data.nodes == [json.loads(text)]
    assert data.nodes[0]["reviewBody"] == '[[[ "{{{" ' + "[" * 100
    assert data.skipped == {}


def nested_things(levels: int) -> str:
    """``levels`` microdata Things, each the ``about`` of the one around it."""
    inner = '<div itemprop="about" itemscope itemtype="https://schema.org/Thing">' * (levels - 1)
    return f'<div itemscope itemtype="https://schema.org/Thing">{inner}x{"</div>" * levels}'


def test_microdata_items_nested_too_deep_are_skipped_and_their_siblings_read() -> None:
    html = f"<html><body>{nested_things(MAX_DEPTH)}{nested_things(MAX_DEPTH + 1)}{MICRO_VALID}</body></html>"
    data = extract(lxml.html.document_fromstring(html), BASE)
    deepest = data.nodes[0]
    for _ in range(MAX_DEPTH - 1):
        deepest = deepest["about"]
    assert deepest == {"@type": "Thing"}
    assert data.nodes[1:] == [VALID]
    assert data.skipped == {"structured_data_too_deep": 1}


def test_an_itemref_loop_is_skipped_not_followed_forever() -> None:
    loop = (
        '<div itemscope itemtype="https://schema.org/Product"><div id="wrap">'
        '<div itemprop="review" itemscope itemtype="https://schema.org/Review" itemref="wrap">'
        '<p itemprop="reviewBody">again</p></div></div></div>'
    )
    data = extract(lxml.html.document_fromstring(f"<html><body>{loop}{MICRO_VALID}</body></html>"), BASE)
    assert data.nodes == [VALID]
    assert data.skipped == {"structured_data_too_deep": 1}


def test_a_microdata_item_over_the_size_bound_is_skipped() -> None:
    big = f'<div id="big"><p itemprop="reviewBody">{"x" * MAX_BLOCK_CHARS}</p></div>'
    item = '<div itemscope itemtype="https://schema.org/Review" itemref="big"></div>'
    data = extract(lxml.html.document_fromstring(f"<html><body>{big}{item}{MICRO_VALID}</body></html>"), BASE)
    assert data.nodes == [VALID]
    assert data.skipped == {"structured_data_too_large": 1}


def test_many_items_rereading_one_element_stop_at_the_page_bound() -> None:
    body = "y" * (MAX_BLOCK_CHARS * 9 // 10)
    shared = f'<div id="shared"><p itemprop="reviewBody">{body}</p></div>'
    item = '<div itemscope itemtype="https://schema.org/Review" itemref="shared"></div>'
    data = extract(lxml.html.document_fromstring(f"<html><body>{shared}{item * 6}</body></html>"), BASE)
    # Each item reads 900,001 (its element and the value): five fit in MAX_PAGE_CHARS, the sixth does not.
    assert MAX_PAGE_CHARS == 5 * MAX_BLOCK_CHARS
    assert data.nodes == [{"@type": "Review", "reviewBody": body}] * 5
    assert data.skipped == {"structured_data_too_large": 1}
