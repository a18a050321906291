"""The engine: one jit-compiled program per (function, dim, instance, optimiser, steps, dtype)
runs every schedule x learning rate x start of that group.

* It descends ``objective.delta`` = f - f*, computed without cancellation (COCO's functions add f*
  last; in float32, f* = 1000 would otherwise cost 1e-4 of resolution), and reports gaps:
  ``gap_final``, ``gap_best``, ``gap_polished``; the results table adds f* back in float64.

* Schedules are evaluated up front into a table ``lr[c, t]`` (one row per schedule and peak lr),
  so a single program serves every family and every lr: nothing vmapped can trigger a recompile.
* ``vmap`` over table rows x starts, ``lax.scan`` over steps. Only per-start state is carried
  (x, optimiser state, best f, hitting steps, freeze step, status, oscillation): memory is
  O(rows x starts x d), never O(steps).
* Starts are processed in blocks of ``BLOCK`` (fixed, padded), one block per device per call, so
  results are bit-identical whatever the number of devices or blocks in flight.
* The optimiser is optax's, built for each step's lr (``optimizers.py``); optional noise (its
  scale over the steps, ``noise[t]``, shared by every row, one normal draw per start and step from the start's own
  key) is added to the gradient (``gradient``) or to the update (``langevin``).
* Reference methods (L-BFGS, random search) run their own loop (``reference.py``) with the same
  outputs and the same budget of evaluations.
* After the last step each endpoint is *polished* (``polish.py``: monotone, step-capped quasi-Newton
  descent) to identify its basin; the same polish from each start gives the start-basin baseline.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, PartitionSpec

import functions

from . import cache, noise, optimizers, polish, reference
from .rules import OSCILLATION_WINDOW, SANE_WIDTHS, STATUS_LEFT_RANGE, STATUS_NONFINITE, STATUS_OK

cache.enable()  # JAX's persistent compilation cache: a second run compiles nothing

BLOCK = 256  # starts per block: fixed, so the compiled program never depends on the run's size
ROW_BUDGET = 20_000  # table rows x d per call: at most ~40 MB of carry per device and block
POLISH_STEPS_FINAL = 100  # endpoints are already near a minimum
POLISH_STEPS_START = 1000  # starts may be far from one (done once per set of starts)
POLISH_CAP = 0.1  # polish step length cap, as a fraction of the basin scale

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


def _projection(objective, lo, hi):
    """Onto the box where the record enforces it, else the identity."""
    return (lambda z: jnp.clip(z, lo, hi)) if objective.enforce_box else (lambda z: z)


def _polish(objective, lo, hi, cap, iterations, x):
    return polish.polish(objective.delta, _projection(objective, lo, hi), cap, iterations, x)


def _trajectory(program: Program, lo, hi, x0, key, lrs, noise_scales, thresholds, record_path: bool = False):
    """One start under one lr row (and the group's noise scale): returns the per-start summary,
    and with ``record_path`` the iterates x_0 .. x_steps as ``path`` (for figures, a few starts)."""
    objective = program.objective()
    steps = program.steps
    dtype = x0.dtype
    method = optimizers.get(program.optimizer)
    build = method.build
    assert build is not None, f"{program.optimizer} is a reference method, run by reference.py"
    value_and_grad = jax.value_and_grad(objective.delta)
    half_basin = 0.5 * objective.basin_scale
    window = max(1, math.ceil(OSCILLATION_WINDOW * steps))
    slack = SANE_WIDTHS * (hi - lo)
    project = _projection(objective, lo, hi)
    perturb = noise.perturbation(program.noise, key, x0.shape, dtype)

    def record(f, t, best, hits):
        best = jnp.where(jnp.isfinite(f), jnp.minimum(best, f), best)
        hits = jnp.where((hits < 0) & (best <= thresholds), t, hits)
        return best, hits

    def body(carry, inputs):
        x, x_good, state, f_prev, best, hits, freeze, status, wiggle = carry
        t, lr, scale = inputs
        f, g = value_and_grad(x)
        alive = status == STATUS_OK
        finite = jnp.isfinite(f) & jnp.all(jnp.isfinite(g))
        x_good = jnp.where(finite, x, x_good)  # the last iterate with a finite f and gradient
        best, hits = record(f, t, best, hits)
        wiggle = wiggle + jnp.where(alive & finite & (t >= steps - window + 1), jnp.abs(f - f_prev), 0.0)
        g_used, added = perturb(t, g, lr, scale)
        extra = {"value": f} if method.needs_value else {}
        updates, new_state = build(lr).update(g_used, state, x, **extra)
        candidate = project(x + updates + added)
        in_range = jnp.all(jnp.isfinite(candidate)) & jnp.all(jnp.abs(candidate - jnp.clip(candidate, lo, hi)) <= slack)
        move = alive & finite & in_range
        status = jnp.where(alive & ~finite, STATUS_NONFINITE, jnp.where(alive & ~in_range, STATUS_LEFT_RANGE, status))
        jumped = move & (jnp.linalg.norm(candidate - x) > half_basin)
        freeze = jnp.where(jumped, t + 1, freeze)
        x = jnp.where(move, candidate, x)
        state = jax.tree.map(lambda new, old: jnp.where(move, new, old), new_state, state)
        # A stopped start repeats its last value: later steps add nothing to the oscillation.
        carry = (x, x_good, state, jnp.where(alive & finite, f, f_prev), best, hits, freeze, status, wiggle)
        return carry, (x if record_path else None)

    f0 = objective.delta(x0)
    init = (
        x0,
        x0,
        build(lrs[0]).init(x0),
        f0,
        jnp.asarray(jnp.inf, dtype),
        jnp.full(thresholds.shape, -1, jnp.int32),
        jnp.asarray(0, jnp.int32),
        jnp.asarray(STATUS_OK, jnp.int8),
        jnp.asarray(0.0, dtype),
    )
    ts = jnp.arange(steps, dtype=jnp.int32)
    (x, x_good, state, f_prev, best, hits, freeze, status, wiggle), visited = jax.lax.scan(
        body, init, (ts, lrs, noise_scales)
    )
    if method.eval_point is not None:  # schedule-free: judge the evaluation point, not y
        x = jnp.where(status == STATUS_OK, project(method.eval_point(state, x)), x)
    # A start stopped by a non-finite value reports its last finite iterate (and is diverged).
    x = jnp.where(status == STATUS_NONFINITE, x_good, x)
    f_final = objective.delta(x)
    best, hits = record(f_final, jnp.int32(steps), best, hits)
    wiggle = wiggle + jnp.where(status == STATUS_OK, jnp.abs(f_final - f_prev), 0.0)
    out = {} if not record_path else {"path": jnp.concatenate([x0[None], visited])}
    return out | {
        "x_final": x,
        "gap_final": f_final,
        "gap_best": best,
        "hits": hits,
        "freeze_step": freeze,
        "status": status,
        "oscillation": wiggle / window,
    }


def _mesh() -> Mesh:
    return Mesh(np.asarray(jax.devices()), ("blocks",))


@functools.cache
def compiled_run(program: Program):
    """The jitted program for one group: blocks of starts [devices, BLOCK, d] and their keys
    [devices, BLOCK, 2], the lr table [rows, steps], the noise scale [steps], the thresholds
    (on f - f*)."""
    objective = program.objective()
    lo_np, hi_np = objective.bounds(program.dim)
    cap = POLISH_CAP * objective.basin_scale
    is_reference = optimizers.get(program.optimizer).kind == optimizers.REFERENCE

    def one_block(x0, keys, table, noise_table, thresholds):
        lo, hi = jnp.asarray(lo_np, x0.dtype), jnp.asarray(hi_np, x0.dtype)
        if is_reference:
            per_start = functools.partial(reference.trajectory, program, objective, lo, hi)
            out = jax.vmap(lambda x, k: per_start(x, k, thresholds))(x0, keys)
            out = jax.tree.map(lambda v: v[None], out)  # the single "none" row
        else:
            per_start = functools.partial(_trajectory, program, lo, hi)
            over_starts = jax.vmap(per_start, in_axes=(0, 0, None, None, None))
            over_rows = jax.vmap(over_starts, in_axes=(None, None, 0, None, None))
            out = over_rows(x0, keys, table, noise_table, thresholds)
        polish = functools.partial(_polish, objective, lo, hi, cap, POLISH_STEPS_FINAL)
        out["gap_polished"] = jax.vmap(jax.vmap(polish))(out["x_final"])
        return out

    def run(blocks, keys, table, noise_table, thresholds):
        TRACE_COUNT["run"] += 1
        return jax.vmap(one_block, in_axes=(0, 0, None, None, None))(blocks, keys, table, noise_table, thresholds)

    blocked, shared = PartitionSpec("blocks"), PartitionSpec()
    sharded = jax.shard_map(
        run,
        mesh=_mesh(),
        in_specs=(blocked, blocked, shared, shared, shared),
        out_specs=blocked,
        check_vma=False,  # every block is independent; nothing is replicated across devices
    )
    return jax.jit(sharded)


@functools.cache
def compiled_start_polish(function: str, dim: int, dtype: str, instance: int = 0):
    objective = functions.problem(function, dim, instance)
    lo_np, hi_np = objective.bounds(dim)
    cap = POLISH_CAP * objective.basin_scale

    def run(blocks):
        TRACE_COUNT["polish"] += 1
        lo, hi = jnp.asarray(lo_np, blocks.dtype), jnp.asarray(hi_np, blocks.dtype)
        polish = functools.partial(_polish, objective, lo, hi, cap, POLISH_STEPS_START)
        return jax.vmap(jax.vmap(polish))(blocks)

    sharded = jax.shard_map(
        run, mesh=_mesh(), in_specs=PartitionSpec("blocks"), out_specs=PartitionSpec("blocks"), check_vma=False
    )
    return jax.jit(sharded)


def _blocks(x: np.ndarray, dtype=None):
    """Pad rows (starts) to whole blocks and group them ``devices`` blocks per call."""
    n = x.shape[0]
    per_call = BLOCK * jax.device_count()
    padded = math.ceil(n / per_call) * per_call
    full = np.concatenate([x, np.repeat(x[:1], padded - n, axis=0)]) if padded > n else x
    full = full.astype(dtype) if dtype is not None else full
    for start in range(0, padded, per_call):
        yield full[start : start + per_call].reshape(jax.device_count(), BLOCK, *x.shape[1:])


def rows_per_call(dim: int) -> int:
    """Table rows run in one call: bounds the carry (rows x BLOCK x d per device) whatever the grid."""
    return max(1, ROW_BUDGET // dim)


def run_group(
    program: Program,
    x0: np.ndarray,
    table: np.ndarray,
    thresholds: np.ndarray,
    *,
    noise_table: np.ndarray | None = None,
    keys: np.ndarray | None = None,
) -> dict:
    """Run every row of ``table`` ([rows, steps] learning rates) from every start ``x0`` [n, d],
    with noise of scale ``noise_table`` [steps] (none if None) drawn from start i's ``keys[i]``
    (raw uint32 key data).

    Rows go in slices of at most ``rows_per_call`` (the last one padded, so one program serves
    them all); starts in blocks. Returns numpy arrays shaped [rows, n, ...].
    """
    n_rows = table.shape[0]
    noise_table = np.zeros(table.shape[1]) if noise_table is None else noise_table
    keys = np.zeros((x0.shape[0], 2), np.uint32) if keys is None else keys
    per_call = min(n_rows, rows_per_call(program.dim))
    pad = -n_rows % per_call
    table = np.concatenate([table, np.repeat(table[:1], pad, axis=0)])
    slices = [
        _run_rows(program, x0, keys, table[i : i + per_call], noise_table, thresholds)
        for i in range(0, n_rows, per_call)
    ]
    return {key: np.concatenate([part[key] for part in slices])[:n_rows] for key in slices[0]}


def _run_rows(program: Program, x0, keys, table, noise_table, thresholds) -> dict:
    n = x0.shape[0]
    fn = compiled_run(program)
    shared = [jnp.asarray(t, dtype=program.dtype) for t in (table, noise_table, thresholds)]
    parts = [
        fn(jnp.asarray(block), jnp.asarray(key_block), *shared)
        for block, key_block in zip(_blocks(x0, program.dtype), _blocks(keys), strict=True)
    ]
    merged = {}
    for key in parts[0]:
        # [calls, devices, rows, BLOCK, ...] -> [rows, starts, ...]
        stacked = np.stack([np.asarray(p[key]) for p in parts])
        stacked = np.moveaxis(stacked, 2, 0)
        merged[key] = stacked.reshape(stacked.shape[0], -1, *stacked.shape[4:])[:, :n]
    return merged


@functools.cache
def _compiled_paths(program: Program):
    objective = program.objective()
    lo_np, hi_np = objective.bounds(program.dim)

    def run(x0, lrs, thresholds):
        lo, hi = jnp.asarray(lo_np, x0.dtype), jnp.asarray(hi_np, x0.dtype)
        zeros = jnp.zeros_like(lrs)
        one = functools.partial(_trajectory, program, lo, hi, record_path=True)
        keys = jnp.zeros((x0.shape[0], 2), jnp.uint32)
        return jax.vmap(one, in_axes=(0, 0, None, None, None))(x0, keys, lrs, zeros, thresholds)

    return jax.jit(run)


def paths(program: Program, x0: np.ndarray, lrs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The iterates of a few starts ``x0`` [k, d] under one lr row ``lrs`` [steps], without noise
    (for figures): ([k, steps + 1, d] iterates, [k, d] judged final points). The cell's own
    run computes the same steps; only its summaries are kept."""
    if optimizers.get(program.optimizer).kind == optimizers.REFERENCE or program.noise != noise.NONE:
        raise ValueError(f"paths: only noise-free descent optimizers, got {program.optimizer} with {program.noise}")
    out = _compiled_paths(program)(
        jnp.asarray(x0, program.dtype),
        jnp.asarray(lrs, program.dtype),
        jnp.zeros(program.n_targets, program.dtype),
    )
    return np.asarray(out["path"]), np.asarray(out["x_final"])


def polish_starts(function: str, dim: int, dtype: str, x0: np.ndarray, instance: int = 0) -> np.ndarray:
    """f - f* after polishing each start: which basin each start lies in."""
    fn = compiled_start_polish(function, dim, dtype, instance)
    parts = [np.asarray(fn(jnp.asarray(block))).reshape(-1) for block in _blocks(x0, dtype)]
    return np.concatenate(parts)[: x0.shape[0]]
