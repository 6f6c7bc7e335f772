"""Scoring on a local Dask cluster against scoring in the run's own process (issue 14, section 3).

Run from the repository root::

    .venv/bin/python bench/cluster.py [--n 2000] [--workers 1,2] [--write]

Builds one CSV export of N mentions of real texts from ``../shared/data`` (``bench/night_web.py``'s text
pool: one to three texts of one language and label each, 12 languages) and runs the same night on it,
``sentiment run --json`` as a child process on a fresh database, once scoring in the run's process and
once per worker count on a ``LocalCluster`` (``cluster: {local_workers: W}``; each worker gets this
machine's cores divided among the workers as torch threads). Printed per setting: the scoring stage's
seconds (the run summary's ``timings.scoring``: from the first batch handed out to the last one back,
cluster start and the workers' model loading included), texts per second of that stage, the whole
command's wall seconds, and the speed-up of the scoring stage over the run's own process. Every setting
must store the same scores (checked: the count, and the labels in order).

The last line is JSON; ``--write`` stores it as ``bench/cluster.json``. Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import night_web

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "cluster.json"
DATA = REPO.parent / "shared" / "data"


def export(folder: Path, n: int, seed: int = 13) -> Path:
    """N mentions of real texts as one CSV (id, text, date: one day, so that nothing is held back)."""
    texts = night_web._Texts(night_web.text_pool(DATA), random.Random(seed))
    path = folder / "mentions.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "text", "date"])
        for i in range(n):
            writer.writerow([f"m{i}", texts.draw()[2], "2026-11-29"])
    return path


def night(folder: Path, name: str, path: Path, cluster: dict[str, Any] | None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "database": str(folder / f"{name}.duckdb"),
        "brands": [{"name": "Bench"}],
        "sources": [{"name": "export", "kind": "file", "url": path.as_uri(), "brand": "Bench",
                     "options": {"columns": {"id": "id", "text": "text", "date": "date"}}}],
    }  # fmt: skip
    if cluster is not None:
        config["cluster"] = cluster
    file = folder / f"{name}.yaml"
    file.write_text(yaml.safe_dump(config), encoding="utf-8")
    command = [str(REPO / ".venv" / "bin" / "sentiment"), "run", "--config", str(file), "--as-of", "2026-11-30",
               "--json"]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=folder)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed ({done.returncode}): {done.stderr[-3000:]}")
    summary = json.loads(next(line for line in reversed(done.stdout.splitlines()) if line.startswith("{")))
    with duckdb.connect(str(folder / f"{name}.duckdb"), read_only=True) as con:
        labels = [row[0] for row in con.execute("SELECT label FROM scores ORDER BY mention_id").fetchall()]
    scoring = summary["timings"]["scoring"]
    return {"scored": summary["scored"], "scoring_s": round(scoring, 1),
            "texts_per_s": round(summary["scored"] / scoring, 1), "wall_s": round(wall, 1), "labels": labels}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = export(folder, args.n)
        settings: list[tuple[str, dict[str, Any] | None]] = [("in-process", None)]
        settings += [(f"{w} local workers", {"local_workers": int(w)}) for w in args.workers.split(",")]
        for name, cluster in settings:
            results[name] = night(folder, name.replace(" ", "-"), path, cluster)
            print(f"{name:>17}: scoring {results[name]['scoring_s']:6.1f} s, {results[name]['texts_per_s']:6.1f} "
                  f"texts/s, night {results[name]['wall_s']:6.1f} s", flush=True)  # fmt: skip
    labels = {name: result.pop("labels") for name, result in results.items()}
    for name, result in results.items():
        if labels[name] != labels["in-process"]:
            raise RuntimeError(f"{name} stored other scores than the run's own process")
        result["speed_up"] = round(results["in-process"]["scoring_s"] / result["scoring_s"], 2)
    out = {"n": args.n, "cores": os.cpu_count(), "settings": results}
    if args.write:
        OUT.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
