"""The optimiser side: reduce-on-plateau (cases S6), the reference methods against their own
definitions, and noise annealing against closed forms."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import functions
import schedules
from bench import engine, optimizers, plateau, reference
from bench.starts import draw_starts, noise_keys


def scales(transform, values):
    """The plateau scale after each update fed ``values``."""

    def step(state, value):
        _, state = transform.update(jnp.ones(2), state, jnp.zeros(2), value=value)
        return state, state.scale

    _, out = jax.lax.scan(step, transform.init(jnp.zeros(2)), jnp.asarray(values, jnp.float64))
    return np.asarray(out)


def pytorch_plateau_scales(values, factor=0.1, patience=10, threshold=1e-4):
    """ReduceLROnPlateau(mode='min', threshold_mode='rel') written out, with a sign-safe
    threshold: it reduces when the count of bad steps *exceeds* patience."""
    best, bad, scale, out = np.inf, 0, 1.0, []
    for value in values:
        if value < best - threshold * abs(best) if np.isfinite(best) else True:
            best, bad = value, 0
        else:
            bad += 1
        if bad > patience:
            scale, bad = scale * factor, 0
        out.append(scale)
    return np.array(out)


def test_plateau_reduces_on_a_negative_objective():  # S6
    values = np.full(40, -10.0)
    ours = scales(plateau.reduce_on_plateau(), values)
    # First value improves on inf; ten bad steps later (update 11) the scale drops, then every 10.
    assert ours[9] == 1.0 and ours[10] == pytest.approx(0.1) and ours[20] == pytest.approx(0.01)
    # optax's rule, (1 - rtol) * best, sits above best when best < 0: it never reduces.
    optax_scales = _optax_scales(values)
    assert optax_scales.max() == optax_scales.min() == 1.0
    # PyTorch reduces one step later than optax and we do.
    torch = pytorch_plateau_scales(values)
    assert torch[10] == 1.0 and torch[11] == pytest.approx(0.1)


def _optax_scales(values):
    transform = optax.contrib.reduce_on_plateau()

    def step(state, value):
        _, state = transform.update(jnp.ones(2), state, jnp.zeros(2), value=value)
        return state, state.scale

    return np.asarray(jax.lax.scan(step, transform.init(jnp.zeros(2)), jnp.asarray(values, jnp.float64))[1])


def test_plateau_equals_optax_on_a_positive_objective():
    values = np.abs(np.random.default_rng(0).normal(size=200)) + np.linspace(3.0, 1.0, 200)
    ours = scales(plateau.reduce_on_plateau(), values)
    theirs = _optax_scales(values)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert ours[-1] < 1.0  # it did reduce


def test_plateau_ignores_nan_and_cooldown_pauses_counting():
    values = [1.0] + [np.nan] * 10
    assert scales(plateau.reduce_on_plateau(), values)[-1] == pytest.approx(0.1)
    cooled = scales(plateau.reduce_on_plateau(patience=2, cooldown=3), [1.0] * 10)
    np.testing.assert_allclose(cooled, [1, 1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01])


def test_plateau_refuses_bad_arguments():
    with pytest.raises(ValueError, match="factor must be in"):
        plateau.reduce_on_plateau(factor=1.5)


def test_plateau_suffix_and_unknown_names():
    assert optimizers.get("adam+plateau").needs_value
    for bad in ("lbfgs+plateau", "adam+plateau+plateau", "adamm"):
        with pytest.raises(KeyError, match="unknown optimizer"):
            optimizers.get(bad)


# -- reference methods ------------------------------------------------------------------------


def run_reference(name, function, dim, steps, x0, targets=(1e-1,)):
    program = engine.Program(function, dim, name, steps, "float64", len(targets))
    thresholds = np.array([functions.get(function).f_opt(dim) + t for t in targets])
    keys = noise_keys(function, dim, 0, 0, 0, len(x0))
    return engine.run_group(program, np.asarray(x0), np.zeros((1, steps)), thresholds, keys=keys), keys


def test_lbfgs_equals_a_plain_optax_loop_within_its_evaluation_budget():
    objective = functions.get("rosenbrock")
    budget = 40
    x0 = np.array([[-1.2, 1.0], [0.5, -0.8], [1.8, 2.9]])
    out, _ = run_reference("lbfgs", "rosenbrock", 2, budget, x0)
    calls = []

    def counted(x):  # counts evaluations as they run, inside optax's loops
        jax.debug.callback(lambda: calls.append(1))
        return objective.value(x)

    solver = optax.lbfgs()
    value_and_grad = optax.value_and_grad_from_state(counted)

    @jax.jit
    def iteration(x, state):
        value, grad = value_and_grad(x, state=state)
        updates, new_state = solver.update(grad, state, x, value=value, grad=grad, value_fn=counted)
        return x + updates, new_state, optax.tree.get(new_state, "num_linesearch_steps")

    for i, start in enumerate(x0):
        x = jnp.asarray(start)
        state, evals = solver.init(x), 1
        while True:
            calls.clear()
            new_x, new_state, cost = iteration(x, state)
            jax.effects_barrier()
            assert len(calls) == int(cost) + (evals == 1)  # the first iteration also evaluates x0
            stalled = not np.all(np.isfinite(new_x)) or float(objective.value(new_x)) > float(objective.value(x))
            if evals + int(cost) > budget or stalled:
                break
            x, state, evals = new_x, new_state, evals + int(cost)
        assert evals <= budget
        np.testing.assert_allclose(out["x_final"][0, i], np.asarray(x), rtol=1e-9, atol=1e-12)
    assert float(out["gap_final"][0, 0]) < 1e-3  # the classic start is in the valley's end


def test_lbfgs_hitting_times_count_evaluations():
    out, _ = run_reference("lbfgs", "sphere", 3, 30, np.array([[1.0, -2.0, 0.5]]), targets=(1e-1, 1e-8))
    hits = out["hits"][0, 0]
    assert 0 < hits[0] <= hits[1] < 30  # a quadratic: a few line searches suffice


def test_random_search_returns_the_best_of_its_samples():
    budget, lo, hi = 50, *functions.get("rastrigin").bounds(2)
    x0 = draw_starts("rastrigin", 2, 0, 0, 4)
    out, keys = run_reference("random_search", "rastrigin", 2, budget, x0)
    value = functions.get("rastrigin").value
    for i in range(4):
        key = jax.random.wrap_key_data(jnp.asarray(keys[i]))
        samples = np.stack(
            [x0[i]]
            + [
                lo + (hi - lo) * np.asarray(jax.random.uniform(jax.random.fold_in(key, t), (2,), jnp.float64))
                for t in range(1, budget + 1)
            ]
        )
        f = np.asarray(value(jnp.asarray(samples)))
        assert out["gap_final"][0, i] == pytest.approx(f.min(), rel=1e-12)
        np.testing.assert_allclose(out["x_final"][0, i], samples[np.argmin(f)], rtol=1e-12)


def test_reference_loops_refuse_other_names():
    with pytest.raises(ValueError, match="not a reference method"):
        reference.trajectory(engine.Program("sphere", 2, "sgd", 5, "float64", 1), None, 0, 1, None, None, None)


# -- noise annealing --------------------------------------------------------------------------


def run_noisy(kind, scale, lr, steps, x0, function="sphere", optimizer="sgd", permute=None):
    dim = x0.shape[1]
    program = engine.Program(function, dim, optimizer, steps, "float64", 1, kind)
    keys = noise_keys(function, dim, 0, 0, 0, len(x0))
    if permute is not None:
        x0, keys = x0[permute], keys[permute]
    table = np.full((1, steps), lr)
    return engine.run_group(program, x0, table, np.array([0.1]), noise_table=np.full(steps, scale), keys=keys)


def test_zero_noise_changes_no_bit():
    x0 = draw_starts("rastrigin", 2, 0, 0, 8)
    plain = run_noisy("none", 0.0, 0.01, 100, x0, function="rastrigin")
    for kind in ("gradient", "langevin"):
        noisy = run_noisy(kind, 0.0, 0.01, 100, x0, function="rastrigin")
        np.testing.assert_array_equal(noisy["x_final"], plain["x_final"])


def test_langevin_on_the_sphere_reaches_the_discrete_gibbs_variance():
    # x' = (1 - 2 lr) x + sqrt(2 lr T) xi: stationary variance T / (2 (1 - lr)) per coordinate
    # (the continuous-time Gibbs measure exp(-|x|^2 / T) has T / 2).
    lr, temperature = 0.05, 0.2
    x0 = draw_starts("sphere", 2, 0, 0, 2000)
    out = run_noisy("langevin", temperature, lr, 400, x0)
    variance = np.mean(out["x_final"] ** 2)
    assert variance == pytest.approx(temperature / (2 * (1 - lr)), rel=0.06)  # 4000 samples: ~2% s.e.


def test_gradient_noise_on_the_sphere_scales_with_lr():
    # x' = (1 - 2 lr) x - lr sigma xi: stationary variance lr sigma^2 / (4 (1 - lr)).
    lr, sigma = 0.05, 2.0
    x0 = draw_starts("sphere", 2, 0, 0, 2000)
    out = run_noisy("gradient", sigma, lr, 400, x0)
    assert np.mean(out["x_final"] ** 2) == pytest.approx(lr * sigma**2 / (4 * (1 - lr)), rel=0.06)


def test_noise_belongs_to_the_start_not_to_its_place_in_a_block():
    x0 = draw_starts("rastrigin", 2, 0, 0, 300)
    order = np.random.default_rng(1).permutation(300)
    straight = run_noisy("langevin", 0.5, 0.01, 50, x0, function="rastrigin")
    shuffled = run_noisy("langevin", 0.5, 0.01, 50, x0, function="rastrigin", permute=order)
    np.testing.assert_array_equal(shuffled["x_final"][0], straight["x_final"][0][order])


def test_noise_scale_follows_a_schedule_family():
    from bench.noise import Noise

    table = Noise("langevin", "cosine", 2.0).table(100)
    np.testing.assert_allclose(table, np.asarray(schedules.get("cosine")(peak=2.0, steps=100)(np.arange(100))))
    assert Noise("langevin", "cosine", 2.0).label == "langevin-cosine-2"
    assert not Noise().table(10).any() and Noise().label == "none"


def test_lbfgs_stops_at_a_minimum_instead_of_diverging():
    # float32 starts whose L-BFGS run converges to a local minimum, after which the degenerate
    # curvature pairs send the next trial step far outside the box: a stop, not a divergence.
    cases = {
        "rastrigin": [[3.319806941786143, -4.002145991487578], [0.1522973740769613, 3.764192211381803]],
        "ackley": [[-7.9885102250155775, 8.046216653349653], [-0.22380929215556478, 17.373546452254622]],
    }
    for function, starts in cases.items():
        program = engine.Program(function, 2, "lbfgs", 300, "float32", 1)
        out = engine.run_group(program, np.array(starts), np.zeros((1, 300)), np.array([0.1]))
        assert np.all(out["status"][0] == engine.STATUS_OK), function
        polished = engine.polish_starts(function, 2, "float32", out["x_final"][0])
        np.testing.assert_allclose(out["gap_final"][0], polished, atol=1e-4)  # it ended at a minimum
