"""Progress for long steps (preparing the model, scoring): a bar on a terminal, log lines elsewhere.

The library takes plain ``callback(done, total)`` functions; this module makes them for the CLI and the
flows, so nothing below knows whether a person is watching.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

log = logging.getLogger("sentiment.progress")


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """Yield ``callback(done, total)``; draws a bar on a TTY, logs every quarter otherwise."""
    if sys.stderr.isatty():
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=False
        ) as bar:
            task = bar.add_task(description, total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            yield update
        return
    last = [-1]

    def log_update(done: int, total: int) -> None:
        quarter = (4 * done // total) if total else 4
        if quarter != last[0]:
            last[0] = quarter
            log.info("%s: %d/%d", description, done, total)

    yield log_update
