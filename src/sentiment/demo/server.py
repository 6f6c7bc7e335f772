"""Serve the sample web over real HTTP on localhost, for ``make demo``, the tests and browsing.

The sources under test must do real HTTP (robots.txt, pagination, conditional requests, content
types), so the demo cannot hand them pre-parsed records; a stdlib ``ThreadingHTTPServer`` in a daemon
thread is enough and needs no dependency. Responses carry ``ETag`` and ``Last-Modified`` and answer
``If-None-Match`` / ``If-Modified-Since`` with 304, so a second fetch of the same day exercises the
client's conditional requests.

    with serve_sample_web(today=date(2025, 3, 14)) as web:
        httpx.get(f"{web.base_url}/bella/krakow/reviews?page=2")

``python -m sentiment.demo.server --port 8765`` serves it until Ctrl-C.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import threading
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sentiment.demo.site import DEFAULT_TIMEZONE, Page, SampleData, SampleSite, load_sample_data

__all__ = ["SampleWeb", "main", "serve_sample_web"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    sample: SampleWeb


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "CupAdvisorSample/1.0"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, *, send_body: bool) -> None:
        web = self.server.sample
        web.requests.append(self.path)
        try:
            page = web.site().get(self.path)
        except Exception as err:
            # A rendering bug must show up as a 500 the client can report, not a dropped connection.
            self.log_error("rendering %s failed: %r", self.path, err)
            page = Page(500, "text/plain; charset=utf-8", f"rendering failed: {err!r}\n".encode())
        etag = '"' + hashlib.sha256(page.body).hexdigest()[:20] + '"'
        if page.status == 200 and _not_modified(
            self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"), etag, page
        ):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.send_header("Cache-Control", "max-age=0, must-revalidate")
        if page.status == 200:
            self.send_header("ETag", etag)
            if page.last_modified is not None:
                self.send_header("Last-Modified", format_datetime(page.last_modified.astimezone(UTC), usegmt=True))
        self.end_headers()
        if send_body:
            self.wfile.write(page.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.sample.verbose:
            super().log_message(format, *args)

    def log_error(self, format: str, *args: Any) -> None:
        super().log_message(format, *args)


def _not_modified(if_none_match: str | None, if_modified_since: str | None, etag: str, page: Page) -> bool:
    """RFC 9110: ``If-None-Match`` wins when present; otherwise compare ``If-Modified-Since``."""
    if if_none_match is not None:
        return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
    if if_modified_since and page.last_modified is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and page.last_modified <= since
    return False


class SampleWeb:
    """A running sample web: ``base_url`` (no trailing slash), ``close()``, usable as a context manager.

    With a fixed ``today`` every request renders that day; without one, each request renders the
    current date in ``timezone``, so a server left running over midnight moves on to the next day.
    ``requests`` records every request target in order (tests use it to see what a crawler fetched).
    """

    def __init__(
        self,
        data: SampleData,
        *,
        host: str,
        port: int,
        today: date | None,
        timezone: str,
        verbose: bool = False,
    ) -> None:
        self.data = data
        self.timezone = timezone
        self.verbose = verbose
        self.requests: list[str] = []
        self._fixed_today = today
        self._tz = ZoneInfo(timezone)
        self._sites: dict[date, SampleSite] = {}
        self._lock = threading.Lock()
        self._server = _Server((host, port), _Handler)
        self._server.sample = self
        bound_host, bound_port = self._server.server_address[:2]
        self.host = bound_host.decode() if isinstance(bound_host, bytes) else str(bound_host)
        self.port = int(bound_port)
        url_host = f"[{self.host}]" if ":" in self.host else self.host
        self.base_url = f"http://{url_host}:{self.port}"
        # A short poll interval makes close() return in ~0.1 s instead of the default 0.5 s.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="sample-web", daemon=True
        )
        self._thread.start()
        self._closed = False

    @property
    def today(self) -> date:
        """The day the pages are rendered for (the fixed one, or the current date in ``timezone``)."""
        return self._fixed_today or datetime.now(self._tz).date()

    def site(self) -> SampleSite:
        """The rendered site for :attr:`today` (one per day, built on first use)."""
        today = self.today
        with self._lock:
            site = self._sites.get(today)
            if site is None:
                site = SampleSite(self.data, today=today, base_url=self.base_url, timezone=self.timezone)
                self._sites = {today: site}
            return site

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def close(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SampleWeb:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def serve_sample_web(
    host: str = "127.0.0.1",
    port: int = 0,
    today: date | None = None,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    data: SampleData | None = None,
    verbose: bool = False,
) -> SampleWeb:
    """Start serving the sample web in a daemon thread and return at once (port 0 picks a free port).

    ``today`` fixes the day the data is rendered for; by default it is the current date in
    ``timezone`` (the demo config's zone). ``data`` replaces the bundled data (tests).
    """
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{timezone!r} is not a known IANA time zone; allowed: names such as 'Europe/Warsaw'"
        ) from None
    return SampleWeb(data or load_sample_data(), host=host, port=port, today=today, timezone=timezone, verbose=verbose)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sentiment.demo.server", description="Serve the demo's sample web until Ctrl-C."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port to bind, 0 for any free one (default 8765)")
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="render for this day (YYYY-MM-DD)")
    parser.add_argument("--timezone", default=DEFAULT_TIMEZONE, help=f"zone of 'today' (default {DEFAULT_TIMEZONE})")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args(argv)
    try:
        web = serve_sample_web(args.host, args.port, args.today, timezone=args.timezone, verbose=not args.quiet)
    except (OSError, ValueError) as err:
        print(f"cannot serve the sample web: {err}", file=sys.stderr)
        return 2
    with web:
        print(f"Sample web at {web.base_url}/ (reviews dated up to {web.today}, {web.timezone}); Ctrl-C stops.")
        print(f"For the demo config: export SENTIMENT_DEMO_BASE_URL={web.base_url}")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
