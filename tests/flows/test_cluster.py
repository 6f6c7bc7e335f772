"""Scoring on a Dask cluster (``cluster:`` in the config, :mod:`flows.cluster`).

The slow test runs ``sentiment run`` twice as real processes on the same export of 120 demo reviews: once
scoring in its own process, once on a local cluster of 2 worker processes (``prefect-dask``'s task runner;
each worker loads the real model and topic head). The stored mentions, scores, topic rows and alerts must
be the same. The fast tests check the config section's errors.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from pydantic import ValidationError

from sentiment.config import ClusterSettings
from sentiment.demo.site import load_sample_data

REPO = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, name: str, cluster: dict[str, Any] | None) -> Path:
    brand = load_sample_data().brands[0]
    export = tmp_path / "export.csv"
    if not export.exists():
        with export.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["id", "location", "review", "written"])
            reviews = [(loc.name, r) for loc in brand.locations for r in loc.reviews][:120]
            writer.writerows([r.id, loc, r.text, f"2026-11-{1 + r.day % 22:02d}"] for loc, r in reviews)
    data: dict[str, Any] = {
        "timezone": "Europe/Warsaw",
        "database": str(tmp_path / f"{name}.duckdb"),
        "brands": [{"name": brand.name, "locations": [{"name": loc.name} for loc in brand.locations]}],
        "sources": [
            {"name": "export", "kind": "file", "url": export.as_uri(), "brand": brand.name,
             "options": {"columns": {"id": "id", "text": "review", "date": "written", "location": "location"}}}
        ],
        "model": {"batch_size": 4},  # 32 texts a batch: several batches in flight on the workers
    }  # fmt: skip
    if cluster is not None:
        data["cluster"] = cluster
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _night(config: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(Path(os.environ.get("TMPDIR", "/tmp")) / f"prefect-cluster-{os.getpid()}")
    command = [sys.executable, "-m", "sentiment.cli", "run", "--config", str(config), "--as-of", "2026-11-23", "--json"]
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    found: dict[str, Any] = json.loads(
        next(line for line in reversed(done.stdout.splitlines()) if line.startswith("{"))
    )
    found["log"] = done.stderr
    return found


def _rows(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    with duckdb.connect(str(database), read_only=True) as con:
        queries = {
            "mentions": "SELECT id, location, text, published_date, duplicate_of FROM mentions ORDER BY id",
            "scores": "SELECT mention_id, label, round(score, 4), truncated FROM scores ORDER BY 1",
            "topics": "SELECT mention_id, topic, label, round(score, 4) FROM mention_topics ORDER BY 1, 2",
            "alerts": "SELECT id, rule, brand, location, topic FROM alerts ORDER BY 1",
        }
        return {name: con.execute(sql).fetchall() for name, sql in queries.items()}


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_night_scored_on_a_two_worker_local_cluster_stores_the_same_rows(tmp_path: Path) -> None:
    plain = _night(_config(tmp_path, "plain", None))
    on_cluster = _night(_config(tmp_path, "cluster", {"local_workers": 2}))

    assert "Creating a new Dask cluster with `distributed.deploy.local.LocalCluster`" in on_cluster["log"]
    assert "Dask cluster" not in plain["log"]
    counts = ("status", "new_mentions", "duplicates", "scored", "topics", "alerts")
    assert [on_cluster[c] for c in counts] == [plain[c] for c in counts]
    assert plain["new_mentions"] == 120 and plain["scored"] == 120 - plain["duplicates"] >= 119
    assert plain["topics"] >= plain["scored"]
    assert _rows(tmp_path / "cluster.duckdb") == _rows(tmp_path / "plain.duckdb")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "cluster needs exactly one of address (got None) and local_workers (got None)"),
        (
            {"address": "tcp://s:8786", "local_workers": 2},
            "cluster needs exactly one of address (got 'tcp://s:8786') and local_workers (got 2)",
        ),
        ({"local_workers": 0}, "Input should be greater than or equal to 1"),
    ],
)
def test_a_cluster_section_needs_one_cluster(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ClusterSettings.model_validate(settings)


def test_local_workers_share_the_cores_between_them() -> None:
    from flows.cluster import worker_threads

    assert worker_threads(ClusterSettings(local_workers=1)) == max(1, os.cpu_count() or 1)
    assert worker_threads(ClusterSettings(local_workers=64)) == 1
    assert worker_threads(ClusterSettings(local_workers=2, threads_per_worker=3)) == 3
    assert worker_threads(ClusterSettings(address="tcp://s:8786")) is None
