"""A local Hugging Face sequence-classification directory as a sentiment backend.

The design lets a deployment name any 3-class sentiment classifier instead of the embedded model:
a directory on disk, or a Hugging Face hub id (``org/name``), which is resolved through the local
Hugging Face cache first and downloaded only when it is not there (:func:`resolve_hub_id`). Its
labels are matched to ours by name (``negative``/``neg``/``Negative``...), never by position, because
label order differs between published models.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from sentiment.errors import ModelError
from sentiment.model.encoder import configure_threads, length_batches
from sentiment.model.progress import Progress, no_progress
from sentiment.model.scorer import Reading
from sentiment.records import LABELS

_WEIGHT_FILES = ("config.json", "model.safetensors", "pytorch_model.bin")
#: What a sequence classifier needs from a hub repository (not its other checkpoints or formats).
_HUB_FILES = ["*.json", "*.txt", "*.model", "model.safetensors", "pytorch_model.bin"]
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")


def is_hub_id(name: str) -> bool:
    """``org/name`` as the hub spells repository ids (and not a path that exists here)."""
    return bool(_HUB_ID.match(name)) and not Path(name).expanduser().exists()


def resolve_hub_id(repo_id: str) -> Path:
    """The local snapshot directory of a hub model: from the Hugging Face cache when it is there (no
    network needed, so a machine that downloaded it once keeps working offline), else downloaded
    into that cache. ``HF_HUB_CACHE``/``HF_HOME`` choose the cache; ``HF_TOKEN`` a private model."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    cache_dir = os.environ.get("HF_HUB_CACHE") or None
    try:
        return Path(snapshot_download(repo_id, cache_dir=cache_dir, allow_patterns=_HUB_FILES, local_files_only=True))
    except LocalEntryNotFoundError:
        pass
    try:
        return Path(snapshot_download(repo_id, cache_dir=cache_dir, allow_patterns=_HUB_FILES))
    except (HfHubHTTPError, LocalEntryNotFoundError, OSError, ValueError) as err:
        raise ModelError(
            f"cannot get the hub model {repo_id!r}: it is not in the Hugging Face cache and downloading it "
            f"failed ({type(err).__name__}); download it where there is a network, or name a local directory"
        ) from err


def is_classifier_dir(path: Path) -> bool:
    """A directory with a config.json: what ``from_pretrained`` can load without a hub."""
    return path.is_dir() and (path / "config.json").is_file()


def label_columns(id2label: dict[int, str]) -> list[int]:
    """Column of the model's output for each of ``LABELS``, matched by the label names' prefix."""
    found: dict[str, int] = {}
    for index, name in id2label.items():
        for label in LABELS:
            if name.strip().lower().startswith(label[:3]):
                found[label] = int(index)
    if len(id2label) != len(LABELS) or set(found) != set(LABELS):
        raise ModelError(
            f"the classifier's labels {sorted(id2label.values())} cannot be matched to {list(LABELS)}; "
            "allowed: exactly three labels named like negative, neutral, positive"
        )
    return [found[label] for label in LABELS]


def directory_version(path: Path) -> str:
    """A content hash of the config and weights, so a changed model directory gets a new version."""
    digest = hashlib.sha256()
    for name in _WEIGHT_FILES:
        file = path / name
        if file.is_file():
            with file.open("rb") as fh:
                while chunk := fh.read(1 << 22):
                    digest.update(chunk)
    return f"dir-{digest.hexdigest()[:10]}"


class HFClassifierBackend:
    """Softmax of a sequence classifier's logits, reordered to ``LABELS``, length-sorted batches."""

    def __init__(self, path: Path, max_tokens: int = 512) -> None:
        configure_threads()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)  # type: ignore[no-untyped-call]
            self.model = AutoModelForSequenceClassification.from_pretrained(path).eval()
        except (OSError, ValueError) as err:
            raise ModelError(f"cannot load a sequence-classification model from {path}: {err}") from err
        self.columns = label_columns(dict(self.model.config.id2label))
        self.max_tokens = min(max_tokens, int(getattr(self.tokenizer, "model_max_length", max_tokens)))

    def read(self, texts: Sequence[str], batch_size: int, progress: Progress | None) -> Reading:
        """Probabilities, and which texts did not fit the window (only their first ``max_tokens`` read).

        One tokenisation for all; only the texts over the window are tokenised again, with the
        tokenizer's own truncation (it knows where its special tokens go).
        """
        progress = progress or no_progress
        ids: list[list[int]] = self.tokenizer(list(texts), truncation=False)["input_ids"]
        truncated = [len(row) > self.max_tokens for row in ids]
        long = [i for i, cut in enumerate(truncated) if cut]
        if long:
            cut_ids = self.tokenizer([texts[i] for i in long], truncation=True, max_length=self.max_tokens)
            for i, row in zip(long, cut_ids["input_ids"], strict=True):
                ids[i] = row
        out = np.zeros((len(ids), len(LABELS)))
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        done = 0
        with torch.inference_mode():
            for batch in length_batches(order, ids, batch_size):
                inputs = self.tokenizer.pad({"input_ids": [ids[i] for i in batch]}, return_tensors="pt")
                logits = self.model(**inputs).logits.float()
                out[batch] = torch.softmax(logits, dim=-1)[:, self.columns].numpy()
                done += len(batch)
                progress(done, len(ids))
        return Reading(out, truncated)
