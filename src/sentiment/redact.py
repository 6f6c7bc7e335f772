"""Secrets out of every log line, in one place.

Query strings carry API keys (``?apikey=``), webhook URLs carry tokens (``/hook?token=``), and a URL's
userinfo carries a password; httpx logs every request line with its full URL, and exception texts
quote URLs too. Rather than trusting every call site (ours and the libraries') to log carefully, one
record factory rewrites every log record as it is created, at every level and for every handler
(console, file, Prefect's API log): the values of query parameters and the userinfo of any URL become
``[redacted]`` (parameter names stay, so a line is still readable), and any value registered as a
secret (a credential read from the environment, a webhook URL) is replaced wherever it appears.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import traceback
from typing import Any

MASK = "[redacted]"
_URL = re.compile(
    r"""(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^\s/?#@'"<>]+@)?"""
    r"""(?P<rest>[^\s?#'"<>]*)(?P<query>\?[^\s#'"<>]*)?"""
)
_PARAM = re.compile(r"(?P<name>[^&=;]*)(?P<eq>=?)(?P<value>[^&;]*)")
_MIN_SECRET_CHARS = 6

_lock = threading.Lock()
#: Registered secrets, longest first (a secret containing another is masked whole); replaced as a new
#: tuple on registration, so every log record reads it without locking or sorting.
_secrets: tuple[str, ...] = ()
_installed = False


def register_secret(value: str | None) -> None:
    """Never log ``value`` (a token, a password, a webhook URL); too short a value is ignored, since
    masking every "abc" in every line would hide more than it protects."""
    global _secrets
    if value and len(value.strip()) >= _MIN_SECRET_CHARS:
        with _lock:
            _secrets = tuple(sorted({*_secrets, value.strip()}, key=len, reverse=True))


def env_secret(name: str) -> str:
    """The value of the environment variable ``name`` (stripped; ``""`` when unset), registered as a
    secret. Every credential, webhook URL and salt the product reads comes through here, so none can be
    read without also being kept out of the logs."""
    value = os.environ.get(name, "").strip()
    register_secret(value)
    return value


def _masked_query(query: str) -> str:
    """``?a=1&b=2`` -> ``?a=[redacted]&b=[redacted]``: names kept for reading, values hidden."""
    params = (m for m in _PARAM.finditer(query[1:]) if m.group(0))
    return "?" + "&".join(p.group("name") + (f"={MASK}" if p.group("eq") else "") for p in params)


def _url(match: re.Match[str]) -> str:
    userinfo = f"{MASK}@" if match.group("userinfo") else ""
    query = match.group("query")
    return f"{match.group('scheme')}{userinfo}{match.group('rest')}{_masked_query(query) if query else ''}"


def redact(text: str) -> str:
    """``text`` with URL userinfo, query values and registered secrets masked."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return _URL.sub(_url, text) if "://" in text else text


def install() -> None:
    """Redact every log record created from now on in this process (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed format string is the logging module's to report, not ours
            return record
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        return record

    logging.setLogRecordFactory(factory)
