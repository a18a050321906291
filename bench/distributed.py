"""Several processes (machines) on one run, through JAX's multi-process runtime (``jax.distributed``).

Every process runs the same command with the same config and the same run directory, which must be
on a file system all of them see (as on any cluster). The parts of the run (a group of cells on a
block of starts) are shared out by a fixed rule (:func:`share`), each process computes its own on its
local devices and writes them as part files, and process 0 combines them into ``results.parquet``
and builds the report. A part's numbers do not depend on which process computed it (every call
runs the same number of lanes per device), so results are bit-identical to a single-process run.

JAX's coordination service is the only channel between processes: :func:`barrier` waits for all of
them (``multihost_utils.sync_global_devices``; CPU processes talk through gloo). A process that is
killed takes the others down with it (the service notices the missing heartbeat); running the same
command again resumes from the part files already written.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from .rundir import InputError

AUTO = "auto"  # --coordinator auto: JAX reads everything from the cluster (SLURM, Open MPI, ...)


class DistributedError(InputError):
    """Bad multi-process settings: one line, exit status 2."""


@dataclasses.dataclass(frozen=True)
class Processes:
    """This process's place among the run's processes."""

    index: int = 0
    count: int = 1

    @property
    def leads(self) -> bool:
        """Process 0 writes run.json, combines the parts and builds the report."""
        return self.index == 0


SINGLE = Processes()


def check(coordinator: str | None, count: int | None, index: int | None) -> None:
    """Refuse inconsistent settings before JAX is touched (one line naming the flag)."""
    if coordinator is None:
        if count is not None or index is not None:
            raise DistributedError(
                "--processes/--process-id need --coordinator HOST:PORT (or --coordinator auto on a cluster)"
            )
        return
    if coordinator != AUTO and not re.fullmatch(r"[^\s:]+:\d{1,5}", coordinator):
        raise DistributedError(f"--coordinator: {coordinator!r} is not HOST:PORT (e.g. node0:1234) or 'auto'")
    if coordinator != AUTO and (count is None or index is None):
        raise DistributedError(f"--coordinator {coordinator}: give --processes N and --process-id I as well")
    if count is not None and count < 1:
        raise DistributedError(f"--processes: {count} is not allowed; give 1 or more")
    if index is not None and index < 0:
        raise DistributedError(f"--process-id: {index} is not allowed; give 0 or more")
    if index is not None and count is not None and index >= count:
        raise DistributedError(f"--process-id: {index} is not allowed; give 0 to {count - 1} for --processes {count}")


def initialize(coordinator: str | None, count: int | None = None, index: int | None = None) -> Processes:
    """Join the run's processes (``jax.distributed.initialize``) before any JAX computation;
    ``coordinator=None`` is a single process. Returns this process's place."""
    check(coordinator, count, index)
    if coordinator is None:
        return SINGLE
    import jax

    try:
        if coordinator == AUTO:
            jax.distributed.initialize()
        else:
            jax.distributed.initialize(coordinator_address=coordinator, num_processes=count, process_id=index)
    except (RuntimeError, ValueError) as error:  # no cluster found, coordinator unreachable, timed out
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DistributedError(f"--coordinator {coordinator}: could not join the run's processes ({reason})") from None
    return Processes(jax.process_index(), jax.process_count())


def barrier(name: str, processes: Processes) -> None:
    """Wait until every process has reached the barrier ``name`` (nothing to wait for alone)."""
    if processes.count > 1:
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices(name)


def share(weights: Sequence[float], processes: Processes) -> list[int]:
    """Indices of the items this process takes: largest first, each to the least loaded process
    (ties to the lowest index). The rule depends only on the weights and the process count, so every
    process computes the same split without talking to the others."""
    load = [0.0] * processes.count
    mine = []
    for item in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        owner = min(range(processes.count), key=lambda p: (load[p], p))
        load[owner] += weights[item]
        if owner == processes.index:
            mine.append(item)
    return sorted(mine)
