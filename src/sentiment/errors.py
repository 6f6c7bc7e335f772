"""One exception tree for the whole library.

Every message names the bad value and what is allowed, so that a user reading a log line at 02:00 knows
what to fix without opening the code. Secrets (tokens, webhook URLs) never appear in messages: callers
pass the *name* of the environment variable, never its value.
"""

from __future__ import annotations


class SentimentError(Exception):
    """Base of every error this library raises on purpose."""


class ConfigError(SentimentError):
    """The monitor config (or an environment setting it refers to) is invalid."""


class SourceError(SentimentError):
    """A source could not be fetched or parsed; the run skips it and counts it."""

    def __init__(self, message: str, *, reason: str = "error", url: str | None = None) -> None:
        super().__init__(message)
        #: A short machine-readable reason ("http_500", "timeout", "robots", "too_large", "parse" ...)
        #: used to count skips in the run record.
        self.reason = reason
        self.url = url


class FetchError(SourceError):
    """An HTTP fetch failed after its retries (status, timeout, size limit, robots.txt)."""


class ParseError(SourceError):
    """A response was fetched but could not be parsed into mentions."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message, reason="parse", url=url)


class ModelError(SentimentError):
    """The model could not be prepared, loaded or run."""


class StoreError(SentimentError):
    """The DuckDB store refused an operation (schema version, bad value)."""


class NotifyError(SentimentError):
    """A notification channel could not be reached; the alert stays unsent and is retried next run."""
