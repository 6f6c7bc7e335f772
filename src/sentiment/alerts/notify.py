"""Sending stored alerts to the configured channels, each alert once per channel.

The store's ``notifications`` table is the ledger: an alert is sent to a channel only while that
channel has no row for it, and the row is written right after the channel accepted it (2xx). A channel
that fails keeps its alerts unsent, so the next run tries again, and the other channels still get theirs.
Webhook URLs are secrets: they are read from the environment at send time and never logged, and error
messages name the channel and the environment variable only.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx

from sentiment.config import Channel
from sentiment.errors import ConfigError, NotifyError
from sentiment.store import Store

log = logging.getLogger(__name__)
_ATTEMPTS = 3
_BACKOFF_S = 0.5


def alert_payload(row: dict[str, Any]) -> dict[str, Any]:
    """The JSON body a webhook receives: the alert's fields with its details decoded, plus ``text``."""
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
    payload["text"] = row["message"]  # what chat webhooks (Slack, Mattermost) display
    return payload


def send_webhook(client: httpx.Client, channel: Channel, payload: dict[str, Any]) -> int:
    """POST one alert as JSON; retries 5xx and transport errors; raises NotifyError without the URL."""
    url = channel.url()
    last = ""
    for attempt in range(_ATTEMPTS):
        if attempt:
            time.sleep(_BACKOFF_S * 2 ** (attempt - 1))
        try:
            response = client.post(url, json=payload, timeout=channel.timeout_s)
        except httpx.HTTPError as err:
            last = type(err).__name__
            continue
        if response.status_code < 300:
            return response.status_code
        last = f"HTTP {response.status_code}"
        if response.status_code < 500 and response.status_code != 429:
            break
    raise NotifyError(f"channel {channel.name!r} (URL from ${channel.url_env}) refused the alert: {last}")


def notify(store: Store, channels: list[Channel], client: httpx.Client, *, run_id: str) -> dict[str, int]:
    """Send every unsent alert to every channel; return counts ``{"sent": n, "failed": n}``."""
    counts = {"sent": 0, "failed": 0}
    for channel in channels:
        for row in store.unsent_alerts(channel.name):
            try:
                status = send_webhook(client, channel, alert_payload(row))
            except (NotifyError, ConfigError) as err:
                log.warning("alert %s not sent: %s", row["id"], err)
                counts["failed"] += 1
                continue
            store.record_notification(row["id"], channel.name, status=status, run_id=run_id)
            counts["sent"] += 1
    return counts
