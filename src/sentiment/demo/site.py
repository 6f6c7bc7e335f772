"""The sample web as pure functions: load the demo data, render every page for a given day.

The demo data stores *day offsets* (0 = today), never dates, so the same files give a site whose
newest review is always "today" and whose declining location is always declining *this week*: the
nightly pipeline's alert windows (the last 7 days against the 28 before) line up with the data on
whatever day the demo runs. Everything here is a pure function of the data, ``today``, the time zone
and the base URL, so tests render pages without a server and the server is a thin shell around
:meth:`SampleSite.get`.

The pages imitate a real review portal ("CupAdvisor", fictional): localised boilerplate (navigation,
cookie banner, footer) around the reviews, schema.org markup in the syntaxes real sites use (JSON-LD
with an ``@graph``, a single JSON-LD node, or microdata), pagination with ``<link rel="next">`` and a
visible ``<a rel="next">``, plus an RSS 2.0 feed of press items, article pages, robots.txt and a
sitemap.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

import yaml

from sentiment.errors import SentimentError

Polarity = Literal["positive", "neutral", "negative"]
Markup = Literal["json-ld-graph", "json-ld", "microdata"]

POLARITIES: tuple[Polarity, Polarity, Polarity] = ("positive", "neutral", "negative")
MARKUPS: tuple[Markup, Markup, Markup] = ("json-ld-graph", "json-ld", "microdata")
#: Reviews per page, as on the big review portals; the review-page source follows ``rel="next"``.
REVIEWS_PER_PAGE = 20
#: The zone the demo config uses; "today" for the sample web is the date there.
DEFAULT_TIMEZONE = "Europe/Warsaw"
#: The path robots.txt disallows, so a test can see the crawler respects it.
PRIVATE_PREFIX = "/private/"
FEED_PATH = "/news/feed.xml"

DATA_DIR = Path(__file__).resolve().parent
REVIEWS_FILE = DATA_DIR / "reviews.yaml"
NEWS_FILE = DATA_DIR / "news.yaml"


#: libyaml's safe loader parses the 240 kB of reviews about ten times faster than the pure-Python one.
_YamlLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SampleDataError(SentimentError):
    """The demo data files are malformed; the message names the file, the item and the field."""


# --------------------------------------------------------------------------------------------------
# The data model
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SampleAddress:
    street: str
    postal_code: str
    city: str
    country: str  # ISO 3166-1 alpha-2, as schema.org's addressCountry and the monitor config use it

    def one_line(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}, {self.country}"


@dataclass(frozen=True, slots=True)
class SampleReview:
    """One hand-composed review. ``polarity`` is the intended sentiment the text was written to carry."""

    id: str
    day: int
    author: str
    rating: int
    lang: str
    polarity: Polarity
    aspects: tuple[str, ...]
    text: str
    #: Set on an intentional exact re-post: the id of the first copy (same author, same text).
    duplicate_of: str | None = None

    def published(self, today: date) -> date:
        return today - timedelta(days=self.day)


@dataclass(frozen=True, slots=True)
class SampleLocation:
    brand_key: str
    brand_name: str
    key: str
    #: The location's name in the monitor config (``examples/demo.yaml``).
    name: str
    #: The business name the review portal shows (schema.org ``name``).
    display_name: str
    aliases: tuple[str, ...]
    address: SampleAddress
    site_lang: str
    markup: Markup
    #: Oldest first (ids ascend with time), as stored in ``reviews.yaml``.
    reviews: tuple[SampleReview, ...]

    @property
    def slug(self) -> str:
        return f"{self.brand_key}-{self.key}"

    @property
    def path(self) -> str:
        return f"/{self.brand_key}/{self.key}/reviews"

    def newest_first(self) -> list[SampleReview]:
        """Page order: newest day first, and within a day the later-posted (higher id) first."""
        return sorted(self.reviews, key=lambda r: (r.day, _reverse(r.id)))

    def page_count(self) -> int:
        return max(1, -(-len(self.reviews) // REVIEWS_PER_PAGE))

    def page(self, number: int) -> list[SampleReview]:
        start = (number - 1) * REVIEWS_PER_PAGE
        return self.newest_first()[start : start + REVIEWS_PER_PAGE]


@dataclass(frozen=True, slots=True)
class SampleBrand:
    key: str
    name: str
    aliases: tuple[str, ...]
    competitor: bool
    locations: tuple[SampleLocation, ...]


@dataclass(frozen=True, slots=True)
class NewsItem:
    """One hand-written press or blog item for the RSS feed."""

    id: str
    day: int
    time: str  # "HH:MM" local time in the site's time zone
    lang: str
    polarity: Polarity
    outlet: str
    title: str
    body: str
    brands: tuple[str, ...]
    #: The config location the text names by one of its aliases, if any (what attribution should find).
    location: str | None = None

    def published(self, today: date, tz: ZoneInfo) -> datetime:
        hour, minute = (int(part) for part in self.time.split(":"))
        return datetime.combine(today - timedelta(days=self.day), time(hour, minute), tzinfo=tz)


@dataclass(frozen=True, slots=True)
class SampleData:
    site_name: str
    brands: tuple[SampleBrand, ...]
    news: tuple[NewsItem, ...]

    @property
    def locations(self) -> list[SampleLocation]:
        return [loc for brand in self.brands for loc in brand.locations]

    @property
    def reviews(self) -> list[SampleReview]:
        return [review for loc in self.locations for review in loc.reviews]

    def location(self, brand_key: str, key: str) -> SampleLocation:
        for loc in self.locations:
            if (loc.brand_key, loc.key) == (brand_key, key):
                return loc
        known = [f"{loc.brand_key}/{loc.key}" for loc in self.locations]
        raise SampleDataError(f"no sample location {brand_key}/{key}; allowed: {known}")


def _reverse(review_id: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in review_id)


# --------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------


def _get(item: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = item.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise SampleDataError(f"{where}: field {key!r} must be a {kind.__name__}, got {value!r}")
    return value


def _polarity(value: object, where: str) -> Polarity:
    for polarity in POLARITIES:
        if value == polarity:
            return polarity
    raise SampleDataError(f"{where}: polarity {value!r} is not allowed; allowed: {list(POLARITIES)}")


def _markup(value: object, where: str) -> Markup:
    for markup in MARKUPS:
        if value == markup:
            return markup
    raise SampleDataError(f"{where}: markup {value!r} is not allowed; allowed: {list(MARKUPS)}")


def _review(item: Mapping[str, Any], where: str) -> SampleReview:
    where = f"{where} review {item.get('id')!r}"
    rating = _get(item, "rating", int, where)
    day = _get(item, "day", int, where)
    if not 1 <= rating <= 5 or day < 0:
        raise SampleDataError(f"{where}: rating must be 1..5 and day >= 0, got rating={rating} day={day}")
    duplicate_of = item.get("duplicate_of")
    return SampleReview(
        id=_get(item, "id", str, where),
        day=day,
        author=_get(item, "author", str, where),
        rating=rating,
        lang=_get(item, "lang", str, where),
        polarity=_polarity(item.get("polarity"), where),
        aspects=tuple(_get(item, "aspects", list, where)),
        text=_get(item, "text", str, where),
        duplicate_of=str(duplicate_of) if duplicate_of else None,
    )


def _location(item: Mapping[str, Any], brand_key: str, brand_name: str, where: str) -> SampleLocation:
    key = _get(item, "key", str, where)
    where = f"{where} location {key!r}"
    address = _get(item, "address", dict, where)
    return SampleLocation(
        brand_key=brand_key,
        brand_name=brand_name,
        key=key,
        name=_get(item, "name", str, where),
        display_name=_get(item, "display_name", str, where),
        aliases=tuple(_get(item, "aliases", list, where)),
        address=SampleAddress(
            street=_get(address, "street", str, f"{where} address"),
            postal_code=_get(address, "postal_code", str, f"{where} address"),
            city=_get(address, "city", str, f"{where} address"),
            country=_get(address, "country", str, f"{where} address"),
        ),
        site_lang=_get(item, "site_lang", str, where),
        markup=_markup(item.get("markup"), where),
        reviews=tuple(_review(r, where) for r in _get(item, "reviews", list, where)),
    )


def _news_item(item: Mapping[str, Any], where: str) -> NewsItem:
    where = f"{where} item {item.get('id')!r}"
    location = item.get("location")
    return NewsItem(
        id=_get(item, "id", str, where),
        day=_get(item, "day", int, where),
        time=_get(item, "time", str, where),
        lang=_get(item, "lang", str, where),
        polarity=_polarity(item.get("polarity"), where),
        outlet=_get(item, "outlet", str, where),
        title=_get(item, "title", str, where),
        body=_get(item, "body", str, where).strip(),
        brands=tuple(_get(item, "brands", list, where)),
        location=str(location) if location else None,
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)
    except FileNotFoundError:
        raise SampleDataError(f"sample data file {str(path)!r} does not exist") from None
    except yaml.YAMLError as err:
        raise SampleDataError(f"sample data file {str(path)!r} is not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise SampleDataError(f"sample data file {str(path)!r}: the top level must be a mapping")
    return data


def load_sample_data(reviews_path: Path | None = None, news_path: Path | None = None) -> SampleData:
    """Read ``reviews.yaml`` and ``news.yaml`` (the bundled ones by default) into :class:`SampleData`."""
    if reviews_path is None and news_path is None:
        return _bundled()
    return _load(reviews_path or REVIEWS_FILE, news_path or NEWS_FILE)


@lru_cache(maxsize=1)
def _bundled() -> SampleData:
    return _load(REVIEWS_FILE, NEWS_FILE)


def _load(reviews_path: Path, news_path: Path) -> SampleData:
    raw = _read_yaml(reviews_path)
    where = reviews_path.name
    brands = []
    for item in _get(raw, "brands", list, where):
        key = _get(item, "key", str, f"{where} brand")
        name = _get(item, "name", str, f"{where} brand {key!r}")
        locations = tuple(
            _location(loc, key, name, f"{where} brand {key!r}") for loc in _get(item, "locations", list, where)
        )
        brands.append(
            SampleBrand(
                key=key,
                name=name,
                aliases=tuple(_get(item, "aliases", list, f"{where} brand {key!r}")),
                competitor=bool(item.get("competitor", False)),
                locations=locations,
            )
        )
    news_raw = _read_yaml(news_path)
    news = tuple(_news_item(n, news_path.name) for n in _get(news_raw, "items", list, news_path.name))
    return SampleData(site_name=_get(raw, "site_name", str, where), brands=tuple(brands), news=news)


# --------------------------------------------------------------------------------------------------
# Localised page chrome
# --------------------------------------------------------------------------------------------------

_UI: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home", "cafes": "Cafés", "news": "News", "login": "Log in", "write": "Write a review",
        "cookie": "We use cookies to improve the site and measure traffic. By continuing you accept them.",
        "accept": "Accept", "settings": "Settings", "reviews": "Reviews", "count": "Number of reviews",
        "average": "Average rating", "page": "Page {page} of {pages}", "next": "Next page",
        "prev": "Previous page", "helpful": "Helpful", "report": "Report", "permalink": "Link",
        "about": "About us", "privacy": "Privacy", "terms": "Terms", "title": "reviews",
        "sample": "Sample site for the sentiment-monitor demo. All businesses and reviews are fictional.",
    },
    "pl": {
        "home": "Strona główna", "cafes": "Kawiarnie", "news": "Aktualności", "login": "Zaloguj się",
        "write": "Napisz opinię",
        "cookie": "Używamy plików cookie, aby ulepszać serwis i mierzyć ruch. Korzystając ze strony, "
        "zgadzasz się na ich użycie.",
        "accept": "Akceptuję", "settings": "Ustawienia", "reviews": "Opinie", "count": "Liczba opinii",
        "average": "Średnia ocena", "page": "Strona {page} z {pages}", "next": "Następna strona",
        "prev": "Poprzednia strona", "helpful": "Przydatne", "report": "Zgłoś", "permalink": "Link",
        "about": "O nas", "privacy": "Prywatność", "terms": "Regulamin", "title": "opinie",
        "sample": "Przykładowa strona do demonstracji sentiment-monitor. Wszystkie lokale i opinie są fikcyjne.",
    },
    "de": {
        "home": "Startseite", "cafes": "Cafés", "news": "Neuigkeiten", "login": "Anmelden",
        "write": "Bewertung schreiben",
        "cookie": "Wir verwenden Cookies, um die Seite zu verbessern und Besuche zu messen. Mit der weiteren "
        "Nutzung stimmst du zu.",
        "accept": "Akzeptieren", "settings": "Einstellungen", "reviews": "Bewertungen",
        "count": "Anzahl der Bewertungen", "average": "Durchschnittliche Bewertung",
        "page": "Seite {page} von {pages}", "next": "Nächste Seite", "prev": "Vorherige Seite",
        "helpful": "Hilfreich", "report": "Melden", "permalink": "Link", "about": "Über uns",
        "privacy": "Datenschutz", "terms": "AGB", "title": "Bewertungen",
        "sample": "Beispielseite für die sentiment-monitor-Demo. Alle Lokale und Bewertungen sind erfunden.",
    },
    "es": {
        "home": "Inicio", "cafes": "Cafeterías", "news": "Noticias", "login": "Iniciar sesión",
        "write": "Escribir una opinión",
        "cookie": "Usamos cookies para mejorar el sitio y medir el tráfico. Si sigues navegando, las aceptas.",
        "accept": "Aceptar", "settings": "Configuración", "reviews": "Opiniones",
        "count": "Número de opiniones", "average": "Valoración media", "page": "Página {page} de {pages}",
        "next": "Página siguiente", "prev": "Página anterior", "helpful": "Útil", "report": "Denunciar",
        "permalink": "Enlace", "about": "Quiénes somos", "privacy": "Privacidad", "terms": "Condiciones",
        "title": "opiniones",
        "sample": "Sitio de ejemplo para la demo de sentiment-monitor. Todos los locales y opiniones son ficticios.",
    },
    "fr": {
        "home": "Accueil", "cafes": "Cafés", "news": "Actualités", "login": "Se connecter",
        "write": "Écrire un avis",
        "cookie": "Nous utilisons des cookies pour améliorer le site et mesurer l'audience. En poursuivant, "
        "vous les acceptez.",
        "accept": "Accepter", "settings": "Paramètres", "reviews": "Avis", "count": "Nombre d'avis",
        "average": "Note moyenne", "page": "Page {page} sur {pages}", "next": "Page suivante",
        "prev": "Page précédente", "helpful": "Utile", "report": "Signaler", "permalink": "Lien",
        "about": "À propos", "privacy": "Confidentialité", "terms": "Conditions", "title": "avis",
        "sample": "Site d'exemple pour la démo sentiment-monitor. Tous les établissements et avis sont fictifs.",
    },
    "it": {
        "home": "Home", "cafes": "Caffetterie", "news": "Notizie", "login": "Accedi",
        "write": "Scrivi una recensione",
        "cookie": "Usiamo i cookie per migliorare il sito e misurare il traffico. Continuando, li accetti.",
        "accept": "Accetto", "settings": "Impostazioni", "reviews": "Recensioni",
        "count": "Numero di recensioni", "average": "Valutazione media", "page": "Pagina {page} di {pages}",
        "next": "Pagina successiva", "prev": "Pagina precedente", "helpful": "Utile", "report": "Segnala",
        "permalink": "Link", "about": "Chi siamo", "privacy": "Privacy", "terms": "Termini",
        "title": "recensioni",
        "sample": "Sito di esempio per la demo di sentiment-monitor. Tutti i locali e le recensioni sono "
        "inventati.",
    },
}  # fmt: skip

_COUNTRY_NAMES = {"PL": "Polska", "DE": "Deutschland", "ES": "España", "FR": "France", "IT": "Italia"}
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_CSS = (
    "body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#faf7f2}"
    "header.site,footer.site{background:#3b2a20;color:#fff;padding:.6rem 1rem}"
    "header.site a,footer.site a{color:#f3d9b1;margin-right:1rem}"
    "main{max-width:46rem;margin:1rem auto;padding:0 1rem}"
    ".review{background:#fff;border:1px solid #e5ddd0;border-radius:6px;padding:.8rem;margin:.6rem 0}"
    ".stars{color:#c8891d}.cookie-banner{position:fixed;bottom:0;left:0;right:0;background:#222;"
    "color:#eee;padding:.6rem 1rem}ol.reviews{list-style:none;padding:0}"
)


def ui(lang: str) -> dict[str, str]:
    """The portal's interface strings in ``lang`` (English for a language the portal does not offer)."""
    return _UI.get(lang, _UI["en"])


def display_date(day: date, lang: str) -> str:
    """A date the way a local site prints it; the machine-readable ISO date sits in ``<time datetime>``."""
    if lang == "en":
        return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"
    if lang in ("pl", "de"):
        return day.strftime("%d.%m.%Y")
    return day.strftime("%d/%m/%Y")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _json_script(data: object) -> str:
    """JSON-LD inside ``<script>``: ``</`` is escaped so a review text can never close the element."""
    body = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{body}\n</script>'


def _layout(*, lang: str, title: str, head: Iterable[str], body: str, site_name: str) -> str:
    t = ui(lang)
    head_html = "\n".join(head)
    return f"""<!DOCTYPE html>
<html lang="{_e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<style>{_CSS}</style>
{head_html}
</head>
<body>
<div id="cookie-banner" class="cookie-banner" role="dialog" aria-label="Cookies">
<p>{_e(t["cookie"])}</p>
<button type="button" id="cookie-accept">{_e(t["accept"])}</button>
<a href="{PRIVATE_PREFIX}cookie-settings" rel="nofollow">{_e(t["settings"])}</a>
</div>
<header class="site">
<a class="logo" href="/">{_e(site_name)}</a>
<nav aria-label="main">
<a href="/">{_e(t["home"])}</a>
<a href="/#cafes">{_e(t["cafes"])}</a>
<a href="/#news">{_e(t["news"])}</a>
<a href="{PRIVATE_PREFIX}write-review" rel="nofollow">{_e(t["write"])}</a>
<a href="{PRIVATE_PREFIX}login" rel="nofollow">{_e(t["login"])}</a>
</nav>
</header>
{body}
<footer class="site">
<nav aria-label="footer">
<a href="/about">{_e(t["about"])}</a>
<a href="/about#privacy">{_e(t["privacy"])}</a>
<a href="/about#terms">{_e(t["terms"])}</a>
</nav>
<p>© {_e(site_name)} · {_e(t["sample"])}</p>
</footer>
<script>
document.getElementById("cookie-accept").addEventListener("click", function () {{
  document.getElementById("cookie-banner").hidden = true;
}});
</script>
</body>
</html>
"""


# --------------------------------------------------------------------------------------------------
# Review pages
# --------------------------------------------------------------------------------------------------


def aggregate_rating(location: SampleLocation) -> tuple[float, int]:
    """Mean rating (one decimal, as portals show it) and count over *all* of the location's reviews."""
    ratings = [r.rating for r in location.reviews]
    return round(sum(ratings) / len(ratings), 1), len(ratings)


def review_page_url(base_url: str, location: SampleLocation, page: int) -> str:
    """Page 1 is the bare path (the URL in the monitor config); later pages add ``?page=N``."""
    return f"{base_url}{location.path}" if page == 1 else f"{base_url}{location.path}?page={page}"


#: The portal's canonical origin. Real portals publish canonical ids whatever host served the page;
#: ours do too, so a review keeps its id (and the monitor its mention id) whichever port the demo uses.
CANONICAL_ORIGIN = "https://cupadvisor.example"


def review_id_url(location: SampleLocation, review: SampleReview) -> str:
    """A review's stable ``@id``: independent of the page it is on today and of the serving host."""
    return f"{CANONICAL_ORIGIN}{location.path}#{review.id}"


def _business_id(base_url: str, location: SampleLocation) -> str:
    return f"{base_url}/{location.brand_key}/{location.key}#place"


def _stars(rating: int) -> str:
    return "★" * rating + "☆" * (5 - rating)


def _review_node(base_url: str, location: SampleLocation, review: SampleReview, today: date) -> dict[str, Any]:
    return {
        "@type": "Review",
        "@id": review_id_url(location, review),
        "author": {"@type": "Person", "name": review.author},
        "datePublished": review.published(today).isoformat(),
        "reviewBody": review.text,
        "reviewRating": {"@type": "Rating", "ratingValue": review.rating, "bestRating": 5, "worstRating": 1},
        "inLanguage": review.lang,
    }


def _business_node(
    base_url: str, location: SampleLocation, reviews: Sequence[SampleReview], today: date
) -> dict[str, Any]:
    value, count = aggregate_rating(location)
    return {
        "@type": "CafeOrCoffeeShop",
        "@id": _business_id(base_url, location),
        "name": location.display_name,
        "url": review_page_url(base_url, location, 1),
        "brand": {"@type": "Brand", "name": location.brand_name},
        "servesCuisine": "Coffee",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": location.address.street,
            "postalCode": location.address.postal_code,
            "addressLocality": location.address.city,
            "addressCountry": location.address.country,
        },
        "aggregateRating": {
            "@type": "AggregateRating",
            "ratingValue": value,
            "ratingCount": count,
            "reviewCount": count,
            "bestRating": 5,
            "worstRating": 1,
        },
        "review": [_review_node(base_url, location, r, today) for r in reviews],
    }


def _json_ld(
    base_url: str, location: SampleLocation, reviews: Sequence[SampleReview], page: int, today: date, site_name: str
) -> dict[str, Any]:
    business = _business_node(base_url, location, reviews, today)
    if location.markup == "json-ld":
        return {"@context": "https://schema.org", **business}
    page_url = review_page_url(base_url, location, page)
    return {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "@id": f"{base_url}/#website", "name": site_name, "url": f"{base_url}/"},
            {
                "@type": "WebPage",
                "@id": page_url,
                "url": page_url,
                "name": f"{location.display_name} – {ui(location.site_lang)['title']}",
                "inLanguage": location.site_lang,
                "isPartOf": {"@id": f"{base_url}/#website"},
                "about": {"@id": business["@id"]},
            },
            business,
        ],
    }


def _review_html(base_url: str, location: SampleLocation, review: SampleReview, today: date, microdata: bool) -> str:
    t = ui(location.site_lang)
    day = review.published(today)
    if microdata:
        return f"""<li><article class="review" id="{_e(review.id)}" itemprop="review" itemscope \
itemtype="https://schema.org/Review" itemid="{_e(review_id_url(location, review))}">
<header>
<span class="author" itemprop="author" itemscope itemtype="https://schema.org/Person">\
<span itemprop="name">{_e(review.author)}</span></span>
<span class="stars" itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating" \
title="{review.rating}/5">{_stars(review.rating)}<meta itemprop="ratingValue" content="{review.rating}">\
<meta itemprop="bestRating" content="5"><meta itemprop="worstRating" content="1"></span>
<time itemprop="datePublished" datetime="{day.isoformat()}">{_e(display_date(day, location.site_lang))}</time>
</header>
<meta itemprop="inLanguage" content="{_e(review.lang)}">
<p class="review-text" lang="{_e(review.lang)}" itemprop="reviewBody">{_e(review.text)}</p>
<footer><a href="#{_e(review.id)}">{_e(t["permalink"])}</a> · <button type="button">{_e(t["helpful"])}</button> · \
<a href="{PRIVATE_PREFIX}report?review={_e(review.id)}" rel="nofollow">{_e(t["report"])}</a></footer>
</article></li>"""
    return f"""<li><article class="review" id="{_e(review.id)}">
<header>
<span class="author">{_e(review.author)}</span>
<span class="stars" title="{review.rating}/5">{_stars(review.rating)}</span>
<time datetime="{day.isoformat()}">{_e(display_date(day, location.site_lang))}</time>
</header>
<p class="review-text" lang="{_e(review.lang)}">{_e(review.text)}</p>
<footer><a href="#{_e(review.id)}">{_e(t["permalink"])}</a> · <button type="button">{_e(t["helpful"])}</button> · \
<a href="{PRIVATE_PREFIX}report?review={_e(review.id)}" rel="nofollow">{_e(t["report"])}</a></footer>
</article></li>"""


def render_review_page(
    location: SampleLocation, page: int, *, today: date, base_url: str, site_name: str = "CupAdvisor"
) -> str:
    """One page (1-based) of a location's reviews, newest first, with schema.org markup and pagination.

    Raises :class:`SampleDataError` for a page outside ``1..page_count``.
    """
    pages = location.page_count()
    if not 1 <= page <= pages:
        raise SampleDataError(f"{location.path}: page {page} does not exist; allowed: 1..{pages}")
    base_url = base_url.rstrip("/")
    lang = location.site_lang
    t = ui(lang)
    reviews = location.page(page)
    value, count = aggregate_rating(location)
    microdata = location.markup == "microdata"
    head = [f'<link rel="canonical" href="{_e(review_page_url(base_url, location, page))}">']
    head.append(f'<meta name="description" content="{_e(location.display_name)}: {_e(t["title"])} ({count})">')
    if page > 1:
        head.append(f'<link rel="prev" href="{_e(review_page_url(base_url, location, page - 1))}">')
    if page < pages:
        head.append(f'<link rel="next" href="{_e(review_page_url(base_url, location, page + 1))}">')
    if not microdata:
        head.append(_json_script(_json_ld(base_url, location, reviews, page, today, site_name)))
    addr = location.address
    country = _COUNTRY_NAMES.get(addr.country, addr.country)
    if microdata:
        place_open = (
            f'<div class="place" itemscope itemtype="https://schema.org/CafeOrCoffeeShop" '
            f'itemid="{_e(_business_id(base_url, location))}">'
        )
        heading = f"""<h1 itemprop="name">{_e(location.display_name)}</h1>
<link itemprop="url" href="{_e(review_page_url(base_url, location, 1))}">
<p class="address" itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">\
<span itemprop="streetAddress">{_e(addr.street)}</span>, <span itemprop="postalCode">{_e(addr.postal_code)}</span> \
<span itemprop="addressLocality">{_e(addr.city)}</span>, {_e(country)}\
<meta itemprop="addressCountry" content="{_e(addr.country)}"></p>
<p class="summary" itemprop="aggregateRating" itemscope itemtype="https://schema.org/AggregateRating">\
{_e(t["average"])}: <span itemprop="ratingValue">{value}</span>/<span itemprop="bestRating">5</span>\
<meta itemprop="worstRating" content="1"> · {_e(t["count"])}: <span itemprop="ratingCount">{count}</span>\
<meta itemprop="reviewCount" content="{count}"></p>"""
    else:
        place_open = '<div class="place">'
        heading = f"""<h1>{_e(location.display_name)}</h1>
<p class="address">{_e(addr.street)}, {_e(addr.postal_code)} {_e(addr.city)}, {_e(country)}</p>
<p class="summary">{_e(t["average"])}: {value}/5 · {_e(t["count"])}: {count}</p>"""
    items = "\n".join(_review_html(base_url, location, r, today, microdata) for r in reviews)
    links = []
    if page > 1:
        links.append(f'<a rel="prev" href="{_e(review_page_url(base_url, location, page - 1))}">« {_e(t["prev"])}</a>')
    links.append(f'<span class="current">{_e(t["page"].format(page=page, pages=pages))}</span>')
    if page < pages:
        links.append(f'<a rel="next" href="{_e(review_page_url(base_url, location, page + 1))}">{_e(t["next"])} »</a>')
    body = f"""<main>
<nav class="breadcrumbs" aria-label="breadcrumbs"><a href="/">{_e(t["home"])}</a> › \
<a href="/#cafes">{_e(addr.city)}</a> › {_e(location.display_name)}</nav>
{place_open}
{heading}
<h2>{_e(t["reviews"])}</h2>
<ol class="reviews">
{items}
</ol>
</div>
<nav class="pagination" aria-label="pagination">
{" ".join(links)}
</nav>
</main>"""
    title = f"{location.display_name} – {t['title']}" + (
        f" ({t['page'].format(page=page, pages=pages)})" if page > 1 else ""
    )
    return _layout(lang=lang, title=f"{title} | {site_name}", head=head, body=body, site_name=site_name)


# --------------------------------------------------------------------------------------------------
# News: feed and articles
# --------------------------------------------------------------------------------------------------


def news_newest_first(news: Iterable[NewsItem], today: date, tz: ZoneInfo) -> list[NewsItem]:
    return sorted(news, key=lambda n: (n.published(today, tz), n.id), reverse=True)


def article_url(base_url: str, item: NewsItem) -> str:
    return f"{base_url}/news/{item.id}"


def news_guid(item: NewsItem) -> str:
    """Not a URL on purpose: the demo server's port changes between runs, the guid must not."""
    return f"urn:sentiment-demo:news:{item.id}"


def render_feed(data: SampleData, *, today: date, base_url: str, timezone: str = DEFAULT_TIMEZONE) -> str:
    """The press/blog items as an RSS 2.0 feed, newest first; per-item language in ``dc:language``."""
    tz = ZoneInfo(timezone)
    base_url = base_url.rstrip("/")
    items = news_newest_first(data.news, today, tz)
    build = format_datetime(items[0].published(today, tz)) if items else format_datetime(_midnight(today, tz))
    entries = []
    for item in items:
        entries.append(
            f"""  <item>
    <title>{xml_escape(item.title)}</title>
    <link>{xml_escape(article_url(base_url, item))}</link>
    <guid isPermaLink="false">{xml_escape(news_guid(item))}</guid>
    <description>{xml_escape(item.body)}</description>
    <pubDate>{format_datetime(item.published(today, tz))}</pubDate>
    <dc:creator>{xml_escape(item.outlet)}</dc:creator>
    <dc:language>{xml_escape(item.lang)}</dc:language>
  </item>"""
        )
    body = "\n".join(entries)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Coffee Press Digest (sample)</title>
  <link>{xml_escape(base_url)}/#news</link>
  <description>Press and blog items about coffee chains, collected for the sentiment-monitor demo. \
All items are fictional.</description>
  <language>en</language>
  <lastBuildDate>{build}</lastBuildDate>
  <ttl>60</ttl>
  <atom:link href="{xml_escape(base_url + FEED_PATH)}" rel="self" type="application/rss+xml"/>
{body}
</channel>
</rss>
"""


def render_article(
    item: NewsItem, *, today: date, base_url: str, timezone: str = DEFAULT_TIMEZONE, site_name: str = "CupAdvisor"
) -> str:
    """The article page an RSS item links to, with a ``NewsArticle`` JSON-LD node."""
    tz = ZoneInfo(timezone)
    base_url = base_url.rstrip("/")
    published = item.published(today, tz)
    node = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": article_url(base_url, item),
        "headline": item.title,
        "datePublished": published.isoformat(),
        "inLanguage": item.lang,
        "author": {"@type": "Organization", "name": item.outlet},
        "articleBody": item.body,
    }
    paragraphs = "\n".join(f"<p>{_e(p.strip())}</p>" for p in item.body.split("\n\n") if p.strip())
    body = f"""<main>
<article class="news">
<h1>{_e(item.title)}</h1>
<p class="byline">{_e(item.outlet)} · <time datetime="{published.isoformat()}">\
{_e(display_date(published.date(), item.lang))}</time></p>
{paragraphs}
</article>
<p><a href="/#news">« {_e(ui(item.lang)["news"])}</a></p>
</main>"""
    head = [f'<link rel="canonical" href="{_e(article_url(base_url, item))}">', _json_script(node)]
    return _layout(lang=item.lang, title=f"{item.title} | {site_name}", head=head, body=body, site_name=site_name)


# --------------------------------------------------------------------------------------------------
# Index, robots.txt, sitemap, errors
# --------------------------------------------------------------------------------------------------


def render_index(data: SampleData, *, today: date, base_url: str, timezone: str = DEFAULT_TIMEZONE) -> str:
    """The home page: every location's review pages, the feed and every article, for a human to browse."""
    tz = ZoneInfo(timezone)
    base_url = base_url.rstrip("/")
    rows = []
    for brand in data.brands:
        role = "competitor" if brand.competitor else "own brand"
        locs = []
        for loc in brand.locations:
            value, count = aggregate_rating(loc)
            pages = " ".join(
                f'<a href="{_e(review_page_url(base_url, loc, p))}">{p}</a>' for p in range(1, loc.page_count() + 1)
            )
            locs.append(
                f'<li><a href="{_e(review_page_url(base_url, loc, 1))}">{_e(loc.display_name)}</a> '
                f"({_e(loc.address.city)}, {loc.markup}; {value}/5 from {count} reviews) · pages: {pages}</li>"
            )
        rows.append(f"<h3>{_e(brand.name)} <small>({role})</small></h3>\n<ul>\n" + "\n".join(locs) + "\n</ul>")
    news = "\n".join(
        f'<li><a href="{_e(article_url(base_url, n))}" hreflang="{_e(n.lang)}">{_e(n.title)}</a> '
        f"<small>{_e(n.outlet)}, {n.published(today, tz).date().isoformat()}</small></li>"
        for n in news_newest_first(data.news, today, tz)
    )
    body = f"""<main>
<h1>{_e(data.site_name)}: sample web</h1>
<p>Reviews and press items for the sentiment-monitor demo, dated relative to {today.isoformat()} \
({_e(timezone)}). Everything here is fictional, hand-written demo data.</p>
<section id="cafes">
<h2>Cafés</h2>
{chr(10).join(rows)}
</section>
<section id="news">
<h2>News</h2>
<p><a href="{_e(base_url + FEED_PATH)}" type="application/rss+xml">RSS feed</a> ·
<a href="/robots.txt">robots.txt</a> · <a href="/sitemap.xml">sitemap.xml</a></p>
<ul>
{news}
</ul>
</section>
</main>"""
    head = [f'<link rel="alternate" type="application/rss+xml" title="News" href="{_e(base_url + FEED_PATH)}">']
    return _layout(lang="en", title=f"{data.site_name} – sample web", head=head, body=body, site_name=data.site_name)


def render_robots(base_url: str) -> str:
    """Allow everything but the private area, as most review portals do."""
    return (
        "# Sample web for the sentiment-monitor demo\n"
        "User-agent: *\n"
        f"Disallow: {PRIVATE_PREFIX}\n"
        "Allow: /\n"
        "\n"
        f"Sitemap: {base_url.rstrip('/')}/sitemap.xml\n"
    )


def render_sitemap(data: SampleData, *, base_url: str) -> str:
    base_url = base_url.rstrip("/")
    urls = [f"{base_url}/", base_url + FEED_PATH]
    urls += [review_page_url(base_url, loc, 1) for loc in data.locations]
    urls += [article_url(base_url, n) for n in data.news]
    body = "\n".join(f"  <url><loc>{xml_escape(u)}</loc></url>" for u in urls)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{body}\n</urlset>\n'
    )


def render_error(status: int, message: str, *, site_name: str = "CupAdvisor") -> str:
    body = f"<main>\n<h1>{status}</h1>\n<p>{_e(message)}</p>\n</main>"
    return _layout(lang="en", title=f"{status} | {site_name}", head=[], body=body, site_name=site_name)


def render_about(site_name: str = "CupAdvisor") -> str:
    body = (
        f"<main>\n<h1>About {_e(site_name)}</h1>\n<p>A fictional review portal serving hand-written demo "
        "data for sentiment-monitor. No business, review or article on this site is real.</p>\n</main>"
    )
    return _layout(lang="en", title=f"About | {site_name}", head=[], body=body, site_name=site_name)


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz)


# --------------------------------------------------------------------------------------------------
# Routing
# --------------------------------------------------------------------------------------------------

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Page:
    """A rendered response: what the HTTP server sends, and what tests inspect without a server."""

    status: int
    content_type: str
    body: bytes
    #: Midnight of ``today`` in the site's zone: the day's pages never change after it.
    last_modified: datetime | None = None


class SampleSite:
    """The whole sample web for one day, one base URL and one time zone.

    URL layout::

        /                                  index (links to everything)
        /<brand>/<location>/reviews        review page 1 (the URL in the monitor config)
        /<brand>/<location>/reviews?page=N review page N (20 per page, newest first)
        /news/feed.xml                     RSS 2.0 feed of press/blog items
        /news/<item-id>                    article page an item links to
        /robots.txt, /sitemap.xml, /about
        /private/...                       disallowed by robots.txt, answers 403
    """

    def __init__(self, data: SampleData, *, today: date, base_url: str, timezone: str = DEFAULT_TIMEZONE) -> None:
        self.data = data
        self.today = today
        self.base_url = base_url.rstrip("/")
        self.timezone = timezone
        self._modified = _midnight(today, ZoneInfo(timezone))
        self._locations = {loc.path: loc for loc in data.locations}
        self._news = {f"/news/{n.id}": n for n in data.news}

    def get(self, target: str) -> Page:
        """Answer a request target (path plus optional query string) with a rendered :class:`Page`."""
        parts = urlsplit(target)
        path = parts.path or "/"
        query = parse_qs(parts.query)
        site = self.data.site_name
        if path.startswith(PRIVATE_PREFIX):
            return self._page(403, HTML, render_error(403, "This area is for signed-in users only.", site_name=site))
        if path in ("/", "/index.html"):
            html_text = render_index(self.data, today=self.today, base_url=self.base_url, timezone=self.timezone)
            return self._page(200, HTML, html_text)
        if path == "/robots.txt":
            return self._page(200, "text/plain; charset=utf-8", render_robots(self.base_url))
        if path == "/sitemap.xml":
            return self._page(200, "application/xml; charset=utf-8", render_sitemap(self.data, base_url=self.base_url))
        if path == FEED_PATH:
            feed = render_feed(self.data, today=self.today, base_url=self.base_url, timezone=self.timezone)
            return self._page(200, "application/rss+xml; charset=utf-8", feed)
        if path == "/about":
            return self._page(200, HTML, render_about(site))
        if path in self._news:
            item = self._news[path]
            article = render_article(
                item, today=self.today, base_url=self.base_url, timezone=self.timezone, site_name=site
            )
            return self._page(200, HTML, article)
        location = self._locations.get(path.rstrip("/"))
        if location is not None:
            raw_page = query.get("page", ["1"])[-1]
            if not raw_page.isdigit() or not 1 <= int(raw_page) <= location.page_count():
                message = f"Page {raw_page!r} does not exist; allowed: 1..{location.page_count()}."
                return self._page(404, HTML, render_error(404, message, site_name=site))
            html_text = render_review_page(
                location, int(raw_page), today=self.today, base_url=self.base_url, site_name=site
            )
            return self._page(200, HTML, html_text)
        return self._page(404, HTML, render_error(404, f"Nothing at {path}.", site_name=site))

    def _page(self, status: int, content_type: str, text: str) -> Page:
        return Page(status, content_type, text.encode("utf-8"), self._modified)

    def urls(self) -> list[str]:
        """Every page URL of the site (all review pages, feed, articles): what a full crawl fetches."""
        urls = [f"{self.base_url}/", self.base_url + FEED_PATH, f"{self.base_url}/robots.txt"]
        for loc in self.data.locations:
            urls += [review_page_url(self.base_url, loc, p) for p in range(1, loc.page_count() + 1)]
        urls += [article_url(self.base_url, n) for n in self.data.news]
        return urls
