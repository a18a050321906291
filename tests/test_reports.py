"""Statistics against closed forms and textbook values; lr choice and its tie rules on small tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reports.stats import holm, mcnemar_exact, wilson
from reports.summary import CELL, choose_lr, summarize


def test_wilson_never_has_zero_width():  # R2
    low, high = wilson([0, 10, 0], [10, 10, 50])
    np.testing.assert_allclose(low, [0.0, 0.7225, 0.0], atol=5e-5)
    np.testing.assert_allclose(high, [0.2775, 1.0, 0.0713], atol=5e-5)


def test_wilson_closed_form():
    z = 1.959963984540054
    k, n = 37, 120
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    low, high = wilson(k, n)
    np.testing.assert_allclose([low, high], [centre - half, centre + half], rtol=1e-12)


def test_exact_mcnemar():
    a = np.array([True] * 9 + [False] * 1 + [True] * 5)
    b = np.array([False] * 9 + [True] * 1 + [True] * 5)
    only_a, only_b, p = mcnemar_exact(a, b)
    assert (only_a, only_b) == (9, 1)
    assert p == pytest.approx(2 * 11 / 2**10, rel=1e-12)  # 2 P(X <= 1), X ~ Bin(10, 1/2)
    assert mcnemar_exact(a, a)[2] == 1.0


def test_holm():
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
    assert holm([]).size == 0


def results_frame(rates_by_lr: dict, n=20, schedule="cosine", f_final=None):
    """Synthetic results: for each lr, the first round(rate * n) starts of each split succeed."""
    rows = []
    for lr, (tune_rate, test_rate) in rates_by_lr.items():
        for start in range(2 * n):
            split = "tune" if start % 2 == 0 else "test"
            rank = start // 2
            rate = tune_rate if split == "tune" else test_rate
            ok = rank < round(rate * n)
            rows.append(
                {
                    "function": "rastrigin",
                    "dim": 2,
                    "instance": 0,
                    "optimizer": "sgd",
                    "schedule": schedule,
                    "steps": 100,
                    "noise": "none",
                    "params": "{}",
                    "lr": lr,
                    "start": start,
                    "split": split,
                    "success_basin": ok,
                    "final_in_global_basin": ok,
                    "success_target": ok,
                    "start_in_global_basin": rank < 2,
                    "diverged": False,
                    "f_final": (f_final or {}).get(lr, 1.0),
                    "freeze_step": 0,
                    "oscillation": 0.0,
                }
            )
    return pd.DataFrame(rows)


def test_lr_is_chosen_on_tune_and_reported_on_test():
    frame = results_frame({0.01: (0.5, 0.9), 0.1: (0.8, 0.3), 1.0: (0.2, 0.2)})
    choice = choose_lr(frame)
    assert choice["lr_best"].item() == 0.1 and not choice["lr_at_edge"].item()
    summary = summarize(frame)
    assert summary["success_rate"].item() == pytest.approx(0.3)
    assert summary["n"].item() == 20 and summary["baseline_rate"].item() == pytest.approx(0.1)


def test_ties_go_to_lower_mean_f_final_then_to_the_smaller_lr():
    tied = results_frame({0.01: (0.5, 0.5), 0.1: (0.5, 0.5), 1.0: (0.5, 0.5)}, f_final={0.01: 2.0, 0.1: 1.0, 1.0: 1.0})
    assert choose_lr(tied)["lr_best"].item() == 0.1
    flat = results_frame({0.01: (0.5, 0.5), 0.1: (0.5, 0.5)})
    choice = choose_lr(flat)
    assert choice["lr_best"].item() == 0.01
    assert not choice["lr_at_edge"].item()  # a flat end: a wider grid would change nothing


def test_edge_is_flagged_only_while_the_rate_still_rises_there():
    rising = choose_lr(results_frame({0.01: (0.2, 0.2), 0.1: (0.4, 0.4), 1.0: (0.6, 0.6)}))
    assert rising["lr_best"].item() == 1.0 and rising["lr_at_edge"].item()
    falling = choose_lr(results_frame({0.01: (0.6, 0.6), 0.1: (0.4, 0.4), 1.0: (0.2, 0.2)}))
    assert falling["lr_best"].item() == 0.01 and falling["lr_at_edge"].item()


def test_summary_compares_against_constant_on_the_same_starts():
    frame = pd.concat([results_frame({0.1: (0.9, 0.9)}), results_frame({0.1: (0.1, 0.1)}, schedule="constant")])
    summary = summarize(frame).set_index("schedule")
    assert summary.loc["cosine", "vs_constant_wins"] == 16 and summary.loc["cosine", "vs_constant_losses"] == 0
    assert summary.loc["cosine", "vs_constant_p"] == pytest.approx(2 * 0.5**16)
    assert np.isnan(summary.loc["constant", "vs_constant_p"])
    assert set(CELL) <= set(summary.reset_index().columns)


def test_escape_gain_is_a_marked_bound_when_no_start_is_in_the_global_basin():
    frame = results_frame({0.1: (0.5, 0.5)})
    frame["start_in_global_basin"] = False
    summary = summarize(frame)
    assert summary["escape_gain_is_bound"].item()
    _, high = wilson(0, 20)
    assert summary["escape_gain"].item() == pytest.approx(0.5 / high)


def test_noise_cells_are_tested_against_constant_lr_without_noise():
    from reports.summary import against_noise_free_constant
    from reports.tables import noise_table

    def frame(schedule, noise, rate):
        f = results_frame({0.01: (rate, rate)}, n=30, schedule=schedule)
        return f.assign(noise=noise)

    results = pd.concat(
        [
            frame("constant", "none", 0.1),
            frame("cosine", "none", 0.9),
            frame("constant", "langevin-cosine-1", 0.1),
            frame("cosine", "langevin-cosine-1", 0.5),
        ]
    )
    table = against_noise_free_constant(results).set_index(["schedule", "noise"])
    assert np.isnan(table.loc[("constant", "none"), "vs_plain_p"])  # the baseline itself
    assert table.loc[("constant", "langevin-cosine-1"), "vs_plain_p"] == 1.0  # no discordant pairs
    # cosine without noise: 27 of 30 succeed where the baseline's first 3 do: 24 discordant wins.
    assert table.loc[("cosine", "none"), ["vs_plain_wins", "vs_plain_losses"]].tolist() == [24, 0]
    assert table.loc[("cosine", "none"), "vs_plain_p_holm"] == pytest.approx(min(1.0, 3 * 2 * 0.5**24))
    shown = noise_table(table.reset_index(), ["constant", "cosine"]).set_index("schedule")
    assert shown.loc["cosine", "noise none"].endswith("↑") and not shown.loc[
        "constant", "noise langevin-cosine-1"
    ].endswith("↑")
    assert against_noise_free_constant(frame("cosine", "none", 0.5)).empty  # no noise in the run
