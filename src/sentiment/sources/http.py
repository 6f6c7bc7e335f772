"""The one polite, robust HTTP client every source fetches through.

Politeness and robustness live here, once, rather than in each source kind: robots.txt, a per-host
concurrency limit and minimum interval, timeouts, retries with exponential backoff that honour
``Retry-After``, a response size limit, bounded redirects, and charset handling that survives servers
that lie. Sources only see :class:`HttpResponse` or a :class:`~sentiment.errors.FetchError` whose
``reason`` the run record counts.

The transport, the sleep function and the clock are injected so that tests can swap the network (an
``httpx.MockTransport`` or a local server) and observe waits without slowing down.
"""

from __future__ import annotations

import email.utils
import json
import logging
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from sentiment import netguard
from sentiment.config import HttpSettings
from sentiment.errors import FetchError
from sentiment.parse.decode import charset_from_content_type, decode_body

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 10
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_MAX_BACKOFF_S = 300.0
_MAX_CRAWL_DELAY_S = 60.0
#: RFC 9309 lets a crawler read robots.txt from its first 500 KiB; a larger file is cut there, not refused.
ROBOTS_MAX_BYTES = 500 * 1024
#: Headers that may follow a redirect to another origin; everything else (Authorization, cookies,
#: API-key headers, conditional validators of the first URL) stays with the origin it was meant for.
_CROSS_ORIGIN_HEADERS = frozenset({"user-agent", "accept", "accept-language"})


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A fully read response: final URL after redirects, status (2xx or 304), headers and body bytes."""

    url: str
    status: int
    headers: httpx.Headers
    content: bytes

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional request: the caller's copy is still current."""
        return self.status == 304

    @property
    def charset(self) -> str | None:
        """The charset the Content-Type header declares (it may lie; :attr:`text` checks it)."""
        return charset_from_content_type(self.headers.get("content-type"))

    @property
    def text(self) -> str:
        """The body decoded with the declared charset when it holds up, else a validated fallback."""
        return decode_body(self.content, self.headers.get("content-type")).text


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delay-seconds or an HTTP-date); ``None`` if invalid."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def loggable_url(url: str) -> str:
    """Host and path only: query strings may carry tokens, and logs are read by many."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path or '/'}"


class _Retryable(Exception):
    """One attempt failed in a way worth retrying; carries the error to raise when retries run out."""

    def __init__(self, error: FetchError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class _Robots:
    """The parsed robots.txt of one origin, or the error that made it unreachable."""

    def __init__(self, parser: urllib.robotparser.RobotFileParser | None, error: FetchError | None) -> None:
        self.parser = parser
        self.error = error


class HttpClient:
    """A thread-safe, polite HTTP GET client around one ``httpx.Client``; use it as a context manager.

    Several sources run in threads and share one instance, so that the per-host limits and the robots.txt
    cache hold across all of them.
    """

    def __init__(
        self,
        settings: HttpSettings,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._client = httpx.Client(
            transport=transport or netguard.transport(allow_private=settings.allow_private_addresses),
            timeout=httpx.Timeout(settings.timeout_s),
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent},
        )
        self._lock = threading.Lock()
        self._host_slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}
        self._crawl_delay: dict[str, float] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, headers: Mapping[str, str] | None = None, robots: bool = True) -> HttpResponse:
        """GET ``url`` politely and return the whole response (2xx, or 304 for a conditional request).

        ``timeout_s`` bounds each socket operation and also the whole body read, so a server that
        trickles bytes cannot hold a worker. Raises :class:`FetchError` with ``reason`` one of ``robots``,
        ``robots_unreachable``, ``http_<status>``, ``timeout``, ``connection``, ``too_large``,
        ``retry_after_too_long``, ``redirect_loop``, ``too_many_redirects``, ``invalid_url``, ``decoding``,
        ``private_address`` (a non-public target, see :mod:`sentiment.netguard`).

        A redirect to another origin (scheme, host or port) carries only ``User-Agent`` and ``Accept``
        headers: credentials given for one API never reach another host, as browsers and httpx's own
        auth flow behave.

        ``robots=False`` is for documented API endpoints (Mastodon, Bluesky, Reddit OAuth, Algolia):
        robots.txt governs crawlers of pages, and Reddit's disallows everything while its terms send
        clients to the OAuth API. Rate limits, retries and size limits still apply.
        """
        return self._get(url, headers or {}, check_robots=self.settings.respect_robots and robots)

    def post(
        self,
        url: str,
        *,
        form: Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """POST a form or a JSON body to an API endpoint (a login, a token grant) and return a 2xx answer.

        Retried like a GET (429, 5xx, timeouts: these endpoints are idempotent), never redirected (an
        answer that redirects a login is an error, not something to follow with credentials) and not
        checked against robots.txt. Bodies and headers carry secrets, so neither is ever logged; errors
        name the URL's host and path only.
        """
        request_headers = dict(headers or {})
        if form is not None:
            content = urlencode(form).encode("ascii")
            request_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        else:
            content = json.dumps(json_body).encode("utf-8")
            request_headers.setdefault("Content-Type", "application/json")
        if not url.startswith(("http://", "https://")):
            raise FetchError(
                f"{urlsplit(url).scheme or 'no'} scheme in {loggable_url(url)}; allowed: http, https",
                reason="invalid_url",
                url=url,
            )
        return self._accept(self._fetch_with_retries(url, request_headers, method="POST", content=content))

    def _get(
        self, url: str, headers: Mapping[str, str], *, check_robots: bool, truncate_at: int | None = None
    ) -> HttpResponse:
        seen = {url}
        current = url
        origin = _origin(url)
        for _ in range(MAX_REDIRECTS + 1):
            if not current.startswith(("http://", "https://")):
                raise FetchError(
                    f"{urlsplit(current).scheme or 'no'} scheme in {loggable_url(current)}; allowed: http, https",
                    reason="invalid_url",
                    url=current,
                )
            if check_robots:
                self._check_robots(current)
            response = self._fetch_with_retries(current, headers, truncate_at=truncate_at)
            location = response.headers.get("location")
            if response.status not in _REDIRECT_STATUSES or not location:
                return self._accept(response)
            target = urljoin(current, location.strip())
            logger.debug("redirect %s -> %s", loggable_url(current), loggable_url(target))
            if target in seen:
                raise FetchError(
                    f"redirect loop at {loggable_url(target)} (from {loggable_url(url)})",
                    reason="redirect_loop",
                    url=url,
                )
            seen.add(target)
            current = target
            if _origin(current) != origin:
                headers = {k: v for k, v in headers.items() if k.lower() in _CROSS_ORIGIN_HEADERS}
        raise FetchError(
            f"more than {MAX_REDIRECTS} redirects from {loggable_url(url)}", reason="too_many_redirects", url=url
        )

    def _accept(self, response: HttpResponse) -> HttpResponse:
        if 200 <= response.status < 300 or response.status == 304:
            return response
        raise FetchError(
            f"HTTP {response.status} for {loggable_url(response.url)}",
            reason=f"http_{response.status}",
            url=response.url,
        )

    def _fetch_with_retries(
        self,
        url: str,
        headers: Mapping[str, str],
        *,
        method: str = "GET",
        content: bytes | None = None,
        truncate_at: int | None = None,
    ) -> HttpResponse:
        attempts = self.settings.max_retries + 1
        for attempt in range(attempts):
            try:
                return self._attempt(url, headers, method, content, truncate_at)
            except _Retryable as failure:
                if failure.retry_after is not None and failure.retry_after > self.settings.max_retry_after_s:
                    raise FetchError(
                        f"{loggable_url(url)} asks to retry after {failure.retry_after:.0f} s, more than "
                        f"the allowed {self.settings.max_retry_after_s:.0f} s (http.max_retry_after_s)",
                        reason="retry_after_too_long",
                        url=url,
                    ) from None
                if attempt + 1 == attempts:
                    raise failure.error from None
                delay = min(self.settings.backoff_s * 2**attempt, _MAX_BACKOFF_S)
                if failure.retry_after is not None:
                    delay = max(delay, failure.retry_after)
                logger.warning(
                    "retry %d/%d of %s in %.2f s: %s",
                    attempt + 1,
                    attempts - 1,
                    loggable_url(url),
                    delay,
                    failure.error,
                )
                self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(
        self, url: str, headers: Mapping[str, str], method: str, content: bytes | None, truncate_at: int | None
    ) -> HttpResponse:
        """One request, body streamed under the size limit, inside the host's concurrency slot."""
        with self._host_slot(urlsplit(url).netloc.lower()):
            started = self._clock()
            try:
                with self._client.stream(method, url, headers=dict(headers), content=content) as stream:
                    body = self._read_body(stream, url, started, truncate_at)
                    response = HttpResponse(str(stream.url), stream.status_code, stream.headers, body)
            except netguard.BlockedAddress as err:
                raise FetchError(f"refused {loggable_url(url)}: {err}", reason="private_address", url=url) from None
            except httpx.TimeoutException as err:
                raise _Retryable(
                    FetchError(f"timeout fetching {loggable_url(url)}: {err!r}", reason="timeout", url=url)
                ) from None
            except httpx.UnsupportedProtocol as err:
                raise FetchError(f"unsupported URL {loggable_url(url)}: {err}", reason="invalid_url", url=url) from None
            except httpx.InvalidURL as err:
                raise FetchError(f"invalid URL {loggable_url(url)}: {err}", reason="invalid_url", url=url) from None
            except httpx.TransportError as err:
                raise _Retryable(
                    FetchError(f"connection error for {loggable_url(url)}: {err!r}", reason="connection", url=url)
                ) from None
            except httpx.DecodingError as err:
                raise FetchError(
                    f"undecodable body from {loggable_url(url)}: {err}", reason="decoding", url=url
                ) from None
        logger.info("%s %s -> %d (%d bytes)", method, loggable_url(url), response.status, len(response.content))
        if response.status == 429 or response.status >= 500:
            raise _Retryable(
                FetchError(
                    f"HTTP {response.status} for {loggable_url(url)}", reason=f"http_{response.status}", url=url
                ),
                parse_retry_after(response.headers.get("retry-after")),
            )
        return response

    def _read_body(self, stream: httpx.Response, url: str, started: float, truncate_at: int | None) -> bytes:
        """Read the (decompressed) body, aborting past the size limit or the whole-response deadline.

        With ``truncate_at`` the body is cut at that many bytes instead of failing past the limit
        (robots.txt), and the rest is never read.
        """
        limit = self.settings.max_response_bytes
        declared = stream.headers.get("content-length", "")
        if truncate_at is None and declared.isdigit() and int(declared) > limit:
            raise self._too_large(url, f"Content-Length {declared}")
        chunks: list[bytes] = []
        size = 0
        for chunk in stream.iter_bytes():
            if truncate_at is not None and size + len(chunk) >= truncate_at:
                chunks.append(chunk[: truncate_at - size])
                size = truncate_at
                break
            size += len(chunk)
            if truncate_at is None and size > limit:
                raise self._too_large(url, f"more than {size} bytes read")
            if self._clock() - started > self.settings.timeout_s:
                raise httpx.ReadTimeout(f"whole response took longer than {self.settings.timeout_s} s")
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, url: str, what: str) -> FetchError:
        return FetchError(
            f"{loggable_url(url)} is larger than {self.settings.max_response_bytes} bytes "
            f"(http.max_response_bytes): {what}",
            reason="too_large",
            url=url,
        )

    @contextmanager
    def _host_slot(self, host: str) -> Iterator[None]:
        """Hold one of the host's concurrency slots, started no sooner than its minimum interval allows."""
        with self._lock:
            slot = self._host_slots.get(host)
            if slot is None:
                slot = self._host_slots[host] = threading.BoundedSemaphore(self.settings.per_host_concurrency)
        with slot:
            interval = max(self.settings.min_interval_s, self._crawl_delay.get(host, 0.0))
            with self._lock:
                now = self._clock()
                start = max(now, self._next_start.get(host, now))
                self._next_start[host] = start + interval
            if start > now:
                self._sleep(start - now)
            yield

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.path == "/robots.txt":
            return
        robots = self._robots_for(f"{parts.scheme}://{parts.netloc}".lower())
        if robots.error is not None:
            # A host that is down or refused reports as such; a host whose robots.txt errors is left alone.
            network = robots.error.reason in ("timeout", "connection", "private_address")
            raise FetchError(
                f"robots.txt of {parts.netloc} could not be read ({robots.error.reason}), so nothing there "
                f"is fetched: {robots.error}",
                reason=robots.error.reason if network else "robots_unreachable",
                url=url,
            )
        if robots.parser is not None and not robots.parser.can_fetch(self.settings.user_agent, url):
            raise FetchError(f"robots.txt disallows {loggable_url(url)}", reason="robots", url=url)

    def _robots_for(self, origin: str) -> _Robots:
        """Fetch an origin's robots.txt once per client (RFC 9309: 4xx allows all, 5xx/unreachable none)."""
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            cached = self._robots.get(origin)
            if cached is not None:
                return cached
            parser = urllib.robotparser.RobotFileParser(f"{origin}/robots.txt")
            robots = _Robots(parser, None)
            try:
                response = self._get(f"{origin}/robots.txt", {}, check_robots=False, truncate_at=ROBOTS_MAX_BYTES)
                content = response.content
                if len(content) >= ROBOTS_MAX_BYTES:
                    content = content[: content.rfind(b"\n") + 1]  # a rule cut in half is no rule
                parser.parse(content.decode("utf-8", errors="replace").splitlines())
            except FetchError as err:
                if err.reason.startswith("http_4"):
                    parser.parse([])
                else:
                    robots = _Robots(None, err)
            if robots.parser is not None:
                delay = robots.parser.crawl_delay(self.settings.user_agent)
                if delay:
                    with self._lock:
                        self._crawl_delay[urlsplit(origin).netloc] = min(float(delay), _MAX_CRAWL_DELAY_S)
            self._robots[origin] = robots
            return robots


def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the default port filled in: what "the same origin" compares."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    try:
        port = parts.port or default
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port
