"""Figures for the three claims and their mechanism: runtime ECDFs (best-so-far), success against
dimension or budget, final precision, oscillation, and the annealing figure (where each start
freezes against where the lr crosses 2/L). Pure functions DataFrame -> matplotlib Figure; every
schedule keeps its colour, line style and marker everywhere (:func:`reports.figures.schedule_style`).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

import schedules

from .figures import schedule_style
from .stats import wilson
from .tables import ordered

FLOOR = 1e-12  # values at or below it (exact zeros) are drawn at it on log axes


def ecdf(
    curves: dict[tuple[str, str], tuple], optimizer_order: list[str], schedule_order: list[str], title: str
) -> Figure:
    """Runtime ECDFs: ``curves[(optimizer, schedule)] = (budgets, ecdf, low, high)``, one panel
    per optimizer, a line per schedule with its bootstrap band."""
    optimizers = ordered([o for o, _ in curves], optimizer_order)
    figure = Figure(figsize=(4.2 * len(optimizers), 3.5), layout="constrained")
    axes = figure.subplots(1, len(optimizers), squeeze=False, sharey=True)[0]
    for axis, optimizer in zip(axes, optimizers):
        for schedule in ordered([s for o, s in curves if o == optimizer], schedule_order):
            budgets, point, low, high = curves[(optimizer, schedule)]
            style = schedule_style(schedule)
            x = np.maximum(budgets, 1)
            axis.step(x, point, where="post", label=schedule, color=style["color"], linestyle=style["linestyle"])
            axis.fill_between(x, low, high, step="post", color=style["color"], alpha=0.15, linewidth=0)
        axis.set_xscale("log")
        axis.set_xlabel("steps (best-so-far)")
        axis.set_ylim(-0.02, 1.02)
        axis.set_title(optimizer, fontsize=9)
    axes[0].set_ylabel("share of (start, target) pairs met")
    axes[-1].legend(fontsize=6, loc="upper left", ncols=2)
    figure.suptitle(title, fontsize=9)
    return figure


def success_against(
    rows: pd.DataFrame, column: str, optimizer_order: list[str], schedule_order: list[str], title: str
) -> Figure:
    """success_basin rate at the tuned lr (test starts) with Wilson 95% bars against ``column``
    ("dim" or "steps"), a panel per optimizer, a line per schedule."""
    optimizers = ordered(rows["optimizer"], optimizer_order)
    figure = Figure(figsize=(4.2 * len(optimizers), 3.4), layout="constrained")
    axes = figure.subplots(1, len(optimizers), squeeze=False, sharey=True)[0]
    for axis, optimizer in zip(axes, optimizers):
        mine = rows[rows["optimizer"] == optimizer]
        for schedule in ordered(mine["schedule"], schedule_order):
            line = mine[mine["schedule"] == schedule].sort_values(column)
            style = schedule_style(schedule)
            low, high = wilson(line["successes"].to_numpy(), line["n"].to_numpy())
            rate = line["success_rate"].to_numpy()
            axis.errorbar(
                line[column],
                100 * rate,
                yerr=[100 * (rate - low), 100 * (high - rate)],
                label=schedule,
                capsize=2,
                markersize=4,
                **style,
            )
        axis.set_xscale("log")
        values = sorted(mine[column].unique())
        axis.set_xticks(values, [str(v) for v in values])
        axis.minorticks_off()
        axis.set_xlabel({"dim": "dimension", "steps": "budget (steps)"}.get(column, column))
        axis.set_ylim(-3, 103)
        axis.set_title(optimizer, fontsize=9)
    axes[0].set_ylabel("success_basin % [Wilson 95%]")
    axes[-1].legend(fontsize=6, ncols=2)
    figure.suptitle(title, fontsize=9)
    return figure


def precision(
    rows: pd.DataFrame,
    optimizer_order: list[str],
    schedule_order: list[str],
    thresholds: dict[str, float],
    title: str,
) -> Figure:
    """The distribution of the final f - f* over the test starts at the tuned lr, as an ECDF on a
    log axis (share of starts with f_final - f* <= x), a panel per optimizer, a line per schedule;
    vertical lines at ``thresholds`` (basin target, success target). Diverged starts never count."""
    optimizers = ordered(rows["optimizer"], optimizer_order)
    figure = Figure(figsize=(4.2 * len(optimizers), 3.4), layout="constrained")
    axes = figure.subplots(1, len(optimizers), squeeze=False, sharey=True)[0]
    finite = rows["f_gap"].to_numpy(float)
    finite = finite[np.isfinite(finite) & ~rows["diverged"].to_numpy(bool)]
    top = max(float(np.max(finite)) if finite.size else 1.0, 10 * max(thresholds.values(), default=1.0)) * 2
    top = min(top, 1e100)  # finite but huge gaps (a start that nearly diverged) would overflow the log axis
    for axis, optimizer in zip(axes, optimizers):
        mine = rows[rows["optimizer"] == optimizer]
        for schedule in ordered(mine["schedule"], schedule_order):
            cell = mine[mine["schedule"] == schedule]
            gap = np.where(cell["diverged"].to_numpy(bool), np.inf, cell["f_gap"].to_numpy(float))
            gap = np.sort(np.maximum(np.nan_to_num(gap, nan=np.inf), FLOOR))
            share = np.arange(1, gap.size + 1) / gap.size
            style = schedule_style(schedule)
            shown = np.isfinite(gap)
            axis.step(
                np.r_[FLOOR, np.minimum(gap[shown], top), top],
                np.r_[0.0, share[shown], share[shown][-1] if shown.any() else 0.0],
                where="post",
                label=schedule,
                color=style["color"],
                linestyle=style["linestyle"],
            )
        for (name, value), dash in zip(thresholds.items(), ["--", ":"]):
            axis.axvline(value, color="grey", linestyle=dash, linewidth=0.8, label=name)
        axis.set_xscale("log")
        axis.set_xlim(FLOOR, top)
        axis.set_xlabel(f"final f - f* (<= {FLOOR:g} drawn at {FLOOR:g})")
        axis.set_ylim(-0.02, 1.02)
        axis.set_title(optimizer, fontsize=9)
    axes[0].set_ylabel("share of test starts")
    axes[-1].legend(fontsize=6, ncols=2)
    figure.suptitle(title, fontsize=9)
    return figure


def oscillation(rows: pd.DataFrame, optimizer_order: list[str], schedule_order: list[str], title: str) -> Figure:
    """Box plots of the oscillation measure (mean |f_t - f_(t-1)| over the last 5% of steps) per
    schedule over the test starts at the tuned lr, a panel per optimizer, log axis (0 drawn at the
    floor)."""
    optimizers = ordered(rows["optimizer"], optimizer_order)
    figure = Figure(figsize=(4.2 * len(optimizers), 3.6), layout="constrained")
    axes = figure.subplots(1, len(optimizers), squeeze=False, sharey=True)[0]
    for axis, optimizer in zip(axes, optimizers):
        mine = rows[rows["optimizer"] == optimizer]
        names = ordered(mine["schedule"], schedule_order)
        data = [
            np.maximum(np.nan_to_num(mine.loc[mine["schedule"] == s, "oscillation"].to_numpy(float), nan=FLOOR), FLOOR)
            for s in names
        ]
        boxes = axis.boxplot(data, patch_artist=True, widths=0.6, showfliers=True, flierprops={"markersize": 2})
        for patch, name in zip(boxes["boxes"], names):
            patch.set_facecolor(schedule_style(name)["color"])
            patch.set_alpha(0.6)
        axis.set_yscale("log")
        axis.set_xticks(range(1, len(names) + 1), names, rotation=45, ha="right", fontsize=7)
        axis.set_title(optimizer, fontsize=9)
    axes[0].set_ylabel(f"oscillation (0 drawn at {FLOOR:g})")
    figure.suptitle(title, fontsize=9)
    return figure


def threshold_crossing(schedule: str, peak: float, params: str, steps: int, threshold: float) -> float | None:
    """The step after which the lr of ``schedule`` (at ``peak`` and the JSON ``params``) stays at or
    below ``threshold`` (2/L): 0 when it never exceeds it, None when it still exceeds it at the end."""
    extra = json.loads(params) if params else {}
    lr = np.asarray(schedules.get(schedule)(peak=peak, steps=steps, **extra)(np.arange(steps + 1)))
    above = np.flatnonzero(lr > threshold)
    if above.size == 0:
        return 0.0
    if above[-1] >= steps - 1:
        return None
    return float(above[-1] + 1)


def freeze_against_threshold(
    rows: pd.DataFrame, crossings: dict[str, float | None], schedule_order: list[str], steps: int, title: str
) -> Figure:
    """The annealing figure: per schedule (a row), the distribution of ``freeze_step`` over the
    test starts at the tuned lr (box), and the step at which its lr crosses 2/L for the last time
    (diamond; an arrow at the right edge when the lr ends above 2/L)."""
    names = [s for s in ordered(rows["schedule"], schedule_order) if s in crossings]
    figure = Figure(figsize=(6.4, 0.42 * len(names) + 1.3), layout="constrained")
    axis = figure.subplots()
    data = [rows.loc[rows["schedule"] == s, "freeze_step"].to_numpy(float) for s in names]
    boxes = axis.boxplot(
        data, orientation="horizontal", patch_artist=True, widths=0.55, showfliers=True, flierprops={"markersize": 2}
    )
    for patch, name in zip(boxes["boxes"], names):
        patch.set_facecolor(schedule_style(name)["color"])
        patch.set_alpha(0.5)
    for i, name in enumerate(names, start=1):
        crossing = crossings[name]
        if crossing is None:
            axis.annotate(
                "lr ends above 2/L", (steps, i), xytext=(-4, 6), textcoords="offset points", ha="right", fontsize=6
            )
            axis.plot([steps], [i], marker=">", color="black", markersize=6)
        else:
            axis.plot([crossing], [i], marker="D", color="black", markersize=5, linestyle="none")
    axis.plot([], [], marker="D", color="black", linestyle="none", label="lr crosses 2/L (last time)")
    axis.set_yticks(range(1, len(names) + 1), names, fontsize=8)
    axis.invert_yaxis()
    axis.set_xlim(-0.02 * steps, 1.02 * steps)
    axis.set_xlabel("step")
    axis.legend(fontsize=7, loc="lower right")
    axis.set_title(title, fontsize=9)
    return figure
