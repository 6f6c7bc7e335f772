"""Weight-space interpolation of two adapters (WiSE-FT): a model between the committed one and a new one.

    python -m sentiment.training.interpolate --base A.safetensors --tuned B.safetensors --alpha 0.3,0.5 --out DIR

Fine-tuning on new data can lose what the old model did well outside that data; averaging the weights
of the old and the new model is a cheap way to keep some of both (Wortsman et al. 2022, "Robust
fine-tuning of zero-shot models"). Both adapters are LoRA deltas on the same encoder, so the mix is
exact at any rank: ``(1 - alpha) * B1 A1 + alpha * B2 A2`` is the LoRA of rank r1 + r2 with ``A =
[A1; A2]`` and ``B = [(1 - alpha) B1, alpha B2]``; the pooler and classifier are averaged directly.

For each ``alpha`` it writes ``DIR/a<alpha>/embedded-sentiment/adapter.safetensors`` (calibrated for
the int8 path on the mixture's train texts, as ``finetune`` does) and ``check.json``: the int8 check
on the mixture's val groups, with a ``training.json`` that lets ``load_model()`` score it in int8 as the
product would. Point ``SENTIMENT_MODELS_DIR`` at ``DIR/a<alpha>`` to benchmark one, and keep its
``bench/reading.py --json`` output as ``DIR/a<alpha>/reading.json``.

Then ``--install OUT --sweep DIR`` chooses the weight from those files and installs that mix as the
model (adapter, calibration, int8 check and ``training.json``, as ``finetune`` installs a run)::

    python -m sentiment.training.interpolate --base A.safetensors --tuned B.safetensors --sweep DIR --install models/embedded-sentiment

The rule (:func:`choose_alpha`): the best val mean among the weights whose untrained-language probe
reads at most :data:`MAX_PROBE_FLIPS` texts the wrong way round. Val alone always asks for more of the
new adapter; the probe (team-written texts in languages no set contains, never a test split) is what
says how much of the old one's transfer to keep.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from sentiment.model import adapter_version
from sentiment.model.classifier import CALIBRATION_PREFIX
from sentiment.training.data import default_data_dir
from sentiment.training.finetune import ADAPTER_FILE, MODEL_DIR_NAME, add_calibration, install, int8_check
from sentiment.training.mixture import MIXTURES, Mixture, load_mixture

#: The most untrained-language probe texts a mix may read the wrong way round (see the module docstring).
MAX_PROBE_FLIPS = 1


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


def sweep_figures(sweep: Path) -> dict[float, dict[str, Any]]:
    """Per weight found under ``sweep``: int8 val mean (``a<alpha>/embedded-sentiment/check.json``), probe
    flips and right (``a<alpha>/reading.json``); a weight without both files is an error naming the missing file."""
    figures: dict[float, dict[str, Any]] = {}
    for folder in sorted(sweep.glob("a*")):
        check_path, reading_path = folder / MODEL_DIR_NAME / "check.json", folder / "reading.json"
        for path in (check_path, reading_path):
            if not path.is_file():
                raise SystemExit(f"{path} is missing: run the sweep and bench/reading.py --json for {folder.name}")
        check = json.loads(check_path.read_text(encoding="utf-8"))
        probe = json.loads(reading_path.read_text(encoding="utf-8"))["probe"]
        figures[float(check["alpha"])] = {
            "val_mean_macro_f1_int8": check["val_mean_macro_f1_int8"],
            "probe_right": probe["right"],
            "probe_flips": probe["flips"],
            "probe_flipped": [f["id"] for f in probe["flipped"]],
        }
    if not figures:
        raise SystemExit(f"{sweep} holds no a<alpha> folders: run the sweep first (--alpha ... --out {sweep})")
    return dict(sorted(figures.items()))


def choose_alpha(figures: dict[float, dict[str, Any]], max_flips: int = MAX_PROBE_FLIPS) -> float:
    """The weight with the best val mean among those whose probe flips at most ``max_flips`` texts."""
    allowed = {a: f for a, f in figures.items() if f["probe_flips"] <= max_flips}
    if not allowed:
        flips = ", ".join(f"{a:g}: {f['probe_flips']}" for a, f in figures.items())
        raise SystemExit(f"no weight reads at most {max_flips} probe texts the wrong way round ({flips})")
    return max(allowed, key=lambda a: (allowed[a]["val_mean_macro_f1_int8"], -a))


def _report(adapter: Path) -> dict[str, Any]:
    """The ``training.json`` beside an adapter (its run's report); empty where there is none."""
    path = adapter.parent / "training.json"
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return report


def _run_record(adapter: Path) -> dict[str, Any]:
    training = _report(adapter)
    return {
        "file": str(adapter),
        "version": training["version"],
        "trained_with": training["trained_with"],
        "config": training["method"]["config"]["name"],
        "val_mean_macro_f1": training["val"]["mean_macro_f1"],
    }


def install_mix(
    base_path: Path, tuned_path: Path, sweep: Path, out: Path, mixture: Mixture, argv: Sequence[str]
) -> dict[str, Any]:
    """Choose the weight from ``sweep``, build that mix and install it in ``out`` with its training.json."""
    started = time.perf_counter()
    figures = sweep_figures(sweep)
    alpha = choose_alpha(figures)
    tuned_report = _report(tuned_path)
    base, tuned = load_file(str(base_path)), load_file(str(tuned_path))
    mix: dict[str, Any] = {
        "method": "WiSE-FT: weight-space mix (1 - alpha) * base + alpha * tuned (Wortsman et al. 2022)",
        "alpha": alpha,
        "rule": f"best int8 val mean among the weights whose probe reads at most {MAX_PROBE_FLIPS} text(s) "
        "the wrong way round",
        "base": _run_record(base_path),
        "tuned": _run_record(tuned_path),
        "sweep": {f"{a:g}": f for a, f in figures.items()},
    }
    with safe_open(str(tuned_path), framework="pt") as fh:
        metadata = dict(fh.metadata() or {})
    metadata["wise_ft"] = json.dumps({"alpha": alpha, "base": mix["base"]["version"], "tuned": mix["tuned"]["version"]})
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".{ADAPTER_FILE}.tmp"
    mixed = interpolate(base, tuned, alpha)
    save_file(mixed, str(staging), metadata=metadata)
    rank = next(v.shape[0] for k, v in mixed.items() if k.endswith(".lora_A"))
    report = {
        **tuned_report,
        "config": {**tuned_report["method"]["config"], "name": f"wise-ft-a{alpha:g}", "rank": rank},
        "trainable_parameters": tuned_report["method"]["trainable_parameters"],
        "best_epoch": tuned_report["best_epoch"],
        "val": {
            "val_macro_f1": tuned_report["val"]["macro_f1"],
            "val_mean_macro_f1": tuned_report["val"]["mean_macro_f1"],
        },
        "seconds": tuned_report["timing_s"]["training"],
        "command": "python -m sentiment.training.interpolate " + " ".join(argv),
        "trained_on": f"{tuned_report['trained_on']} (the tuned run); the mix itself takes minutes",
    }
    install(staging, report, out, mixture, None, started)
    training_path = out / "training.json"
    training: dict[str, Any] = json.loads(training_path.read_text(encoding="utf-8"))
    check = training["int8_check"]
    training["val"] = {
        "macro_f1": check["val_macro_f1_int8"],
        "mean_macro_f1": check["val_mean_macro_f1_int8"],
        "precision": "int8 (the mix has no training epochs of its own)",
    }
    training["mix"] = mix
    training_path.write_text(json.dumps(training, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return training


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sentiment.training.interpolate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--base", type=Path, required=True, help="the adapter at alpha 0 (the committed one)")
    parser.add_argument("--tuned", type=Path, required=True, help="the adapter at alpha 1 (the new one)")
    parser.add_argument("--alpha", default=None, help="comma-separated weights of the new adapter, each in [0, 1]")
    parser.add_argument("--mixture", choices=MIXTURES, default="reading", help="the val groups to check on")
    parser.add_argument("--hold-out", default=None, metavar="LANG", help="a sweep of a --hold-out run: leave LANG out")
    parser.add_argument("--out", type=Path, default=None, help="sweep: where the a<alpha> folders go")
    parser.add_argument(
        "--sweep", type=Path, default=None, help="install: the sweep's folder (check.json, reading.json)"
    )
    parser.add_argument("--install", type=Path, default=None, help="install the chosen mix in this model folder")
    args = parser.parse_args(argv)
    if args.install is not None:
        if args.sweep is None:
            parser.error("--install needs --sweep DIR, the folder of the sweep the weight is chosen from")
        mixture = load_mixture(args.mixture, default_data_dir())
        training = install_mix(
            args.base, args.tuned, args.sweep, args.install, mixture, sys.argv[1:] if argv is None else argv
        )
        print(json.dumps({"alpha": training["mix"]["alpha"], "version": training["version"]}))
        return 0
    if args.alpha is None or args.out is None:
        parser.error("a sweep needs --alpha and --out (or give --sweep and --install)")
    alphas = [float(a) for a in args.alpha.split(",")]
    if any(not 0 <= a <= 1 for a in alphas):
        parser.error(f"--alpha: each weight must be in [0, 1], got {args.alpha}")
    base, tuned = load_file(str(args.base)), load_file(str(args.tuned))
    with safe_open(str(args.tuned), framework="pt") as fh:
        metadata = dict(fh.metadata() or {})
    mixture = load_mixture(args.mixture, default_data_dir(), hold_out=args.hold_out)
    argv = sys.argv[1:] if argv is None else argv
    tuned_command = _report(args.tuned).get("trained_with", str(args.tuned))
    for alpha in alphas:
        folder = args.out / f"a{alpha}" / MODEL_DIR_NAME
        folder.mkdir(parents=True, exist_ok=True)
        staging = folder / f".{ADAPTER_FILE}.tmp"
        save_file(interpolate(base, tuned, alpha), str(staging), metadata=metadata)
        add_calibration(staging, folder / ADAPTER_FILE, mixture, None)
        staging.unlink()
        check = {"alpha": alpha, **int8_check(folder / ADAPTER_FILE, mixture, None)}
        (folder / "check.json").write_text(json.dumps(check, indent=2) + "\n", encoding="utf-8")
        # What load_model() reads to score a verified adapter in int8, so the candidate is benchmarked
        # on the product's own path (a float32 benchmark reads some texts differently).
        marker = {
            "version": adapter_version(folder / ADAPTER_FILE),
            "command": f"{tuned_command} mixed by python -m sentiment.training.interpolate {' '.join(argv)}",
            "method": {"config": {"name": f"wise-ft-a{alpha:g}"}},
            "val": {"mean_macro_f1": check["val_mean_macro_f1_int8"]},
            "int8_check": check,
        }
        (folder / "training.json").write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        print(json.dumps({"alpha": alpha, "val_mean_macro_f1_int8": check["val_mean_macro_f1_int8"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
