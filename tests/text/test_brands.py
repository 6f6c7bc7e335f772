"""Brand matching: aliases, handles and hashtags, case- and diacritics-insensitive, on word boundaries,
with exclusions; examples that must and must not match in several languages."""

from __future__ import annotations

import pytest
from pydantic import Field

from sentiment.config import Brand, MonitorConfig
from sentiment.errors import ConfigError
from sentiment.parse.clean import fold
from sentiment.text.brands import BrandMatcher, configured_exclusions, name_pattern

BELLA = Brand(name="Bella Caffè", aliases=["Bella", "@bella_official"])
APPLE = Brand(name="Apple")


@pytest.mark.parametrize(
    "text",
    [
        "Bella Caffè was lovely",  # en
        "BELLA CAFFÈ ist super",  # de, upper case
        "bella caffe, kawa była zimna",  # pl, no accent
        "Je recommande #BellaCaffe !",  # fr, hashtag written together
        "gracias @bellacaffe por el café",  # es, handle
        "Bella-Caffè'de kahve güzeldi",  # tr, hyphenated, with a suffix after an apostrophe
        "¡Bella! qué sitio",  # es, inverted exclamation before the alias
        "ordered at https://bellacaffe.pl/menu",  # the domain
        "thanks @Bella_Official",  # a handle alias, any case
    ],
)
def test_bella_is_mentioned(text: str) -> None:
    assert mentions_brand(text, BELLA, exclusions=[])


@pytest.mark.parametrize(
    "text",
    [
        "Isabella made the coffee",  # the alias inside a longer name
        "cantaba bellamente",  # es/it adverb
        "Bellagio hotel",
        "#bellacaffekrakow",  # a longer hashtag is another tag
        "write to info@bella_official.com",  # an e-mail address, not the handle
        "Caffè Nero",
    ],
)
def test_bella_is_not_mentioned(text: str) -> None:
    assert not mentions_brand(text, BELLA, exclusions=[])


def test_an_exclusion_vetoes_only_the_matches_inside_it() -> None:
    veto = ["Apple Tree"]
    assert mentions_brand("The new Apple store", APPLE, exclusions=veto)
    assert mentions_brand("Apple's prices", APPLE, exclusions=veto)
    assert not mentions_brand("Coffee at the Apple Tree café", APPLE, exclusions=veto)
    assert not mentions_brand("APPLE TREE CAFÉ: lovely cake", APPLE, exclusions=veto)
    assert not mentions_brand("appletree café", APPLE, exclusions=veto)
    assert not mentions_brand("pineapple juice", APPLE, exclusions=veto)
    assert mentions_brand("Apple Tree café sells Apple phones", APPLE, exclusions=veto)  # a second, free match
    assert mentions_brand("Coffee at the Apple Tree café", APPLE, exclusions=[])


@pytest.mark.parametrize(
    ("brand", "must", "must_not"),
    [
        # de: ß/ss and umlauts; a compound word is another word, a hyphenated one is not
        (Brand(name="Müller Bäckerei"), ["MULLER BACKEREI hat zu", "Müller-Bäckerei"], ["Müllerbäckereien"]),
        (Brand(name="Straßencafé"), ["das Strassencafe am Markt"], ["Straßencafébetreiber"]),
        # pl: ł and ż fold to l and z; inflected forms need their own alias
        (Brand(name="Żabka"), ["w ŻABCE? nie, w Zabka", "#żabka"], ["żabkami", "Żabkowice"]),
        (Brand(name="Kraków Café"), ["byliśmy w krakow cafe", "KRAKÓW CAFÉ"], ["Krakowiak café"]),
        (Brand(name="Łódź Kaffee"), ["Lodz Kaffee war gut"], ["Łódzkie Kaffee"]),
        # fr
        (Brand(name="Crème de la Crème"), ["creme de la creme, quelle déception"], ["crémerie de la crème"]),
        # es
        (Brand(name="Café Niño"), ["el cafe nino cerró"], ["cafe ninos"]),
        # tr: dotted İ and dotless ı both fold to i
        (Brand(name="İstanbul Kahve"), ["istanbul kahve", "ISTANBUL KAHVE çok iyi"], ["İstanbulkahvesi"]),
        (Brand(name="Kadıköy Fırın"), ["KADIKÖY FIRIN", "kadikoy firin kapalıydı"], ["kadıköyfırını"]),
    ],
)
def test_several_languages(brand: Brand, must: list[str], must_not: list[str]) -> None:
    assert all(mentions_brand(text, brand, exclusions=[]) for text in must), must
    assert not any(mentions_brand(text, brand, exclusions=[]) for text in must_not), must_not


def test_fold_handles_turkish_i() -> None:
    assert fold("İSTANBUL") == fold("istanbul") == "istanbul"
    assert fold("KADIKÖY") == fold("Kadıköy") == "kadikoy"


def test_names_without_letters_are_ignored() -> None:
    assert name_pattern("  - ") is None
    assert not mentions_brand("anything", Brand(name="Apple", aliases=["--"]), exclusions=[])


class _BrandWithExclude(Brand):
    """Brand with the proposed ``exclude`` config field, to check it is picked up by default."""

    exclude: list[str] = Field(default_factory=list)


def test_configured_exclusions_are_the_default() -> None:
    apple = _BrandWithExclude(name="Apple", exclude=["Apple Tree"])
    assert configured_exclusions(apple) == ["Apple Tree"]
    assert configured_exclusions(APPLE) == []
    assert not BrandMatcher([apple]).mentions("Apple Tree café", "Apple")  # the brand's own exclusions
    assert mentions_brand("Apple Tree café", apple, exclusions=[])


def test_matcher_over_a_config() -> None:
    monitor = MonitorConfig.model_validate(
        {"brands": [{"name": "Bella Caffè", "aliases": ["Bella"]}, {"name": "Nordbrew", "competitor": True}]}
    )
    matcher = BrandMatcher.from_config(monitor)
    assert matcher.brands_in("Bella vs NORDBREW: Nordbrew wins") == ["Bella Caffè", "Nordbrew"]
    assert matcher.mentions("bella!", "Bella Caffè") and not matcher.mentions("bella!", "Nordbrew")
    vetoed = BrandMatcher(monitor.brands, exclusions={"Bella Caffè": ["Bella Italia"]})
    assert vetoed.brands_in("dinner at Bella Italia") == []
    with pytest.raises(ConfigError, match=r"brand 'Acme' is not configured; allowed: \['Bella Caffè', 'Nordbrew'\]"):
        matcher.mentions("x", "Acme")


def mentions_brand(text: str, brand: Brand, *, exclusions: list[str]) -> bool:
    """One brand's matcher, as the text stage builds it, asked about one text."""
    return BrandMatcher([brand], {brand.name: exclusions}).mentions(text, brand.name)
