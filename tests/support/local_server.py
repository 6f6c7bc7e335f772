"""A small threaded HTTP server on 127.0.0.1 for tests: configurable routes, every request recorded.

Tests of fetching (retries, Retry-After, robots.txt, redirects, size limits, conditional requests) and of
sending (webhooks) need a real socket but never the internet. Routes map a path to a :class:`Reply`, a
list of replies served in turn (the last one repeats), or a function of the request; unknown paths get
404. Each request is recorded with its method, path, headers, body and arrival time, so tests can assert
what was sent and how far apart (``time.monotonic()``, the clock the client's backoff uses).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

Body = bytes | str | Iterable[bytes]


@dataclass(frozen=True)
class Reply:
    """One response. ``body`` as str is sent UTF-8 encoded; an iterable of bytes is sent chunked.

    ``delay_s`` waits before the status line (a slow server, to trigger client timeouts).
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Body = b""
    delay_s: float = 0.0


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server saw it; ``headers`` keys are lower-case."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    time: float


Handler = Callable[[RecordedRequest], Reply]
Route = Reply | Sequence[Reply] | Handler


class _Route:
    def __init__(self, route: Route) -> None:
        self._route = route
        self._served = 0
        self._lock = threading.Lock()

    def reply(self, request: RecordedRequest) -> Reply:
        if isinstance(self._route, Reply):
            return self._route
        if callable(self._route):
            return self._route(request)
        with self._lock:
            index = min(self._served, len(self._route) - 1)
            self._served += 1
        return self._route[index]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, size limits, closed keep-alive connections) are normal here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LocalServer:
    """Start with ``with LocalServer() as server:`` (or the ``local_server`` fixture)."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str | None, str], _Route] = {}
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _make_handler(self))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def route(self, path: str, route: Route, *, method: str | None = None) -> None:
        """Serve ``route`` at ``path`` (exact path, or path with query) for ``method`` (any if None)."""
        with self._lock:
            self._routes[(method.upper() if method else None, path)] = _Route(route)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        """Requests whose path (without query) is ``path``."""
        return [r for r in self.requests if r.path == path and (method is None or r.method == method.upper())]

    def start(self) -> LocalServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="local-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _record(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self._requests.append(request)
            full = f"{request.path}?{request.query}" if request.query else request.path
            route = None
            for key in ((request.method, full), (None, full), (request.method, request.path), (None, request.path)):
                route = self._routes.get(key)
                if route is not None:
                    break
        if route is None:
            return Reply(404, {"Content-Type": "text/plain"}, b"not found")
        return route.reply(request)


def _make_handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = RecordedRequest(
                method=self.command,
                path=parts.path,
                query=parts.query,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                time=time.monotonic(),
            )
            reply = server._record(request)
            if reply.delay_s:
                time.sleep(reply.delay_s)
            try:
                self._send(reply)
            except ConnectionError:
                self.close_connection = True

        def _send(self, reply: Reply) -> None:
            self.send_response(reply.status)
            headers = {k.lower(): v for k, v in reply.headers.items()}
            for name, value in reply.headers.items():
                self.send_header(name, value)
            body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
            if reply.status in (204, 304):
                self.end_headers()
                return
            if isinstance(body, bytes):
                if "content-length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                return
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in body:
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: the recorded requests are the log."""

    return _Handler
