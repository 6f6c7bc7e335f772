"""Builders for the source tests: configs, and small HTML/feed documents written for one test."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from sentiment.config import HttpSettings, MonitorConfig, SourceConfig
from sentiment.records import Mention, SourceOutcome
from sentiment.sources.base import Source
from sentiment.sources.http import HttpClient
from sentiment.text.prepare import prepare

BRAND = "Acme"
LOCATION = "Acme Krakow"


def source_config(name: str, kind: str, url: str, **options: Any) -> SourceConfig:
    return SourceConfig(name=name, kind=kind, url=url, brand=BRAND, location=LOCATION, options=options)


def monitor(http: HttpSettings, *sources: SourceConfig) -> MonitorConfig:
    """A minimal valid monitor config: one brand with one location, the given sources."""
    return MonitorConfig.model_validate(
        {
            "brands": [{"name": BRAND, "locations": [{"name": LOCATION}]}],
            "sources": [s.model_dump() for s in sources],
            "http": http.model_dump(),
        }
    )


def review(author: str, date: str, body: str, rating: int = 4) -> dict[str, Any]:
    return {
        "@type": "Review",
        "author": {"@type": "Person", "name": author},
        "datePublished": date,
        "reviewBody": body,
        "reviewRating": {"@type": "Rating", "ratingValue": rating, "bestRating": 5},
    }


def review_page(reviews: list[dict[str, Any]], *, next_href: str | None = None, name: str = "Acme Krakow") -> str:
    """An HTML page with a LocalBusiness in JSON-LD holding ``reviews``, and an optional rel=next link."""
    data = {
        "@context": "https://schema.org",
        "@type": "LocalBusiness",
        "name": name,
        "aggregateRating": {"@type": "AggregateRating", "ratingValue": "4.2", "reviewCount": "6"},
        "review": reviews,
    }
    link = f'<link rel="next" href="{next_href}">' if next_href else ""
    return (
        f'<!doctype html><html lang="pl"><head><meta charset="utf-8">{link}'
        f'<script type="application/ld+json">{json.dumps(data)}</script></head>'
        "<body><h1>Reviews</h1></body></html>"
    )


def social_config(name: str, kind: str, url: str, **options: Any) -> SourceConfig:
    """A social source: it speaks of the brand, not of one location."""
    return SourceConfig(name=name, kind=kind, url=url, brand=BRAND, options=options)


def social_monitor(http: HttpSettings, *sources: SourceConfig) -> MonitorConfig:
    """Brand "Acme" with the aliases a social post may use ("Acme Coffee", the handle @acmecoffee)."""
    brand: dict[str, Any] = {"name": BRAND, "aliases": ["Acme Coffee"], "locations": [{"name": LOCATION}]}
    return MonitorConfig.model_validate(
        {"brands": [brand], "sources": [s.model_dump() for s in sources], "http": http.model_dump()}
    )


def two_nights(config: SourceConfig, settings: MonitorConfig, http: HttpSettings, database: Path) -> list[int]:
    """Run the nightly flow's fetch and store stages (Prefect only wires them) for one source on two
    nights; returns the new mentions stored each night. The store's cursor must be the last outcome's."""
    from sentiment import pipeline  # imported here: it loads torch, which the parser tests do not need
    from sentiment.store import Store

    new = []
    with Store(database) as store, HttpClient(http) as client:
        for night in (date(2026, 3, 10), date(2026, 3, 11)):
            stats = pipeline.RunStats(run_id=night.isoformat(), as_of=night)
            store.start_run(stats.run_id, as_of=night, config_sha256="test")
            outcome = pipeline.fetch_source(config, settings, store.cursor(config.name), client)
            assert outcome.status == "ok", outcome.error
            new.append(pipeline.store_outcome(store, outcome, settings, stats))
        assert store.cursor(config.name) == outcome.cursor
    return new


def gated(source: Source, outcome: SourceOutcome) -> tuple[list[Mention], dict[str, int]]:
    """What the text stage makes of a fetch (it applies the brand gate and attributes locations), in the
    source's order, and the skips of both stages together, as a source's run record counts them."""
    prepared = prepare(outcome.mentions, monitor=source.monitor, salt="test")
    by_id = {m.id: m for m in prepared.mentions}
    skipped = Counter(outcome.skipped) + prepared.skipped
    return [by_id[m.id] for m in outcome.mentions if m.id in by_id], dict(skipped)
