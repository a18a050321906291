"""Several processes on one run (jax.distributed): the split of the parts, the flags, and a real
two-process run on this machine that gives the single-process run's results bit for bit."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bench import distributed
from bench.distributed import Processes

ROOT = Path(__file__).resolve().parents[1]

CONFIG = """
[run]
name = "two_processes"
seed = 3
starts = 512
steps = 60
targets = [1e-1]

[[suite]]
functions = ["rastrigin"]
dims = [2]
optimizers = ["sgd", "lbfgs"]
schedules = ["constant", "cosine"]
lr = { auto = true, num = 2 }
"""


@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_every_item_goes_to_exactly_one_process(count):
    weights = [5, 1, 1, 8, 3, 3, 2, 9, 1, 4]
    taken = [distributed.share(weights, Processes(i, count)) for i in range(count)]
    assert sorted(i for mine in taken for i in mine) == list(range(len(weights)))


def test_the_split_balances_the_load_largest_first():
    weights = [8, 7, 6, 5, 4, 3, 2, 1]
    loads = [sum(weights[i] for i in distributed.share(weights, Processes(p, 2))) for p in range(2)]
    assert loads == [18, 18]  # 8+5+4+1 and 7+6+3+2
    assert distributed.share(weights, Processes(0, 1)) == list(range(8))


@pytest.mark.parametrize(
    "coordinator,count,index,message",
    [
        (None, 2, 0, "need --coordinator"),
        ("node0", 2, 0, "not HOST:PORT"),
        ("node0:1234", None, 0, "give --processes N and --process-id I"),
        ("node0:1234", 0, 0, "--processes: 0 is not allowed"),
        ("node0:1234", 2, 2, "--process-id: 2 is not allowed; give 0 to 1"),
        ("node0:1234", 2, -1, "--process-id: -1 is not allowed; give 0 or more"),
    ],
)
def test_inconsistent_flags_are_refused(coordinator, count, index, message):
    with pytest.raises(distributed.DistributedError, match=message):
        distributed.check(coordinator, count, index)


def test_bad_flags_exit_2_with_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bench", "run", "bench/configs/smoke.toml", "--out", str(tmp_path / "r")]
        + ["--coordinator", "localhost:1", "--processes", "2", "--process-id", "5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["error: --process-id: 5 is not allowed; give 0 to 1 for --processes 2"]
    assert not (tmp_path / "r").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def _run(config: Path, out: Path, devices: int, *cluster: str) -> subprocess.Popen:
    env = {**os.environ, "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}"}
    command = [sys.executable, "-m", "bench", "run", str(config), "--out", str(out), *cluster]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_two_processes_give_the_single_process_results_bit_for_bit(tmp_path):
    config = tmp_path / "two.toml"
    config.write_text(CONFIG)
    port = _free_port()
    cluster = [
        _run(
            config,
            tmp_path / "cluster",
            1,
            "--coordinator",
            f"localhost:{port}",
            "--processes",
            "2",
            "--process-id",
            str(i),
        )
        for i in range(2)
    ]
    logs = [p.communicate(timeout=300)[0] for p in cluster]
    assert [p.returncode for p in cluster] == [0, 0], logs
    alone = _run(config, tmp_path / "alone", 2)
    log_alone = alone.communicate(timeout=300)[0]
    assert alone.returncode == 0, log_alone

    # Both processes computed parts; only process 0 combined them and wrote the report.
    assert "[process 0/2]" in logs[0] and "[process 1/2] [" in logs[1]
    assert "report:" in logs[0] and "report:" not in logs[1]
    a = pd.read_parquet(tmp_path / "cluster" / "results.parquet")
    b = pd.read_parquet(tmp_path / "alone" / "results.parquet")
    assert len(a) == len(b) == (2 * 2 + 1) * 512  # two groups: one for each process
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not (tmp_path / "cluster" / "parts").exists()
    assert (tmp_path / "cluster" / "report.md").exists()
