"""The near-duplicate benchmark is a quality gate: every near link it samples on the airline tweets has
been judged by hand, and at least 95% of them are copies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import near_dups as bench


def test_every_sampled_near_link_is_judged_and_nearly_all_are_copies(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench.main([]) == 0
    results = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert results["tweets"] == 14640
    assert results["unjudged"] == 0 and results["judged"] == results["sample"] >= 30
    assert results["precision"] >= 0.95
    assert results["near_links"] > results["exact_links"]
