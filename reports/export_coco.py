"""COCO's bbob data format (as ``cocoex`` 2.x writes it, ``data_format = 'bbob-new2'``), read by
``cocopp``: per algorithm a folder with ``bbobexp_f<fid>.info`` and
``data_f<fid>/bbobexp_f<fid>_DIM<d>.dat`` / ``.tdat``.

* ``.info``: per (function, dim) three lines: the header (suite, funcId, DIM, Precision, algId,
  logger, data_format), a ``%`` comment (lr* per instance, what the values mean) and the data
  line: the ``.dat`` path, then ``instance:evaluations|final best f - f*`` per run.
* ``.dat`` (target-triggered) and ``.tdat`` (time-triggered) hold the same event lines (see
  ``reports.export``); each run starts with a ``%`` header carrying its f*. Columns: evaluations,
  constraint evaluations (0), best f - f*, measured f, best measured f, x_1..x_d; ``nan`` where
  the results do not know the value (the iterate at a target crossing).
"""

from __future__ import annotations

import json
from pathlib import Path

from .export import Run, Scenario, bbob_fid, number

PRECISION = 1e-8  # COCO's final target for bbob; cocopp cuts its target ladder there
HEADER = (
    "% f evaluations | g evaluations | best noise-free fitness - Fopt ({f_opt}) + sum g_i+ | measured fitness | "
    "best measured fitness or single-digit g-values | x1 | x2...\n"
)


def write(scenarios: list[Scenario], out: Path) -> None:
    by_file: dict[tuple[str, int], list[Scenario]] = {}
    for scenario in scenarios:
        fid = bbob_fid(scenario.function)
        if fid is None:
            raise ValueError(f"{scenario.function!r} is not a bbob function; COCO's format takes only bbob_f*")
        by_file.setdefault((scenario.algorithm, fid), []).append(scenario)
    for (algorithm, fid), entries in sorted(by_file.items()):
        folder = out / algorithm
        (folder / f"data_f{fid}").mkdir(parents=True, exist_ok=True)
        info = []
        for scenario in sorted(entries, key=lambda s: s.dim):
            relative = f"data_f{fid}/bbobexp_f{fid}_DIM{scenario.dim}"
            text = "".join(_run_lines(run, scenario.f_opt[run.instance]) for run in scenario.runs)
            for suffix in (".dat", ".tdat"):
                (folder / (relative + suffix)).write_text(text)
            info += [_header(algorithm, fid, scenario.dim), _comment(scenario), _data_line(relative, scenario.runs)]
        (folder / f"bbobexp_f{fid}.info").write_text("\n".join(info) + "\n")


def _header(algorithm: str, fid: int, dim: int) -> str:
    return (
        f"suite = 'bbob', funcId = {fid}, DIM = {dim}, Precision = {PRECISION:.3e}, algId = '{algorithm}', "
        "logger = 'bbob', data_format = 'bbob-new2'"
    )


def _comment(scenario: Scenario) -> str:
    chosen = ", ".join(
        f"instance {i}: lr* = {number(lr)} params {json.dumps(json.loads(scenario.params[i]), sort_keys=True)}"
        for i, lr in sorted(scenario.lr.items())
    )
    return (
        f"% gmbench {scenario.algorithm} on {scenario.function}: {chosen} (chosen on the tune starts; runs are the "
        "test starts); evaluations = gradient steps + 1; f-values at target crossings are the run's targets "
        "(upper bounds)"
    )


def _data_line(relative: str, runs: list[Run]) -> str:
    return ", ".join([relative + ".dat", *(f"{r.instance}:{r.budget}|{number(r.final_best)}" for r in runs)])


def _run_lines(run: Run, f_opt: float) -> str:
    lines = [HEADER.format(f_opt=number(f_opt))]
    for k in range(len(run.evaluations)):
        values = [
            str(int(run.evaluations[k])),
            "0",
            number(run.best[k]),
            number(f_opt + run.current[k]),
            number(f_opt + run.best[k]),
            *(number(v) for v in run.x[k]),
        ]
        lines.append(" ".join(values) + "\n")
    return "".join(lines)
