"""schema.org structured data from an HTML page, as JSON-LD-shaped dicts, whatever the syntax.

Review sites publish the same vocabulary in three syntaxes: JSON-LD scripts, microdata
(``itemscope``/``itemprop``) and RDFa Lite (``typeof``/``property``). All three are read into one shape
(dicts with ``@type``, ``@id`` and property keys, values being strings, dicts or lists of those), so the
review logic is written once. Types and property names are shortened to their schema.org local names.

Broken markup is normal on real pages: an invalid JSON-LD script is skipped and counted, and the other
scripts and the microdata still count. Hostile markup is bounded the same way: a block (a JSON-LD script,
a top-level microdata or RDFa item) nested deeper than :data:`MAX_DEPTH` or larger than
:data:`MAX_BLOCK_CHARS` is skipped and counted before any recursive code sees it, so that one such block
can neither raise RecursionError nor take unbounded time, and its sibling blocks are still read.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

logger = logging.getLogger(__name__)

_LD_JSON = "application/ld+json"
_WRAPPERS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_WHITESPACE = re.compile(r"\s+")
_URL_ATTRS = {
    "a": "href", "area": "href", "link": "href", "audio": "src", "embed": "src", "iframe": "src",
    "img": "src", "source": "src", "track": "src", "video": "src", "object": "data",
}  # fmt: skip
_VALUE_ATTRS = {"data": "value", "meter": "value", "time": "datetime"}
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*+"', re.DOTALL)
_JSON_BRACKETS = re.compile(r"[\[\]{}]")

#: Deepest nesting read in one block: arrays and objects in a JSON-LD script, items inside items in
#: microdata or RDFa. Real pages nest under ten levels; the bound keeps every walk of the nodes (here,
#: in :mod:`~sentiment.parse.schema`, in the review parser) far below Python's recursion limit.
MAX_DEPTH = 64
#: Largest block read: the characters of one JSON-LD script, or of one top-level microdata/RDFa item's
#: values plus the elements walked to find them. A page's markup with hundreds of reviews is well under.
MAX_BLOCK_CHARS = 1_000_000
#: All microdata/RDFa items of one page together: ``itemref`` lets many small items each re-read one
#: large element, which no single item's bound stops.
MAX_PAGE_CHARS = 5 * MAX_BLOCK_CHARS

INVALID = "invalid_jsonld"
TOO_DEEP = "structured_data_too_deep"
TOO_LARGE = "structured_data_too_large"


@dataclass(slots=True)
class StructuredData:
    """Every top-level node found on a page, and the blocks skipped, by reason (:data:`INVALID`,
    :data:`TOO_DEEP`, :data:`TOO_LARGE`)."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


class _Skip(Exception):
    """A block that is not read; ``reason`` is the skip it counts as."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def local_name(name: str) -> str:
    """``https://schema.org/Review`` and ``schema:Review`` -> ``Review``."""
    name = name.strip()
    for sep in ("#", "/", ":"):
        if sep in name:
            name = name.rsplit(sep, 1)[1]
    return name


def types_of(node: dict[str, Any]) -> set[str]:
    """The node's schema.org types as local names."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {local_name(value) for value in values if isinstance(value, str) and value.strip()}


def extract(doc: lxml.html.HtmlElement, base_url: str) -> StructuredData:
    """JSON-LD, microdata and RDFa Lite nodes of a parsed page, in document order per syntax."""
    data = StructuredData()
    for script in doc.iter("script"):
        if (script.get("type") or "").split(";")[0].strip().lower() != _LD_JSON:
            continue
        try:
            parsed = _load_json(script.text or "")
        except _Skip as skip:
            logger.info("skipping a JSON-LD script on %s (%s): %s", base_url, skip.reason, skip)
            data.skipped[skip.reason] += 1
            continue
        for value in parsed if isinstance(parsed, list) else [parsed]:
            if isinstance(value, dict):
                data.nodes.append(value)
    _items(doc, base_url, _MICRODATA, data)
    _items(doc, base_url, _RDFA, data)
    return data


def _load_json(text: str) -> Any:
    """Parse a JSON-LD script leniently: HTML comment or CDATA wrappers and trailing commas are common.

    Size and depth are checked before parsing: ``json.loads`` itself recurses once per level.
    """
    if len(text) > MAX_BLOCK_CHARS:
        raise _Skip(TOO_LARGE, f"{len(text)} characters, more than {MAX_BLOCK_CHARS}")
    text = _WRAPPERS.sub("", text).strip()
    if not text:
        return None
    if _too_deep(text):
        raise _Skip(TOO_DEEP, f"nested more than {MAX_DEPTH} levels")
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    try:
        return json.loads(_TRAILING_COMMA.sub(r"\1", text), strict=False)
    except ValueError as err:
        raise _Skip(INVALID, str(err)) from None


def _too_deep(text: str) -> bool:
    """Whether JSON text nests arrays and objects deeper than :data:`MAX_DEPTH` (brackets inside strings
    do not count; in invalid JSON the answer only matters in that it is not parsed either way)."""
    depth = 0
    for bracket in _JSON_BRACKETS.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > MAX_DEPTH:
            return True
    return False


@dataclass(frozen=True, slots=True)
class _Syntax:
    """Attribute names of one attribute-based syntax (microdata or RDFa Lite)."""

    scope: str
    prop: str
    type: str
    id: str
    scope_is_flag: bool


_MICRODATA = _Syntax(scope="itemscope", prop="itemprop", type="itemtype", id="itemid", scope_is_flag=True)
_RDFA = _Syntax(scope="typeof", prop="property", type="typeof", id="resource", scope_is_flag=False)


def _is_item(el: etree._Element, syntax: _Syntax) -> bool:
    return el.get(syntax.scope) is not None


def _items(doc: lxml.html.HtmlElement, base_url: str, syntax: _Syntax, data: StructuredData) -> None:
    """Add the top-level items (those that are not a property of another item) to ``data``; an item over
    the bounds is skipped and counted, the next one is still read."""
    ids: dict[str, etree._Element] = {}
    if syntax is _MICRODATA:
        for el in doc.iter(etree.Element):
            if el.get("id"):
                ids.setdefault(str(el.get("id")), el)
    page_budget = MAX_PAGE_CHARS
    for el in doc.iter(etree.Element):
        if not _is_item(el, syntax) or el.get(syntax.prop) is not None:
            continue
        reader = _ItemReader(base_url, syntax, ids, min(MAX_BLOCK_CHARS, page_budget))
        try:
            data.nodes.append(reader.item(el, 0))
        except _Skip as skip:
            logger.info("skipping an item (%s) on %s: %s", skip.reason, base_url, skip)
            data.skipped[skip.reason] += 1
        page_budget -= reader.spent


@dataclass(slots=True)
class _ItemReader:
    """Reads one top-level item and the items nested in it, within ``budget`` (see :data:`MAX_BLOCK_CHARS`)."""

    base_url: str
    syntax: _Syntax
    ids: dict[str, etree._Element]
    budget: int
    spent: int = 0

    def _spend(self, amount: int) -> None:
        self.spent += amount
        if self.spent > self.budget:
            raise _Skip(TOO_LARGE, f"more than {self.budget} characters and elements")

    def item(self, el: etree._Element, depth: int) -> dict[str, Any]:
        """The item's node: its properties are the descendants (and ``itemref`` targets) up to the next
        nested items, which become nodes in turn. Each element is read once per item (an ``itemref``
        target may also be a descendant). Items nested deeper than :data:`MAX_DEPTH` skip the whole
        top-level item, and so does an ``itemref`` to an ancestor, which nests the item in itself
        without end."""
        if depth >= MAX_DEPTH:  # the top-level item is depth 0
            raise _Skip(TOO_DEEP, f"items nested more than {MAX_DEPTH} levels")
        syntax = self.syntax
        node: dict[str, Any] = {}
        types = [local_name(t) for t in (el.get(syntax.type) or "").split()]
        if types:
            node["@type"] = types[0] if len(types) == 1 else types
        if el.get(syntax.id):
            node["@id"] = urljoin(self.base_url, el.get(syntax.id, ""))
        pending: deque[etree._Element] = deque(el)
        if syntax is _MICRODATA:
            pending.extend(self.ids[ref] for ref in (el.get("itemref") or "").split() if ref in self.ids)
        read: set[etree._Element] = set()
        while pending:
            child = pending.popleft()
            if not isinstance(child.tag, str) or child in read:
                continue
            read.add(child)
            self._spend(1)
            names = (child.get(syntax.prop) or "").split()
            if names:
                value: Any
                if _is_item(child, syntax):
                    value = self.item(child, depth + 1)
                else:
                    value = _value(child, self.base_url)
                    self._spend(len(value))
                for name in names:
                    _add(node, local_name(name), value)
            if not _is_item(child, syntax):
                pending.extendleft(reversed(child))
        return node


def _add(node: dict[str, Any], name: str, value: Any) -> None:
    if name not in node:
        node[name] = value
    elif isinstance(node[name], list):
        node[name].append(value)
    else:
        node[name] = [node[name], value]


def _value(el: etree._Element, base_url: str) -> str:
    """A property's value: ``content``, then the element's URL or value attribute, else its inner HTML."""
    if el.get("content") is not None:
        return str(el.get("content"))
    tag = str(el.tag).lower()
    if tag in _URL_ATTRS and el.get(_URL_ATTRS[tag]) is not None:
        return urljoin(base_url, str(el.get(_URL_ATTRS[tag], "")).strip())
    if tag in _VALUE_ATTRS and el.get(_VALUE_ATTRS[tag]) is not None:
        return str(el.get(_VALUE_ATTRS[tag]))
    return inner_html(el)


def inner_html(el: etree._Element) -> str:
    """The element's content as an HTML fragment, whitespace collapsed as a browser renders it."""
    parts = [escape(el.text or "", quote=False)]
    parts.extend(etree.tostring(child, encoding="unicode", method="html", with_tail=True) for child in el)
    html = "".join(parts)
    if "<pre" in html or "<textarea" in html:
        return html
    return _WHITESPACE.sub(" ", html)
