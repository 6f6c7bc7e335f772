"""pytest fixtures from :mod:`tests.support`; register them with ``from tests.support.fixtures import ...``
in a conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.local_server import LocalServer


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A fresh :class:`LocalServer` on 127.0.0.1 (random port) for one test, stopped afterwards."""
    with LocalServer() as server:
        yield server
