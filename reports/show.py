"""``python -m bench show FUNCTION``: one objective drawn with its minima, and its facts.

2-D (and any-d functions at d = 2): a contour plot of log10(1 + f - f*) over the box with every
known global minimiser starred. Other d: slices through the first global minimiser along the first
coordinate and along the diagonal.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

import functions

from .figures import save

GRID = 400  # points per axis of the contour plot


def facts(name: str, dim: int, instance: int = 0) -> list[str]:
    objective = functions.problem(name, dim, instance)
    lo, hi = objective.bounds(dim)
    x_opt = objective.x_opt(dim)
    target = objective.basin_target(dim)
    lines = [
        f"{name} (d = {dim}, instance {instance}): {objective.reference}",
        f"  box: [{lo.min():g}, {hi.max():g}]^{dim}" + (" (projected: lower outside)" if objective.enforce_box else ""),
        f"  f* = {objective.f_opt(dim):.10g} at {len(x_opt)} known global minimiser(s), e.g. "
        + np.array2string(x_opt[0], precision=6, max_line_width=200),
        "  basin target: "
        + (
            "none defensible (basins not available; success_basin = success_target)"
            if not objective.has_basins
            else "none (all minima are global)"
            if target is None
            else f"{target:.4g}"
        ),
        f"  curvature at x*: L = {objective.curvature(dim):.4g}; plain GD settles below lr = 2/L = "
        f"{objective.stability_lr(dim):.4g}",
        f"  group: {objective.group}; tags: {', '.join(objective.tags) or '-'}",
    ]
    return lines


def figure(name: str, dim: int, instance: int = 0) -> Figure:
    objective = functions.problem(name, dim, instance)
    lo, hi = (np.asarray(v, dtype=np.float64) for v in objective.bounds(dim))
    f_opt = objective.f_opt(dim)
    x_opt = np.asarray(objective.x_opt(dim), dtype=np.float64)
    fig = Figure(figsize=(5.4, 4.6), layout="constrained")
    axis = fig.subplots()
    if dim == 2:
        xs, ys = np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID)
        grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        gap = np.asarray(objective.delta(grid)).reshape(GRID, GRID)
        image = axis.contourf(xs, ys, np.log10(1.0 + np.maximum(gap, 0.0)), levels=30, cmap="viridis")
        fig.colorbar(image, ax=axis, label="log10(1 + f - f*)")
        axis.scatter(
            x_opt[:, 0],
            x_opt[:, 1],
            marker="*",
            s=140,
            color="red",
            edgecolors="white",
            linewidths=0.6,
            label=f"global minimiser{'s' if len(x_opt) > 1 else ''} (f* = {f_opt:.6g})",
            zorder=3,
        )
        axis.set_xlabel("x1")
        axis.set_ylabel("x2")
        axis.set_aspect("equal")
    else:
        t = np.linspace(0.0, 1.0, 2001)
        for label, direction in (("along x1", np.eye(dim)[0]), ("along the diagonal", np.ones(dim))):
            reach = (hi - lo) * direction
            points = lo * direction + np.outer(t, reach) + x_opt[0] * (1 - direction)
            axis.plot(
                points @ direction / max(np.sum(direction), 1.0),
                np.asarray(objective.delta(points)),
                label=label,
                linewidth=1.0,
            )
        axis.set_xlabel("coordinate along the slice")
        axis.set_ylabel("f - f*")
    axis.set_title(f"{name}, d = {dim}" + (f", instance {instance}" if instance else ""), fontsize=10)
    axis.legend(fontsize=7, loc="upper right")
    return fig


def show(name: str, dim: int, out_dir: str | Path, instance: int = 0) -> tuple[list[str], list[Path]]:
    """Facts lines and the written figure paths (PDF and PNG)."""
    functions.problem(name, dim, instance)
    stem = f"{name}_d{dim}" + (f"_i{instance}" if instance else "")
    return facts(name, dim, instance), save(figure(name, dim, instance), Path(out_dir), stem)
