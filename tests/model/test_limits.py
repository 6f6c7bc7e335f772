"""The work one text can cause is bounded: a 1 MB review is stored cut and scored from its first tokens."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sentiment import pipeline
from sentiment.config import ModelSettings
from sentiment.model import SentimentModel, load_model
from sentiment.records import Mention, SourceOutcome
from sentiment.store import Store
from tests.helpers import monitor

COMPLAINT = "Die Bedienung war unfreundlich und der Kaffee war kalt, wir kommen nicht wieder. "


@pytest.mark.slow
def test_the_model_reads_at_most_max_tokens_of_a_text(embedded_model: SentimentModel) -> None:
    capped = load_model(ModelSettings(max_tokens=64))
    praise = "Wunderbarer Kaffee und ein sehr freundliches Team, wir lieben dieses Café! "
    text = COMPLAINT * 6 + praise * 40  # the complaint alone is over 64 tokens
    whole, first = embedded_model.predict(text), capped.predict(text)
    short = capped.predict("Der Kaffee war kalt.")
    assert not short.truncated and not whole.truncated and first.truncated
    # All of it reads as the praise it mostly is; its first 64 tokens are all complaint.
    assert (whole.label, first.label) == ("positive", "negative")


@pytest.mark.slow
def test_a_1_mb_review_is_cut_stored_and_scored_within_bounds(tmp_path: Path, embedded_model: SentimentModel) -> None:
    settings = monitor()
    huge = Mention(source="reviews", source_item_id="1", text=COMPLAINT * 13_000, brand="Bella Caffè",
                   published_at=datetime(2026, 11, 20, tzinfo=UTC))  # fmt: skip
    assert len(huge.text.encode()) > 1_000_000
    stats = pipeline.RunStats(run_id="r1", as_of=date(2026, 11, 23))
    with Store(tmp_path / "m.duckdb") as store:
        store.start_run("r1", as_of=stats.as_of, config_sha256="x")
        pipeline.store_outcome(store, SourceOutcome(source="reviews", status="ok", mentions=[huge]), settings, stats)
        started = time.perf_counter()
        assert pipeline.score_pending(store, embedded_model, stats) == 1
        seconds = time.perf_counter() - started
        stored = store.con.execute(
            "SELECT length(m.text), m.truncated, s.truncated, s.label FROM mentions m JOIN scores s ON s.mention_id = m.id"
        ).fetchone()
    assert stored is not None
    length, text_cut, tokens_cut, label = stored
    assert length <= settings.text.max_chars == 20_000
    assert (text_cut, tokens_cut, label) == (True, True, "negative")
    assert stats.skipped["text_truncated"] == 1
    # Unbounded, this text cost 64 s and 1.1 GB; capped at 4,096 tokens it is a few windows of 510.
    assert seconds < 20, seconds
