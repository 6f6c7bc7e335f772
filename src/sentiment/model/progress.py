"""The progress-callback type of the model's long steps (building the encoder, embedding, predicting).

The library never prints: long steps call ``progress(done, total)``, the same plain callback the rest
of the project uses, and :func:`sentiment.progress.progress_bar` turns it into a bar or log lines.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    """The default callback: report nothing."""
