"""Weight-space interpolation of two adapters (WiSE-FT): a model between the committed one and a new one.

    python -m sentiment.training.interpolate --base A.safetensors --tuned B.safetensors --alpha 0.3,0.5 --out DIR

Fine-tuning on new data can lose what the old model did well outside that data; averaging the weights
of the old and the new model is a cheap way to keep some of both (Wortsman et al. 2022, "Robust
fine-tuning of zero-shot models"). Both adapters are LoRA deltas on the same encoder, so the mix is
exact at any rank: ``(1 - alpha) * B1 A1 + alpha * B2 A2`` is the LoRA of rank r1 + r2 with ``A =
[A1; A2]`` and ``B = [(1 - alpha) B1, alpha B2]``; the pooler and classifier are averaged directly.

For each ``alpha`` it writes ``DIR/a<alpha>/embedded-sentiment/adapter.safetensors`` (calibrated for
the int8 path on the mixture's train texts, as ``finetune`` does) and ``check.json``: the int8 check
on the mixture's val groups. Point ``SENTIMENT_MODELS_DIR`` at ``DIR/a<alpha>`` to benchmark one.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from sentiment.model.classifier import CALIBRATION_PREFIX
from sentiment.training.data import default_data_dir
from sentiment.training.finetune import ADAPTER_FILE, MODEL_DIR_NAME, add_calibration, int8_check
from sentiment.training.mixture import MIXTURES, load_mixture


def interpolate(base: dict[str, torch.Tensor], tuned: dict[str, torch.Tensor], alpha: float) -> dict[str, torch.Tensor]:
    """The adapter ``(1 - alpha) * base + alpha * tuned`` in weight space (calibration left out)."""
    if set(base) != set(tuned):
        raise ValueError("the two adapters have different tensors; both must be LoRA adapters of this encoder")
    mixed = {}
    for name, value in tuned.items():
        if name.startswith(CALIBRATION_PREFIX):
            continue
        if name.endswith(".lora_A"):
            mixed[name] = torch.cat([base[name], value], dim=0)
        elif name.endswith(".lora_B"):
            mixed[name] = torch.cat([(1 - alpha) * base[name], alpha * value], dim=1)
        else:
            mixed[name] = (1 - alpha) * base[name] + alpha * value
    return {name: value.contiguous() for name, value in mixed.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sentiment.training.interpolate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--base", type=Path, required=True, help="the adapter at alpha 0 (the committed one)")
    parser.add_argument("--tuned", type=Path, required=True, help="the adapter at alpha 1 (the new one)")
    parser.add_argument("--alpha", required=True, help="comma-separated weights of the new adapter, each in [0, 1]")
    parser.add_argument("--mixture", choices=MIXTURES, default="reading", help="the val groups to check on")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    alphas = [float(a) for a in args.alpha.split(",")]
    if any(not 0 <= a <= 1 for a in alphas):
        parser.error(f"--alpha: each weight must be in [0, 1], got {args.alpha}")
    base, tuned = load_file(str(args.base)), load_file(str(args.tuned))
    with safe_open(str(args.tuned), framework="pt") as fh:
        metadata = dict(fh.metadata() or {})
    mixture = load_mixture(args.mixture, default_data_dir())
    for alpha in alphas:
        folder = args.out / f"a{alpha}" / MODEL_DIR_NAME
        folder.mkdir(parents=True, exist_ok=True)
        staging = folder / f".{ADAPTER_FILE}.tmp"
        save_file(interpolate(base, tuned, alpha), str(staging), metadata=metadata)
        add_calibration(staging, folder / ADAPTER_FILE, mixture, None)
        staging.unlink()
        check = {"alpha": alpha, **int8_check(folder / ADAPTER_FILE, mixture, None)}
        (folder / "check.json").write_text(json.dumps(check, indent=2) + "\n", encoding="utf-8")
        print(json.dumps({"alpha": alpha, "val_mean_macro_f1_int8": check["val_mean_macro_f1_int8"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
