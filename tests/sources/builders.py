"""Builders for the source tests: configs, and small HTML/feed documents written for one test."""

from __future__ import annotations

import json
from typing import Any

from sentiment.config import HttpSettings, MonitorConfig, SourceConfig

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
