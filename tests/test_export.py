"""``python -m bench export``: a tiny run (one bbob and one classic function) written in COCO's and
IOHprofiler's formats, the files checked value by value against the results table, and cocopp run
on the COCO export."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import bench
import functions
from bench import cli
from bench.results import read_table
from reports import export
from reports._load import CELL, read_results
from reports.summary import at_best, choose_lr

TARGETS = [1.0, 0.1, 1e-3]
CONFIG = {
    "run": {"name": "export", "starts": 8, "steps": 30, "targets": TARGETS},
    "suite": [
        {
            "functions": ["bbob_f1", "sphere"],
            "dims": [2],
            "instances": [1],
            "optimizers": ["sgd"],
            "schedules": ["constant", "cosine"],
            "lr": {"min": 0.01, "max": 0.1, "num": 2},
        }
    ],
}
ALGORITHMS = ["sgd-constant", "sgd-cosine"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    bench.run(CONFIG, root / "run")
    lines = {fmt: export.export(root / "run", fmt, root / fmt) for fmt in ("coco", "ioh")}
    return root, lines


def expected_runs(run_dir: Path) -> dict[tuple[str, str], list[dict]]:
    """(algorithm, function) -> per test start at lr*: evaluations and best-so-far gaps, from the
    results table (events: the start, each distinct hitting step, the end of the budget)."""
    results = read_results(run_dir)
    rows = at_best(results, choose_lr(results))
    full = read_table(run_dir / "results.parquet")
    rows = rows.merge(
        full[[*CELL, "params", "lr", "start", "f_best", "x0", "x_final"]], on=[*CELL, "params", "lr", "start"]
    )
    out: dict[tuple[str, str], list[dict]] = {}
    for _, row in rows.sort_values("start").iterrows():
        f_opt = functions.problem(row["function"], 2, 1).f_opt(2)
        events: dict[int, float] = {}
        for target in TARGETS:
            hit = int(row[f"hit_{target:.0e}"])
            if hit >= 0:
                events[hit + 1] = min(events.get(hit + 1, np.inf), target)
        final = row["f_best"] - f_opt
        events[row["steps"] + 1] = min(events.get(row["steps"] + 1, np.inf), final)
        out.setdefault((f"sgd-{row['schedule']}", row["function"]), []).append(
            {"events": events, "final": final, "x0": list(row["x0"]), "x_final": list(row["x_final"]), "f_opt": f_opt}
        )
    return out


def assert_events(written: list[tuple[int, float]], events: dict[int, float]) -> None:
    """The lines of one run: evaluation 1 (the start: its f - f* is recomputed, so where a target
    was met at the start only the bound is checked), then exactly the expected events."""
    assert written[0][0] == 1 and written[0][1] <= events.get(1, np.inf)
    assert written[1:] == [(e, v) for e, v in sorted(events.items()) if e > 1]


def dat_runs(path: Path, header: str) -> list[list[list[str]]]:
    runs: list[list[list[str]]] = []
    for line in path.read_text().splitlines():
        if line.startswith(header):
            runs.append([])
        else:
            runs[-1].append(line.split())
    return runs


def test_coco_export_matches_the_results(exported):
    root, lines = exported
    assert lines["coco"][0].startswith("skipped 1 classic function(s) (sphere)")
    assert sorted(p.name for p in (root / "coco").iterdir()) == ALGORITHMS
    expected = expected_runs(root / "run")
    for algorithm in ALGORITHMS:
        folder = root / "coco" / algorithm
        assert sorted(p.name for p in folder.iterdir()) == ["bbobexp_f1.info", "data_f1"]
        header, comment, data = (folder / "bbobexp_f1.info").read_text().splitlines()
        assert header == (
            f"suite = 'bbob', funcId = 1, DIM = 2, Precision = 1.000e-08, algId = '{algorithm}', "
            "logger = 'bbob', data_format = 'bbob-new2'"
        )
        assert comment.startswith(f"% gmbench {algorithm} on bbob_f1: instance 1: lr* = ")
        runs = expected[(algorithm, "bbob_f1")]
        assert len(runs) == 4  # the test starts
        assert data.split(", ") == ["data_f1/bbobexp_f1_DIM2.dat"] + [f"1:31|{r['final']!r}" for r in runs]
        dat = folder / "data_f1" / "bbobexp_f1_DIM2.dat"
        assert dat.read_text() == dat.with_suffix(".tdat").read_text()
        written = dat_runs(dat, "% f evaluations")
        assert len(written) == len(runs)
        f_opt = runs[0]["f_opt"]
        assert f"Fopt ({f_opt!r})" in dat.read_text().splitlines()[0] and f_opt == 79.48  # COCO's f* of f1, instance 1
        for run, lines_ in zip(runs, written):
            assert all(len(line) == 5 + 2 for line in lines_)
            first, *middle, last = lines_
            assert first[0] == "1" and [float(v) for v in first[5:]] == run["x0"]
            assert float(first[3]) == pytest.approx(f_opt + float(first[2]), rel=1e-12)
            assert_events([(int(line[0]), float(line[2])) for line in lines_], run["events"])
            assert all(line[3] == "nan" and line[5:] == ["nan", "nan"] for line in middle)  # unknown iterate
            assert float(last[2]) == run["final"] and [float(v) for v in last[5:]] == run["x_final"]


def test_ioh_export_matches_the_results(exported):
    root, lines = exported
    assert sorted(p.name for p in (root / "ioh").iterdir()) == ALGORITHMS
    expected = expected_runs(root / "run")
    for algorithm in ALGORITHMS:
        folder = root / "ioh" / algorithm
        for function, suite, fid in (("bbob_f1", "BBOB", 1), ("sphere", "gmbench", 1001)):
            meta = json.loads((folder / f"IOHprofiler_f{fid}_{function}.json").read_text())
            assert (meta["suite"], meta["function_id"], meta["function_name"]) == (suite, fid, function)
            assert meta["algorithm"]["name"] == algorithm and meta["maximization"] is False
            assert meta["attributes"] == ["evaluations", "raw_y"]
            (scenario,) = meta["scenarios"]
            assert (
                scenario["dimension"] == 2 and scenario["path"] == f"data_f{fid}_{function}/IOHprofiler_f{fid}_DIM2.dat"
            )
            runs = expected[(algorithm, function)]
            assert [(r["instance"], r["evals"], r["best"]["y"]) for r in scenario["runs"]] == [
                (1, 31, r["final"]) for r in runs
            ]
            written = dat_runs(folder / scenario["path"], "evaluations raw_y")
            assert len(written) == len(runs)
            for run, lines_ in zip(runs, written):
                assert_events([(int(e), float(y)) for e, y in lines_], run["events"])


def test_cocopp_reads_the_coco_export(exported):
    root, _ = exported
    folders = [str(root / "coco" / a) for a in ALGORITHMS]
    script = (
        "import json, sys, cocopp\n"
        "cocopp.main(['-o', 'ppdata', *sys.argv[1:]])\n"
        "ds = cocopp.load(sys.argv[1])[0]\n"
        "print(json.dumps([[float(v) for v in row] for row in ds.detEvals([1.0, 0.1, 1e-3, 1e-2])]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script, *folders],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Data consistent" in done.stdout and "disagree" not in done.stdout + done.stderr
    (output,) = [p for p in (root / "ppdata").iterdir() if p.is_dir()]
    assert (root / "ppdata" / "index.html").is_file() and (output / "index.html").is_file()
    assert list(output.glob("pprldmany_02D_*.svg")) and list(output.glob("ppfigs_f001.svg"))
    # cocopp's hitting times are ours + 1 at the run's targets; at 1e-2 (not a target of the run)
    # they are those of the next smaller target, 1e-3.
    evals = json.loads(done.stdout.strip().splitlines()[-1])
    runs = expected_runs(root / "run")[("sgd-constant", "bbob_f1")]
    for k, target in enumerate(TARGETS):
        first = [min((e for e, v in r["events"].items() if v <= target), default=np.nan) for r in runs]
        assert np.array_equal(evals[k], first, equal_nan=True)
    assert np.array_equal(evals[3], evals[2], equal_nan=True)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["export", "{missing}", "--format", "coco", "--out", "{out}"],
            r"^error: export: '.*missing' is not a directory",
        ),
        (["export", "{empty}", "--format", "ioh", "--out", "{out}"], r"^error: export: .*empty has no run.json"),
        (
            ["export", "{run}", "--format", "csv", "--out", "{out}"],
            r"^error: .*argument --format: invalid choice: 'csv'",
        ),
        (["export", "{run}", "--format", "coco", "--out", "{file}"], r"^error: export: --out '.*file.txt' is a file"),
        (["export", "{run}", "--format", "ioh", "--out", "{run}"], r"^error: export: --out '.*run' is not empty"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(exported, tmp_path, capsys, argv, message):
    root, _ = exported
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("keep me\n")
    paths = {"missing": tmp_path / "missing", "empty": tmp_path / "empty", "run": root / "run"}
    paths |= {"out": tmp_path / "out", "file": tmp_path / "file.txt"}
    with pytest.raises(SystemExit) as stop:
        cli.main([a.format(**paths) for a in argv])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and len(err.strip().splitlines()) == 1, err
    assert re.match(message, err), err
    assert (tmp_path / "file.txt").read_text() == "keep me\n" and not (tmp_path / "out").exists()


def test_the_cli_exports_and_says_how_to_post_process(exported, tmp_path, capsys):
    root, _ = exported
    cli.main(["export", str(root / "run"), "--format", "coco", "--out", str(tmp_path / "coco")])
    out = capsys.readouterr().out
    assert "exported 2 algorithm(s) on 1 (function, dim) pair(s), 8 runs" in out
    assert "python -m cocopp -o" in out
    assert sorted(p.name for p in (tmp_path / "coco").iterdir()) == ALGORITHMS
