"""Bytes to text for fetched documents, without trusting any single declaration.

Servers and CMSs lie about charsets often: a feed declared UTF-8 that is really ISO-8859-1, a page
whose ``<meta charset>`` contradicts its HTTP header, an XML prolog copied from a template. Decoding
with the wrong codec either crashes or silently produces mojibake that then poisons language
identification and duplicate detection, so every candidate is *validated* before it is used, and decoding
never raises.

Validation is not all-or-nothing: one corrupt byte in a real UTF-8 page must not send the whole page to
a windows-1252 guess (every review on it would be stored as mojibake). A codec is kept when most of the
document's non-ASCII bytes decode with it; the few that do not become U+FFFD and are counted
(:attr:`Decoded.replaced`), so that the run record shows them. A declaration that lies fails on nearly
every non-ASCII byte and is overridden.
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
# declared as one of these has non-ASCII bytes that UTF-8 fits, it is UTF-8 (the reverse accident, real
# Latin-1 text that happens to be valid UTF-8, is vanishingly rare in natural language).
_SINGLE_BYTE_PREFIXES = ("cp125", "iso8859", "koi8", "mac-")
# As browsers do (WHATWG Encoding), ISO-8859-1 and ASCII labels mean windows-1252.
_WHATWG_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252"}
#: A codec fits a document when at most this share of its non-ASCII bytes cannot be decoded with it.
#: The two cases to tell apart are far from this line: a UTF-8 page with a few corrupt bytes fails on
#: a handful of them, a windows-1252 page declared UTF-8 on nearly all (an accented letter followed by
#: ASCII is never valid UTF-8).
MAX_UNDECODABLE_SHARE = 0.5
#: The skip reason under which sources count :attr:`Decoded.replaced`, so that the run record shows it.
UNDECODABLE = "undecodable_bytes"
_HIGH_BYTES = bytes(range(0x80, 0x100))
# surrogateescape turns each undecodable byte (always >= 0x80 for ASCII-compatible codecs) into one of these.
_ESCAPED = re.compile(r"[\udc80-\udcff]")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text and the codec that produced it (``declared`` says whether a declaration won).

    ``replaced`` is how many undecodable bytes became U+FFFD (one each), for sources to count as a skip.
    """

    text: str
    encoding: str
    declared: bool
    replaced: int


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


def _replacing(content: bytes, codec: str) -> tuple[str, int]:
    """``content`` decoded with each undecodable byte replaced by U+FFFD, and how many were.

    Raises LookupError for a codec that is not a text encoding (``base64``, ``rot13``).
    """
    try:
        escaped = content.decode(codec, errors="surrogateescape")
    except UnicodeDecodeError:
        # Codecs that can fail on an ASCII byte (UTF-16/32, ISO-2022) cannot escape it; count what
        # "replace" inserts instead (one per bad sequence, not per byte).
        text = content.decode(codec, errors="replace")
        return text, text.count("\ufffd")
    text, replaced = _ESCAPED.subn("\ufffd", escaped)
    return text, replaced


def _fits(replaced: int, non_ascii: int) -> bool:
    return replaced <= non_ascii * MAX_UNDECODABLE_SHARE


def decode_body(content: bytes, content_type: str | None = None) -> Decoded:
    """Decode a response body: BOM, then the declared charsets (HTTP header, then the document's own),
    each used if it fits (see :data:`MAX_UNDECODABLE_SHARE`), then UTF-8 if it fits, else windows-1252.
    Undecodable bytes become U+FFFD and are counted in :attr:`Decoded.replaced`.
    """
    for bom, codec in _BOMS:
        if content.startswith(bom):
            text, replaced = _replacing(content[len(bom) :], codec)
            return Decoded(text, codec, True, replaced)
    non_ascii = len(content) - len(content.translate(None, _HIGH_BYTES))
    utf8_text, utf8_replaced = _replacing(content, "utf-8")
    declared = [_codec(charset_from_content_type(content_type)), _codec(sniff_declared_encoding(content))]
    for label in declared:
        if label is None:
            continue
        if label.startswith(_SINGLE_BYTE_PREFIXES) and non_ascii and _fits(utf8_replaced, non_ascii):
            return Decoded(utf8_text, "utf-8", False, utf8_replaced)
        try:
            text, replaced = (utf8_text, utf8_replaced) if label == "utf-8" else _replacing(content, label)
        except LookupError:
            continue
        if _fits(replaced, non_ascii):
            return Decoded(text, label, True, replaced)
    if _fits(utf8_replaced, non_ascii):
        return Decoded(utf8_text, "utf-8", False, utf8_replaced)
    # windows-1252 maps all but five bytes, so it decodes whatever UTF-8 could not.
    text, replaced = _replacing(content, "cp1252")
    return Decoded(text, "cp1252", False, replaced)
