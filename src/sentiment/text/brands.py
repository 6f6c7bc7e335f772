"""Does a text mention a brand? Aliases, handles and hashtags, with per-brand exclusions.

Social and news sources return everything that matched a search, a hashtag or a feed, and search
engines match loosely (stems, substrings, other meanings), so a mention is kept only when its text
names one of the brand's configured names on word boundaries, ignoring case and diacritics (``fold``:
"KRAKÓW" = "krakow", Turkish "İ"/"ı" = "i"). "Bella" then matches "bella!" but neither "Isabella" nor
"bellamente".

Inside a name, spaces, hyphens, underscores, dots and apostrophes are optional, so one alias "Bella
Caffè" also matches the handle ``@bellacaffe``, the hashtag ``#BellaCaffe``, the domain
``bellacaffe.pl`` and "Bella-Caffè". Handles that differ from every alias (``@bella_official``) are
configured as aliases themselves.

An exclusion is a phrase that vetoes an alias match lying inside it: with alias "Apple" and exclusion
"Apple Tree", "coffee at Apple Tree" does not mention Apple, while "Apple Tree café, and Apple's
new phone" still does (its second "Apple" is outside the phrase).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sentiment.config import Brand, MonitorConfig
from sentiment.errors import ConfigError
from sentiment.parse.clean import fold

#: Characters that may be written, doubled or left out between the words of a name.
_OPTIONAL_SEPARATORS = r"[\s\-_.'’]*"
_PART = re.compile(r"(?P<word>[^\W_]+)|(?P<separator>[\s\-_.'’]+)|(?P<other>.)", re.DOTALL)
_EDGE = " \t\n-_.'’"


@lru_cache(maxsize=4096)
def name_pattern(name: str) -> re.Pattern[str] | None:
    """The compiled pattern of one alias or exclusion, matched against folded text (``None`` if empty)."""
    folded = fold(name).strip(_EDGE)
    if not any(ch.isalnum() for ch in folded):
        return None
    parts = []
    for match in _PART.finditer(folded):
        parts.append(_OPTIONAL_SEPARATORS if match.lastgroup == "separator" else re.escape(match.group()))
    return re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)")


def configured_exclusions(brand: Brand) -> list[str]:
    """The brand's exclusion phrases from the config field ``exclude``."""
    return list(brand.exclude)


@dataclass(frozen=True, slots=True)
class BrandRule:
    """The compiled names and exclusions of one brand."""

    brand: str
    names: tuple[re.Pattern[str], ...]
    exclusions: tuple[re.Pattern[str], ...]

    @classmethod
    def build(cls, brand: Brand, exclusions: Sequence[str]) -> BrandRule:
        names = [name_pattern(name) for name in (brand.name, *brand.aliases)]
        vetoes = [name_pattern(phrase) for phrase in exclusions]
        return cls(
            brand=brand.name,
            names=tuple(p for p in dict.fromkeys(names) if p is not None),
            exclusions=tuple(p for p in dict.fromkeys(vetoes) if p is not None),
        )

    def found_in(self, folded: str) -> bool:
        """Whether ``folded`` (already :func:`fold`-ed) names the brand outside every exclusion."""
        vetoed = [match.span() for pattern in self.exclusions for match in pattern.finditer(folded)]
        for pattern in self.names:
            for match in pattern.finditer(folded):
                start, end = match.span()
                if not any(v_start <= start and end <= v_end for v_start, v_end in vetoed):
                    return True
        return False


class BrandMatcher:
    """The brands of a monitor config, compiled once, to test many texts against them."""

    def __init__(self, brands: Iterable[Brand], exclusions: Mapping[str, Sequence[str]] | None = None) -> None:
        """``exclusions`` maps brand names to their veto phrases; a brand not in it uses its configured ones."""
        given = exclusions or {}
        self._rules = {
            brand.name: BrandRule.build(brand, given.get(brand.name, configured_exclusions(brand))) for brand in brands
        }

    @classmethod
    def from_config(cls, monitor: MonitorConfig) -> BrandMatcher:
        return cls(monitor.brands)

    @property
    def brands(self) -> list[str]:
        return list(self._rules)

    def mentions(self, text: str, brand: str) -> bool:
        """Whether ``text`` names the configured brand called ``brand``."""
        rule = self._rules.get(brand)
        if rule is None:
            raise ConfigError(f"brand {brand!r} is not configured; allowed: {self.brands}")
        return rule.found_in(fold(text))

    def brands_in(self, text: str) -> list[str]:
        """The configured brands that ``text`` names, in config order."""
        folded = fold(text)
        return [name for name, rule in self._rules.items() if rule.found_in(folded)]
