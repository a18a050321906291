"""The engine: one jit-compiled program per (function, dim, instance, optimiser, steps, dtype)
runs every schedule x learning rate x start of that group.

* It descends ``objective.delta`` = f - f*, computed without cancellation (COCO's functions add f*
  last; in float32, f* = 1000 would otherwise cost 1e-4 of resolution), and reports gaps:
  ``gap_final``, ``gap_best``, ``gap_polished``; the results table adds f* back in float64.

* Schedules are evaluated up front into a table ``lr[c, t]`` (one row per schedule and peak lr),
  so a single program serves every family and every lr: nothing vmapped can trigger a recompile.
* Work is cut into *lanes*: one row of the table on one block of ``BLOCK`` starts (padded). A call
  runs ``lanes_per_device(program)`` lanes on every local device (``jax.sharding``), a number
  fixed by the program, so each program compiles once whatever the number of rows, starts or
  devices, and a lane's numbers do not depend on where or with what it ran: results are
  bit-identical on any number of devices and however the work is split (tested).
* Inside a lane the starts are columns (``columns.py``): ``x[d, BLOCK]``, so XLA vectorises over
  starts. ``lax.scan`` over steps carries only per-start state (x, optimiser state, best f, hitting
  steps, freeze step, status, oscillation): memory is O(lanes x BLOCK x d), never O(steps).
* The step itself is ``descent.lane``; reference methods (L-BFGS, random search) run their own
  loop (``reference.py``) with the same outputs and the same budget of evaluations.
* After the last step each endpoint is *polished* (``polish.py``: monotone, step-capped quasi-Newton
  descent) to identify its basin; the same polish from each start gives the start-basin baseline.
  The polish is a program of its own per objective (``compiled_polish``, its iteration count an
  argument), chained to each call on the devices: the optimisers' programs do not each compile
  their own copy of it, which made every program compile about twice as long.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

import functions

from . import cache, columns, descent, noise, optimizers, polish, reference
from .rules import STATUS_LEFT_RANGE, STATUS_NONFINITE, STATUS_OK  # noqa: F401  (re-exported)

cache.enable()  # JAX's persistent compilation cache: a second run compiles nothing

BLOCK = 256  # starts per lane: fixed, so a start's numbers never depend on the run's size
# Starts x d per device and call that descent lanes fill (``lanes_per_device``): on a CPU, enough
# that the loop's fixed cost per step is small, few enough that a call's state stays in the cache;
# an accelerator needs millions of numbers per kernel to be busy.
LANE_ELEMENTS = {"cpu": 2**15, "accelerator": 2**22}
# Reference methods (L-BFGS's line searches, random search) loop per start until the slowest start
# of the call is done (more lanes per call ran L-BFGS 1.5x faster on its own, but made small runs pad
# their one row to many lanes).
REFERENCE_LANES = 1
POLISH_STEPS_FINAL = 100  # endpoints are already near a minimum
POLISH_STEPS_START = 1000  # starts may be far from one (done once per set of starts)
POLISH_CAP = 0.1  # polish step length cap, as a fraction of the basin scale
PATH_STARTS = 8  # starts whose iterates ``paths`` can record (the first columns of a lane)

# Incremented each time a program is traced (= compiled); tests assert on it.
TRACE_COUNT = {"run": 0, "polish": 0}


@dataclasses.dataclass(frozen=True)
class Program:
    """Static identity of one compiled program."""

    function: str
    dim: int
    optimizer: str
    steps: int
    dtype: str
    n_targets: int
    noise: str = noise.NONE  # noise kind (static); its scale over steps is data (the noise table)
    instance: int = 0

    def objective(self) -> functions.Objective:
        return functions.problem(self.function, self.dim, self.instance)

    @property
    def is_reference(self) -> bool:
        return optimizers.get(self.optimizer).kind == optimizers.REFERENCE


def lanes_per_device(program: Program) -> int:
    """Lanes a call runs on each device: enough to fill ``LANE_ELEMENTS`` starts x d (a step on
    a few thousand numbers is dominated by the loop's fixed cost), a power of two so that common
    start counts fill whole calls. Reference methods take ``REFERENCE_LANES``: a run has one row
    of them, so more lanes would be padding.

    The number depends only on the program and the kind of device, so a program compiles once
    and a lane always runs in a call of the same shape (its numbers are the same wherever it runs)."""
    if program.is_reference:
        return REFERENCE_LANES
    budget = LANE_ELEMENTS["cpu" if jax.default_backend() == "cpu" else "accelerator"]
    lanes = max(1, budget // (program.dim * BLOCK))
    return 1 << (lanes.bit_length() - 1)


def _box(objective, d: int, dtype):
    """(lo, hi) broadcasting over a block's starts: scalars where every coordinate has the same
    bounds (most boxes; XLA then needs no per-coordinate broadcast), else [d, 1] columns."""
    lo, hi = objective.bounds(d)
    if np.all(lo == lo[0]) and np.all(hi == hi[0]):
        return jnp.asarray(lo[0], dtype), jnp.asarray(hi[0], dtype)
    return jnp.asarray(lo, dtype)[:, None], jnp.asarray(hi, dtype)[:, None]


def _polisher(objective, lo, hi, iterations: int):
    project = (lambda z: jnp.clip(z, lo, hi)) if objective.enforce_box else (lambda z: z)
    value_and_grad = columns.value_and_grad(objective.delta_columns)
    cap = POLISH_CAP * objective.basin_scale
    return functools.partial(polish.polish, value_and_grad, project, cap, iterations)


def _mesh() -> Mesh:
    """This process's devices (with several processes, each runs its own parts: ``distributed.py``)."""
    return Mesh(np.asarray(jax.local_devices()), ("lanes",))


def _over_devices(per_device, n_split: int, n_shared: int = 0):
    """jit of ``per_device`` sharded over every device of this process: its first ``n_split`` arguments
    along their first axis (the lanes), the ``n_shared`` after them the same on every device."""
    lanes, shared = PartitionSpec("lanes"), PartitionSpec()
    sharded = jax.shard_map(
        per_device,
        mesh=_mesh(),
        in_specs=(lanes,) * n_split + (shared,) * n_shared,
        out_specs=lanes,
        check_vma=False,  # every lane is independent; nothing is replicated across devices
    )
    return jax.jit(sharded)


@functools.cache
def compiled_run(program: Program, record_path: int = 0):
    """The jitted program for one group: per call, lanes of starts ``[devices * L, d, BLOCK]``
    with their keys ``[devices * L, BLOCK, 2]`` and lr rows ``[devices * L, steps]``; the noise
    scale ``[steps]`` and the thresholds (on f - f*) shared. Outputs are per lane, starts-last
    (without ``gap_polished``: ``compiled_polish`` adds it); ``record_path = k`` adds every iterate
    of each lane's first k starts (``paths``)."""
    objective = program.objective()
    dtype = jnp.dtype(program.dtype)

    def one_lane(x0, keys, lrs, noise_table, thresholds):
        if program.is_reference:
            box = [jnp.asarray(b, dtype) for b in objective.bounds(program.dim)]
            per_start = functools.partial(reference.trajectory, program, objective, *box)
            return jax.vmap(per_start, in_axes=(-1, 0, None), out_axes=-1)(x0, keys, thresholds)
        lo, hi = _box(objective, program.dim, dtype)
        return descent.lane(program, lo, hi, x0, keys, lrs, noise_table, thresholds, record_path)

    def run(x0, keys, lrs, noise_table, thresholds):
        TRACE_COUNT["run"] += 1
        return jax.vmap(one_lane, in_axes=(0, 0, 0, None, None))(x0, keys, lrs, noise_table, thresholds)

    return _over_devices(run, n_split=3, n_shared=2)


@functools.cache
def compiled_polish(function: str, dim: int, dtype: str, instance: int = 0):
    """f - f* after polishing each column of ``blocks`` [devices * L, d, BLOCK] for at most
    ``iterations`` (a scalar argument) iterations: one program per objective and call shape serves
    the starts (``POLISH_STEPS_START``) and the endpoints (``POLISH_STEPS_FINAL``)."""
    objective = functions.problem(function, dim, instance)

    def run(blocks, iterations):
        TRACE_COUNT["polish"] += 1
        lo, hi = _box(objective, dim, blocks.dtype)
        return jax.vmap(_polisher(objective, lo, hi, iterations))(blocks)

    return _over_devices(run, n_split=1, n_shared=1)


def _polish_calls(program: Program):
    """The polish of a run's endpoints, chained to each call of ``compiled_run(program)``."""
    polish_fn = compiled_polish(program.function, program.dim, program.dtype, program.instance)
    iterations = jnp.asarray(POLISH_STEPS_FINAL, jnp.int32)

    def add_polished(out: dict) -> dict:
        return out | {"gap_polished": polish_fn(out["x_final"], iterations)}

    return add_polished


def _padded_blocks(x: np.ndarray, dtype=None) -> np.ndarray:
    """Rows (starts) padded to whole blocks with copies of the first: [n, ...] -> [blocks, BLOCK, ...]."""
    n = x.shape[0]
    padded = math.ceil(n / BLOCK) * BLOCK
    full = np.concatenate([x, np.repeat(x[:1], padded - n, axis=0)]) if padded > n else x
    full = full.astype(dtype) if dtype is not None else full
    return full.reshape(padded // BLOCK, BLOCK, *x.shape[1:])


def _as_blocks(x: np.ndarray, dtype=None) -> np.ndarray:
    """Rows (starts) padded to whole blocks, starts-last: [n, ...] -> [blocks, ..., BLOCK]."""
    return np.moveaxis(_padded_blocks(x, dtype), 1, -1)


def _from_lanes(values: np.ndarray, rows: int, n: int) -> np.ndarray:
    """Per-lane outputs [rows * blocks, ..., BLOCK] -> [rows, n, ...] (the starts in order)."""
    per_row = values.reshape(rows, -1, *values.shape[1:])
    per_row = np.moveaxis(per_row, -1, 2)  # [rows, blocks, BLOCK, ...]
    return per_row.reshape(rows, -1, *per_row.shape[3:])[:, :n]


def _calls(lane_count: int, per_call: int):
    """Lane indices of each call, the last call padded with lane 0 (its results dropped)."""
    order = np.arange(math.ceil(lane_count / per_call) * per_call)
    order[lane_count:] = 0
    return order.reshape(-1, per_call)


class Pending:
    """Work dispatched to the devices: ``result()`` waits for it (once) and returns host arrays.

    JAX dispatches asynchronously, so the host can prepare (trace, compile, gather) the next group
    while the devices run this one (``runner.py`` keeps a few groups in flight)."""

    def __init__(self, gather):
        self._gather, self._value = gather, None

    def result(self):
        if self._gather is not None:
            self._value, self._gather = self._gather(), None
        return self._value


def launch_group(
    program: Program,
    x0: np.ndarray,
    table: np.ndarray,
    thresholds: np.ndarray,
    *,
    noise_table: np.ndarray | None = None,
    keys: np.ndarray | None = None,
) -> Pending:
    """Dispatch every row of ``table`` ([rows, steps] learning rates) from every start ``x0`` [n, d],
    with noise of scale ``noise_table`` [steps] (none if None) drawn from start i's ``keys[i]``
    (raw uint32 key data). Its result: numpy arrays shaped [rows, n, ...].

    Lanes are (row, block) pairs, rows outer; every call is dispatched before anything is waited
    for, so the devices stay busy while the host gathers the next call's inputs."""
    n, rows = x0.shape[0], table.shape[0]
    noise_table = np.zeros(table.shape[1]) if noise_table is None else noise_table
    keys = np.zeros((n, 2), np.uint32) if keys is None else keys
    start_blocks = _as_blocks(x0, program.dtype)  # [blocks, d, BLOCK]
    key_blocks = _padded_blocks(keys)  # [blocks, BLOCK, 2]
    table = np.asarray(table, program.dtype)
    n_blocks = start_blocks.shape[0]
    fn, add_polished = compiled_run(program), _polish_calls(program)
    shared = [jnp.asarray(t, dtype=program.dtype) for t in (noise_table, thresholds)]
    per_call = lanes_per_device(program) * jax.local_device_count()
    lane_count = rows * n_blocks
    pending = []
    for lanes in _calls(lane_count, per_call):
        row, block = np.divmod(lanes, n_blocks)
        pending.append(add_polished(fn(start_blocks[block], key_blocks[block], table[row], *shared)))

    def gather() -> dict:
        out = {}
        for key in pending[0]:
            values = np.concatenate([np.asarray(part[key]) for part in pending])[:lane_count]
            out[key] = _from_lanes(values, rows, n)
        return out

    return Pending(gather)


def run_group(
    program: Program,
    x0: np.ndarray,
    table: np.ndarray,
    thresholds: np.ndarray,
    *,
    noise_table: np.ndarray | None = None,
    keys: np.ndarray | None = None,
) -> dict:
    """``launch_group`` waited for: numpy arrays shaped [rows, n, ...]."""
    return launch_group(program, x0, table, thresholds, noise_table=noise_table, keys=keys).result()


def paths(program: Program, x0: np.ndarray, lrs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The iterates of a few starts ``x0`` [k, d] (k <= PATH_STARTS) under one lr row ``lrs``
    [steps], without noise (for figures): ([k, steps + 1, d] iterates, [k, d] judged final points).

    They are the steps the cell's own run takes: the same program, on a call of the same shape,
    with the first columns' iterates recorded. (A program of another shape can round differently,
    and at a large lr these trajectories are chaotic: a last-bit difference ends them elsewhere.)"""
    if program.is_reference or program.noise != noise.NONE:
        raise ValueError(f"paths: only noise-free descent optimizers, got {program.optimizer} with {program.noise}")
    k = x0.shape[0]
    if not 0 < k <= PATH_STARTS:
        raise ValueError(f"paths: 1 to {PATH_STARTS} starts, got {k}")
    x0 = np.asarray(x0, program.dtype)
    lanes = lanes_per_device(program) * jax.local_device_count()
    block = np.repeat(_as_blocks(x0), lanes, axis=0)
    keys = np.zeros((lanes, BLOCK, 2), np.uint32)
    rows = np.repeat(np.asarray(lrs, program.dtype)[None], lanes, axis=0)
    shared = [jnp.zeros(program.steps, program.dtype), jnp.zeros(program.n_targets, program.dtype)]
    out = compiled_run(program, record_path=PATH_STARTS)(block, keys, rows, *shared)
    visited = np.moveaxis(np.asarray(out["visited"][0]), -1, 0)[:k]  # [k, steps, d]
    return np.concatenate([x0[:, None], visited], axis=1), np.asarray(out["x_final"][0]).T[:k]


def launch_polish_starts(function: str, dim: int, dtype: str, x0: np.ndarray, instance: int = 0) -> Pending:
    """Dispatch the polish of each start; its result: f - f* there (which basin each start lies in)."""
    fn = compiled_polish(function, dim, dtype, instance)
    blocks = _as_blocks(x0, dtype)
    iterations = jnp.asarray(POLISH_STEPS_START, jnp.int32)
    # Placed as a run's outputs are (split over the devices by lanes), so that the reference
    # methods' endpoints (one lane per device too) reuse this compiled polish rather than compile
    # their own for another input placement.
    lanes_apart = NamedSharding(_mesh(), PartitionSpec("lanes"))
    calls = _calls(blocks.shape[0], jax.local_device_count())
    pending = [fn(jax.device_put(blocks[lanes], lanes_apart), iterations) for lanes in calls]

    def gather() -> np.ndarray:
        values = np.concatenate([np.asarray(part) for part in pending])[: blocks.shape[0]]
        return _from_lanes(values, 1, x0.shape[0])[0]

    return Pending(gather)


def polish_starts(function: str, dim: int, dtype: str, x0: np.ndarray, instance: int = 0) -> np.ndarray:
    """f - f* after polishing each start: which basin each start lies in."""
    return launch_polish_starts(function, dim, dtype, x0, instance).result()
