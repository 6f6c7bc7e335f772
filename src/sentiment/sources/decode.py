"""Bytes to text for fetched documents, without trusting any single declaration.

Servers and CMSs lie about charsets often: a feed declared UTF-8 that is really ISO-8859-1, a page
whose ``<meta charset>`` contradicts its HTTP header, an XML prolog copied from a template. Decoding
with the wrong codec either crashes or silently produces mojibake that then poisons language
identification and duplicate detection, so every candidate is *validated* by a strict decode before it
is used, and decoding never raises.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from email.message import Message

_SNIFF_BYTES = 4096
_XML_PROLOG = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Single-byte codecs accept any byte sequence, so a successful decode proves nothing: when a document
# declared as one of these is valid UTF-8 with non-ASCII bytes, it is UTF-8 (the reverse accident, real
# Latin-1 text that happens to be valid UTF-8, is vanishingly rare in natural language).
_SINGLE_BYTE_PREFIXES = ("cp125", "iso8859", "koi8", "mac-")
# As browsers do (WHATWG Encoding), ISO-8859-1 and ASCII labels mean windows-1252.
_WHATWG_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252"}


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text and the codec that produced it (``declared`` says whether a declaration won)."""

    text: str
    encoding: str
    declared: bool


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header value, or ``None``."""
    if not content_type:
        return None
    msg = Message()
    msg["content-type"] = content_type
    charset = msg.get_param("charset")
    return charset.strip().strip("\"'") or None if isinstance(charset, str) else None


def xml_declared_encoding(content: bytes) -> str | None:
    """The ``encoding`` of an XML prolog, or ``None``."""
    match = _XML_PROLOG.match(content[:_SNIFF_BYTES])
    return match.group(1).decode("ascii") if match else None


def sniff_declared_encoding(content: bytes) -> str | None:
    """The encoding the document itself declares: an XML prolog, else an HTML ``<meta charset>``."""
    head = content[:_SNIFF_BYTES]
    match = _XML_PROLOG.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _WHATWG_ALIASES.get(name, name)


def _strict(content: bytes, codec: str) -> str | None:
    try:
        return content.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_body(content: bytes, content_type: str | None = None) -> Decoded:
    """Decode a response body: BOM, then the declared charsets (HTTP header, then the document's own),
    each validated by a strict decode, then UTF-8, then windows-1252, and UTF-8 with replacement last.
    """
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return Decoded(content[len(bom) :].decode(codec, errors="replace"), codec, True)
    utf8 = _strict(content, "utf-8")
    declared = [_codec(charset_from_content_type(content_type)), _codec(sniff_declared_encoding(content))]
    for label in declared:
        if label is None:
            continue
        if label.startswith(_SINGLE_BYTE_PREFIXES) and utf8 is not None and not content.isascii():
            return Decoded(utf8, "utf-8", False)
        text = utf8 if label == "utf-8" else _strict(content, label)
        if text is not None:
            return Decoded(text, label, True)
    if utf8 is not None:
        return Decoded(utf8, "utf-8", False)
    cp1252 = _strict(content, "cp1252")
    if cp1252 is not None:
        return Decoded(cp1252, "cp1252", False)
    return Decoded(content.decode("utf-8", errors="replace"), "utf-8", False)
