"""Topics in the nightly flow: the real flow under Prefect, the real models, DuckDB, reviews from an export.

Night 1 names a taxonomy file that does not exist: topic assignment fails, is logged and counted, and
the night keeps its scores. Night 2 (config fixed, one topic added) assigns topics to every scored
original; night 3 adds nothing.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from tests.model.test_topics import MIXED, WAITING

AS_OF = "2026-11-23"
VEGAN = {
    "id": "vegan_options",
    "name": "Vegan options",
    "description": "Plant-based and vegan choices: oat or soy milk, vegan pastries and dairy-free food.",
    "examples": {
        "en": ["Finally oat milk at no extra charge.", "No vegan cakes at all, again."],
        "de": ["Keine vegane Alternative zur Kuhmilch."],
        "pl": ["Brak mleka roślinnego."],
    },
}
#: (id, location, text) of the exported reviews, all written on 2026-11-20.
REVIEWS = [
    ("r1", "Kraków Rynek", MIXED["en"]),  # "Great coffee, but the 40 minute wait was ridiculous."
    ("r2", "Kraków Rynek", WAITING["en"]),  # "We waited over an hour to be served, outrageous."
    ("r3", "Kraków Rynek", WAITING["pl"]),  # "Czekaliśmy ponad godzinę na obsługę, skandal."
    ("r4", "Kraków Rynek", "They finally have oat milk and vegan croissants, love it!"),
    ("r5", "Berlin Kreuzberg", "Die Toiletten waren schmutzig und es roch unangenehm."),
    ("r6", "Berlin Kreuzberg", "Hoffenheim führt hochverdient mit 2-0 gegen Hannover."),  # off topic
    ("r7", "Kraków Rynek", WAITING["en"]),  # an exact re-post of r2: one of the two is linked to the other
]


def _write_config(tmp_path: Path, topics: dict[str, Any]) -> Path:
    export = tmp_path / "reviews.jsonl"
    export.write_text(
        "".join(
            json.dumps({"id": rid, "location": loc, "text": text, "date": "2026-11-20T12:00:00Z"}, ensure_ascii=False)
            + "\n"
            for rid, loc, text in REVIEWS
        ),
        encoding="utf-8",
    )
    config = {
        "timezone": "Europe/Warsaw",
        "database": str(tmp_path / "monitor.duckdb"),
        "brands": [{"name": "Bella Caffè", "locations": [{"name": "Kraków Rynek"}, {"name": "Berlin Kreuzberg"}]}],
        "sources": [
            {
                "name": "reviews-export",
                "kind": "file",
                "url": export.as_uri(),
                "brand": "Bella Caffè",
                "options": {"columns": {"id": "id", "text": "text", "date": "date", "location": "location"}},
            }
        ],
        "topics": topics,
    }
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def _query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.slow
def test_nightly_assigns_topics_once_and_a_topic_failure_keeps_the_scores(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, prefect_harness: None
) -> None:
    from flows.nightly import nightly

    logging.getLogger().addHandler(caplog.handler)  # Prefect replaced the root handlers; read its logs too
    caplog.set_level(logging.INFO)
    database = tmp_path / "monitor.duckdb"

    # Night 1: the taxonomy file is missing. Logged and counted; the scores are stored all the same.
    first = nightly(config_path=str(_write_config(tmp_path, {"taxonomy": "missing.yaml"})), as_of=AS_OF)
    assert (first["status"], first["new_mentions"], first["duplicates"], first["scored"]) == ("ok", 7, 1, 6)
    assert first["topics"] == 0 and first["skipped"] == {"topics_failed": 1}
    assert first["topics_error"].startswith("ConfigError: cannot read the topic taxonomy ")
    assert str(tmp_path / "missing.yaml") in first["topics_error"]
    assert "topic assignment failed; scores are kept and the next run retries" in caplog.text
    assert _query(database, "SELECT count(*) FROM scores") == [(6,)]
    assert _query(database, "SELECT count(*) FROM mention_topics") == [(0,)]

    # Night 2: the config fixed and extended with a topic of its own; nothing new to fetch or score.
    config = _write_config(tmp_path, {"extend": [VEGAN]})
    second = nightly(config_path=str(config), as_of=AS_OF)
    assert (second["status"], second["new_mentions"], second["scored"], second["skipped"]) == ("ok", 0, 0, {})
    assert second["topics_error"] is None
    rows = _query(
        database,
        "SELECT m.source_item_id, t.topic, t.label, t.score, t.confidence, t.model_version, t.topic_set "
        "FROM mention_topics t JOIN mentions m ON m.id = t.mention_id ORDER BY 1, t.confidence DESC",
    )
    assert second["topics"] == len(rows)
    found: dict[str, dict[str, tuple[str, float]]] = {}
    for rid, topic, label, score, confidence, _, _ in rows:
        assert 0.0 <= confidence <= 1.0
        found.setdefault(rid, {})[topic] = (label, score)
    # Every original gets topics, the linked copy of the re-posted review none.
    (waiting,) = {"r2", "r7"} & set(found)
    assert sorted(found) == sorted(["r1", waiting, "r3", "r4", "r5", "r6"])
    assert set(found["r1"]) == {"product_quality", "wait_time"}
    assert found["r1"]["product_quality"][0] == "positive" and found["r1"]["product_quality"][1] > 0.4
    assert found["r1"]["wait_time"][0] == "negative" and found["r1"]["wait_time"][1] < -0.4
    assert next(iter(found[waiting])) == "wait_time" and found[waiting]["wait_time"][0] == "negative"
    assert list(found["r3"]) == ["wait_time"] and found["r3"]["wait_time"][0] == "negative"  # Polish
    assert found["r4"]["vegan_options"][0] == "positive"  # the config's own topic
    assert list(found["r5"]) == ["cleanliness"] and found["r5"]["cleanliness"][0] == "negative"
    assert list(found["r6"]) == ["other"]
    # One model version and one topic set: the active model's, recorded with the run that added them.
    assert len({(r[5], r[6]) for r in rows}) == 1
    assert _query(database, "SELECT topics FROM runs ORDER BY started_at") == [(0,), (second["topics"],)]

    # The analyst view: aspect sentiment per day, location and topic, in the published read copy too.
    view = (
        "SELECT day::VARCHAR, location, topic, mentions, share_negative FROM daily_topic_sentiment "
        "WHERE topic IN ('wait_time', 'cleanliness', 'vegan_options') ORDER BY location, topic"
    )
    expected = [
        ("2026-11-20", "Berlin Kreuzberg", "cleanliness", 1, 1.0),
        ("2026-11-20", "Kraków Rynek", "vegan_options", 1, 0.0),
        ("2026-11-20", "Kraków Rynek", "wait_time", 3, 1.0),
    ]
    assert _query(database, view) == expected
    assert _query(tmp_path / "monitor.read.duckdb", view) == expected

    # Night 3: the same config again adds no topic rows.
    third = nightly(config_path=str(config), as_of=AS_OF)
    assert (third["topics"], third["scored"], third["skipped"]) == (0, 0, {})
    assert _query(database, "SELECT count(*) FROM mention_topics") == [(len(rows),)]
