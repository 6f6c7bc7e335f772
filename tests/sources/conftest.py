"""Fixtures for the source tests: the local HTTP server, and HTTP settings that keep the tests fast."""

from __future__ import annotations

import pytest

from sentiment.config import HttpSettings
from tests.support.fixtures import local_server

__all__ = ["local_server"]


@pytest.fixture
def fast_http() -> HttpSettings:
    """Short timeouts and backoff, so that retries are exercised without slowing the suite; the local
    server listens on 127.0.0.1, which only ``allow_private_addresses`` lets the client reach."""
    return HttpSettings(
        user_agent="sentiment-monitor-test/0.1 (+https://example.invalid/test)",
        timeout_s=0.5,
        max_retries=2,
        backoff_s=0.05,
        max_retry_after_s=5,
        max_pages=10,
        allow_private_addresses=True,
    )
