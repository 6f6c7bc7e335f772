"""Decoding response bodies whose declared charsets may lie."""

from __future__ import annotations

import codecs

import pytest

from sentiment.parse.decode import (
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
    decoded = decode_body(b"ok \x81\x8d\x8f\x90\x9d", "text/html; charset=utf-8")
    assert (decoded.text, decoded.replaced) == ("ok \ufffd\ufffd\ufffd\ufffd\ufffd", 5)


REVIEWS = [
    "Świetna kawa, obsługa miła i szybka. Polecam każdemu!",
    "Größter Käsekuchen der Stadt, überall gelobt.",
    "Zażółć gęślą jaźń: ciasto było pyszne, ale drożej niż rok temu.",
]
PAGE = "<!doctype html><html><body>" + "".join(f"<p>{r}</p>" for r in REVIEWS) + "</body></html>"


@pytest.mark.parametrize(
    ("content_type", "declared"),
    [("text/html; charset=utf-8", True), (None, False), ("text/html; charset=iso-8859-1", False)],
)
def test_one_bad_byte_in_a_utf8_page_is_replaced_and_counted(content_type: str | None, declared: bool) -> None:
    content = PAGE.encode().replace("Größter ".encode(), "Größter ".encode() + b"\xff")
    decoded = decode_body(content, content_type)
    assert (decoded.encoding, decoded.declared, decoded.replaced) == ("utf-8", declared, 1)
    assert decoded.text == PAGE.replace("Größter ", "Größter \ufffd")


def test_a_windows_1252_page_declared_utf8_is_still_read_as_windows_1252() -> None:
    text = "<p>Très bon café, service rapide. Größter Käsekuchen – „super“!</p>" * 3
    decoded = decode_body(text.encode("cp1252"), "text/html; charset=utf-8")
    assert (decoded.text, decoded.encoding, decoded.declared, decoded.replaced) == (text, "cp1252", False, 0)


@pytest.mark.parametrize(
    ("bad", "text", "encoding", "replaced"),
    [
        (4, "żó \ufffd\ufffd\ufffd\ufffd", "utf-8", 4),  # 4 of 8 non-ASCII bytes fail: UTF-8 still fits
        (5, "Å¼Ã³ ÿÿÿÿÿ", "cp1252", 0),  # 5 of 9: it does not
    ],
)
def test_the_declared_codec_must_fit_most_non_ascii_bytes(bad: int, text: str, encoding: str, replaced: int) -> None:
    decoded = decode_body("żó ".encode() + b"\xff" * bad, "text/html; charset=utf-8")
    assert (decoded.text, decoded.encoding, decoded.replaced) == (text, encoding, replaced)


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
