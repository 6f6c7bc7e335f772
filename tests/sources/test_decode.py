"""Decoding response bodies whose declared charsets may lie."""

from __future__ import annotations

import codecs

import pytest

from sentiment.sources.decode import (
    charset_from_content_type,
    decode_body,
    sniff_declared_encoding,
    xml_declared_encoding,
)

TEXT = "Zażółć gęślą jaźń — Ótimo café"


@pytest.mark.parametrize(
    ("content", "content_type", "expected", "encoding"),
    [
        (TEXT.encode("utf-8"), "text/html; charset=utf-8", TEXT, "utf-8"),
        ("Ótimo café".encode("latin-1"), "text/xml; charset=utf-8", "Ótimo café", "cp1252"),
        ("Ótimo café".encode(), "text/html; charset=ISO-8859-1", "Ótimo café", "utf-8"),
        ("“quoted” café".encode("cp1252"), "text/html; charset=iso-8859-1", "“quoted” café", "cp1252"),
        ("Zażółć gęślą jaźń".encode("iso-8859-2"), 'text/html; charset="iso-8859-2"', "Zażółć gęślą jaźń", "iso8859-2"),
        (
            b'<?xml version="1.0" encoding="ISO-8859-1"?><a>S\xe3o</a>',
            None,
            '<?xml version="1.0" encoding="ISO-8859-1"?><a>São</a>',
            "cp1252",
        ),
        (
            b'<meta charset="windows-1250"><p>\xbf\xf3\xb3w</p>',
            "text/html",
            '<meta charset="windows-1250"><p>żółw</p>',
            "cp1250",
        ),
        (codecs.BOM_UTF8 + "é".encode(), "text/html; charset=iso-8859-1", "é", "utf-8"),
        ("é".encode("utf-16-le").join([codecs.BOM_UTF16_LE, b""]), None, "é", "utf-16-le"),
        (b"plain ascii", None, "plain ascii", "utf-8"),
        (b"caf\xe9", "text/plain; charset=no-such-codec", "café", "cp1252"),
    ],
)
def test_decode_body(content: bytes, content_type: str | None, expected: str, encoding: str | None) -> None:
    decoded = decode_body(content, content_type)
    assert decoded.text == expected
    if encoding is not None:
        assert decoded.encoding == encoding


def test_undecodable_bytes_never_raise() -> None:
    assert (
        decode_body(b"ok \x81\x8d\x8f\x90\x9d", "text/html; charset=utf-8").text == "ok \ufffd\ufffd\ufffd\ufffd\ufffd"
    )


def test_declaration_helpers() -> None:
    assert charset_from_content_type("application/rss+xml; charset=UTF-8") == "UTF-8"
    assert charset_from_content_type("text/html") is None
    assert charset_from_content_type(None) is None
    assert xml_declared_encoding(b"  <?xml version='1.0' encoding='koi8-r'?><rss/>") == "koi8-r"
    assert xml_declared_encoding(b"<rss/>") is None
    assert (
        sniff_declared_encoding(b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">')
        == "Shift_JIS"
    )
