"""Review pages without schema.org markup, read with CSS selectors from the config (kind ``selector_page``).

Many small review sites, guest books and comment sections carry no structured data, but their HTML is
regular: one element per review with the text, stars, date and author inside. The options name those
elements with CSS selectors, so such a site is added by writing config, not code.

Comment sections nest replies inside their parent's element (WordPress ``ol.children``), so a field is
taken only from elements whose nearest enclosing review is the review being read: a reply's stars are
never credited to the comment it answers. :func:`parse_selector_page` is pure.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urldefrag, urljoin

import lxml.html
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sentiment.config import MonitorConfig, SourceConfig
from sentiment.parse.clean import clean_text, normalise_for_hash
from sentiment.parse.dates import parse_date
from sentiment.parse.decode import decode_body
from sentiment.parse.schema import normalise_rating
from sentiment.records import SourceOutcome
from sentiment.sources.base import Page, PageWalk, RawItem, Source, hashed_id, parse_options
from sentiment.sources.http import HttpClient
from sentiment.sources.review_page import HTML_TRUNCATED, compile_selector, fetch_html_page, parse_html

logger = logging.getLogger(__name__)

_SELECTOR_FIELDS = ("container", "text", "title", "author", "date", "rating", "next")


class SelectorRules(BaseModel):
    """Where a page keeps its reviews. Every selector but ``container`` and ``next`` is looked up inside
    one review's element; ``text`` joins all the elements it matches (paragraphs), the other fields take
    the first. A review nested in another (a reply) gets the other's ``id_attribute`` as its parent.

    ``rating`` is read from ``rating_attribute`` (e.g. an image's ``alt`` "4 Sterne") or the element's
    text, narrowed by ``rating_pattern`` (a regular expression; its first group if it has one), and
    rescaled from ``rating_min``..``rating_max`` to 1..5; with ``rating_count`` the rating is instead the
    number of elements ``rating`` matches (one per filled star). ``date`` is read from ``date_attribute``
    (e.g. ``datetime`` of a ``<time>``) or the text, with the ``strptime`` ``date_formats`` tried before
    ISO 8601 and RFC 822. ``id_attribute`` is the review element's attribute holding a stable id.
    ``next`` is the next-page link (``rel="next"`` links are followed without it).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    container: str = Field(min_length=1)
    text: str = Field(min_length=1)
    title: str | None = None
    author: str | None = None
    date: str | None = None
    date_attribute: str | None = Field(default=None, min_length=1)
    date_formats: list[str] = Field(default_factory=list)
    rating: str | None = None
    rating_attribute: str | None = Field(default=None, min_length=1)
    rating_pattern: str | None = Field(default=None, min_length=1)
    rating_count: bool = False
    rating_max: float = 5.0
    rating_min: float = 1.0

    @model_validator(mode="after")
    def _rating_scale(self) -> SelectorRules:
        if self.rating_max <= self.rating_min:
            raise ValueError(
                f"rating_max ({self.rating_max}) must be above rating_min ({self.rating_min}); "
                "allowed: e.g. 5 and 1 for stars, 10 and 0 for NPS"
            )
        return self

    id_attribute: str | None = Field(default=None, min_length=1)
    next: str | None = None
    max_pages: int | None = Field(default=None, ge=1, le=10_000)

    @field_validator(*_SELECTOR_FIELDS)
    @classmethod
    def _valid_selector(cls, value: str | None) -> str | None:
        if value is not None:
            compile_selector(value)
        return value

    @field_validator("rating_pattern")
    @classmethod
    def _valid_pattern(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as err:
                raise ValueError(f"{value!r} is not a valid regular expression: {err}") from None
        return value


@dataclass(frozen=True, slots=True)
class SelectorPage:
    items: list[RawItem] = field(default_factory=list)
    next_url: str | None = None
    skipped: dict[str, int] = field(default_factory=dict)


def _own(matches: list[Any], review: Any, reviews: set[Any]) -> list[Any]:
    """The matches that belong to ``review`` itself, not to a review nested inside it."""
    own = []
    for match in matches:
        if match is review:
            own.append(match)
            continue
        enclosing = next((a for a in match.iterancestors() if a in reviews), None)
        if enclosing is review:
            own.append(match)
    return own


def _text_of(element: Any) -> str:
    return clean_text(lxml.html.tostring(element, encoding="unicode", with_tail=False))


def _first(selector: str | None, review: Any, reviews: set[Any]) -> Any:
    if selector is None:
        return None
    own = _own(compile_selector(selector)(review), review, reviews)
    return own[0] if own else None


def _read(element: Any, attribute: str | None) -> str:
    if attribute is not None and element.get(attribute):
        return str(element.get(attribute)).strip()
    return clean_text(element.text_content())


def _rating(review: Any, reviews: set[Any], rules: SelectorRules) -> float | None:
    if rules.rating is None:
        return None
    if rules.rating_count:
        count = len(_own(compile_selector(rules.rating)(review), review, reviews))
        return normalise_rating(count, rules.rating_max, rules.rating_min) if count else None
    element = _first(rules.rating, review, reviews)
    if element is None:
        return None
    raw = _read(element, rules.rating_attribute)
    if rules.rating_pattern:
        match = re.search(rules.rating_pattern, raw)
        if match is None:
            return None
        raw = match.group(1) if match.groups() else match.group(0)
    return normalise_rating(raw, rules.rating_max, rules.rating_min)


def _next_url(doc: Any, base_url: str, selector: str | None) -> str | None:
    candidates = []
    if selector:
        for element in compile_selector(selector)(doc):
            candidates += [element, *element.iterdescendants("a")]
    candidates += [e for e in doc.iter("link", "a") if "next" in (e.get("rel") or "").lower().split()]
    for element in candidates:
        href = (element.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:", "mailto:")):
            target = urldefrag(urljoin(base_url, href)).url
            if target.startswith(("http://", "https://")):
                return str(target)
    return None


def parse_selector_page(html: str, url: str, rules: SelectorRules, *, id_scope: str | None = None) -> SelectorPage:
    """The reviews a page holds by ``rules``, and its next page.

    ``id_scope`` scopes the hashed ids of reviews without ``id_attribute`` (the source passes its start
    URL, so a review keeps its id when new ones push it to page 2). A page the HTML parser cut short
    (:func:`~sentiment.sources.review_page.parse_html`) is counted as skipped ``html_truncated``.
    """
    doc, truncated = parse_html(html)
    if doc is None:
        return SelectorPage()
    page_url = urldefrag(url).url
    lang = str(doc.get("lang") or "").strip() or None
    reviews = compile_selector(rules.container)(doc)
    members = set(reviews)
    items: dict[str, RawItem] = {}
    skipped: Counter[str] = Counter({HTML_TRUNCATED: 1} if truncated else {})
    for review in reviews:
        parts = [_text_of(el) for el in _own(compile_selector(rules.text)(review), review, members)]
        body = "\n\n".join(part for part in parts if part)
        rating = _rating(review, members, rules)
        title_el = _first(rules.title, review, members)
        title = (_text_of(title_el) or None) if title_el is not None else None
        if not body and rating is None:
            skipped["no_text_or_rating"] += 1
            continue
        author_el = _first(rules.author, review, members)
        author = (_text_of(author_el) or None) if author_el is not None else None
        date_el = _first(rules.date, review, members)
        raw_date = _read(date_el, rules.date_attribute) if date_el is not None else None
        published = parse_date(raw_date, rules.date_formats) if raw_date else None
        if raw_date and published is None:
            skipped["unreadable_date"] += 1
        own_id = review.get(rules.id_attribute) if rules.id_attribute else None
        key_parts = (id_scope or page_url, author or "", raw_date or "", normalise_for_hash(body))
        item_id = str(own_id).strip() if own_id else hashed_id(*key_parts)
        anchor = review.get("id")
        parent = next((a for a in review.iterancestors() if a in members), None)
        parent_id = parent.get(rules.id_attribute) if parent is not None and rules.id_attribute else None
        items.setdefault(
            item_id,
            RawItem(
                source_item_id=item_id,
                text=body or title or "",
                url=f"{page_url}#{anchor}" if anchor else page_url,
                title=title,
                author=author,
                published_at=published,
                rating=rating,
                platform_lang=lang,
                parent_id=str(parent_id).strip() if parent_id else None,
            ),
        )
    return SelectorPage(list(items.values()), _next_url(doc, url, rules.next), dict(skipped))


class SelectorPageSource(Source):
    """Reviews read from a page (and its following pages) with the configured selectors."""

    kind: ClassVar[str] = "selector_page"

    def __init__(self, config: SourceConfig, monitor: MonitorConfig) -> None:
        super().__init__(config, monitor)
        self.rules = parse_options(config, SelectorRules)

    def fetch(self, client: HttpClient, cursor: dict[str, Any] | None) -> SourceOutcome:
        """Follow next pages until none, ``max_pages``, a repeated URL, or a page with nothing new, as
        ``review_page`` does. Undecodable bytes of a page are counted as skipped."""
        walk: PageWalk[str] = PageWalk(self, cursor, self.rules.max_pages)
        for page in walk.pages_of(lambda url: self._fetch_page(client, url or self.config.url), self.config.url):
            fresh = walk.fresh(page)
            walk.collector.add(fresh)
            if page.items and not fresh:
                logger.info("source %s: page %d holds nothing newer than the cursor; stopping", self.name, walk.pages)
                break
        return walk.failed() or walk.outcome()

    def _fetch_page(self, client: HttpClient, url: str) -> Page[str]:
        def parse(text: str, final_url: str) -> Page[str]:
            page = parse_selector_page(text, final_url, self.rules, id_scope=self.config.url)
            return Page(page.items, next=page.next_url, skipped=page.skipped)

        return fetch_html_page(client, url, self.name, parse)

    def parse_saved(self, content: bytes, url: str) -> list[RawItem]:
        return parse_selector_page(decode_body(content).text, url, self.rules, id_scope=self.config.url).items
