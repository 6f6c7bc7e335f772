from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from sentiment.alerts.notify import notify
from sentiment.alerts.rules import make_alert
from sentiment.config import Channel
from sentiment.demo.run import webhook_receiver
from sentiment.store import Store
from tests.alerts.test_rules import AS_OF, finding, window_rows
from tests.support.local_server import LocalServer, Reply


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
    store.insert_alerts([make_alert(finding(), AS_OF, window_rows())], run_id="r1", model=("m", "v"))
    return store


def test_each_alert_is_posted_once_per_channel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store_with_alert(tmp_path / "m.duckdb")
    with webhook_receiver() as (url, received), httpx.Client() as client:
        monkeypatch.setenv("HOOK_A", url)
        channels = [Channel(name="a", url_env="HOOK_A")]
        assert notify(store, channels, client, run_id="r1") == {
            "sent": 1, "failed": 0, "channels_attempted": 1, "channels_failed": 0,
        }  # fmt: skip
        assert notify(store, channels, client, run_id="r2") == {
            "sent": 0, "failed": 0, "channels_attempted": 0, "channels_failed": 0,
        }  # fmt: skip
    assert len(received) == 1
    body = received[0]
    assert body["location"] == "Bella Kraków" and body["scope"] == "location"
    assert body["as_of"] == date(2026, 11, 23).isoformat()
    assert body["text"].startswith("Sentiment drop at Bella Kraków")
    assert body["alert_id"] == body["id"] == store.unsent_alerts("other")[0]["id"]
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
        sleeps: list[float] = []
        assert notify(store, channels, client, run_id="r1", sleep=sleeps.append) == {
            "sent": 1, "failed": 1, "channels_attempted": 2, "channels_failed": 1,
        }  # fmt: skip
    assert server.hits == 3  # retried, then given up
    assert sleeps == [0.5, 1.0]
    assert len(received) == 1
    assert [r[0] for r in store.con.execute("SELECT channel FROM notifications").fetchall()] == ["good"]
    assert len(store.unsent_alerts("bad")) == 1
    assert "channel 'bad' (URL from $HOOK_BAD) refused the alert: HTTP 503" in caplog.text
    assert "secret-token" not in caplog.text
    store.close()


def _key(alert_id: str, channel: str) -> str:
    return hashlib.sha256(f"{alert_id}\n{channel}".encode()).hexdigest()


def test_a_slow_webhook_gets_the_alert_once_per_run_and_the_same_key_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store_with_alert(tmp_path / "m.duckdb")
    alert_id = store.unsent_alerts("slow")[0]["id"]
    sleeps: list[float] = []
    channels = [Channel(name="slow", url_env="HOOK_SLOW", timeout_s=0.3)]
    with LocalServer() as server, httpx.Client() as client:
        server.route("/hook", Reply(200, delay_s=0.8))  # answers after the channel's 0.3 s timeout
        monkeypatch.setenv("HOOK_SLOW", server.url("/hook"))
        failed = {"sent": 0, "failed": 1, "channels_attempted": 1, "channels_failed": 1}
        assert notify(store, channels, client, run_id="r1", sleep=sleeps.append) == failed
        assert len(server.requests_to("/hook")) == 1  # it may have arrived: not resent in this run
        assert sleeps == []
        assert notify(store, channels, client, run_id="r2", sleep=sleeps.append) == failed
        server.route("/hook", Reply(200))
        sent = {"sent": 1, "failed": 0, "channels_attempted": 1, "channels_failed": 0}
        assert notify(store, channels, client, run_id="r3", sleep=sleeps.append) == sent
        requests = server.requests_to("/hook")
    assert len(requests) == 3  # once a run: the receiver de-duplicates on the key
    assert [r.headers["idempotency-key"] for r in requests] == [_key(alert_id, "slow")] * 3
    assert [json.loads(r.body)["alert_id"] for r in requests] == [alert_id] * 3
    assert store.unsent_alerts("slow") == []
    store.close()


def test_a_5xx_is_retried_after_the_injected_sleep_with_the_same_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store_with_alert(tmp_path / "m.duckdb")
    alert_id = store.unsent_alerts("ops")[0]["id"]
    sleeps: list[float] = []
    with LocalServer() as server, httpx.Client() as client:
        server.route("/hook", [Reply(500), Reply(200)])
        monkeypatch.setenv("HOOK_OPS", server.url("/hook"))
        channels = [Channel(name="ops", url_env="HOOK_OPS")]
        assert notify(store, channels, client, run_id="r1", sleep=sleeps.append) == {
            "sent": 1, "failed": 0, "channels_attempted": 1, "channels_failed": 0,
        }  # fmt: skip
        requests = server.requests_to("/hook")
    assert sleeps == [0.5]
    assert [r.headers["idempotency-key"] for r in requests] == [_key(alert_id, "ops")] * 2
    body = json.loads(requests[1].body)
    assert (body["alert_id"], body["location"]) == (alert_id, "Bella Kraków")
    store.close()


def test_a_refused_connection_is_retried_and_an_unset_variable_fails_the_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = _store_with_alert(tmp_path / "m.duckdb")
    with socket.socket() as closed:  # a port nobody listens on once the socket is closed
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("HOOK_DOWN", f"http://127.0.0.1:{port}/secret-token-xyz")
    monkeypatch.delenv("HOOK_UNSET", raising=False)
    channels = [Channel(name="down", url_env="HOOK_DOWN"), Channel(name="unset", url_env="HOOK_UNSET")]
    sleeps: list[float] = []
    with httpx.Client() as client:
        assert notify(store, channels, client, run_id="r1", sleep=sleeps.append) == {
            "sent": 0, "failed": 2, "channels_attempted": 2, "channels_failed": 2,
        }  # fmt: skip
    assert sleeps == [0.5, 1.0]  # nothing was sent, so retrying is safe
    assert "channel 'down' (URL from $HOOK_DOWN) refused the alert: ConnectError" in caplog.text
    assert "channel 'unset': environment variable HOOK_UNSET is not set" in caplog.text
    assert "secret-token" not in caplog.text
    store.close()
