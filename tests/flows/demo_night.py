"""The demo's monitor config pointed at a test's own folder, for the flow tests that run a night on the
sample web (with a source whose page is missing, so that a failure is counted too)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from sentiment.demo.run import write_demo_survey

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)


def demo_config(tmp_path: Path) -> Path:
    data = yaml.safe_load((REPO / "examples" / "demo.yaml").read_text(encoding="utf-8"))
    data["database"] = str(tmp_path / "monitor.duckdb")
    data["export"] = str(tmp_path / "export")
    data["surveys"][0]["path"] = str(tmp_path / "survey.csv")
    write_demo_survey(tmp_path / "survey.csv", TODAY)
    data["http"] = {"backoff_s": 0.05, "max_retries": 1, "timeout_s": 10, "allow_private_addresses": True}
    data["sources"].append(
        {"name": "broken-page", "kind": "review_page", "url": "${SENTIMENT_DEMO_BASE_URL}/bella/nowhere/reviews",
         "brand": "Bella Caffè"}
    )  # fmt: skip
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path
