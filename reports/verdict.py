"""The verdict: the three claims of the popular decay story, each answered from the run's data.

Per case (success table x optimizer, functions with basins only), with the *best decay* (the
non-constant schedule with the highest *tune* success_basin rate at its tuned lr: chosen on the
tune starts, judged on the test starts, so the choice does not flatter it) and two constant
lrs from the grid: *small* (the smallest lr) and *large* (the largest lr at which at most 10% of
the test starts diverge):

1. a large early lr escapes local minima: the best decay's escape gain (final-in-global rate /
   start-basin rate) has its 95% interval above 1 (or is a lower bound above 1), and the large
   constant lr ends in the global valley more often than the small one (Newcombe's paired interval
   of the difference above 0);
2. decay lets the iterate settle: the best decay's settling rate (success_basin / final-in-global)
   has its Wilson interval (the binomial of settled starts among those that end in the global
   valley) above the large constant lr's; a percentile bootstrap would shrink to a point at k/k,
   and a verdict could then rest on one start;
3. decay stabilises: the best decay's median oscillation has its bootstrap interval below the large
   constant lr's.

A claim is *supported* in a case when its intervals are disjoint in the claimed direction,
*contradicted* when disjoint the other way, *inconclusive* otherwise or when data are missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .stats import RESAMPLES, median_interval, newcombe_paired, wilson
from .summary import BASELINE_SCHEDULE, REFERENCE_SCHEDULE, TABLE

CASE = [*TABLE, "optimizer"]
CLAIMS = (
    "1. A large early lr escapes local minima",
    "2. Decay lets the iterate settle precisely",
    "3. Decay damps oscillation",
)
DIVERGED_AT_MOST = 0.10  # the large constant lr: the largest with at most this share diverged


def cases(results: pd.DataFrame, summary: pd.DataFrame, resamples: int = RESAMPLES) -> pd.DataFrame:
    """One row per case with the numbers behind each claim and its status."""
    test = results[results["split"] == "test"]
    out = []
    for keys, cells in summary.groupby(CASE, observed=True, sort=True):
        key = dict(zip(CASE, keys))
        decays = cells[~cells["schedule"].isin([BASELINE_SCHEDULE, REFERENCE_SCHEDULE])]
        constant = cells[cells["schedule"] == BASELINE_SCHEDULE]
        if decays.empty or constant.empty or decays["baseline_rate"].isna().all():
            continue  # nothing to compare, or no basins (claims 1 and 2 need them)
        best = decays.sort_values(["tune_rate", "schedule"], ascending=[False, True], kind="stable").iloc[0]
        mine = test[np.all([test[c] == v for c, v in key.items()], axis=0)]
        grid = mine[(mine["schedule"] == BASELINE_SCHEDULE) & (mine["params"] == constant["params_best"].iloc[0])]
        small_lr = grid["lr"].min()
        diverged = grid.groupby("lr")["diverged"].mean()
        large_lr = diverged[diverged <= DIVERGED_AT_MOST].index.max()
        decay_rows = mine[
            (mine["schedule"] == best["schedule"])
            & (mine["lr"] == best["lr_best"])
            & (mine["params"] == best["params_best"])
        ]
        row = {**key, "best_decay": best["schedule"], "small_lr": small_lr, "large_lr": large_lr}
        settled_low, settled_high = _settling_interval(decay_rows["success_basin"], decay_rows["final_in_global_basin"])
        row |= {
            "escape_gain": best["escape_gain"],
            "escape_gain_is_bound": best["escape_gain_is_bound"],
            "escape_gain_low": best["escape_gain_low"],
            "escape_gain_high": best["escape_gain_high"],
            "settling": best["settling_rate"],
            "settling_low": settled_low,
            "settling_high": settled_high,
            "decay_success": best["success_rate"],
            "decay_target": best["target_rate"],
            "decay_f_gap": best.get("median_f_gap", np.nan),
        }
        low, high = median_interval(decay_rows["oscillation"], resamples)
        row |= {"decay_oscillation": decay_rows["oscillation"].median(), "decay_osc_low": low, "decay_osc_high": high}
        if pd.notna(large_lr) and large_lr > small_lr:
            large = grid[grid["lr"] == large_lr].sort_values("start")
            small = grid[grid["lr"] == small_lr].sort_values("start")
            final_large = large["final_in_global_basin"].to_numpy(bool)
            diff = newcombe_paired(final_large, small["final_in_global_basin"].to_numpy(bool))
            success_large = large["success_basin"].to_numpy(bool)
            s_low, s_high = _settling_interval(success_large, final_large)
            o_low, o_high = median_interval(large["oscillation"], resamples)
            row |= {
                "large_final": final_large.mean(),
                "small_final": small["final_in_global_basin"].to_numpy(bool).mean(),
                "final_diff": diff[0],
                "final_diff_low": diff[1],
                "final_diff_high": diff[2],
                "large_settling": success_large.sum() / final_large.sum() if final_large.any() else np.nan,
                "large_settling_low": s_low,
                "large_settling_high": s_high,
                "large_success": success_large.mean(),
                "large_f_gap": large["f_gap"].median() if "f_gap" in large else np.nan,
                "large_oscillation": large["oscillation"].median(),
                "large_osc_low": o_low,
                "large_osc_high": o_high,
            }
        out.append(row)
    frame = pd.DataFrame(out)
    if frame.empty:
        return frame
    frame["claim1"] = [_claim1(r) for r in frame.itertuples(index=False)]
    frame["claim2"] = [
        _disjoint(r, "settling_low", "settling_high", "large_settling_low", "large_settling_high", +1)
        for r in frame.itertuples(index=False)
    ]
    frame["claim3"] = [
        _disjoint(r, "decay_osc_low", "decay_osc_high", "large_osc_low", "large_osc_high", -1)
        for r in frame.itertuples(index=False)
    ]
    return frame


def _settling_interval(success, final) -> tuple[float, float]:
    """Wilson 95% interval of the settled share among the starts that end in the global valley
    (success_basin implies final_in_global_basin); NaN when none does."""
    success, final = np.asarray(success, bool), np.asarray(final, bool)
    if not final.any():
        return np.nan, np.nan
    low, high = wilson(np.sum(success & final), np.sum(final))
    return float(low), float(high)


def _value(row, name: str) -> float:
    value = getattr(row, name, np.nan)
    return float(value) if value is not None and pd.notna(value) else np.nan


def _claim1(row) -> str:
    if row.escape_gain_is_bound:
        gain = "supported" if row.escape_gain > 1 else "inconclusive"
    elif _value(row, "escape_gain_low") > 1:
        gain = "supported"
    elif _value(row, "escape_gain_high") < 1:
        gain = "contradicted"
    else:
        gain = "inconclusive"
    low, high = _value(row, "final_diff_low"), _value(row, "final_diff_high")
    constant = "supported" if low > 0 else "contradicted" if high < 0 else "inconclusive"
    if gain == constant:
        return gain
    if "contradicted" in (gain, constant) and "supported" in (gain, constant):
        return "mixed"
    return "inconclusive"


def _disjoint(row, low: str, high: str, other_low: str, other_high: str, direction: int) -> str:
    """supported when the decay's interval lies beyond the large constant lr's in ``direction``
    (+1: above, -1: below), contradicted when beyond it the other way, else inconclusive."""
    a_low, a_high, b_low, b_high = (_value(row, n) for n in (low, high, other_low, other_high))
    if np.isnan([a_low, a_high, b_low, b_high]).any():
        return "inconclusive"
    above, below = a_low > b_high, a_high < b_low
    if (above and direction > 0) or (below and direction < 0):
        return "supported"
    if above or below:
        return "contradicted"
    return "inconclusive"


def overall(frame: pd.DataFrame, claim: str) -> str:
    """One word for a claim over all cases, with the counts: supported / contradicted only when every
    case agrees; otherwise the counts say how it splits."""
    if frame.empty:
        return "inconclusive (no case with basins, a decay and constant lr in this run)"
    counts = frame[claim].value_counts()
    n = len(frame)
    parts = ", ".join(
        f"{status} in {counts[status]}"
        for status in ("supported", "contradicted", "mixed", "inconclusive")
        if status in counts
    )
    if counts.get("supported", 0) == n:
        word = "supported"
    elif counts.get("contradicted", 0) == n:
        word = "contradicted"
    elif counts.get("supported", 0) and not counts.get("contradicted", 0) and not counts.get("mixed", 0):
        word = "partly supported, partly inconclusive"
    elif counts.get("contradicted", 0) and not counts.get("supported", 0) and not counts.get("mixed", 0):
        word = "partly contradicted, partly inconclusive"
    elif not counts.get("supported", 0) and not counts.get("contradicted", 0):
        word = "inconclusive"
    else:
        word = "mixed"
    return f"{word} ({parts} of {n} cases)"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%" if pd.notna(x) else "n/a"


def _num(x: float) -> str:
    if pd.isna(x):
        return "n/a"
    return "∞" if np.isinf(x) else f"{x:.3g}"


def _case(row) -> str:
    return f"{row.function} {row.dim}-D" + (f" instance {row.instance}" if row.instance else "") + f", {row.optimizer}"


def paragraphs(frame: pd.DataFrame) -> list[str]:
    """The verdict's text: per claim, the overall word and the numbers of its clearest case."""
    text = [
        "Each claim is judged per case (success table x optimiser, functions with basins) on the test starts: the "
        "best decay (highest tune success_basin at its tuned lr) against a small and a large constant lr from the grid "
        f"(the smallest, and the largest with at most {DIVERGED_AT_MOST:.0%} of starts diverged). *Supported* or "
        "*contradicted* only where the 95% intervals are disjoint; *inconclusive* where they overlap or data are missing."
    ]
    if frame.empty:
        return text + [
            f"**{claim}**: inconclusive, no case in this run has basins, a decay and constant lr." for claim in CLAIMS
        ]
    for claim, column in zip(CLAIMS, ("claim1", "claim2", "claim3")):
        example = _example(frame, column)
        text.append(f"**{claim}**: {overall(frame, column)}. {example}")
    return text


def _example(frame: pd.DataFrame, column: str) -> str:
    order = {"supported": 0, "mixed": 1, "contradicted": 2, "inconclusive": 3}
    row = frame.assign(_o=frame[column].map(order)).sort_values("_o", kind="stable").iloc[0]
    where = _case(row)
    if column == "claim1":
        gain = (
            f"≥ {_num(row.escape_gain)} (a bound: no test start began in the global basin)"
            if row.escape_gain_is_bound
            else f"{_num(row.escape_gain)} [{_num(row.escape_gain_low)}, {_num(row.escape_gain_high)}]"
        )
        constant = (
            f"constant lr {row.large_lr:.2g} ends in the global valley on {_pct(row.large_final)} of test starts against "
            f"{_pct(row.small_final)} at lr {row.small_lr:.2g} (difference {100 * row.final_diff:+.1f} points, "
            f"[{100 * row.final_diff_low:+.1f}, {100 * row.final_diff_high:+.1f}])"
            if pd.notna(row.get("final_diff", np.nan))
            else "the constant-lr grid has a single usable lr, so large against small cannot be compared"
        )
        return f"E.g. {where}: {row.best_decay}'s escape gain is {gain}; {constant} ({row.claim1})."
    if column == "claim2":
        return (
            f"E.g. {where}: of the test starts that end in the global valley, {row.best_decay} settles "
            f"{_pct(row.settling)} [{_pct(row.settling_low)}, {_pct(row.settling_high)}] against "
            f"{_pct(row.get('large_settling', np.nan))} [{_pct(row.get('large_settling_low', np.nan))}, "
            f"{_pct(row.get('large_settling_high', np.nan))}] for constant lr {row.large_lr:.2g}; success_target "
            f"{_pct(row.decay_target)}, median final f - f* {_num(row.decay_f_gap)} against "
            f"{_num(row.get('large_f_gap', np.nan))} ({row.claim2})."
        )
    return (
        f"E.g. {where}: median oscillation over the last 5% of steps {_num(row.decay_oscillation)} "
        f"[{_num(row.decay_osc_low)}, {_num(row.decay_osc_high)}] with {row.best_decay} against "
        f"{_num(row.get('large_oscillation', np.nan))} [{_num(row.get('large_osc_low', np.nan))}, "
        f"{_num(row.get('large_osc_high', np.nan))}] at constant lr {row.large_lr:.2g} ({row.claim3})."
    )


def instance_shift(frame: pd.DataFrame) -> str | None:
    """Whether the answers change when the optimum moves off the centre of the box: cases with
    instance 0 and a shifted instance of the same (function, dim, optimizer, steps, noise)."""
    if frame.empty or frame["instance"].nunique() < 2:
        return None
    keys = ["function", "dim", "optimizer", "steps", "noise"]
    lines, same, changed = [], 0, 0
    for key, part in frame.groupby(keys, observed=True, sort=True):
        if 0 not in set(part["instance"]) or part["instance"].max() == 0:
            continue
        centred = part[part["instance"] == 0].iloc[0]
        for _, moved in part[part["instance"] > 0].iterrows():
            differences = [
                f"claim {i}: {centred[f'claim{i}']} at instance 0, {moved[f'claim{i}']} at instance {moved['instance']}"
                for i in (1, 2, 3)
                if centred[f"claim{i}"] != moved[f"claim{i}"]
            ]
            rate = f"best-decay success {_pct(centred['decay_success'])} -> {_pct(moved['decay_success'])}"
            if differences:
                changed += 1
                lines.append(f"{key[0]} {key[1]}-D, {key[2]}: " + "; ".join(differences) + f" ({rate})")
            else:
                same += 1
    if not lines and not same:
        return None
    head = (
        f"Moving the optimum off the centre of the box (instance >= 1 against instance 0): the answers are the same "
        f"in {same} and change in {changed} of {same + changed} comparisons."
    )
    return head + ("" if not lines else " Changes: " + "; ".join(lines) + ".")


def table(frame: pd.DataFrame) -> pd.DataFrame:
    """The cases, one row each, with the numbers the verdict uses."""
    return pd.DataFrame(
        {
            "case": [_case(r) for r in frame.itertuples(index=False)],
            "best decay": frame["best_decay"],
            "escape gain [95% CI]": [
                f"≥ {_num(r.escape_gain)} (bound)"
                if r.escape_gain_is_bound
                else f"{_num(r.escape_gain)} [{_num(r.escape_gain_low)}, {_num(r.escape_gain_high)}]"
                for r in frame.itertuples(index=False)
            ],
            "final in global: large - small constant lr": [
                f"{100 * r.final_diff:+.1f} [{100 * r.final_diff_low:+.1f}, {100 * r.final_diff_high:+.1f}]"
                if pd.notna(getattr(r, "final_diff", np.nan))
                else "n/a"
                for r in frame.itertuples(index=False)
            ],
            "claim 1": frame["claim1"],
            "settling: decay / large constant": [
                f"{_pct(r.settling)} / {_pct(getattr(r, 'large_settling', np.nan))}"
                for r in frame.itertuples(index=False)
            ],
            "claim 2": frame["claim2"],
            "median oscillation: decay / large constant": [
                f"{_num(r.decay_oscillation)} / {_num(getattr(r, 'large_oscillation', np.nan))}"
                for r in frame.itertuples(index=False)
            ],
            "claim 3": frame["claim3"],
        }
    )
