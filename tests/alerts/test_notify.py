from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from sentiment.alerts.notify import notify
from sentiment.alerts.rules import detect_drops
from sentiment.config import Channel
from sentiment.demo.run import webhook_receiver
from sentiment.store import Store
from tests.alerts.test_rules import AS_OF, rows_for
from tests.helpers import monitor


class _Failing(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.server.hits += 1  # type: ignore[attr-defined]
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(503)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def failing_url() -> Iterator[tuple[str, ThreadingHTTPServer]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    server.hits = 0  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/secret-token-xyz", server
    server.shutdown()
    server.server_close()


def _store_with_alert(path: Path) -> Store:
    store = Store(path)
    alerts = detect_drops(rows_for("Bella Kraków", baseline=0.6, recent=-0.4), monitor(), AS_OF)
    store.insert_alerts(alerts, run_id="r1", model=("m", "v"))
    return store


def test_each_alert_is_posted_once_per_channel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store_with_alert(tmp_path / "m.duckdb")
    with webhook_receiver() as (url, received), httpx.Client() as client:
        monkeypatch.setenv("HOOK_A", url)
        channels = [Channel(name="a", url_env="HOOK_A")]
        assert notify(store, channels, client, run_id="r1") == {"sent": 1, "failed": 0}
        assert notify(store, channels, client, run_id="r2") == {"sent": 0, "failed": 0}
    assert len(received) == 1
    body = received[0]
    assert body["location"] == "Bella Kraków" and body["scope"] == "location"
    assert body["as_of"] == date(2026, 11, 23).isoformat()
    assert body["text"].startswith("Sentiment drop at Bella Kraków")
    assert len(body["details"]["examples"]) == 3
    assert json.dumps(body)  # plain JSON all the way down
    store.close()


def test_a_failing_channel_keeps_the_alert_for_next_run_and_hides_its_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing_url: tuple[str, ThreadingHTTPServer],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    url, server = failing_url
    store = _store_with_alert(tmp_path / "m.duckdb")
    monkeypatch.setenv("HOOK_BAD", url)
    with webhook_receiver() as (good_url, received), httpx.Client() as client:
        monkeypatch.setenv("HOOK_GOOD", good_url)
        channels = [Channel(name="bad", url_env="HOOK_BAD"), Channel(name="good", url_env="HOOK_GOOD")]
        assert notify(store, channels, client, run_id="r1") == {"sent": 1, "failed": 1}
    assert server.hits == 3  # retried, then given up
    assert len(received) == 1
    assert [r[0] for r in store.con.execute("SELECT channel FROM notifications").fetchall()] == ["good"]
    assert len(store.unsent_alerts("bad")) == 1
    assert "channel 'bad' (URL from $HOOK_BAD) refused the alert: HTTP 503" in caplog.text
    assert "secret-token" not in caplog.text
    store.close()
