"""A large night, measured: the real nightly flow over N new mentions served on localhost (issue 14).

Run from the repository root (N = 100,000 takes the better part of an hour on 2 cores)::

    .venv/bin/python bench/night.py [--sizes 10000,30000,100000] [--brands 50] [--locations 2000]
                                    [--days 60] [--write [--out bench/night.json]] [--keep DIR]

For each N, ``bench/night_web.py`` builds a web of N mentions of real texts from ``../shared/data``
(review pages, RSS feeds, a Mastodon stand-in and CSV exports; 50 brands, 2,000 locations, about 60
days, Zipf-skewed volume) and serves it from a child process. The night is ``sentiment run --config C
--as-of DAY --json`` in another child process, as an operator runs it (a temporary Prefect API
included), on a fresh database; then the same night again, which finds nothing new. Printed per N:

- wall seconds of the whole command, and per stage from the run summary's ``timings`` (fetch: waiting
  for sources, which fetch and parse concurrently while others are stored; text: the text stage; store:
  DuckDB writes; scoring: sentiment, topics and aspects in one pass; alerts; publish: the read copy;
  aggregates: the summary's queries; report: the HTML page; the rest, Prefect and start-up, is the
  wall time less the stages);
- texts scored per second of the whole night, peak resident memory of the night's process (its
  ``ru_maxrss``, from ``wait4``) and the process's own peak when each stage ended (the summary's
  ``peak_rss_mb``: the first stage at the night's peak is where memory went up), the DuckDB file's size;
- the second night's wall seconds and its stages.

``--keep DIR`` leaves each size's web (``web.pickle``, served again by ``bench/night_web.py WEB PORTFILE``),
``monitor.yaml`` and ``monitor.duckdb`` in ``DIR/N``, to profile a night on them.

The last line is JSON: ``{"sizes": {N: {...}}, "growth": {...}}``, where ``growth`` is each stage's
time per mention at the largest N over that at the smallest (1.0: linear; above: worse than linear).
``--write`` stores it as ``bench/night.json``. Run it on an idle machine: the 2 cores are the product's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import night_web

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "night.json"
AS_OF = "2026-11-30"
STAGES = ("fetch", "text", "store", "model", "scoring", "topics", "alerts", "notify", "publish", "aggregates",
          "report")  # fmt: skip


def _night(config: Path) -> tuple[float, int, dict[str, Any]]:
    """(wall seconds, peak RSS in MB, run summary) of one ``sentiment run``."""
    command = [str(REPO / ".venv" / "bin" / "sentiment"), "run", "--config", str(config), "--as-of", AS_OF, "--json"]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=config.parent)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"the night failed ({process.returncode}): {stderr[-3000:]}")
    summary = json.loads(stdout.strip().splitlines()[-1])
    return wall, int(usage.ru_maxrss // 1024), summary


def _stages(summary: dict[str, Any], wall: float) -> dict[str, float]:
    """Wall seconds per stage of one night's summary; ``other`` is what no stage timed (start-up, Prefect)."""
    timings = summary["timings"]
    stages = {stage: round(timings.get(stage, 0.0), 1) for stage in STAGES}
    stages["other"] = round(wall - sum(timings.values()), 1)
    return stages


def measure(n: int, brands: int, locations: int, days: int, keep: Path | None = None) -> dict[str, Any]:
    """One size's figures; with ``keep``, the web, config and store are left in that folder to rerun."""
    web = night_web.build(n, brands=brands, locations=locations, days=days)
    with tempfile.TemporaryDirectory(prefix="night-") as tmp:
        folder = Path(tmp) if keep is None else keep / str(n)
        folder.mkdir(parents=True, exist_ok=True)
        night_web.write(web, folder / "web.pickle")
        port_file = folder / "port"
        server = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve().parent / "night_web.py"), str(folder / "web.pickle"),
             str(port_file)]
        )  # fmt: skip
        try:
            for _ in range(600):
                if port_file.exists() and port_file.read_text():
                    break
                time.sleep(0.1)
            base_url = f"http://127.0.0.1:{port_file.read_text()}"
            config = folder / "monitor.yaml"
            config.write_text(yaml.safe_dump(night_web.config(web, base_url, folder), allow_unicode=True))
            wall, rss, summary = _night(config)
            again, _, second = _night(config)
        finally:
            server.terminate()
            server.wait()
        size = (folder / "monitor.duckdb").stat().st_size
    return {
        "mentions": night_web.mentions_by_kind(web), "sources": summary["sources_ok"] + summary["sources_failed"],
        "sources_failed": summary["sources_failed"], "fetched": summary["fetched"],
        "new_mentions": summary["new_mentions"], "duplicates": summary["duplicates"], "scored": summary["scored"],
        "alerts": summary["alerts"], "wall_s": round(wall, 1), "stages_s": _stages(summary, wall),
        "texts_per_s": round(summary["scored"] / wall, 1), "peak_rss_mb": rss,
        "peak_rss_mb_by_stage": summary["peak_rss_mb"], "duckdb_mb": round(size / 2**20, 1),
        "second_night_s": round(again, 1), "second_night_new": second["new_mentions"],
        "second_night_stages_s": _stages(second, again),
    }  # fmt: skip


def growth(results: dict[int, dict[str, Any]]) -> dict[str, float]:
    """Per stage (and the wall time): time per mention at the largest N over that at the smallest."""
    small, large = min(results), max(results)
    out = {}
    for stage in (*STAGES, "other", "wall"):
        a = results[small]["wall_s"] if stage == "wall" else results[small]["stages_s"][stage]
        b = results[large]["wall_s"] if stage == "wall" else results[large]["stages_s"][stage]
        if a > 0.5:
            out[stage] = round((b / large) / (a / small), 2)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--brands", type=int, default=50)
    parser.add_argument("--locations", type=int, default=2000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--write", action="store_true", help=f"store the JSON as {OUT.relative_to(REPO)}")
    parser.add_argument("--out", type=Path, default=OUT, help="where --write stores it")
    parser.add_argument("--keep", type=Path, help="leave each size's web, config and store in KEEP/N")
    args = parser.parse_args(argv)
    results: dict[int, dict[str, Any]] = {}
    for n in (int(s) for s in args.sizes.split(",")):
        results[n] = measure(n, args.brands, args.locations, args.days, args.keep)
        r = results[n]
        print(
            f"N={n:>7}: wall {r['wall_s']:>7.1f} s, {r['texts_per_s']:>6.1f} texts/s, peak RSS {r['peak_rss_mb']} MB, "
            f"DuckDB {r['duckdb_mb']} MB, second night {r['second_night_s']} s; sources {r['sources']}; "
            f"stages {r['stages_s']}; second night's stages {r['second_night_stages_s']}",
            flush=True,
        )
    report = {"sizes": results, "growth": growth(results) if len(results) > 1 else {},
              "config": {"brands": args.brands, "locations": args.locations, "days": args.days},
              "load_average": os.getloadavg()}  # fmt: skip
    if args.write:
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
