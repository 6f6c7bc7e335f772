"""Debian's Chromium, headless, driven by Playwright (its own browser download does not work here).

Flags as this machine needs them: as root without the sandbox, and without the background connections a
closed network refuses; a fresh profile per launch.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium_path() -> str | None:
    """Debian's Chromium where installed (``make test`` installs it)."""
    return CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")


@contextmanager
def browser_page(width: int = 1200, height: int = 900) -> Iterator[Page]:
    """A page in a fresh headless Chromium."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("Chromium is not installed: apt-get install chromium (make test does)")
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=executable, headless=True, args=FLAGS,
            viewport={"width": width, "height": height},
        )  # fmt: skip
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def screenshot(page_path: Path, out: Path) -> None:
    """The first screen of a page once its charts are drawn (the README's picture of the report)."""
    with browser_page() as page:
        page.goto(page_path.resolve().as_uri())
        page.wait_for_selector("body[data-charts=drawn]", timeout=60_000)
        page.screenshot(path=str(out))


if __name__ == "__main__":
    import sys

    screenshot(Path(sys.argv[1]), Path(sys.argv[2]))
