"""Per-cell measures beyond the success rate, on the test starts at each cell's tuned lr:
escape gain and settling rate with paired-bootstrap intervals, ERT per target, robustness of the
lr choice, ranks, and success against dimension or budget. DataFrame -> DataFrame throughout.

* escape gain = rate(final_in_global_basin) / rate(start_in_global_basin) (claim 1: a large early
  lr leaves the start's basin for the global one);
* settling rate = rate(success_basin) / rate(final_in_global_basin) (claim 2: the iterate that
  reached the global valley also settles in it).

Both are lower bounds, marked ``*_is_bound``, when their denominator count is 0: the Wilson upper
limit of the denominator's rate is used instead (DESIGN.md, Success); such a bound has no
interval. Intervals: percentile bootstrap over the test starts, paired (numerator and denominator
resampled together), :func:`reports.stats.ratio_interval`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from ._load import CELL
from .stats import RESAMPLES, ert, ratio_interval, ratio_of_rates

ROBUST_WITHIN = 0.10  # robustness: share of the lr grid within 10% (relative) of the best rate


def hit_columns(frame: pd.DataFrame) -> list[str]:
    """The ``hit_<t>`` columns, by increasing difficulty (decreasing target)."""
    return sorted((c for c in frame.columns if c.startswith("hit_")), key=lambda c: -float(c[4:]))


def target_of(column: str) -> float:
    return float(column.removeprefix("hit_"))


def ratios(rows: pd.DataFrame, resamples: int = RESAMPLES) -> pd.DataFrame:
    """Per cell: escape gain and settling rate, each with its bound flag and bootstrap interval.
    NaN (not available) for functions without basins."""
    out = []
    for keys, cell in rows.groupby(CELL, observed=True, sort=True):
        record = dict(zip(CELL, keys))
        start, final = cell["start_in_global_basin"], cell["final_in_global_basin"]
        if start.isna().any() or final.isna().any():  # basins not available for this function
            out.append(record)
            continue
        success = cell["success_basin"].to_numpy(bool)
        start, final = start.to_numpy(bool), final.to_numpy(bool)
        for name, top, bottom in (("escape_gain", final, start), ("settling_rate", success, final)):
            value, bound = ratio_of_rates(top, bottom)
            low, high = ratio_interval(top, bottom, resamples=resamples)
            record |= {name: value, f"{name}_is_bound": bound, f"{name}_low": low, f"{name}_high": high}
        out.append(record)
    columns = [
        *CELL,
        *(f"{n}{s}" for n in ("escape_gain", "settling_rate") for s in ("", "_is_bound", "_low", "_high")),
    ]
    frame = pd.DataFrame(out).reindex(columns=columns)
    for name in ("escape_gain", "settling_rate"):
        frame[f"{name}_is_bound"] = frame[f"{name}_is_bound"].astype("boolean").fillna(False).astype(bool)
    return frame


def erts(rows: pd.DataFrame) -> pd.DataFrame:
    """Per cell and target t: ``ert_<t>`` (COCO's ERT in steps, inf without a success) and
    ``hits_<t>`` (how many test starts met t, best-so-far)."""
    columns = hit_columns(rows)
    out = []
    for keys, cell in rows.groupby(CELL, observed=True, sort=True):
        record = dict(zip(CELL, keys))
        steps = int(record["steps"])
        for column in columns:
            suffix = column.removeprefix("hit_")
            record[f"ert_{suffix}"] = ert(cell[column].to_numpy(), steps)
            record[f"hits_{suffix}"] = int(np.sum(cell[column].to_numpy() >= 0))
        out.append(record)
    return pd.DataFrame(out, columns=[*CELL, *(f"{p}_{c[4:]}" for c in columns for p in ("ert", "hits"))])


def robustness(curves: pd.DataFrame, choice: pd.DataFrame) -> pd.DataFrame:
    """Per cell: the share of its lr grid (at the tuned params) whose test-half success rate is
    within 10% (relative) of the best rate on that grid: rate >= 0.9 * max rate. NaN where no lr
    succeeds on any start (a flat zero curve is not robust, only useless)."""
    keys = choice[[*CELL, "params_best"]].rename(columns={"params_best": "params"})
    mine = curves.merge(keys, on=[*CELL, "params"])

    def share(curve: pd.DataFrame) -> float:
        rates = curve["success_rate"].to_numpy()
        best = rates.max()
        return float(np.mean(rates >= (1.0 - ROBUST_WITHIN) * best)) if best > 0 else float("nan")

    out = mine.groupby(CELL, observed=True).apply(share, include_groups=False)
    return out.rename("robustness").reset_index()


def ranks(summary: pd.DataFrame, table: list[str]) -> pd.Series:
    """Rank of each cell's success rate among the schedules of its optimizer in its table:
    1 = the highest rate (higher is better), ties get the average of their ranks
    (``scipy.stats.rankdata(method="average")`` on the negated rates)."""
    group = [*table, "optimizer"]
    return summary.groupby(group, observed=True)["success_rate"].transform(
        lambda rates: rankdata(-rates.to_numpy(), method="average")
    )


def varies(summary: pd.DataFrame, column: str) -> pd.DataFrame:
    """The rows of functions that the run gives several values of ``column`` ("dim" or "steps"),
    other keys fixed: the data of success against dimension or budget."""
    others = [c for c in ("function", "dim", "instance", "steps", "noise") if c != column]
    counts = summary.groupby(others, observed=True)[column].transform("nunique")
    return summary[counts > 1]
