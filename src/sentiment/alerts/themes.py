"""Emerging themes: recent complaints that fit no topic but resemble each other.

A taxonomy only names what someone thought of. When customers start complaining about something new (a
broken app login, a new fee), their mentions land in ``other``; the topic rules cannot see them. This rule
takes a brand's negative mentions of the last ``theme_days`` whose only topic is ``other``, embeds them
with multilingual-e5-small (the product's own encoder before fine-tuning), takes out what a brand's
complaints all share (:func:`_centred`), and groups around the text alike to most others those whose
cosine to it is at least ``theme_similarity`` (:func:`_groups`). A group of at least
``theme_min_mentions`` mentions from at least ``theme_min_authors`` authors (unknown authors count apart)
is a theme when it is new: fewer than ``theme_min_mentions`` mentions like it in the 28 days before. It
groups complaints told in similar words; paraphrases and other languages join less often. The alert names the words the group shares
and quotes it. A group whose mentions are mostly (three quarters) at one location is that location's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from sentiment.alerts.rules import RULE_EMERGING_THEME, alert_id, quotes
from sentiment.records import Alert
from sentiment.taxonomy import default_taxonomy_path, read_taxonomy

EARLIER_DAYS = 28
_WORD = re.compile(r"\w{4,}", re.UNICODE)
_LOCATION_SHARE = 0.75
Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]


@dataclass(frozen=True, slots=True)
class ThemeMention:
    """A negative mention whose only topic is ``other``."""

    mention_id: str
    brand: str
    location: str | None
    day: date
    text: str
    author: str | None
    score: float


@dataclass(frozen=True, slots=True)
class Theme:
    brand: str
    location: str | None
    mentions: tuple[ThemeMention, ...]
    words: tuple[str, ...]
    earlier: int

    @property
    def authors(self) -> int:
        return _authors(self.mentions)


def _authors(mentions: Sequence[ThemeMention]) -> int:
    """How many authors wrote ``mentions``; a mention without a known author counts as its own."""
    return len({m.author or f"unknown:{m.mention_id}" for m in mentions})


def _groups(similar: npt.NDArray[np.bool_], min_size: int) -> list[list[int]]:
    """Star groups: the text alike to most others (ties: the first) takes all those still free as its
    group, again and again while a group reaches ``min_size``. Unlike connected components this does not
    chain A~B~C~D into one group when A and D have nothing in common."""
    free = np.ones(similar.shape[0], dtype=bool)
    out = []
    while free.any():
        counts = (similar & free[None, :] & free[:, None]).sum(axis=1)
        seed = int(np.argmax(np.where(free, counts, -1)))
        members = np.flatnonzero(similar[seed] & free)
        members = np.union1d(members, [seed])
        if len(members) < min_size:
            break
        out.append([int(i) for i in members])
        free[members] = False
    return out


#: Pseudo-texts of the reference centre mixed into a brand's own mean (see :func:`_centred`).
_CENTRE_PRIOR = 20.0


def _centred(vectors: npt.NDArray[np.float32], centre: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Rows minus their centre, renormalised. Any two customer texts sit close in e5's space (cosine 0.8
    to 0.9), two of one brand closer still (a bank's customers all write about banking); taking out what
    they share leaves what makes a group alike. The centre is the brand's own mean, leaning on the
    reference ``centre`` by ``_CENTRE_PRIOR`` texts, so that a week of seven complaints, four of them the
    theme, is not centred on the theme itself."""
    own = vectors.astype(np.float64)
    mixed = (own.sum(axis=0) + _CENTRE_PRIOR * centre) / (len(own) + _CENTRE_PRIOR)
    rows = own - mixed[None, :]
    return np.asarray(rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12))


def reference_centre(embed: Embed, texts: Sequence[str] | None = None) -> npt.NDArray[np.float64]:
    """The mean embedding of ``texts`` (default :func:`reference_texts`): the ``centre``
    :func:`find_themes` takes out."""
    return np.asarray(np.asarray(embed(reference_texts() if texts is None else texts), dtype=np.float64).mean(axis=0))


def reference_texts() -> list[str]:
    """The default taxonomy's descriptions and examples: customer texts on every usual matter, in many
    languages, whose mean embedding is the centre that :func:`find_themes` takes out."""
    taxonomy = read_taxonomy(default_taxonomy_path())
    return [text for topic in taxonomy.topics for text in topic.texts()]


def _shared_words(texts: Sequence[str]) -> tuple[str, ...]:
    """Up to five words (4+ letters) found in at least half the texts, most common first."""
    per_text = [set(_WORD.findall(t.lower())) for t in texts]
    counts = Counter(w for words in per_text for w in words)
    common = [(w, c) for w, c in counts.items() if c >= max(2, len(texts) / 2)]
    return tuple(w for w, _ in sorted(common, key=lambda wc: (-wc[1], wc[0]))[:5])


def find_themes(
    recent: Sequence[ThemeMention],
    earlier: Sequence[ThemeMention],
    embed: Embed,
    centre: npt.NDArray[np.float64],
    *,
    min_mentions: int,
    min_authors: int,
    similarity: float,
) -> list[Theme]:
    """The new themes per brand among ``recent`` (``earlier``: the 28 days before, to tell new from old);
    ``embed`` returns L2-normalised rows, one per text, and ``centre`` is what to take out of them (the
    mean embedding of :func:`reference_texts`)."""
    themes = []
    for brand in sorted({m.brand for m in recent}):
        mine = sorted((m for m in recent if m.brand == brand), key=lambda m: m.mention_id)
        before = [m for m in earlier if m.brand == brand]
        if len(mine) < min_mentions:
            continue
        vectors = _centred(embed([m.text for m in mine] + [m.text for m in before]), centre)
        now, then = vectors[: len(mine)], vectors[len(mine) :]
        for group in _groups(now @ now.T >= similarity, min_mentions):
            members = tuple(mine[i] for i in group)  # _groups keeps only groups of min_mentions or more
            if _authors(members) < min_authors:
                continue
            old = int(((then @ now[group].T) >= similarity).any(axis=1).sum()) if before else 0
            if old >= min_mentions:
                continue
            places = Counter(m.location for m in members).most_common(1)[0]
            location = places[0] if places[0] is not None and places[1] >= _LOCATION_SHARE * len(members) else None
            themes.append(Theme(brand, location, members, _shared_words([m.text for m in members]), old))
    return themes


def theme_alert(theme: Theme, as_of: date, days: int) -> Alert:
    """The stored alert of a theme: how many, from how many authors, the shared words, three quotes."""
    who = f"{theme.location} ({theme.brand})" if theme.location else theme.brand
    start = as_of - timedelta(days=days - 1)
    earlier_start, earlier_end = start - timedelta(days=EARLIER_DAYS), start - timedelta(days=1)
    words = ", ".join(theme.words) or "no word in common"
    n = len(theme.mentions)
    message = (
        f"Emerging theme at {who}: {n} negative mentions no topic covers, from {theme.authors} authors, over "
        f"{start}..{as_of} ({theme.earlier} like them in the {EARLIER_DAYS} days before); shared words: {words}"
    )
    return Alert(
        id=alert_id(
            RULE_EMERGING_THEME,
            theme.brand,
            theme.location or "",
            start.isoformat(),
            as_of.isoformat(),
            *sorted(m.mention_id for m in theme.mentions),
        ),
        rule=RULE_EMERGING_THEME,
        scope="location" if theme.location else "brand",
        brand=theme.brand,
        location=theme.location,
        as_of=as_of,
        recent_start=start,
        recent_end=as_of,
        baseline_start=earlier_start,
        baseline_end=earlier_end,
        n_recent=n,
        n_baseline=theme.earlier,
        recent_mean=round(n / days, 4),
        baseline_mean=round(theme.earlier / EARLIER_DAYS, 4),
        effect=float(n - theme.earlier),
        p_value=1.0,
        message=message,
        details={
            "words": list(theme.words),
            "authors": theme.authors,
            "mentions": [m.mention_id for m in theme.mentions],
            "examples": quotes(theme.mentions),
        },
    )
