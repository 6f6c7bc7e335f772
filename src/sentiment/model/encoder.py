"""Sentence embeddings from the rebuilt e5 encoder: length-sorted batches, mean pooling, L2 norm.

Shared by prediction and training so the head is always trained on exactly the features it sees in
production. Speed matters on 2-core machines: texts are sorted by token length so a batch pads little,
everything runs under ``torch.inference_mode()``, and bf16 autocast is optional (about 2.7x faster on
CPUs with AVX-512 BF16; training decides on validation data whether it keeps the accuracy).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from tokenizers import Tokenizer
from transformers import AutoModel, PreTrainedModel

from sentiment.errors import ModelError
from sentiment.model.progress import Progress, no_progress

Pooling = Literal["mean", "mean+cls"]
MAX_TOKENS = 512
#: Upper bound on padded tokens per forward pass, so a batch of long reviews stays within memory.
MAX_BATCH_TOKENS = 16384


def configure_threads() -> int:
    """Use every core this process may run on, unless the user pinned OMP_NUM_THREADS."""
    if "OMP_NUM_THREADS" not in os.environ:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        torch.set_num_threads(max(1, cores or 1))
    return torch.get_num_threads()


@lru_cache(maxsize=1)
def bf16_is_faster() -> bool:
    """Whether bf16 matrix multiplies beat float32 on this CPU by a clear margin (1.3x).

    On one 2-core machine bf16 autocast made the encoder 2.7x faster (shared/notes/offline-model.md);
    on another (a Xeon exposing AVX-512 BF16 but no AMX) bf16 ran at half the float32 speed.
    A 30 ms probe, once per process, is more reliable than reading CPU flags.
    """
    a = torch.randn(512, 384)
    w = torch.randn(1536, 384)

    def best_time(dtype: torch.dtype) -> float:
        x, y = a.to(dtype), w.to(dtype)
        torch.nn.functional.linear(x, y)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            torch.nn.functional.linear(x, y)
            times.append(time.perf_counter() - start)
        return min(times)

    with torch.inference_mode():
        return best_time(torch.float32) > 1.3 * best_time(torch.bfloat16)


class E5Encoder:
    """Embed texts with multilingual-e5-small loaded from a Hugging Face model directory."""

    def __init__(self, model_dir: Path, *, bf16: bool = False, max_tokens: int = MAX_TOKENS) -> None:
        configure_threads()
        try:
            self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
            self.model: PreTrainedModel = AutoModel.from_pretrained(model_dir).eval()
        except (OSError, ValueError) as err:
            raise ModelError(f"cannot load the encoder from {model_dir}: {err}") from err
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()
        self.pad_id = self.tokenizer.token_to_id("<pad>")
        self.bf16 = bf16
        self.dim = int(self.model.config.hidden_size)

    def token_ids(self, texts: Sequence[str], prefix: str = "") -> list[list[int]]:
        """Token ids per text (with ``<s>``/``</s>``, truncated to the model's 512 positions)."""
        return [enc.ids for enc in self.tokenizer.encode_batch([prefix + t for t in texts])]

    def embed(
        self,
        texts: Sequence[str],
        *,
        prefix: str = "",
        pooling: Pooling = "mean",
        batch_size: int = 32,
        progress: Progress | None = None,
    ) -> np.ndarray:
        """Return float32 features, one row per text in input order.

        ``mean``: the L2-normalised mean of the last hidden states (e5's sentence embedding);
        ``mean+cls``: that, followed by the L2-normalised ``<s>`` state.
        """
        progress = progress or no_progress
        ids = self.token_ids(texts, prefix)
        width = self.dim * (2 if pooling == "mean+cls" else 1)
        out = np.zeros((len(ids), width), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        done = 0
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            for batch in length_batches(order, ids, batch_size):
                out[batch] = self._forward([ids[i] for i in batch], pooling)
                done += len(batch)
                progress(done, len(ids))
        return out

    def _forward(self, batch_ids: list[list[int]], pooling: Pooling) -> np.ndarray:
        length = max(len(x) for x in batch_ids)
        input_ids = torch.full((len(batch_ids), length), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch_ids), length), dtype=torch.long)
        for row, seq in enumerate(batch_ids):
            input_ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
            mask[row, : len(seq)] = 1
        hidden = self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state.float()
        weights = mask.unsqueeze(-1).float()
        mean = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        features = [torch.nn.functional.normalize(mean, dim=-1)]
        if pooling == "mean+cls":
            features.append(torch.nn.functional.normalize(hidden[:, 0], dim=-1))
        return torch.cat(features, dim=-1).numpy()


def length_batches(order: list[int], ids: list[list[int]], batch_size: int) -> list[list[int]]:
    """Consecutive runs of the length-sorted indices, at most ``batch_size`` texts and
    ``MAX_BATCH_TOKENS`` padded tokens each."""
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        longest = len(ids[index])  # sorted ascending, so the newest is the longest
        if current and (len(current) >= batch_size or (len(current) + 1) * longest > MAX_BATCH_TOKENS):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches
