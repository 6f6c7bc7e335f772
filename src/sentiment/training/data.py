"""The xlm-t-umsab tweet sentiment benchmark (8 languages, 3 classes) as read from shared/data.

One text per line in ``<split>_text.txt``, the label (0 negative, 1 neutral, 2 positive) on the same
line of ``<split>_labels.txt``; the last line has no trailing newline, so we split rather than iterate
lines. The English train split carries literal ``\\u2019``-style escapes and every language some HTML
entities (``&amp;``): artefacts of how the tweets were exported. Production text arrives unescaped
(the text stage unescapes HTML), so we unescape here too, identically for train, val and test.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sentiment.errors import ModelError

LANGUAGES = ("arabic", "english", "french", "german", "hindi", "italian", "portuguese", "spanish")
SPLITS = ("train", "val", "test")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


@dataclass(frozen=True, slots=True)
class Split:
    """Texts and integer labels (index into ``sentiment.records.LABELS``) of one language's split."""

    language: str
    split: str
    texts: list[str]
    labels: list[int]


def default_data_dir() -> Path:
    """``$SENTIMENT_SHARED_DIR/data/xlm-t-umsab``, else ``../shared`` beside the repository."""
    env = os.environ.get("SENTIMENT_SHARED_DIR", "").strip()
    shared = Path(env) if env else Path(__file__).resolve().parents[4] / "shared"
    return shared / "data" / "xlm-t-umsab"


def clean_text(text: str) -> str:
    """Undo the export artefacts (``\\uXXXX`` escapes, HTML entities) and trim whitespace."""
    return html.unescape(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)).strip()


def load_split(data_dir: Path, language: str, split: str) -> Split:
    """Read one language's split; the error names the file and the mismatch."""
    text_path = data_dir / language / f"{split}_text.txt"
    label_path = data_dir / language / f"{split}_labels.txt"
    try:
        texts = text_path.read_text(encoding="utf-8").split("\n")
        raw_labels = label_path.read_text(encoding="utf-8").split("\n")
    except OSError as err:
        raise ModelError(f"cannot read the umsab {language}/{split} files under {data_dir}: {err}") from err
    if texts and texts[-1] == "" and raw_labels and raw_labels[-1] == "":
        texts, raw_labels = texts[:-1], raw_labels[:-1]
    if len(texts) != len(raw_labels):
        raise ModelError(f"{text_path} has {len(texts)} lines but {label_path} has {len(raw_labels)}")
    labels = [int(x) for x in raw_labels]
    if any(label not in (0, 1, 2) for label in labels):
        raise ModelError(f"{label_path} holds labels other than 0, 1, 2")
    return Split(language, split, [clean_text(t) for t in texts], labels)
