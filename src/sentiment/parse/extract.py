"""The main text of a news or blog article page, without menus, teasers, share bars and comments.

A whole page holds about as much boilerplate as article (on the Zyte article-extraction benchmark the
whole-page text scores F1 0.665), and boilerplate hurts twice here: "related stories" teasers name
brands the article is not about, and cookie banners and comment threads drown the article's tone.
Writing a good extractor is a research project, so the body comes from trafilatura, the best open
Python extractor on that benchmark; this module chooses its settings and reads the metadata we need.

``bench/extraction.py`` measures :func:`extract_article` on the benchmark's 181 pages with the
benchmark's own metric (``--compare`` re-measures the alternatives), and ``tests/text/test_extract.py``
fails when it gets worse. What each setting scored (trafilatura 2.3.1, all 181 pages, F1):

- ``favor_precision=True, include_comments=False``, fallbacks on (chosen): 0.964
  (precision 0.958, recall 0.971);
- the same with the reader comments appended: 0.959; trafilatura's defaults (balanced, comments
  appended): 0.953. Comments are not the article, and a site's comments are a source of their own;
- balanced: 0.960; ``favor_recall=True``: 0.959; ``include_tables=False``: 0.957;
- ``fast=True`` (no readability/jusText fallbacks): 0.962 balanced, but 0.946 with favor_precision;
- taking readability-lxml 0.9's text instead when it is at least twice as long and holds trafilatura's
  (a truncated article): 0.967, from two pages: not worth a second extractor (readability-lxml alone
  scores 0.950).

The differences between precision, balanced, recall and fast are within the benchmark's noise
(bootstrap std 0.007; on the even and odd halves of the pages precision scores 0.975 and 0.953 and
the order changes), so favouring precision is a choice for the product's sake: a teaser or a
newsletter box left in the text is a false brand mention, a sentence lost is only a little less
evidence. The settings were chosen on the benchmark pages themselves (there is no separate
development set), so the score is an optimistic estimate for sites it has not seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from urllib.parse import urljoin

import lxml.html
import trafilatura
from lxml import etree

from sentiment.parse.dates import parse_datetime
from sentiment.parse.decode import decode_body
from sentiment.parse.schema import first_string
from sentiment.parse.structured import extract as structured_data
from sentiment.parse.structured import types_of

#: schema.org types whose ``datePublished`` is the article's own (not a page, site or image date).
_ARTICLE_TYPES: Final = frozenset(
    {
        "Article", "NewsArticle", "BlogPosting", "Report", "TechArticle", "ScholarlyArticle",
        "LiveBlogPosting", "SocialMediaPosting", "AnalysisNewsArticle", "BackgroundNewsArticle",
        "OpinionNewsArticle", "ReportageNewsArticle", "ReviewNewsArticle", "AdvertiserContentArticle",
        "SatiricalArticle",
    }
)  # fmt: skip
#: ``<meta>`` names and properties that carry the publication time, most specific first.
_DATE_METAS: Final = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
)


@dataclass(frozen=True, slots=True)
class ExtractionSettings:
    """trafilatura's options that change what counts as the article (see the module docstring).

    ``fast=False`` keeps trafilatura's fallbacks: its port of readability and jusText run too, and their
    result replaces trafilatura's own when its heuristics find that one truncated or polluted.
    """

    favor_precision: bool = True
    favor_recall: bool = False
    include_comments: bool = False
    include_tables: bool = True
    fast: bool = False


DEFAULT_SETTINGS: Final = ExtractionSettings()


@dataclass(frozen=True, slots=True)
class Article:
    """An article page's main text and metadata; ``text`` is empty when no article body was found.

    ``lang`` is what the page declares (``<html lang>``, else ``Content-Language`` or ``og:locale``),
    kept for reference only: the text stage identifies the language itself. ``url`` is the canonical
    URL the page declares (``<link rel="canonical">``, else ``og:url``), which is stable across the
    tracking parameters and mirrors through which an article is reached.
    """

    title: str | None
    text: str
    author: str | None
    published_at: datetime | None
    lang: str | None
    url: str | None = None


def extract_article(
    html: str | bytes, url: str | None = None, *, settings: ExtractionSettings = DEFAULT_SETTINGS
) -> Article:
    """Extract the main text, title, author, publication time, language and canonical URL of a page.

    Pure (no I/O) and never raises for bad HTML: a page without an article body gives ``text == ""``.
    Bytes are decoded with the project's charset rules (declarations validated, see
    :func:`~sentiment.parse.decode.decode_body`). ``url`` is the page's address, used to resolve
    relative links and by trafilatura's URL-based rules.
    """
    page = decode_body(html).text if isinstance(html, bytes) else html
    doc = _parse_html(page)
    if doc is None:
        return Article(title=None, text="", author=None, published_at=None, lang=None)
    document = trafilatura.bare_extraction(
        page,
        url=url,
        with_metadata=True,
        favor_precision=settings.favor_precision,
        favor_recall=settings.favor_recall,
        include_comments=settings.include_comments,
        include_tables=settings.include_tables,
        fast=settings.fast,
    )
    text = title = author = date = None
    if document is not None and not isinstance(document, dict):
        text, title, author, date = document.text, document.title, document.author, document.date
        if settings.include_comments and document.comments:
            # trafilatura keeps comments apart in bare_extraction; extract() appends them, as here.
            text = f"{text or ''}\n{document.comments}"
    return Article(
        title=_clean(title),
        text=(text or "").strip(),
        author=_clean(author),
        published_at=_published(doc, url or "") or parse_datetime(date),
        lang=_page_lang(doc),
        url=_canonical_url(doc, url),
    )


def _clean(value: str | None) -> str | None:
    return " ".join(value.split()) or None if value else None


def _parse_html(text: str) -> lxml.html.HtmlElement | None:
    """lxml refuses str input with an encoding declaration, and empty input: both are handled here."""
    text = text.lstrip("\ufeff")
    if text.lstrip().startswith("<?xml"):
        text = text.split("?>", 1)[-1]
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def _meta(doc: lxml.html.HtmlElement, *keys: str) -> str | None:
    """The first ``<meta>`` content whose name, property or itemprop is one of ``keys`` (in key order)."""
    found: dict[str, str] = {}
    for meta in doc.iter("meta"):
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = (meta.get(attr) or "").strip().lower()
            if key in keys:
                found.setdefault(key, content)
    return next((found[key] for key in keys if key in found), None)


def _published(doc: lxml.html.HtmlElement, base_url: str) -> datetime | None:
    """The publication time the page states with a time of day: schema.org markup on an article node
    first, then ``<meta>`` tags. trafilatura's own date (htmldate) is the fallback: it finds a date on
    many more pages, but as a day only.
    """
    for node in _nodes(structured_data(doc, base_url).nodes):
        if types_of(node) & _ARTICLE_TYPES:
            published = parse_datetime(first_string(node.get("datePublished")) or first_string(node.get("dateCreated")))
            if published is not None:
                return published
    return parse_datetime(_meta(doc, *_DATE_METAS))


def _nodes(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Top-level nodes and those of a JSON-LD ``@graph``, where CMSs such as Yoast put the article."""
    flat: list[dict[str, Any]] = []
    for node in nodes:
        flat.append(node)
        graph = node.get("@graph")
        if isinstance(graph, list):
            flat.extend(item for item in graph if isinstance(item, dict))
    return flat


def _page_lang(doc: lxml.html.HtmlElement) -> str | None:
    root = doc.getroottree().getroot()
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or root.get("xml:lang")
    lang = lang or _meta(doc, "content-language")
    if not lang and (locale := _meta(doc, "og:locale")):
        lang = locale.replace("_", "-")
    return lang.strip() or None if lang else None


def _canonical_url(doc: lxml.html.HtmlElement, url: str | None) -> str | None:
    """The canonical URL the page declares, resolved against ``url``; only http(s) URLs count."""
    candidates = [
        str(link.get("href") or "")
        for link in doc.iter("link")
        if "canonical" in str(link.get("rel") or "").lower().split()
    ]
    candidates.append(_meta(doc, "og:url") or "")
    for candidate in candidates:
        candidate = candidate.strip()
        if not candidate:
            continue
        try:
            absolute = urljoin(url, candidate) if url else candidate
        except ValueError:  # a malformed URL such as "http://[bad"
            continue
        if absolute.startswith(("http://", "https://")):
            return absolute.split("#", 1)[0]
    return None
