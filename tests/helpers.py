"""Small builders for test data (configs and mentions); real components everywhere else."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sentiment.config import MonitorConfig, parse_config
from sentiment.records import Mention


def monitor(**overrides: Any) -> MonitorConfig:
    data: dict[str, Any] = {
        "timezone": "Europe/Warsaw",
        "brands": [
            {
                "name": "Bella Caffè",
                "aliases": ["Bella", "Bella Caffe"],
                "locations": [
                    {"name": "Bella Kraków", "aliases": ["Kraków Rynek", "Rynek Główny"]},
                    {"name": "Bella Berlin", "aliases": ["Berlin Mitte"]},
                ],
            },
            {"name": "Nordbrew", "competitor": True, "locations": [{"name": "Nordbrew Oslo", "aliases": ["Oslo"]}]},
        ],
    }
    data.update(overrides)
    return parse_config(data)


def mention(item: str, text: str, *, source: str = "src", day: int = 1, **kw: Any) -> Mention:
    return Mention(
        source=source, source_item_id=item, text=text, published_at=datetime(2026, 11, day, 12, tzinfo=UTC), **kw
    )
