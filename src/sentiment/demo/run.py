"""``sentiment demo``'s parts: the whole product on a laptop, offline (``flows.commands.demo`` runs it).

It serves the bundled sample web on localhost, starts a local chat receiver (it takes Slack-format incoming
webhooks, as Mattermost does) and a local SMTP server standing in for the team's channels, points the demo
config at them through environment variables, and runs the real nightly flow under Prefect: real HTTP,
the real model, a real DuckDB file, alerts sent through apprise.
"""

from __future__ import annotations

import csv
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from aiosmtpd.controller import Controller

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
        self.send_response(200)  # with "ok", as Slack's and Mattermost's incoming webhooks answer
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local HTTP endpoint that records the JSON bodies posted to it (a JSON webhook, or a Slack-format
    incoming webhook: apprise's ``mmost://`` URL of it is :func:`chat_url`)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/alerts", server.received  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append(bytes(envelope.content))
        return "250 Message accepted"


@contextmanager
def mail_receiver() -> Iterator[tuple[str, list[bytes]]]:
    """A local SMTP server; yields an apprise ``mailto://`` URL that sends to it and the raw messages."""
    mailbox = _Mailbox()
    with socket.socket() as probe:  # aiosmtpd checks its server by connecting: it needs the port up front
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield (
            f"mailto://127.0.0.1:{port}/cx-team@bella.example?from=monitor@bella.example&mode=insecure",
            mailbox.messages,
        )
    finally:
        controller.stop()


def chat_url(webhook_url: str) -> str:
    """The apprise URL of a Mattermost-style (Slack-format) incoming webhook at a local receiver."""
    host = webhook_url.split("//", 1)[1].split("/", 1)[0]
    return f"mmost://{host}/demo-hook"


def demo_timezone(config: str) -> ZoneInfo:
    """The demo config's time zone (the sample web's reviews end on today's date there)."""
    try:
        raw = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"demo config {config!r} does not exist; run from the repository root") from None
    return ZoneInfo(str(raw.get("timezone", "UTC")))


#: The demo's hand-written survey (``survey.yaml``), written as a CSV export by :func:`write_demo_survey`.
SURVEY_TEMPLATE = Path(__file__).with_name("survey.yaml")


def write_demo_survey(path: Path, today: date) -> int:
    """Write the demo's survey export to ``path`` (the CSV a survey tool would give: German headers,
    dd.mm.yyyy dates, semicolons), each response dated relative to ``today``; returns the rows written."""
    responses = yaml.safe_load(SURVEY_TEMPLATE.read_text(encoding="utf-8"))["responses"]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["Antwort-ID", "Filiale", "Datum", "NPS", "Kommentar"])
        for number, r in enumerate(responses, start=1):
            day = today - timedelta(days=int(r["days_ago"]))
            writer.writerow([f"demo-{number}", r["location"], day.strftime("%d.%m.%Y"), r["nps"], r["verbatim"]])
    return len(responses)
