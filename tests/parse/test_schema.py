"""Reading schema.org values: strings, numbers, counts, ratings, authors, addresses, references."""

from __future__ import annotations

import pytest

from sentiment.parse.schema import (
    address_line,
    author_name,
    first_string,
    index_by_id,
    normalise_rating,
    resolve,
    to_count,
    to_number,
)


@pytest.mark.parametrize(
    ("value", "best", "worst", "expected"),
    [
        ("4", None, None, 4.0),
        (4.5, None, None, 4.5),
        ("4,5", None, None, 4.5),
        ({"ratingValue": "8", "bestRating": "10", "worstRating": "0"}, None, None, 4.2),
        ({"ratingValue": 10, "bestRating": 10}, None, None, 5.0),
        ("3", "3", "1", 5.0),
        ("7", None, None, None),
        ("0", None, None, None),
        ("5", "5", "5", None),
        ("great", None, None, None),
        (None, None, None, None),
    ],
)
def test_normalise_rating(value: object, best: object, worst: object, expected: float | None) -> None:
    assert normalise_rating(value, best, worst) == expected


def test_first_string_numbers_and_counts() -> None:
    assert first_string([None, {"@value": " x "}, "y"]) == "x"
    assert first_string(True) is None
    assert (to_number("4.5 stars"), to_number(3), to_number("n/a")) == (4.5, 3.0, None)
    assert (to_count("1,234"), to_count("1 234"), to_count(489), to_count("many")) == (1234, 1234, 489, None)


def test_author_names() -> None:
    assert author_name({"@type": "Person", "name": "Ann &amp; Bo"}) == "Ann & Bo"
    assert author_name([{"givenName": "Jan", "familyName": "Kowalski"}]) == "Jan Kowalski"
    assert author_name("Ellie") == "Ellie"
    assert author_name({"@type": "Person"}) is None


def test_addresses_and_references() -> None:
    graph = [
        {"@id": "#addr", "@type": "PostalAddress", "streetAddress": "Rynek Główny 12", "postalCode": "31-042",
         "addressLocality": "Kraków", "addressCountry": {"@type": "Country", "name": "PL"}},
    ]  # fmt: skip
    index = index_by_id(graph)
    assert resolve({"@id": "#addr"}, index) is graph[0]
    assert resolve({"@id": "#unknown"}, index) == {"@id": "#unknown"}
    assert address_line({"@id": "#addr"}, index) == "Rynek Główny 12, 31-042, Kraków, PL"
    assert address_line("1 Main St, Springfield", {}) == "1 Main St, Springfield"
    assert address_line(None, {}) is None


def test_index_by_id_reaches_any_depth_without_recursion() -> None:
    leaf = {"@id": "#deep", "@type": "Review", "reviewBody": "Głęboko ukryta"}
    value: object = leaf
    for level in range(100_000):
        value = [value] if level % 2 else {"x": value}
    assert index_by_id([{"@graph": value}]) == {"#deep": leaf}
    # The first node with an id wins, in document order.
    assert index_by_id([{"@id": "a", "n": 1, "x": {"@id": "b", "n": 2}}, {"@id": "b", "n": 3}])["b"]["n"] == 2
