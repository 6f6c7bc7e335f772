"""Attribute a brand-level mention to one of the brand's locations when its text names one.

A social post or a news item names a brand but rarely a location. We only attribute it when the text
names one of the location's configured aliases (or its name) as whole words, ignoring case and
diacritics ("krakow" matches "Kraków"); otherwise the mention counts for the brand only. An alias
shared by two locations is ambiguous, and an ambiguous mention is left at brand level.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from sentiment.config import Brand


def fold(text: str) -> str:
    """Case- and diacritics-insensitive form used for alias matching (ł -> l, ß -> ss, ı -> i).

    Turkish dotted İ casefolds to i + a combining dot, which is stripped; dotless ı is a letter of its
    own in Unicode, so "Kadıköy" and "KADIKÖY" only meet if it is mapped to i explicitly.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("ł", "l").replace("ø", "o").replace("đ", "d").replace("ı", "i")


@lru_cache(maxsize=4096)
def _pattern(alias: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(fold(alias)) + r"(?!\w)")


def names_in(text: str, names: list[str]) -> bool:
    folded = fold(text)
    return any(name.strip() and _pattern(name.strip()).search(folded) for name in names)


def attribute_location(text: str, brand: Brand) -> str | None:
    """The one location of ``brand`` that ``text`` names, or ``None`` (none, or more than one)."""
    hits = [loc.name for loc in brand.locations if names_in(text, [loc.name, *loc.aliases])]
    return hits[0] if len(hits) == 1 else None
