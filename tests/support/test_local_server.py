"""The test server itself: routes, sequences, handlers, POST recording, delays."""

from __future__ import annotations

import httpx

from tests.support.local_server import LocalServer, RecordedRequest, Reply


def test_routes_sequences_handlers_and_recording() -> None:
    with LocalServer() as server:
        server.route("/fixed", Reply(201, {"X-Test": "1"}, "hello"))
        server.route("/seq", [Reply(500), Reply(200, body="second")])
        server.route("/echo", lambda request: Reply(200, body=request.body[::-1]), method="POST")
        with httpx.Client(base_url=server.base_url) as client:
            fixed = client.get("/fixed?x=1")
            assert (fixed.status_code, fixed.headers["x-test"], fixed.text) == (201, "1", "hello")
            assert [client.get("/seq").status_code for _ in range(3)] == [500, 200, 200]
            assert client.post("/echo", content=b"abc").text == "cba"
            assert client.get("/nowhere").status_code == 404
            assert client.get("/stream").status_code == 404
        posted = server.requests_to("/echo", method="POST")
    assert [(r.method, r.body) for r in posted] == [("POST", b"abc")]
    first = server.requests[0]
    assert (first.path, first.query, first.headers["host"]) == ("/fixed", "x=1", f"127.0.0.1:{server.port}")
    assert [r.path for r in server.requests] == ["/fixed", "/seq", "/seq", "/seq", "/echo", "/nowhere", "/stream"]


def test_chunked_bodies_and_delays() -> None:
    def slow(request: RecordedRequest) -> Reply:
        return Reply(200, body=(part for part in (b"a", b"b", b"c")), delay_s=0.1)

    with LocalServer() as server:
        server.route("/slow", slow)
        response = httpx.get(server.url("slow"))
        assert response.text == "abc"
        assert response.headers["transfer-encoding"] == "chunked"
        assert response.elapsed.total_seconds() >= 0.09
