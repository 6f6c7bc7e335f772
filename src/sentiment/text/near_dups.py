"""Near-duplicate linking: a retweet, a review posted on two sites with small edits, a press release
syndicated by ten outlets count once.

Exact copies are linked by the content hash (:mod:`sentiment.text.prepare`); these are copies that differ
a little. Each text long enough to judge gets a MinHash signature (``datasketch``; :data:`NUM_PERM`
permutations) of its word 3-shingles, computed on a normalised form that drops what re-posting changes:
a leading ``RT @user:``, URLs, @handles, the ``#`` of hashtags, punctuation, case. Two texts of the same
brand whose signatures agree on at least :data:`THRESHOLD` of their values (the estimated Jaccard
similarity of their shingle sets) are copies, and the later one is linked to the first.

Candidates are found by locality-sensitive hashing: the signature is cut into :data:`BANDS` bands and
each band hashed, with the brand, into one 64-bit key; texts sharing a key are compared. The store keeps
the keys and signatures of first copies, so a copy is found across nights, not only within one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from datasketch import MinHash

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
#: Estimated Jaccard similarity of word 3-shingles from which two texts are one text re-posted. Chosen on
#: the airline tweets (``bench/near_dups.py``): links at 0.8 were checked by hand, see the README.
THRESHOLD = 0.8
#: Fewer words than this and two people can write the same thing ("Thanks for the great flight today
#: @united"): such texts are linked only when exactly equal (and then only for one author).
MIN_WORDS = 8
SHINGLE = 3
_SEED = 1

_RETWEET = re.compile(r"^\s*(?:RT|MT)\s+@\w+:?\s*", re.IGNORECASE)
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w+")
_WORD = re.compile(r"\w+")
#: datasketch's hashing scheme, named so that a library default changing cannot change stored signatures.
_SCHEME = "affine32"
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=_SCHEME).permutations


def words(text: str) -> list[str]:
    """The words two copies of one text share: without a leading retweet marker, URLs and @handles;
    ``#tag`` as ``tag``; case folded, compatibility-normalised."""
    text = unicodedata.normalize("NFKC", text)
    text = _RETWEET.sub("", text, count=1)
    text = _HANDLE.sub(" ", _URL.sub(" ", text))
    return _WORD.findall(text.casefold())


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature (``NUM_PERM`` uint32) of the text's word 3-shingles; ``None`` below
    :data:`MIN_WORDS` words."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return None
    shingles = {" ".join(tokens[i : i + SHINGLE]).encode() for i in range(len(tokens) - SHINGLE + 1)}
    minhash = MinHash(num_perm=NUM_PERM, seed=_SEED, permutations=_PERMUTATIONS, scheme=_SCHEME)
    minhash.update_batch(sorted(shingles))
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def from_bytes(blob: bytes) -> np.ndarray:
    """A signature as the store keeps it (``signature.tobytes()``) back as an array."""
    return np.frombuffer(blob, dtype=np.uint32)


def band_keys(sig: np.ndarray, brand: str | None) -> list[int]:
    """One signed 64-bit key per band (the store's BIGINT), the brand hashed in: copies about two
    brands are two mentions."""
    prefix = (brand or "").encode() + b"\x1f"
    keys = []
    for band in range(BANDS):
        chunk = sig[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(prefix + bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The estimated Jaccard similarity of two texts' shingle sets: the share of equal signature values."""
    return float(np.mean(a == b))


@dataclass
class NearDupIndex:
    """First copies by band key: those stored earlier (loaded once per batch) and those of this batch."""

    signatures: dict[str, np.ndarray] = field(default_factory=dict)
    by_key: dict[int, list[str]] = field(default_factory=dict)

    def add(self, mention_id: str, sig: np.ndarray, keys: Iterable[int]) -> None:
        self.signatures[mention_id] = sig
        for key in keys:
            self.by_key.setdefault(key, []).append(mention_id)

    def original(self, sig: np.ndarray, keys: Iterable[int], threshold: float = THRESHOLD) -> str | None:
        """The most similar first copy at or above ``threshold`` (ties: the first found), or ``None``."""
        best, best_id = threshold, None
        seen: set[str] = set()
        for key in keys:
            for candidate in self.by_key.get(key, ()):
                if candidate in seen:
                    continue
                seen.add(candidate)
                score = similarity(sig, self.signatures[candidate])
                if score > best or (score == best and best_id is None):
                    best, best_id = score, candidate
        return best_id
