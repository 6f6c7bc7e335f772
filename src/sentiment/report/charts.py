"""The report's charts as Vega-Lite specs, built with altair from the store's report queries.

Colours come from the Okabe-Ito palette and ColorBrewer's red-blue scale, both readable with the common
colour-vision deficiencies; brands are told apart by shape as well as colour, so the page survives a
black-and-white printer.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import altair as alt

from sentiment.store.report_queries import AlertMark, BrandRow, TimelinePoint, TopicCell

#: Okabe & Ito (2008): blue, vermilion, bluish green, orange, reddish purple, sky blue, yellow, black.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
LINE, BAND, ALERT, VOLUME = OKABE_ITO[0], "#BBBBBB", OKABE_ITO[1], "#777777"
SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-right", "triangle-left")
WIDTH = 760
SCORE = alt.Scale(domain=[-1, 1])

Spec = dict[str, Any]


def _spec(chart: alt.TopLevelMixin) -> Spec:
    spec: Spec = chart.to_dict()
    return spec


def _brand_scales(brands: Sequence[str]) -> tuple[alt.Scale, alt.Scale]:
    """Colour and shape per brand, the same on every chart of the page."""
    names = list(brands)
    colours = [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(names))]
    shapes = [SHAPES[i % len(SHAPES)] for i in range(len(names))]
    return alt.Scale(domain=names, range=colours), alt.Scale(domain=names, range=shapes)


def timeline(points: Sequence[TimelinePoint], alerts: Sequence[AlertMark]) -> Spec:
    """Daily mean score (dots sized by mentions), the seven-day mean (line), the alert baseline band
    (grey) and the alerts (dashed vermilion rules) over the mentions per day (bars)."""
    rows = [
        {"day": p.day.isoformat(), "mentions": p.mentions, "score": round(p.score, 4),
         "score_7d": round(p.score_7d, 4), "band_low": p.band_low, "band_high": p.band_high}
        for p in points
    ]  # fmt: skip
    marks = [{"day": a.day.isoformat(), "alert": a.location or a.brand, "message": a.message[:300]} for a in alerts]
    spec: Spec = json.loads(_timeline_template(bool(marks)))
    spec["datasets"] = {"points": rows, "marks": marks} if marks else {"points": rows}
    return spec


@functools.cache
def _timeline_template(with_alerts: bool) -> str:
    """The timeline's spec without its data (named datasets the caller adds), built and validated once:
    altair takes about 0.06 s a chart, and a report has one per own brand (50 brands: 3 s)."""
    day = alt.X("day:T", title=None, axis=alt.Axis(format="%d %b", labelAngle=0))
    base = alt.Chart(alt.NamedData(name="points")).encode(x=day)
    band = base.mark_area(color=BAND, opacity=0.45).encode(
        y=alt.Y("band_low:Q", scale=SCORE, title="sentiment score"), y2="band_high:Q"
    )
    dots = base.mark_circle(color=LINE, opacity=0.4).encode(
        y=alt.Y("score:Q", scale=SCORE),
        size=alt.Size("mentions:Q", legend=None, scale=alt.Scale(range=[15, 160])),
        tooltip=[alt.Tooltip("day:T", format="%Y-%m-%d"), "mentions:Q", alt.Tooltip("score:Q", format="+.2f")],
    )
    line = base.mark_line(color=LINE, strokeWidth=2.5).encode(
        y=alt.Y("score_7d:Q", scale=SCORE),
        tooltip=[alt.Tooltip("day:T", format="%Y-%m-%d"), alt.Tooltip("score_7d:Q", title="7-day mean", format="+.2f")],
    )
    layers: list[alt.Chart] = [band, dots, line]
    if with_alerts:
        layers.append(
            alt.Chart(alt.NamedData(name="marks"))
            .mark_rule(color=ALERT, strokeWidth=2, strokeDash=[5, 3])
            .encode(x="day:T", tooltip=["alert:N", "message:N"])
        )
    top = alt.layer(*layers).properties(width=WIDTH, height=220)
    volume = (
        base.mark_bar(color=VOLUME).encode(y=alt.Y("mentions:Q", title="mentions")).properties(width=WIDTH, height=70)
    )
    return json.dumps(_spec(alt.vconcat(top, volume, spacing=6).resolve_scale(x="shared")))


def brands(rows: Sequence[BrandRow]) -> Spec:
    """Share of voice and mean score per brand, side by side."""
    values = [{"brand": r.brand, "share": r.share_of_voice, "score": r.score, "mentions": r.mentions} for r in rows]
    colour, shape = _brand_scales([r.brand for r in rows])
    base = alt.Chart(alt.InlineData(values=values)).encode(y=alt.Y("brand:N", title=None, sort=None))
    share = base.mark_bar().encode(
        x=alt.X("share:Q", title="share of voice", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("brand:N", scale=colour, legend=None),
        tooltip=["brand:N", "mentions:Q", alt.Tooltip("share:Q", format=".1%")],
    ).properties(width=330, height=28 * max(1, len(values)))  # fmt: skip
    score = base.mark_point(filled=True, size=160).encode(
        x=alt.X("score:Q", title="mean sentiment score", scale=SCORE),
        color=alt.Color("brand:N", scale=colour, legend=None),
        shape=alt.Shape("brand:N", scale=shape, legend=None),
        tooltip=["brand:N", alt.Tooltip("score:Q", format="+.2f")],
    ).properties(width=330, height=28 * max(1, len(values)))  # fmt: skip
    return _spec(alt.hconcat(share, score, spacing=30))


def topics_by_brand(comparison: dict[str, dict[str, tuple[int, float]]], brand_order: Sequence[str]) -> Spec:
    """Per topic, each brand's mean aspect score (a dot per brand): where each reads better or worse."""
    values = [
        {"topic": topic, "brand": brand, "mentions": n, "score": round(score, 4)}
        for topic, by_brand in comparison.items()
        for brand, (n, score) in by_brand.items()
    ]
    colour, shape = _brand_scales(brand_order)
    chart = alt.Chart(alt.InlineData(values=values)).mark_point(filled=True, size=110, opacity=0.9).encode(
        y=alt.Y("topic:N", title=None),
        x=alt.X("score:Q", title="mean aspect score, last four weeks", scale=SCORE),
        color=alt.Color("brand:N", scale=colour, legend=alt.Legend(orient="top", title=None)),
        shape=alt.Shape("brand:N", scale=shape, legend=alt.Legend(orient="top", title=None)),
        tooltip=["topic:N", "brand:N", "mentions:Q", alt.Tooltip("score:Q", format="+.2f")],
    ).properties(width=WIDTH - 160, height=22 * max(1, len(comparison)))  # fmt: skip
    return _spec(chart)


def heatmap(cells: Sequence[TopicCell]) -> Spec:
    """Topic by location: each cell's mean aspect score over the last four weeks, with the score written in."""
    values = [
        {"place": f"{c.brand} · {c.location}", "topic": c.topic, "mentions": c.mentions,
         "score": round(c.score, 4), "label": f"{c.score:+.2f}"}
        for c in cells
    ]  # fmt: skip
    places = sorted({f"{c.brand} · {c.location}" for c in cells})
    base = alt.Chart(alt.InlineData(values=values)).encode(
        x=alt.X("topic:N", title=None, axis=alt.Axis(labelAngle=-35)),
        y=alt.Y("place:N", title=None, sort=places),
    )
    rect = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "score:Q", title="aspect score",
            scale=alt.Scale(scheme="redblue", domain=[-1, 1], domainMid=0),
        ),
        tooltip=["place:N", "topic:N", "mentions:Q", alt.Tooltip("score:Q", format="+.2f")],
    )  # fmt: skip
    text = base.mark_text(fontSize=11).encode(
        text="label:N",
        color=alt.condition("abs(datum.score) > 0.55", alt.value("white"), alt.value("black")),
    )
    width = max(200, 58 * len({c.topic for c in cells}))
    return _spec(alt.layer(rect, text).properties(width=width, height=30 * max(1, len(places))))
