"""No secret in any log line, at any level: URL query values, userinfo, and registered secret values."""

from __future__ import annotations

import logging

import httpx
import pytest

from sentiment import redact
from sentiment.config import HttpSettings
from sentiment.errors import FetchError
from sentiment.sources.http import HttpClient
from tests.support.local_server import LocalServer, Reply


@pytest.fixture(autouse=True)
def _installed() -> None:
    redact.install()


def test_query_values_and_userinfo_are_masked_and_names_kept() -> None:
    line = 'HTTP Request: POST http://127.0.0.1:8123/hook?token=abc123&team=x "HTTP/1.1 204 No Content"'
    assert redact.redact(line) == (
        'HTTP Request: POST http://127.0.0.1:8123/hook?token=[redacted]&team=[redacted] "HTTP/1.1 204 No Content"'
    )
    assert redact.redact("GET https://bob:hunter2@feeds.example/rss.xml#top") == (
        "GET https://[redacted]@feeds.example/rss.xml#top"
    )
    assert redact.redact("no url, just words") == "no url, just words"


def test_a_registered_secret_is_masked_wherever_it_appears() -> None:
    redact.register_secret("https://hooks.slack.example/services/T0/B0/XyZsecret")
    redact.register_secret("abc")  # too short to mask without hiding ordinary words
    assert redact.redact("posting to https://hooks.slack.example/services/T0/B0/XyZsecret failed; abc") == (
        "posting to [redacted] failed; abc"
    )


def test_a_secret_read_from_the_environment_is_masked_from_then_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTIMENT_TEST_TOKEN", "  tok-9f8e7d6c5b  ")
    monkeypatch.delenv("SENTIMENT_TEST_UNSET", raising=False)
    assert (redact.env_secret("SENTIMENT_TEST_TOKEN"), redact.env_secret("SENTIMENT_TEST_UNSET")) == (
        "tok-9f8e7d6c5b",
        "",
    )
    assert redact.redact("Authorization: Bearer tok-9f8e7d6c5b") == "Authorization: Bearer [redacted]"


def test_debug_logs_of_a_real_fetch_carry_no_query_value(caplog: pytest.LogCaptureFixture) -> None:
    settings = HttpSettings(timeout_s=2, max_retries=0, allow_private_addresses=True)
    caplog.set_level(logging.DEBUG)
    with LocalServer() as server, HttpClient(settings) as client:
        server.route("/feed.xml", Reply(200, body="<rss/>"))
        server.route("/gone.xml", Reply(404))
        client.get(server.url("/feed.xml?apikey=K-998877"))
        with pytest.raises(FetchError):
            client.get(server.url("/gone.xml?apikey=K-998877"))
    assert "HTTP Request: GET http://127.0.0.1" in caplog.text  # httpx's own request line is there
    assert "apikey=[redacted]" in caplog.text
    assert "K-998877" not in caplog.text


def test_exception_texts_in_logs_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    request = httpx.Request("GET", "https://api.example/v1?access_token=T-445566")
    try:
        httpx.Response(500, request=request).raise_for_status()
    except httpx.HTTPStatusError:
        logging.getLogger("sentiment.test").exception("fetch failed")
    record = caplog.records[-1]
    assert record.exc_text is not None and "access_token=[redacted]" in record.exc_text
    assert "T-445566" not in caplog.text
