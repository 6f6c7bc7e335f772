"""Shared fixtures: where the real data lives (``../shared/data`` beside the checkout)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SENTIMENT_SHARED_DIR", REPO.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real test, training and evaluation data; CI has ``../shared`` beside the clone."""
    path = SHARED / "data"
    if not path.is_dir():
        pytest.fail(f"shared data not found at {path}; set SENTIMENT_SHARED_DIR to the folder holding data/")
    return path


CAFE = REPO / "tests" / "fixtures" / "topics"


@pytest.fixture(scope="session")
def cafe_head(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A café's own three topics (wait_time, cleanliness, vegan_options) fitted on the real model with
    ``sentiment topics fit`` from 84 examples the team wrote in en/de/pl/es (about half a minute)."""
    from sentiment.cli import main

    out = tmp_path_factory.mktemp("cafe-head")
    taxonomy, examples = CAFE / "cafe_taxonomy.yaml", CAFE / "cafe_examples.jsonl"
    assert main(["topics", "fit", "--taxonomy", str(taxonomy), "--examples", str(examples), "--out", str(out)]) == 0
    return out
