"""Figures: pure functions DataFrame -> matplotlib Figure (no pyplot state), saved as PDF and PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

import schedules

from .summary import REFERENCE_SCHEDULE
from .tables import ordered


def save(figure: Figure, directory: Path, stem: str) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"{stem}.pdf", directory / f"{stem}.png"]
    figure.savefig(paths[0], bbox_inches="tight")
    figure.savefig(paths[1], bbox_inches="tight", dpi=130)
    return paths


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
    schedule_names = ordered(summary["schedule"], schedule_order)
    ordered_rows = summary.sort_values(["dim", "function", "instance", "steps", "noise"], kind="stable")
    columns = list(dict.fromkeys(label(row) for row in ordered_rows.itertuples(index=False)))
    width = max(6.0, 0.55 * len(columns) + 2.5)
    height = 0.32 * len(schedule_names) + 1.2
    figure = Figure(figsize=(width, height * len(optimizers) + 0.6), layout="constrained")
    axes = figure.subplots(len(optimizers), 1, squeeze=False)[:, 0]
    for axis, optimizer in zip(axes, optimizers):
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


def basin_map(
    points: pd.DataFrame,
    panels: list[tuple[str, float]],
    x_opt: np.ndarray,
    scale: float,
    bounds: tuple[np.ndarray, np.ndarray],
    title: str,
) -> Figure:
    """2-D: each start drawn where it starts, coloured by the basin its final iterate ends in, as
    the Chebyshev ring of that basin around the global one (0 = global), in units of the basin
    scale; black = diverged. One panel per (schedule, lr)."""
    figure = Figure(figsize=(3.3 * len(panels) + 0.8, 3.4), layout="constrained")
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    rings = 6
    colours = ListedColormap(colormaps["viridis"](np.linspace(1.0, 0.1, rings + 1)))  # colour-blind safe
    norm = BoundaryNorm(np.arange(-0.5, rings + 1.5), colours.N)
    image = None
    for axis, (schedule, lr) in zip(axes, panels):
        rows = points[(points["schedule"] == schedule) & np.isclose(points["lr"], lr)]
        x0 = np.stack(rows["x0"].to_numpy())
        end = np.stack(rows["x_final"].to_numpy())
        ring = np.max(np.abs(np.round((end - x_opt) / scale)), axis=1)
        ring = np.minimum(ring, rings)
        ok = ~rows["diverged"].to_numpy()
        size = float(np.clip(5000.0 / max(len(rows), 1), 2.0, 16.0))
        image = axis.scatter(x0[ok, 0], x0[ok, 1], c=ring[ok], cmap=colours, norm=norm, s=size, linewidths=0)
        axis.scatter(x0[~ok, 0], x0[~ok, 1], c="black", s=size, linewidths=0)
        axis.set_xlim(bounds[0][0], bounds[1][0])
        axis.set_ylim(bounds[0][1], bounds[1][1])
        axis.set_aspect("equal")
        test = ok & (rows["start"].to_numpy() % 2 == 1)
        share = 100.0 * np.sum(ring[test] == 0) / max(int(np.sum(rows["start"].to_numpy() % 2 == 1)), 1)
        axis.set_title(f"{schedule}, lr = {lr:.2g}\nends in the global basin: {share:.1f}% of test starts", fontsize=8)
        axis.tick_params(labelsize=7)
    assert image is not None, "at least one panel"
    colourbar = figure.colorbar(image, ax=list(axes), ticks=range(rings + 1), shrink=0.8)
    colourbar.set_label("ring of the end basin (0 = global)", fontsize=8)
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
