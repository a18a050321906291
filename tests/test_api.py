"""The Python API: bench.run(config) -> DataFrame, and the runnable example."""

from __future__ import annotations

import pytest

import bench
import bench.api
from bench import example
from bench.config import ConfigError

CONFIG = {
    "run": {"name": "api", "starts": 64, "steps": 50, "targets": [0.1]},
    "suite": [
        {
            "functions": ["sphere"],
            "dims": [2],
            "optimizers": ["sgd", "lbfgs"],
            "schedules": ["constant", "cosine"],
            "lr": {"min": 0.01, "max": 0.1, "num": 2},
        }
    ],
}


def test_run_returns_the_results_table_and_resumes(tmp_path):
    first = bench.run(CONFIG, tmp_path / "run")
    assert len(first) == 64 * (2 * 2 + 1)
    assert {"success_basin", "x_final", "params", "noise", "hit_1e-01"} <= set(first.columns)
    assert set(first["schedule"]) == {"constant", "cosine", "none"}
    lines = []
    again = bench.run(CONFIG, tmp_path / "run", log=lines.append)
    assert "already computed" in lines[0]
    assert again.drop(columns=["x0", "x_final"]).equals(first.drop(columns=["x0", "x_final"]))
    # Plain GD on the sphere below 2/L = 1 converges from every start.
    test = first[(first["split"] == "test") & (first["optimizer"] == "sgd") & (first["lr"] == 0.1)]
    assert test["success_target"].all()


def test_overrides_and_bad_configs(tmp_path):
    frame = bench.run(CONFIG, tmp_path / "small", overrides=["run.starts=32", 'suite.0.optimizers=["sgd"]'])
    assert len(frame) == 32 * 4
    with pytest.raises(ConfigError, match=r"^run.starts: 1 is not allowed"):
        bench.run(CONFIG, tmp_path / "bad", overrides=["run.starts=1"])


def test_the_example_runs(tmp_path, capsys):
    example.main([str(tmp_path / "example"), "run.starts=64", "run.steps=200"])
    out = capsys.readouterr().out
    assert "constant" in out and "cosine" in out and "baseline" in out


def test_progress_bar_replaces_the_part_lines_and_a_summary_line_ends_the_run(tmp_path, capsys):
    from bench import runner

    loaded = bench.api.load_config(CONFIG)
    lines = []
    runner.run(loaded, tmp_path / "bar", log=lines.append, progress=True)
    err = capsys.readouterr().err
    assert "running: 100%" in err and "compiles" in err
    assert not any(line.startswith("[") for line in lines)  # no per-part lines under a bar
    assert lines[-1].startswith("computed 2 parts in ") and "element-steps/s" in lines[-1]
    quiet = []
    runner.run(loaded, tmp_path / "lines", log=quiet.append)
    assert capsys.readouterr().err == "" and sum(line.startswith("[") for line in quiet) == 2


def test_compare_two_runs(tmp_path):
    from reports import compare

    bench.run(CONFIG, tmp_path / "a")
    bench.run(CONFIG, tmp_path / "b", overrides=['suite.0.schedules=["constant", "linear"]', "run.seed=1"])
    table, lines = compare.compare(tmp_path / "a", tmp_path / "b")
    assert set(table["schedule"]) == {"constant", "none"}  # cosine only in A, linear only in B
    assert "1 only in A; 1 only in B" in lines[2]
    same, same_lines = compare.compare(tmp_path / "a", tmp_path / "a")
    assert (same["changed"] == "").all() and "same config" in same_lines[-1]
    assert same["B - A (points) [95% CI]"].str.startswith("+0.0").all()
    with pytest.raises(compare.ReportInputError, match=r"^compare: '.*missing' is not a directory"):
        compare.compare(tmp_path / "a", tmp_path / "missing")


def test_show_draws_a_function_with_its_facts(tmp_path):
    import subprocess
    import sys

    from reports import show

    lines, paths = show.show("himmelblau", 2, tmp_path)
    assert all(p.stat().st_size > 1000 for p in paths)
    assert "f* = 0 at 4 known global minimiser(s)" in lines[2] and "none (all minima are global)" in lines[3]
    _, slices = show.show("rosenbrock", 5, tmp_path)
    assert slices[1].name == "rosenbrock_d5.png"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "show", "himmelblau", "--dim", "3", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and done.stderr.startswith("error: show: --dim 3: himmelblau: dimension 3")
    assert len(done.stderr.strip().splitlines()) == 1
