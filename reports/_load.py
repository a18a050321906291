"""Read a run directory back: run.json and the scalar columns of results.parquet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from bench.results import read_table
from bench.rundir import InputError, RunDirError, read_run_json

CELL = ["function", "dim", "instance", "optimizer", "schedule", "steps", "noise"]
SCALARS = [
    *CELL,
    "params",
    "lr",
    "start",
    "split",
    "f_final",
    "success_basin",
    "final_in_global_basin",
    "success_target",
    "start_in_global_basin",
    "diverged",
    "freeze_step",
    "oscillation",
]


class ReportInputError(InputError):
    """A run directory the report cannot be built from (exit status 2)."""


def read_info(run_dir: Path) -> dict:
    if not run_dir.is_dir():
        raise ReportInputError(f"report: {str(run_dir)!r} is not a directory; give a run directory written by 'run'")
    try:
        info = read_run_json(run_dir / "run.json")
    except RunDirError as error:
        raise ReportInputError(f"report: {error}") from None
    if info["status"] != "complete":
        raise ReportInputError(
            f"report: the run in {run_dir} is not finished; run the same 'run' command again to complete it"
        )
    if not (run_dir / "results.parquet").is_file():
        raise ReportInputError(
            f"report: {run_dir}/results.parquet is missing; run the same 'run' command again to recompute it"
        )
    return info


def read_results(run_dir: Path) -> pd.DataFrame:
    """The scalar columns (list columns stay on disk), with ``hit_*`` columns; labels categorical."""
    path = run_dir / "results.parquet"
    try:
        schema = pq.read_schema(path)
    except (OSError, ValueError) as error:
        raise ReportInputError(
            f"report: {path} cannot be read as parquet ({error}); rerun with --fresh to recompute it"
        ) from None
    missing = [c for c in SCALARS if c not in schema.names]
    if missing:
        raise ReportInputError(f"report: {path} lacks column(s) {missing}; it was not written by 'run'")
    if pq.read_metadata(path).num_rows == 0:
        raise ReportInputError(f"report: {path} has no rows; rerun with --fresh to recompute it")
    hits = [c for c in schema.names if c.startswith("hit_")]
    # The labels stay categorical: the report filters, groups and merges millions of rows on them,
    # which on strings took most of its own (non-drawing) time.
    frame = read_table(path, columns=SCALARS + hits, categorical=True)
    # Null where the function has no basins (not available): pandas' nullable boolean keeps that.
    return frame.astype({column: "boolean" for column in BASIN_COLUMNS})


BASIN_COLUMNS = ["final_in_global_basin", "start_in_global_basin"]


def read_points(
    run_dir: Path,
    function: str,
    dim: int,
    optimizer: str,
    instance: int,
    steps: int,
    noise: str,
    schedules: list[str] | None = None,
) -> pd.DataFrame:
    """x0 and x_final (list columns) of one (function, dim, optimizer, instance, steps, noise),
    for the basin maps; only the given ``schedules`` if any (rows are filtered before the list
    columns are converted, which is most of the time spent here)."""
    columns = [*CELL, "params", "lr", "start", "x0", "x_final", "diverged", "f_polished", "final_in_global_basin"]
    return read_table(
        run_dir / "results.parquet",
        columns=columns,
        filters=[
            ("function", "=", function),
            ("dim", "=", dim),
            ("optimizer", "=", optimizer),
            ("instance", "=", instance),
            ("steps", "=", steps),
            ("noise", "=", noise),
            *([("schedule", "in", list(schedules))] if schedules is not None else []),
        ],
    )


def with_gap(results: pd.DataFrame, info: dict) -> pd.DataFrame:
    """``results`` with ``f_gap`` = f_final - f* (float64; f* from run.json's facts of each
    (function, dim, instance)): the precision the final iterate reached."""
    from bench.plan import facts_key

    keys = results[["function", "dim", "instance"]].drop_duplicates()
    f_opt = keys.assign(
        f_opt=[
            info["objectives"].get(facts_key(f, int(d), int(i)), {}).get("f_opt", np.nan)
            for f, d, i in keys.itertuples(index=False)
        ]
    )
    merged = results.merge(f_opt, on=["function", "dim", "instance"], how="left")
    return merged.assign(f_gap=merged["f_final"].astype("float64") - merged["f_opt"]).drop(columns="f_opt")
