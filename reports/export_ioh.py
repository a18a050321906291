"""IOHprofiler's format (IOHexperimenter's ``Analyzer`` logger, JSON meta files), read by
IOHanalyzer: per algorithm a folder with ``IOHprofiler_f<id>_<name>.json`` and
``data_f<id>_<name>/IOHprofiler_f<id>_DIM<d>.dat``.

* Function ids: ``bbob_f<fid>`` keeps COCO's number under suite ``BBOB``; the classic functions
  of the run are numbered 1001, 1002, ... in name order under suite ``gmbench`` (the name, not the
  number, identifies a classic function across exports).
* ``.dat``: per run a header line ``evaluations raw_y``, then the event lines of
  ``reports.export``; ``raw_y`` is the best-so-far f - f* (an upper bound at target crossings).
* JSON: one scenario per dimension; per run its instance, budget (``evals``) and best point
  (``best.evals``: the first event holding the final best value; ``best.x``: ``x_final`` when
  the final iterate is the best point, else empty, as the results do not store the best x).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .export import Run, Scenario, bbob_fid, dumps, number

CLASSIC_ID_BASE = 1000  # classic functions: 1001, 1002, ... (clear of COCO's 1..24 and 101..130)
FORMAT_VERSION = "0.3.3"  # the IOHexperimenter JSON layout this follows (IOHanalyzer reads >= 0.3.3 this way)


def function_ids(scenarios: list[Scenario]) -> dict[str, tuple[str, int]]:
    """function key -> (suite, id)."""
    names = sorted({s.function for s in scenarios})
    classic = [name for name in names if bbob_fid(name) is None]
    ids: dict[str, tuple[str, int]] = {}
    for name in names:
        fid = bbob_fid(name)
        ids[name] = ("BBOB", fid) if fid is not None else ("gmbench", CLASSIC_ID_BASE + classic.index(name) + 1)
    return ids


def write(scenarios: list[Scenario], out: Path) -> None:
    ids = function_ids(scenarios)
    grouped: dict[tuple[str, str], list[Scenario]] = {}
    for scenario in scenarios:
        grouped.setdefault((scenario.algorithm, scenario.function), []).append(scenario)
    for (algorithm, function), entries in sorted(grouped.items()):
        suite, fid = ids[function]
        folder = out / algorithm
        data_dir = f"data_f{fid}_{function}"
        (folder / data_dir).mkdir(parents=True, exist_ok=True)
        meta_scenarios = []
        for scenario in sorted(entries, key=lambda s: s.dim):
            path = f"{data_dir}/IOHprofiler_f{fid}_DIM{scenario.dim}.dat"
            (folder / path).write_text("".join(_run_lines(run) for run in scenario.runs))
            meta_scenarios.append(
                {"dimension": scenario.dim, "path": path, "runs": [_run_meta(r) for r in scenario.runs]}
            )
        meta = {
            "version": FORMAT_VERSION,
            "suite": suite,
            "function_id": fid,
            "function_name": function,
            "maximization": False,
            "algorithm": {
                "name": algorithm,
                "info": "gmbench: lr chosen on the tune starts, runs are the test starts; evaluations = gradient "
                "steps + 1; raw_y = best-so-far f - f*, the run's targets at target crossings (upper bounds)",
            },
            # lr* per (dim, instance), e.g. {"lr_d2_i1": "0.1"}
            "experiment_attributes": [
                {f"lr_d{s.dim}_i{i}": number(lr)}
                for s in sorted(entries, key=lambda s: s.dim)
                for i, lr in sorted(s.lr.items())
            ],
            "attributes": ["evaluations", "raw_y"],
            "scenarios": meta_scenarios,
        }
        (folder / f"IOHprofiler_f{fid}_{function}.json").write_text(dumps(meta))


def _run_lines(run: Run) -> str:
    lines = ["evaluations raw_y\n"]
    lines += [f"{int(e)} {number(y)}\n" for e, y in zip(run.evaluations, run.best)]
    return "".join(lines)


def _run_meta(run: Run) -> dict:
    first_best = int(np.flatnonzero(run.best == run.final_best)[0])
    final_is_best = bool(run.current[-1] <= run.final_best)
    return {
        "instance": run.instance,
        "evals": run.budget,
        "best": {
            "evals": int(run.evaluations[first_best]),
            "y": float(run.final_best),
            "x": [float(v) for v in run.x[-1]] if final_is_best else [],
        },
    }
