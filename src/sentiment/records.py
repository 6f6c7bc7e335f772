"""The plain records that cross stage boundaries: sources -> text -> model -> store -> alerts.

They are frozen dataclasses, not ORM objects: every stage is a function over these, testable alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Label = Literal["negative", "neutral", "positive"]
LABELS: tuple[Label, Label, Label] = ("negative", "neutral", "positive")


def mention_id(source: str, source_item_id: str) -> str:
    """Derive a mention's id from its source name and the source's own id for the item.

    Deterministic, so re-running a night or a backfill writes the same id and never duplicates.
    """
    digest = hashlib.sha256(f"{source}\x1f{source_item_id}".encode()).hexdigest()
    return digest[:24]


@dataclass(frozen=True, slots=True)
class Mention:
    """One public review, post or article about a brand, as a source parsed it.

    ``author`` is the raw name as the page showed it; the text stage replaces it by ``author_hash``
    (salted) and clears it, and the store only ever writes the hash.
    ``platform_lang`` is what the platform claimed; it is kept for reference and never trusted:
    ``lang`` is set by the text stage's own language identification.
    ``rating`` is normalised to a 1..5 scale by the parser (from bestRating/worstRating).
    ``parent_id`` is the source's own id of the item this one answers (a comment's parent), if any.
    ``truncated`` says the text stage cut the text to ``text.max_chars`` characters.
    ``duplicate_of`` links an exact or near copy (a retweet, a syndicated article) to its first copy.
    """

    source: str
    source_item_id: str
    text: str
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    rating: float | None = None
    brand: str | None = None
    location: str | None = None
    platform_lang: str | None = None
    parent_id: str | None = None
    #: The text stage keeps this mention only if its title or text names its brand (a search or a hashtag
    #: returns much that is about something else); a source sets it from its ``match_brand`` option.
    brand_gate: bool = False
    #: What the review page the mention came from reviews (schema.org name and one-line address); the
    #: text stage matches it to one of the brand's locations before reading the text for one.
    place_name: str | None = None
    place_address: str | None = None
    # Set by the text stage.
    lang: str | None = None
    author_hash: str | None = None
    content_hash: str | None = None
    duplicate_of: str | None = None
    truncated: bool = False
    #: A first copy's MinHash signature and band keys (:mod:`sentiment.text.near_dups`), for the store.
    minhash: bytes | None = None
    band_keys: tuple[int, ...] = ()

    @property
    def id(self) -> str:
        return mention_id(self.source, self.source_item_id)


@dataclass(frozen=True, slots=True)
class PageInfo:
    """Page-level facts a review page states about the reviewed item (schema.org)."""

    item_name: str | None = None
    item_type: str | None = None
    address: str | None = None
    rating_value: float | None = None
    rating_count: int | None = None
    review_count: int | None = None
    best_rating: float | None = None
    worst_rating: float | None = None


@dataclass(frozen=True, slots=True)
class Prediction:
    """The model's reading of one text. ``score = p(positive) - p(negative)`` in [-1, 1].

    ``truncated``: the model read only the first ``model.max_tokens`` tokens of the text (or, for a
    Hugging Face model, its own window).
    """

    label: Label
    probabilities: dict[str, float]
    score: float
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Score:
    """A stored prediction for one mention by one model version."""

    mention_id: str
    model_id: str
    model_version: str
    label: Label
    p_negative: float
    p_neutral: float
    p_positive: float
    score: float
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """What one source did in one run: counted into the run record whether it worked or not."""

    source: str
    status: Literal["ok", "failed"]
    mentions: list[Mention] = field(default_factory=list)
    pages: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    cursor: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class SourceRun:
    """A source's row in ``source_runs``: what it fetched and stored in one run, or why it failed."""

    source: str
    status: str
    pages: int
    fetched: int
    new_mentions: int
    skipped: dict[str, int]
    error: str | None


@dataclass(frozen=True, slots=True)
class BackfillProgress:
    """A history file's row in ``backfill_progress``: how many of its readable rows (in file order) are
    stored and scored, and what was skipped on the way. (What the file added to the store is not kept:
    after a kill, the chunk that was cut off had stored rows that the rerun finds already there.)"""

    rows_done: int
    skipped: dict[str, int]
    finished: bool


@dataclass(frozen=True, slots=True)
class Alert:
    """A rule that fired on a brand or a location (:mod:`sentiment.alerts.rules`): for a sentiment drop
    the means are mean scores and ``effect`` the drop; for a volume spike or topic surge the means are
    negative mentions a day (recent, and expected from the baseline), the counts negative mentions and
    ``effect`` the excess; ``topic`` names a surge's topic."""

    id: str
    rule: str
    scope: Literal["brand", "location"]
    brand: str
    location: str | None
    as_of: date
    recent_start: date
    recent_end: date
    baseline_start: date
    baseline_end: date
    n_recent: int
    n_baseline: int
    recent_mean: float
    baseline_mean: float
    effect: float
    p_value: float
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Mentions and negative mentions of one source or language in an alert's recent and baseline windows."""

    key: str
    recent: int
    recent_negative: int
    baseline: int
    baseline_negative: int

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "recent": self.recent, "recent_negative": self.recent_negative,
                "baseline": self.baseline, "baseline_negative": self.baseline_negative}  # fmt: skip


@dataclass(frozen=True, slots=True)
class TopicCounts:
    """One topic's mentions and negative mentions in an alert's recent and baseline windows."""

    topic: str
    recent: int
    recent_negative: int
    baseline: int
    baseline_negative: int


@dataclass(frozen=True, slots=True)
class WindowRow:
    """One scored original mention in an alert's window: what its quotes are chosen from."""

    brand: str
    location: str | None
    day: date
    score: float
    mention_id: str
    text: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class SurveyResponse:
    """One response of a company's own survey (:mod:`sentiment.surveys`): NPS 0-10 and/or CSAT 1-5."""

    id: str
    survey: str
    brand: str
    location: str
    responded_on: date
    nps: int | None = None
    csat: float | None = None
    verbatim: str | None = None
