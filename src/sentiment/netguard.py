"""Which network addresses the monitor may connect to: public ones, unless the config says otherwise.

A configured URL, a redirect or a webhook can point at the machine's own services or the cloud's
metadata endpoint (``169.254.169.254``), which would hand an attacker who controls one page or one
redirect a way into the network the monitor runs in. The check is made where the connection is opened,
on the addresses the host name resolves to, and the connection goes to the address that was checked:
every redirect hop is covered, and a name that resolves to a public address for a check and to a
private one a moment later (DNS rebinding) cannot slip through.

``http: {allow_private_addresses: true}`` lifts the rule, for the demo and the tests that serve on
localhost, and for a monitor that reads an intranet on purpose.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

from sentiment.errors import SentimentError

Resolver = Callable[[str, int], list[str]]


class BlockedAddress(SentimentError):
    """A connection to a non-public address was refused (``http.allow_private_addresses`` is off)."""


def is_public(address: str) -> bool:
    """True for a globally routable unicast address; loopback, private, link-local, CGNAT, multicast,
    reserved and unspecified addresses are not (IPv4-mapped IPv6 is judged by its IPv4 address)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, in the resolver's order (an IP literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise httpcore.ConnectError(f"cannot resolve {host}: {err.strerror}") from None
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    return seen


def public_addresses(host: str, port: int, resolver: Resolver = resolve) -> list[str]:
    """The addresses of ``host`` if every one is public; raises :class:`BlockedAddress` otherwise.

    All of them must be public, not just the first: a name that lists a public and a private address
    would otherwise reach the private one whenever the public one does not answer.
    """
    addresses = resolver(host, port)
    blocked = [a for a in addresses if not is_public(a)]
    if blocked:
        shown = host if host in blocked else f"{host} ({', '.join(blocked)})"
        raise BlockedAddress(
            f"{shown} is not a public address; allowed: public addresses only, unless the config sets "
            "http: {allow_private_addresses: true}"
        )
    return addresses


class _GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to checked public addresses."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in public_addresses(host, port, self._resolver):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as err:
                last = err
        raise last or httpcore.ConnectError(f"no address for {host}")


def transport(*, allow_private: bool, resolver: Resolver = resolve) -> httpx.HTTPTransport:
    """An httpx transport that refuses non-public addresses unless ``allow_private``.

    TLS still verifies the certificate against the host name (httpcore passes it as the server name
    separately from the address connected to). httpx builds its transport's connection pool itself
    and takes no network backend, so the pool is replaced with one that has the guarded backend; the
    tests that open real sockets through it fail if a new httpx changes that. A proxy named by
    ``HTTP(S)_PROXY`` in the environment connects on the monitor's behalf (httpx mounts it in front of
    this transport): there the proxy's own rules decide.
    """
    result = httpx.HTTPTransport()
    if not allow_private:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
        result._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(resolver),
        )
    return result
