"""The HTTP client as an attacker would try it: credentials across origins, private targets, huge robots.txt."""

from __future__ import annotations

import httpx
import pytest

from sentiment import netguard
from sentiment.config import HttpSettings
from sentiment.errors import FetchError
from sentiment.sources.http import ROBOTS_MAX_BYTES, HttpClient
from tests.support.local_server import LocalServer, Reply

SECRETS = {"Authorization": "Bearer tok-123456", "Cookie": "session=abcdef", "X-Api-Key": "key-654321"}


def test_credentials_do_not_follow_a_redirect_to_another_origin(fast_http: HttpSettings) -> None:
    with LocalServer() as api, LocalServer() as other:  # two ports: two origins
        api.route("/v1/search", Reply(302, {"Location": other.url("/landing?x=1")}))
        other.route("/landing", Reply(200, {"Content-Type": "application/json"}, "{}"))
        with HttpClient(fast_http) as client:
            response = client.get(api.url("/v1/search"), headers=SECRETS, robots=False)
    assert response.url == other.url("/landing?x=1")
    sent_to_api = api.requests_to("/v1/search")[0].headers
    received = other.requests_to("/landing")[0].headers
    assert sent_to_api["authorization"] == "Bearer tok-123456" and sent_to_api["x-api-key"] == "key-654321"
    assert "authorization" not in received and "cookie" not in received and "x-api-key" not in received
    assert received["user-agent"] == fast_http.user_agent


def test_credentials_follow_a_redirect_within_the_same_origin(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    local_server.route("/old", Reply(301, {"Location": "/new"}))
    local_server.route("/new", Reply(200, body="{}"))
    with HttpClient(fast_http) as client:
        client.get(local_server.url("/old"), headers=SECRETS, robots=False)
    assert local_server.requests_to("/new")[0].headers["authorization"] == "Bearer tok-123456"


def test_a_loopback_url_is_refused_unless_private_addresses_are_allowed(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    local_server.route("/feed.xml", Reply(200, body="<rss/>"))
    strict = fast_http.model_copy(update={"allow_private_addresses": False})
    with HttpClient(strict) as client, pytest.raises(FetchError) as info:
        client.get(local_server.url("/feed.xml"))
    assert info.value.reason == "private_address"
    assert "127.0.0.1 is not a public address" in str(info.value)
    assert "allow_private_addresses: true" in str(info.value)
    assert local_server.requests == []  # nothing reached the server, not even robots.txt
    with HttpClient(fast_http) as client:
        assert client.get(local_server.url("/feed.xml")).status == 200


class _Split(httpx.BaseTransport):
    """The first hop (``start.test``) answered in memory, every other host through the real guarded transport."""

    def __init__(self, first: httpx.BaseTransport, rest: httpx.BaseTransport) -> None:
        self.first, self.rest = first, rest

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        transport = self.first if request.url.host == "start.test" else self.rest
        return transport.handle_request(request)


def test_a_redirect_to_the_cloud_metadata_address_is_refused(fast_http: HttpSettings) -> None:
    seen: list[str] = []

    def start(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/meta-data/iam"})

    strict = fast_http.model_copy(update={"allow_private_addresses": False})
    transport = _Split(httpx.MockTransport(start), netguard.transport(allow_private=False))
    with HttpClient(strict, transport=transport) as client, pytest.raises(FetchError) as info:
        client.get("http://start.test/feed", robots=False)
    assert seen == ["http://start.test/feed"]
    assert info.value.reason == "private_address"
    assert "169.254.169.254 is not a public address" in str(info.value)


def test_names_are_judged_by_every_address_they_resolve_to() -> None:
    def resolver(answers: dict[str, list[str]]) -> netguard.Resolver:
        return lambda host, port: answers[host]

    lookup = resolver(
        {
            "intranet.test": ["10.0.0.5"],
            "mixed.test": ["93.184.216.34", "192.168.1.10"],
            "mapped.test": ["::ffff:127.0.0.1"],
            "cgnat.test": ["100.64.1.1"],
            "public.test": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
        }
    )
    for host, bad in [("intranet.test", "10.0.0.5"), ("mixed.test", "192.168.1.10"), ("mapped.test", "::ffff:127.0.0.1"),
                      ("cgnat.test", "100.64.1.1")]:  # fmt: skip
        with pytest.raises(netguard.BlockedAddress, match=f"{host} \\({bad}\\) is not a public address"):
            netguard.public_addresses(host, 443, lookup)
    assert netguard.public_addresses("public.test", 443, lookup) == [
        "93.184.216.34",
        "2606:2800:220:1:248:1893:25c8:1946",
    ]


def test_a_robots_txt_over_the_response_limit_is_read_from_its_first_500_kib(
    local_server: LocalServer, fast_http: HttpSettings
) -> None:
    rules = "User-agent: *\nDisallow: /private/\n"
    filler = "# padding to make the file huge\n" * (2 * ROBOTS_MAX_BYTES // 32)
    local_server.route("/robots.txt", Reply(200, {"Content-Type": "text/plain"}, rules + filler + "Disallow: /late/\n"))
    local_server.route("/public/page", Reply(200, body="ok"))
    local_server.route("/late/page", Reply(200, body="ok"))
    small = fast_http.model_copy(update={"max_response_bytes": 100_000})
    with HttpClient(small) as client:
        assert client.get(local_server.url("/public/page")).content == b"ok"
        with pytest.raises(FetchError) as info:
            client.get(local_server.url("/private/x"))
        # The rule past 500 KiB was never read, so it does not apply.
        assert client.get(local_server.url("/late/page")).content == b"ok"
    assert info.value.reason == "robots"
    assert len(local_server.requests_to("/robots.txt")) == 1
