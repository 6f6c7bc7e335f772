"""A local HTTPS-intercepting proxy: chat services' webhooks reach it instead of the internet.

Apprise's Slack, Discord and Telegram plugins post to fixed hosts (``hooks.slack.com`` ...). With
``HTTPS_PROXY`` pointing here (the ``requests`` library apprise uses honours it) the plugin opens a
CONNECT tunnel; the proxy answers it by speaking TLS itself with a throwaway certificate for the asked
host (the channel URL carries ``verify=no``), reads the one HTTP request inside, records it and answers
200 with the body the service would (``ok`` for Slack). Nothing leaves the machine, and the payload
checked is the one the real plugin built.
"""

from __future__ import annotations

import datetime as dt
import json
import ssl
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from socketserver import StreamRequestHandler, ThreadingTCPServer
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Intercepted:
    host: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _certificate(host: str, folder: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / f"{host}.crt", folder / f"{host}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


class _Handler(StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        line = self.rfile.readline().decode("latin-1").split()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        if len(line) < 2 or line[0] != "CONNECT":
            self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        host = line[1].rsplit(":", 1)[0]
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        with self.server.context_for(host).wrap_socket(self.connection, server_side=True) as tls:
            self._serve(host, tls)

    def _serve(self, host: str, tls: ssl.SSLSocket) -> None:
        stream = tls.makefile("rb")
        method, path, _ = stream.readline().decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while (raw := stream.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = stream.read(int(headers.get("content-length", "0")))
        self.server.record(Intercepted(host, method, path, headers, body))
        reply = self.server.replies.get(host, b"ok")
        tls.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            + f"Content-Length: {len(reply)}\r\n\r\n".encode()
            + reply
        )


class _Server(ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, folder: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.folder = folder
        self.contexts: dict[str, ssl.SSLContext] = {}
        self.intercepted: list[Intercepted] = []
        self.replies: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def context_for(self, host: str) -> ssl.SSLContext:
        with self.lock:
            if host not in self.contexts:
                self.contexts[host] = _certificate(host, self.folder)
            return self.contexts[host]

    def record(self, request: Intercepted) -> None:
        with self.lock:
            self.intercepted.append(request)


class InterceptingProxy:
    """``with InterceptingProxy() as proxy:`` then set ``HTTPS_PROXY=proxy.url``; ``proxy.intercepted``
    lists what was posted, ``proxy.replies[host]`` sets what a host answers (default ``ok``)."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory()
        self._server = _Server(Path(self._folder.name))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def intercepted(self) -> list[Intercepted]:
        with self._server.lock:
            return list(self._server.intercepted)

    @property
    def replies(self) -> dict[str, bytes]:
        return self._server.replies

    def __enter__(self) -> InterceptingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._folder.cleanup()
