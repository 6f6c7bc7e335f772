"""``sentiment demo``: the whole product on a laptop, offline.

Serves the bundled sample web on localhost, starts a local webhook receiver standing in for a chat
channel, points the demo config at both through environment variables, and runs the real nightly flow
under Prefect: real HTTP, the real model, a real DuckDB file.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from sentiment.errors import ConfigError


class _Receiver(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        try:
            self.server.received.append(json.loads(body))  # type: ignore[attr-defined]
        except json.JSONDecodeError:
            self.send_response(400)
            self.end_headers()
            return
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local HTTP endpoint that records the JSON bodies posted to it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/alerts", server.received  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


def _timezone(config: str) -> ZoneInfo:
    try:
        raw = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"demo config {config!r} does not exist; run from the repository root") from None
    return ZoneInfo(str(raw.get("timezone", "UTC")))


def run_demo(config: str = "examples/demo.yaml", port: int = 0) -> int:
    from flows.local_api import start_local_api, stop_on_sigterm
    from flows.nightly import nightly

    from sentiment.cli import console, print_summary
    from sentiment.demo.server import serve_sample_web

    today = datetime.now(_timezone(config)).date()
    with serve_sample_web(port=port, today=today) as web, webhook_receiver() as (hook_url, received):
        os.environ["SENTIMENT_DEMO_BASE_URL"] = web.base_url
        os.environ["SENTIMENT_DEMO_WEBHOOK_URL"] = hook_url
        console.print(f"Sample web serving at {web.base_url} (reviews ending {today}); running the nightly flow…")
        start_local_api()
        with stop_on_sigterm():
            summary = nightly(config_path=config, as_of=today.isoformat())
    print_summary(summary)
    console.print(f"Webhook receiver got {len(received)} notification(s) in this run.")
    from sentiment.config import load_config

    database = load_config(config).database_path()
    console.print(
        f"DuckDB file: {database} (read copy for analysts: {database.with_name(database.stem + '.read.duckdb')})"
    )
    return 0
