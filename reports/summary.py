"""From the results table to one row per cell: lr chosen on the tune half, rates on the test half.

A *cell* is (function, dim, instance, optimizer, schedule, steps, noise); its candidates are the
(peak lr, params) pairs of the grid. All functions here are DataFrame -> DataFrame.

Choice of ``lr_best`` (DESIGN.md, Fair comparison), on the tune half only: highest
``success_basin`` rate; ties broken by lower mean ``f_final`` (a diverged start counts as +inf, so
a candidate with any divergence loses a tie to one without), then by the smaller lr.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ._load import CELL
from .measures import erts, ranks, ratios, robustness
from .stats import ALPHA, RESAMPLES, holm, mcnemar_exact, newcombe_paired, wilson

BASELINE_SCHEDULE = "constant"
REFERENCE_SCHEDULE = "none"  # reference rows (lbfgs, random_search): no schedule, lr 0.0
CANDIDATE = [*CELL, "lr", "params"]
TABLE = ["function", "dim", "instance", "steps", "noise"]  # one success table (and Holm family) each


def candidate_rates(results: pd.DataFrame, split: str) -> pd.DataFrame:
    """Per (cell, lr, params) on one split: n and the rate of each success column."""
    part = results[results["split"] == split].copy()
    part["f_for_ties"] = np.where(part["diverged"], np.inf, part["f_final"])
    grouped = part.groupby(CANDIDATE, observed=True, sort=True)
    out = grouped.agg(
        n=("success_basin", "size"),
        successes=("success_basin", "sum"),
        success_rate=("success_basin", "mean"),
        final_in_global_rate=("final_in_global_basin", "mean"),
        baseline_rate=("start_in_global_basin", "mean"),
        diverged_rate=("diverged", "mean"),
        mean_f_final=("f_for_ties", "mean"),
    )
    # NaN (not <NA>) where the basins are not available, as in the summary.
    out = out.astype({"final_in_global_rate": "float64", "baseline_rate": "float64"})
    return out.reset_index()


def choose_lr(results: pd.DataFrame) -> pd.DataFrame:
    """Per cell: ``lr_best`` and ``params_best`` from the tune half, and ``lr_at_edge``."""
    tune = candidate_rates(results, "tune")
    ordered = tune.sort_values(
        [*CELL, "success_rate", "mean_f_final", "lr"],
        ascending=[True] * len(CELL) + [False, True, True],
        kind="stable",
    )
    best = ordered.groupby(CELL, observed=True, sort=True).head(1)
    best = best.merge(_grid_ends(tune), on=[*CELL, "params"])
    # At the edge, and better than its neighbour there: the rate may rise further outside the grid,
    # so widen it. A flat end (every constant lr below 2/L gives the start-basin rate) is not flagged.
    at_edge = ((best["lr"] == best["lr_min"]) & best["rising_low"]) | (
        (best["lr"] == best["lr_max"]) & best["rising_high"]
    )
    choice = pd.DataFrame(
        {
            **{c: best[c].to_numpy() for c in CELL},
            "lr_best": best["lr"].to_numpy(),
            "params_best": best["params"].to_numpy(),
            "lr_at_edge": at_edge.to_numpy(),
            "tune_rate": best["success_rate"].to_numpy(),
        }
    )
    return choice.merge(_tuned_params(tune, choice), on=CELL)


def _tuned_params(tune: pd.DataFrame, choice: pd.DataFrame) -> pd.DataFrame:
    """Per cell: ``params_tuned``, the chosen values of the parameters its grid varies
    (``end=0.1``; empty without a grid), for the tables."""
    varying = tune.groupby(CELL, observed=True)["params"].agg(lambda p: _varying_keys(p.unique()))
    rows = []
    for _, row in choice.iterrows():
        keys = varying.loc[tuple(row[c] for c in CELL)]
        chosen = json.loads(row["params_best"])
        rows.append(
            {
                **{c: row[c] for c in CELL},
                "params_tuned": ", ".join(
                    f"{k}={chosen[k]:g}" if isinstance(chosen[k], float) else f"{k}={chosen[k]}" for k in keys
                ),
            }
        )
    return pd.DataFrame(rows, columns=[*CELL, "params_tuned"])


def _varying_keys(params: np.ndarray) -> list[str]:
    parsed = [json.loads(p) for p in params]
    keys = sorted({k for p in parsed for k in p})
    return [k for k in keys if len({json.dumps(p.get(k)) for p in parsed}) > 1]


def _grid_ends(tune: pd.DataFrame) -> pd.DataFrame:
    """Per (cell, params): the smallest and largest lr, and whether each beats its grid neighbour."""

    def ends(curve: pd.DataFrame) -> pd.Series:
        rates = curve.sort_values("lr")["success_rate"].to_numpy()
        two = len(rates) >= 2
        return pd.Series(
            {
                "lr_min": curve["lr"].min(),
                "lr_max": curve["lr"].max(),
                "rising_low": two and rates[0] > rates[1],
                "rising_high": two and rates[-1] > rates[-2],
            }
        )

    out = tune.groupby([*CELL, "params"], observed=True).apply(ends, include_groups=False).reset_index()
    return out.astype({"rising_low": bool, "rising_high": bool})


def at_best(results: pd.DataFrame, choice: pd.DataFrame) -> pd.DataFrame:
    """The test-half rows of every cell at its chosen lr and params."""
    test = results[results["split"] == "test"]
    keys = choice[[*CELL, "lr_best", "params_best"]].rename(columns={"lr_best": "lr", "params_best": "params"})
    return test.merge(same_dtypes(keys, test), on=[*CELL, "lr", "params"])


def same_dtypes(keys: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """``keys`` with the categorical columns of ``like`` (the results' labels) cast to its dtypes:
    a merge on categoricals of one dtype joins their codes; on mixed dtypes pandas converts the
    millions of result rows to strings first."""
    cast = {c: like[c].dtype for c in keys.columns if c in like and isinstance(like[c].dtype, pd.CategoricalDtype)}
    return keys.astype(cast)


def summarize(results: pd.DataFrame, resamples: int = RESAMPLES) -> pd.DataFrame:
    """summary.csv: one row per cell (DESIGN.md, Run directory), with tests against constant lr,
    escape gain and settling rate (bootstrap over ``resamples``), ERT per target, robustness and
    rank. Where ``results`` has an ``f_gap`` column (f_final - f*, :func:`reports._load.with_gap`),
    also the median final gap."""
    choice = choose_lr(results)
    rows = at_best(results, choice)
    grouped = rows.groupby(CELL, observed=True, sort=True)
    summary = grouped.agg(
        n=("success_basin", "size"),
        successes=("success_basin", "sum"),
        final_in_global=("final_in_global_basin", "sum"),
        baseline=("start_in_global_basin", "sum"),
        basins_known=("start_in_global_basin", "count"),
        target_successes=("success_target", "sum"),
        diverged=("diverged", "sum"),
        median_freeze_step=("freeze_step", "median"),
        median_oscillation=("oscillation", "median"),
        **({"median_f_gap": ("f_gap", "median")} if "f_gap" in rows else {}),
    ).reset_index()
    summary = summary.merge(choice, on=CELL)
    n = summary["n"].to_numpy()
    summary["success_rate"] = summary["successes"] / n
    summary["ci_low"], summary["ci_high"] = wilson(summary["successes"], n)
    # Functions without basins (record: has_basins = False) have null basin columns: NaN here,
    # "n/a" in the tables, never a guess.
    summary = summary.astype({"final_in_global": "int64", "baseline": "int64", "basins_known": "int64"})
    known = summary["basins_known"].to_numpy() > 0
    summary["final_in_global_rate"] = np.where(known, summary["final_in_global"] / n, np.nan)
    summary["baseline_rate"] = np.where(known, summary["baseline"] / n, np.nan)
    summary["target_rate"] = summary["target_successes"] / n
    summary["diverged_rate"] = summary["diverged"] / n
    summary = summary.merge(ratios(rows, resamples), on=CELL, how="left")
    summary = summary.merge(robustness(rate_curves(results), choice), on=CELL, how="left")
    summary = summary.merge(_against_constant(rows), on=CELL, how="left")
    # Reference rows (L-BFGS, random search) have no schedules to rank among: their rank is n/a.
    summary["rank"] = ranks(summary, TABLE).where(summary["schedule"] != REFERENCE_SCHEDULE)
    runtime = erts(rows)
    summary = summary.merge(runtime, on=CELL, how="left")
    extra = [c for c in ("median_f_gap",) if c in summary] + [c for c in runtime if c not in CELL]
    return summary[_COLUMNS + extra]


_COLUMNS = [
    *CELL,
    "n",
    "successes",
    "success_rate",
    "ci_low",
    "ci_high",
    "lr_best",
    "lr_at_edge",
    "params_best",
    "params_tuned",
    "tune_rate",
    "baseline_rate",
    "final_in_global_rate",
    "escape_gain",
    "escape_gain_is_bound",
    "escape_gain_low",
    "escape_gain_high",
    "settling_rate",
    "settling_rate_is_bound",
    "settling_rate_low",
    "settling_rate_high",
    "target_rate",
    "diverged",
    "diverged_rate",
    "median_freeze_step",
    "median_oscillation",
    "robustness",
    "rank",
    "vs_constant_diff",
    "vs_constant_diff_low",
    "vs_constant_diff_high",
    "vs_constant_wins",
    "vs_constant_losses",
    "vs_constant_p",
    "vs_constant_p_holm",
]


def _against_constant(rows: pd.DataFrame) -> pd.DataFrame:
    """Exact McNemar test of each schedule against constant lr (same optimiser, same test starts),
    Holm-corrected within each success table."""
    constant = rows[rows["schedule"] == BASELINE_SCHEDULE]
    on = [c for c in CELL if c != "schedule"]
    return paired_tests(rows, constant, on, TABLE, "vs_constant")


def paired_tests(
    rows: pd.DataFrame, baseline: pd.DataFrame, on: list[str], family: list[str], prefix: str
) -> pd.DataFrame:
    """Every cell of ``rows`` (test starts at their tuned lr) against the ``baseline`` cell that
    shares its ``on`` keys, start by start: the rate difference with Newcombe's paired score
    interval and exact McNemar (discordant wins, losses, p), Holm-adjusted within each ``family``.
    Columns ``<prefix>_diff``, ``_diff_low``, ``_diff_high``, ``_wins``, ``_losses``, ``_p``,
    ``_p_holm``; the baseline cells themselves are left out."""
    names = [f"{prefix}_{name}" for name in ("diff", "diff_low", "diff_high", "wins", "losses", "p")]
    paired = rows.merge(baseline[[*on, "start", "success_basin"]], on=[*on, "start"], suffixes=("", "_base"))
    baseline_cells = set(baseline.groupby(CELL, observed=True, sort=False).groups)
    out = []
    for keys, cell in paired.groupby(CELL, observed=True, sort=True):
        if keys in baseline_cells:
            continue
        wins, losses, p = mcnemar_exact(cell["success_basin"], cell["success_basin_base"])
        diff = newcombe_paired(cell["success_basin"], cell["success_basin_base"])
        out.append({**dict(zip(CELL, keys)), **dict(zip(names, (*diff, wins, losses, p)))})
    tests = pd.DataFrame(out, columns=[*CELL, *names])
    if tests.empty:
        tests[f"{prefix}_p_holm"] = pd.Series(dtype=float)
        return tests
    tests[f"{prefix}_p_holm"] = tests.groupby(family, observed=True)[f"{prefix}_p"].transform(
        lambda p: holm(p.to_numpy())
    )
    return tests


def significant(summary: pd.DataFrame, prefix: str = "vs_constant") -> pd.Series:
    """+1 (better than the baseline of ``prefix``'s tests: constant lr), -1 (worse) or 0, at
    Holm-adjusted ALPHA; 0 where a cell was not tested (a baseline)."""
    sign = np.sign(summary[f"{prefix}_diff"].fillna(0.0))
    return (sign * (summary[f"{prefix}_p_holm"].fillna(1.0) < ALPHA)).astype(int)


def rate_curves(results: pd.DataFrame) -> pd.DataFrame:
    """Test-half success rate per (cell, lr): the success-vs-lr curves."""
    return candidate_rates(results, "test")


NOISE_FREE = "none"
ANNEALING = ["function", "dim", "instance", "optimizer", "steps"]  # one noise-comparison table each


def against_noise_free_constant(results: pd.DataFrame, summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """Step-size decay against noise annealing: every (schedule, noise) cell of an optimiser
    against constant lr without noise on the same test starts (exact McNemar, Holm within each
    (function, dim, instance, optimizer, steps)), with the cells' rates from ``summary``
    (``summarize(results)``, computed here if not given). Empty unless the run has noise-free
    constant-lr cells and noisy cells."""
    rates = ["n", "successes", "success_rate", "ci_low", "ci_high"]
    tested = [
        "vs_plain_diff",
        "vs_plain_diff_low",
        "vs_plain_diff_high",
        "vs_plain_wins",
        "vs_plain_losses",
        "vs_plain_p",
        "vs_plain_p_holm",
    ]
    if results["noise"].nunique() < 2:
        return pd.DataFrame(columns=[*CELL, *rates, *tested])
    summary = summarize(results) if summary is None else summary
    rows = at_best(results, summary)
    plain = rows[(rows["schedule"] == BASELINE_SCHEDULE) & (rows["noise"] == NOISE_FREE)]
    with_baseline = summary.merge(plain[ANNEALING].drop_duplicates(), on=ANNEALING)[[*CELL, *rates]]
    tests = paired_tests(rows, plain, ANNEALING, ANNEALING, "vs_plain")
    return with_baseline.merge(tests, on=CELL, how="left")


OVERALL = ["optimizer", "schedule"]  # the overall (headline) table: one family of tests


def overall_against_constant(
    results: pd.DataFrame, summary: pd.DataFrame, rows: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The overall table's tests: per (optimizer, schedule), every (success table, test start) pair
    at the tuned lrs pooled, against constant lr of the same optimiser on the same pairs: rate
    difference with Newcombe's paired interval, exact McNemar, Holm across the overall table (its
    own family, apart from the per-table families). Columns as :func:`paired_tests` with prefix
    ``overall``, keyed by ``OVERALL``. ``rows``: ``at_best(results, summary)`` if already at hand."""
    rows = at_best(results, summary) if rows is None else rows
    pair = [*TABLE, "optimizer", "start"]
    constant = rows[rows["schedule"] == BASELINE_SCHEDULE][[*pair, "success_basin"]]
    paired = rows[rows["schedule"] != BASELINE_SCHEDULE].merge(constant, on=pair, suffixes=("", "_base"))
    names = ["overall_diff", "overall_diff_low", "overall_diff_high", "overall_wins", "overall_losses", "overall_p"]
    out = []
    for keys, cell in paired.groupby(OVERALL, observed=True, sort=True):
        wins, losses, p = mcnemar_exact(cell["success_basin"], cell["success_basin_base"])
        diff = newcombe_paired(cell["success_basin"], cell["success_basin_base"])
        out.append({**dict(zip(OVERALL, keys)), **dict(zip(names, (*diff, wins, losses, p)))})
    tests = pd.DataFrame(out, columns=[*OVERALL, *names])
    tests["overall_p_holm"] = holm(tests["overall_p"].to_numpy())
    return tests
