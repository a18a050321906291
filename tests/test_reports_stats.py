"""The report's statistics against independent computations on results with known counts: ERT
(case R1), Newcombe's paired interval, escape gain and settling rate with their bounds and
bootstrap intervals, runtime ECDFs, robustness, ranks and the overall table's tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import bootstrap, norm
from statsmodels.stats.proportion import confint_proportions_2indep

from reports.stats import ert, newcombe_paired, ratio_interval, ratio_of_rates, runtime_ecdf, wilson
from reports.summary import overall_against_constant, summarize

RESAMPLES = 200  # small: tests stay fast; the report uses reports.stats.RESAMPLES (1000)


def test_ert_as_coco():  # R1
    assert ert([-1] * 5, 1000) == np.inf
    assert ert([200, -1, -1, -1, -1], 1000) == 4200.0
    assert ert([0, 10, 30], 50) == pytest.approx(40 / 3)
    assert ert([7, -1], 10) == 17.0


def _wilson_closed_form(k: int, n: int) -> tuple[float, float]:
    z = norm.ppf(0.975)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def _pairs(both: int, only_a: int, only_b: int, neither: int) -> tuple[np.ndarray, np.ndarray]:
    a = np.array([1] * both + [1] * only_a + [0] * only_b + [0] * neither, bool)
    b = np.array([1] * both + [0] * only_a + [1] * only_b + [0] * neither, bool)
    return a, b


@pytest.mark.parametrize("counts", [(8, 5, 4, 9), (30, 12, 2, 4), (0, 3, 0, 17), (5, 0, 0, 5)])
def test_newcombe_paired_against_its_formula(counts):
    e, f, g, h = counts
    n = e + f + g + h
    a, b = _pairs(*counts)
    p1, p2 = (e + f) / n, (e + g) / n
    l1, u1 = _wilson_closed_form(e + f, n)
    l2, u2 = _wilson_closed_form(e + g, n)
    margins = (e + f) * (g + h) * (e + g) * (f + h)
    phi = (e * h - f * g) / np.sqrt(margins) if margins else 0.0
    low = p1 - p2 - np.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    high = p1 - p2 + np.sqrt((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    np.testing.assert_allclose(newcombe_paired(a, b), [p1 - p2, low, high], rtol=1e-10, atol=1e-12)


def test_newcombe_paired_without_correlation_is_the_independent_hybrid_interval():
    a, b = _pairs(6, 9, 2, 3)  # e h = f g: phi = 0
    diff, low, high = newcombe_paired(a, b)
    independent = confint_proportions_2indep(15, 20, 8, 20, method="newcomb", compare="diff")
    np.testing.assert_allclose([low, high], independent, rtol=1e-10)
    assert diff == pytest.approx(0.35)


def test_ratio_of_rates_is_a_marked_lower_bound_without_denominator():
    assert ratio_of_rates([1, 1, 0, 0], [1, 0, 0, 0]) == (2.0, False)
    value, bound = ratio_of_rates([1] * 5 + [0] * 15, [0] * 20)
    assert bound and value == pytest.approx(0.25 / wilson(0, 20)[1])
    assert np.isnan(ratio_interval([1] * 5 + [0] * 15, [0] * 20)).all()


def test_ratio_interval_is_a_paired_bootstrap():
    same = np.arange(100) < 30
    assert ratio_interval(same, same, resamples=RESAMPLES) == (1.0, 1.0)  # paired: always 1
    numerator, denominator = np.arange(400) < 200, np.arange(400) < 100
    low, high = ratio_interval(numerator, denominator, resamples=RESAMPLES)
    # delta method on the log ratio of the two (positively correlated, nested) rates
    se = np.sqrt(1 / 100 - 1 / 200)
    assert low < 2.0 < high
    assert np.log(low) == pytest.approx(np.log(2) - 1.96 * se, abs=0.05)
    assert np.log(high) == pytest.approx(np.log(2) + 1.96 * se, abs=0.05)
    assert ratio_interval(np.arange(40) < 10, np.arange(40) < 1, resamples=RESAMPLES)[1] == np.inf


def test_ratio_interval_matches_scipys_paired_percentile_bootstrap():
    rng = np.random.default_rng(3)
    denominator = rng.random(300) < 0.3
    numerator = denominator & (rng.random(300) < 0.7) | (rng.random(300) < 0.1)  # correlated, not nested
    reference = bootstrap(
        (numerator.astype(float), denominator.astype(float)),
        lambda top, bottom, axis=-1: np.mean(top, axis=axis) / np.mean(bottom, axis=axis),
        paired=True,
        vectorized=True,
        n_resamples=20000,
        method="percentile",
        rng=np.random.default_rng(0),
    ).confidence_interval
    low, high = ratio_interval(numerator, denominator, resamples=20000)
    assert np.log(low) == pytest.approx(np.log(reference.low), abs=0.02)
    assert np.log(high) == pytest.approx(np.log(reference.high), abs=0.02)


def test_runtime_ecdf_counts_start_target_pairs():
    first = np.array([[0, 5], [3, -1], [-1, -1]])
    second = np.array([[1, 1]])
    budgets = np.array([0, 1, 4, 5, 100])
    ecdf, low, high = runtime_ecdf([first, second], budgets, resamples=RESAMPLES)
    pairs = np.concatenate([first.ravel(), second.ravel()])
    expected = [np.mean((pairs >= 0) & (pairs <= b)) for b in budgets]
    np.testing.assert_allclose(ecdf, expected)
    assert np.all(low <= ecdf + 1e-12) and np.all(ecdf <= high + 1e-12)
    assert high[0] > 0 and low[-1] < ecdf[-1]  # resampling starts moves the band


def frame(schedule: str, success: list[bool], final: list[bool], start: list[bool], hits: list[int], lr=0.1):
    """One cell at one lr: start i of the test half has the given outcomes (the tune half copies
    them, so the lr is chosen as given)."""
    rows = []
    for i, (s, f, b, h) in enumerate(zip(success, final, start, hits)):
        for split, index in (("tune", 2 * i), ("test", 2 * i + 1)):
            rows.append(
                {
                    "function": "rastrigin",
                    "dim": 2,
                    "instance": 0,
                    "optimizer": "sgd",
                    "schedule": schedule,
                    "steps": 1000,
                    "noise": "none",
                    "params": "{}",
                    "lr": lr,
                    "start": index,
                    "split": split,
                    "success_basin": s,
                    "final_in_global_basin": f,
                    "success_target": s,
                    "start_in_global_basin": b,
                    "diverged": False,
                    "f_final": 0.0 if s else 1.0,
                    "freeze_step": 0,
                    "oscillation": 0.0,
                    "hit_1e-01": h,
                }
            )
    return pd.DataFrame(rows).astype({"final_in_global_basin": "boolean", "start_in_global_basin": "boolean"})


def test_summary_numbers_with_known_counts():
    n = 20
    start = [i < 2 for i in range(n)]  # 2 of 20 start in the global basin
    decay = frame(
        "cosine",
        success=[i < 8 for i in range(n)],  # 8 settle
        final=[i < 10 for i in range(n)],  # 10 end in the global valley
        start=start,
        hits=[200] + [-1] * (n - 1),  # R1: one hit at step 200
    )
    constant = frame("constant", [i < 1 for i in range(n)], [i < 2 for i in range(n)], start, [-1] * n)
    summary = summarize(pd.concat([decay, constant]), resamples=RESAMPLES).set_index("schedule")
    cosine = summary.loc["cosine"]
    assert cosine["escape_gain"] == pytest.approx(5.0) and not cosine["escape_gain_is_bound"]
    assert cosine["settling_rate"] == pytest.approx(0.8) and not cosine["settling_rate_is_bound"]
    assert cosine["escape_gain_low"] < 5.0 < cosine["escape_gain_high"]
    assert cosine["settling_rate_low"] < 0.8 < cosine["settling_rate_high"] <= 1.0
    assert cosine["ert_1e-01"] == pytest.approx(200 + 19 * 1000) and cosine["hits_1e-01"] == 1
    assert summary.loc["constant", "ert_1e-01"] == np.inf and summary.loc["constant", "hits_1e-01"] == 0
    np.testing.assert_allclose(
        cosine[["vs_constant_diff", "vs_constant_diff_low", "vs_constant_diff_high"]].to_numpy(float),
        newcombe_paired(np.arange(n) < 8, np.arange(n) < 1),
    )
    assert (cosine["vs_constant_wins"], cosine["vs_constant_losses"]) == (7, 0)
    assert summary.loc["cosine", "rank"] == 1.0 and summary.loc["constant", "rank"] == 2.0


def test_settling_bound_when_nothing_reaches_the_global_valley():
    n = 10
    none = [False] * n
    summary = summarize(frame("cosine", none, none, [True] + none[1:], [-1] * n), resamples=RESAMPLES)
    row = summary.iloc[0]
    assert row["settling_rate_is_bound"] and row["settling_rate"] == 0.0
    assert np.isnan(row["settling_rate_low"]) and row["escape_gain"] == 0.0


def test_robustness_and_tied_ranks():
    n = 10
    start = [False] * n

    def at(lr, k, schedule="cosine"):
        ok = [i < k for i in range(n)]
        return frame(schedule, ok, ok, start, [-1] * n, lr=lr)

    # rates 0.5, 1.0, 0.9, 0.8 on the grid: within 10% of the best (>= 0.9): 2 of 4
    cosine = pd.concat([at(0.01, 5), at(0.1, 10), at(1.0, 9), at(10.0, 8)])
    linear = pd.concat([at(lr, 10, "linear") for lr in (0.01, 0.1, 1.0, 10.0)])
    constant = pd.concat([at(lr, 0, "constant") for lr in (0.01, 0.1, 1.0, 10.0)])
    summary = summarize(pd.concat([cosine, linear, constant]), resamples=RESAMPLES).set_index("schedule")
    assert summary.loc["cosine", "robustness"] == 0.5 and summary.loc["linear", "robustness"] == 1.0
    assert np.isnan(summary.loc["constant", "robustness"])  # never succeeds: not robust, useless
    assert summary.loc["cosine", "rank"] == 1.5 == summary.loc["linear", "rank"]  # tie: averaged
    assert summary.loc["constant", "rank"] == 3.0


def test_overall_table_pools_every_table_and_has_its_own_holm_family():
    n = 20
    start = [False] * n

    def cell(schedule, k, dim):
        ok = [i < k for i in range(n)]
        return frame(schedule, ok, ok, start, [-1] * n).assign(dim=dim)

    results = pd.concat(
        [
            cell("constant", 2, 2),
            cell("cosine", 12, 2),
            cell("constant", 2, 5),
            cell("cosine", 6, 5),
            cell("linear", 2, 2),
        ]
    )
    summary = summarize(results, resamples=RESAMPLES)
    overall = overall_against_constant(results, summary).set_index("schedule")
    assert (overall.loc["cosine", "overall_wins"], overall.loc["cosine", "overall_losses"]) == (14, 0)
    pooled_a = np.concatenate([np.arange(n) < 12, np.arange(n) < 6])
    pooled_b = np.concatenate([np.arange(n) < 2, np.arange(n) < 2])
    np.testing.assert_allclose(
        overall.loc["cosine", ["overall_diff", "overall_diff_low", "overall_diff_high"]].to_numpy(float),
        newcombe_paired(pooled_a, pooled_b),
    )
    assert overall.loc["linear", "overall_p"] == 1.0  # no discordant pairs
    p = overall.loc["cosine", "overall_p"]
    assert p == pytest.approx(2 * 0.5**14) and overall.loc["cosine", "overall_p_holm"] == pytest.approx(min(1, 2 * p))
