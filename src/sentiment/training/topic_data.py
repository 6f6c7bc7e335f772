"""The labelled topic evaluation set: references into ``../shared/data`` plus labels, never the texts.

The texts are third-party data that must not be copied into the repository, so each item of
``models/topics/eval_set.jsonl`` points at its source: a line of an xlm-t-umsab text file, the n-th
schema.org review of a saved recipe page (as our own review-page parser reads it), or a JSON pointer
into a recorded social-API payload. A short sha256 of the resolved text guards against a source or a
parser that changed under the labels. See ``models/topics/ANNOTATION.md`` for how it was labelled.

The split into a calibration part (thresholds are fitted there) and an evaluation part (reported,
never fitted on) is deterministic: items are grouped by their rarest topic ("other" for none), each
group is ordered by the sha256 of the item id, and the items alternate evaluation, calibration, ...
so every topic with two or more items has support on both sides.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from sentiment.errors import ModelError
from sentiment.model.topic_reader import default_topics_dir
from sentiment.taxonomy import OTHER
from sentiment.training.data import clean_text, default_data_dir

Split = Literal["calibration", "evaluation"]
SPLITS: tuple[Split, Split] = ("calibration", "evaluation")
HASH_CHARS = 16


@dataclass(frozen=True, slots=True)
class EvalItem:
    """One labelled text: where it is, its language, its topics (empty: "other"), its text hash."""

    ref: dict[str, Any]
    lang: str
    topics: tuple[str, ...]
    sha256: str

    @property
    def id(self) -> str:
        """``file:line``, ``file#review`` or ``file#/json/pointer``: unique within the set."""
        file = self.ref["file"]
        if "line" in self.ref:
            return f"{file}:{self.ref['line']}"
        if "review" in self.ref:
            return f"{file}#{self.ref['review']}"
        return f"{file}#{self.ref['pointer']}"


@dataclass(frozen=True, slots=True)
class LabelledText:
    """An item with its resolved text and split, ready to score."""

    item: EvalItem
    text: str
    split: Split


def shared_data_dir() -> Path:
    """``$SENTIMENT_SHARED_DIR/data`` (or ``../shared/data`` beside the repository)."""
    return default_data_dir().parent


def default_eval_set_path() -> Path:
    """``models/topics/eval_set.jsonl`` in ``$SENTIMENT_MODELS_DIR`` or the repository."""
    return default_topics_dir() / "eval_set.jsonl"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]


def read_eval_set(path: Path) -> list[EvalItem]:
    """Parse the JSON-lines eval set; the error names the line and what is wrong."""
    items: list[EvalItem] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise ModelError(f"cannot read the topic evaluation set {path}: {err}") from err
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            item = EvalItem(
                ref=dict(raw["ref"]), lang=str(raw["lang"]), topics=tuple(raw["topics"]), sha256=raw["sha256"]
            )
        except (ValueError, KeyError, TypeError) as err:
            raise ModelError(f"{path} line {number}: expected {{ref, lang, topics, sha256}} ({err})") from None
        if not {"file"} < set(item.ref) or len(item.ref) != 2 or not set(item.ref) & {"line", "review", "pointer"}:
            raise ModelError(f"{path} line {number}: ref needs 'file' and one of 'line', 'review', 'pointer'")
        items.append(item)
    ids = Counter(item.id for item in items)
    duplicates = sorted(i for i, n in ids.items() if n > 1)
    if duplicates:
        raise ModelError(f"{path}: items listed twice: {duplicates[:5]}")
    return items


def resolve(ref: dict[str, Any], data_dir: Path | None = None) -> str:
    """The text a reference points at, exactly as the pipeline would see it."""
    root = data_dir or shared_data_dir()
    path = root / str(ref["file"])
    if "line" in ref:
        return clean_text(_lines(path)[int(ref["line"]) - 1])
    if "review" in ref:
        reviews = _reviews(path)
        index = int(ref["review"])
        if not 0 <= index < len(reviews):
            raise ModelError(f"{path} has {len(reviews)} reviews; review {index} does not exist")
        return reviews[index]
    return html.unescape(_pointer(_json(path), str(ref["pointer"]), path)).strip()


def load_labelled(
    path: Path | None = None, data_dir: Path | None = None, *, check_hashes: bool = True
) -> list[LabelledText]:
    """Every eval-set item with its text and split; a changed source text is an error, not a silent drift."""
    items = read_eval_set(path or default_eval_set_path())
    splits = assign_splits(items)
    labelled: list[LabelledText] = []
    for item in items:
        text = resolve(item.ref, data_dir)
        if check_hashes:
            check_text("eval item", item.id, text, item.sha256)
        labelled.append(LabelledText(item, text, splits[item.id]))
    return labelled


def assign_splits(items: Sequence[EvalItem]) -> dict[str, Split]:
    """The deterministic stratified split described in the module docstring."""
    groups = rarest_topic_strata([item.topics for item in items])
    splits: dict[str, Split] = {}
    for stratum in sorted(groups):
        members = [items[i] for i in groups[stratum]]
        ordered = sorted(members, key=lambda i: hashlib.sha256(i.id.encode()).hexdigest())
        for position, item in enumerate(ordered):
            splits[item.id] = "evaluation" if position % 2 == 0 else "calibration"
    return splits


def rarest_topic_strata(topic_lists: Sequence[Sequence[str]]) -> dict[str, list[int]]:
    """Item indices grouped by each item's rarest topic ("other" for none; ties by topic id), in
    input order: every split of a labelled set is drawn within these groups, so that a rare topic
    has items on both sides instead of being drowned by the frequent topics it co-occurs with."""
    frequency = Counter(t for topics in topic_lists for t in topics)
    groups: dict[str, list[int]] = {}
    for index, topics in enumerate(topic_lists):
        stratum = min(topics, key=lambda t: (frequency[t], t)) if topics else OTHER
        groups.setdefault(stratum, []).append(index)
    return groups


def check_text(kind: str, item_id: str, text: str, sha256: str) -> None:
    """A labelled text must still be the text that was labelled: a changed source is an error."""
    if text_hash(text) != sha256:
        raise ModelError(
            f"{kind} {item_id} now resolves to a different text (sha256 {text_hash(text)}, labelled "
            f"{sha256}); the source or its parser changed, so its labels must be checked again"
        )


@lru_cache(maxsize=64)
def _lines(path: Path) -> list[str]:
    # The umsab files end without a newline and may hold a bare "\r", so split on "\n" only.
    try:
        return path.read_text(encoding="utf-8").split("\n")
    except OSError as err:
        raise ModelError(f"cannot read {path}: {err}") from err


@lru_cache(maxsize=32)
def _reviews(path: Path) -> list[str]:
    from sentiment.sources.review_page import parse_review_page

    try:
        page = parse_review_page(path.read_bytes(), f"https://{path.parent.name}/")
    except OSError as err:
        raise ModelError(f"cannot read {path}: {err}") from err
    return [item.text for item in page.items]


@lru_cache(maxsize=32)
def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot read the JSON file {path}: {err}") from err


def _pointer(document: Any, pointer: str, path: Path) -> str:
    """Follow an RFC 6901 JSON pointer to a string."""
    node = document
    for token in pointer.lstrip("/").split("/"):
        key = token.replace("~1", "/").replace("~0", "~")
        try:
            node = node[int(key)] if isinstance(node, list) else node[key]
        except (KeyError, IndexError, ValueError, TypeError):
            raise ModelError(f"{path}: JSON pointer {pointer} does not exist") from None
    if not isinstance(node, str):
        raise ModelError(f"{path}: JSON pointer {pointer} is a {type(node).__name__}, not a string")
    return node
