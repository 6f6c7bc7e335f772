"""Review pages carrying schema.org ``Review`` / ``AggregateRating`` markup (kind ``review_page``).

Many review sites and shops publish their reviews as structured data for search engines, which is far
more stable than their HTML layout. :func:`parse_review_page` is pure (no I/O) so it is tested on saved
real pages; :class:`ReviewPageSource` follows the pagination and keeps a cursor of the newest review seen,
so that a night stops at the first page holding nothing new. A source configured without a location
attributes its reviews by the reviewed business's name and postal address
(:func:`~sentiment.text.attribution.location_for_place`), so one brand-level source per review portal
page still counts for the right branch.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any, ClassVar
from urllib.parse import urldefrag, urljoin

import lxml.html
from lxml import etree
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sentiment.config import MonitorConfig, SourceConfig
from sentiment.errors import ParseError, SourceError
from sentiment.parse.clean import normalise_for_hash
from sentiment.parse.dates import parse_datetime
from sentiment.parse.decode import UNDECODABLE, Decoded, decode_body
from sentiment.parse.schema import (
    DEFAULT_BEST,
    DEFAULT_WORST,
    Index,
    address_line,
    as_list,
    author_name,
    clean_value,
    first_string,
    index_by_id,
    normalise_rating,
    resolve,
    to_count,
    to_number,
)
from sentiment.parse.structured import extract, types_of
from sentiment.records import Mention, PageInfo, SourceOutcome
from sentiment.sources.base import Page, PageWalk, RawItem, Source, hashed_id, parse_options
from sentiment.sources.http import HttpClient, HttpResponse, loggable_url

logger = logging.getLogger(__name__)

#: The skip reason for a response that is no HTML page at all (binary, JSON, text without a tag).
NOT_HTML = "not_html"
#: The skip reason for a page whose end the HTML parser dropped (:func:`parse_html`).
HTML_TRUNCATED = "html_truncated"
REVIEW_TYPES = frozenset({"Review", "UserReview", "CriticReview", "EmployerReview", "Recommendation"})
_CONTAINER_TYPES = frozenset({"WebPage", "WebSite", "ItemPage", "CollectionPage", "BreadcrumbList"})
#: Share of control characters (C0 but tab, line breaks and form feed) at the start of a body above which
#: it is binary: text never holds them, random or compressed bytes about one in ten.
MAX_CONTROL_SHARE = 0.01
_SNIFF_CHARS = 4096
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_TAG = re.compile(r"<[A-Za-z!/?]")


@dataclass(frozen=True, slots=True)
class ReviewPage:
    """What one page says: its reviews, the reviewed item, the next page and what was skipped."""

    items: list[RawItem] = field(default_factory=list)
    info: PageInfo = field(default_factory=PageInfo)
    next_url: str | None = None
    lang: str | None = None
    skipped: dict[str, int] = field(default_factory=dict)


def parse_review_page(
    html: str | bytes,
    url: str,
    *,
    next_selector: str | None = None,
    id_scope: str | None = None,
) -> ReviewPage:
    """Parse reviews, the reviewed item and the next-page link from a page's schema.org markup.

    ``url`` is the page's own URL (to resolve relative links). ``id_scope`` is the URL that scopes the
    hashed ids of reviews without an id of their own; the source passes its start URL, so that a review
    that moves from page 1 to page 2 as new ones arrive keeps its id. ``next_selector`` is a CSS selector
    for the next-page link, tried before ``rel="next"``. Bytes are decoded here, and the bytes that could
    not be are counted as skipped ``undecodable_bytes``; so are the structured-data blocks not read
    (:class:`~sentiment.parse.structured.StructuredData`).
    """
    skipped: Counter[str] = Counter()
    if isinstance(html, bytes):
        decoded = decode_body(html)
        text = decoded.text
        if decoded.replaced:
            skipped[UNDECODABLE] = decoded.replaced
    else:
        text = html
    doc, truncated = parse_html(text)
    if truncated:
        skipped[HTML_TRUNCATED] = 1
    if doc is None:
        return ReviewPage(skipped=dict(skipped))
    base_url = _base_url(doc, url)
    data = extract(doc, base_url)
    lang = _page_lang(doc)
    index = index_by_id(data.nodes)
    skipped.update(data.skipped)
    page_url = urldefrag(url).url
    scope = urldefrag(id_scope).url if id_scope else page_url
    found: list[tuple[RawItem, dict[str, Any]]] = []
    for node in _find_reviews(data.nodes, index):
        item = _review_item(node, base_url, page_url, scope, lang)
        if item is None:
            skipped["no_text_or_rating"] += 1
        else:
            found.append((item, node))
    return ReviewPage(
        items=_unique_ids(found, scope, page_url),
        info=_page_info(data.nodes, index),
        next_url=_next_url(doc, base_url, next_selector),
        lang=lang,
        skipped=dict(skipped),
    )


def is_html(text: str) -> bool:
    """Whether a decoded response body can be an HTML page at all, before parsing it as one.

    lxml turns anything into a document (random bytes, a PNG, a JSON error body become a ``<p>`` of
    junk), so a page that is garbage would otherwise read as a page without reviews. Not HTML: more than
    :data:`MAX_CONTROL_SHARE` control characters at its start (binary), a JSON start, or no tag at all.
    The Content-Type is not trusted either way (servers send pages as text/plain and PNGs as text/html).
    An empty body is an empty page, not garbage.
    """
    head = text[:_SNIFF_CHARS]
    if len(_CONTROL_CHARS.findall(head)) > len(head) * MAX_CONTROL_SHARE:
        return False
    start = text.lstrip("\ufeff \t\r\n\f")
    return not start or (not start.startswith(("{", "[")) and _TAG.search(text) is not None)


def html_body(response: HttpResponse) -> Decoded:
    """A fetched page's body as text, checked to be HTML (:func:`is_html`).

    Raises :class:`~sentiment.errors.SourceError` with reason :data:`NOT_HTML` otherwise, so that the
    sources treat garbage like any failed page: on the first page the source fails (it produced nothing
    usable, as with an HTTP error), on a later page the walk ends with that page counted as skipped.
    """
    decoded = decode_body(response.content, response.headers.get("content-type"))
    if not is_html(decoded.text):
        content_type = response.headers.get("content-type") or "no Content-Type"
        raise SourceError(
            f"{loggable_url(response.url)} is not an HTML page ({content_type}, {len(response.content)} bytes)",
            reason=NOT_HTML,
            url=response.url,
        )
    return decoded


def fetch_html_page(client: HttpClient, url: str, source: str, parse: Callable[[str, str], Page[str]]) -> Page[str]:
    """GET ``url``, check it is HTML (:func:`html_body`) and ``parse(text, final_url)`` it into a page of
    ``source``'s walk: the page's final URL set, its undecodable bytes counted as skipped. A page the
    parser cannot handle must not end the night's run: its traceback is logged and it fails as a
    :class:`ParseError`, like any failing page."""
    response = client.get(url)
    decoded = html_body(response)
    try:
        page = parse(decoded.text, response.url)
    except Exception as err:
        logger.exception("source %s: could not parse %s", source, loggable_url(url))
        raise ParseError(f"could not parse {loggable_url(url)}: {err!r}", url=url) from err
    skipped = {**page.skipped, UNDECODABLE: decoded.replaced} if decoded.replaced else page.skipped
    return replace(page, skipped=skipped, url=response.url)


def parse_html(text: str) -> tuple[lxml.html.HtmlElement | None, bool]:
    """The page's document (``None`` when there is none), and whether the parser dropped its end.

    libxml2 stops at its resource limits (elements nested deeper than 255 levels, a text node over
    10 MB) and keeps only what it read before; nothing raises, but the reviews after that point are
    lost, so the callers count the page as :data:`HTML_TRUNCATED`.
    """
    text = text.lstrip("\ufeff")
    if text.lstrip().startswith("<?xml"):
        text = text.split("?>", 1)[-1]
    if not text.strip():
        return None, False
    parser = lxml.html.HTMLParser()
    try:
        doc = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return None, False
    return doc, any(error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for error in parser.error_log)


def _base_url(doc: lxml.html.HtmlElement, url: str) -> str:
    for base in doc.iter("base"):
        href = str(base.get("href") or "").strip()
        if href:
            return urljoin(url, href)
    return url


def _page_lang(doc: lxml.html.HtmlElement) -> str | None:
    root = doc.getroottree().getroot()
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or root.get("xml:lang")
    return lang.strip() or None if lang else None


# --- walking the nodes -------------------------------------------------------------------------------


def _find_reviews(nodes: list[dict[str, Any]], index: Index) -> list[dict[str, Any]]:
    """Every review node, wherever it sits (``@graph``, nested under any type, ``review``/``reviews``).

    The walk keeps its own stack and visits each node once: ``@id`` references can form cycles and chains
    of any length, which recursion would follow into RecursionError.
    """
    found: list[dict[str, Any]] = []
    seen: set[int] = set()
    pending: list[tuple[Any, bool]] = [(nodes, False)]
    while pending:
        raw, under_review_key = pending.pop()
        value = resolve(raw, index)
        if isinstance(value, list):
            pending.extend((child, under_review_key) for child in reversed(value))
            continue
        if not isinstance(value, dict) or id(value) in seen:
            continue
        seen.add(id(value))
        types = types_of(value)
        if types & REVIEW_TYPES or (under_review_key and not types and set(value) - {"@id"}):
            found.append(value)
            continue
        pending.extend((child, key in ("review", "reviews")) for key, child in reversed(value.items()))
    return found


# --- one review ----------------------------------------------------------------------------------------


def _explicit_id(node: dict[str, Any], base_url: str) -> str | None:
    """The review's own id: ``@id``, ``url`` or ``identifier`` (blank nodes ``_:`` do not count)."""
    for key in ("@id", "url"):
        value = first_string(node.get(key))
        if value and not value.startswith("_:"):
            return urljoin(base_url, value)
    return first_string(node.get("identifier"))


def _hashed_id(scope: str, author: str | None, published: str | None, body: str) -> str:
    return hashed_id(scope, author or "", published or "", normalise_for_hash(body))


def _review_item(
    node: dict[str, Any], base_url: str, page_url: str, scope: str, page_lang: str | None
) -> RawItem | None:
    """One review as a :class:`RawItem`, or None when it has neither text nor rating."""
    body = clean_value(node.get("reviewBody")) or clean_value(node.get("description"))
    rating = normalise_rating(node.get("reviewRating"))
    if not body and rating is None:
        return None
    title = clean_value(node.get("name")) or clean_value(node.get("headline"))
    author = author_name(node.get("author")) or author_name(node.get("creator"))
    published_raw = first_string(node.get("datePublished")) or first_string(node.get("dateCreated"))
    url = first_string(node.get("url"))
    return RawItem(
        source_item_id=_explicit_id(node, base_url) or _hashed_id(scope, author, published_raw, body or ""),
        text=body or title or "",
        url=urljoin(base_url, url) if url else page_url,
        title=title,
        author=author,
        published_at=parse_datetime(published_raw),
        rating=rating,
        platform_lang=first_string(node.get("inLanguage")) or page_lang,
    )


def _unique_ids(found: list[tuple[RawItem, dict[str, Any]]], scope: str, page_url: str) -> list[RawItem]:
    """Drop repeats (the same review in JSON-LD and microdata); an explicit id that is the page's URL or
    that several different reviews share (a CMS writing the page URL into every review) is replaced by
    the hashed id."""
    bodies: dict[str, set[str]] = {}
    for item, _ in found:
        bodies.setdefault(item.source_item_id, set()).add(normalise_for_hash(item.text))
    unique: dict[str, RawItem] = {}
    for item, node in found:
        if len(bodies[item.source_item_id]) > 1 or item.source_item_id in (scope, page_url):
            published = first_string(node.get("datePublished")) or first_string(node.get("dateCreated"))
            item = replace(item, source_item_id=_hashed_id(scope, item.author, published, item.text))
        unique.setdefault(item.source_item_id, item)
    return list(unique.values())


# --- the reviewed item -----------------------------------------------------------------------------


def _location_address(item: dict[str, Any], index: Index) -> str | None:
    """Events and some businesses give the address under ``location`` (a Place)."""
    for place in as_list(resolve(item.get("location"), index)):
        place = resolve(place, index)
        if isinstance(place, dict) and (line := address_line(place.get("address"), index)):
            return line
    return None


def _reviewed_item(nodes: list[dict[str, Any]], index: Index) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The item the page reviews and its AggregateRating: the first node that carries an aggregate
    (page containers such as WebPage last), else the first node with reviews, else a review's itemReviewed."""
    owners: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    seen: set[int] = set()
    pending: list[Any] = [nodes]  # its own stack, each node once: see _find_reviews
    while pending:
        value = resolve(pending.pop(), index)
        if isinstance(value, list):
            pending.extend(reversed(value))
            continue
        if not isinstance(value, dict) or id(value) in seen:
            continue
        seen.add(id(value))
        aggregate = resolve(value.get("aggregateRating"), index)
        if isinstance(aggregate, dict):
            owners.append((value, aggregate))
        elif "AggregateRating" in types_of(value) and isinstance(resolve(value.get("itemReviewed"), index), dict):
            owners.append((resolve(value["itemReviewed"], index), value))
        elif value.get("review") or value.get("reviews"):
            owners.append((value, None))
        elif types_of(value) & REVIEW_TYPES and isinstance(resolve(value.get("itemReviewed"), index), dict):
            owners.append((resolve(value["itemReviewed"], index), None))
        pending.extend(
            child for key, child in reversed(value.items()) if key not in ("aggregateRating", "review", "reviews")
        )
    if not owners:
        return None, None
    owners.sort(key=lambda pair: (pair[1] is None, bool(types_of(pair[0]) & _CONTAINER_TYPES)))
    return owners[0]


def _page_info(nodes: list[dict[str, Any]], index: Index) -> PageInfo:
    item, aggregate = _reviewed_item(nodes, index)
    if item is None:
        return PageInfo()
    aggregate = aggregate or {}
    value = to_number(aggregate.get("ratingValue"))
    best = to_number(aggregate.get("bestRating"))
    worst = to_number(aggregate.get("worstRating"))
    types = sorted(types_of(item))
    return PageInfo(
        item_name=clean_value(item.get("name")) or clean_value(aggregate.get("itemReviewed")),
        item_type=types[0] if types else None,
        address=address_line(item.get("address"), index) or _location_address(item, index),
        rating_value=value,
        rating_count=to_count(aggregate.get("ratingCount")),
        review_count=to_count(aggregate.get("reviewCount")),
        best_rating=best if best is not None or value is None else DEFAULT_BEST,
        worst_rating=worst if worst is not None or value is None else DEFAULT_WORST,
    )


# --- pagination ------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def compile_selector(selector: str) -> Any:
    """Compile a CSS selector (``cssselect`` is a dependency); raises ValueError naming a bad one."""
    from lxml.cssselect import CSSSelector

    try:
        return CSSSelector(selector)
    except Exception as err:  # cssselect's SelectorError and ExpressionError share no public base
        raise ValueError(f"{selector!r} is not a valid CSS selector: {err}") from None


def _link_target(el: etree._Element, base_url: str) -> str | None:
    href = (el.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return None
    target = urldefrag(urljoin(base_url, href)).url
    return target if target.startswith(("http://", "https://")) else None


def _next_url(doc: lxml.html.HtmlElement, base_url: str, next_selector: str | None) -> str | None:
    """The next page: ``next_selector`` first, then ``<link rel="next">`` or ``<a rel="next">``."""
    if next_selector:
        for el in compile_selector(next_selector)(doc):
            for candidate in [el, *el.iterdescendants()]:
                if isinstance(candidate.tag, str) and (target := _link_target(candidate, base_url)):
                    return target
    for el in doc.iter("link", "a"):
        if "next" in (el.get("rel") or "").lower().split() and (target := _link_target(el, base_url)):
            return target
    return None


# --- the source ----------------------------------------------------------------------------------


class ReviewPageOptions(BaseModel):
    """``max_pages`` overrides ``http.max_pages``; ``next_selector`` is a CSS selector for the next link."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_pages: int | None = Field(default=None, ge=1, le=10_000)
    next_selector: str | None = Field(default=None, min_length=1)

    @field_validator("next_selector")
    @classmethod
    def _valid_selector(cls, value: str | None) -> str | None:
        if value is not None:
            compile_selector(value)
        return value


def _other_item(first: PageInfo | None, page: PageInfo) -> bool:
    """Whether a later page names a different reviewed item than the first page did."""
    return bool(first and first.item_name and page.item_name and first.item_name != page.item_name)


class ReviewPageSource(Source):
    """Reviews from a page with schema.org markup, following its pagination."""

    kind: ClassVar[str] = "review_page"

    def __init__(self, config: SourceConfig, monitor: MonitorConfig) -> None:
        super().__init__(config, monitor)
        self.options = parse_options(config, ReviewPageOptions)
        #: What the first page of the last fetch said about the reviewed item (address, aggregate).
        self.page_info: PageInfo | None = None

    def parse_saved(self, content: bytes, url: str) -> list[RawItem]:
        return self._parse_saved(content, url).items

    def describe_saved(self, content: bytes, url: str) -> dict[str, Any]:
        page = self._parse_saved(content, url)
        return {**asdict(page.info), "next_url": page.next_url, "lang": page.lang, "skipped": page.skipped}

    def _parse_saved(self, content: bytes, url: str) -> ReviewPage:
        return parse_review_page(content, url, next_selector=self.options.next_selector, id_scope=self.config.url)

    def fetch(self, client: HttpClient, cursor: dict[str, Any] | None) -> SourceOutcome:
        """Fetch pages until there is no next page, ``max_pages``, a repeated URL, a page with nothing
        newer than the cursor, or a page that reviews another item (:class:`~sentiment.sources.base.PageWalk`
        says what a failing page does). A body that is not HTML is a failing page (:func:`html_body`)."""
        walk: PageWalk[str] = PageWalk(self, cursor, self.options.max_pages)
        for page in walk.pages_of(lambda url: self._fetch_page(client, url or self.config.url), self.config.url):
            info = page.info or PageInfo()
            if walk.pages == 1:
                self.page_info = info
            elif _other_item(self.page_info, info):
                # Blogs mark the *next post* rel="next": that page reviews something else.
                logger.info("source %s: %s reviews another item; stopping", self.name, loggable_url(page.url or ""))
                walk.collector.skip({"other_item": 1})
                break
            fresh = walk.fresh(page)
            walk.collector.add(fresh)
            if page.items and not fresh:
                logger.info("source %s: page %d holds nothing newer than the cursor; stopping", self.name, walk.pages)
                break
        return walk.failed() or walk.outcome()

    def to_mention(self, item: RawItem) -> Mention:
        """As every kind's, with what the first page reviews (its name and address): a review portal's
        page of one branch names it, and the text stage matches it to one of the brand's locations, which
        a review's own text rarely names."""
        info = self.page_info or PageInfo()
        return replace(super().to_mention(item), place_name=info.item_name, place_address=info.address)

    def _fetch_page(self, client: HttpClient, url: str) -> Page[str]:
        """The parsed page with its final URL, what it reviews and its skips (:func:`fetch_html_page`)."""

        def parse(text: str, final_url: str) -> Page[str]:
            page = parse_review_page(
                text, final_url, next_selector=self.options.next_selector, id_scope=self.config.url
            )
            return Page(page.items, next=page.next_url, skipped=page.skipped, info=page.info)

        return fetch_html_page(client, url, self.name, parse)
