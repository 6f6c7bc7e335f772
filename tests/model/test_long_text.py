"""Long texts: split at sentence ends into parts that fit the window, combined by token weight."""

from __future__ import annotations

import numpy as np
import pytest
from tokenizers import Tokenizer

from sentiment.model.long_text import Parts, plan_parts, split_sentences

SENTENCE = "The waiter was friendly and the soup arrived hot, which we appreciated after a long day."


@pytest.fixture(scope="module")
def tok(tokenizer: Tokenizer) -> Tokenizer:
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def test_sentences_end_at_marks_followed_by_space_or_at_line_breaks() -> None:
    text = "Great coffee! Slow service... Price 4.50 EUR.\nWould come back?Yes. 東京は良い。次も"
    assert split_sentences(text) == [
        "Great coffee!",
        "Slow service...",
        "Price 4.50 EUR.",
        "Would come back?Yes.",
        "東京は良い。",
        "次も",
    ]


def test_a_text_that_fits_is_one_part_with_its_own_ids(tok: Tokenizer) -> None:
    parts = plan_parts(tok, ["Good.", SENTENCE])
    assert parts.owner == [0, 1]
    assert parts.ids[1] == tok.encode(SENTENCE).ids
    assert parts.weight == [len(parts.ids[0]) - 2, len(parts.ids[1]) - 2]


def test_a_long_text_is_cut_at_sentences_into_parts_that_fit_and_lose_nothing(tok: Tokenizer) -> None:
    text = " ".join([SENTENCE] * 60)  # about 1,300 tokens
    full = tok.encode(text).ids
    parts = plan_parts(tok, ["short one", text], max_tokens=512)
    mine = [ids for ids, owner in zip(parts.ids, parts.owner, strict=True) if owner == 1]
    assert len(mine) == 3 and all(len(ids) <= 512 for ids in mine)
    assert all(ids[0] == full[0] and ids[-1] == full[-1] for ids in mine)  # each part is <s> ... </s>
    assert [i for ids in mine for i in ids[1:-1]] == full[1:-1]  # every token scored exactly once
    sentence_tokens = len(tok.encode(SENTENCE, add_special_tokens=False).ids)
    assert all((len(ids) - 2) % sentence_tokens == 0 for ids in mine)  # cuts fall between sentences
    assert parts.weight[1:] == [len(ids) - 2 for ids in mine]


def test_a_sentence_longer_than_the_window_is_cut_into_windows(tok: Tokenizer) -> None:
    text = "word " * 1200
    parts = plan_parts(tok, [text], max_tokens=512)
    assert [len(ids) for ids in parts.ids] == [512, 512, 2 + 1200 - 2 * 510]


def test_max_text_tokens_keeps_only_a_texts_first_tokens_and_says_so(tok: Tokenizer) -> None:
    sentence_tokens = len(tok.encode(SENTENCE, add_special_tokens=False).ids)
    long_text = " ".join([SENTENCE] * 60)  # over the 512 window
    short_text = " ".join([SENTENCE] * 3)  # fits the window, but not a budget of 30 tokens
    parts = plan_parts(tok, ["Good.", short_text, long_text], max_tokens=512, max_text_tokens=30)
    assert parts.truncated == [False, True, True]
    assert parts.owner == [0, 1, 2]
    assert [len(ids) - 2 for ids in parts.ids] == [len(parts.ids[0]) - 2, 30, 30]
    assert parts.ids[1] == parts.ids[2]  # both start with the same sentences
    assert sentence_tokens < 30  # the cut falls inside the second sentence
    uncapped = plan_parts(tok, [short_text, long_text], max_tokens=512)
    assert uncapped.truncated == [False, False]
    assert sum(w for w, o in zip(uncapped.weight, uncapped.owner, strict=True) if o == 1) == 60 * sentence_tokens


def test_parts_combine_into_the_token_weighted_mean() -> None:
    parts = Parts(ids=[[0], [0], [0]], owner=[0, 0, 1], weight=[300, 100, 5])
    probabilities = np.array([[0.8, 0.1, 0.1], [0.0, 0.2, 0.8], [0.2, 0.3, 0.5]])
    combined = parts.combine(probabilities, 2)
    assert combined[0] == pytest.approx([0.6, 0.125, 0.275])
    assert combined[1] == pytest.approx([0.2, 0.3, 0.5])
