"""Give freed heap memory back to the system while a long scoring call runs.

Scoring allocates and frees activations of a few MB per layer on several threads. glibc serves them
from per-thread arenas once its mmap threshold has risen past their size (it rises each time a large
block is freed), and an arena keeps freed pages. On ``bench/scoring.py``'s 2,515 texts that held
500-750 MB of free pages, the difference between a 1.6 GB and a 1.2 GB peak.
Measured alternatives: a fixed 1 MB mmap threshold (half the speed: every allocation faults in fresh
pages), at most 1-3 arenas (no lower peak), trimming every 0.5 s (about 5% slower) or every 2 s
(peak 1.27-1.37 GB, about 2% slower). Other C libraries have no ``malloc_trim``: there it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import time
from collections.abc import Callable


def _malloc_trim() -> Callable[[], object] | None:
    """glibc's ``malloc_trim(0)`` (release free pages of every arena), or None elsewhere."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    return lambda: trim(0)


MALLOC_TRIM = _malloc_trim()


class HeapTrimmer:
    """Called after each batch; trims at most once per ``every_s`` seconds of ``clock``."""

    def __init__(
        self,
        every_s: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        trim: Callable[[], object] | None = MALLOC_TRIM,
    ) -> None:
        self.every_s = every_s
        self.clock = clock
        self.trim = trim
        self.last = clock()
        self.trims = 0

    def __call__(self) -> None:
        now = self.clock()
        if self.trim is None or now - self.last < self.every_s:
            return
        self.trim()
        self.trims += 1
        self.last = self.clock()
