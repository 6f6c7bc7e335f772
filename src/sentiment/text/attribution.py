"""Attribute a brand-level mention to one of the brand's locations when its text or its page names one.

A social post or a news item names a brand but rarely a location. We only attribute it when the text
names one of the location's configured aliases (or its name) as whole words, ignoring case and
diacritics ("krakow" matches "Kraków"); otherwise the mention counts for the brand only. An alias
shared by two locations is ambiguous, and an ambiguous mention is left at brand level.

A review page says more: the reviewed business's name and postal address (schema.org ``LocalBusiness``
/ ``PostalAddress``). :func:`location_for_place` matches those against the configured locations, so a
review page configured for the brand alone still counts for the right branch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sentiment.config import Address, Brand, Location
from sentiment.parse.clean import fold


@lru_cache(maxsize=4096)
def _pattern(alias: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(fold(alias)) + r"(?!\w)")


def names_in(text: str, names: list[str]) -> bool:
    folded = fold(text)
    return any(name.strip() and _pattern(name.strip()).search(folded) for name in names)


_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class LocationIndex:
    """A brand's location names and aliases, folded and compiled once, filed under their first word.

    A whole-word match starts where a word of the text starts, and that word is the alias's first word;
    so a text is folded once and only the aliases filed under its words are tried. Checking every
    alias of every location against every text cost a night of 10,000 mentions and 2,000 locations most
    of its time; this finds the same locations.
    """

    by_first: dict[str, list[tuple[str, re.Pattern[str]]]]
    #: Aliases that do not start with a letter or digit, tried against the whole text.
    others: list[tuple[str, re.Pattern[str]]]

    def located(self, text: str) -> str | None:
        """The one location ``text`` names, or ``None`` (none, or more than one)."""
        folded = fold(text)
        hits: set[str] = set()
        for word in _WORD.finditer(folded):
            for name, pattern in self.by_first.get(word.group(), ()):
                if name not in hits and pattern.match(folded, word.start()):
                    hits.add(name)
        hits.update(name for name, pattern in self.others if name not in hits and pattern.search(folded))
        return next(iter(hits)) if len(hits) == 1 else None


def location_index(brand: Brand) -> LocationIndex:
    """The :class:`LocationIndex` of ``brand``'s locations (built once per set of names)."""
    return _index(tuple((loc.name, (loc.name, *loc.aliases)) for loc in brand.locations))


@lru_cache(maxsize=256)
def _index(locations: tuple[tuple[str, tuple[str, ...]], ...]) -> LocationIndex:
    by_first: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    others: list[tuple[str, re.Pattern[str]]] = []
    for name, aliases in locations:
        for alias in {a.strip() for a in aliases if a.strip()}:
            first = _WORD.match(fold(alias))
            if first is None:
                others.append((name, _pattern(alias)))
            else:
                by_first.setdefault(first.group(), []).append((name, _pattern(alias)))
    return LocationIndex(by_first, others)


def attribute_location(text: str, brand: Brand) -> str | None:
    """The one location of ``brand`` that ``text`` names, or ``None`` (none, or more than one)."""
    return location_index(brand).located(text)


# --- a reviewed place: its name and postal address -------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+")
#: Street-type words written in full or abbreviated; both spellings compare as the abbreviation.
_STREET_WORDS = {
    "street": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr", "boulevard": "blvd",
    "lane": "ln", "place": "pl", "square": "sq", "court": "ct", "highway": "hwy",
    "strasse": "str", "ulica": "ul", "aleja": "al", "aleje": "al", "plac": "pl",
}  # fmt: skip
#: Street-type prefixes that addresses in some countries write or leave out at will ("ul. Marszałkowska").
_OPTIONAL_STREET_WORDS = frozenset({"ul"})


def _street_token(token: str) -> str:
    """One folded street token in its comparable form; German compounds ("Oranienstraße") end in "str"."""
    if token.endswith("strasse") and token != "strasse":
        return token.removesuffix("strasse") + "str"
    return _STREET_WORDS.get(token, token)


def _tokens(text: str) -> list[str]:
    return [_street_token(token) for token in _TOKEN.findall(fold(text))]


def _compact(text: str) -> str:
    """A postal code without case, spaces or hyphens: "31-042" = "31042", "SW1A 1AA" = "sw1a1aa"."""
    return "".join(_TOKEN.findall(fold(text)))


def _has_run(tokens: list[str], run: list[str]) -> bool:
    """Whether ``run`` occurs in ``tokens`` as consecutive tokens."""
    width = len(run)
    return bool(run) and any(tokens[i : i + width] == run for i in range(len(tokens) - width + 1))


@dataclass(frozen=True, slots=True)
class _PageAddress:
    """A page's one-line address, prepared for comparison: its tokens, and its comma-separated parts'."""

    tokens: list[str]
    parts: list[list[str]]

    @classmethod
    def parse(cls, line: str) -> _PageAddress:
        return cls(_tokens(line), [_tokens(part) for part in line.split(",")])

    def has_street(self, street: str) -> bool:
        """The street's words (number included, in any order) all within one part of the address:
        "1901 Lemur Ave" matches "1901 Lemur Avenue, ..." and "Lemur Ave 1901, ...", but not a page whose
        house number sits in another field."""
        wanted = [token for token in _tokens(street) if token not in _OPTIONAL_STREET_WORDS]
        if not wanted:
            return False
        return any(all(part.count(token) >= wanted.count(token) for token in wanted) for part in self.parts)

    def has_postal_code(self, postal_code: str) -> bool:
        code = _compact(postal_code)
        windows = ("".join(self.tokens[i : i + n]) for n in (1, 2, 3) for i in range(len(self.tokens) - n + 1))
        return bool(code) and code in windows

    def has_city(self, city: str) -> bool:
        return _has_run(self.tokens, _tokens(city))

    def same_town(self, address: Address) -> bool:
        """The page's address holds the location's postal code or its city."""
        return bool(
            (address.postal_code and self.has_postal_code(address.postal_code))
            or (address.city and self.has_city(address.city))
        )

    def matches(self, address: Address) -> bool:
        """The configured street, and its postal code or city: a street name alone recurs across cities."""
        return bool(address.street and self.has_street(address.street) and self.same_town(address))

    def contradicts(self, address: Address) -> bool:
        """The location has a postal code or city and the page's address names neither: another town."""
        return bool(address.postal_code or address.city) and not self.same_town(address)


def location_for_place(brand: Brand, item_name: str | None, address: str | None) -> str | None:
    """The one location of ``brand`` that a review page's reviewed item is, or ``None``.

    ``address`` is the page's address in one line, in the field order of
    :meth:`~sentiment.config.Address.one_line` (street, postal code, city, region, country), as the
    review-page parser writes it. A location matches by address when the page's address holds its
    street and its postal code or city (ignoring case, diacritics, punctuation and spellings such as
    "Avenue"/"Ave" or "Straße"/"Str."); failing a unique address match, by name when the item's name is
    or contains the location's name or one of its aliases as whole words, among the locations the
    address matched if it matched several, and never for a location in another town than the page's.
    Only a unique match counts: a page that fits two locations stays at brand level, like a text that
    names two.
    """
    if not brand.locations:
        return None
    page = _PageAddress.parse(address) if address and address.strip() else None
    by_address: list[Location] = []
    if page is not None:
        by_address = [loc for loc in brand.locations if loc.address is not None and page.matches(loc.address)]
    if len(by_address) == 1:
        return by_address[0].name
    if not item_name or not item_name.strip():
        return None
    candidates = by_address or [
        loc for loc in brand.locations if page is None or loc.address is None or not page.contradicts(loc.address)
    ]
    by_name = [loc for loc in candidates if names_in(item_name, [loc.name, *loc.aliases])]
    return by_name[0].name if len(by_name) == 1 else None
