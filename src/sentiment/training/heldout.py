"""How the model reads a language it was never trained on, against the frozen encoder with a logistic head.

Fine-tuning can teach the encoder the languages and domains it sees while it forgets what it knew of
the others. The product is read in languages outside every training set, so the test is: train once
with one language of the reading benchmark left out (``finetune --mixture reading --hold-out LANG``),
then read that language's test splits with

- that fine-tuned model, through the product's own path (``load_model()``, int8 where verified);
- the frozen encoder with a logistic head fitted on the very same training texts (every group but the
  held-out language), its pooling (mean, or mean and the first token) and ``C`` chosen on the same
  validation groups by the same rule as the fine-tuning (mean over groups of macro-F1 over the classes
  each group has) -- the method of the 1.0 model, on the 2.0 data;
- the adopted model (``models/embedded-sentiment``), which did see the language, for scale.

Run from the repository root (about 10 minutes on 2 cores)::

    .venv/bin/python -m sentiment.training.heldout --hold-out id --run DIR/embedded-sentiment [--write]

``--run`` is the ``--out`` folder of the ``--hold-out`` training run. ``--write`` stores the figures in
``models/embedded-sentiment/heldout.json``, which the model card shows.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from sentiment.model import SentimentModel, default_model_dir, load_model
from sentiment.model.embedded import ensure_encoder
from sentiment.model.encoder import E5Encoder, length_batches, pad_batch
from sentiment.records import LABELS, Prediction
from sentiment.training.finetune import MODEL_DIR_NAME
from sentiment.training.metrics import macro_f1_gold_classes
from sentiment.training.mixture import Mixture, reading_mixture
from sentiment.training.reading import SETS, Example, ReadingSet, shared_data_dir
from sentiment.training.reading import figures as set_figures

#: Inverse regularisation strengths tried for the logistic head (sklearn's ``C``), on val.
CS = (0.3, 1.0, 3.0, 10.0, 30.0)
POOLINGS = ("mean", "mean+cls")
RESULT_FILE = "heldout.json"


def frozen_features(encoder: E5Encoder, texts: Sequence[str], batch_size: int = 32) -> dict[str, np.ndarray]:
    """Per pooling, one feature row per text: the L2-normalised mean of the last hidden states, and
    that mean followed by the first token's state (the 1.0 model's choice)."""
    ids = encoder.token_ids(texts)
    mean = np.zeros((len(ids), encoder.dim), dtype=np.float32)
    cls = np.zeros((len(ids), encoder.dim), dtype=np.float32)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    with torch.inference_mode():
        for batch in length_batches(order, ids, batch_size):
            input_ids, mask = pad_batch([ids[i] for i in batch], encoder.pad_id)
            hidden = encoder.model(input_ids=input_ids, attention_mask=mask).last_hidden_state.float()
            weights = mask.unsqueeze(-1).float()
            pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
            mean[batch] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
            cls[batch] = hidden[:, 0].numpy()
    return {"mean": mean, "mean+cls": np.concatenate([mean, cls], axis=1)}


def fit_logistic_path(
    features: np.ndarray, labels: np.ndarray, cs: Sequence[float], *, max_iter: int = 2000
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Multinomial logistic regression by L-BFGS for each ``C`` (sklearn's convention: minimise mean
    cross-entropy + |W|^2 / (2 C n)), from the strongest regularisation up, each warm-started from the
    previous solution; deterministic. Returns ``(weight, bias)`` per ``C`` in the order given."""
    from scipy.optimize import minimize  # training only; scipy is a core dependency anyway

    x = features.astype(np.float64)
    n, d = x.shape
    k = len(LABELS)
    onehot = np.eye(k)[labels]

    def loss_and_grad(params: np.ndarray, penalty: float) -> tuple[float, np.ndarray]:
        w, b = params[: k * d].reshape(k, d), params[k * d :]
        logits = x @ w.T + b
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        loss = -(onehot * log_p).sum() / n + 0.5 * penalty * float((w * w).sum())
        g = (np.exp(log_p) - onehot) / n
        return loss, np.concatenate([(g.T @ x + penalty * w).ravel(), g.sum(axis=0)])

    solutions: dict[float, tuple[np.ndarray, np.ndarray]] = {}
    params = np.zeros(k * d + k)
    for c in sorted(set(cs)):
        result = minimize(
            loss_and_grad, params, args=(1.0 / (c * n),), jac=True, method="L-BFGS-B", options={"maxiter": max_iter}
        )
        params = result.x
        solutions[c] = (params[: k * d].reshape(k, d).copy(), params[k * d :].copy())
    return [solutions[c] for c in cs]


def probabilities(features: np.ndarray, head: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Row-wise softmax of ``features @ W.T + b``."""
    logits = features.astype(np.float64) @ head[0].T + head[1]
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: np.ndarray = shifted / shifted.sum(axis=1, keepdims=True)
    return result


def group_mean(mixture: Mixture, predicted: np.ndarray) -> float:
    """Val selection rule of the fine-tuning: mean over groups of macro-F1 over each group's classes."""
    scores, start = [], 0
    for group in mixture.groups:
        gold = group.labels["val"]
        scores.append(macro_f1_gold_classes(gold, predicted[start : start + len(gold)].tolist()))
        start += len(gold)
    return 100 * sum(scores) / len(scores)


def as_prediction(row: np.ndarray) -> Prediction:
    """The product's reading of one text from its class probabilities (``LABELS`` order)."""
    label = LABELS[int(row.argmax())]
    named: dict[str, float] = {name: float(p) for name, p in zip(LABELS, row, strict=True)}
    return Prediction(label, named, named["positive"] - named["negative"])


def figures(entry: ReadingSet, group: Sequence[Example], predictions: Sequence[Prediction]) -> dict[str, Any]:
    """The benchmark's figures for one set and language, with the set's metric named."""
    return {**set_figures(entry, group, predictions), "metric": entry.metric}


def held_out_tests(language: str, data: Path) -> list[tuple[ReadingSet, list[Example]]]:
    """Every test split of the reading benchmark in ``language``, per set."""
    found = []
    for entry in SETS:
        test = [e for e in entry.load(data)["test"] if e.language == language]
        if test:
            found.append((entry, test))
    return found


def fit_frozen(
    encoder: E5Encoder, mixture: Mixture, log: Any
) -> tuple[str, float, tuple[np.ndarray, np.ndarray], float]:
    """The frozen-encoder baseline: (pooling, C, head, val score) chosen on val."""
    train_labels = np.array([label for g in mixture.groups for label in g.labels["train"]])
    log(f"frozen features for {len(train_labels)} train and {len(mixture.texts('val'))} val texts")
    train = frozen_features(encoder, mixture.texts("train"))
    val = frozen_features(encoder, mixture.texts("val"))
    best: tuple[float, str, float, tuple[np.ndarray, np.ndarray]] | None = None
    for pooling in POOLINGS:
        for c, head in zip(CS, fit_logistic_path(train[pooling], train_labels, CS), strict=True):
            score = group_mean(mixture, probabilities(val[pooling], head).argmax(axis=1))
            log(f"  {pooling:<9} C={c:<5} val {score:.2f}")
            if best is None or score > best[0]:
                best = (score, pooling, c, head)
    assert best is not None
    return best[1], best[2], best[3], round(best[0], 2)


def read_with(model: SentimentModel, tests: list[tuple[ReadingSet, list[Example]]]) -> dict[str, Any]:
    return {entry.name: figures(entry, group, model.predict([e.text for e in group])) for entry, group in tests}


def run(language: str, run_dir: Path, log: Any = print) -> dict[str, Any]:
    """The comparison for one held-out language (see the module docstring)."""
    started = time.perf_counter()
    data = shared_data_dir()
    mixture = reading_mixture(data, hold_out=language)
    tests = held_out_tests(language, data)
    encoder = E5Encoder(ensure_encoder())
    pooling, c, head, val_score = fit_frozen(encoder, mixture, log)
    frozen: dict[str, Any] = {}
    for entry, group in tests:
        features = frozen_features(encoder, [e.text for e in group])[pooling]
        frozen[entry.name] = figures(entry, group, [as_prediction(row) for row in probabilities(features, head)])
    adopted = load_model()
    adopted_scores = read_with(adopted, tests)
    previous = os.environ.get("SENTIMENT_MODELS_DIR")
    os.environ["SENTIMENT_MODELS_DIR"] = str(run_dir.parent)
    try:
        without = load_model()
    finally:
        if previous is None:
            del os.environ["SENTIMENT_MODELS_DIR"]
        else:
            os.environ["SENTIMENT_MODELS_DIR"] = previous
    training = json.loads((run_dir / "training.json").read_text(encoding="utf-8"))
    return {
        "language": language,
        "mixture": mixture.name,
        "train_texts": len(mixture.texts("train")),
        "frozen_logistic": {"pooling": pooling, "C": c, "val_mean_macro_f1": val_score, "test": frozen},
        "fine_tuned_without": {
            "version": without.version,
            "command": training.get("command"),
            "config": training.get("method", {}).get("config", {}).get("name"),
            "val_mean_macro_f1": training.get("val", {}).get("mean_macro_f1"),
            "test": read_with(without, tests),
        },
        "adopted": {"version": adopted.version, "test": adopted_scores},
        "seconds": round(time.perf_counter() - started, 1),
        "command": "python -m sentiment.training.heldout " + " ".join(sys.argv[1:]),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sentiment.training.heldout", description=__doc__.split("\n")[0])
    parser.add_argument("--hold-out", required=True, metavar="LANG", help="the language left out of training")
    parser.add_argument("--run", type=Path, required=True, help="the --out folder of the --hold-out training run")
    parser.add_argument("--write", action="store_true", help=f"store models/embedded-sentiment/{RESULT_FILE}")
    args = parser.parse_args(argv)
    if args.run.name != MODEL_DIR_NAME:
        parser.error(f"--run must be a folder named {MODEL_DIR_NAME} (the loader looks for it), not {args.run.name!r}")
    result = run(args.hold_out, args.run)
    for name in result["adopted"]["test"]:
        row = {key: result[key]["test"][name]["value"] for key in ("frozen_logistic", "fine_tuned_without", "adopted")}
        print(f"{name} ({args.hold_out}, {result['adopted']['test'][name]['metric']}): {row}")
    if args.write:
        path = default_model_dir() / "embedded-sentiment" / RESULT_FILE
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
