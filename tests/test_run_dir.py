"""The run directory under bad conditions: nothing already written is lost, every refusal is a
one-line error, and damaged files are named (cases from a session of deliberate abuse)."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

import reports
from bench import config, runner
from bench.rundir import RunDirError
from reports import ReportInputError

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
    real = runner._run_group
    calls = []

    def stop_after_first(cfg, group, cache):
        if calls:
            raise KeyboardInterrupt
        calls.append(group.key)
        return real(cfg, group, cache)

    monkeypatch.setattr(runner, "_run_group", stop_after_first)
    with pytest.raises(KeyboardInterrupt):
        runner.run(tiny, out, log=quiet)
    part = out / "parts" / f"{calls[0]}.parquet"
    part.write_bytes(b"not parquet")
    monkeypatch.setattr(runner, "_run_group", real)
    lines = []
    runner.run(tiny, out, log=lines.append)
    assert any("cannot be read back; computing it again" in line for line in lines)
    assert pq.read_metadata(out / "results.parquet").num_rows == 2 * 2 * 2 * 16
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "complete"
