"""A model change: the rescore flow scores stored mentions with the new version; old scores stay."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import torch
import yaml
from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

from sentiment import pipeline
from sentiment.config import ModelSettings
from sentiment.model import load_model
from sentiment.store import Store
from sentiment.text.prepare import prepare
from tests.helpers import mention, monitor
from tests.model.test_hf_classifier import _tiny_tokenizer

TEXTS = [
    "Wonderful coffee and the friendliest staff in town, thank you!",
    "Cold coffee, dirty tables and we waited forty minutes for a croissant.",
    "Decent flat white, a little pricey for what it is honestly.",
]


def _tiny(path: Path, seed: int) -> Path:
    torch.manual_seed(seed)
    tokenizer = _tiny_tokenizer()
    config = BertConfig(
        vocab_size=tokenizer.get_vocab_size(), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, id2label={0: "negative", 1: "neutral", 2: "positive"},
        label2id={"negative": 0, "neutral": 1, "positive": 2},
    )  # fmt: skip
    BertForSequenceClassification(config).save_pretrained(path)
    PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
        cls_token="<s>", sep_token="</s>", mask_token="<mask>", model_max_length=512,
    ).save_pretrained(path)  # fmt: skip
    return path


@pytest.mark.slow
def test_rescore_switches_the_active_model_and_keeps_history(tmp_path: Path, prefect_harness: None) -> None:
    from flows.rescore import rescore

    old, new = _tiny(tmp_path / "old", 1), _tiny(tmp_path / "new", 2)
    db = tmp_path / "m.duckdb"
    mentions = prepare(
        [mention(f"r{i}", t, day=2, brand="Bella Caffè") for i, t in enumerate(TEXTS)], monitor=monitor(), salt="s"
    ).mentions
    old_model = load_model(ModelSettings(name=str(old)))
    with Store(db) as store:
        store.insert_mentions(mentions, run_id="r1", tz=ZoneInfo("UTC"))
        stats = pipeline.RunStats(run_id="r1", as_of=mentions[0].published_at.date())  # type: ignore[union-attr]
        assert pipeline.score_pending(store, old_model, stats) == 3
    config = tmp_path / "monitor.yaml"
    config.write_text(
        yaml.safe_dump({"database": str(db), "brands": [{"name": "Bella Caffè"}], "model": {"name": str(new)}})
    )
    result = rescore(config_path=str(config))
    new_model = load_model(ModelSettings(name=str(new)))
    with Store(db) as store:
        topics = store.con.execute(
            "SELECT m.source_item_id, t.topic, t.model_version FROM active_topics t "
            "JOIN mentions m ON m.id = t.mention_id ORDER BY ALL"
        ).fetchall()
    # Topic heads sit on the embedded model's encoder: a Hugging Face model scores, topics are skipped
    # with the reason recorded (the nightly flow with the embedded model reads both in one pass).
    assert topics == []
    assert result["topics_error"] == (
        f"ModelError: {new_model.model_id} cannot read topics: topic heads sit on the embedded model's encoder; "
        "score with model name 'embedded' or set topics.enabled: false"
    )
    assert {k: v for k, v in result.items() if k != "topics_error"} == {
        "scored": 3,
        "topics": 0,
        "active": [new_model.model_id, new_model.version],
        "previous": [old_model.model_id, old_model.version],
    }
    assert old_model.version != new_model.version
    expected = sum(p.score for p in new_model.predict(TEXTS)) / 3
    with Store(db) as store:
        assert store.con.execute("SELECT count(*), count(DISTINCT model_version) FROM scores").fetchone() == (6, 2)
        mean = store.con.execute("SELECT mean_score FROM daily_sentiment").fetchone()[0]  # type: ignore[index]
        assert mean == pytest.approx(expected, abs=1e-5)
        store.activate_model(old_model.model_id, old_model.version)  # rollback is one switch
        assert store.con.execute("SELECT count(*) FROM active_scores").fetchone() == (3,)
    assert rescore(config_path=str(config))["scored"] == 0  # idempotent
