"""schema.org structured data from an HTML page, as JSON-LD-shaped dicts, whatever the syntax.

Review sites publish the same vocabulary in three syntaxes: JSON-LD scripts, microdata
(``itemscope``/``itemprop``) and RDFa Lite (``typeof``/``property``). All three are read into one shape
(dicts with ``@type``, ``@id`` and property keys, values being strings, dicts or lists of those), so the
review logic is written once. Types and property names are shortened to their schema.org local names.

Broken markup is normal on real pages: an invalid JSON-LD script is skipped and counted, and the other
scripts and the microdata still count.
"""

from __future__ import annotations

import json
import logging
import re
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
_MAX_DEPTH = 32


@dataclass(slots=True)
class StructuredData:
    """Every top-level node found on a page, and how many JSON-LD scripts could not be read."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    invalid_jsonld: int = 0


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
        except ValueError as err:
            logger.info("skipping an invalid JSON-LD script on %s: %s", base_url, err)
            data.invalid_jsonld += 1
            continue
        for value in parsed if isinstance(parsed, list) else [parsed]:
            if isinstance(value, dict):
                data.nodes.append(value)
    data.nodes.extend(_items(doc, base_url, _MICRODATA))
    data.nodes.extend(_items(doc, base_url, _RDFA))
    return data


def _load_json(text: str) -> Any:
    """Parse a JSON-LD script leniently: HTML comment or CDATA wrappers and trailing commas are common."""
    text = _WRAPPERS.sub("", text).strip()
    if not text:
        return None
    try:
        return json.loads(text, strict=False)
    except ValueError:
        return json.loads(_TRAILING_COMMA.sub(r"\1", text), strict=False)


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


def _items(doc: lxml.html.HtmlElement, base_url: str, syntax: _Syntax) -> list[dict[str, Any]]:
    """Top-level items: those that are not a property of another item."""
    return [
        _item(el, base_url, syntax, 0)
        for el in doc.iter(etree.Element)
        if _is_item(el, syntax) and el.get(syntax.prop) is None
    ]


def _item(el: etree._Element, base_url: str, syntax: _Syntax, depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {}
    types = [local_name(t) for t in (el.get(syntax.type) or "").split()]
    if types:
        node["@type"] = types[0] if len(types) == 1 else types
    if el.get(syntax.id):
        node["@id"] = urljoin(base_url, el.get(syntax.id, ""))
    if depth >= _MAX_DEPTH:
        return node
    pending: list[etree._Element] = list(el)
    if syntax is _MICRODATA:
        root = el.getroottree()
        for ref in (el.get("itemref") or "").split():
            found = root.xpath("//*[@id=$ref]", ref=ref)
            pending.extend(found[:1])
    while pending:
        child = pending.pop(0)
        if not isinstance(child.tag, str):
            continue
        names = (child.get(syntax.prop) or "").split()
        if names:
            value = _item(child, base_url, syntax, depth + 1) if _is_item(child, syntax) else _value(child, base_url)
            for name in names:
                _add(node, local_name(name), value)
        if not _is_item(child, syntax):
            pending[:0] = list(child)
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
