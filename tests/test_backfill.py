"""Reading history files in chunks (:mod:`sentiment.backfill`): boundaries, resuming, encodings, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment.backfill import chunks, file_source, history_files
from sentiment.config import MonitorConfig
from sentiment.errors import ConfigError, SourceError

ROWS = [
    ("Kraków Rynek", "Kawa świetna, obsługa miła.", "2026-10-01"),
    ("Kraków Rynek", "Great!", "2026-10-01"),
    ("Kraków Rynek", "Great!", "2026-10-01"),  # the same words on the same day: a second review, kept
    ("Berlin", "", "2026-10-02"),  # empty: skipped
    ("Berlin", "Zu laut, zu teuer.", "yesterday-ish"),  # bad date: skipped
    ("Berlin", "Café crème parfait, très bon accueil.", "2026-10-03"),
    ("Kraków Rynek", "Czekaliśmy godzinę.", "2026-10-04"),
    ("Berlin", "Sehr gutes Frühstück.", "2026-10-05"),
]


def _monitor(path: Path) -> MonitorConfig:
    return MonitorConfig.model_validate(
        {
            "database": str(path.parent / "m.duckdb"),
            "brands": [{"name": "Bella", "locations": [{"name": "Kraków Rynek"}, {"name": "Berlin"}]}],
            "sources": [
                {
                    "name": "export",
                    "kind": "file",
                    "url": "file:///unused.csv",
                    "brand": "Bella",
                    "options": {
                        "path": str(path),
                        "columns": {"location": "where", "text": "review", "date": "day"},
                    },
                },
                {"name": "feed", "kind": "rss", "url": "https://example.org/feed.xml", "brand": "Bella"},
            ],
        }
    )


def _write(path: Path) -> None:
    lines = ["where;review;day"] + [";".join(row) for row in ROWS]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())


def test_chunks_cut_readable_rows_and_a_resumed_read_gives_the_same_ids(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    _write(path)
    source = file_source(_monitor(path), "export")
    (history,) = history_files(source, [])
    assert (history.encoding, history.format) == ("utf-8", "csv")

    whole = list(chunks(source, history, 2))
    assert [(c.number, c.start, c.end, len(c.mentions), c.last) for c in whole] == [
        (0, 0, 2, 2, False),
        (1, 2, 4, 2, False),
        (2, 4, 6, 2, True),
    ]
    assert whole[-1].skipped == {"empty_text": 1, "bad_date": 1}
    ids = [m.id for c in whole for m in c.mentions]
    assert len(set(ids)) == 6  # the two identical reviews get two ids
    assert [m.location for m in whole[0].mentions] == ["Kraków Rynek", "Kraków Rynek"]

    resumed = list(chunks(source, history, 2, start=2))
    assert [(c.start, c.end) for c in resumed] == [(2, 4), (4, 6)]
    assert [m.id for c in resumed for m in c.mentions] == ids[2:]
    assert resumed[-1].skipped == whole[-1].skipped

    done = list(chunks(source, history, 2, start=6))
    assert [(c.start, c.end, len(c.mentions), c.last) for c in done] == [(6, 6, 0, True)]


def test_a_windows_1252_export_is_read_as_such(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes("where;review;day\r\nBerlin;Café crème, très bon.;2026-10-03\r\n".encode("cp1252"))
    source = file_source(_monitor(path), "export")
    (history,) = history_files(source, [str(path)])
    assert history.encoding == "cp1252"
    (chunk,) = chunks(source, history, 10)
    assert [m.text for m in chunk.mentions] == ["Café crème, très bon."]


def test_a_bom_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + b"where;review;day\nBerlin;Gut.;2026-10-03\n")
    source = file_source(_monitor(path), "export")
    (history,) = history_files(source, [])
    assert history.encoding == "utf-8-sig"
    assert [m.location for c in chunks(source, history, 10) for m in c.mentions] == ["Berlin"]


def test_bad_backfill_input_is_named(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    _write(path)
    monitor = _monitor(path)
    with pytest.raises(
        ConfigError, match=r"backfill source 'feed' is a 'rss' source; allowed: the file sources \['export'\]"
    ):
        file_source(monitor, "feed")
    with pytest.raises(ConfigError, match=r"backfill source 'nope' is not a configured source"):
        file_source(monitor, "nope")
    source = file_source(monitor, "export")
    with pytest.raises(SourceError, match=r"backfill file '.*missing.csv' cannot be read: No such file or directory"):
        history_files(source, [str(tmp_path / "missing.csv")])
    (history,) = history_files(source, [])
    with pytest.raises(ConfigError, match=r"chunk size 0 is not allowed; allowed: 1 or more rows"):
        next(chunks(source, history, 0))
