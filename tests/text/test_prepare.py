from __future__ import annotations

from sentiment.parse.clean import clean_text, fold
from sentiment.records import Mention
from sentiment.text.attribution import attribute_location
from sentiment.text.lang import detect_language
from sentiment.text.prepare import author_hash, prepare
from tests.helpers import mention, monitor

LONG = "The espresso was burnt and the barista ignored us for twenty minutes."


def test_clean_text_strips_markup_and_repairs_mojibake() -> None:
    assert clean_text("<p>Caf&eacute; was <b>great</b></p><p>but slow</p><script>x()</script>") == (
        "Café was great\n\nbut slow"
    )
    assert clean_text("CafÃ© trÃ¨s bien,\u00a0 merci") == "Café très bien, merci"
    assert clean_text("   ") == ""


def test_language_is_identified_from_text_not_platform() -> None:
    assert detect_language("Świetna kawa, ale obsługa była bardzo wolna") == "pl"
    assert detect_language("Der Kaffee war kalt und die Bedienung unfreundlich") == "de"
    assert detect_language("El café estaba frío y el camarero fue muy grosero") == "es"
    assert detect_language("!!! 123") == "und"
    out = prepare([mention("1", LONG, platform_lang="ja")], monitor=monitor(), salt="s")
    assert out.mentions[0].lang == "en"
    assert out.mentions[0].platform_lang == "ja"


def test_author_names_become_salted_hashes() -> None:
    out = prepare([mention("1", LONG, author="Anna Kowalska")], monitor=monitor(), salt="pepper")
    m = out.mentions[0]
    assert m.author is None
    assert m.author_hash == author_hash("anna  KOWALSKA", "pepper")
    assert m.author_hash != author_hash("Anna Kowalska", "other-salt")
    assert "Anna" not in repr(m)


def test_exact_duplicates_link_to_the_oldest_copy() -> None:
    later = mention("b", LONG.upper(), day=5)
    first = mention("a", f"<p>{LONG}</p>", day=2)
    other = mention("c", "Lovely cakes and a calm room to read in, will come back soon.", day=3)
    out = prepare([later, other, first], monitor=monitor(), salt="s")
    by_item = {m.source_item_id: m for m in out.mentions}
    assert by_item["a"].duplicate_of is None
    assert by_item["b"].duplicate_of == first.id
    assert by_item["c"].duplicate_of is None
    assert out.duplicates == 1


def test_duplicates_link_to_copies_stored_before() -> None:
    stored = {}
    first = prepare([mention("a", LONG)], monitor=monitor(), salt="s").mentions[0]
    stored[first.content_hash] = first.id
    again = prepare([mention("z", LONG, source="other")], monitor=monitor(), salt="s", first_copies=lambda h: stored)
    assert again.mentions[0].duplicate_of == first.id


def test_short_identical_texts_from_different_people_are_not_duplicates() -> None:
    out = prepare(
        [mention("a", "Great coffee!", author="Ann"), mention("b", "Great coffee!", author="Bob")],
        monitor=monitor(),
        salt="s",
    )
    assert [m.duplicate_of for m in out.mentions] == [None, None]
    same = prepare(
        [mention("a", "Great coffee!", author="Ann"), mention("b", "Great coffee!", author="ann")],
        monitor=monitor(),
        salt="s",
    )
    assert same.mentions[1].duplicate_of == same.mentions[0].id


def test_empty_texts_are_skipped_and_counted() -> None:
    out = prepare([mention("a", "<p> </p>"), mention("b", LONG)], monitor=monitor(), salt="s")
    assert [m.source_item_id for m in out.mentions] == ["b"]
    assert out.skipped == {"empty_text": 1}


def test_location_attributed_by_alias_without_case_or_diacritics() -> None:
    brand = monitor().brand("Bella Caffè")
    assert attribute_location("Stopped by the bella at KRAKOW RYNEK today", brand) == "Bella Kraków"
    assert attribute_location("Bella Berlin mitte: schöner Ort", brand) == "Bella Berlin"
    assert attribute_location("Rynkowy wystrój, nic o Krakowie", brand) is None  # no whole-word alias
    assert attribute_location("Both Kraków Rynek and Berlin Mitte were fine", brand) is None  # ambiguous
    assert fold("Łódź Straße") == "lodz strasse"


def test_the_location_index_finds_what_trying_every_alias_finds() -> None:
    """The index files aliases under their first word; the answer is the one that checking every alias
    of every location against the text gives, nested and shared names included."""
    import random

    from sentiment.config import parse_config
    from sentiment.text.attribution import location_index, names_in

    cities = ["Berlin", "Kraków", "São Paulo", "Łódź", "New York", "Köln"]
    locations = [{"name": f"{city} {i}", "aliases": [f"{city} Shop {i}", f"#{i} {city}"]} for city in cities
                 for i in range(1, 30)]  # fmt: skip
    locations += [{"name": "Berlin", "aliases": ["Berlin Mitte"]}, {"name": "Mitte", "aliases": ["Berlin Mitte"]}]
    brand = parse_config({"brands": [{"name": "Bella", "locations": locations}]}).brand("Bella")
    rng = random.Random(3)
    words = [*cities, "shop", "#7", "Mitte", "berlin mitte", "koln 12", "sao paulo 3", "the", "1", "2", "12", "café"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 8))) for _ in range(400)]

    def every_alias(text: str) -> str | None:
        hits = [loc.name for loc in brand.locations if names_in(text, [loc.name, *loc.aliases])]
        return hits[0] if len(hits) == 1 else None

    index = location_index(brand)
    found = [index.located(text) for text in texts]
    assert found == [every_alias(text) for text in texts]
    assert 40 < sum(f is not None for f in found) < 360  # both answers are common in the sample


def test_prepare_attributes_brand_level_mentions_only() -> None:
    cfg = monitor()
    news = Mention(
        source="news", source_item_id="n1", text="The Rynek Główny café of Bella opened", brand="Bella Caffè"
    )
    own_page = Mention(
        source="p", source_item_id="r1", text="Nice place in Berlin Mitte", brand="Bella Caffè", location="Bella Kraków"
    )
    out = prepare([news, own_page], monitor=cfg, salt="s")
    assert {m.source_item_id: m.location for m in out.mentions} == {"n1": "Bella Kraków", "r1": "Bella Kraków"}


def test_a_text_over_the_cap_is_cut_at_a_word_boundary_and_marked() -> None:
    huge = "Die Bedienung war unfreundlich und der Kaffee kalt. " * 20_000  # about 1 MB
    out = prepare([mention("1", huge), mention("2", LONG)], monitor=monitor(text={"max_chars": 1_000}), salt="s")
    cut, short = sorted(out.mentions, key=lambda m: m.source_item_id)
    assert cut.truncated and not short.truncated
    assert 900 <= len(cut.text) <= 1_000
    assert cut.text.split()[-1] in set(huge.split())  # no word cut in half
    assert huge.startswith(cut.text)
    assert short.text == LONG
    assert out.skipped == {"text_truncated": 1}


def test_the_brand_gate_keeps_only_mentions_that_name_their_brand_where_the_source_asks() -> None:
    gated = [
        mention("a", "Rynek Główny: Bella Caffe has the best espresso", brand="Bella Caffè", brand_gate=True),
        mention("b", "Espresso everywhere in Kraków today", brand="Bella Caffè", brand_gate=True),
        mention("c", "Espresso everywhere in Kraków today", source="own-feed", brand="Bella Caffè"),
    ]
    out = prepare(gated, monitor=monitor(), salt="s")
    assert [m.source_item_id for m in out.mentions] == ["a", "c"]
    assert out.skipped == {"no_brand_match": 1}
    assert out.mentions[0].location == "Bella Kraków"  # attributed from the text after the gate


def test_a_reviewed_place_is_matched_before_the_text_is_read_for_a_location() -> None:
    review = mention(
        "a", "Friendly staff, we met in Oslo last year", brand="Bella Caffè", place_name="Bella Berlin Mitte"
    )
    elsewhere = mention("b", "Loved it, Rynek Główny is beautiful", brand="Bella Caffè", place_name="Bella Hamburg")
    out = prepare([review, elsewhere], monitor=monitor(), salt="s")
    assert [m.location for m in out.mentions] == ["Bella Berlin", "Bella Kraków"]
