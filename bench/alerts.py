"""Alert benchmark: simulated nights with known events, the product's rules run night by night.

Run from the repository root (about 2 minutes on 2 cores; the first run for a model version also scores
the score pool, about a minute more)::

    .venv/bin/python bench/alerts.py [--write] [--series N] [--seed S] [--theme-weeks N]

What is simulated (all seeded; ``--seed`` changes every draw):

* **Locations** in brands of 20, each with a language (en, es, fr, ru, de, id, ar), a base rate of
  mentions a day (the scenario's volume times a size factor, log-normal with sigma 0.4, mean 1), a weekday
  pattern (weekends busier), Poisson counts per day, and a base mix of true classes (negative share
  drawn from 8-25%, neutral 10%, the rest positive).
* **Scores are the product's own.** Each simulated mention of true class c in language l takes the score
  and the label the product's model gave a real text of class c in language l: the validation splits of
  the labelled review and customer-post sets in ``../shared/data`` (semeval2016-absa, german-hotel-aspects,
  germeval2017, indonlu-smsa, arabic-reviews, twitter-airline-sentiment), scored once with ``load_model()``
  and cached under ``~/.cache/sentiment-monitor/`` by model version. Where the model compresses a
  language's scores, the simulation inherits it.
* **Events**, from day 98-111 on (after 84 days of history): a *step* (positive mass moves to negative
  so that the expected mean score falls by the named points in that location's language), a *decline*
  (the same, growing linearly over 28 days), a *storm* (one day with many extra negative mentions), a
  *topic surge* (one topic's negative mentions rise by a rate a day while the rest stays), a *volume
  spike* (three days at three times the volume, most of the extra negative); and no event at all.

Every night from day 84 each detector sees the days up to that night only (as the nightly flow does)
and alerts per location, with its cool-down. An event counts as caught when an alert on its location
comes within the scenario's window after it starts; delay is the alert's day minus the start day (0 =
the first night of the event). False alarms are alerts on series with no event, per 100 location-months
(30 days each); alerts before an event starts are reported apart.

Detectors: the product's rules (``sentiment.alerts``: the drop scan, topic surge, volume spike, run as the
nightly flow runs them, with the thresholds of the default config) and four baselines: ``welch_7v28``
(the rule before this benchmark: Welch t-test of the last 7 days against the 28 before, at least 10
mentions in each, drop >= 0.25, alpha 0.01 Holm-corrected over the 20 locations and the brand),
``fixed_7d`` (7-day mean score below 0.0, at least 5 mentions), ``mean_3sd_14d`` (the day's mean score
below the mean minus 3 standard deviations of the previous 14 daily means) and ``day_vs_14`` (the day's
negative mentions above the mean plus 3 standard deviations of the previous 14 days, and at least 3: the
commercial tools' spike alert). All use a 7-day cool-down.

The emerging-theme rule reads texts, not counts: it is measured on weeks built from BANKING77's test
split (real customer-service queries in 77 fine-grained intents; see :func:`theme_benchmark`), with the
encoder the nightly flow uses. Its threshold was chosen on the train split.

The last line is JSON: ``{"model", "seconds", "series", "seed", "recall_drop03_3pd", "median_delay_drop03_3pd",
"median_delay_drop05_3pd", "recall_drop05_1pd", "false_alarms_per_100_location_months", "baselines": {name:
{same keys}}, "bound": {the oracle's}, "emerging_theme": {"weeks", "recall", "false_themes_per_100_weeks"}}``.
``--write`` stores it with every scenario's figures as ``models/alerts/benchmark.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from sentiment.alerts.counts import DailyCounts
from sentiment.alerts.rules import RULES, AlertKey, find
from sentiment.alerts.themes import ThemeMention, find_themes, reference_centre
from sentiment.config import AlertRules

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "models" / "alerts" / "benchmark.json"
CLASSES = ("negative", "neutral", "positive")
LANGUAGES = ("en", "es", "fr", "ru", "de", "id", "ar")
POOL_SETS = (
    "semeval2016-absa",
    "german-hotel-aspects",
    "germeval2017",
    "indonlu-smsa",
    "arabic-reviews",
    "twitter-airline-sentiment",
)
HISTORY = 84  # days before the first night
FIRST_START = 98  # earliest event start
START_SPREAD = 14
NO_EVENT_NIGHTS = 90
BRAND_SIZE = 20
TOPICS = 6  # topic 0 surges
TOPIC_SHARE = np.array([0.25, 0.2, 0.15, 0.15, 0.1, 0.15])
WEEKDAY = np.array([0.85, 0.85, 0.9, 0.95, 1.05, 1.25, 1.15])
WEEKDAY = WEEKDAY / WEEKDAY.mean()
MIN_POOL = 20
BINS = 20  # score bins of the oracle's likelihoods
NEUTRAL_SHARE = 0.10


# --- the score pool --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pool:
    """Per true class: the model's scores and negative labels on real texts, and per language the
    slice of them that belongs to it (the whole class where a language has fewer than MIN_POOL)."""

    scores: dict[str, np.ndarray]
    negative: dict[str, np.ndarray]
    offset: dict[str, np.ndarray]  # per class, per language index
    length: dict[str, np.ndarray]
    model: str

    def mean(self, cls: str, lang: int) -> float:
        o, n = self.offset[cls][lang], self.length[cls][lang]
        return float(self.scores[cls][o : o + n].mean())


def build_pool(readings: dict[str, dict[str, list[tuple[float, bool]]]], model: str) -> Pool:
    scores, negative, offset, length = {}, {}, {}, {}
    for cls in CLASSES:
        parts = [readings.get(lang, {}).get(cls, []) for lang in LANGUAGES]
        everything = [r for part in parts for r in part]
        flat: list[tuple[float, bool]] = []
        offs, lens = [], []
        for part in parts:
            use = part if len(part) >= MIN_POOL else everything
            offs.append(len(flat))
            lens.append(len(use))
            flat.extend(use)
        scores[cls] = np.array([r[0] for r in flat])
        negative[cls] = np.array([r[1] for r in flat])
        offset[cls] = np.array(offs)
        length[cls] = np.array(lens)
    return Pool(scores, negative, offset, length, model)


def load_pool() -> Pool:
    """Score the review sets' validation splits with the product's model (cached by model version)."""
    from sentiment.model import load_model
    from sentiment.training.reading import SETS, shared_data_dir

    model = load_model()
    cache = Path.home() / ".cache" / "sentiment-monitor" / f"alerts-pool-{model.version}.json"
    if cache.exists():
        return build_pool(json.loads(cache.read_text()), f"{model.model_id} {model.version}")
    readings: dict[str, dict[str, list[tuple[float, bool]]]] = {}
    data = shared_data_dir()
    for reading_set in SETS:
        if reading_set.name not in POOL_SETS:
            continue
        val = [e for e in reading_set.load(data)["val"] if e.language in LANGUAGES and e.label in CLASSES]
        predictions = model.predict([e.text for e in val])
        for example, p in zip(val, predictions, strict=True):
            readings.setdefault(example.language, {}).setdefault(example.label, []).append(
                (round(p.score, 4), p.label == "negative")
            )
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(readings))
    return build_pool(readings, f"{model.model_id} {model.version}")


def shift_for(pool: Pool, points: float, lang: np.ndarray, p_neg: np.ndarray) -> np.ndarray:
    """The share of mentions that must turn from positive to negative for the expected mean score to fall
    by ``points`` in each location's language (where the model's scores are compressed, more must)."""
    spread = np.array([pool.mean("positive", int(i)) - pool.mean("negative", int(i)) for i in lang])
    return np.asarray(np.minimum(points / spread, 1 - p_neg - NEUTRAL_SHARE - 0.02))


# --- simulated nights ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """``kind``: none, step, decline, storm, topic, spike; ``size``: score points (step, decline) or extra
    negative mentions a day (topic) or on the day (storm); ``window``: days an alert may take to count."""

    name: str
    volume: float
    kind: str
    size: float = 0.0
    window: int = 28


@dataclass
class World:
    """Simulated arrays for one scenario: locations first, then their brands (rows of DailyCounts)."""

    counts: DailyCounts
    topic_negative: np.ndarray  # [rows, days, TOPICS]
    start: np.ndarray  # event start day per location (-1: none)
    locations: int
    nights: range
    lang: np.ndarray  # language index per location
    p_neg: np.ndarray  # true negative share before any event
    bins: np.ndarray  # [locations, days, BINS]: mentions per score bin (for the oracle)


def simulate(scenario: Scenario, pool: Pool, series: int, rng: np.random.Generator) -> World:
    locations = series
    brands = math.ceil(locations / BRAND_SIZE)
    eventful = scenario.kind != "none"
    start = (
        rng.integers(FIRST_START, FIRST_START + START_SPREAD, size=locations) if eventful else np.full(locations, -1)
    )
    days = int(start.max() + scenario.window) if eventful else HISTORY + NO_EVENT_NIGHTS
    size = rng.lognormal(-0.08, 0.4, size=locations)
    rate = scenario.volume * size[:, None] * WEEKDAY[np.arange(days) % 7][None, :]
    lang = rng.integers(0, len(LANGUAGES), size=locations)
    p_neg = rng.uniform(0.08, 0.25, size=locations)
    p_neu = np.full(locations, NEUTRAL_SHARE)
    day = np.arange(days)[None, :]
    shift = np.zeros((locations, days))
    extra = np.zeros((locations, days))  # extra negative mentions a day (storm, topic surge, spike)
    extra_topic0 = np.zeros((locations, days), dtype=bool)
    if scenario.kind in ("step", "decline"):
        target = shift_for(pool, scenario.size, lang, p_neg)
        since = day - start[:, None]
        ramp = np.clip((since + 1) / 28, 0, 1) if scenario.kind == "decline" else (since >= 0).astype(float)
        shift = target[:, None] * ramp
    elif scenario.kind == "storm":
        extra = np.where(day == start[:, None], scenario.size, 0.0)
    elif scenario.kind == "topic":
        extra = np.where(day >= start[:, None], scenario.size, 0.0)
        extra_topic0 = np.broadcast_to(day >= start[:, None], (locations, days))
    elif scenario.kind == "spike":
        on = (day >= start[:, None]) & (day < start[:, None] + 3)
        extra = np.where(on, 2 * rate * 0.6, 0.0)
        rate = np.where(on, rate * (1 + 2 * 0.4), rate)
    counts = rng.poisson(rate)
    extra_counts = rng.poisson(extra)
    # every mention: its row, day and true class
    total = counts + extra_counts
    flat_cell = np.repeat(np.arange(locations * days), total.ravel())
    row, col = np.divmod(flat_cell, days)
    first_of_cell = np.repeat(np.cumsum(total.ravel()) - total.ravel(), total.ravel())
    is_extra = np.arange(flat_cell.size) - first_of_cell >= counts.ravel()[flat_cell]
    u = rng.random(flat_cell.size)
    pn = p_neg[row] + shift[row, col]
    cls = np.where(u < pn, 0, np.where(u < pn + p_neu[row], 1, 2))
    cls = np.where(is_extra, 0, cls)
    score = np.zeros(flat_cell.size)
    negative = np.zeros(flat_cell.size)
    for c, name in enumerate(CLASSES):
        pick = cls == c
        lengths = pool.length[name][lang[row[pick]]]
        index = pool.offset[name][lang[row[pick]]] + (rng.random(pick.sum()) * lengths).astype(int)
        score[pick] = pool.scores[name][index]
        negative[pick] = pool.negative[name][index]
    bin_index = np.clip(((score + 1) / 2 * BINS).astype(int), 0, BINS - 1)
    bins = np.bincount(flat_cell * BINS + bin_index, minlength=locations * days * BINS).reshape(locations, days, BINS)
    topic = rng.choice(TOPICS, size=flat_cell.size, p=TOPIC_SHARE)
    topic = np.where(is_extra & extra_topic0[row, col], 0, topic)
    cells = locations * days
    n = np.bincount(flat_cell, minlength=cells).reshape(locations, days).astype(float)
    neg = np.bincount(flat_cell, weights=negative, minlength=cells).reshape(locations, days)
    s = np.bincount(flat_cell, weights=score, minlength=cells).reshape(locations, days)
    s2 = np.bincount(flat_cell, weights=score**2, minlength=cells).reshape(locations, days)
    topic_neg = np.bincount(flat_cell * TOPICS + topic, weights=negative, minlength=cells * TOPICS).reshape(
        locations, days, TOPICS
    )
    brand = np.arange(locations) // BRAND_SIZE

    def with_brands(a: np.ndarray) -> np.ndarray:
        sums = np.zeros((brands, *a.shape[1:]))
        np.add.at(sums, brand, a)
        return np.concatenate([a, sums])

    scopes = tuple((f"b{b}", f"l{i}") for i, b in enumerate(brand)) + tuple((f"b{b}", None) for b in range(brands))
    brand_of = np.concatenate([locations + brand, locations + np.arange(brands)]).astype(np.int64)
    end = date(2026, 1, 1) + timedelta(days=days - 1)
    counts_all = DailyCounts(scopes, end, with_brands(n), with_brands(neg), with_brands(s), with_brands(s2), brand_of)
    last_night = days - 1
    nights = range(HISTORY, last_night + 1)
    return World(counts_all, with_brands(topic_neg), start, locations, nights, lang, p_neg, bins)


# --- detectors -------------------------------------------------------------------------------------

#: A detector sees one night (the days up to it, and topic negatives) and returns, per scope, whether
#: it alerts: one row per rule where it has several. It keeps its own cool-down, so a fresh one is made
#: for every simulated world (a ``Factory``).
Detector = Callable[[DailyCounts, np.ndarray], np.ndarray]
Factory = Callable[[], Detector]
TOPIC_NAMES = tuple(f"topic{i}" for i in range(TOPICS))


def upto(world: World, night: int) -> tuple[DailyCounts, np.ndarray]:
    """What the nightly flow sees on ``night``: every day up to and including it."""
    c = world.counts
    cut = slice(None, night + 1)
    view = DailyCounts(
        c.scopes,
        c.day(night),
        c.mentions[:, cut],
        c.negative[:, cut],
        c.score_sum[:, cut],
        c.score_sq[:, cut],
        c.brand_of,
    )
    return view, world.topic_negative[:, cut]


def product(rules: AlertRules) -> Factory:
    """The product's rules exactly as the nightly flow runs them (:func:`sentiment.alerts.rules.find`, its
    cool-down fed with the alerts of the nights before); one row per rule."""

    def factory() -> Detector:
        last: dict[AlertKey, date] = {}

        def detect(counts: DailyCounts, topics: np.ndarray) -> np.ndarray:
            index = {scope: i for i, scope in enumerate(counts.scopes)}
            fired = np.zeros((len(RULES), len(counts.scopes)), dtype=bool)
            for f in find(counts, topics, TOPIC_NAMES, rules, last):
                last[(f.rule, f.brand, f.location, f.topic)] = counts.end
                fired[RULES.index(f.rule), index[(f.brand, f.location)]] = True
            return fired

        return detect

    return factory


def with_cooldown(detector: Detector, days: int = 7) -> Factory:
    """A baseline rule with a cool-down: a scope that alerted stays quiet ``days`` nights."""

    def factory() -> Detector:
        last: np.ndarray | None = None

        def detect(counts: DailyCounts, topics: np.ndarray) -> np.ndarray:
            nonlocal last
            night = counts.mentions.shape[1]
            if last is None:
                last = np.full(counts.mentions.shape[0], -(10**6))
            hit = detector(counts, topics) & (night - last >= days)
            last[hit] = night
            return hit

        return detect

    return factory


def _window(a: np.ndarray, start: int, end: int) -> np.ndarray:
    """Sum of columns ``start`` .. ``end`` counted back from the last (0 = the last day)."""
    last = a.shape[1] - 1
    return a[:, last - end : last - start + 1].sum(axis=1)


def welch_7v28(counts: DailyCounts, _topics: np.ndarray) -> np.ndarray:
    n_r, n_b = _window(counts.mentions, 0, 6), _window(counts.mentions, 7, 34)
    s_r, s_b = _window(counts.score_sum, 0, 6), _window(counts.score_sum, 7, 34)
    q_r, q_b = _window(counts.score_sq, 0, 6), _window(counts.score_sq, 7, 34)
    with np.errstate(divide="ignore", invalid="ignore"):
        m_r, m_b = s_r / n_r, s_b / n_b
        v_r = (q_r - s_r**2 / n_r) / (n_r - 1)
        v_b = (q_b - s_b**2 / n_b) / (n_b - 1)
        a, b = v_r / n_r, v_b / n_b
        t = (m_r - m_b) / np.sqrt(a + b)
        df = (a + b) ** 2 / (a**2 / (n_r - 1) + b**2 / (n_b - 1))
        p = stats.t.cdf(t, df)
    testable = (n_r >= 10) & (n_b >= 10)
    p = np.where(testable & np.isfinite(p), p, np.where(testable & (m_r < m_b), 0.0, 1.0))
    adjusted = np.ones_like(p)
    for brand in np.unique(counts.brand_of):
        family = np.flatnonzero((counts.brand_of == brand) & testable)
        if family.size == 0:
            continue
        order = family[np.argsort(p[family], kind="stable")]
        m = family.size
        adjusted[order] = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * p[order]))
    return testable & (adjusted < 0.01) & (m_b - m_r >= 0.25)


def fixed_7d(counts: DailyCounts, _topics: np.ndarray) -> np.ndarray:
    n = _window(counts.mentions, 0, 6)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = _window(counts.score_sum, 0, 6) / n
    return (n >= 5) & (mean < 0.0)


def mean_3sd_14d(counts: DailyCounts, _topics: np.ndarray) -> np.ndarray:
    n = counts.mentions[:, -15:]
    with np.errstate(divide="ignore", invalid="ignore"):
        daily = np.where(n > 0, counts.score_sum[:, -15:] / n, np.nan)
    past = daily[:, :-1]
    enough = np.sum(~np.isnan(past), axis=1) >= 7
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows without any day: NaN, and not enough anyway
        mean, sd = np.nanmean(past, axis=1), np.nanstd(past, axis=1, ddof=1)
    return enough & ~np.isnan(daily[:, -1]) & (daily[:, -1] < mean - 3 * sd)


def day_vs_14(counts: DailyCounts, _topics: np.ndarray) -> np.ndarray:
    past = counts.negative[:, -15:-1]
    today = counts.negative[:, -1]
    return (today >= 3) & (today > past.mean(axis=1) + 3 * past.std(axis=1, ddof=1))


BASELINES: dict[str, Factory] = {
    "welch_7v28": with_cooldown(welch_7v28),
    "fixed_7d": with_cooldown(fixed_7d),
    "mean_3sd_14d": with_cooldown(mean_3sd_14d),
    "day_vs_14": with_cooldown(day_vs_14),
}


# --- the bound: an oracle that knows what the change looks like ---------------------------------------


def class_histograms(pool: Pool) -> dict[str, np.ndarray]:
    """Per true class: [languages, BINS] frequencies of the model's scores (add-one smoothed)."""
    out = {}
    for name in CLASSES:
        rows = []
        for lang in range(len(LANGUAGES)):
            o, n = pool.offset[name][lang], pool.length[name][lang]
            scores = pool.scores[name][o : o + n]
            counts = np.bincount(np.clip(((scores + 1) / 2 * BINS).astype(int), 0, BINS - 1), minlength=BINS) + 1.0
            rows.append(counts / counts.sum())
        out[name] = np.array(rows)
    return out


def oracle_llr(pool: Pool, world: World, points: float) -> np.ndarray:
    """Per location and day: the log-likelihood ratio of "the step of ``points`` has happened" against
    "nothing happened", from the exact score distributions before and after (what the simulation drew)."""
    h = class_histograms(pool)
    lang, p_neg = world.lang, world.p_neg
    delta = shift_for(pool, points, lang, p_neg)
    p_pos = 1 - p_neg - NEUTRAL_SHARE
    before = (
        p_neg[:, None] * h["negative"][lang] + NEUTRAL_SHARE * h["neutral"][lang] + p_pos[:, None] * h["positive"][lang]
    )
    after = before + delta[:, None] * (h["negative"][lang] - h["positive"][lang])
    llr = np.log(after / before)  # [locations, BINS]
    return np.einsum("ldb,lb->ld", world.bins, llr)


def cusum(daily: np.ndarray, nights: range, threshold: float, cooldown: int = 7) -> np.ndarray:
    """Page's CUSUM over ``daily`` log-likelihood ratios, alarming at ``threshold`` and restarting;
    returns alarms as [nights, locations]."""
    stat = np.zeros(daily.shape[0])
    last = np.full(daily.shape[0], -(10**6))
    alarms = np.zeros((len(nights), daily.shape[0]), dtype=bool)
    for i, night in enumerate(nights):
        stat = np.maximum(0.0, stat + daily[:, night])
        hit = (stat >= threshold) & (night - last >= cooldown)
        last[hit] = night
        stat[hit] = 0.0
        alarms[i] = hit
    return alarms


def calibrate(daily: np.ndarray, nights: range, budget: float) -> float:
    """The lowest CUSUM threshold whose false alarms on event-free ``daily`` stay within ``budget`` per
    100 location-months (bisection)."""
    months = daily.shape[0] * len(nights) / 30
    low, high = 0.0, 60.0
    for _ in range(30):
        mid = (low + high) / 2
        if 100 * cusum(daily, nights, mid).sum() / months > budget:
            low = mid
        else:
            high = mid
    return high


def oracle_outcome(pool: Pool, scenario: Scenario, world: World, calibration: World) -> Outcome:
    """The oracle on a step scenario, its threshold calibrated on an event-free world of the same volume
    to one false alarm per 100 location-months."""
    threshold = calibrate(oracle_llr(pool, calibration, scenario.size), calibration.nights, budget=1.0)
    alarms = cusum(oracle_llr(pool, world, scenario.size), world.nights, threshold)
    out = Outcome(events=world.locations)
    first_after = np.full(world.locations, -1)
    for i, night in enumerate(world.nights):
        hits = alarms[i]
        out.pre_event_alarms += int((hits & (night < world.start)).sum())
        new = hits & (night >= world.start) & (first_after < 0) & (night < world.start + scenario.window)
        first_after[new] = night
    out.caught = int((first_after >= 0).sum())
    out.delays = [int(d) for d in (first_after - world.start)[first_after >= 0]]
    out.pre_event_days = int((world.start - world.nights.start).sum())
    return out


# --- emerging themes: real customer utterances, one new complaint injected ---------------------------

THEME_BACKGROUND = 30  # negative mentions no topic covers, in a brand's week, each on a different matter
THEME_INJECTED = 5  # mentions of the new theme, each from its own author


_EMBEDDED: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def _embedded(split: str, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """A BANKING77 split's sentence embeddings and the reference centre, made as the nightly flow makes
    them, once per process."""
    from sentiment.model.embedded import ensure_encoder
    from sentiment.model.encoder import E5Encoder

    if split not in _EMBEDDED:
        encoder = E5Encoder(ensure_encoder())

        def embed(batch: Sequence[str]) -> np.ndarray:
            return encoder.embed(batch, prefix="query: ")

        _EMBEDDED[split] = (embed(texts), reference_centre(embed))
    return _EMBEDDED[split]


def theme_benchmark(trials: int, seed: int, rules: AlertRules, split: str = "test") -> dict[str, Any]:
    """The emerging-theme rule on weeks built from BANKING77's test split (real customer-service queries,
    77 intents): a background of THEME_BACKGROUND queries of different intents, plus, in half the weeks,
    THEME_INJECTED queries of one more intent (the new complaint). Caught: a theme holds at least 4 of the
    injected queries and they are at least three quarters of it. False: any other theme found."""
    import csv

    from sentiment.training.reading import shared_data_dir

    with (shared_data_dir() / "banking77-nlupp" / "banking77" / f"{split}.csv").open(encoding="utf-8") as f:
        rows = [(r["text"], r["category"]) for r in csv.DictReader(f)]
    vectors, centre = _embedded(split, [t for t, _ in rows])
    row_of = {text: i for i, (text, _) in enumerate(rows)}  # a repeated query has one vector anyway

    def embed(texts: Sequence[str]) -> np.ndarray:
        return np.asarray(vectors[[row_of[t] for t in texts]])

    by_intent: dict[str, list[int]] = {}
    for i, (_, intent) in enumerate(rows):
        by_intent.setdefault(intent, []).append(i)
    intents = sorted(by_intent)
    rng = np.random.default_rng([seed, 77])
    caught = false_themes = events = 0
    day = date(2026, 1, 1)
    for trial in range(trials):
        chosen = rng.choice(len(intents), size=THEME_BACKGROUND + 1, replace=False)
        picks = [int(rng.choice(by_intent[intents[c]])) for c in chosen[:THEME_BACKGROUND]]
        injected: list[int] = []
        if trial % 2:
            events += 1
            pool = by_intent[intents[chosen[-1]]]
            injected = [int(i) for i in rng.choice(pool, size=min(THEME_INJECTED, len(pool)), replace=False)]
        members = picks + injected
        mentions = [ThemeMention(f"m{i}", "brand", None, day, rows[i][0], f"a{n}", -0.5) for n, i in enumerate(members)]
        lookup = {f"m{i}": i for i in members}

        themes = find_themes(mentions, [], embed, centre, min_mentions=rules.theme_min_mentions,
                             min_authors=rules.theme_min_authors, similarity=rules.theme_similarity)  # fmt: skip
        hit = False
        for theme in themes:
            ids = [lookup[m.mention_id] for m in theme.mentions]
            inside = sum(1 for i in ids if i in injected)
            if injected and inside >= 4 and inside >= 0.75 * len(ids):
                hit = True
            else:
                false_themes += 1
        caught += hit
    return {
        "weeks": trials,
        "recall": round(caught / events, 3) if events else None,
        "false_themes_per_100_weeks": round(100 * false_themes / trials, 2),
    }


# --- running and scoring ---------------------------------------------------------------------------


@dataclass
class Outcome:
    caught: int = 0
    events: int = 0
    delays: list[int] = field(default_factory=list)
    false_alarms: int = 0
    location_days: int = 0
    pre_event_alarms: int = 0
    pre_event_days: int = 0

    def figures(self) -> dict[str, Any]:
        months = self.location_days / 30
        pre_months = self.pre_event_days / 30
        return {
            "recall": round(self.caught / self.events, 3) if self.events else None,
            "median_delay": float(np.median(self.delays)) if self.delays else None,
            "p90_delay": float(np.percentile(self.delays, 90)) if self.delays else None,
            "false_alarms_per_100_location_months": round(100 * self.false_alarms / months, 2) if months else None,
            "pre_event_alarms_per_100_location_months": round(100 * self.pre_event_alarms / pre_months, 2)
            if pre_months
            else None,
        }


def run(detector: Detector, world: World, scenario: Scenario) -> Outcome:
    """Run ``detector`` every night of ``world`` and score its alerts on the locations."""
    first_after = np.full(world.locations, -1)
    out = Outcome()
    for night in world.nights:
        counts, topics = upto(world, night)
        hits = np.atleast_2d(detector(counts, topics))[:, : world.locations]
        loc = hits.any(axis=0)
        if scenario.kind == "none":
            out.false_alarms += int(hits.sum())
            continue
        out.pre_event_alarms += int((hits & (night < world.start)).sum())
        new = loc & (night >= world.start) & (first_after < 0) & (night < world.start + scenario.window)
        first_after[new] = night
    if scenario.kind == "none":
        out.location_days = world.locations * len(world.nights)
        return out
    out.events = world.locations
    out.caught = int((first_after >= 0).sum())
    out.delays = [int(d) for d in (first_after - world.start)[first_after >= 0]]
    out.pre_event_days = int((world.start - world.nights.start).sum())
    return out


def scenarios() -> list[Scenario]:
    grid = [
        Scenario(f"drop{int(size * 10):02d}_{_vol(volume)}pd", volume, "step", size)
        for size in (0.3, 0.5)
        for volume in (0.5, 1, 3, 10, 20)
    ]
    return [
        *grid,
        Scenario("decline05_3pd", 3, "decline", 0.5, window=42),
        Scenario("storm_3pd", 3, "storm", 12, window=3),
        Scenario("topic_surge_3pd", 3, "topic", 1.0, window=14),
        Scenario("volume_spike_3pd", 3, "spike", 0, window=3),
        *(Scenario(f"none_{_vol(volume)}pd", volume, "none") for volume in (0.5, 1, 3, 10, 20)),
    ]


def _vol(volume: float) -> str:
    return f"{volume:g}".replace(".", "")


ORACLE = "oracle_cusum"
KEYS = {
    "recall_drop03_3pd": ("drop03_3pd", "recall"),
    "median_delay_drop03_3pd": ("drop03_3pd", "median_delay"),
    "median_delay_drop05_3pd": ("drop05_3pd", "median_delay"),
    "recall_drop05_1pd": ("drop05_1pd", "recall"),
}


def headline(per_scenario: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out = {key: per_scenario[name][metric] for key, (name, metric) in KEYS.items()}
    alarms = sum(per_scenario[name]["_false_alarms"] for name in per_scenario if name.startswith("none_"))
    days = sum(per_scenario[name]["_location_days"] for name in per_scenario if name.startswith("none_"))
    out["false_alarms_per_100_location_months"] = round(100 * alarms / (days / 30), 2) if days else None
    return out


def evaluate(detectors: dict[str, Factory], pool: Pool, series: int, seed: int, oracle: bool = True) -> dict[str, Any]:
    """Every detector on every scenario (and, with ``oracle``, the oracle CUSUM on the steps)."""
    results: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in detectors}
    if oracle:
        results[ORACLE] = {}
    calibration: dict[float, World] = {}
    for i, scenario in enumerate(scenarios()):
        n = series if scenario.kind != "none" else 2 * series
        world = simulate(scenario, pool, n, np.random.default_rng([seed, i]))
        for name, detector in detectors.items():
            outcome = run(detector(), world, scenario)
            figures = outcome.figures()
            figures["_false_alarms"], figures["_location_days"] = outcome.false_alarms, outcome.location_days
            results[name][scenario.name] = figures
        if oracle and scenario.kind == "step":
            if scenario.volume not in calibration:
                quiet = Scenario("calibration", scenario.volume, "none")
                calibration[scenario.volume] = simulate(
                    quiet, pool, 2 * series, np.random.default_rng([seed, 1000 + i])
                )
            results[ORACLE][scenario.name] = oracle_outcome(
                pool, scenario, world, calibration[scenario.volume]
            ).figures()
    return results


def _cell(f: dict[str, Any] | None, quiet: bool) -> str:
    if f is None:
        return ""
    if quiet:
        return f"{f['false_alarms_per_100_location_months']:>6.2f}"
    med = "-" if f["median_delay"] is None else f"{f['median_delay']:.0f}"
    p90 = "-" if f["p90_delay"] is None else f"{f['p90_delay']:.0f}"
    return f"{f['recall']:>6.2f}{med:>4}{p90:>4}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"store the result in {RESULT.relative_to(ROOT)}")
    parser.add_argument("--series", type=int, default=400, help="locations per event scenario (2x without event)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--theme-weeks", type=int, default=400, help="weeks of the emerging-theme benchmark")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    pool = load_pool()
    rules = AlertRules()
    detectors: dict[str, Factory] = {"product": product(rules), **BASELINES}
    results = evaluate(detectors, pool, args.series, args.seed)
    columns = [*detectors, ORACLE]
    print("recall, median and 90th-percentile delay in days; on scenarios without events: false alarms per")
    print("100 location-months. oracle_cusum knows the step's size and the score distributions (a bound).")
    print(f"{'scenario':<18}" + "".join(f"{d:>16}" for d in columns))
    for scenario in results["product"]:
        quiet = scenario.startswith("none_")
        print(f"{scenario:<18}" + "".join(f"{_cell(results[d].get(scenario), quiet):>16}" for d in columns))
    themes = theme_benchmark(args.theme_weeks, args.seed, rules)
    print(
        f"emerging_theme on {themes['weeks']} BANKING77 test weeks (30 unrelated queries, half with 5 of one new "
        f"intent): recall {themes['recall']}, false themes per 100 weeks {themes['false_themes_per_100_weeks']}"
    )
    pre = {d: headline_pre(results[d]) for d in detectors}
    print("alerts before an event started, per 100 location-months: " + ", ".join(f"{d} {v}" for d, v in pre.items()))
    summary = {
        "model": pool.model,
        "seconds": round(time.perf_counter() - started, 1),
        "series": args.series,
        "seed": args.seed,
        **headline(results["product"]),
        "baselines": {name: headline(results[name]) for name in BASELINES},
        "bound": {k: v for k, v in headline(results[ORACLE]).items() if v is not None},
        "emerging_theme": themes,
    }
    if args.write:
        RESULT.parent.mkdir(parents=True, exist_ok=True)
        full = {**summary, "scenarios": {d: {s: {k: v for k, v in f.items() if not k.startswith("_")}
                                             for s, f in r.items()} for d, r in results.items()}}  # fmt: skip
        RESULT.write_text(json.dumps(full, indent=2, sort_keys=True) + "\n")
    print(json.dumps(summary, sort_keys=True))
    return 0


def headline_pre(per_scenario: dict[str, dict[str, Any]]) -> float | None:
    """Alerts before the event started, pooled over the event scenarios (per 100 location-months)."""
    rates = [f["pre_event_alarms_per_100_location_months"] for f in per_scenario.values()
             if f.get("pre_event_alarms_per_100_location_months") is not None]  # fmt: skip
    return round(float(np.mean(rates)), 2) if rates else None


if __name__ == "__main__":
    sys.exit(main())
