"""Generate ``reviews.yaml``, the demo's review data, from hand-written sentences with a fixed seed.

Run ``python -m sentiment.demo.make_reviews`` after editing :mod:`sentiment.demo.fragments` or the
location specs below; it rewrites ``reviews.yaml`` and the counts block of ``README.md``. The output
is committed, so the demo and the tests never depend on this script running.

Why generated, and why like this:

* ~700 reviews cannot be written one by one, but every sentence in them was written by hand (see
  ``fragments.py``) so texts read naturally and carry one clear intended polarity;
* texts must be unique: the pipeline links exact copies to their first copy, so a review composed twice
  would silently count once. Beyond exact uniqueness, each new text is rejected when its word-trigram
  overlap with any earlier text of the same language reaches :data:`MAX_SIMILARITY`, so no two reviews
  look like near-duplicates either;
* the intended polarity and language of each location are *stratified* per week (exact proportions,
  shuffled within the week) rather than drawn independently: a steady location then has the same mix
  in its last 7 days as in its baseline, and only the declining location shows a drop; random draws
  could fake a drop in a quiet week;
* dates are day offsets (0 = today), so the site renders relative to the day it is served.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sentiment.demo.fragments import (
    ASPECTS,
    AUTHORS,
    CONTEXT,
    DECLINE_ASPECTS,
    FRAGMENTS,
    RECENT_OPENERS,
)
from sentiment.demo.site import (
    POLARITIES,
    REVIEWS_FILE,
    Polarity,
    SampleData,
    SampleLocation,
    load_sample_data,
)

SEED = 20240611
DAYS = 60
RECENT_DAYS = 7
BASELINE_DAYS = 28
#: Word-trigram Jaccard similarity at or above which a new text counts as a near copy and is redrawn.
MAX_SIMILARITY = 0.5
README_FILE = Path(__file__).resolve().parent / "README.md"
_COUNTS_START = "<!-- counts:start (written by make_reviews.py) -->"
_COUNTS_END = "<!-- counts:end -->"

#: Reviews per day: the last week always has 2-3 per location (3 at the declining one) so every
#: location clears the alert rule's minimum volume; earlier days have 0-3.
_DAILY = ((0, 1, 2, 3), (0.05, 0.30, 0.40, 0.25))
_RATINGS: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {
    "positive": ((5, 4), (0.6, 0.4)),
    "neutral": ((3, 2, 4), (0.7, 0.15, 0.15)),
    "negative": ((1, 2), (0.6, 0.4)),
}


@dataclass(frozen=True)
class LocationSpec:
    """One location of the sample web and how its reviews are drawn."""

    key: str
    name: str
    display_name: str
    aliases: tuple[str, ...]
    street: str
    postal_code: str
    city: str
    country: str
    site_lang: str
    markup: str
    languages: Mapping[str, float]
    profile: Mapping[str, float]
    #: Polarity mix of the last :data:`RECENT_DAYS` days when the location declines, else ``None``.
    decline: Mapping[str, float] | None = None


@dataclass(frozen=True)
class BrandSpec:
    key: str
    name: str
    aliases: tuple[str, ...]
    competitor: bool
    locations: tuple[LocationSpec, ...]


BRANDS: tuple[BrandSpec, ...] = (
    BrandSpec(
        key="bella",
        name="Bella Caffè",
        aliases=("Bella Caffe", "Caffè Bella", "Bella Coffee"),
        competitor=False,
        locations=(
            LocationSpec(
                key="krakow",
                name="Kraków Rynek",
                display_name="Bella Caffè Kraków – Rynek Główny",
                aliases=("Bella Caffè Kraków", "Bella Kraków", "Kraków Rynek café", "Bella na Rynku"),
                street="Rynek Główny 12",
                postal_code="31-042",
                city="Kraków",
                country="PL",
                site_lang="pl",
                markup="json-ld-graph",
                # The Rynek is full of tourists: English and German beside Polish.
                languages={"en": 0.45, "pl": 0.4, "de": 0.15},
                profile={"positive": 0.72, "neutral": 0.16, "negative": 0.12},
                decline={"positive": 0.06, "neutral": 0.12, "negative": 0.82},
            ),
            LocationSpec(
                key="berlin",
                name="Berlin Kreuzberg",
                display_name="Bella Caffè Berlin-Kreuzberg",
                aliases=("Bella Caffè Berlin", "Bella Kreuzberg", "Bella Caffè Oranienstraße"),
                street="Oranienstraße 34",
                postal_code="10999",
                city="Berlin",
                country="DE",
                site_lang="de",
                markup="json-ld-graph",
                languages={"de": 0.7, "en": 0.3},
                profile={"positive": 0.70, "neutral": 0.18, "negative": 0.12},
            ),
            LocationSpec(
                key="madrid",
                name="Madrid Malasaña",
                display_name="Bella Caffè Madrid – Malasaña",
                aliases=("Bella Caffè Madrid", "Bella Malasaña", "Bella Caffè Fuencarral"),
                street="Calle de Fuencarral 45",
                postal_code="28004",
                city="Madrid",
                country="ES",
                site_lang="es",
                markup="json-ld-graph",
                languages={"es": 0.75, "en": 0.25},
                profile={"positive": 0.74, "neutral": 0.15, "negative": 0.11},
            ),
        ),
    ),
    BrandSpec(
        key="nordbrew",
        name="Nordbrew Coffee",
        aliases=("Nordbrew", "Nord Brew", "Nordbrew Coffee Co."),
        competitor=True,
        locations=(
            LocationSpec(
                key="paris",
                name="Paris Marais",
                display_name="Nordbrew Coffee Paris Marais",
                aliases=("Nordbrew Paris", "Nordbrew Marais"),
                street="18 Rue de Bretagne",
                postal_code="75003",
                city="Paris",
                country="FR",
                site_lang="fr",
                markup="json-ld",
                languages={"fr": 0.75, "en": 0.25},
                profile={"positive": 0.62, "neutral": 0.20, "negative": 0.18},
            ),
            LocationSpec(
                key="milano",
                name="Milano Tortona",
                display_name="Nordbrew Coffee Milano Tortona",
                aliases=("Nordbrew Milano", "Nordbrew Milan", "Nordbrew Tortona"),
                street="Via Tortona 27",
                postal_code="20144",
                city="Milano",
                country="IT",
                site_lang="it",
                markup="microdata",
                languages={"it": 0.8, "en": 0.2},
                profile={"positive": 0.68, "neutral": 0.18, "negative": 0.14},
            ),
            LocationSpec(
                key="warszawa",
                name="Warszawa Śródmieście",
                display_name="Nordbrew Coffee Warszawa Śródmieście",
                aliases=("Nordbrew Warszawa", "Nordbrew Warsaw", "Nordbrew Marszałkowska"),
                street="ul. Marszałkowska 84",
                postal_code="00-514",
                city="Warszawa",
                country="PL",
                site_lang="pl",
                markup="json-ld",
                languages={"pl": 0.75, "en": 0.25},
                profile={"positive": 0.66, "neutral": 0.19, "negative": 0.15},
            ),
        ),
    ),
)

_HEADER = """\
# Demo review data for the bundled sample web (sentiment.demo).
#
# HAND-WRITTEN DEMO DATA, NOT REAL REVIEWS. The businesses, authors and texts are fictional. Every
# sentence was written by hand (src/sentiment/demo/fragments.py) with an intended polarity; each review
# below was composed from those sentences by make_reviews.py with a fixed seed. Do not edit by hand:
# change fragments.py or the specs in make_reviews.py and run `python -m sentiment.demo.make_reviews`.
#
# Fields: brands[].locations[] carry what the review portal shows (display_name, address, the portal's
# language site_lang and its markup: json-ld-graph | json-ld | microdata) and the monitor-config location
# name and aliases. Each review has a stable id, `day` = days before "today" (0 = today; the site renders
# dates relative to the day it is served), author (fake), rating 1-5, lang, the intended `polarity`
# (positive | neutral | negative), the `aspects` its sentences talk about, the text, and on an
# intentional exact re-post `duplicate_of` = the id of the first copy.
#
# The story: Bella Caffè Kraków Rynek turns clearly negative in the last 7 days (days 0-6: wait time,
# cold coffee, rude staff, dirty tables); every other location stays steady.
"""


@dataclass
class _Draft:
    day: int
    order: int
    lang: str
    polarity: Polarity
    text: str = ""
    aspects: list[str] = field(default_factory=list)
    author: str = ""
    rating: int = 0
    duplicate_of: _Draft | None = None
    id: str = ""


_WORD = re.compile(r"\w+")


def shingles(text: str) -> frozenset[tuple[str, ...]]:
    """Word trigrams of a lower-cased text: the unit near-duplicate detectors compare."""
    words = _WORD.findall(text.casefold())
    return frozenset(tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2)))


def jaccard(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def allocate(n: int, shares: Mapping[str, float]) -> list[str]:
    """``n`` labels in the given proportions, by largest remainder (exact, not random)."""
    total = sum(shares.values())
    exact = {k: n * v / total for k, v in shares.items()}
    counts = {k: int(v) for k, v in exact.items()}
    by_remainder = sorted(shares, key=lambda k: (exact[k] - counts[k], shares[k]), reverse=True)
    for k in by_remainder[: n - sum(counts.values())]:
        counts[k] += 1
    return [k for k in shares for _ in range(counts[k])]


def _split(fragment: str) -> tuple[str | None, str]:
    if fragment[:2] in ("f|", "m|"):
        return fragment[0], fragment[2:]
    return None, fragment


class _Composer:
    """Composes review texts; remembers every text so far to keep them unique and far apart."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: dict[str, list[frozenset[tuple[str, ...]]]] = {}
        self.texts: set[str] = set()

    def _pick(self, options: Sequence[str], gender: list[str | None]) -> str:
        fitting = [o for o in options if _split(o)[0] in (None, gender[0])] if gender[0] else list(options)
        choice = self.rng.choice(fitting)
        g, text = _split(choice)
        if g:
            gender[0] = g
        return text

    def compose(self, lang: str, polarity: Polarity, place: str, declining: bool) -> tuple[str, list[str], str | None]:
        pool = FRAGMENTS[lang][polarity]
        for _ in range(500):
            gender: list[str | None] = [None]
            parts: list[str] = []
            recent = RECENT_OPENERS.get(lang, [])
            if declining and polarity == "negative" and recent and self.rng.random() < 0.55:
                parts.append(self._pick(recent, gender))
            elif self.rng.random() < 0.8:
                parts.append(self._pick(pool["open"], gender))
            context = CONTEXT[place].get(lang, [])
            if context and self.rng.random() < 0.3:
                parts.append(self._pick(context, gender))
            choices = DECLINE_ASPECTS if declining and polarity == "negative" else ASPECTS
            aspects = self.rng.sample(choices, self.rng.choice((1, 2, 2, 3)))
            parts += [self._pick(pool[a], gender) for a in aspects]
            if self.rng.random() < 0.7 or len(parts) < 2:
                parts.append(self._pick(pool["close"], gender))
            text = " ".join(parts)
            sh = shingles(text)
            if text in self.texts or any(jaccard(sh, other) >= MAX_SIMILARITY for other in self.seen.get(lang, [])):
                continue
            self.texts.add(text)
            self.seen.setdefault(lang, []).append(sh)
            return text, aspects, gender[0]
        raise RuntimeError(f"could not compose a distinct {lang} {polarity} text for {place}; add fragments")


def _weighted(rng: random.Random, spec: tuple[tuple[int, ...], tuple[float, ...]]) -> int:
    return rng.choices(spec[0], weights=spec[1])[0]


def _author(rng: random.Random, lang: str, gender: str | None) -> str:
    names = [name for name, g in AUTHORS[lang] if gender in (None, g)]
    return rng.choice(names)


def _location_drafts(rng: random.Random, composer: _Composer, brand: BrandSpec, loc: LocationSpec) -> list[_Draft]:
    place = f"{brand.key}/{loc.key}"
    # Unhappy customers write more: the declining location gets 3 a day in its bad week.
    recent = (3,) if loc.decline else (2, 2, 3)
    per_day = {day: rng.choice(recent) if day < RECENT_DAYS else _weighted(rng, _DAILY) for day in range(DAYS)}
    drafts: list[_Draft] = []
    order = 0
    # Weeks counted back from today: week 0 is days 0-6, the alert rule's recent window.
    for week in range(-(-DAYS // RECENT_DAYS)):
        days = [d for d in range(week * RECENT_DAYS, min(DAYS, (week + 1) * RECENT_DAYS))]
        n = sum(per_day[d] for d in days)
        declining = loc.decline is not None and week == 0
        profile = loc.decline if declining and loc.decline else loc.profile
        polarities = allocate(n, profile)
        languages = allocate(n, loc.languages)
        rng.shuffle(polarities)
        rng.shuffle(languages)
        slots = [d for d in sorted(days, reverse=True) for _ in range(per_day[d])]
        for day, polarity, lang in zip(slots, polarities, languages, strict=True):
            pol = _polarity(polarity)
            text, aspects, gender = composer.compose(lang, pol, place, declining)
            drafts.append(
                _Draft(
                    day=day,
                    order=order,
                    lang=lang,
                    polarity=pol,
                    text=text,
                    aspects=aspects,
                    author=_author(rng, lang, gender),
                    rating=_weighted(rng, _RATINGS[pol]),
                )
            )
            order += 1
    # One intentional exact re-post per location: same author and text, one or two days later, well
    # outside the last week so it never touches the story the alert should tell.
    candidates = [d for d in drafts if 12 <= d.day <= 50]
    original = rng.choice(candidates)
    drafts.append(
        _Draft(
            day=original.day - rng.choice((1, 2)),
            order=order,
            lang=original.lang,
            polarity=original.polarity,
            text=original.text,
            aspects=list(original.aspects),
            author=original.author,
            rating=original.rating,
            duplicate_of=original,
        )
    )
    # Ids ascend with time, as on a real portal: oldest day first, then in posting order.
    drafts.sort(key=lambda d: (-d.day, d.order))
    for seq, draft in enumerate(drafts, start=1):
        draft.id = f"{brand.key}-{loc.key}-{seq:04d}"
    return drafts


def _polarity(value: str) -> Polarity:
    for polarity in POLARITIES:
        if polarity == value:
            return polarity
    raise ValueError(value)


def generate(seed: int = SEED) -> dict[str, Any]:
    """Build the whole ``reviews.yaml`` document (deterministic for a given seed)."""
    rng = random.Random(seed)
    composer = _Composer(rng)
    brands = []
    for brand in BRANDS:
        locations = []
        for loc in brand.locations:
            drafts = _location_drafts(rng, composer, brand, loc)
            reviews = []
            for d in drafts:
                review: dict[str, Any] = {
                    "id": d.id,
                    "day": d.day,
                    "author": d.author,
                    "rating": d.rating,
                    "lang": d.lang,
                    "polarity": d.polarity,
                    "aspects": d.aspects,
                    "text": d.text,
                }
                if d.duplicate_of is not None:
                    review["duplicate_of"] = d.duplicate_of.id
                reviews.append(review)
            locations.append(
                {
                    "key": loc.key,
                    "name": loc.name,
                    "display_name": loc.display_name,
                    "aliases": list(loc.aliases),
                    "address": {
                        "street": loc.street,
                        "postal_code": loc.postal_code,
                        "city": loc.city,
                        "country": loc.country,
                    },
                    "site_lang": loc.site_lang,
                    "markup": loc.markup,
                    "reviews": reviews,
                }
            )
        brands.append(
            {
                "key": brand.key,
                "name": brand.name,
                "aliases": list(brand.aliases),
                "competitor": brand.competitor,
                "locations": locations,
            }
        )
    return {"version": 1, "site_name": "CupAdvisor", "brands": brands}


class _Dumper(yaml.SafeDumper):
    """Short lists of strings (aliases, aspects) in flow style, so a review stays a few lines."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(isinstance(x, str) for x in data) and sum(len(x) for x in data) < 100
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def dump(document: Mapping[str, Any]) -> str:
    body = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)
    return _HEADER + "\n" + body


# --------------------------------------------------------------------------------------------------
# Counts, for the README and the tests
# --------------------------------------------------------------------------------------------------


def intended_score(polarity: str) -> int:
    """The intended polarity on the model's score scale: positive 1, neutral 0, negative -1."""
    return {"positive": 1, "neutral": 0, "negative": -1}[polarity]


def window_split(location: SampleLocation) -> dict[str, Counter[str]]:
    """Intended polarity counts (originals only) in the alert windows: last 7 days, the 28 before, all earlier."""
    split: dict[str, Counter[str]] = {"recent": Counter(), "baseline": Counter(), "earlier": Counter()}
    for r in location.reviews:
        if r.duplicate_of:
            continue
        window = "recent" if r.day < RECENT_DAYS else "baseline" if r.day < RECENT_DAYS + BASELINE_DAYS else "earlier"
        split[window][r.polarity] += 1
    return split


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def counts_markdown(data: SampleData) -> str:
    """The counts tables of README.md, computed from the data (tests check the README matches)."""
    reviews = data.reviews
    langs = sorted({r.lang for r in reviews})
    out = [f"{len(reviews)} reviews ({sum(1 for r in reviews if r.duplicate_of)} intentional exact re-posts), "
           f"{len(data.news)} news items, {len({r.day for r in reviews})} distinct days."]  # fmt: skip
    out.append("\n**Reviews per location, language and intended polarity**\n")
    rows: list[Sequence[object]] = []
    for loc in data.locations:
        by_lang = Counter(r.lang for r in loc.reviews)
        by_pol = Counter(r.polarity for r in loc.reviews)
        rows.append(
            [f"{loc.brand_name} / {loc.name}", loc.markup, len(loc.reviews), loc.page_count()]
            + [by_lang.get(lang, 0) for lang in langs]
            + [by_pol.get(p, 0) for p in POLARITIES]
        )
    out.append(_table(["location", "markup", "reviews", "pages", *langs, *POLARITIES], rows))
    out.append("\n**Reviews per language and intended polarity**\n")
    rows = []
    for lang in langs:
        mine = Counter(r.polarity for r in reviews if r.lang == lang)
        rows.append([lang, sum(mine.values()), *(mine.get(p, 0) for p in POLARITIES)])
    out.append(_table(["language", "reviews", *POLARITIES], rows))
    out.append(
        f"\n**Alert windows** (originals only; recent = days 0-{RECENT_DAYS - 1}, baseline = days "
        f"{RECENT_DAYS}-{RECENT_DAYS + BASELINE_DAYS - 1}; mean intended score: positive 1, neutral 0, "
        "negative -1)\n"
    )
    rows = []
    for loc in data.locations:
        split = window_split(loc)
        means = []
        for window in ("recent", "baseline"):
            c = split[window]
            means.append(sum(intended_score(p) * n for p, n in c.items()) / max(1, sum(c.values())))
        rows.append(
            [f"{loc.brand_name} / {loc.name}"]
            + ["/".join(str(split[w].get(p, 0)) for p in POLARITIES) for w in ("recent", "baseline", "earlier")]
            + [f"{means[0]:+.2f}", f"{means[1]:+.2f}", f"{means[1] - means[0]:+.2f}"]
        )
    header = ["location", "recent pos/neu/neg", "baseline pos/neu/neg", "earlier pos/neu/neg"]
    out.append(_table([*header, "recent mean", "baseline mean", "drop"], rows))
    out.append("\n**News items per language and intended polarity**\n")
    rows = []
    for lang in sorted({n.lang for n in data.news}):
        mine = Counter(n.polarity for n in data.news if n.lang == lang)
        rows.append([lang, sum(mine.values()), *(mine.get(p, 0) for p in POLARITIES)])
    out.append(_table(["language", "items", *POLARITIES], rows))
    return "\n".join(out) + "\n"


def update_readme(data: SampleData, path: Path = README_FILE) -> None:
    text = path.read_text(encoding="utf-8")
    start, end = text.index(_COUNTS_START) + len(_COUNTS_START), text.index(_COUNTS_END)
    path.write_text(text[:start] + "\n" + counts_markdown(data) + text[end:], encoding="utf-8")


def readme_counts(path: Path = README_FILE) -> str:
    """The counts block currently in README.md (what :func:`counts_markdown` wrote last)."""
    text = path.read_text(encoding="utf-8")
    return text[text.index(_COUNTS_START) + len(_COUNTS_START) : text.index(_COUNTS_END)].lstrip("\n")


def main() -> None:
    REVIEWS_FILE.write_text(dump(generate()), encoding="utf-8")
    data = load_sample_data(REVIEWS_FILE)
    update_readme(data)
    print(counts_markdown(data))


if __name__ == "__main__":
    main()
