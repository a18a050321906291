"""``python -m bench export DIR --format coco|ioh --out PATH``: a run's data for COCO's ``cocopp``
and for IOHanalyzer.

What is exported, for both formats:

* An **algorithm** is one (optimizer, schedule) of the run, at the peak lr (and parameters) the
  report chooses on the tune starts (``reports.summary.choose_lr``), chosen per (function, dim,
  instance). Runs with several budgets or noise settings give one algorithm per setting.
* A **run** (COCO: a trial) is one test start at that lr: each start is one repetition on its
  instance, with the instance number of the results table.
* **Evaluations** count gradient steps: the start is evaluation 1, the point after k steps is
  evaluation k + 1 (reference rows count their own evaluations the same way).
* The results keep only best-so-far hitting times of the run's ``targets`` and the final values,
  so a run is written as a few **events**: the start (f(x0), recomputed from ``x0`` in the run's
  dtype), one line per distinct step at which a target was first met (the value written is that
  target: an upper bound of the best-so-far gap at that evaluation), and the end of the budget
  (the best gap ``f_best - f*``; the current value ``f_final`` and ``x_final``). Values are
  ``f - f*``. Fixed-target figures are therefore exact at the run's own targets; at any other
  target they show the hitting time of the next smaller target of the run (an upper bound), or
  the end of the budget.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import functions
from bench.results import hit_column, read_table

from ._load import CELL, ReportInputError, read_info, read_results
from .summary import REFERENCE_SCHEDULE, at_best, choose_lr

FORMATS = ("coco", "ioh")
_BBOB = re.compile(r"^bbob_f(\d+)$")


class ExportInputError(ReportInputError):
    """A run directory or output path the export cannot use (exit status 2)."""


@dataclass(frozen=True)
class Run:
    """One start as events: evaluations (increasing, first 1, last ``budget``) and, per event, the
    best-so-far gap (upper bound), the current gap and x where known (NaN where not)."""

    instance: int
    start: int
    evaluations: np.ndarray  # int64 [k]
    best: np.ndarray  # float64 [k]: best-so-far f - f* (upper bound at target events)
    current: np.ndarray  # float64 [k]: f - f* of the iterate at the event; NaN where unknown
    x: np.ndarray  # float64 [k, d]: the iterate at the event; NaN where unknown

    @property
    def budget(self) -> int:
        return int(self.evaluations[-1])

    @property
    def final_best(self) -> float:
        return float(self.best[-1])


@dataclass(frozen=True)
class Scenario:
    """One algorithm on one (function, dim): its runs over every instance of the run."""

    algorithm: str
    function: str
    dim: int
    f_opt: dict[int, float]  # per instance
    lr: dict[int, float]  # lr* per instance
    params: dict[int, str]  # params* per instance (JSON)
    runs: list[Run]


def bbob_fid(function: str) -> int | None:
    """COCO's function number of ``bbob_f<fid>``; None for every other function."""
    match = _BBOB.match(function)
    return int(match.group(1)) if match else None


def export(run_dir: str | Path, fmt: str, out: str | Path) -> list[str]:
    """Write the run in ``fmt`` (``coco`` or ``ioh``) under ``out``; lines saying what was written."""
    from . import export_coco, export_ioh

    run_dir, out = Path(run_dir), Path(out)
    if fmt not in FORMATS:
        raise ExportInputError(f"export: --format {fmt!r} is not known; choose from {', '.join(FORMATS)}")
    _check_out(out)
    info, results = _read(run_dir)
    lines = []
    if fmt == "coco":
        skipped = sorted({f for f in results["function"].unique() if bbob_fid(f) is None})
        results = results[~results["function"].isin(skipped)]
        if results.empty:
            raise ExportInputError(
                f"export: --format coco: the run in {run_dir} has no bbob_f* function (cocopp reads only COCO's "
                f"own suites); export it with --format ioh"
            )
        if skipped:
            lines.append(
                f"skipped {len(skipped)} classic function(s) ({', '.join(skipped)}): cocopp reads only COCO's "
                "own suites; --format ioh exports them"
            )
    scenarios = scenarios_of(run_dir, results, info)
    write: Callable[[list[Scenario], Path], None] = export_coco.write if fmt == "coco" else export_ioh.write
    _write_atomically(out, lambda folder: write(scenarios, folder))
    algorithms = sorted({s.algorithm for s in scenarios})
    lines.append(
        f"exported {len(algorithms)} algorithm(s) on {len({(s.function, s.dim) for s in scenarios})} "
        f"(function, dim) pair(s), {sum(len(s.runs) for s in scenarios)} runs (test starts at lr*), to {out}"
    )
    if fmt == "coco":
        lines.append(
            f"post-process: python -m cocopp -o {out / 'ppdata'} " + " ".join(str(out / a) for a in algorithms)
        )
    else:
        lines.append(f"analyse: upload {out} (zipped) to IOHanalyzer, or point its local copy at it")
    return lines


def _check_out(out: Path) -> None:
    if not str(out).strip():
        raise ExportInputError("export: --out: an empty path is not allowed; give a new or empty directory")
    if out.exists() and not out.is_dir():
        raise ExportInputError(f"export: --out {str(out)!r} is a file; give a new or empty directory")
    if out.is_dir() and any(out.iterdir()):
        raise ExportInputError(f"export: --out {str(out)!r} is not empty; give a new or empty directory")


def _read(run_dir: Path) -> tuple[dict, pd.DataFrame]:
    try:
        info = read_info(run_dir)
        results = read_results(run_dir)
    except ReportInputError as error:
        raise ExportInputError(str(error).replace("report:", "export:", 1)) from None
    return info, results


def _write_atomically(out: Path, write: Callable[[Path], None]) -> None:
    """Write into a temporary sibling folder and rename it to ``out``: no half export on failure."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        write(tmp)
        if out.is_dir():
            out.rmdir()  # empty (checked before)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def algorithm_names(chosen: pd.DataFrame) -> pd.Series:
    """``optimizer-schedule`` (reference rows: the optimizer), with the budget and the noise
    setting appended where the run has more than one of them or noise at all."""
    names = (
        chosen["optimizer"]
        .astype(str)
        .where(chosen["schedule"] == REFERENCE_SCHEDULE, chosen["optimizer"].astype(str) + "-" + chosen["schedule"])
    )
    if chosen["steps"].nunique() > 1:
        names = names + "-" + chosen["steps"].astype(str) + "steps"
    if chosen["noise"].nunique() > 1 or (chosen["noise"] != "none").any():
        names = names + "-" + chosen["noise"].astype(str)
    return names


def scenarios_of(run_dir: Path, results: pd.DataFrame, info: dict) -> list[Scenario]:
    """Test starts at each cell's chosen lr, as one Scenario per (algorithm, function, dim)."""
    targets = sorted(float(t) for t in info["config"]["run"]["targets"])
    dtype = info["config"]["run"]["dtype"]
    rows = at_best(results, choose_lr(results))
    rows = rows.merge(_points(run_dir, rows), on=[*CELL, "params", "lr", "start"], validate="1:1")
    rows["algorithm"] = algorithm_names(rows)
    rows = rows.sort_values(["algorithm", "function", "dim", "instance", "start"], kind="stable")
    scenarios = []
    for (algorithm, function, dim), part in rows.groupby(["algorithm", "function", "dim"], sort=True):
        f_opt, lr, params, runs = {}, {}, {}, []
        for instance, cell in part.groupby("instance", sort=True):
            objective = functions.problem(str(function), int(dim), int(instance))
            f_opt[int(instance)] = objective.f_opt(int(dim))
            lr[int(instance)] = float(cell["lr"].iloc[0])
            params[int(instance)] = str(cell["params"].iloc[0])
            runs += _runs(cell, objective, targets, dtype, f_opt[int(instance)])
        scenarios.append(Scenario(str(algorithm), str(function), int(dim), f_opt, lr, params, runs))
    return scenarios


def _points(run_dir: Path, rows: pd.DataFrame) -> pd.DataFrame:
    """f_best, x0 and x_final of the chosen rows (read one function at a time, test half only)."""
    parts = []
    for function in sorted(rows["function"].unique()):
        part = read_table(
            run_dir / "results.parquet",
            columns=[*CELL, "params", "lr", "start", "f_best", "x0", "x_final"],
            filters=[("function", "=", function), ("split", "=", "test")],
        )
        keys = rows[rows["function"] == function][[*CELL, "params", "lr", "start"]]
        parts.append(part.merge(keys, on=[*CELL, "params", "lr", "start"]))
    return pd.concat(parts, ignore_index=True)


def _runs(cell: pd.DataFrame, objective, targets: list[float], dtype: str, f_opt: float) -> list[Run]:
    import jax.numpy as jnp

    x0 = np.stack(cell["x0"].to_numpy()).astype(np.float64)
    x_final = np.stack(cell["x_final"].to_numpy()).astype(np.float64)
    gap0 = np.asarray(objective.delta(jnp.asarray(x0, dtype=dtype)), dtype=np.float64)
    gap_best = cell["f_best"].to_numpy(np.float64) - f_opt
    gap_final = cell["f_final"].to_numpy(np.float64) - f_opt
    hits = np.stack([cell[hit_column(t)].to_numpy(np.int64) for t in targets], axis=1)  # [n, targets]
    steps = cell["steps"].to_numpy(np.int64)
    instance = int(cell["instance"].iloc[0])
    starts = cell["start"].to_numpy(np.int64)
    columns = zip(starts, gap0, hits, steps, gap_best, gap_final, x0, x_final)
    return [
        _run(instance, int(start), float(g0), row, targets, int(budget), float(best), float(final), first, last)
        for start, g0, row, budget, best, final, first, last in columns
    ]


def _run(instance, start, gap0, hits, targets, steps, gap_best, gap_final, x0, x_final) -> Run:
    """The events of one start: the start, each distinct hitting step (smallest target met
    there), the end of the budget. Best values are made monotone (the start's value recomputed in
    the run's dtype may sit a rounding error away from what the engine saw)."""
    events = {0: float(gap0)}  # step -> best-so-far gap (upper bound)
    for target, hit in zip(targets, hits):
        if hit >= 0:
            events[int(hit)] = min(events.get(int(hit), np.inf), target)
    events[steps] = min(events.get(steps, np.inf), float(gap_best))
    order = sorted(events)
    best = np.minimum.accumulate(np.array([events[s] for s in order], dtype=np.float64))
    d = x0.shape[0]
    current = np.full(len(order), np.nan)
    x = np.full((len(order), d), np.nan)
    current[0], x[0] = gap0, x0
    current[-1], x[-1] = gap_final, x_final
    return Run(instance, start, np.array(order, dtype=np.int64) + 1, best, current, x)


def number(value: float) -> str:
    """A float as the shortest text that reads back to the same float64 (nan and inf included)."""
    return repr(float(value))


def dumps(data: dict) -> str:
    return json.dumps(data, indent=1) + "\n"
