"""Notification channels follow the sources' address rule: a webhook on a private address is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment import pipeline
from sentiment.demo.run import webhook_receiver
from tests.alerts.test_notify import _store_with_alert
from tests.alerts.test_rules import AS_OF
from tests.helpers import monitor


def test_a_webhook_on_a_private_address_is_refused_and_the_night_is_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = _store_with_alert(tmp_path / "m.duckdb")
    channels = [{"name": "ops", "url_env": "OPS_HOOK"}]
    strict = monitor(channels=channels)
    allowed = monitor(channels=channels, http={"allow_private_addresses": True})
    with webhook_receiver() as (url, received):
        monkeypatch.setenv("OPS_HOOK", f"{url}?token=tok-7a7a7a")
        stats = pipeline.RunStats(run_id="r1", as_of=AS_OF, sources_ok=1)
        counts = pipeline.send_notifications(store, strict, stats)
        assert (counts["sent"], counts["failed"], counts["channels_failed"]) == (0, 1, 1)
        assert received == []
        assert stats.status == "failed" and stats.skipped["notification_failed"] == 1
        assert "127.0.0.1 is not a public address" in caplog.text and "tok-7a7a7a" not in caplog.text
        again = pipeline.RunStats(run_id="r2", as_of=AS_OF, sources_ok=1)
        assert pipeline.send_notifications(store, allowed, again)["sent"] == 1
        assert again.status == "ok" and len(received) == 1
    store.close()
