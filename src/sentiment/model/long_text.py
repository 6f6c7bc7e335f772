"""Texts longer than the model's window: split by sentence, score the parts, combine the probabilities.

e5 reads at most 512 positions (510 tokens between ``<s>`` and ``</s>``). Truncating a long review
would silently score its beginning only, and complaints often come at the end. So a text that does
not fit is cut at sentence ends into consecutive sentences packed greedily into parts of at most 510
tokens (a single sentence longer than that is cut into 510-token windows), every part is scored like
a text of its own, and the text's probabilities are the mean of its parts' probabilities weighted by
their token counts: each token of the text weighs the same, whichever part it landed in.

Sentence ends are ``.!?…`` followed by space, the CJK ``。！？`` (no space needed), and line breaks. Packing only
needs plausible boundaries, so this splitter is deliberately simple.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from tokenizers import Tokenizer

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])\s*|\n+")


@dataclass(frozen=True)
class Parts:
    """The token ids to score and, per part, which text it belongs to and its weight (token count);
    ``truncated`` says, per text, whether only its first ``max_text_tokens`` tokens are in the parts."""

    ids: list[list[int]]
    owner: list[int]
    weight: list[int]
    truncated: list[bool] = field(default_factory=list)

    def combine(self, probabilities: np.ndarray, n_texts: int) -> np.ndarray:
        """Per text, the token-weighted mean of its parts' probability rows."""
        weights = np.asarray(self.weight, dtype=np.float64)[:, None]
        totals = np.zeros((n_texts, probabilities.shape[1]))
        np.add.at(totals, np.asarray(self.owner, dtype=np.int64), probabilities * weights)
        norm = np.zeros(n_texts)
        np.add.at(norm, np.asarray(self.owner, dtype=np.int64), weights[:, 0])
        result: np.ndarray = totals / norm[:, None]
        return result


def split_sentences(text: str) -> list[str]:
    """Sentences in order, stripped, empty ones dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def plan_parts(
    tokenizer: Tokenizer, texts: Sequence[str], max_tokens: int = 512, max_text_tokens: int | None = None
) -> Parts:
    """Token ids of every text that fits, and sentence-packed parts of every text that does not.

    ``tokenizer`` must add ``<s>``/``</s>`` itself and must not truncate (the caller disables it).
    ``max_text_tokens`` bounds the work one text can cause: only its first that many tokens are read
    (a 1 MB paste would otherwise cost a minute and a gigabyte), and :attr:`Parts.truncated` says which
    texts were cut.
    """
    bos, eos = tokenizer.token_to_id("<s>"), tokenizer.token_to_id("</s>")
    room = max_tokens - 2
    ids: list[list[int]] = []
    owner: list[int] = []
    weight: list[int] = []
    truncated: list[bool] = []
    for index, encoding in enumerate(tokenizer.encode_batch(list(texts))):
        cut = max_text_tokens is not None and len(encoding.ids) - 2 > max_text_tokens
        truncated.append(cut)
        if len(encoding.ids) <= max_tokens and not cut:
            ids.append(encoding.ids)
            owner.append(index)
            weight.append(max(1, len(encoding.ids) - 2))
            continue
        budget = max_text_tokens
        for chunk in _pack(tokenizer, texts[index], room):
            if budget is not None:
                chunk = chunk[:budget]
                if not chunk:
                    break
                budget -= len(chunk)
            ids.append([bos, *chunk, eos])
            owner.append(index)
            weight.append(len(chunk))
    return Parts(ids, owner, weight, truncated)


def _pack(tokenizer: Tokenizer, text: str, room: int) -> list[list[int]]:
    """Consecutive sentences' ids packed greedily into chunks of at most ``room`` tokens."""
    sentences = split_sentences(text) or [text]
    pieces: list[list[int]] = []
    for encoding in tokenizer.encode_batch(sentences, add_special_tokens=False):
        sentence = encoding.ids
        pieces += [sentence[start : start + room] for start in range(0, len(sentence), room)]
    chunks: list[list[int]] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + len(piece) <= room:
            chunks[-1] = chunks[-1] + piece
        else:
            chunks.append(list(piece))
    return chunks or [[]]
