"""Split a mention into the parts aspect sentiment is read from: sentences, then clauses.

"Great coffee but we waited 40 minutes" is one sentence with two aspects of opposite polarity, so a
sentence is further cut before a contrastive conjunction ("but", "aber", "ale", "mais", "pero", "ma",
...) when both sides keep at least two words. Rules only, no language model: they must work the same
in every language and cost nothing next to the encoder. Sentence ends are ``.!?…`` (and the CJK
``。！？``) followed by a space or the end, and line breaks; decimals ("4.5") and URLs stay whole.
"""

from __future__ import annotations

import re

#: Contrastive conjunctions that start a new aspect, per language. Italian "ma" is also Polish/Czech
#: "has", so it splits only after a comma; the others are unambiguous enough on their own.
_CONJUNCTIONS = (
    "but", "however", "although", "though", "whereas",  # en
    "aber", "jedoch", "allerdings", "sondern", "obwohl",  # de
    "mais", "cependant", "pourtant", "sauf que",  # fr
    "pero", "sino", "aunque", "sin embargo",  # es
    "però", "tuttavia", "invece",  # it
    "mas", "porém", "contudo", "embora",  # pt
    "ale", "lecz", "jednak", "chociaż", "natomiast",  # pl
    "maar", "echter",  # nl
    "ale", "však", "avšak",  # cs
    "fakat", "ancak",  # tr
)  # fmt: skip
_COMMA_ONLY = ("ma",)
_MIN_WORDS = 2

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])|\n+")
_CLAUSE = re.compile(
    r"\s+(?=(?:" + "|".join(re.escape(c) for c in sorted(set(_CONJUNCTIONS), key=len, reverse=True)) + r")\b)"
    r"|(?<=,)\s*(?=(?:" + "|".join(_COMMA_ONLY) + r")\b)",
    re.IGNORECASE,
)


def split_sentences(text: str) -> list[str]:
    """Sentences in order, stripped, empty ones dropped; a text without an end mark is one sentence."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def split_clauses(sentence: str) -> list[str]:
    """Cut one sentence before contrastive conjunctions, keeping only parts of two or more words."""
    parts = [p.strip(" ,;") for p in _CLAUSE.split(sentence)]
    parts = [p for p in parts if p]
    merged: list[str] = []
    for part in parts:
        if merged and (_words(part) < _MIN_WORDS or _words(merged[-1]) < _MIN_WORDS):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged or [sentence.strip()]


def split_units(text: str, *, clauses: bool = True) -> list[str]:
    """The units of a text: its sentences, each cut into clauses when ``clauses`` is true."""
    sentences = split_sentences(text)
    if not clauses:
        return sentences
    return [clause for sentence in sentences for clause in split_clauses(sentence)]


def _words(text: str) -> int:
    return len(text.split())
