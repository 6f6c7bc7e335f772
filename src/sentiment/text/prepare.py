"""The text stage: from parsed mentions to clean, identified, de-duplicated, pseudonymised ones.

Runs on new mentions only (the caller drops ids already stored), so each is cleaned and identified once.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sentiment.config import MonitorConfig
from sentiment.parse.clean import clean_text, normalise_for_hash
from sentiment.records import Mention
from sentiment.text import near_dups
from sentiment.text.attribution import LocationIndex, location_for_place, location_index
from sentiment.text.brands import BrandMatcher
from sentiment.text.lang import detect_language

#: Below this many characters an exact copy is as likely two people writing "Great coffee!" as a
#: re-post, so it is linked as a duplicate only when the author is the same too.
MIN_DUPLICATE_CHARS = 30
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Prepared:
    mentions: list[Mention]
    skipped: Counter[str] = field(default_factory=Counter)
    #: The same counts per source: mentions of several sources are prepared together.
    skipped_by_source: dict[str, Counter[str]] = field(default_factory=dict)
    #: Of the linked copies, those linked by similarity rather than by equal text.
    near_duplicates: int = 0

    def skip(self, source: str, reason: str) -> None:
        self.skipped[reason] += 1
        self.skipped_by_source.setdefault(source, Counter())[reason] += 1

    @property
    def duplicates(self) -> int:
        return sum(1 for m in self.mentions if m.duplicate_of)


def author_hash(author: str | None, salt: str) -> str | None:
    """Salted hash of an author name: stable per database, so repeat authors are visible, names are not."""
    if not author or not author.strip():
        return None
    key = " ".join(author.casefold().split())
    return hashlib.sha256(f"{salt}\x1f{key}".encode()).hexdigest()[:20]


def content_hash(text: str, brand: str | None = None) -> str:
    """Hash of the normalised text, per brand: one article about two brands is a mention of each."""
    return hashlib.sha256(f"{brand or ''}\x1f{normalise_for_hash(text)}".encode()).hexdigest()[:24]


def prepare(
    mentions: Iterable[Mention],
    *,
    monitor: MonitorConfig,
    salt: str,
    first_copies: Callable[[list[str]], dict[str, str]] = lambda hashes: {},
    near_copies: Callable[[list[int]], dict[str, tuple[str | None, bytes]]] = lambda keys: {},
) -> Prepared:
    """Clean, keep what names its brand where the source asks (``brand_gate``), identify language,
    attribute locations (from the reviewed place, else from the text), hash authors and link exact and
    near duplicates.

    ``first_copies`` maps content hashes to the ids of copies stored earlier, and ``near_copies`` band
    keys to the signatures of first copies stored earlier (the store's lookups), so a re-post links to
    its first copy across nights, not only within one.
    """
    out = Prepared(mentions=[])
    brands = {b.name: b for b in monitor.brands}
    indexes: dict[str, LocationIndex] = {}
    matcher: BrandMatcher | None = None
    cleaned: list[Mention] = []
    for m in mentions:
        text = clean_text(m.text)
        if not text:
            out.skip(m.source, "empty_text")
            continue
        if m.brand_gate and m.brand is not None:
            matcher = matcher or BrandMatcher.from_config(monitor)
            if not matcher.mentions(f"{m.title or ''}\n{text}", m.brand):
                out.skip(m.source, "no_brand_match")
                continue
        truncated = len(text) > monitor.text.max_chars
        if truncated:
            text = cut_text(text, monitor.text.max_chars)
            out.skip(m.source, "text_truncated")
        location = m.location
        brand = brands.get(m.brand or "")
        if location is None and brand is not None and (m.place_name or m.place_address):
            location = location_for_place(brand, m.place_name, m.place_address)
        if location is None and brand is not None:
            if brand.name not in indexes:
                indexes[brand.name] = location_index(brand)
            location = indexes[brand.name].located(f"{m.title or ''}\n{text}")
        cleaned.append(
            replace(
                m,
                text=text,
                title=clean_text(m.title) if m.title else None,
                lang=detect_language(text),
                author=None,
                author_hash=author_hash(m.author, salt),
                content_hash=content_hash(text, m.brand),
                location=location,
                truncated=truncated,
            )
        )
    # Oldest first, so the first copy of a re-post is the one that keeps counting.
    cleaned.sort(key=lambda m: (m.published_at or _EPOCH, m.id))
    stored = first_copies(sorted({m.content_hash for m in cleaned if m.content_hash}))
    signatures = {m.id: near_dups.signature(m.text) for m in cleaned}
    keys = {m.id: near_dups.band_keys(sig, m.brand) for m in cleaned if (sig := signatures[m.id]) is not None}
    index = near_dups.NearDupIndex()
    for stored_id, (stored_brand, blob) in near_copies(sorted({k for ks in keys.values() for k in ks})).items():
        stored_sig = near_dups.from_bytes(blob)
        index.add(stored_id, stored_sig, near_dups.band_keys(stored_sig, stored_brand))
    first_in_batch: dict[str, Mention] = {}
    for m in cleaned:
        assert m.content_hash is not None
        long_enough = len(m.text) >= MIN_DUPLICATE_CHARS
        original_id = stored.get(m.content_hash) if long_enough else None
        original = first_in_batch.get(m.content_hash)
        if original_id is None and original is not None and _same_content(m, original):
            original_id = original.id
        sig = signatures[m.id]
        if original_id is None and sig is not None:
            original_id = index.original(sig, keys[m.id])
            out.near_duplicates += original_id is not None and original_id != m.id
        if original_id is not None and original_id != m.id:
            out.mentions.append(replace(m, duplicate_of=original_id))
            continue
        first_in_batch.setdefault(m.content_hash, m)
        if sig is not None:
            index.add(m.id, sig, keys[m.id])
            m = replace(m, minhash=sig.tobytes(), band_keys=tuple(keys[m.id]))
        out.mentions.append(m)
    return out


def cut_text(text: str, max_chars: int) -> str:
    """The first ``max_chars`` characters of ``text``, cut at the last word boundary in its final tenth
    (a word cut in half would read as a typo to the model); hard at ``max_chars`` when there is none."""
    head = text[:max_chars]
    space = head.rfind(" ", max_chars - max_chars // 10)
    return (head[:space] if space > 0 else head).rstrip()


def _same_content(m: Mention, original: Mention) -> bool:
    same_author = m.author_hash is not None and m.author_hash == original.author_hash
    return len(m.text) >= MIN_DUPLICATE_CHARS or same_author
