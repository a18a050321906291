"""A small real run through the CLI pieces: the run directory of DESIGN.md, resuming, refusal of a
foreign directory, the report rebuilt from results.parquet alone, and what is known about 2-D
Rastrigin (constant lr ~ start-basin baseline; linear and cosine decay settle almost every start)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import reports
from bench import config, runner
from bench.runner import RunDirError

ROOT = Path(__file__).resolve().parents[1]
CONFIG = """
[run]
name = "e2e"
seed = 0
starts = 1024
steps = 2000
targets = [1e-1, 1e-3]

[[suite]]
functions = ["rastrigin"]
dims = [2]
optimizers = ["sgd"]
schedules = ["constant", "linear", "cosine"]
lr = { min = 4e-3, max = 3.2e-2, num = 4 }

[[suite]]
functions = ["sphere"]
dims = [3]
optimizers = ["adam"]
schedules = ["constant", "cosine"]
lr = { auto = true, num = 2 }
"""
RESULT_COLUMNS = [
    "function",
    "dim",
    "instance",
    "optimizer",
    "schedule",
    "params",
    "lr",
    "steps",
    "noise",
    "seed",
    "start",
    "split",
    "x0",
    "x_final",
    "f_final",
    "f_best",
    "f_polished",
    "success_basin",
    "final_in_global_basin",
    "success_target",
    "start_in_global_basin",
    "diverged",
    "freeze_step",
    "oscillation",
    "hit_1e-01",
    "hit_1e-03",
]
SUMMARY_COLUMNS = [
    "function",
    "dim",
    "instance",
    "optimizer",
    "schedule",
    "steps",
    "noise",
    "n",
    "successes",
    "success_rate",
    "ci_low",
    "ci_high",
    "lr_best",
    "baseline_rate",
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    path = base / "e2e.toml"
    path.write_text(CONFIG)
    out = base / "run"
    runner.run(config.load(path), out, log=lambda line: None)
    reports.build(out)
    return out


def test_run_directory_holds_every_contract_file(run_dir):
    for name in (
        "results.parquet",
        "run.json",
        "summary.csv",
        "report.md",
        "report.html",
        "tables/headline.md",
        "tables/headline.tex",
        "tables/success_rastrigin_d2.md",
        "tables/success_rastrigin_d2.tex",
        "figures/success_heatmap.pdf",
        "figures/success_heatmap.png",
        "figures/schedule_shapes.png",
        "figures/success_vs_lr_rastrigin_d2.pdf",
        "figures/basin_map_rastrigin_d2.png",
    ):
        assert (run_dir / name).is_file(), name
    assert not (run_dir / "parts").exists()
    assert "\\toprule" in (run_dir / "tables/success_rastrigin_d2.tex").read_text()


def test_results_table_schema_and_size(run_dir):
    table = pq.read_table(run_dir / "results.parquet")
    assert set(RESULT_COLUMNS) <= set(table.column_names)
    # rastrigin: 3 schedules x 4 lr x 1024 starts; sphere: 2 schedules x 2 lr x 1024 starts
    assert table.num_rows == 3 * 4 * 1024 + 2 * 2 * 1024
    frame = table.select(["start", "split", "hit_1e-03", "f_final", "diverged"]).to_pandas()
    assert set(frame.loc[frame["start"] % 2 == 0, "split"]) == {"tune"}
    assert set(frame.loc[frame["start"] % 2 == 1, "split"]) == {"test"}
    assert frame["f_final"].notna().all() and (frame["hit_1e-03"] >= -1).all()


def test_run_json_provenance(run_dir):
    info = json.loads((run_dir / "run.json").read_text())
    assert info["schema_version"] == 1 and info["status"] == "complete" and info["seed"] == 0
    assert info["config"]["run"]["starts"] == 1024
    assert info["versions"]["jax"] and info["devices"] and info["wall_time_s"] > 0
    assert "git_commit" in info


def test_summary_has_the_contract_columns_and_no_nan_rates(run_dir):
    summary = pd.read_csv(run_dir / "summary.csv")
    assert set(SUMMARY_COLUMNS) <= set(summary.columns)
    assert len(summary) == 5 and (summary["n"] == 512).all()
    assert summary[["success_rate", "ci_low", "ci_high", "baseline_rate"]].notna().all().all()
    assert (summary["ci_low"] < summary["ci_high"]).all()


def test_what_is_known_about_2d_rastrigin(run_dir):
    summary = pd.read_csv(run_dir / "summary.csv")
    rastrigin = summary[summary["function"] == "rastrigin"].set_index("schedule")
    baseline = rastrigin["baseline_rate"].iloc[0]
    assert 0.0 < baseline < 0.04  # the global basin is about 1% of the box
    constant = rastrigin.loc["constant"]
    assert constant["ci_low"] <= baseline <= constant["ci_high"]  # constant lr finds only its own basin
    for decay in ("linear", "cosine"):
        assert rastrigin.loc[decay, "success_rate"] > 0.85
        assert rastrigin.loc[decay, "vs_constant_p_holm"] < 1e-6
        assert rastrigin.loc[decay, "lr_best"] > 5.04e-3  # the peak starts above 2/L


def test_sphere_control_has_one_basin_and_cosine_converges(run_dir):
    summary = pd.read_csv(run_dir / "summary.csv")
    sphere = summary[summary["function"] == "sphere"].set_index("schedule")
    assert (sphere["baseline_rate"] == 1.0).all() and (sphere["final_in_global_rate"] == 1.0).all()
    assert sphere.loc["cosine", "success_rate"] == 1.0


def test_rerun_resumes_and_a_foreign_config_is_refused(run_dir, tmp_path):
    before = (run_dir / "results.parquet").stat().st_mtime_ns
    path = tmp_path / "e2e.toml"
    path.write_text(CONFIG)
    lines = []
    runner.run(config.load(path), run_dir, log=lines.append)
    assert "already computed" in lines[0]
    assert (run_dir / "results.parquet").stat().st_mtime_ns == before
    path.write_text(CONFIG.replace("starts = 1024", "starts = 512"))
    with pytest.raises(RunDirError, match="holds a run of another config; use another --out or --fresh"):
        runner.run(config.load(path), run_dir, log=lines.append)


def test_interrupted_run_keeps_finished_groups(tmp_path, monkeypatch):
    path = tmp_path / "two.toml"
    path.write_text(CONFIG.replace("starts = 1024", "starts = 64").replace("steps = 2000", "steps = 50"))
    loaded = config.load(path)
    computed = []
    real_launch, real_finished = runner._launch_chunk, runner._Progress.finished

    def launch(cfg, group, chunk, cache):
        computed.append(group.key)
        return real_launch(cfg, group, chunk, cache)

    def interrupt_after_first(self, group, chunk):  # killed once the first part is written
        real_finished(self, group, chunk)
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "_launch_chunk", launch)
    monkeypatch.setattr(runner._Progress, "finished", interrupt_after_first)
    with pytest.raises(KeyboardInterrupt):
        runner.run(loaded, tmp_path / "run", log=lambda line: None)
    first = computed[0]
    assert [p.name for p in (tmp_path / "run" / "parts").iterdir()] == [f"{first}-s0.parquet"]
    monkeypatch.setattr(runner._Progress, "finished", real_finished)
    computed.clear()
    runner.run(loaded, tmp_path / "run", log=lambda line: None)
    assert len(computed) == 1 and computed[0] != first  # the first group was not computed again
    uninterrupted = tmp_path / "clean"
    runner.run(loaded, uninterrupted, log=lambda line: None)
    resumed = pq.read_table(tmp_path / "run" / "results.parquet").drop(["x0", "x_final"]).to_pandas()
    clean = pq.read_table(uninterrupted / "results.parquet").drop(["x0", "x_final"]).to_pandas()
    pd.testing.assert_frame_equal(resumed, clean)


def test_report_verb_rebuilds_from_the_results_alone(run_dir):
    (run_dir / "summary.csv").unlink()
    (run_dir / "report.md").unlink()
    done = subprocess.run(
        [sys.executable, "-m", "bench", "report", str(run_dir)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "mean success" in done.stdout and "report.md" in done.stdout
    assert (run_dir / "summary.csv").is_file() and "rastrigin, d = 2" in (run_dir / "report.md").read_text()


def test_latex_tables_escape_every_special_character(run_dir):
    def unescaped(text: str) -> list[str]:
        """Special characters not escaped, once the math snippets the tables use are removed."""
        for snippet in ("$\\uparrow$", "$\\downarrow$", "$^\\dagger$", "$<$", "$>$"):
            text = text.replace(snippet, "")
        return [c for i, c in enumerate(text) if c in "%_&#$" and (i == 0 or text[i - 1] != "\\")]

    for path in (run_dir / "tables").glob("*.tex"):
        lines = path.read_text().splitlines()
        caption = next(line for line in lines if line.startswith("\\caption{"))
        assert unescaped(caption.removeprefix("\\caption{").removesuffix("}")) == [], path.name
        rows = [line for line in lines if line.endswith("\\\\")]
        assert rows, path.name
        for row in rows:
            for cell in row.removesuffix("\\\\").split(" & "):
                assert unescaped(cell) == [], (path.name, cell)
        assert "\\toprule" in lines and "\\bottomrule" in lines and any(x.startswith("\\label{tab:") for x in lines)


CATALOGUE_CONFIG = """
[run]
name = "catalogue"
starts = 256
steps = 150
targets = [1e-1]

[[suite]]
functions = ["rastrigin"]
dims = [2]
optimizers = ["sgd", "sgd+plateau", "lbfgs", "random_search"]
schedules = ["constant", "cosine"]
lr = { min = 5e-3, max = 2e-2, num = 2 }
params = { end = [0.0, 0.2] }

[[suite]]
functions = ["rastrigin"]
dims = [2]
optimizers = ["sgd"]
schedules = ["constant", "cosine"]
lr = { min = 5e-3, max = 2e-2, num = 2 }
noise = { kind = "langevin", schedule = "cosine", scale = 0.5 }
"""


def test_params_grids_reference_rows_and_noise_run_and_report(tmp_path):
    from bench import engine

    path = tmp_path / "catalogue.toml"
    path.write_text(CATALOGUE_CONFIG)
    loaded = config.load(path)
    before = engine.TRACE_COUNT["run"]
    runner.run(loaded, tmp_path / "run", log=lambda line: None)
    assert engine.TRACE_COUNT["run"] - before == 5  # one per program: params grids add rows, not compiles
    built = reports.build(tmp_path / "run")
    summary = pd.read_csv(built.summary_csv)
    cosine = summary[(summary["optimizer"] == "sgd") & (summary["schedule"] == "cosine") & (summary["noise"] == "none")]
    assert json.loads(cosine["params_best"].iloc[0])["end"] in (0.0, 0.2)
    references = summary[summary["schedule"] == "none"].set_index("optimizer")
    assert references["rank"].isna().all()  # nothing to rank a reference row among
    assert sorted(references.index) == ["lbfgs", "random_search"] and (references["lr_best"] == 0.0).all()
    assert set(summary["noise"]) == {"none", "langevin-cosine-0.5"}
    results = pq.read_table(
        tmp_path / "run" / "results.parquet", columns=["optimizer", "schedule", "params"]
    ).to_pandas()
    assert len(results) == 256 * (2 * 3 + 2 * 3 + 1 + 1 + 2 * 2)  # rows: (constant 1 + cosine 2 params) x 2 lrs
    table = (tmp_path / "run" / "tables" / "success_rastrigin_d2_none.md").read_text()
    assert "| none " in table and "lbfgs" in table and "nan" not in table.lower()
    noise = (tmp_path / "run" / "tables" / "noise_rastrigin_d2_sgd.md").read_text()
    assert "noise langevin-cosine-0.5" in noise and "| constant " in noise and "nan" not in noise.lower()
    assert "Step-size decay against noise annealing" in built.report_md.read_text()


INSTANCES_CONFIG = """
[run]
name = "instances"
starts = 256
steps = 400
targets = [1e-1]

[[suite]]
functions = ["rastrigin", "styblinski_tang", "no_basins"]
dims = [2]
instances = [0, 1]
optimizers = ["sgd"]
schedules = ["constant", "linear"]
lr = { min = 2e-3, max = 2e-2, num = 2 }
"""


def test_instances_nonzero_f_opt_and_functions_without_basins(tmp_path, monkeypatch):
    """Shifted instances run as their own programs and are judged against their own x*; f_final
    is f* + the engine's f - f*; a function without basins reports them as not available."""
    import dataclasses

    import functions
    from bench import engine
    from functions import _registry

    without = dataclasses.replace(functions.get("rastrigin"), name="no_basins", has_basins=False)
    monkeypatch.setitem(_registry._REGISTRY, "no_basins", without)
    path = tmp_path / "instances.toml"
    path.write_text(INSTANCES_CONFIG)
    before = engine.TRACE_COUNT["run"]
    runner.run(config.load(path), tmp_path / "run", log=lambda line: None)
    assert engine.TRACE_COUNT["run"] - before == 6  # 3 functions x 2 instances
    built = reports.build(tmp_path / "run")
    results = pq.read_table(tmp_path / "run" / "results.parquet").to_pandas()
    assert set(results["instance"]) == {0, 1}

    moved = functions.problem("rastrigin", 2, 1)
    shifted = results[(results["function"] == "rastrigin") & (results["instance"] == 1) & results["success_basin"]]
    assert len(shifted) > 100  # linear decay from a peak above 2/L settles most starts, wherever x* is
    x_final = np.stack(shifted["x_final"].to_numpy())
    assert np.abs(x_final - moved.x_opt(2)[0]).max() < 0.05

    for instance in (0, 1):
        tang = results[(results["function"] == "styblinski_tang") & (results["instance"] == instance)]
        objective = functions.problem("styblinski_tang", 2, instance)
        values = np.asarray(objective.value(jnp.asarray(np.stack(tang["x_final"].to_numpy()), jnp.float64)))
        np.testing.assert_allclose(tang["f_final"], values, rtol=1e-5, atol=1e-3)
        gap = tang["f_final"] - objective.f_opt(2)
        assert ((gap <= 7.0) & ~tang["diverged"]).equals(tang["success_basin"])

    flat = results[results["function"] == "no_basins"]
    assert flat["final_in_global_basin"].isna().all() and flat["start_in_global_basin"].isna().all()
    assert flat["success_basin"].equals(flat["success_target"])
    summary = pd.read_csv(built.summary_csv)
    flat_summary = summary[summary["function"] == "no_basins"]
    assert flat_summary["baseline_rate"].isna().all() and flat_summary["success_rate"].notna().all()
    table = (tmp_path / "run" / "tables" / "success_no_basins_d2_i0.md").read_text()
    assert "n/a" in table and "nan" not in table.lower()
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert info["objectives"]["rastrigin/2/i1"]["instance"] == 1
    assert info["objectives"]["no_basins/2"]["has_basins"] is False
    assert "instance 1" in built.report_md.read_text()
