"""One lane of the engine: every start of a block under one row of the lr table.

Arrays are starts-last (``columns.py``): iterates ``x[d, n]``, per-start values ``[n]``, hitting
steps ``[targets, n]``. Each step: gradient by autodiff of the objective, optional noise, the optax
update for the step's lr, projection onto the box where the record says so, then the per-start
bookkeeping (best f, hitting steps, freeze step, status, oscillation). A start whose value or
gradient is not finite, or that left any sane range, stops where it is and keeps a status.

The optimiser is optax's, built for each step's lr (``optimizers.py``). A *coordinatewise* one
updates the whole block as one parameter array (its step count shared by the block, every other
leaf of its state per start); any other runs per start (vmapped). A stopped start's iterate is
frozen; its optimiser state is not (nothing reads it again: the final point of a stopped start is
its frozen iterate, and no start's state touches another's), which saves a select per number.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from . import columns, noise, optimizers
from .columns import all_at_most, all_finite, dot
from .rules import OSCILLATION_WINDOW, SANE_WIDTHS, STATUS_LEFT_RANGE, STATUS_NONFINITE, STATUS_OK


class BlockOptimizer:
    """A descent optimiser on a block ``x[d, n]``: ``init(lr, x)``, ``update(lr, g, state, x, f)``
    and, for methods with an evaluation point, ``judged(state, x)`` (the point a start is judged at)."""

    def __init__(self, method: optimizers.Optimizer):
        if method.build is None:
            raise ValueError(f"{method.name} is a reference method, run by reference.py")
        self.method = method

    def _one(self, lr, g, state, x, f):
        extra = {"value": f} if self.method.needs_value else {}
        return self.method.build(lr).update(g, state, x, **extra)

    def init(self, lr, x):
        build = self.method.build
        if self.method.coordinatewise:
            return build(lr).init(x)
        return columns.per_start(build(lr).init)(x)

    def update(self, lr, g, state, x, f):
        if self.method.coordinatewise:
            return self._one(lr, g, state, x, f)
        return jax.vmap(lambda *a: self._one(lr, *a), in_axes=-1, out_axes=-1)(g, state, x, f)

    def judged(self, state, x):
        eval_point = self.method.eval_point
        if self.method.coordinatewise:
            return eval_point(state, x)
        return columns.per_start(eval_point)(state, x)


def lane(program, lo, hi, x0, keys, lrs, noise_scales, thresholds, record_path: int = 0) -> dict:
    """Every column of ``x0[d, n]`` under the lr row ``lrs[steps]`` (and the group's noise scale
    ``noise_scales[steps]``, drawn from each start's ``keys[n, 2]``); ``lo, hi`` the box (scalars or ``[d, 1]``),
    ``thresholds[T]`` the targets on f - f*. Returns the per-start summary, starts-last, and with
    ``record_path = k`` the iterates x_1 .. x_steps of the first k starts as ``visited[steps, d, k]``."""
    objective = program.objective()
    steps = program.steps
    dtype = x0.dtype
    optimizer = BlockOptimizer(optimizers.get(program.optimizer))
    value_and_grad = columns.value_and_grad(objective.delta_columns)
    value = objective.delta_columns
    half_basin = 0.5 * objective.basin_scale
    window = max(1, math.ceil(OSCILLATION_WINDOW * steps))
    slack = SANE_WIDTHS * (hi - lo)
    project = (lambda z: jnp.clip(z, lo, hi)) if objective.enforce_box else (lambda z: z)
    perturb = noise.perturbation(program.noise, keys, x0.shape, dtype)
    targets = thresholds[:, None]

    def record(f, t, best, hits):
        best = jnp.where(jnp.isfinite(f), jnp.minimum(best, f), best)
        hits = jnp.where((hits < 0) & (best <= targets), t, hits)
        return best, hits

    def body(carry, inputs):
        x, x_good, state, f_prev, best, hits, freeze, status, wiggle = carry
        t, lr, scale = inputs
        f, g = value_and_grad(x)
        alive = status == STATUS_OK
        finite = jnp.isfinite(f) & all_finite(g)
        x_good = jnp.where(finite, x, x_good)  # the last iterate with a finite f and gradient
        best, hits = record(f, t, best, hits)
        wiggle = wiggle + jnp.where(alive & finite & (t >= steps - window + 1), jnp.abs(f - f_prev), 0.0)
        g_used, added = perturb(t, g, lr, scale)
        updates, state = optimizer.update(lr, g_used, state, x, f)
        candidate = project(x + updates + added)
        in_range = all_at_most(jnp.abs(candidate - jnp.clip(candidate, lo, hi)), slack)  # false for inf, NaN
        move = alive & finite & in_range
        status = jnp.where(alive & ~finite, STATUS_NONFINITE, jnp.where(alive & ~in_range, STATUS_LEFT_RANGE, status))
        jumped = move & (dot(candidate - x, candidate - x) > half_basin**2)
        freeze = jnp.where(jumped, t + 1, freeze)
        x = jnp.where(move, candidate, x)
        # A stopped start repeats its last value: later steps add nothing to the oscillation.
        carry = (x, x_good, state, jnp.where(alive & finite, f, f_prev), best, hits, freeze, status, wiggle)
        return carry, (x[:, :record_path] if record_path else None)

    n = x0.shape[-1]
    init = (
        x0,
        x0,
        optimizer.init(lrs[0], x0),
        value(x0),
        jnp.full((n,), jnp.inf, dtype),
        jnp.full((thresholds.shape[0], n), -1, jnp.int32),
        jnp.zeros((n,), jnp.int32),
        jnp.full((n,), STATUS_OK, jnp.int8),
        jnp.zeros((n,), dtype),
    )
    ts = jnp.arange(steps, dtype=jnp.int32)
    (x, x_good, state, f_prev, best, hits, freeze, status, wiggle), visited = jax.lax.scan(
        body, init, (ts, lrs, noise_scales)
    )
    ok = status == STATUS_OK
    if optimizer.method.eval_point is not None:  # schedule-free: judge the evaluation point, not y
        x = jnp.where(ok, project(optimizer.judged(state, x)), x)
    # A start stopped by a non-finite value reports its last finite iterate (and is diverged).
    x = jnp.where(status == STATUS_NONFINITE, x_good, x)
    f_final = value(x)
    best, hits = record(f_final, jnp.int32(steps), best, hits)
    wiggle = wiggle + jnp.where(ok, jnp.abs(f_final - f_prev), 0.0)
    out = {"visited": visited} if record_path else {}
    return out | {
        "x_final": x,
        "gap_final": f_final,
        "gap_best": best,
        "hits": hits,
        "freeze_step": freeze,
        "status": status,
        "oscillation": wiggle / window,
    }
