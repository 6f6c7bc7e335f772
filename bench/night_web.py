"""The web ``bench/night.py`` measures a large night on: N mentions of real texts, served on localhost.

Texts come from the train and validation splits of every sentiment set in ``../shared/data`` (tweets,
restaurant and hotel reviews, customer posts and complaints; 12 languages), the sets
``sentiment.training.reading`` loads. A mention is one to three texts of one language and one label
joined, so that N mentions are N different texts (the product links re-posts and near copies instead of
scoring them; resampled single texts would mostly be copies).

They are spread over ``brands`` brands with ``locations`` locations in all and about ``days`` days, with
the skew real volume has (Zipf: a few brands and locations take most mentions), and served as the kinds
the product reads:

- review pages (70%): one source per location, 20 reviews a page with schema.org markup and ``rel=next``
  (the demo's ``SampleSite``);
- RSS feeds (10%): one per brand (``/feeds/<brand>.xml``), press items that name the brand;
- a social API stand-in (10%): Mastodon's hashtag timeline (``/api/v1/timelines/tag/<brand>``), 40
  statuses a page walked back with ``max_id``;
- file exports (10%): one CSV per brand, with a location column.

:func:`build` is deterministic for a seed; :func:`serve` runs the web in this process (the bench starts it
in a child process, so that its CPU and memory are not the product's).
"""

from __future__ import annotations

import csv
import html
import json
import pickle
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sentiment.demo.site import (
    MARKUPS,
    NewsItem,
    SampleAddress,
    SampleBrand,
    SampleData,
    SampleLocation,
    SampleReview,
    SampleSite,
    render_feed,
)
from sentiment.training.reading import SETS, shared_data_dir

#: Shares of the mentions per kind.
SHARES = {"review_page": 0.7, "rss": 0.1, "mastodon": 0.1, "file": 0.1}
LIMIT = 40  # statuses per page of the social stand-in (Mastodon's maximum)
RATING = {"negative": (1, 2), "neutral": (3, 3), "positive": (4, 5)}
CITIES = [
    ("Warszawa", "PL", "pl"), ("Berlin", "DE", "de"), ("Madrid", "ES", "es"), ("Paris", "FR", "fr"),
    ("Milano", "IT", "it"), ("Lisboa", "PT", "pt"), ("London", "GB", "en"), ("Jakarta", "ID", "id"),
    ("Riyadh", "SA", "ar"), ("Delhi", "IN", "hi"), ("Moskva", "RU", "ru"), ("New York", "US", "en"),
]  # fmt: skip
SYLLABLES = ["ka", "lu", "mer", "no", "vi", "ta", "ro", "sel", "an", "dor", "bri", "qu", "zen", "fa", "lo", "mi"]


@dataclass
class Web:
    """What the bench serves and configures: the site data, the per-brand feeds and timelines, and the
    file exports' rows."""

    data: SampleData
    feeds: dict[str, list[NewsItem]] = field(default_factory=dict)
    statuses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    today: date = date(2026, 11, 30)


def text_pool(data: Path) -> dict[str, dict[str, list[str]]]:
    """language -> label -> texts (train and validation splits of every reading set, each text once)."""
    pool: dict[str, dict[str, list[str]]] = {}
    seen: set[str] = set()
    for entry in SETS:
        if "positive" not in entry.labels:
            continue
        splits = entry.load(data)
        for split in ("train", "val"):
            for example in splits.get(split, []):
                if example.text in seen or example.label not in RATING:
                    continue
                seen.add(example.text)
                pool.setdefault(example.language, {}).setdefault(example.label, []).append(example.text)
    return pool


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()
        if name not in used and len(name) > 4:
            used.add(name)
            return name


def _zipf(rng: random.Random, n: int, count: int, s: float = 1.1) -> list[int]:
    """How many of ``count`` items each of ``n`` bins gets, bin ``i`` weighted ``1 / (i + 1) ** s``."""
    weights = [1 / (i + 1) ** s for i in range(n)]
    order = list(range(n))
    rng.shuffle(order)
    picks = rng.choices(order, weights=weights, k=count)
    out = [0] * n
    for p in picks:
        out[p] += 1
    return out


class _Texts:
    """Draws mention texts: one to three pool texts of one language and label, never the same combination
    twice."""

    def __init__(self, pool: dict[str, dict[str, list[str]]], rng: random.Random) -> None:
        self.pool, self.rng, self.used = pool, rng, set[tuple[str, ...]]()
        self.languages = sorted(pool)
        self.weights = [sum(len(t) for t in pool[lang].values()) for lang in self.languages]

    def draw(self, lang: str | None = None) -> tuple[str, str, str]:
        """(language, label, text)."""
        rng = self.rng
        if lang is None or lang not in self.pool or rng.random() < 0.3:
            lang = rng.choices(self.languages, weights=self.weights)[0]
        labels = self.pool[lang]
        label = rng.choices(sorted(labels), weights=[len(labels[k]) for k in sorted(labels)])[0]
        texts = labels[label]
        while True:
            parts = tuple(rng.choice(texts) for _ in range(rng.choice((1, 2, 2, 3))))
            if parts not in self.used:
                self.used.add(parts)
                return lang, label, " ".join(parts)


def build(n: int, *, brands: int = 50, locations: int = 2000, days: int = 60, seed: int = 13) -> Web:
    """A web of ``n`` mentions (see the module docstring)."""
    rng = random.Random(seed)
    texts = _Texts(text_pool(shared_data_dir()), rng)
    used: set[str] = set()
    names = [_name(rng, used) for _ in range(brands)]
    per_brand_locations = _zipf(rng, brands, locations - brands, s=0.8)
    counts = {kind: round(n * share) for kind, share in SHARES.items()}
    counts["review_page"] = n - sum(v for k, v in counts.items() if k != "review_page")
    all_locations: list[tuple[int, int]] = [
        (b, i) for b in range(brands) for i in range(1 + per_brand_locations[b])
    ]  # fmt: skip
    # Every location has at least one review (an empty page is no page), the rest Zipf-skewed.
    extra = _zipf(rng, len(all_locations), counts["review_page"] - len(all_locations), s=0.9)
    reviews_per_location = [1 + k for k in extra]
    day = lambda: min(days - 1, int(rng.expovariate(1 / (days / 2.5))))  # noqa: E731 (more recent, more)
    review_id = 0
    sample_brands: list[SampleBrand] = []
    location_names: dict[int, list[str]] = {b: [] for b in range(brands)}
    by_brand: dict[int, list[SampleLocation]] = {b: [] for b in range(brands)}
    for (b, i), count in zip(all_locations, reviews_per_location, strict=True):
        city, country, lang = CITIES[(b * 7 + i) % len(CITIES)]
        name = f"{city} {i + 1}"
        reviews = []
        for _ in range(count):
            review_id += 1
            text_lang, label, text = texts.draw(lang)
            reviews.append(
                SampleReview(
                    id=f"r{review_id:07d}", day=day(), author=f"user{rng.randrange(10**6)}",
                    rating=rng.randint(*RATING[label]), lang=text_lang, polarity=label,  # type: ignore[arg-type]
                    aspects=(), text=text,
                )
            )  # fmt: skip
        reviews.sort(key=lambda r: (-r.day, r.id))
        key = f"l{i + 1}"
        by_brand[b].append(
            SampleLocation(
                brand_key=f"b{b + 1}", brand_name=names[b], key=key, name=name,
                display_name=f"{names[b]} {name}", aliases=(f"{names[b]} {city} {i + 1}",),
                address=SampleAddress(f"Street {i + 1}", f"{10000 + i}", city, country), site_lang="en",
                markup=MARKUPS[(b + i) % len(MARKUPS)], reviews=tuple(reviews),
            )
        )  # fmt: skip
        location_names[b].append(name)
    for b in range(brands):
        sample_brands.append(
            SampleBrand(key=f"b{b + 1}", name=names[b], aliases=(), competitor=b >= brands // 2,
                        locations=tuple(by_brand[b]))
        )  # fmt: skip
    web = Web(SampleData(site_name="BenchAdvisor", brands=tuple(sample_brands), news=()))
    brand_weights = [len(by_brand[b]) for b in range(brands)]
    status_id = 10**12
    for kind in ("rss", "mastodon", "file"):
        for k in range(counts[kind]):
            b = rng.choices(range(brands), weights=brand_weights)[0]
            brand = names[b]
            lang, label, text = texts.draw()
            when = day()
            if kind == "rss":
                item = NewsItem(
                    id=f"n{k:07d}", day=when, time=f"{rng.randrange(24):02d}:{rng.randrange(60):02d}", lang=lang,
                    polarity=label, outlet="Bench Press", title=f"{brand}: {text[:60]}", body=f"{brand}. {text}",  # type: ignore[arg-type]
                    brands=(brand,),
                )  # fmt: skip
                web.feeds.setdefault(f"b{b + 1}", []).append(item)
            elif kind == "mastodon":
                status_id += rng.randrange(1, 1000)
                stamp = datetime.combine(web.today - timedelta(days=when), time(rng.randrange(24)), tzinfo=UTC)
                web.statuses.setdefault(f"b{b + 1}", []).append(
                    {"id": str(status_id), "created_at": stamp.isoformat().replace("+00:00", "Z"),
                     "content": f"<p>{html.escape(text, quote=False)} #{brand}</p>", "language": lang, "reblog": None,
                     "url": f"https://social.example/@u{k}/{status_id}",
                     "account": {"id": str(k), "acct": f"u{k}", "username": f"u{k}"}}
                )  # fmt: skip
            else:
                where = rng.choice(location_names[b])
                web.files.setdefault(f"b{b + 1}", []).append(
                    {"id": f"f{k:07d}", "date": (web.today - timedelta(days=when)).isoformat(), "text": text,
                     "rating": str(rng.randint(*RATING[label])), "location": where}
                )  # fmt: skip
    return web


def config(web: Web, base_url: str, folder: Path) -> dict[str, Any]:
    """The monitor config for the web: every brand and location, one source per location page, feed,
    timeline and file export."""
    sources: list[dict[str, Any]] = []
    brands_cfg = []
    for brand in web.data.brands:
        brands_cfg.append({
            "name": brand.name, "competitor": brand.competitor,
            "locations": [{"name": loc.name, "aliases": list(loc.aliases)} for loc in brand.locations],
        })  # fmt: skip
        for loc in brand.locations:
            sources.append({"name": f"{loc.slug}-reviews", "kind": "review_page", "url": base_url + loc.path,
                            "brand": brand.name, "location": loc.name})  # fmt: skip
        if brand.key in web.feeds:
            sources.append({"name": f"{brand.key}-feed", "kind": "rss", "url": f"{base_url}/feeds/{brand.key}.xml",
                            "brand": brand.name})  # fmt: skip
        if brand.key in web.statuses:
            sources.append({"name": f"{brand.key}-social", "kind": "mastodon", "url": f"{base_url}/tags/{brand.name}",
                            "brand": brand.name, "options": {"match_brand": True}})  # fmt: skip
        if brand.key in web.files:
            path = folder / f"{brand.key}.csv"
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=["id", "date", "text", "rating", "location"])
                writer.writeheader()
                writer.writerows(web.files[brand.key])
            sources.append({
                "name": f"{brand.key}-export", "kind": "file", "url": path.as_uri(), "brand": brand.name,
                "options": {"columns": {"id": "id", "text": "text", "date": "date", "rating": "rating",
                                        "location": "location"}},
            })  # fmt: skip
    return {
        "timezone": "UTC", "database": str(folder / "monitor.duckdb"), "brands": brands_cfg, "sources": sources,
        "http": {"allow_private_addresses": True, "max_pages": 10_000, "per_host_concurrency": 4,
                 "backoff_s": 0.1, "max_retries": 1},
    }  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        status, kind, body = 200, "text/html; charset=utf-8", b""
        if parts.path.startswith("/feeds/"):
            key = parts.path.removeprefix("/feeds/").removesuffix(".xml")
            body = self.server.feed(key).encode()
            kind = "application/rss+xml; charset=utf-8"
        elif parts.path.startswith("/api/v1/timelines/tag/"):
            tag = parts.path.rsplit("/", 1)[1]
            body = json.dumps(self.server.timeline(tag, query)).encode()
            kind = "application/json"
        else:
            page = self.server.site.get(self.path)
            status, kind, body = page.status, page.content_type, page.body
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, web: Web, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.web = web
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self.site = SampleSite(web.data, today=web.today, base_url=self.base_url, timezone="UTC")
        self._feeds: dict[str, str] = {}
        self._tags = {b.name: b.key for b in web.data.brands}
        self._timelines = {k: sorted(v, key=lambda s: -int(s["id"])) for k, v in web.statuses.items()}

    def feed(self, key: str) -> str:
        if key not in self._feeds:
            data = SampleData(site_name="Bench Press", brands=(), news=tuple(self.web.feeds.get(key, [])))
            self._feeds[key] = render_feed(data, today=self.web.today, base_url=self.base_url, timezone="UTC")
        return self._feeds[key]

    def timeline(self, tag: str, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        statuses = self._timelines.get(self._tags.get(tag, ""), [])
        limit = min(int(query.get("limit", [str(LIMIT)])[-1]), LIMIT)
        if "min_id" in query and query["min_id"][-1]:
            floor = int(query["min_id"][-1])
            return [s for s in statuses if int(s["id"]) > floor][-limit:]
        ceiling = int(query["max_id"][-1]) if query.get("max_id", [""])[-1] else None
        return [s for s in statuses if ceiling is None or int(s["id"]) < ceiling][:limit]


def serve(web_file: Path, port_file: Path) -> None:
    """Serve a pickled :class:`Web` until killed, writing the bound port to ``port_file``."""
    web: Web = pickle.loads(web_file.read_bytes())
    server = _Server(web, 0)
    port_file.write_text(str(server.server_address[1]))
    server.serve_forever()


def write(web: Web, path: Path) -> None:
    path.write_bytes(pickle.dumps(web, protocol=pickle.HIGHEST_PROTOCOL))


def mentions_by_kind(web: Web) -> dict[str, int]:
    return {
        "review_page": sum(len(loc.reviews) for loc in web.data.locations),
        "rss": sum(map(len, web.feeds.values())),
        "mastodon": sum(map(len, web.statuses.values())),
        "file": sum(map(len, web.files.values())),
    }


if __name__ == "__main__":
    serve(Path(sys.argv[1]), Path(sys.argv[2]))
