"""The engine against a plain optax loop, closed forms, compile counts and device invariance."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import functions
import schedules
from bench import engine, optimizers, plateau
from bench.starts import draw_starts

ROOT = Path(__file__).resolve().parents[1]


def run(function, dim, optimizer, rows, x0, dtype="float64", targets=(1e-1, 1e-3)):
    """rows: list of (schedule, peak, steps); returns the engine's per-start arrays [rows, starts, ...]."""
    steps = rows[0][2]
    program = engine.Program(function, dim, optimizer, steps, dtype, len(targets))
    table = np.stack([np.asarray(schedules.get(s)(peak=p, steps=steps)(np.arange(steps))) for s, p, _ in rows])
    thresholds = np.asarray([functions.get(function).f_opt(dim) + t for t in targets])
    return engine.run_group(program, np.asarray(x0, dtype=np.float64), table, thresholds)


def schedule_free(base, schedule):
    """optax's schedule-free wrapper reads its lr at a step count starting at 1, its base optimiser
    at one starting at 0; the engine gives both the schedule's value for the step."""
    return optax.contrib.schedule_free(base, learning_rate=lambda count: schedule(count - 1), b1=0.9)


def schedule_free_adamw_base(s):  # optax.contrib.schedule_free_adamw's base, weight decay 0
    return optax.chain(
        optax.scale_by_rms(decay=0.999, eps=1e-8, eps_in_sqrt=False, bias_correction=True),
        optax.scale_by_learning_rate(s),
    )


# Each descent optimiser as optax builds it with a schedule (the engine builds it per step).
OPTAX_ORACLES = {
    "sgd": lambda s: optax.sgd(s),
    "momentum": lambda s: optax.sgd(s, momentum=0.9),
    "nesterov": lambda s: optax.sgd(s, momentum=0.9, nesterov=True),
    "adam": lambda s: optax.adam(s),
    "adamw": lambda s: optax.adamw(s),
    "amsgrad": lambda s: optax.amsgrad(s),
    "rmsprop": lambda s: optax.rmsprop(s),
    "adagrad": lambda s: optax.adagrad(s),
    "adabelief": lambda s: optax.adabelief(s),
    "lion": lambda s: optax.lion(s, weight_decay=0.0),
    "yogi": lambda s: optax.yogi(s),
    "schedule_free_sgd": lambda s: schedule_free(optax.sgd(s), s),
    "schedule_free_adamw": lambda s: schedule_free(schedule_free_adamw_base(s), s),
    "sgd+plateau": lambda s: optax.chain(optax.sgd(s), plateau.reduce_on_plateau()),
    "adam+plateau": lambda s: optax.chain(optax.adam(s), plateau.reduce_on_plateau()),
    "schedule_free_sgd+plateau": lambda s: optax.chain(schedule_free(optax.sgd(s), s), plateau.reduce_on_plateau()),
}
PEAKS = {"sgd": 0.02, "momentum": 0.004, "nesterov": 0.004, "schedule_free_sgd": 0.02, "adagrad": 0.5}


def test_every_descent_optimizer_has_an_oracle():
    descent = [n for n in optimizers.names() if optimizers.get(n).kind == optimizers.DESCENT]
    assert set(descent) <= set(OPTAX_ORACLES)


@pytest.mark.parametrize("optimizer", list(OPTAX_ORACLES))
def test_engine_equals_a_plain_optax_loop(optimizer):
    objective = functions.get("rastrigin")
    peak = PEAKS.get(optimizer.removesuffix("+plateau"), 0.05)
    steps = 60  # short: most starts are still moving, so every step's lr matters
    x0 = np.array([[2.3, -1.7], [0.4, 4.1], [-3.9, 0.2]])
    out = run("rastrigin", 2, optimizer, [("cosine", peak, steps)], x0)
    schedule = schedules.get("cosine")(peak=peak, steps=steps)
    transform = OPTAX_ORACLES[optimizer](schedule)
    method = optimizers.get(optimizer)

    @jax.jit
    def step(x, state):
        f, g = jax.value_and_grad(objective.value)(x)
        extra = {"value": f} if method.needs_value else {}
        updates, state = transform.update(g, state, x, **extra)
        return optax.apply_updates(x, updates), state, f

    for i, start in enumerate(x0):
        x = jnp.asarray(start)
        state = transform.init(x)
        best = np.inf
        for _ in range(steps):
            x, state, f = step(x, state)
            best = min(best, float(f))
        if "schedule_free" in optimizer:  # judged at the evaluation point
            inner = state[0] if "+plateau" in optimizer else state
            x = optax.contrib.schedule_free_eval_params(inner, x)
        best = min(best, float(objective.value(x)))
        np.testing.assert_allclose(out["x_final"][0, i], np.asarray(x), rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(out["gap_best"][0, i], best, rtol=1e-9, atol=1e-12)


def test_one_compile_across_learning_rates_schedules_and_start_batches():  # E1
    before = engine.TRACE_COUNT["run"]
    rows = [("constant", 0.01, 100), ("linear", 0.02, 100), ("cosine", 0.05, 100)]
    run("levy", 2, "sgd", rows, draw_starts("levy", 2, 0, 0, 10))
    after_first = engine.TRACE_COUNT["run"]
    rows = [("constant", 0.3, 100), ("wsd", 0.1, 100), ("step", 0.5, 100)]
    run("levy", 2, "sgd", rows, draw_starts("levy", 2, 0, 1, 700))
    assert after_first - before == 1
    assert engine.TRACE_COUNT["run"] == after_first


def test_an_objectives_polish_compiles_twice_for_every_optimiser_and_the_starts():
    """One polish program per objective and call shape: one lane per device (the starts and the
    reference methods' endpoints) and the descent calls' lanes; never one per optimiser."""
    x0 = draw_starts("styblinski_tang", 2, 0, 0, 300)
    engine.compiled_polish.cache_clear()  # a fresh program: its traces counted from here
    before = dict(engine.TRACE_COUNT)
    engine.polish_starts("styblinski_tang", 2, "float64", x0)
    for optimizer in ("sgd", "adam", "lbfgs", "random_search"):
        program = engine.Program("styblinski_tang", 2, optimizer, 30, "float64", 2)
        rows = 1 if program.is_reference else 2
        out = engine.run_group(program, x0, np.full((rows, 30), 1e-3), np.array([1e-1, 1e-2]))
        assert np.all(np.isfinite(out["gap_polished"]))
    assert engine.TRACE_COUNT["polish"] - before["polish"] == 2
    assert engine.TRACE_COUNT["run"] - before["run"] == 4


def test_hitting_times_match_the_closed_form_on_the_sphere():
    # sgd, lr 0.25 on sum x^2: x_t = x0 / 2^t, f_t = f0 / 4^t.
    x0 = np.array([[3.0, 4.0], [0.1, 0.0]])
    out = run("sphere", 2, "sgd", [("constant", 0.25, 50)], x0)
    f0 = np.sum(x0**2, axis=1)
    for k, target in enumerate((1e-1, 1e-3)):
        expected = np.maximum(0, np.ceil(np.log(target / f0) / np.log(0.25))).astype(int)
        np.testing.assert_array_equal(out["hits"][0, :, k], expected)
    np.testing.assert_allclose(out["gap_final"][0], f0 / 4.0**50, rtol=1e-12)


def test_bouncing_iterate_has_a_late_freeze_step_and_zero_oscillation():
    # lr 1 on the sphere: x flips sign every step, f never changes, every step jumps 2|x|.
    x0 = np.array([[1.0, -2.0]])
    out = run("sphere", 2, "sgd", [("constant", 1.0, 40)], x0)
    assert out["freeze_step"][0, 0] == 40
    assert out["oscillation"][0, 0] == 0.0
    np.testing.assert_allclose(out["x_final"][0, 0], x0[0])  # an even number of flips


def test_divergence_is_a_status_not_a_nan():  # E4
    x0 = np.array([[1.5, 1.5], [0.01, 0.0]])
    out = run("rosenbrock", 2, "sgd", [("constant", 0.2, 100)], x0, dtype="float32")
    assert out["status"][0, 0] != engine.STATUS_OK
    assert np.all(np.isfinite(out["gap_final"])) and np.all(np.isfinite(out["gap_best"]))
    sphere = run("sphere", 2, "sgd", [("constant", 5.0, 100)], np.array([[1.0, 1.0]]))
    assert sphere["status"][0, 0] == engine.STATUS_LEFT_RANGE


def test_box_is_enforced_where_the_record_says_so():
    objective = functions.get("schwefel")
    assert objective.enforce_box
    out = run("schwefel", 2, "sgd", [("constant", 500.0, 50)], draw_starts("schwefel", 2, 0, 0, 32))
    lo, hi = objective.bounds(2)
    assert np.all(out["x_final"] >= lo) and np.all(out["x_final"] <= hi)
    assert np.all(out["status"] == engine.STATUS_OK)


def test_polish_stays_in_its_valley():
    # Rastrigin's local minima sit near the integer points k, with f close to 0.99496 |k|^2.
    starts = np.array([[0.3, -0.2], [1.3, 0.2], [-2.2, 2.9]])
    f = engine.polish_starts("rastrigin", 2, "float64", starts)
    np.testing.assert_allclose(f[:2], [0.0, 0.994959057], atol=1e-6)
    np.testing.assert_allclose(f[2], 13 * 0.994959057, rtol=2e-3)


def test_starts_are_prefix_stable_distinct_and_inside_the_box():
    small, large = draw_starts("ackley", 3, 0, 7, 10), draw_starts("ackley", 3, 0, 7, 1000)
    np.testing.assert_array_equal(small, large[:10])
    assert len(np.unique(large, axis=0)) == 1000
    lo, hi = functions.get("ackley").bounds(3)
    assert np.all((large >= lo) & (large <= hi))
    assert not np.array_equal(draw_starts("ackley", 3, 0, 8, 10), small)


_DEVICE_SCRIPT = """
import json, sys
import numpy as np
from bench import engine, optimizers, plateau
from bench.starts import draw_starts
import jax, schedules
program = engine.Program("rastrigin", 2, "adam", 60, "float32", 1)
table = np.stack([np.asarray(schedules.get(s)(peak=0.3, steps=60)(np.arange(60))) for s in ("constant", "cosine")])
out = engine.run_group(program, draw_starts("rastrigin", 2, 0, 0, 700), table, np.array([0.1]))
print(json.dumps({"devices": jax.device_count(),
                  "x": out["x_final"].tobytes().hex(), "f": out["gap_polished"].tobytes().hex()}))
"""


def test_results_are_bit_identical_on_1_2_3_and_4_devices():
    outputs = []
    for devices in (1, 2, 3, 4):
        env = {**os.environ, "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}"}
        done = subprocess.run(
            [sys.executable, "-c", _DEVICE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        outputs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert [o["devices"] for o in outputs] == [1, 2, 3, 4]
    assert len({o["x"] for o in outputs}) == 1 and len({o["f"] for o in outputs}) == 1


@pytest.mark.parametrize("name,d", [("rosenbrock", 10), ("levy", 10), ("six_hump_camel", 2)])
def test_polish_has_converged_to_a_basin(name, d, monkeypatch):
    """The start polish agrees with a ten times longer one in float64 on every start, and never
    ends above where it started."""
    objective = functions.get(name)
    x0 = draw_starts(name, d, 0, 5, 64)
    short = engine.polish_starts(name, d, "float32", x0)
    monkeypatch.setattr(engine, "POLISH_STEPS_START", 10 * engine.POLISH_STEPS_START)
    engine.compiled_polish.cache_clear()
    long = engine.polish_starts(name, d, "float64", x0)
    engine.compiled_polish.cache_clear()
    target = objective.basin_target(d)  # polish_starts gives f - f*
    np.testing.assert_array_equal(short <= target, long <= target)
    assert np.all(short <= np.asarray(objective.delta(jnp.asarray(x0, jnp.float32))) + 1e-6)
    if name == "rosenbrock":  # the curved valley leads most starts to the global minimum
        assert np.mean(long <= target) > 0.6


def test_a_start_that_meets_nan_is_diverged_and_reports_its_last_finite_point(monkeypatch):  # E4
    from functions import _registry

    sphere = functions.get("sphere")
    band = lambda x: (x[..., 0] > 0.2) & (x[..., 0] < 0.5)  # noqa: E731
    cliff = dataclasses.replace(
        sphere, name="nan_band", fn=lambda x: jnp.where(band(x), jnp.nan, jnp.sum(x**2, axis=-1))
    )
    monkeypatch.setitem(_registry._REGISTRY, "nan_band", cliff)
    # sgd, lr 0.3 on the sphere: x_{t+1} = 0.4 x_t. From (3, 1): (1.2, 0.4), then (0.48, 0.16) is NaN.
    x0 = np.array([[0.0, 0.0], [3.0, 1.0], [-1.0, 2.0], [0.3, 0.0]])  # the last is NaN at step 0
    out = run("nan_band", 2, "sgd", [("constant", 0.3, 20)], x0)
    assert list(out["status"][0]) == [
        engine.STATUS_OK,
        engine.STATUS_NONFINITE,
        engine.STATUS_OK,
        engine.STATUS_NONFINITE,
    ]
    assert out["gap_best"][0, 3] == np.inf and list(out["hits"][0, 3]) == [-1, -1]  # nothing finite was seen
    np.testing.assert_allclose(out["x_final"][0, 1], [1.2, 0.4], rtol=1e-12)
    np.testing.assert_allclose(out["gap_final"][0, 1], 1.6, rtol=1e-12)
    np.testing.assert_allclose(out["gap_best"][0, 1], 1.6, rtol=1e-12)
    assert np.all(np.isfinite(out["oscillation"]))


@pytest.mark.parametrize("optimizer", ["sgd", "adam+plateau", "lbfgs"])
def test_a_lanes_numbers_do_not_depend_on_the_rest_of_the_run(optimizer):
    """Rows run together or one at a time, and a block of starts run with others or alone, give
    the same bits: a lane's numbers do not depend on its place in a call or on how many calls the
    run takes. (sgd at these peaks is chaotic on Rastrigin: any last-bit difference would show.)"""
    rows = [("constant", 0.01, 60), ("linear", 0.02, 60), ("cosine", 0.05, 60), ("wsd", 0.03, 60), ("step", 0.1, 60)]
    rows = rows[:1] if optimizer == "lbfgs" else rows
    x0 = draw_starts("rastrigin", 2, 0, 0, 3 * engine.BLOCK - 17)  # 3 blocks, the last padded
    whole = run("rastrigin", 2, optimizer, rows, x0, dtype="float32")
    first_block = run("rastrigin", 2, optimizer, rows, x0[: engine.BLOCK], dtype="float32")
    for key in whole:
        np.testing.assert_array_equal(whole[key][:, : engine.BLOCK], first_block[key], err_msg=key)
    for i, row in enumerate(rows):
        alone = run("rastrigin", 2, optimizer, [row], x0, dtype="float32")
        for key in whole:
            np.testing.assert_array_equal(whole[key][i], alone[key][0], err_msg=f"{key}, row {i}")


def test_lanes_per_call_are_fixed_by_the_program():
    def lanes(optimizer, d):
        return engine.lanes_per_device(engine.Program("rastrigin", d, optimizer, 100, "float32", 1))

    assert [lanes("adam", d) for d in (1, 2, 10, 20, 200)] == [128, 64, 8, 4, 1]
    assert lanes("lbfgs", 2) == lanes("random_search", 10) == engine.REFERENCE_LANES


def test_recorded_paths_end_where_the_engine_ends():
    """engine.paths (the basin maps' trajectories) runs the cell's own steps: its last iterate is
    the engine's x_final, and it starts at x0."""
    program = engine.Program("rastrigin", 2, "sgd", 120, "float32", n_targets=1)
    x0 = np.random.default_rng(5).uniform(-5.12, 5.12, (6, 2)).astype(np.float32)
    lrs = np.asarray(schedules.get("cosine")(peak=0.02, steps=120)(np.arange(120)), np.float64)
    out = engine.run_group(program, x0, lrs[None], np.array([1e-1]))
    path, final = engine.paths(program, x0, lrs)
    assert path.shape == (6, 121, 2)
    np.testing.assert_array_equal(path[:, 0], x0)
    np.testing.assert_allclose(path[:, -1], out["x_final"][0], rtol=0, atol=1e-6)
    np.testing.assert_allclose(final, out["x_final"][0], rtol=0, atol=1e-6)
    assert np.max(np.abs(np.diff(path, axis=1))) > 0.1  # it moved: a real trajectory, not a copy
    with pytest.raises(ValueError, match="only noise-free descent optimizers"):
        engine.paths(engine.Program("rastrigin", 2, "lbfgs", 120, "float32", n_targets=1), x0, lrs)
