"""Apprise channels against local receivers: Slack, Microsoft Teams (Power Automate workflows) and
Discord through an intercepting HTTPS proxy, JSON and Mattermost to a local HTTP server, e-mail to a
local SMTP server (aiosmtpd). Each alert is sent once per channel; URLs never reach the logs."""

from __future__ import annotations

import email
import json
import logging
from collections.abc import Iterator
from email.header import decode_header, make_header
from pathlib import Path

import httpx
import pytest

from sentiment import redact
from sentiment.alerts.notify import alert_text, notify
from sentiment.alerts.rules import make_alert
from sentiment.config import Channel
from sentiment.demo.run import mail_receiver
from sentiment.errors import ConfigError
from sentiment.store import Store
from tests.alerts.test_rules import AS_OF, finding, window_rows
from tests.support.local_server import LocalServer, Reply
from tests.support.tls_proxy import InterceptingProxy

SLACK = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7?verify=no"
TEAMS = "workflows://prod-42.westeurope.logic.azure.com:443/abcdef0123456789/SiGnAtUrE0123456789abc?verify=no"
DISCORD = "discord://123456789012345678/webhook-token-abcdefghijklmnop?verify=no"
TELEGRAM = "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/-1001234567890?verify=no"
TITLE = "Sentiment drop at Bella Kraków (Bella Caffè)"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "m.duckdb") as s:
        s.insert_alerts([make_alert(finding(), AS_OF, window_rows())], run_id="r1", model=("m", "v"))
        yield s


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[InterceptingProxy]:
    with InterceptingProxy() as p:
        monkeypatch.setenv("HTTPS_PROXY", p.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        yield p


def _send(store: Store, channel: Channel, sleeps: list[float] | None = None) -> dict[str, int]:
    with httpx.Client() as client:
        return notify(store, [channel], client, run_id="r2", sleep=(sleeps if sleeps is not None else []).append)


def test_the_alert_text_is_a_title_and_markdown_lines() -> None:
    row = {"message": "Sentiment drop at X (B): mean score +0.50 -> -0.30; z=7.5; sources: g (9 of 12 negative)",
           "details": {"examples": [{"text": "Zimna kawa.", "day": "2026-11-22", "score": -0.9}]},
           "alert_id": "abc", "as_of": "2026-11-23"}  # fmt: skip
    title, body = alert_text(row)
    assert title == "Sentiment drop at X (B)"
    assert body == (
        "- mean score +0.50 -> -0.30\n- z=7.5\n- sources: g (9 of 12 negative)\n\n"
        "> Zimna kawa. (2026-11-22, score -0.90)\n\nalert abc · as of 2026-11-23"
    )


def test_slack_teams_discord_and_telegram_get_their_own_payloads_once(
    store: Store, proxy: InterceptingProxy, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    redact.install()  # as the command line and the flows do
    caplog.set_level(logging.DEBUG)
    proxy.replies["api.telegram.org"] = b'{"ok": true, "result": {"message_id": 1}}'
    for name, url in (("SLACK_URL", SLACK), ("TEAMS_URL", TEAMS), ("DISCORD_URL", DISCORD), ("TG_URL", TELEGRAM)):
        monkeypatch.setenv(name, url)
    channels = [Channel(name="slack", kind="apprise", url_env="SLACK_URL"),
                Channel(name="teams", kind="apprise", url_env="TEAMS_URL"),
                Channel(name="discord", kind="apprise", url_env="DISCORD_URL"),
                Channel(name="telegram", kind="apprise", url_env="TG_URL")]  # fmt: skip
    with httpx.Client() as client:
        counts = notify(store, channels, client, run_id="r2", sleep=lambda _s: None)
        assert counts == {"sent": 4, "failed": 0, "channels_attempted": 4, "channels_failed": 0}
        assert notify(store, channels, client, run_id="r3", sleep=lambda _s: None)["sent"] == 0
    hits = {r.host: r for r in proxy.intercepted}
    assert sorted(hits) == ["api.telegram.org", "discord.com", "hooks.slack.com", "prod-42.westeurope.logic.azure.com"]
    slack = hits["hooks.slack.com"]
    assert slack.path == "/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7"
    text = json.dumps(slack.json(), ensure_ascii=False)
    assert TITLE in text and "Zimna kawa, nikt nie przeprasza." in text and "z=7.5" in text
    teams = hits["prod-42.westeurope.logic.azure.com"]
    assert teams.path.startswith("/workflows/abcdef0123456789/")
    card = teams.json()
    assert card["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert TITLE in json.dumps(card, ensure_ascii=False)
    discord = hits["discord.com"]
    assert discord.path == "/api/webhooks/123456789012345678/webhook-token-abcdefghijklmnop"
    assert TITLE in json.dumps(discord.json(), ensure_ascii=False)
    telegram = hits["api.telegram.org"]
    assert telegram.path == "/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage"
    assert telegram.json()["chat_id"] == -1001234567890 and TITLE in telegram.json()["text"]
    logged = caplog.text
    for secret in ("TIiajkdnlazkcOXrIdevi7", "SiGnAtUrE0123456789abc", "webhook-token-abcdefghijklmnop",
                   "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"):  # fmt: skip
        assert secret not in logged
    sent = store.con.execute("SELECT channel, status FROM notifications ORDER BY channel").fetchall()
    assert sent == [("discord", 200), ("slack", 200), ("teams", 200), ("telegram", 200)]


def test_json_and_mattermost_reach_a_local_server(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalServer() as server:
        server.route("/hook", Reply(200, body="{}"))
        server.route("/hooks/tok3n-abcdef", Reply(200, body="ok"))
        monkeypatch.setenv("JSON_URL", f"json://127.0.0.1:{server.port}/hook")
        monkeypatch.setenv("MM_URL", f"mmost://127.0.0.1:{server.port}/tok3n-abcdef")
        assert _send(store, Channel(name="json", kind="apprise", url_env="JSON_URL"))["sent"] == 1
        assert _send(store, Channel(name="mm", kind="apprise", url_env="MM_URL"))["sent"] == 1
        (posted,) = server.requests_to("/hook")
        body = json.loads(posted.body)
        assert body["title"] == TITLE and body["type"] == "info"
        assert body["message"].startswith("- mean score +0.50 -> -0.30 over 2026-11-19..2026-11-23 (n=15)")
        (mm,) = server.requests_to("/hooks/tok3n-abcdef")
        assert TITLE in json.loads(mm.body)["text"]  # Mattermost takes Slack's incoming-webhook format


def test_a_refused_send_is_retried_with_backoff_then_left_for_the_next_night(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with LocalServer() as server:
        server.route("/hook", [Reply(503), Reply(503), Reply(200, body="{}")])
        monkeypatch.setenv("JSON_URL", f"json://127.0.0.1:{server.port}/hook")
        sleeps: list[float] = []
        assert _send(store, Channel(name="json", kind="apprise", url_env="JSON_URL"), sleeps)["sent"] == 1
        assert sleeps == [0.5, 1.0] and len(server.requests_to("/hook")) == 3
        server.route("/down", Reply(500))
        monkeypatch.setenv("DOWN_URL", f"json://127.0.0.1:{server.port}/down")
        down = Channel(name="down", kind="apprise", url_env="DOWN_URL")
        assert _send(store, down) == {"sent": 0, "failed": 1, "channels_attempted": 1, "channels_failed": 1}
        assert store.unsent_alerts("down") != []  # tried again next night


def test_mail_reaches_a_local_smtp_server_once(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with mail_receiver() as (url, received):  # the demo's SMTP server (aiosmtpd) and its mailto:// URL
        monkeypatch.setenv("MAIL_URL", url)
        channel = Channel(name="mail", kind="apprise", url_env="MAIL_URL")
        assert _send(store, channel)["sent"] == 1
        assert _send(store, channel)["sent"] == 0
    (raw,) = received
    message = email.message_from_bytes(raw)
    assert str(make_header(decode_header(message["Subject"]))) == TITLE
    assert message["To"].endswith("cx-team@bella.example>") or message["To"] == "cx-team@bella.example"
    parts = [p.get_payload(decode=True).decode() for p in message.walk() if not p.is_multipart()]
    assert any("Zimna kawa, nikt nie przeprasza." in p for p in parts)


def test_a_channel_names_its_variable_never_its_url(monkeypatch: pytest.MonkeyPatch) -> None:
    channel = Channel(name="chat", kind="apprise", url_env="CHAT_URL")
    with pytest.raises(ConfigError, match=r"CHAT_URL is not set; allowed: an apprise URL"):
        channel.url()
    monkeypatch.setenv("CHAT_URL", "nosuchservice://sekret-token-123")
    with pytest.raises(ConfigError) as err:
        channel.url()
    assert "does not hold a URL apprise can send to" in str(err.value)
    assert "sekret-token-123" not in str(err.value)


def test_a_resolution_is_sent_once_to_the_channels_that_had_the_alert(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with LocalServer() as server:
        server.route("/hook", Reply(200, body="{}"))
        monkeypatch.setenv("JSON_URL", f"json://127.0.0.1:{server.port}/hook")
        channel = Channel(name="json", kind="apprise", url_env="JSON_URL")
        assert _send(store, channel)["sent"] == 1
        (alert_id,) = [r[0] for r in store.con.execute("SELECT id FROM alerts").fetchall()]
        store.resolve_alert(alert_id, AS_OF, "mean score +0.40 over the last 7 days (n=21), baseline +0.50")
        assert _send(store, channel)["sent"] == 1
        assert _send(store, channel)["sent"] == 0
        alert_post, resolved = (json.loads(r.body) for r in server.requests_to("/hook"))
    assert (alert_post["title"], resolved["title"]) == (TITLE, f"Resolved — {TITLE}")
    assert resolved["message"].startswith("- mean score +0.40 over the last 7 days (n=21), baseline +0.50")
    ledger = store.con.execute("SELECT alert_id FROM notifications ORDER BY alert_id").fetchall()
    assert ledger == [(alert_id,), (f"{alert_id}:resolved",)]
    # a channel that never had the alert is not told it is over
    assert store.unsent_resolutions("other") == []
