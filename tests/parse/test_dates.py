"""Timestamps from pages and feeds, to aware UTC."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from sentiment.parse.dates import from_struct_time, parse_datetime


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2011-04-01", datetime(2011, 4, 1, tzinfo=UTC)),
        ("2024-07-08T02:40:14Z", datetime(2024, 7, 8, 2, 40, 14, tzinfo=UTC)),
        ("2016-06-03T07:38:00.000-07:00", datetime(2016, 6, 3, 14, 38, tzinfo=UTC)),
        ("2026-03-01T10:00:00", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("Wed, 03 Jan 2018 13:47:00 GMT", datetime(2018, 1, 3, 13, 47, tzinfo=UTC)),
        ("Seg, 24 Set 2018 19:42:40 -0300", datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)),
        ("mar., 24 sept. 2018 10:00:00 +0200", datetime(2018, 9, 24, 8, tzinfo=UTC)),
        ("Mar, 02 Oct 2018 10:00:00 GMT", datetime(2018, 10, 2, 10, tzinfo=UTC)),
        ("Di, 24 Okt 2018 10:00:00 +0200", datetime(2018, 10, 24, 8, tzinfo=UTC)),
        ("24 de septiembre de 2018 10:00", datetime(2018, 9, 24, 10, tzinfo=UTC)),
        (datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=1))), datetime(2026, 1, 1, 11, tzinfo=UTC)),
        ("3 days ago", None),
        ("", None),
        (None, None),
        (20260101, None),
    ],
)
def test_parse_datetime(value: object, expected: datetime | None) -> None:
    assert parse_datetime(value) == expected


def test_from_struct_time() -> None:
    assert from_struct_time(time.gmtime(0)) == datetime(1970, 1, 1, tzinfo=UTC)
    assert from_struct_time(None) is None
