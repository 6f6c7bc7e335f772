"""The alert benchmark's simulation, baselines and scoring (fast, on a small hand-made score pool), and one
small run of the whole benchmark with the real model's pool (slow)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from bench import alerts as bench
from sentiment.alerts.counts import DailyCounts

#: A language-free pool: negatives score -0.6 or -0.4 (labelled negative), neutrals 0.0, positives 0.6 or 0.4.
READINGS = {
    lang: {
        "negative": [(-0.6, True), (-0.4, True)] * 15,
        "neutral": [(0.0, False)] * 30,
        "positive": [(0.6, False), (0.4, False)] * 15,
    }
    for lang in bench.LANGUAGES
}
POOL = bench.build_pool(READINGS, "hand-made")


def test_the_pool_keeps_each_language_apart_and_falls_back_where_a_class_is_rare() -> None:
    readings = {"en": {"negative": [(-0.9, True)] * 25, "positive": [(0.5, False)] * 25},
                "fr": {"negative": [(-0.2, False)] * 3, "positive": [(0.7, False)] * 30}}  # fmt: skip
    pool = bench.build_pool(readings, "m")
    en, fr = bench.LANGUAGES.index("en"), bench.LANGUAGES.index("fr")
    assert pool.mean("negative", en) == pytest.approx(-0.9)
    assert pool.mean("negative", fr) == pytest.approx((25 * -0.9 + 3 * -0.2) / 28)  # 3 < MIN_POOL: all languages
    assert pool.mean("positive", fr) == pytest.approx(0.7)


def test_a_quiet_world_has_its_volume_and_brands_that_add_up_their_locations() -> None:
    scenario = bench.Scenario("quiet", 3, "none")
    world = bench.simulate(scenario, POOL, 40, np.random.default_rng(1))
    c = world.counts
    assert c.mentions.shape == (42, bench.HISTORY + bench.NO_EVENT_NIGHTS)  # 40 locations, 2 brands of 20
    assert c.mentions[:40].mean() == pytest.approx(3.0, rel=0.1)
    assert np.array_equal(c.mentions[40], c.mentions[:20].sum(axis=0))
    assert np.allclose(c.score_sum[41], c.score_sum[20:40].sum(axis=0))
    assert c.brand_of.tolist() == [40] * 20 + [41] * 20 + [40, 41]
    assert world.nights == range(bench.HISTORY, bench.HISTORY + bench.NO_EVENT_NIGHTS)
    assert (world.start == -1).all()
    mean = c.score_sum[:40].sum() / c.mentions[:40].sum()
    # 8-25% negative (-0.5), 10% neutral (0), the rest positive (+0.5): about +0.28
    assert 0.2 < mean < 0.36


def test_a_step_lowers_the_mean_score_by_the_named_points() -> None:
    scenario = bench.Scenario("step", 20, "step", 0.3)
    world = bench.simulate(scenario, POOL, 60, np.random.default_rng(2))
    c = world.counts
    before, after = [], []
    for i in range(60):
        start = world.start[i]
        before.append(c.score_sum[i, start - 28 : start].sum() / c.mentions[i, start - 28 : start].sum())
        after.append(c.score_sum[i, start:].sum() / c.mentions[i, start:].sum())
    # the hand-made pool's positives and negatives are 1.0 apart: 30% of mentions turn
    assert np.mean(before) - np.mean(after) == pytest.approx(0.3, abs=0.03)


def test_the_welch_baseline_is_the_welch_test() -> None:
    rng = np.random.default_rng(3)
    recent, baseline = rng.normal(-0.2, 0.5, 20), rng.normal(0.4, 0.5, 60)
    days = np.zeros((1, 35, 3))
    for j, x in enumerate(baseline):
        days[0, j % 28] += (1, x, x * x)
    for j, x in enumerate(recent):
        days[0, 28 + j % 7] += (1, x, x * x)
    counts = DailyCounts((("b", "l"),), bench.date(2026, 1, 1), days[..., 0], days[..., 0] * 0, days[..., 1],
                         days[..., 2], np.array([0]))  # fmt: skip
    p = stats.ttest_ind(recent, baseline, equal_var=False, alternative="less").pvalue
    assert p < 0.01  # one scope: Holm changes nothing
    assert bench.welch_7v28(counts, np.zeros((1, 35, 0))).tolist() == [True]
    shifted = DailyCounts(counts.scopes, counts.end, counts.mentions, counts.negative, counts.score_sum + 0.0,
                          counts.score_sq, counts.brand_of)  # fmt: skip
    shifted.score_sum[0, 28:] += 0.6 * counts.mentions[0, 28:]  # the same spread, no drop any more
    assert bench.welch_7v28(shifted, np.zeros((1, 35, 0))).tolist() == [False]


def test_recall_delay_and_false_alarms_are_counted_per_location() -> None:
    event = bench.Scenario("step", 3, "step", 0.5)
    world = bench.simulate(event, POOL, 20, np.random.default_rng(4))
    always = bench.with_cooldown(lambda counts, _t: np.ones(counts.mentions.shape[0], dtype=bool), days=7)()
    out = bench.run(always, world, event)
    # it fires on the first night and every 7th after: caught within 6 days of any start
    assert out.caught == out.events == 20
    assert all(0 <= d < 7 for d in out.delays)
    assert out.pre_event_alarms > 0
    quiet = bench.Scenario("quiet", 3, "none")
    quiet_world = bench.simulate(quiet, POOL, 20, np.random.default_rng(5))
    fa = bench.run(
        bench.with_cooldown(lambda c, _t: np.ones(c.mentions.shape[0], dtype=bool), days=7)(), quiet_world, quiet
    )
    assert fa.false_alarms == 20 * 13  # 90 nights: nights 0, 7, ..., 84
    assert fa.figures()["false_alarms_per_100_location_months"] == 433.33  # 260 alarms in 60 location-months


def test_the_oracle_threshold_meets_its_false_alarm_budget() -> None:
    quiet = bench.simulate(bench.Scenario("quiet", 3, "none"), POOL, 60, np.random.default_rng(6))
    llr = bench.oracle_llr(POOL, quiet, 0.5)
    threshold = bench.calibrate(llr, quiet.nights, budget=1.0)
    months = 60 * len(quiet.nights) / 30
    assert 100 * bench.cusum(llr, quiet.nights, threshold).sum() / months <= 1.0
    assert 100 * bench.cusum(llr, quiet.nights, threshold * 0.5).sum() / months > 1.0


@pytest.mark.slow
def test_the_benchmark_runs_the_product_against_the_baselines(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--series", "20", "--seed", "3", "--theme-weeks", "20"]) == 0
    lines = capsys.readouterr().out.splitlines()
    result = json.loads(lines[-1])
    keys = {"recall_drop03_3pd", "median_delay_drop03_3pd", "median_delay_drop05_3pd", "recall_drop05_1pd",
            "false_alarms_per_100_location_months"}  # fmt: skip
    assert keys <= set(result)
    assert set(result["baselines"]) == {"welch_7v28", "fixed_7d", "mean_3sd_14d", "day_vs_14"}
    assert all(keys == set(b) for b in result["baselines"].values())
    assert 0.0 <= result["recall_drop03_3pd"] <= 1.0
    assert any(line.startswith("drop05_3pd") for line in lines)
    assert result["model"].startswith("embedded:")
    assert result["emerging_theme"]["weeks"] == 20 and 0.0 <= result["emerging_theme"]["recall"] <= 1.0
