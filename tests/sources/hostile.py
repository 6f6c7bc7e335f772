"""Hostile and broken response bodies shared by the page sources' tests: what a misconfigured URL, a
broken CMS or a hostile site serves instead of a review page."""

from __future__ import annotations

import gzip
import json
import random
import struct
import zlib

from tests.support.local_server import Reply


def random_bytes(size: int = 4096, seed: int = 20260308) -> bytes:
    """Noise with a fixed seed, so that a failure reproduces."""
    return random.Random(seed).randbytes(size)


def png_image() -> bytes:
    """A real 16x16 RGB PNG (a gradient), as a mistyped image URL serves it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(c for x in range(16) for c in (x * 16, y * 16, 128)) for y in range(16))
    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


#: Bodies that are no HTML page, each with the Content-Type a server sent it with.
NOT_HTML = {
    "random bytes": Reply(200, {"Content-Type": "text/html; charset=utf-8"}, random_bytes()),
    "png": Reply(200, {"Content-Type": "image/png"}, png_image()),
    # A gzipped page without Content-Encoding, as a misconfigured cache serves it.
    "gzip": Reply(200, {"Content-Type": "text/html"}, gzip.compress(b"<html><body>x</body></html>" * 50, mtime=0)),
    "json error": Reply(200, {"Content-Type": "application/json"}, json.dumps({"error": "rate limited", "code": 429})),
}


def ld_script(text: str) -> str:
    return f'<script type="application/ld+json">{text}</script>'


#: JSON-LD blocks nested far beyond any recursion limit: arrays, then objects.
DEEP_ARRAYS = "[" * 100_000 + "]" * 100_000
DEEP_OBJECTS = '{"a":' * 100_000 + "1" + "}" * 100_000
