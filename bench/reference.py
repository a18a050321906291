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

# optax exports its zoom line search only inside scale_by_zoom_linesearch, whose while loop runs a
# whole search per update; the engine takes its init/step/continue functions to run it a step at a time.
from optax._src.linesearch import zoom_linesearch

from .rules import OSCILLATION_WINDOW, SANE_WIDTHS, STATUS_LEFT_RANGE, STATUS_NONFINITE, STATUS_OK

LINESEARCH_STEPS = 20  # optax.lbfgs's default zoom line search


def trajectory(program, objective, lo, hi, x0, key_data, thresholds) -> dict:
    if program.optimizer == "lbfgs":
        return _lbfgs(program.steps, objective, lo, hi, x0, thresholds)
    if program.optimizer == "random_search":
        return _random_search(program.steps, objective, lo, hi, x0, key_data, thresholds)
    raise ValueError(f"{program.optimizer!r} is not a reference method")


def _where(condition, new, old):
    return jax.tree.map(lambda a, b: jnp.where(condition, a, b), new, old)


def _lbfgs(budget: int, objective, lo, hi, x0, thresholds) -> dict:
    """optax.lbfgs() (its L-BFGS direction, memory 10, then its zoom line search) run one line-search
    step at a time: the loop's iterations are evaluations, not L-BFGS iterations. Vmapped over the
    starts, a line search inside each iteration (optax's ``scale_by_zoom_linesearch``) would run
    until the slowest start's search ends, at every iteration: 10-D Rastrigin took up to 20 search
    steps an iteration against 3.6 on average. The arithmetic is optax's own (the same direction,
    the same search steps), so the iterates are those of the plain optax loop
    (tests/test_optimizers.py)."""
    f = objective.delta
    value_and_grad = jax.value_and_grad(f)
    direction = optax.scale_by_lbfgs()  # optax.lbfgs's defaults: memory 10, scaled initial preconditioner
    start_search, search_step, searching = zoom_linesearch(max_linesearch_steps=LINESEARCH_STEPS)
    half_basin = 0.5 * objective.basin_scale
    window = max(1, math.ceil(OSCILLATION_WINDOW * budget))
    dtype = x0.dtype

    def begin(x, value, grad, memory):
        """The direction from x and a new line search along it (optax.lbfgs's update before its loop)."""
        step, memory = direction.update(grad, memory, x)
        updates = jax.tree.map(lambda u: -1.0 * u, step)  # optax.lbfgs: scale(-1.0)
        return start_search(updates, x, value=value, grad=grad, initial_guess_strategy="one"), memory

    def still_going(carry):
        return ~carry["done"]

    def evaluation(carry):
        x, search = carry["x"], carry["search"]
        search = _where(searching(search), search_step(search, value_and_grad_fn=value_and_grad, fn_kwargs={}), search)
        ended = ~searching(search)
        cost = search.count.astype(jnp.int32)
        candidate = x + search.stepsize * search.updates
        fresh = jnp.isfinite(search.value)  # else optax evaluates again at the start of the next iteration
        if objective.enforce_box:
            projected = jnp.clip(candidate, lo, hi)
            clipped = jnp.any(projected != candidate)
            candidate = projected
            fresh = fresh & ~clipped  # the search's value belongs to the unprojected point
            cost = cost + clipped.astype(jnp.int32)
        f_new, g_new = value_and_grad(
            candidate
        )  # the search's last evaluation (or the re-evaluation): not charged again
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
        take = ended & accept & step_finite & value_finite & decreased & in_range
        t = evals - 1  # evaluations spent before the new point's own
        best = jnp.where(take, jnp.minimum(carry["best"], f_new), carry["best"])
        hits = jnp.where(take & (carry["hits"] < 0) & (best <= thresholds), t, carry["hits"])
        jumped = take & (jnp.linalg.norm(candidate - x) > half_basin)
        in_window = take & (t >= budget - window)
        checked = ended & accept & step_finite
        status = jnp.where(
            checked & ~value_finite,
            STATUS_NONFINITE,
            jnp.where(checked & value_finite & decreased & ~in_range, STATUS_LEFT_RANGE, carry["status"]),
        )
        value_next = jnp.where(fresh, search.value, f_new)
        grad_next = jnp.where(fresh, search.grad, g_new)
        next_search, next_memory = begin(candidate, value_next, grad_next, carry["memory"])
        evals = jnp.where(take, evals, carry["evals"])
        # An iteration whose search has already spent more than the budget left cannot be taken:
        # the start stops there rather than finish the search.
        overrun = ~ended & (carry["evals"] + cost > budget)
        return {
            "x": jnp.where(take, candidate, x),
            "memory": _where(take, next_memory, carry["memory"]),
            "search": _where(take, next_search, search),
            "evals": evals,
            "f": jnp.where(take, f_new, carry["f"]),
            "best": best,
            "hits": hits,
            "freeze": jnp.where(jumped, t, carry["freeze"]),
            "status": status.astype(jnp.int8),
            "done": (ended & ~take) | overrun | (status != STATUS_OK) | (evals >= budget),
            "wiggle": carry["wiggle"] + jnp.where(in_window, jnp.abs(f_new - carry["f"]), 0.0),
        }

    f0 = f(x0)
    value0, grad0 = value_and_grad(x0)
    search0, memory0 = begin(x0, value0, grad0, direction.init(x0))
    status0 = jnp.where(jnp.isfinite(f0), STATUS_OK, STATUS_NONFINITE).astype(jnp.int8)
    start = {
        "x": x0,
        "memory": memory0,
        "search": search0,
        "evals": jnp.asarray(1, jnp.int32),
        "f": f0,
        "best": jnp.where(jnp.isfinite(f0), f0, jnp.inf).astype(dtype),
        "hits": jnp.where(f0 <= thresholds, 0, -1).astype(jnp.int32),
        "freeze": jnp.asarray(0, jnp.int32),
        "status": status0,
        "done": (status0 != STATUS_OK) | (budget <= 1),
        "wiggle": jnp.asarray(0.0, dtype),
    }
    end = jax.lax.while_loop(still_going, evaluation, start)
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
