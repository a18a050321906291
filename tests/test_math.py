"""The numerical building blocks of functions/_math.py against float64 over their whole domain."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import functions
from functions._math import UNROLLED_UP_TO, prefix_product_sum, sin2_pi, sin_float32, sin_pi_plus, sin_pi_reduced

EPS32 = float(np.finfo(np.float32).eps)


def test_float32_sin_pi_is_within_one_ulp_of_float64_on_its_whole_range():
    r = np.linspace(-0.5, 0.5, 2_000_001, dtype=np.float32)
    got = np.asarray(sin_pi_reduced(jnp.asarray(r)), np.float64)
    exact = np.sin(np.pi * r.astype(np.float64))
    assert got.dtype == np.float64 and np.asarray(sin_pi_reduced(jnp.asarray(r))).dtype == np.float32
    assert np.max(np.abs(got - exact)) < 1.2e-7
    tiny = np.abs(exact) > 1e-30
    assert np.max(np.abs(got - exact)[tiny] / np.abs(exact[tiny])) < 1.2 * EPS32
    top = np.abs(r) > 0.45  # near the maxima (Michalewicz raises sin^2 to the 10th power)
    assert np.max(np.abs(got - exact)[top]) < 0.5 * EPS32
    assert float(sin_pi_reduced(jnp.float32(0.0))) == 0.0
    np.testing.assert_array_equal(got[::-1], -got)  # odd


def test_float32_derivative_is_pi_cos_pi_r():
    r = np.linspace(-0.5, 0.5, 200_001, dtype=np.float32)
    slope = np.asarray(jax.vmap(jax.grad(sin_pi_reduced))(jnp.asarray(r)), np.float64)
    np.testing.assert_allclose(slope, np.pi * np.cos(np.pi * r.astype(np.float64)), rtol=0, atol=1e-6 * np.pi)


def test_float64_uses_the_library_sine():
    r = np.linspace(-0.5, 0.5, 10_001)
    np.testing.assert_array_equal(np.asarray(sin_pi_reduced(jnp.asarray(r))), np.asarray(jnp.sin(jnp.pi * r)))


@pytest.mark.parametrize("low,high", [(-5.12, 5.12), (-1e4, 1e4)])
def test_float32_sin2_pi_keeps_the_phase_over_the_whole_box(low, high):
    x = np.random.default_rng(0).uniform(low, high, 1_000_000).astype(np.float32)
    got = np.asarray(sin2_pi(jnp.asarray(x)), np.float64)
    exact = np.sin(np.pi * (x.astype(np.float64) - np.round(x.astype(np.float64)))) ** 2
    assert np.max(np.abs(got - exact)) < 5 * EPS32


def test_float32_sine_by_cody_waite_reduction_matches_float64_up_to_1000():
    """Schwefel's sin(sqrt|x|): the argument reduced by k pi in two exact-ish parts, then the
    polynomial sine; within 1.25 float32 eps of float64 (XLA's own float32 sin: within 0.3 eps) and
    the derivative within 2 eps of cos, over [-1000, 1000] (past Schwefel's 22.4 many times)."""
    s = np.linspace(-1000, 1000, 4_000_001, dtype=np.float32)
    exact = np.sin(s.astype(np.float64))
    got = np.asarray(sin_float32(jnp.asarray(s)), np.float64)
    assert np.max(np.abs(got - exact)) < 1.25 * EPS32
    slope = np.asarray(jax.vmap(jax.grad(sin_float32))(jnp.asarray(s[::20])), np.float64)
    assert np.max(np.abs(slope - np.cos(s[::20].astype(np.float64)))) < 2.0 * EPS32
    s64 = np.linspace(-1000, 1000, 10_001)
    np.testing.assert_array_equal(np.asarray(sin_float32(jnp.asarray(s64))), np.sin(s64))


@pytest.mark.parametrize("name", ["rastrigin", "ackley", "griewank", "levy", "weierstrass", "schwefel"])
def test_functions_on_the_fast_sine_match_float64_everywhere_in_the_box(name):
    objective = functions.get(name)
    lo, hi = objective.bounds(10)
    x = (lo + (hi - lo) * np.random.default_rng(1).random((4096, 10))).astype(np.float32)
    single = np.asarray(objective.value(jnp.asarray(x)), np.float64)
    double = np.asarray(objective.value(jnp.asarray(x.astype(np.float64))))
    assert np.max(np.abs(single - double) / (1.0 + np.abs(double))) < 64 * EPS32
    g32 = np.asarray(jax.vmap(jax.grad(objective.value))(jnp.asarray(x)), np.float64)
    g64 = np.asarray(jax.vmap(jax.grad(objective.value))(jnp.asarray(x.astype(np.float64))))
    scale = np.max(np.abs(g64), axis=1, keepdims=True) + 1.0
    assert np.max(np.abs(g32 - g64) / scale) < 1e-4


def test_float32_sin_pi_plus_a_phase_is_as_accurate_as_the_library():
    """Levy's sin(pi w + 1) from the reduced argument's sine and cosine: absolute error within
    1.5 float32 eps of float64 over the whole range; the library's own jnp.sin(pi r + 1) rounds the
    argument first and is worse near the zero at r = -1/pi."""
    r = np.linspace(-0.5, 0.5, 2_000_001, dtype=np.float32)
    exact = np.sin(np.pi * r.astype(np.float64) + 1.0)
    got = np.asarray(sin_pi_plus(jnp.asarray(r), 1.0), np.float64)
    library = np.asarray(jnp.sin(jnp.pi * jnp.asarray(r) + 1.0), np.float64)
    assert np.max(np.abs(got - exact)) < 1.5 * EPS32
    assert np.max(np.abs(got - exact)) <= np.max(np.abs(library - exact))
    slope = np.asarray(jax.vmap(jax.grad(lambda t: sin_pi_plus(t, 1.0)))(jnp.asarray(r[::10])), np.float64)
    np.testing.assert_allclose(
        slope, np.pi * np.cos(np.pi * r[::10].astype(np.float64) + 1.0), rtol=0, atol=1.5 * EPS32 * np.pi
    )
    r64 = np.linspace(-0.5, 0.5, 1001)
    np.testing.assert_array_equal(
        np.asarray(sin_pi_plus(jnp.asarray(r64), 1.0)), np.asarray(jnp.sin(jnp.pi * r64 + 1.0))
    )


@pytest.mark.parametrize("d", [1, 2, UNROLLED_UP_TO, UNROLLED_UP_TO + 1, 10, 70])
def test_prefix_product_sum_is_the_sum_of_each_weight_times_the_running_product_before_it(d):
    rng = np.random.default_rng(d)
    c, w = rng.uniform(-1.5, 1.5, (2, 3, d))
    before = np.concatenate([np.ones((3, 1)), np.cumprod(c, axis=1)[:, :-1]], axis=1)
    expected = np.sum(before * w, axis=1)
    np.testing.assert_allclose(np.asarray(prefix_product_sum(jnp.asarray(c), jnp.asarray(w))), expected, rtol=1e-13)
    columns = prefix_product_sum(jnp.asarray(c.T), jnp.asarray(w.T), axis=0)
    np.testing.assert_allclose(np.asarray(columns), expected, rtol=1e-13)


@pytest.mark.parametrize("d", [2, 10])
def test_prefix_product_sum_with_w_one_minus_c_differentiates_as_one_minus_the_product(d):
    # Griewank's form: sum_i prod_{j<i} c_j (1 - c_i) = 1 - prod c_i, and so are the gradients.
    c = jnp.asarray(np.random.default_rng(d).uniform(-1.0, 1.0, d))
    grad = jax.grad(lambda c: prefix_product_sum(c, 1.0 - c))(c)
    np.testing.assert_allclose(np.asarray(grad), np.asarray(jax.grad(lambda c: -jnp.prod(c))(c)), rtol=1e-12)
