"""The run directory under bad conditions: nothing already written is lost, every refusal is a
one-line error, and damaged files are named (cases from a session of deliberate abuse)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import reports
from bench import config, runner
from bench.rundir import RunDirError
from reports import ReportInputError

ROOT = Path(__file__).resolve().parents[1]
TINY = """
[run]
name = "tiny"
starts = 16
steps = 10
[[suite]]
functions = ["rastrigin", "sphere"]
dims = [2]
optimizers = ["sgd"]
schedules = ["constant", "cosine"]
lr = { min = 1e-3, max = 1e-2, num = 2 }
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return config.load(path)


def quiet(line):
    pass


def test_fresh_never_removes_files_from_a_directory_that_is_not_a_run(tiny, tmp_path):
    mine = tmp_path / "mine"
    (mine / "figures").mkdir(parents=True)
    for name in ("report.md", "summary.csv", "figures/plot.png", "notes.txt"):
        (mine / name).write_text("precious")
    with pytest.raises(RunDirError, match="is not empty and holds no run.json, so it is not a run directory"):
        runner.run(tiny, mine, fresh=True, log=quiet)
    for name in ("report.md", "summary.csv", "figures/plot.png", "notes.txt"):
        assert (mine / name).read_text() == "precious"


def test_fresh_replaces_a_run_and_keeps_other_files(tiny, tmp_path):
    out = tmp_path / "run"
    runner.run(tiny, out, log=quiet)
    (out / "notes.txt").write_text("mine")
    runner.run(tiny, out, fresh=True, log=quiet)
    assert (out / "notes.txt").read_text() == "mine" and (out / "results.parquet").is_file()


@pytest.mark.parametrize(
    "content,message",
    [
        (b"[1, 2]", "lacks the keys a run writes"),
        (b"\xff\xfe{}", "is not valid JSON"),
        (b"{}", "lacks the keys a run writes"),
        (b"garbage", "is not valid JSON"),
    ],
)
def test_damaged_run_json_is_named_by_run_and_by_report(tiny, tmp_path, content, message):
    out = tmp_path / "run"
    runner.run(tiny, out, log=quiet)
    (out / "run.json").write_bytes(content)
    with pytest.raises(RunDirError, match=message):
        runner.run(tiny, out, log=quiet)
    with pytest.raises(ReportInputError, match=message):
        reports.build(out)
    assert (out / "results.parquet").is_file()


def test_run_json_that_is_a_directory(tiny, tmp_path):
    out = tmp_path / "run"
    (out / "run.json").mkdir(parents=True)
    with pytest.raises(RunDirError, match="is a directory, not a file"):
        runner.run(tiny, out, log=quiet)


def test_out_is_a_file(tiny, tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(RunDirError, match="is a file; give a directory"):
        runner.run(tiny, tmp_path / "afile", log=quiet)
    with pytest.raises(RunDirError, match="--out: .*afile/sub"):
        runner.run(tiny, tmp_path / "afile" / "sub", log=quiet)


def test_report_refuses_an_empty_results_table_before_writing_anything(tiny, tmp_path):
    out = tmp_path / "run"
    runner.run(tiny, out, log=quiet)
    reports.build(out)
    summary = (out / "summary.csv").read_text()
    table = pq.read_table(out / "results.parquet")
    pq.write_table(table.slice(0, 0), out / "results.parquet")
    with pytest.raises(ReportInputError, match="has no rows; rerun with --fresh"):
        reports.build(out)
    assert (out / "summary.csv").read_text() == summary


def test_report_names_a_truncated_results_table(tiny, tmp_path):
    out = tmp_path / "run"
    runner.run(tiny, out, log=quiet)
    data = (out / "results.parquet").read_bytes()
    (out / "results.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(ReportInputError, match="cannot be read as parquet .*rerun with --fresh"):
        reports.build(out)


def test_report_names_a_missing_results_table(tiny, tmp_path):
    out = tmp_path / "run"
    runner.run(tiny, out, log=quiet)
    (out / "results.parquet").unlink()
    with pytest.raises(ReportInputError, match="results.parquet is missing; run the same 'run' command again"):
        reports.build(out)
    runner.run(tiny, out, log=quiet)  # ... and that recomputes it
    assert (out / "results.parquet").is_file()


def test_an_unreadable_part_is_computed_again(tiny, tmp_path, monkeypatch):
    out = tmp_path / "run"
    real_finished = runner._Progress.finished
    calls = []

    def stop_after_first(self, group, chunk):  # killed once the first part is written
        real_finished(self, group, chunk)
        calls.append(group.key)
        raise KeyboardInterrupt

    monkeypatch.setattr(runner._Progress, "finished", stop_after_first)
    with pytest.raises(KeyboardInterrupt):
        runner.run(tiny, out, log=quiet)
    part = out / "parts" / f"{calls[0]}-s0.parquet"
    part.write_bytes(b"not parquet")
    monkeypatch.setattr(runner._Progress, "finished", real_finished)
    lines = []
    runner.run(tiny, out, log=lines.append)
    assert any("cannot be read back; computing it again" in line for line in lines)
    assert pq.read_metadata(out / "results.parquet").num_rows == 2 * 2 * 2 * 16
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "complete"


def results_frame(path):
    frame = pq.read_table(path).to_pandas()
    for column in ("x0", "x_final"):
        frame[column] = frame[column].map(tuple)
    keys = ["function", "dim", "optimizer", "schedule", "lr", "start"]
    for column in ("function", "optimizer", "schedule", "params", "noise", "split"):
        frame[column] = frame[column].astype(str)
    return frame.sort_values(keys).reset_index(drop=True)


def test_results_do_not_depend_on_how_starts_are_split_into_parts(tmp_path, monkeypatch):
    path = tmp_path / "split.toml"
    path.write_text(TINY.replace("starts = 16", "starts = 600"))
    loaded = config.load(path)
    runner.run(loaded, tmp_path / "whole", log=quiet)
    monkeypatch.setattr(runner, "ROWS_PER_PART", 4 * 256)  # 4 rows per group: 256 starts a part
    group = runner.groups(loaded)[0]
    assert [(c.start, c.stop) for c in runner.chunks(loaded, group)] == [(0, 256), (256, 512), (512, 600)]
    lines = []
    runner.run(loaded, tmp_path / "split", log=lines.append)
    assert any("(starts 512-599)" in line for line in lines)
    whole, split = results_frame(tmp_path / "whole/results.parquet"), results_frame(tmp_path / "split/results.parquet")
    assert len(whole) == 2 * 4 * 600
    pd.testing.assert_frame_equal(whole, split)


def test_suite_order_does_not_change_any_number(tmp_path):
    first, second = TINY.index("[[suite]]"), TINY.rindex("[[suite]]")
    assert first == second  # one suite in TINY: split it into two entries, then swap them
    suite_a = TINY[first:].replace('functions = ["rastrigin", "sphere"]', 'functions = ["rastrigin"]')
    suite_b = (
        TINY[first:]
        .replace('functions = ["rastrigin", "sphere"]', 'functions = ["sphere"]')
        .replace('optimizers = ["sgd"]', 'optimizers = ["sgd", "adam"]')
    )
    head = TINY[:first]
    (tmp_path / "ab.toml").write_text(head + suite_a + suite_b)
    (tmp_path / "ba.toml").write_text(head + suite_b + suite_a)
    runner.run(config.load(tmp_path / "ab.toml"), tmp_path / "ab", log=quiet)
    runner.run(config.load(tmp_path / "ba.toml"), tmp_path / "ba", log=quiet)
    pd.testing.assert_frame_equal(
        results_frame(tmp_path / "ab/results.parquet"), results_frame(tmp_path / "ba/results.parquet")
    )


KILLABLE = (
    TINY.replace("starts = 16", "starts = 300")
    .replace("steps = 10", "steps = 100")
    .replace(
        'functions = ["rastrigin", "sphere"]',
        'functions = ["rastrigin", "sphere", "ackley", "levy", "griewank", "styblinski_tang"]',
    )
)


def _parts(out: Path) -> int:
    return len(list((out / "parts").glob("*.parquet"))) if (out / "parts").is_dir() else 0


def test_kill_9_at_random_moments_then_resume_gives_the_uninterrupted_results(tmp_path):
    """SIGKILL a real CLI run three times: once at a random moment of its start-up, then each time
    at a random moment after one more part is written. Each rerun resumes; the final results are
    bit-identical to an uninterrupted run."""
    path = tmp_path / "kill.toml"
    path.write_text(KILLABLE)
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "bench", "run", str(path), "--out", str(out)]
    rng = np.random.default_rng(0)
    kills = 0
    for attempt in range(3):
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wanted = _parts(out) + 1
        deadline = time.monotonic() + (float(rng.uniform(0.5, 3.0)) if attempt == 0 else 120.0)
        while process.poll() is None and time.monotonic() < deadline and (attempt == 0 or _parts(out) < wanted):
            time.sleep(0.05)
        if process.poll() is None:
            time.sleep(float(rng.uniform(0.0, 0.5)))
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert kills == 3
    runner.run(config.load(path), tmp_path / "clean", log=quiet)
    pd.testing.assert_frame_equal(
        results_frame(out / "results.parquet"), results_frame(tmp_path / "clean/results.parquet")
    )
    assert not (out / "parts").exists() and json.loads((out / "run.json").read_text())["status"] == "complete"


def test_divergence_is_counted_and_never_a_nan_in_a_table(tmp_path):
    path = tmp_path / "diverge.toml"
    path.write_text(
        TINY.replace("lr = { min = 1e-3, max = 1e-2, num = 2 }", "lr = { min = 1e3, max = 1e30, num = 3 }").replace(
            'optimizers = ["sgd"]', 'optimizers = ["sgd", "momentum", "adam"]'
        )
    )
    out = tmp_path / "run"
    runner.run(config.load(path), out, log=quiet)
    built = reports.build(out)
    summary = pd.read_csv(out / "summary.csv")
    assert (summary["diverged"] > 0).any()
    numeric = summary[["success_rate", "ci_low", "ci_high", "baseline_rate", "diverged_rate", "final_in_global_rate"]]
    assert numeric.notna().all().all()
    for table in (out / "tables").glob("*"):
        text = table.read_text().lower()
        assert "nan" not in text, table.name
        # An infinite ERT (no start met the target, COCO's definition) is the only infinity, written
        # as the symbol with its count of starts, never as a float's "inf".
        if table.name.startswith("ert_"):
            text = text.replace("\\ensuremath{\\infty}", "").replace("\u221e", "")
        assert "inf" not in text, table.name
    report = built.report_md.read_text()
    assert "## Diverged starts" in report and "Cells whose tuned lr lets some test starts diverge" in report
