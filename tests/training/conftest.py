"""The training tests use the model tests' fixtures: the real weight file, tokenizer and model."""

from __future__ import annotations

from tests.model.conftest import embedded_model, header, tokenizer

__all__ = ["embedded_model", "header", "tokenizer"]
