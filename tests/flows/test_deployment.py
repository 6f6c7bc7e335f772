"""prefect.yaml really deploys: a local Prefect server, a process work pool, `prefect deploy --all`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    log = (home / "server.log").open("w")
    proc = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                pytest.fail(f"prefect server exited: {(home / 'server.log').read_text()[-2000:]}")
            time.sleep(0.5)
        else:
            pytest.fail("prefect server did not become healthy in 90 s")
        yield env
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest.mark.slow
def test_prefect_yaml_deploys_the_nightly_schedule(prefect_server: dict[str, str]) -> None:
    env = prefect_server
    subprocess.run(
        [PREFECT, "work-pool", "create", "sentiment-monitor", "--type", "process"],
        env=env, cwd=REPO, check=True, capture_output=True,
    )  # fmt: skip
    deploy = subprocess.run(
        [PREFECT, "--no-prompt", "deploy", "--all"], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert deploy.returncode == 0, deploy.stdout[-3000:] + deploy.stderr[-3000:]
    api = env["PREFECT_API_URL"]
    d = httpx.get(f"{api}/deployments/name/nightly-monitor/nightly", timeout=10).json()
    assert d["entrypoint"] == "flows/nightly.py:nightly"
    assert d["work_pool_name"] == "sentiment-monitor"
    assert d["parameters"] == {"config_path": "monitor.yaml"}
    assert d["global_concurrency_limit"]["limit"] == 1
    assert [(s["schedule"]["cron"], s["schedule"]["timezone"], s["active"]) for s in d["schedules"]] == [
        ("0 2 * * *", "Europe/Warsaw", True)
    ]
    rescore = httpx.get(f"{api}/deployments/name/rescore/rescore", timeout=10).json()
    assert (rescore["entrypoint"], rescore["schedules"]) == ("flows/rescore.py:rescore", [])
    # The schedule's time zone is the monitor config's time zone.
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())
    demo = yaml.safe_load((REPO / "examples" / "demo.yaml").read_text())
    assert spec["deployments"][0]["schedules"][0]["timezone"] == demo["timezone"]
