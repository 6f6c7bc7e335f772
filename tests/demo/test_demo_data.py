"""The demo data has the promised shape: brands, locations, languages, days, unique texts, the story."""

from __future__ import annotations

from collections import Counter
from statistics import fmean

import pytest

from sentiment.demo.make_reviews import (
    MAX_SIMILARITY,
    counts_markdown,
    dump,
    generate,
    intended_score,
    jaccard,
    readme_counts,
    shingles,
    window_split,
)
from sentiment.demo.site import REVIEWS_FILE, SampleData, SampleLocation, load_sample_data


@pytest.fixture(scope="module")
def data() -> SampleData:
    return load_sample_data()


def _loc(data: SampleData, key: str) -> SampleLocation:
    brand, location = key.split("/")
    return data.location(brand, location)


def test_brands_and_locations(data: SampleData) -> None:
    assert [(b.name, b.competitor, len(b.locations)) for b in data.brands] == [
        ("Bella Caffè", False, 3),
        ("Nordbrew Coffee", True, 3),
    ]
    cities = {(loc.address.city, loc.address.country) for loc in data.locations}
    assert cities == {
        ("Kraków", "PL"), ("Berlin", "DE"), ("Madrid", "ES"), ("Paris", "FR"), ("Milano", "IT"), ("Warszawa", "PL"),
    }  # fmt: skip
    assert all(loc.aliases and loc.address.street and loc.address.postal_code for loc in data.locations)
    assert {loc.markup for loc in data.locations} == {"json-ld-graph", "json-ld", "microdata"}


def test_volume_languages_and_days(data: SampleData) -> None:
    reviews = data.reviews
    assert len(reviews) == 684
    assert Counter(r.lang for r in reviews) == {"en": 195, "pl": 134, "de": 97, "fr": 88, "es": 86, "it": 84}
    assert {r.day for r in reviews} == set(range(60))
    for loc in data.locations:
        per_day = Counter(r.day for r in loc.reviews if not r.duplicate_of)
        assert max(per_day.values()) <= 3, loc.name
        assert 55 <= len(per_day) <= 60, loc.name
        assert min(per_day[d] for d in range(7)) >= 2, f"{loc.name}: the last week must clear min_mentions"


def test_ids_are_unique_stable_and_chronological(data: SampleData) -> None:
    ids = [r.id for r in data.reviews]
    assert len(ids) == len(set(ids))
    krakow = _loc(data, "bella/krakow")
    assert krakow.reviews[0].id == "bella-krakow-0001" and krakow.reviews[0].day == 59
    for loc in data.locations:
        assert all(r.id.startswith(f"{loc.slug}-") for r in loc.reviews)
        assert [r.day for r in loc.reviews] == sorted((r.day for r in loc.reviews), reverse=True)


def test_ratings_follow_intended_polarity(data: SampleData) -> None:
    allowed = {"positive": {4, 5}, "neutral": {2, 3, 4}, "negative": {1, 2}}
    assert all(r.rating in allowed[r.polarity] for r in data.reviews)


def test_texts_are_unique_except_the_marked_reposts(data: SampleData) -> None:
    by_id = {r.id: r for r in data.reviews}
    reposts = [r for r in data.reviews if r.duplicate_of]
    assert len(reposts) == 6
    assert {r.id.rsplit("-", 1)[0] for r in reposts} == {loc.slug for loc in data.locations}
    for copy in reposts:
        first = by_id[copy.duplicate_of or ""]
        assert (copy.text, copy.author, copy.rating) == (first.text, first.author, first.rating)
        assert first.duplicate_of is None and 1 <= first.day - copy.day <= 2
        assert copy.day >= 7, "re-posts stay out of the alert's recent window"
    originals = [r.text for r in data.reviews if not r.duplicate_of]
    assert len(originals) == len(set(originals)) == 678


def test_no_near_duplicates_within_a_language(data: SampleData) -> None:
    by_lang: dict[str, list[frozenset[tuple[str, ...]]]] = {}
    for r in data.reviews:
        if not r.duplicate_of:
            by_lang.setdefault(r.lang, []).append(shingles(r.text))
    worst = max(jaccard(a, b) for texts in by_lang.values() for i, a in enumerate(texts) for b in texts[i + 1 :])
    assert worst < MAX_SIMILARITY


def test_only_the_declining_location_drops(data: SampleData) -> None:
    """Intended scores (pos 1, neu 0, neg -1): last 7 days against the 28 before, as the alert rule."""
    drops = {}
    for loc in data.locations:
        split = window_split(loc)
        means = [
            fmean(intended_score(p) for p, n in split[w].items() for _ in range(n)) for w in ("recent", "baseline")
        ]
        drops[loc.name] = means[1] - means[0]
    assert drops.pop("Kraków Rynek") > 1.2
    assert all(abs(d) < 0.1 for d in drops.values()), drops
    krakow = window_split(_loc(data, "bella/krakow"))
    assert krakow["recent"] == {"negative": 17, "neutral": 3, "positive": 1}
    assert krakow["baseline"] == {"positive": 35, "neutral": 8, "negative": 6}


def test_decline_is_about_the_story_aspects(data: SampleData) -> None:
    recent_negative = [r for r in _loc(data, "bella/krakow").reviews if r.day < 7 and r.polarity == "negative"]
    aspects = Counter(a for r in recent_negative for a in r.aspects)
    assert set(aspects) <= {"coffee", "staff", "wait", "clean"}


def test_news_items(data: SampleData) -> None:
    news = data.news
    assert len(news) == 28
    assert len({n.id for n in news}) == 28
    assert Counter(n.lang for n in news) == {"en": 8, "pl": 5, "de": 4, "es": 4, "it": 4, "fr": 3}
    assert all("Bella Caffè" in n.brands and n.day >= 1 for n in news)
    for n in news:
        text = f"{n.title} {n.body}".casefold()
        named = {loc.name for loc in data.brands[0].locations if any(a.casefold() in text for a in loc.aliases)}
        if n.location:
            assert named == {n.location}, n.id
        else:
            assert len(named) != 1, f"{n.id} names exactly one location but says location: null"
    recent_krakow = [n for n in news if n.location == "Kraków Rynek" and n.day < 7]
    assert [n.polarity for n in recent_krakow] == ["negative"] * 4


def test_generator_is_deterministic_and_matches_the_committed_file() -> None:
    assert dump(generate()) == REVIEWS_FILE.read_text(encoding="utf-8")


def test_readme_counts_are_current(data: SampleData) -> None:
    assert readme_counts() == counts_markdown(data)
