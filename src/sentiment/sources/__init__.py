"""Sources: one module per source kind, a registry, and the shared polite HTTP client.

Each kind fetches through :class:`~sentiment.sources.http.HttpClient`, parses with a pure function and
returns a :class:`~sentiment.records.SourceOutcome`; :func:`~sentiment.sources.registry.build_source`
turns a configured source into its object.
"""

from sentiment.sources.base import RawItem, Source
from sentiment.sources.http import HttpClient, HttpResponse
from sentiment.sources.registry import SOURCE_KINDS, build_source

__all__ = ["SOURCE_KINDS", "HttpClient", "HttpResponse", "RawItem", "Source", "build_source"]
