"""Timestamps as pages and feeds write them, to timezone-aware UTC datetimes.

Cursors compare publication times across sources and nights, so every parser returns aware UTC
datetimes: date-only values become midnight UTC, naive ones are taken as UTC. Besides ISO 8601 and
RFC 822, feeds in Portuguese, Spanish, French, German, Italian and Dutch write localised day and month
names ("Seg, 24 Set 2018 19:42:40 -0300"), which the standard parsers reject.
"""

from __future__ import annotations

import email.utils
import re
import time
import unicodedata
from datetime import UTC, datetime

_MONTHS = {
    "jan": 1, "gen": 1, "ene": 1, "janv": 1,
    "feb": 2, "fev": 2, "fevr": 2, "febr": 2,
    "mar": 3, "mrz": 3, "mrt": 3, "mars": 3,
    "apr": 4, "abr": 4, "avr": 4, "avri": 4,
    "may": 5, "mai": 5, "mei": 5, "mag": 5,
    "jun": 6, "juin": 6, "giu": 6,
    "jul": 7, "juil": 7, "lug": 7,
    "aug": 8, "ago": 8, "aou": 8, "aout": 8,
    "sep": 9, "set": 9, "sept": 9,
    "oct": 10, "out": 10, "okt": 10, "ott": 10,
    "nov": 11,
    "dec": 12, "dez": 12, "dic": 12,
}  # fmt: skip
_ENGLISH = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ZONES = {"gmt", "ut", "utc", "z", "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt"}
_TOKEN = re.compile(r"[^\W\d_]+\.?|[^\s,]+")


def to_utc(value: datetime) -> datetime:
    """Aware UTC; a naive value is taken to be UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def from_struct_time(value: time.struct_time | None) -> datetime | None:
    """feedparser's ``*_parsed`` fields are UTC struct_times."""
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower().rstrip("."))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _month(word: str) -> int | None:
    return _MONTHS.get(word) or _MONTHS.get(word[:4]) or _MONTHS.get(word[:3])


def _localised_rfc822(value: str) -> datetime | None:
    """Rewrite a localised month name to English, drop weekday names, and parse as RFC 822.

    Only the last month-like word counts: weekday abbreviations such as Spanish/French/Italian "mar"
    (Tuesday) come first and would otherwise read as March.
    """
    tokens = _TOKEN.findall(value)
    words = [_fold(token) if token[0].isalpha() else None for token in tokens]
    months = [i for i, word in enumerate(words) if word is not None and _month(word) is not None]
    if not months:
        return None
    kept: list[str] = []
    for i, (token, word) in enumerate(zip(tokens, words, strict=True)):
        if word is None:
            kept.append(token)
        elif i == months[-1]:
            kept.append(_ENGLISH[(_month(word) or 1) - 1])
        elif word in _ZONES:
            kept.append(word.upper())
    try:
        return email.utils.parsedate_to_datetime(" ".join(kept))
    except (TypeError, ValueError, IndexError):
        return None


def parse_datetime(value: object) -> datetime | None:
    """Parse ISO 8601, RFC 822 or localised RFC 822 text to an aware UTC datetime; ``None`` if unknown."""
    if isinstance(value, datetime):
        return to_utc(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return to_utc(datetime.fromisoformat(text))
    except ValueError:
        pass
    try:
        return to_utc(email.utils.parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    parsed = _localised_rfc822(text)
    return to_utc(parsed) if parsed is not None else None


def parse_date(raw: str, formats: list[str]) -> datetime | None:
    """``raw`` with the first matching ``strptime`` format (an export's or a page's own, from the
    config), else as :func:`parse_datetime` reads it; aware UTC."""
    for fmt in formats:
        try:
            return to_utc(datetime.strptime(raw, fmt))
        except ValueError:
            continue
    return parse_datetime(raw)
