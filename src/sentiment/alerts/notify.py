"""Sending stored alerts to the configured channels, each alert once per channel.

The store's ``notifications`` table is the ledger: an alert is sent to a channel only while that
channel has no row for it, and the row is written right after the channel accepted it (2xx). A channel
that fails keeps its alerts unsent, so the next run tries again, and the other channels still get theirs.
A webhook that took the request but answered too late may have the alert already; it is not sent again in
the same run, and every request carries an ``Idempotency-Key`` (the same for one alert and channel on
every try and every night) and the ``alert_id``, so a receiver can drop the copy the next run sends.
Webhook URLs are secrets: they are read from the environment at send time and never logged, and error
messages name the channel and the environment variable only.

An ``apprise`` channel sends through apprise (Slack, Microsoft Teams, Discord, Telegram, e-mail, JSON and
the rest it supports): a title and a markdown body, which apprise renders for its service (markdown in
chat, HTML in mail). Apprise reports only success or failure, so a refused send is tried three times with
backoff; a service that took the message but answered with an error may show it twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import apprise
import httpx

from sentiment import redact
from sentiment.config import Channel
from sentiment.errors import ConfigError, NotifyError
from sentiment.netguard import BlockedAddress
from sentiment.store import Store

log = logging.getLogger(__name__)
_ATTEMPTS = 3
_BACKOFF_S = 0.5
#: Failures before the request left this machine: retrying them cannot make a second copy.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def alert_payload(row: dict[str, Any]) -> dict[str, Any]:
    """The JSON body a webhook receives: the alert's fields with its details decoded, plus ``alert_id``
    (the key a receiver de-duplicates on) and ``text``."""
    payload: dict[str, Any] = {}
    for key, value in row.items():
        if key in {"run_id", "created_at"}:
            continue
        if isinstance(value, date | datetime):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = float(value)
        payload[key] = value
    if isinstance(payload.get("details"), str):
        payload["details"] = json.loads(payload["details"])
    payload["alert_id"] = row["id"]
    payload["event"] = "alert"
    payload["text"] = row["message"]  # what chat webhooks (Slack, Mattermost) display
    return payload


def resolution_payload(row: dict[str, Any]) -> dict[str, Any]:
    """What a channel is sent when an alert it had is over: the alert's fields, ``event: resolved``, and
    a message saying what recovered."""
    payload = alert_payload(row)
    head = str(row["message"]).partition(": ")[0]
    payload["event"] = "resolved"
    payload["message"] = payload["text"] = f"Resolved — {head}: {row['resolution']}"
    payload["details"] = {}
    return payload


def ledger_id(payload: dict[str, Any]) -> str:
    """What the ledger records a payload as: the alert's id, with ``:resolved`` for its resolution."""
    return str(payload["alert_id"]) + (":resolved" if payload.get("event") == "resolved" else "")


def idempotency_key(alert_id: str, channel: str) -> str:
    """The ``Idempotency-Key`` of one alert on one channel: the same on every try and every night.

    The channel name is part of it so that two channels posting to one receiver are not taken for
    copies of each other.
    """
    return hashlib.sha256(f"{alert_id}\n{channel}".encode()).hexdigest()


def send_webhook(
    client: httpx.Client,
    channel: Channel,
    url: str,
    payload: dict[str, Any],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """POST one alert as JSON; raises NotifyError naming the channel and its variable, never the URL.

    Retried after ``sleep``: 5xx and 429 answers, and failures before the request left (no connection).
    Not retried: a timeout or a dropped connection while waiting for the answer, since the receiver may
    have the alert already; the ledger keeps it unsent and the next run sends it with the same key.
    """
    headers = {"Idempotency-Key": idempotency_key(ledger_id(payload), channel.name)}
    where = f"channel {channel.name!r} (URL from ${channel.url_env})"
    maybe_arrived = "not resent in this run as it may have arrived; the next run sends it with the same Idempotency-Key"
    last = ""
    for attempt in range(_ATTEMPTS):
        if attempt:
            sleep(_BACKOFF_S * 2 ** (attempt - 1))
        try:
            response = client.post(url, json=payload, headers=headers, timeout=channel.timeout_s)
        except _NOT_SENT as err:
            last = type(err).__name__
            continue
        except BlockedAddress as err:
            raise NotifyError(f"{where} was not contacted: {err}") from None
        except httpx.TimeoutException as err:
            raise NotifyError(
                f"{where} did not answer within {channel.timeout_s:g} s ({type(err).__name__}): {maybe_arrived}"
            ) from None
        except httpx.HTTPError as err:
            raise NotifyError(f"{where} dropped the request ({type(err).__name__}): {maybe_arrived}") from None
        if response.status_code < 300:
            return response.status_code
        last = f"HTTP {response.status_code}"
        if response.status_code < 500 and response.status_code != 429:
            break
    raise NotifyError(f"{where} refused the alert: {last}")


def notify(
    store: Store,
    channels: list[Channel],
    client: httpx.Client,
    *,
    run_id: str,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, int]:
    """Send every unsent alert to every channel; ``sleep`` waits between retries (tests pass their own).

    Returns counts: ``sent`` and ``failed`` alerts, ``channels_attempted`` (channels that had anything to
    send) and ``channels_failed`` (of those, the ones that delivered none): when every attempted channel
    failed, the night's alerts reached nobody and the run should not be called ok.
    """
    counts = {"sent": 0, "failed": 0, "channels_attempted": 0, "channels_failed": 0}
    for channel in channels:
        payloads = [alert_payload(row) for row in store.unsent_alerts(channel.name)]
        payloads += [resolution_payload(row) for row in store.unsent_resolutions(channel.name)]
        if not payloads:
            continue
        delivered = _send_to_channel(store, channel, payloads, client, run_id=run_id, sleep=sleep)
        counts["channels_attempted"] += 1
        if delivered == 0:
            counts["channels_failed"] += 1
        counts["sent"] += delivered
        counts["failed"] += len(payloads) - delivered
    return counts


def alert_text(payload: dict[str, Any]) -> tuple[str, str]:
    """Title and markdown body of an alert, for people: what happened where, the numbers, what drives it,
    and the quotes in their own language."""
    head, _, rest = str(payload["message"]).partition(": ")
    lines = [f"- {part}" for part in rest.split("; ") if part]
    examples = (payload.get("details") or {}).get("examples") or []
    if examples:
        lines.append("")
        lines += [f"> {e['text']} ({e['day']}, score {e['score']:+.2f})" for e in examples]
    lines += ["", f"alert {payload['alert_id']} · as of {payload['as_of']}"]
    return head, "\n".join(lines)


def _register_apprise_secrets(url: str) -> None:
    """An apprise URL keeps its tokens in the path (``slack://T/B/C``) and the plugins log the service
    URL they build from them: every token is a secret on its own, not only the whole URL."""
    redact.register_secret(url)
    parts = urlsplit(url)
    # Some keep a token where a host would be (tgram://BOT_ID:TOKEN/CHAT): every part of the netloc that
    # is not a dotted host name counts as one.
    netloc = [p for p in re.split(r"[@:]", parts.netloc) if "." not in p]
    tokens = [parts.username, parts.password, *netloc, *parts.path.split("/"), *(v for _, v in parse_qsl(parts.query))]
    for token in tokens:
        redact.register_secret(token)


def send_apprise(
    channel: Channel, url: str, payload: dict[str, Any], *, sleep: Callable[[float], None] = time.sleep
) -> int:
    """Send one alert through apprise; raises NotifyError naming the channel and its variable, never the URL.
    Returns 200 for the ledger (apprise gives no status)."""
    where = f"channel {channel.name!r} (apprise URL from ${channel.url_env})"
    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise NotifyError(f"{where} is not a URL apprise can send to")
    title, body = alert_text(payload)
    for attempt in range(_ATTEMPTS):
        if attempt:
            sleep(_BACKOFF_S * 2 ** (attempt - 1))
        if notifier.notify(title=title, body=body, body_format=apprise.NotifyFormat.MARKDOWN):
            return 200
    raise NotifyError(f"{where} refused the alert {_ATTEMPTS} times")


def _send_to_channel(
    store: Store,
    channel: Channel,
    payloads: list[dict[str, Any]],
    client: httpx.Client,
    *,
    run_id: str,
    sleep: Callable[[float], None],
) -> int:
    """Send ``payloads`` to one channel, recording each accepted one; returns how many were accepted."""
    try:
        url = channel.url()
    except ConfigError as err:
        log.warning("%d alert(s) not sent: %s", len(payloads), err)
        return 0
    if channel.kind == "apprise":
        _register_apprise_secrets(url)
    else:
        redact.register_secret(url)  # a webhook URL is a token in itself (Slack's is all path)
    delivered = 0
    for payload in payloads:
        ledger = ledger_id(payload)
        try:
            if channel.kind == "apprise":
                status = send_apprise(channel, url, payload, sleep=sleep)
            else:
                status = send_webhook(client, channel, url, payload, sleep=sleep)
        except NotifyError as err:
            log.warning("alert %s not sent: %s", ledger, err)
            continue
        store.record_notification(ledger, channel.name, status=status, run_id=run_id)
        delivered += 1
    return delivered
