"""Reference rows: what plain local descent and blind sampling achieve on the same budget.

Both give the per-start summary of ``engine._trajectory`` (same keys, same meaning), with hitting
times counted in evaluations instead of steps.

* ``lbfgs``: optax's L-BFGS (memory 10) with its zoom line search, from the same starts. It may
  spend at most ``steps`` function-and-gradient evaluations, the line search's included (the
  descent methods take ``steps`` gradients): an iteration whose line search would overrun the
  budget is not taken, and the run also ends at a step that does not decrease f (line-search
  failure, or a converged start whose curvature pairs degenerate). Where the record enforces the box, the accepted point is projected onto it
  and re-evaluated, which costs one more evaluation.
* ``random_search``: ``steps`` points uniform in the box after the start (``steps + 1``
  evaluations, as the descent methods evaluate f ``steps + 1`` times); the final iterate is the
  best point seen.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import optax

from .rules import OSCILLATION_WINDOW, SANE_WIDTHS, STATUS_LEFT_RANGE, STATUS_NONFINITE, STATUS_OK


def trajectory(program, objective, lo, hi, x0, key_data, thresholds) -> dict:
    if program.optimizer == "lbfgs":
        return _lbfgs(program.steps, objective, lo, hi, x0, thresholds)
    if program.optimizer == "random_search":
        return _random_search(program.steps, objective, lo, hi, x0, key_data, thresholds)
    raise ValueError(f"{program.optimizer!r} is not a reference method")


def _lbfgs(budget: int, objective, lo, hi, x0, thresholds) -> dict:
    f = objective.delta
    solver = optax.lbfgs()
    value_and_grad = optax.value_and_grad_from_state(f)
    half_basin = 0.5 * objective.basin_scale
    window = max(1, math.ceil(OSCILLATION_WINDOW * budget))
    dtype = x0.dtype

    def still_going(carry):
        return (carry["status"] == STATUS_OK) & ~carry["done"] & (carry["evals"] < budget)

    def iteration(carry):
        x, state = carry["x"], carry["state"]
        value, grad = value_and_grad(x, state=state)
        updates, new_state = solver.update(grad, state, x, value=value, grad=grad, value_fn=f)
        cost = optax.tree.get(new_state, "num_linesearch_steps").astype(jnp.int32)
        candidate = x + updates
        if objective.enforce_box:
            projected = jnp.clip(candidate, lo, hi)
            clipped = jnp.any(projected != candidate)
            candidate = projected
            new_state = jax.tree.map(  # forget the stored value: it belongs to the unprojected point
                lambda new, reset: jnp.where(clipped, reset, new),
                new_state,
                optax.tree.set(new_state, value=jnp.asarray(jnp.inf, dtype)),
            )
            cost = cost + clipped.astype(jnp.int32)
        f_new = f(candidate)  # the line search's last evaluation (or the re-evaluation): not charged again
        evals = carry["evals"] + cost
        accept = evals <= budget
        # A non-finite or non-decreasing step is the method stopping (at a minimum the curvature
        # pairs degenerate, or the line search fails): the run ends there, and that is no
        # divergence. A finite point where f is not finite, or a decreasing step far outside the
        # box, is one.
        step_finite = jnp.all(jnp.isfinite(candidate))
        value_finite = jnp.isfinite(f_new)
        decreased = f_new <= carry["f"]
        in_range = jnp.all(jnp.abs(candidate - jnp.clip(candidate, lo, hi)) <= SANE_WIDTHS * (hi - lo))
        take = accept & step_finite & value_finite & decreased & in_range
        t = evals - 1  # evaluations spent before the new point's own
        best = jnp.where(take, jnp.minimum(carry["best"], f_new), carry["best"])
        hits = jnp.where(take & (carry["hits"] < 0) & (best <= thresholds), t, carry["hits"])
        jumped = take & (jnp.linalg.norm(candidate - x) > half_basin)
        in_window = take & (t >= budget - window)
        checked = accept & step_finite
        status = jnp.where(
            checked & ~value_finite,
            STATUS_NONFINITE,
            jnp.where(checked & value_finite & decreased & ~in_range, STATUS_LEFT_RANGE, carry["status"]),
        )
        return {
            "x": jnp.where(take, candidate, x),
            "state": jax.tree.map(lambda new, old: jnp.where(take, new, old), new_state, state),
            "evals": jnp.where(take, evals, carry["evals"]),
            "f": jnp.where(take, f_new, carry["f"]),
            "best": best,
            "hits": hits,
            "freeze": jnp.where(jumped, t, carry["freeze"]),
            "status": status.astype(jnp.int8),
            "done": ~take,
            "wiggle": carry["wiggle"] + jnp.where(in_window, jnp.abs(f_new - carry["f"]), 0.0),
        }

    f0 = f(x0)
    start = {
        "x": x0,
        "state": solver.init(x0),
        "evals": jnp.asarray(1, jnp.int32),
        "f": f0,
        "best": jnp.where(jnp.isfinite(f0), f0, jnp.inf).astype(dtype),
        "hits": jnp.where(f0 <= thresholds, 0, -1).astype(jnp.int32),
        "freeze": jnp.asarray(0, jnp.int32),
        "status": jnp.where(jnp.isfinite(f0), STATUS_OK, STATUS_NONFINITE).astype(jnp.int8),
        "done": jnp.asarray(False),
        "wiggle": jnp.asarray(0.0, dtype),
    }
    end = jax.lax.while_loop(still_going, iteration, start)
    return {
        "x_final": end["x"],
        "gap_final": f(end["x"]),
        "gap_best": end["best"],
        "hits": end["hits"],
        "freeze_step": end["freeze"],
        "status": end["status"],
        "oscillation": end["wiggle"] / window,
    }


def _random_search(budget: int, objective, lo, hi, x0, key_data, thresholds) -> dict:
    f = objective.delta
    key = jax.random.wrap_key_data(key_data)
    half_basin = 0.5 * objective.basin_scale
    window = max(1, math.ceil(OSCILLATION_WINDOW * budget))

    def body(carry, t):
        best_x, best, hits, freeze, wiggle = carry
        x = lo + (hi - lo) * jax.random.uniform(jax.random.fold_in(key, t), x0.shape, x0.dtype)
        fx = f(x)
        better = jnp.isfinite(fx) & (fx < best)
        new_best = jnp.where(better, fx, best)
        hits = jnp.where((hits < 0) & (new_best <= thresholds), t, hits)
        freeze = jnp.where(better & (jnp.linalg.norm(x - best_x) > half_basin), t, freeze)
        wiggle = wiggle + jnp.where(t > budget - window, best - new_best, 0.0)
        return (jnp.where(better, x, best_x), new_best, hits, freeze, wiggle), None

    f0 = f(x0)
    best0 = jnp.where(jnp.isfinite(f0), f0, jnp.inf)
    init = (
        x0,
        best0,
        jnp.where(best0 <= thresholds, 0, -1).astype(jnp.int32),
        jnp.asarray(0, jnp.int32),
        jnp.asarray(0.0, x0.dtype),
    )
    (best_x, best, hits, freeze, wiggle), _ = jax.lax.scan(body, init, jnp.arange(1, budget + 1, dtype=jnp.int32))
    return {
        "x_final": best_x,
        "gap_final": best,
        "gap_best": best,
        "hits": hits,
        "freeze_step": freeze,
        "status": jnp.asarray(STATUS_OK, jnp.int8),
        "oscillation": wiggle / window,
    }
