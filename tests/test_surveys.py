"""Survey import and the reality gap, on a real DuckDB file: rows read with the file source's mapping
style, bad rows skipped and counted, a second import adds nothing, and the view's figures by hand."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from sentiment.cli import main
from sentiment.config import parse_config
from sentiment.errors import ConfigError, ParseError
from sentiment.records import Score
from sentiment.store import Store
from sentiment.store.report_queries import largest_reality_gaps
from sentiment.surveys import import_surveys, parse_survey
from sentiment.text.prepare import prepare
from tests.helpers import mention, monitor

TZ = ZoneInfo("Europe/Warsaw")
EXPORT = """Antwort-ID;Filiale;Datum;NPS;Kommentar
a1;Kraków Rynek;03.11.2026;10;Alles super
a2;rynek glowny;04.11.2026;9;
a3;Kraków Rynek;05.11.2026;6;Zu langsam
a4;Berlin Mitte;05.11.2026;8;
a5;Kraków Rynek;06.11.2026;11;out of range
a6;Hamburg;06.11.2026;10;not a location
a7;Kraków Rynek;31.13.2026;9;bad date
"""


def _monitor(path: Path):  # type: ignore[no-untyped-def]
    base = monitor().model_dump(mode="json", exclude_defaults=True)
    base["database"] = str(path / "m.duckdb")
    base["surveys"] = [
        {
            "name": "nps-export",
            "brand": "Bella Caffè",
            "path": "survey.csv",
            "columns": {
                "id": "Antwort-ID",
                "location": "Filiale",
                "date": "Datum",
                "nps": "NPS",
                "verbatim": "Kommentar",
            },
            "date_formats": ["%d.%m.%Y"],
        }
    ]
    return parse_config(base, origin="(test)")


def test_an_export_is_read_with_its_mapping_and_bad_rows_are_counted(tmp_path: Path) -> None:
    config = _monitor(tmp_path)
    parsed = parse_survey(EXPORT, config.surveys[0], config.brand("Bella Caffè"), TZ)
    assert [(r.id, r.location, r.responded_on, r.nps, r.verbatim) for r in parsed.responses] == [
        ("nps-export:a1", "Bella Kraków", date(2026, 11, 3), 10, "Alles super"),
        ("nps-export:a2", "Bella Kraków", date(2026, 11, 4), 9, None),
        ("nps-export:a3", "Bella Kraków", date(2026, 11, 5), 6, "Zu langsam"),
        ("nps-export:a4", "Bella Berlin", date(2026, 11, 5), 8, None),
    ]
    assert parsed.skipped == {"bad_score": 1, "unknown_location": 1, "bad_date": 1}
    assert parsed.problems == [(6, "bad_score"), (7, "unknown_location"), (8, "bad_date")]
    with pytest.raises(ParseError, match=r"columns \['Filiale'\] are not in the CSV header"):
        parse_survey(EXPORT.replace("Filiale", "Store"), config.surveys[0], config.brand("Bella Caffè"), TZ)


def test_a_survey_needs_a_score_column_and_a_known_brand() -> None:
    base = monitor().model_dump(mode="json", exclude_defaults=True)
    survey = {"name": "s", "brand": "Bella Caffè", "path": "s.csv", "columns": {"location": "l", "date": "d"}}
    with pytest.raises(ConfigError, match="a survey needs a score column; allowed: nps"):
        parse_config({**base, "surveys": [survey]}, origin="(test)")
    unknown = {**survey, "brand": "Nobody", "columns": {"location": "l", "date": "d", "csat": "c"}}
    with pytest.raises(ConfigError, match="brand 'Nobody' is not configured"):
        parse_config({**base, "surveys": [unknown]}, origin="(test)")


def test_the_reality_gap_puts_the_glowing_survey_beside_the_souring_reviews(tmp_path: Path) -> None:
    config = _monitor(tmp_path)
    (tmp_path / "survey.csv").write_text(EXPORT, encoding="utf-8")
    reviews = prepare(
        [
            mention(
                "k1",
                "Cold coffee and a rude waiter, never again at Rynek",
                brand="Bella Caffè",
                location="Bella Kraków",
                day=4,
            ),
            mention(
                "k2",
                "Forty minutes for a croissant, the tables were dirty",
                brand="Bella Caffè",
                location="Bella Kraków",
                day=5,
            ),
            mention(
                "b1",
                "Lovely flat white and friendly staff in Mitte",
                brand="Bella Caffè",
                location="Bella Berlin",
                day=5,
            ),
        ],
        monitor=config,
        salt="s",
    ).mentions
    score = {"k1": -0.8, "k2": -0.6, "b1": 0.7}
    with Store(config.database_path()) as store:
        first = import_surveys(store, config, tmp_path)
        again = import_surveys(store, config, tmp_path)
        store.insert_mentions(reviews, run_id="r", tz=TZ)
        store.activate_model("m", "v")
        store.insert_scores(
            [Score(m.id, "m", "v", "x", 0.0, 0.0, 0.0, score[m.source_item_id]) for m in reviews], run_id="r"
        )
        largest = largest_reality_gaps(store, count=1)
        rows = store.con.execute(
            "SELECT location, month, responses, nps_responses, round(survey_score, 3), mentions, "
            "round(public_score, 3), round(gap, 3), gap_rank FROM reality_gap ORDER BY gap_rank"
        ).fetchall()
    assert first == {
        "nps-export": {"read": 4, "new": 4, "skipped": {"bad_score": 1, "unknown_location": 1, "bad_date": 1}}
    }
    assert again["nps-export"]["new"] == 0
    # Kraków: 2 promoters, 1 detractor of 3 -> NPS 33 (0.333) against a mean public score of -0.7.
    # Berlin: one passive (8) -> NPS 0 against +0.7.
    assert rows == [
        ("Bella Kraków", date(2026, 11, 1), 3, 3, 0.333, 2, -0.7, 1.033, 1),
        ("Bella Berlin", date(2026, 11, 1), 1, 1, 0.0, 1, 0.7, -0.7, 2),
    ]
    assert largest == [("Bella Caffè", "Bella Kraków", date(2026, 11, 1), pytest.approx(1 / 3), pytest.approx(-0.7))]


def test_the_command_imports_the_configs_surveys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _monitor(tmp_path)
    (tmp_path / "survey.csv").write_text(EXPORT, encoding="utf-8")
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump(config.model_dump(mode="json"), allow_unicode=True), encoding="utf-8")
    assert main(["surveys", "import", "--config", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["nps-export"]["new"] == 4
    with Store(config.database_path(), read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM survey_responses").fetchall() == [(4,)]
