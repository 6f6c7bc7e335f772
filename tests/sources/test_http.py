"""The shared HTTP client against a real local server: retries, Retry-After, robots.txt, limits."""

from __future__ import annotations

import email.utils
import itertools
import logging
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from sentiment.config import HttpSettings
from sentiment.errors import FetchError
from sentiment.sources.http import MAX_REDIRECTS, HttpClient, loggable_url, parse_retry_after
from tests.support.local_server import LocalServer, RecordedRequest, Reply


def settings(base: HttpSettings, **changes: object) -> HttpSettings:
    return base.model_copy(update=changes)


class Sleeps:
    """Records the waits the client asks for, and does not wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def fetch_error(client: HttpClient, url: str) -> FetchError:
    with pytest.raises(FetchError) as info:
        client.get(url)
    return info.value


def test_get_sends_user_agent_and_returns_the_body(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/page", Reply(200, {"Content-Type": "text/html; charset=utf-8"}, "<p>zażółć</p>"))
    with HttpClient(fast_http) as client:
        response = client.get(local_server.url("/page"))
    assert response.status == 200
    assert response.text == "<p>zażółć</p>"
    assert response.url == local_server.url("/page")
    assert local_server.requests_to("/page")[0].headers["user-agent"] == fast_http.user_agent
    assert [r.path for r in local_server.requests] == ["/robots.txt", "/page"]  # robots.txt first, once


def test_persistent_500_is_retried_with_exponential_backoff_then_fails(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    local_server.route("/down", Reply(500, body="oops"))
    sleeps = Sleeps()
    with HttpClient(fast_http, sleep=sleeps) as client:
        error = fetch_error(client, local_server.url("/down"))
    assert error.reason == "http_500"
    assert len(local_server.requests_to("/down")) == 1 + fast_http.max_retries  # 2 retries, then it fails
    assert sleeps.calls == [0.05, 0.1]


def test_a_transient_503_is_retried_into_success(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/flaky", [Reply(503), Reply(200, body="fine")])
    with HttpClient(fast_http, sleep=Sleeps()) as client:
        assert client.get(local_server.url("/flaky")).text == "fine"
    assert len(local_server.requests_to("/flaky")) == 2  # one retry


def test_404_fails_at_once_without_retries(local_server: LocalServer, fast_http: HttpSettings) -> None:
    with HttpClient(fast_http, sleep=Sleeps()) as client:
        error = fetch_error(client, local_server.url("/missing"))
    assert error.reason == "http_404"
    assert len(local_server.requests_to("/missing")) == 1


def test_a_slow_server_times_out_after_retries(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/slow", Reply(200, body="late", delay_s=1.0))
    quick = settings(fast_http, timeout_s=0.2, max_retries=1, respect_robots=False)
    with HttpClient(quick, sleep=Sleeps()) as client:
        error = fetch_error(client, local_server.url("/slow"))
    assert error.reason == "timeout"
    assert len(local_server.requests_to("/slow")) == 2


def test_connection_refused_is_a_connection_error(fast_http: HttpSettings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with HttpClient(settings(fast_http, max_retries=1), sleep=Sleeps()) as client:
        error = fetch_error(client, f"http://127.0.0.1:{port}/x")
    assert error.reason == "connection"


def test_429_retry_after_is_waited_out(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/busy", [Reply(429, {"Retry-After": "1"}), Reply(200, body="ok now")])
    with HttpClient(fast_http) as client:
        assert client.get(local_server.url("/busy")).text == "ok now"
    first, second = local_server.requests_to("/busy")
    assert second.time - first.time >= 0.95


def test_retry_after_longer_than_the_cap_gives_up_at_once(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/later", Reply(503, {"Retry-After": "3600"}))
    sleeps = Sleeps()
    with HttpClient(fast_http, sleep=sleeps) as client:
        error = fetch_error(client, local_server.url("/later"))
    assert error.reason == "retry_after_too_long"
    assert len(local_server.requests_to("/later")) == 1
    assert sleeps.calls == []


def test_parse_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Mon, 23 Nov 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Mon, 23 Nov 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_robots_txt_is_fetched_once_and_its_disallow_is_obeyed(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    local_server.route("/robots.txt", Reply(200, body="User-agent: *\nDisallow: /private/\n"))
    local_server.route("/public", Reply(200, body="yes"))
    local_server.route("/private/page", Reply(200, body="no"))
    with HttpClient(fast_http) as client:
        assert client.get(local_server.url("/public")).text == "yes"
        error = fetch_error(client, local_server.url("/private/page"))
        assert client.get(local_server.url("/public")).text == "yes"
    assert error.reason == "robots"
    assert local_server.requests_to("/private/page") == []
    assert len(local_server.requests_to("/robots.txt")) == 1


def test_robots_rules_for_our_user_agent_apply(local_server: LocalServer, fast_http: HttpSettings) -> None:
    rules = "User-agent: otherbot\nDisallow:\n\nUser-agent: sentiment-monitor-test\nDisallow: /\n"
    local_server.route("/robots.txt", Reply(200, body=rules))
    with HttpClient(fast_http) as client:
        assert fetch_error(client, local_server.url("/anything")).reason == "robots"


def test_robots_txt_that_fails_with_5xx_blocks_the_host(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/robots.txt", Reply(500))
    local_server.route("/page", Reply(200, body="x"))
    with HttpClient(fast_http, sleep=Sleeps()) as client:
        assert fetch_error(client, local_server.url("/page")).reason == "robots_unreachable"
        assert fetch_error(client, local_server.url("/page")).reason == "robots_unreachable"
    assert local_server.requests_to("/page") == []
    assert len(local_server.requests_to("/robots.txt")) == 1 + fast_http.max_retries


def test_robots_can_be_switched_off(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/robots.txt", Reply(200, body="User-agent: *\nDisallow: /\n"))
    local_server.route("/page", Reply(200, body="x"))
    with HttpClient(settings(fast_http, respect_robots=False)) as client:
        assert client.get(local_server.url("/page")).text == "x"
    assert local_server.requests_to("/robots.txt") == []


def test_conditional_request_304_is_returned_not_raised(local_server: LocalServer, fast_http: HttpSettings) -> None:
    def feed(request: RecordedRequest) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304, {"ETag": '"v1"'})
        return Reply(200, {"ETag": '"v1"'}, "<rss/>")

    local_server.route("/feed", feed)
    with HttpClient(fast_http) as client:
        first = client.get(local_server.url("/feed"))
        second = client.get(local_server.url("/feed"), headers={"If-None-Match": first.headers["etag"]})
    assert (first.status, first.not_modified) == (200, False)
    assert (second.status, second.not_modified, second.content) == (304, True, b"")


def test_redirects_are_followed_to_the_final_url(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/old", Reply(301, {"Location": "/new"}))
    local_server.route("/new", Reply(200, body="moved"))
    with HttpClient(fast_http) as client:
        response = client.get(local_server.url("/old"))
    assert (response.url, response.text) == (local_server.url("/new"), "moved")


def test_a_redirect_loop_ends_with_a_fetch_error(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/a", Reply(302, {"Location": "/b"}))
    local_server.route("/b", Reply(302, {"Location": "/a"}))
    with HttpClient(fast_http) as client:
        assert fetch_error(client, local_server.url("/a")).reason == "redirect_loop"
    assert [r.path for r in local_server.requests if r.path != "/robots.txt"] == ["/a", "/b"]


def test_an_endless_redirect_chain_is_bounded(local_server: LocalServer, fast_http: HttpSettings) -> None:
    def onwards(request: RecordedRequest) -> Reply:
        return Reply(302, {"Location": f"/hop?n={int(request.query.split('=')[1]) + 1}"})

    local_server.route("/hop", onwards)
    with HttpClient(fast_http) as client:
        assert fetch_error(client, local_server.url("/hop?n=0")).reason == "too_many_redirects"
    assert len(local_server.requests_to("/hop")) == MAX_REDIRECTS + 1


def test_a_6_mb_body_hits_the_size_limit(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/big", Reply(200, body=b"x" * 6_000_000))
    with HttpClient(fast_http) as client:
        error = fetch_error(client, local_server.url("/big"))
    assert error.reason == "too_large"
    assert len(local_server.requests_to("/big")) == 1


def test_a_streamed_body_without_length_is_cut_at_the_limit(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/stream", Reply(200, body=(b"y" * 100_000 for _ in range(60))))
    with HttpClient(fast_http) as client:
        assert fetch_error(client, local_server.url("/stream")).reason == "too_large"


def test_per_host_concurrency_is_limited(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/slow", Reply(200, body="x", delay_s=0.15))
    one_at_a_time = settings(fast_http, per_host_concurrency=1, timeout_s=5, respect_robots=False)
    with HttpClient(one_at_a_time) as client:
        threads = [threading.Thread(target=client.get, args=(local_server.url("/slow"),)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    times = sorted(r.time for r in local_server.requests_to("/slow"))
    assert len(times) == 3
    assert all(later - earlier >= 0.14 for earlier, later in itertools.pairwise(times))


def test_minimum_interval_between_requests_to_a_host(local_server: LocalServer, fast_http: HttpSettings) -> None:
    """On a virtual clock that moves only when the client sleeps: each request after the first waits
    exactly the interval (a wall-clock check of the arrival times flaked on a busy machine)."""
    local_server.route("/p", Reply(200, body="x"))
    now = [1000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        now[0] += seconds

    config = settings(fast_http, min_interval_s=0.2, respect_robots=False)
    with HttpClient(config, sleep=sleep, clock=lambda: now[0]) as client:
        for _ in range(3):
            client.get(local_server.url("/p"))
    assert slept == [0.2, 0.2]
    assert len(local_server.requests_to("/p")) == 3


def test_text_survives_a_charset_that_lies(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route(
        "/latin", Reply(200, {"Content-Type": "text/html; charset=utf-8"}, "Notícias à mão".encode("latin-1"))
    )
    with HttpClient(fast_http) as client:
        response = client.get(local_server.url("/latin"))
    assert response.charset == "utf-8"
    assert response.text == "Notícias à mão"


def test_logs_name_host_and_path_but_not_the_query(
    local_server: LocalServer, fast_http: HttpSettings, caplog: pytest.LogCaptureFixture
) -> None:
    local_server.route("/api", Reply(200, body="{}"))
    with caplog.at_level(logging.DEBUG, logger="sentiment.sources.http"), HttpClient(fast_http) as client:
        client.get(local_server.url("/api?token=s3cr3t"))
    assert "/api" in caplog.text
    assert "s3cr3t" not in caplog.text
    assert loggable_url("https://h.example/p?q=1#f") == "h.example/p"


def test_a_non_http_url_is_refused(fast_http: HttpSettings) -> None:
    with HttpClient(fast_http) as client:
        assert fetch_error(client, "ftp://example.invalid/file").reason == "invalid_url"


def test_threads_share_one_robots_fetch(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/robots.txt", Reply(200, body="User-agent: *\nAllow: /\n", delay_s=0.1))
    local_server.route("/p", Reply(200, body="x"))
    with HttpClient(settings(fast_http, per_host_concurrency=4)) as client:
        threads = [threading.Thread(target=client.get, args=(local_server.url("/p"),)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(local_server.requests_to("/robots.txt")) == 1
    assert len(local_server.requests_to("/p")) == 4


def test_the_transport_can_be_swapped(fast_http: HttpSettings) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, headers={"Content-Type": "text/plain; charset=iso-8859-1"}, content=b"caf\xe9")

    with HttpClient(fast_http, transport=httpx.MockTransport(handler)) as client:
        response = client.get("https://mock.example/x")
    assert (response.status, response.text, response.charset) == (200, "café", "iso-8859-1")


# --- API calls: robots.txt off, POST for logins and token grants ------------------------------------------


def test_api_gets_skip_robots_txt(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/robots.txt", Reply(200, {}, "User-agent: *\nDisallow: /\n"))
    local_server.route("/api/v1/search", Reply(200, {}, "{}"))
    with HttpClient(fast_http) as client:
        assert client.get(local_server.url("/api/v1/search"), robots=False).content == b"{}"
        assert fetch_error(client, local_server.url("/api/v1/search")).reason == "robots"


def test_post_sends_a_form_or_json_and_is_retried(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/token", [Reply(503), Reply(200, {"Content-Type": "application/json"}, '{"ok": 1}')])
    local_server.route("/session", Reply(200, {}, "{}"))
    with HttpClient(fast_http) as client:
        answer = client.post(local_server.url("/token"), form={"grant_type": "client_credentials"})
        client.post(local_server.url("/session"), json_body={"identifier": "a", "password": "p"})
    assert answer.content == b'{"ok": 1}'
    token = local_server.requests_to("/token", "POST")
    assert len(token) == 2 and token[-1].body == b"grant_type=client_credentials"
    assert token[-1].headers["content-type"] == "application/x-www-form-urlencoded"
    [session] = local_server.requests_to("/session", "POST")
    assert (session.body, session.headers["content-type"]) == (
        b'{"identifier": "a", "password": "p"}',
        "application/json",
    )
    assert local_server.requests_to("/robots.txt") == []


def test_a_redirected_post_is_an_error_not_followed(local_server: LocalServer, fast_http: HttpSettings) -> None:
    local_server.route("/login", Reply(302, {"Location": "/elsewhere"}))
    with HttpClient(fast_http) as client, pytest.raises(FetchError) as info:
        client.post(local_server.url("/login"), json_body={"password": "p"})
    assert info.value.reason == "http_302"
    assert local_server.requests_to("/elsewhere") == []


# --- the fault list, with timings measured from the server's own request log ------------------------------


def test_500s_are_retried_after_growing_waits_then_given_up(local_server: LocalServer, fast_http: HttpSettings) -> None:
    """Real sleeps this time: the server sees the attempts at least backoff_s, then 2 x backoff_s apart
    (only lower bounds: a busy machine can only make the waits longer)."""
    local_server.route("/down", Reply(500, body="oops"))
    with HttpClient(settings(fast_http, backoff_s=0.2, respect_robots=False)) as client:
        error = fetch_error(client, local_server.url("/down"))
    assert error.reason == "http_500"
    first, second, third = (r.time for r in local_server.requests_to("/down"))
    assert second - first >= 0.19
    assert third - second >= 0.39


def test_429_with_an_http_date_retry_after_is_waited_out(local_server: LocalServer, fast_http: HttpSettings) -> None:
    """Retry-After as an HTTP-date two seconds ahead (whole seconds, so at least one second's wait)."""

    answers = iter(["busy"])

    def busy_once(request: RecordedRequest) -> Reply:
        if next(answers, None) == "busy":
            when = datetime.now(UTC) + timedelta(seconds=2)
            return Reply(429, {"Retry-After": email.utils.format_datetime(when, usegmt=True)})
        return Reply(200, body="ok now")

    local_server.route("/busy", busy_once)
    with HttpClient(settings(fast_http, respect_robots=False)) as client:
        assert client.get(local_server.url("/busy")).text == "ok now"
    first, second = local_server.requests_to("/busy")
    assert second.time - first.time >= 0.99


def test_a_slow_server_hits_the_timeout_instead_of_being_waited_for(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    """The server answers after 2 s; each of the 2 attempts gives up after timeout_s (0.3 s). The bounds are
    what the test is about, not the machine's speed: waiting for both answers would take 4 s."""
    local_server.route("/slow", Reply(200, body="late", delay_s=2.0))
    quick = settings(fast_http, timeout_s=0.3, max_retries=1, backoff_s=0.05, respect_robots=False)
    with HttpClient(quick) as client:
        started = time.monotonic()
        error = fetch_error(client, local_server.url("/slow"))
        elapsed = time.monotonic() - started
    assert error.reason == "timeout"
    first, second = (r.time for r in local_server.requests_to("/slow"))
    assert second - first >= 0.3 + 0.05 - 0.01
    assert elapsed < 2 * 2.0  # never waited for the answers


def test_a_server_that_trickles_its_body_hits_the_whole_response_deadline(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    """Each chunk arrives well within the socket timeout, but the whole body would take 3 s: the client gives
    up after timeout_s (0.5 s), before the body ends."""

    class Trickle:
        def __iter__(self) -> Iterator[bytes]:
            for _ in range(30):
                yield b"x" * 100
                time.sleep(0.1)

    local_server.route("/trickle", Reply(200, body=Trickle()))
    quick = settings(fast_http, timeout_s=0.5, max_retries=0, respect_robots=False)
    with HttpClient(quick) as client:
        started = time.monotonic()
        error = fetch_error(client, local_server.url("/trickle"))
        elapsed = time.monotonic() - started
    assert error.reason == "timeout"
    assert 0.5 <= elapsed < 3.0


def test_crawl_delay_in_robots_txt_spaces_the_requests(local_server: LocalServer, fast_http: HttpSettings) -> None:
    """A site's Crawl-delay (whole seconds, as Python's robots parser reads it) is a per-host minimum interval,
    checked on a virtual clock that moves only when the client sleeps."""
    local_server.route("/robots.txt", Reply(200, body="User-agent: *\nCrawl-delay: 3\n"))
    local_server.route("/p", Reply(200, body="x"))
    now = [1000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        now[0] += seconds

    with HttpClient(fast_http, sleep=sleep, clock=lambda: now[0]) as client:
        for _ in range(3):
            client.get(local_server.url("/p"))
    assert slept == [3.0, 3.0]
    assert len(local_server.requests_to("/p")) == 3


def test_the_rate_limit_holds_across_threads(local_server: LocalServer, fast_http: HttpSettings) -> None:
    """Sources fetch from threads sharing one client: min_interval_s spaces all their requests to a host."""
    local_server.route("/p", Reply(200, body="x"))
    spaced = settings(fast_http, min_interval_s=0.1, per_host_concurrency=4, respect_robots=False)
    with HttpClient(spaced) as client:
        threads = [
            threading.Thread(target=lambda: [client.get(local_server.url("/p")) for _ in range(3)]) for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    times = sorted(r.time for r in local_server.requests_to("/p"))
    assert len(times) == 12
    # Arrival times jitter by a thread's wake-up, so each gap is checked loosely and their sum closely:
    # unlimited, the 12 requests would arrive within a few milliseconds.
    assert all(later - earlier >= 0.05 for earlier, later in itertools.pairwise(times))
    assert times[-1] - times[0] >= 11 * 0.1 - 0.05
