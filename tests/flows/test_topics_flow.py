"""Topics in the nightly flow: the real flow under Prefect, the real models, DuckDB, reviews from an export.

Night 1 names a taxonomy file that does not exist: the topic head cannot be loaded, which is logged
and counted, and the night keeps its scores. Night 2 (config fixed: a café's own fitted head) assigns
topics to every scored original; night 3 adds nothing. A night that starts with topics configured reads
them in the scoring pass itself.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

AS_OF = "2026-11-23"
WAITING = "We waited over an hour to be served, outrageous."
#: (id, location, text) of the exported reviews, all written on 2026-11-20.
REVIEWS = [
    ("r1", "Kraków Rynek", "Great coffee, but the 40 minute wait was ridiculous."),
    ("r2", "Kraków Rynek", WAITING),
    ("r3", "Kraków Rynek", "Czekaliśmy ponad godzinę na obsługę, skandal."),  # Polish: the same complaint
    ("r4", "Kraków Rynek", "They finally have oat milk and vegan croissants, love it!"),
    ("r5", "Berlin Kreuzberg", "Die Toiletten waren total verdreckt und es stank."),
    ("r6", "Berlin Kreuzberg", "Hoffenheim gewinnt das Derby mit 3-1 gegen Hannover."),  # off topic
    ("r7", "Kraków Rynek", WAITING),  # an exact re-post of r2: one of the two is linked to the other
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
    tmp_path: Path, caplog: pytest.LogCaptureFixture, prefect_harness: None, cafe_head: Path
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
    assert "the topic head could not be loaded; scores are kept and the next run retries" in caplog.text
    assert _query(database, "SELECT count(*) FROM scores") == [(6,)]
    assert _query(database, "SELECT count(*) FROM mention_topics") == [(0,)]

    # Night 2: the config fixed, naming the café's own fitted head; nothing new to fetch or score.
    config = _write_config(tmp_path, {"model": str(cafe_head)})
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
    assert list(found["r1"]) == ["wait_time"] and found["r1"]["wait_time"][0] == "negative"
    assert list(found[waiting]) == ["wait_time"] and found[waiting]["wait_time"][0] == "negative"
    assert list(found["r3"]) == ["wait_time"] and found["r3"]["wait_time"][0] == "negative"  # Polish
    assert list(found["r4"]) == ["vegan_options"] and found["r4"]["vegan_options"][0] == "positive"
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


@pytest.mark.slow
def test_a_night_with_topics_reads_them_in_the_scoring_pass(
    tmp_path: Path, prefect_harness: None, cafe_head: Path
) -> None:
    from flows.nightly import nightly

    summary = nightly(config_path=str(_write_config(tmp_path, {"model": str(cafe_head)})), as_of=AS_OF)
    assert (summary["status"], summary["scored"], summary["skipped"], summary["topics_error"]) == ("ok", 6, {}, None)
    database = tmp_path / "monitor.duckdb"
    # Every scored original has its topics, stored by the scoring batch (same run, same model version).
    assert _query(database, "SELECT count(DISTINCT mention_id) FROM mention_topics") == [(6,)]
    assert _query(database, "SELECT topics FROM runs") == [(summary["topics"],)]
    assert _query(
        database,
        "SELECT count(*) FROM mention_topics t JOIN scores s ON s.mention_id = t.mention_id "
        "AND s.model_version = t.model_version AND s.run_id = t.run_id",
    ) == [(summary["topics"],)]
