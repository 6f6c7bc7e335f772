"""Attributing a review page to a configured location by the reviewed place's name and postal address.

A review portal's page of one branch names the business and its address; matching them to the
configured locations must find the branch even when the spelling differs ("Avenue"/"Ave",
"Straße"/"Str.", "ul." left out, "00-514"/"00514", accents), and must refuse when in doubt: a branch of
another town on a street of the same name, a different house number, or a page that fits two
locations stays at brand level.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment.config import Address, Brand, Location
from sentiment.sources.review_page import parse_review_page
from sentiment.text.attribution import location_for_place

SUNNYVALE = Location(
    name="GreatFood Sunnyvale",
    address=Address(street="1901 Lemur Ave", postal_code="94086", city="Sunnyvale", region="CA", country="US"),
)
CUPERTINO = Location(
    name="GreatFood Cupertino",
    aliases=["GreatFood Stevens Creek"],
    address=Address(street="1901 Lemur Avenue", postal_code="95014", city="Cupertino", region="CA", country="US"),
)
GREATFOOD = Brand(name="GreatFood", locations=[SUNNYVALE, CUPERTINO])

BELLA = Brand(
    name="Bella Caffè",
    locations=[
        Location(
            name="Kraków Rynek",
            aliases=["Bella na Rynku"],
            address=Address(street="Rynek Główny 12", postal_code="31-042", city="Kraków", country="PL"),
        ),
        Location(
            name="Berlin Kreuzberg",
            aliases=["Bella Kreuzberg"],
            address=Address(street="Oranienstraße 34", postal_code="10999", city="Berlin", country="DE"),
        ),
        Location(
            name="Warszawa Śródmieście",
            address=Address(street="ul. Marszałkowska 84", postal_code="00-514", city="Warszawa", country="PL"),
        ),
        Location(name="Madrid Malasaña", aliases=["Bella Malasaña"]),
    ],
)


@pytest.mark.parametrize("syntax", ["jsonld", "microdata", "rdfa"])
def test_schema_org_restaurant_is_found_by_its_postal_address(shared_data: Path, syntax: str) -> None:
    """schema.org's eg-0004: a Restaurant with a PostalAddress, in each of the three syntaxes."""
    page = (shared_data / "structured-data-review-markup/schemaorg-examples" / f"eg-0004.{syntax}.html").read_bytes()
    info = parse_review_page(page, "https://reviews.example/greatfood").info
    assert (info.item_name, info.address) == ("GreatFood", "1901 Lemur Ave, 94086, Sunnyvale, CA")
    assert location_for_place(GREATFOOD, info.item_name, info.address) == "GreatFood Sunnyvale"


@pytest.mark.parametrize(
    "address",
    [
        "1901 Lemur Ave, 94086, Sunnyvale, CA",  # as the parser writes it
        "1901 LEMUR AVENUE, 94086, SUNNYVALE",  # case, the street type written out
        "Lemur Ave. 1901, Sunnyvale, California, United States",  # number after the street, no postal code
        "1901 Lemur Ave, 94086",  # street and postal code only
    ],
)
def test_street_with_postal_code_or_city_matches(address: str) -> None:
    assert location_for_place(GREATFOOD, "GreatFood", address) == "GreatFood Sunnyvale"


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("Rynek Glówny 12, 31042, KRAKOW, PL", "Kraków Rynek"),  # accents, postal code without its hyphen
        ("Oranienstr. 34, 10999, Berlin, DE", "Berlin Kreuzberg"),  # Straße abbreviated
        ("Marszalkowska 84, 00-514, Warszawa", "Warszawa Śródmieście"),  # "ul." left out
        ("ul. Marszałkowska 84, Warszawa", "Warszawa Śródmieście"),  # no postal code: the city decides
    ],
)
def test_spellings_of_european_addresses(address: str, expected: str) -> None:
    assert location_for_place(BELLA, "Bella Caffè", address) == expected


@pytest.mark.parametrize(
    "location", [SUNNYVALE, CUPERTINO, *[loc for loc in BELLA.locations if loc.address is not None]]
)
def test_a_configured_address_in_one_line_finds_its_location(location: Location) -> None:
    """``Address.one_line`` writes the fields in the order the review-page parser does."""
    brand = GREATFOOD if location in GREATFOOD.locations else BELLA
    assert location.address is not None
    assert location_for_place(brand, None, location.address.one_line()) == location.name


@pytest.mark.parametrize(
    "address",
    [
        "1901 Lemur Ave, 94087, Mountain View, CA",  # the same street in another town
        "1903 Lemur Ave, 94086, Sunnyvale, CA",  # another house number on the same street
        "1901 Lemur Ave",  # a street alone recurs across towns
        "Sunnyvale, CA",  # a town alone holds many branches
        "Lemur Ave, 1901 Sunnyvale",  # the number is not part of the street field
    ],
)
def test_addresses_that_are_not_the_branch(address: str) -> None:
    only_sunnyvale = Brand(name="GreatFood", locations=[SUNNYVALE])
    assert location_for_place(only_sunnyvale, "GreatFood", address) is None


def test_another_citys_branch_on_a_street_of_the_same_name() -> None:
    page = "1901 Lemur Ave, 95014, Cupertino, CA"
    assert location_for_place(GREATFOOD, "GreatFood", page) == "GreatFood Cupertino"
    assert location_for_place(Brand(name="GreatFood", locations=[SUNNYVALE]), "GreatFood", page) is None


def test_two_locations_at_one_address_is_no_match_unless_the_name_decides() -> None:
    """Two counters of a brand in one food hall share the address: only the item's name can tell them."""
    hall = Address(street="Rynek Główny 12", postal_code="31-042", city="Kraków")
    brand = Brand(
        name="Bella Caffè",
        locations=[Location(name="Hall Bar", address=hall), Location(name="Hall Terrace", address=hall)],
    )
    page = "Rynek Główny 12, 31-042, Kraków"
    assert location_for_place(brand, "Bella Caffè", page) is None
    assert location_for_place(brand, "Bella Caffè Hall Terrace", page) == "Hall Terrace"


@pytest.mark.parametrize(
    ("item_name", "expected"),
    [
        ("Madrid Malasaña", "Madrid Malasaña"),  # the location's name itself
        ("Bella Caffè – Bella Malasaña", "Madrid Malasaña"),  # an alias within the name
        ("BELLA NA RYNKU", "Kraków Rynek"),  # case-insensitive
        ("Bella Kreuzbergerin", None),  # an alias inside a longer word is not a match
        ("Bella Caffè", None),  # the brand alone names no location
        ("Bella Kreuzberg & Bella Malasaña gift card", None),  # two locations: ambiguous
        ("", None),
    ],
)
def test_the_item_name_when_the_page_has_no_address(item_name: str, expected: str | None) -> None:
    assert location_for_place(BELLA, item_name, None) == expected


def test_a_name_match_in_another_town_is_refused() -> None:
    """A place called like a Kraków location but whose page gives a Wrocław address is not that location."""
    assert location_for_place(BELLA, "Bella na Rynku", "Rynek 5, 50-106, Wrocław, PL") is None
    # Without a configured address there is nothing to contradict: the name decides.
    assert location_for_place(BELLA, "Bella Malasaña", "Calle del Pez 3, 28004, Madrid") == "Madrid Malasaña"


def test_a_brand_without_locations_or_a_page_without_facts() -> None:
    assert location_for_place(Brand(name="GreatFood"), "GreatFood Sunnyvale", "1901 Lemur Ave, 94086") is None
    assert location_for_place(GREATFOOD, None, None) is None
    assert location_for_place(GREATFOOD, "  ", "  ") is None
