"""The results table (DESIGN.md, contract): one row per start per cell and lr, as pyarrow.

Success columns are computed here once, in float64, from the engine's per-start summaries, and
stored; reports read them and never recompute them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import functions

from . import engine
from .plan import Group, schedule_params

SPLITS = ["tune", "test"]  # start index parity: even starts tune the lr, odd starts report


def hit_column(target: float) -> str:
    return f"hit_{target:.0e}"


def _list_column(values: np.ndarray) -> pa.Array:
    n, d = values.shape
    offsets = pa.array(np.arange(0, (n + 1) * d, d, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array(values.reshape(-1).astype(np.float64)))


def _repeated_string(value_per_row: list[str], repeats: int) -> pa.Array:
    labels = sorted(set(value_per_row))
    indices = np.repeat(np.array([labels.index(v) for v in value_per_row], dtype=np.int32), repeats)
    return pa.DictionaryArray.from_arrays(pa.array(indices), pa.array(labels))


def _unavailable(total: int) -> pa.Array:
    """A basin column of a function without basins: null (not available), never a guess."""
    return pa.nulls(total, type=pa.bool_())


def group_table(
    group: Group,
    *,
    seed: int,
    targets: tuple[float, ...],
    success_target: float,
    x0: np.ndarray,
    start_gap_polished: np.ndarray,
    out: dict,
    first_start: int = 0,
) -> pa.Table:
    """Rows [table row (schedule, lr, params)] x [start] of one group's starts first_start, first_start + 1, ..."""
    objective = functions.problem(group.function, group.dim, group.instance)
    f_opt = objective.f_opt(group.dim)
    basin_target = objective.basin_target(group.dim)
    labels = group.rows()
    n_rows, n = len(labels), x0.shape[0]
    total = n_rows * n

    def flat(key):
        return np.asarray(out[key]).reshape(total, *np.asarray(out[key]).shape[2:])

    # The engine reports f - f* (objective.delta, no cancellation); f* is added back in float64.
    gap_final = flat("gap_final").astype(np.float64)
    gap_polished = flat("gap_polished").astype(np.float64)
    gap_start = np.tile(start_gap_polished.astype(np.float64), n_rows)
    diverged = flat("status") != engine.STATUS_OK
    final_in_basin: np.ndarray | None
    start_in_basin: np.ndarray | None
    if not objective.has_basins:  # no defensible basin target: judged by the target, basins n/a
        success_basin = gap_final <= success_target
        final_in_basin = start_in_basin = None
    elif basin_target is None:  # every local minimum is global: one basin class
        success_basin = gap_final <= success_target
        final_in_basin = np.ones(total, dtype=bool)
        start_in_basin = np.ones(total, dtype=bool)
    else:
        success_basin = gap_final <= basin_target
        final_in_basin = gap_polished <= basin_target
        start_in_basin = gap_start <= basin_target
    start_index = np.tile(np.arange(first_start, first_start + n), n_rows)
    columns = {
        "function": _repeated_string([group.function], total),
        "dim": pa.array(np.full(total, group.dim, dtype=np.int32)),
        "instance": pa.array(np.full(total, group.instance, dtype=np.int32)),
        "optimizer": _repeated_string([group.optimizer], total),
        "schedule": _repeated_string([s for s, _, _ in labels], n),
        "params": _repeated_string([schedule_params(s, combo) for s, _, combo in labels], n),
        "lr": pa.array(np.repeat([lr for _, lr, _ in labels], n).astype(np.float64)),
        "steps": pa.array(np.full(total, group.steps, dtype=np.int32)),
        "noise": _repeated_string([group.noise.label], total),
        "seed": pa.array(np.full(total, seed, dtype=np.int64)),
        "start": pa.array(start_index.astype(np.int32)),
        "split": pa.DictionaryArray.from_arrays(pa.array((start_index % 2).astype(np.int32)), pa.array(SPLITS)),
        "x0": _list_column(np.tile(x0, (n_rows, 1))),
        "x_final": _list_column(flat("x_final")),
        "f_final": pa.array(f_opt + gap_final),
        "f_best": pa.array(f_opt + flat("gap_best").astype(np.float64)),
        "f_polished": pa.array(f_opt + gap_polished),
        "success_basin": pa.array(success_basin & ~diverged),
        "final_in_global_basin": _unavailable(total)
        if final_in_basin is None
        else pa.array(final_in_basin & ~diverged),
        "success_target": pa.array((gap_final <= success_target) & ~diverged),
        "start_in_global_basin": _unavailable(total) if start_in_basin is None else pa.array(start_in_basin),
        "diverged": pa.array(diverged),
        "status": pa.array(flat("status").astype(np.int8)),
        "freeze_step": pa.array(flat("freeze_step").astype(np.int32)),
        "oscillation": pa.array(flat("oscillation").astype(np.float64)),
    }
    hits = flat("hits")
    for k, target in enumerate(targets):
        columns[hit_column(target)] = pa.array(hits[:, k].astype(np.int32))
    return pa.table(columns)


def read_table(path, columns: list[str] | None = None, filters=None, categorical: bool = False) -> pd.DataFrame:
    """results.parquet (or some of its columns and rows) as a DataFrame; the label columns
    (stored as dictionaries) come back as plain strings, or with ``categorical`` as categoricals
    whose categories are sorted (so sorted groupings come out in the strings' order)."""
    frame = pq.read_table(path, columns=columns, filters=filters).to_pandas()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            labels = frame[column]
            frame[column] = (
                labels.cat.reorder_categories(sorted(labels.cat.categories)) if categorical else labels.astype(str)
            )
    return frame
