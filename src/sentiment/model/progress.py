"""The progress-callback type shared by the model build, training and prediction.

The library never prints; long steps call ``progress(done, total, description)`` so that the CLI (or a
Prefect task) can show a bar or log lines as it sees fit.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, desc: str) -> None:
    """The default callback: report nothing."""
