"""HTML to plain text and Unicode repair.

Review bodies arrive as HTML fragments (feeds), with entities (JSON-LD written by CMS plugins) or as
mojibake (pages that lie about their charset). The model and the duplicate check both want one clean,
comparable string per mention.
"""

from __future__ import annotations

import html
import re
import unicodedata

import ftfy
import lxml.html
from lxml import etree

_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "section", "article", "header", "footer", "pre", "table", "dd", "dt",
}  # fmt: skip
_DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "head")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/!][^>]*>")


def html_to_text(fragment: str) -> str:
    """Turn an HTML fragment (or a whole page) into readable plain text, keeping paragraph breaks."""
    if not fragment or not _LOOKS_LIKE_HTML.search(fragment):
        return html.unescape(fragment or "")
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return html.unescape(_LOOKS_LIKE_HTML.sub(" ", fragment))
    for bad in root.iter(*_DROP_TAGS):
        bad.drop_tree()
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCK_TAGS:
            parts.append("\n")

    walk(root)
    return "".join(parts)


def clean_text(raw: str) -> str:
    """HTML to text, repair mojibake and odd Unicode (ftfy), normalise to NFC, collapse whitespace."""
    text = html_to_text(raw)
    text = ftfy.fix_text(text, normalization="NFC")
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.splitlines())
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def normalise_for_hash(text: str) -> str:
    """Fold case, accents-preserving, and whitespace so trivially re-posted copies hash the same."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def fold(text: str) -> str:
    """Case- and diacritics-insensitive form used for alias matching (ł -> l, ß -> ss, ı -> i).

    Turkish dotted İ casefolds to i + a combining dot, which is stripped; dotless ı is a letter of its
    own in Unicode, so "Kadıköy" and "KADIKÖY" only meet if it is mapped to i explicitly.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("ł", "l").replace("ø", "o").replace("đ", "d").replace("ı", "i")
