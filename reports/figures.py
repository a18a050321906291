"""Figures: pure functions DataFrame -> matplotlib Figure (no pyplot state), saved as PDF and PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

import schedules

from .saving import draw, figure_paths
from .summary import REFERENCE_SCHEDULE
from .tables import ordered


def save(figure: Figure, directory: Path, stem: str) -> list[Path]:
    """``stem.pdf`` and ``stem.png`` in ``directory``, drawn here (the report draws through
    ``saving.FigureWriter``, in worker processes)."""
    directory.mkdir(parents=True, exist_ok=True)
    return draw(figure, figure_paths(directory, stem))


def _label(function: str, dim: int) -> str:
    return f"{function} {dim}-D"


def success_heatmap(
    summary: pd.DataFrame,
    schedule_order: list[str],
    optimizer_order: list[str],
    label=lambda row: _label(row.function, row.dim),
) -> Figure:
    """Schedule x success table (function, dim, and whatever else ``label`` names) success rate at
    lr_best, test half; one panel per optimiser."""
    optimizers = ordered(summary["optimizer"], optimizer_order)
    # each panel lists the schedules its optimiser ran (a reference row has only "none")
    panel_rows = [ordered(summary.loc[summary["optimizer"] == o, "schedule"], schedule_order) for o in optimizers]
    ordered_rows = summary.sort_values(["dim", "function", "instance", "steps", "noise"], kind="stable")
    columns = list(dict.fromkeys(label(row) for row in ordered_rows.itertuples(index=False)))
    width = max(6.0, 0.55 * len(columns) + 2.5)
    heights = [0.32 * len(rows) + 1.2 for rows in panel_rows]
    figure = Figure(figsize=(width, sum(heights) + 0.6), layout="constrained")
    axes = figure.subplots(len(optimizers), 1, squeeze=False, height_ratios=heights)[:, 0]
    for axis, optimizer, schedule_names in zip(axes, optimizers, panel_rows):
        mine = summary[summary["optimizer"] == optimizer]
        grid = np.full((len(schedule_names), len(columns)), np.nan)
        for row in mine.itertuples(index=False):
            grid[schedule_names.index(row.schedule), columns.index(label(row))] = 100 * row.success_rate
        image = axis.imshow(np.ma.masked_invalid(grid), vmin=0, vmax=100, cmap="viridis", aspect="auto")
        for (i, j), value in np.ndenumerate(grid):
            if np.isfinite(value):
                axis.text(
                    j, i, f"{value:.0f}", ha="center", va="center", fontsize=7, color="white" if value < 60 else "black"
                )
        axis.set_xticks(range(len(columns)), columns, rotation=45, ha="right", fontsize=8)
        axis.set_yticks(range(len(schedule_names)), schedule_names, fontsize=8)
        axis.set_title(f"{optimizer}: success_basin % at the tuned lr (test starts)", fontsize=9)
    figure.colorbar(image, ax=list(axes), shrink=0.6, label="success %")
    return figure


def success_vs_lr(
    curves: pd.DataFrame,
    cells: pd.DataFrame,
    schedule_order: list[str],
    optimizer_order: list[str],
    stability_lr: float | None,
) -> Figure:
    """One (function, dim): test success rate against peak lr, a line per schedule at its tuned
    params (constant lr in thick black), a panel per optimiser; dashed grey: the start-basin
    baseline; dotted: 2/L (plain GD cannot settle in any minimum above it; drawn on every panel,
    it is the objective's threshold, exact for plain GD only); dash-dot: reference methods (no lr)."""
    reference = curves[curves["schedule"] == REFERENCE_SCHEDULE]
    curves = curves[curves["schedule"] != REFERENCE_SCHEDULE]
    optimizers = ordered(curves["optimizer"], optimizer_order) or ordered(reference["optimizer"], optimizer_order)
    figure = Figure(figsize=(4.2 * len(optimizers), 3.4), layout="constrained")
    axes = figure.subplots(1, len(optimizers), squeeze=False, sharey=True)[0]
    for axis, optimizer in zip(axes, optimizers):
        mine = curves[curves["optimizer"] == optimizer]
        for schedule in ordered(mine["schedule"], schedule_order):
            best = cells[(cells["optimizer"] == optimizer) & (cells["schedule"] == schedule)]
            line = mine[mine["schedule"] == schedule]
            if not best.empty:
                line = line[line["params"] == best["params_best"].iloc[0]]
            line = line.sort_values("lr")
            constant = schedule == "constant"
            style = schedule_style(schedule)
            colour = style["color"]
            axis.plot(
                line["lr"],
                100 * line["success_rate"],
                marker=style["marker"],
                linestyle=style["linestyle"],
                markersize=3,
                linewidth=2.2 if constant else 1.2,
                label=schedule,
                color=colour,
                zorder=3 if constant else 2,
            )
            if not best.empty:
                axis.plot(
                    best["lr_best"],
                    100 * best["success_rate"],
                    marker="*",
                    markersize=9,
                    color=colour,
                    linestyle="none",
                )
        for dashes, (_, row) in zip(["-.", (0, (3, 1, 1, 1, 1, 1))], reference.iterrows()):
            axis.axhline(
                100 * row["success_rate"],
                color="dimgrey",
                linestyle=dashes,
                linewidth=1.0,
                label=f"{row['optimizer']} (no lr)",
            )
        if len(mine) and np.isfinite(mine["baseline_rate"].iloc[0]):
            axis.axhline(100 * mine["baseline_rate"].iloc[0], color="grey", linestyle="--", linewidth=0.8)
        if stability_lr is not None:
            axis.axvline(
                stability_lr,
                color="black",
                linestyle=":",
                linewidth=1.0,
                label="2/L (plain GD)" if axis is axes[-1] else None,
            )
        axis.set_xscale("log")
        axis.set_xlabel("peak learning rate")
        axis.set_title(optimizer, fontsize=9)
        axis.set_ylim(-3, 103)
    axes[0].set_ylabel("success_basin % (test starts)")
    axes[-1].legend(fontsize=6, loc="best", ncols=2)
    return figure


def schedule_shapes(names: list[str], steps: int) -> Figure:
    """Every schedule family used, lr / peak against the step, at its default parameters."""
    figure = Figure(figsize=(7.0, 3.8), layout="constrained")
    axis = figure.subplots()
    t = np.arange(steps + 1)
    for name in names:
        style = schedule_style(name)
        axis.plot(
            t,
            np.asarray(schedules.get(name)(peak=1.0, steps=steps)(t)),
            label=name,
            color=style["color"],
            linestyle=style["linestyle"],
            linewidth=1.2,
        )
    axis.set_xlabel("step")
    axis.set_ylabel("lr / peak")
    axis.set_title(f"schedule families at their defaults ({steps} steps)", fontsize=9)
    axis.legend(fontsize=7, ncols=2)
    return figure


LEVELS = 6  # colours for the minima a start can end in: the global one, then the next 5 levels


def minimum_levels(gap_polished: np.ndarray, in_global: np.ndarray) -> np.ndarray:
    """Which minimum each start's final iterate polishes to, as a level: 0 = the global basin, then
    1, 2, ... for the distinct values of f - f* of the other minima reached, lowest first (values
    equal to 3 significant digits are one level; LEVELS - 1 collects the rest)."""
    levels = np.full(gap_polished.shape, LEVELS - 1, dtype=int)
    levels[in_global] = 0
    others = ~in_global & np.isfinite(gap_polished)
    rounded = np.array([float(f"{v:.3g}") for v in gap_polished[others]])
    distinct = np.unique(rounded)
    levels[others] = np.minimum(1 + np.searchsorted(distinct, rounded), LEVELS - 1)
    return levels


def basin_map(
    points: pd.DataFrame,
    panels: list[tuple[str, float]],
    landscape: tuple[np.ndarray, np.ndarray, np.ndarray],
    x_opt: np.ndarray,
    paths: dict[str, np.ndarray],
    bounds: tuple[np.ndarray, np.ndarray],
    title: str,
) -> Figure:
    """2-D: over the contour plot of log10(f - f*) (``landscape`` = grid x, grid y, values), each
    start drawn where it starts, coloured by the minimum its final iterate polishes to
    (:func:`minimum_levels`), black = diverged; the global minimisers as stars and, per panel
    (schedule, lr), a few trajectories ``paths[schedule]`` [k, steps + 1, 2] from start (circle) to
    end (cross)."""
    figure = Figure(figsize=(3.4 * len(panels) + 0.9, 3.5), layout="constrained")
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    colours = ListedColormap(colormaps["viridis"](np.linspace(1.0, 0.1, LEVELS)))  # colour-blind safe
    norm = BoundaryNorm(np.arange(-0.5, LEVELS + 0.5), colours.N)
    grid_x, grid_y, values = landscape
    image = None
    for axis, (schedule, lr) in zip(axes, panels):
        axis.contour(grid_x, grid_y, values, levels=12, colors="grey", linewidths=0.4, alpha=0.7)
        rows = points[(points["schedule"] == schedule) & np.isclose(points["lr"], lr)]
        x0 = np.stack(rows["x0"].to_numpy())
        in_global = rows["final_in_global_basin"].to_numpy(dtype=bool, na_value=False)
        level = minimum_levels(rows["gap_polished"].to_numpy(float), in_global)
        ok = ~rows["diverged"].to_numpy(bool)
        size = float(np.clip(5000.0 / max(len(rows), 1), 2.0, 16.0))
        image = axis.scatter(x0[ok, 0], x0[ok, 1], c=level[ok], cmap=colours, norm=norm, s=size, linewidths=0)
        axis.scatter(x0[~ok, 0], x0[~ok, 1], c="black", s=size, linewidths=0)
        for path in paths.get(schedule, []):
            axis.plot(path[:, 0], path[:, 1], color="black", linewidth=0.35, alpha=0.45)
            axis.plot(path[0, 0], path[0, 1], "o", color="black", markersize=3, fillstyle="none")
            axis.plot(path[-1, 0], path[-1, 1], "x", color="#CC3311", markersize=4)
        axis.plot(x_opt[:, 0], x_opt[:, 1], "*", color="#EE7733", markersize=8, markeredgecolor="black")
        axis.set_xlim(bounds[0][0], bounds[1][0])
        axis.set_ylim(bounds[0][1], bounds[1][1])
        axis.set_aspect("equal")
        test = ok & (rows["start"].to_numpy() % 2 == 1)
        share = 100.0 * np.sum(test & in_global) / max(int(np.sum(rows["start"].to_numpy() % 2 == 1)), 1)
        axis.set_title(f"{schedule}, lr = {lr:.2g}\nends in the global basin: {share:.1f}% of test starts", fontsize=8)
        axis.tick_params(labelsize=7)
    assert image is not None, "at least one panel"
    colourbar = figure.colorbar(image, ax=list(axes), ticks=range(LEVELS), shrink=0.8)
    colourbar.set_ticklabels(["global", *(str(k) for k in range(1, LEVELS - 1)), f"{LEVELS - 1}+"])
    colourbar.set_label("minimum reached (by its f - f*, lowest first)", fontsize=8)
    figure.suptitle(title, fontsize=9)
    return figure


# Paul Tol's "muted" qualitative palette (colour-blind safe; Tol 2021, "Colour schemes", SRON
# technical note), constant lr in black. Past nine schedules the colours repeat with another line
# style and marker, so no two schedules share colour, line and marker.
_MUTED = ("#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499")
_LINESTYLES = ("-", "--", "-.")
_MARKERS = ("o", "s", "^", "v", "D", "P", "X", "<", ">")


def schedule_style(name: str) -> dict:
    """colour, line style and marker of a schedule, the same in every figure of every run (fixed by
    the registry's order; constant lr: black, solid)."""
    if name == "constant":
        return {"color": "black", "linestyle": "-", "marker": "o"}
    others = [n for n in schedules.names() if n != "constant"]
    i = others.index(name) if name in others else len(others) + sum(map(ord, name)) % 9
    return {
        "color": _MUTED[i % len(_MUTED)],
        "linestyle": _LINESTYLES[(i // len(_MUTED)) % len(_LINESTYLES)],
        "marker": _MARKERS[(i + i // len(_MUTED)) % len(_MARKERS)],
    }
