"""Every registered objective keeps its own promises, and the golden values of the defining papers
(and of ../shared/cases, sections F and G) hold."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import functions
from functions.basins import nearest_competitor_gap

NAMES = [name for name in functions.names() if not name.startswith("bbob_")]  # bbob: tests/test_bbob.py
EXPECTED = {
    "sphere",
    "rosenbrock",
    "rastrigin",
    "ackley",
    "griewank",
    "schwefel",
    "levy",
    "styblinski_tang",
    "himmelblau",
    "six_hump_camel",
    "michalewicz",
    "salomon",
    "alpine1",
    "zakharov",
    "qing",
    "lunacek",
    "weierstrass",
    "schaffer_f7",
    "katsuura",
    "happycat",
    "hgbat",
    "branin",
    "eggholder",
    "holder_table",
    "drop_wave",
    "cross_in_tray",
    "shubert",
    "bukin_n6",
    "easom",
    "goldstein_price",
    "beale",
    "schaffer_n2",
    "schaffer_n4",
    "ackley_n3",
}


def dims_of(objective):
    return list(objective.dims) if objective.dims is not None else [2, 10]


def cases():
    return [(name, d) for name in NAMES for d in dims_of(functions.get(name))]


def random_points(objective, d, n=64, seed=0):
    lo, hi = objective.bounds(d)
    return lo + (hi - lo) * np.random.default_rng(seed).random((n, d))


def test_registry_holds_the_first_set():
    assert EXPECTED <= set(NAMES)


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="unknown function 'rastrign'.*rastrigin"):
        functions.get("rastrign")


def test_registering_twice_is_an_error():
    with pytest.raises(ValueError, match="already registered"):
        functions.register(functions.get("sphere"))


@pytest.mark.parametrize("name,d", cases())
def test_gradient_vanishes_at_the_minimisers(name, d):
    # KKT: 0 in the interior; on an active bound of an enforced box (Eggholder's x = 512) the
    # gradient may only point out of the box (the multiplier), so its projection onto the box is 0.
    objective = functions.get(name)
    x_opt = objective.x_opt(d)
    grads = np.asarray(jax.jit(jax.vmap(jax.grad(objective.value)))(jnp.asarray(x_opt, jnp.float64)))
    lo, hi = objective.bounds(d)
    if objective.enforce_box:
        grads = np.where((x_opt == hi) & (grads < 0), 0.0, grads)
        grads = np.where((x_opt == lo) & (grads > 0), 0.0, grads)
    np.testing.assert_allclose(grads, 0.0, atol=1e-6)


def test_unsupported_dimension_is_refused():
    with pytest.raises(ValueError, match=r"himmelblau: dimension 3 not supported; allowed: \[2\]"):
        functions.get("himmelblau").bounds(3)
    with pytest.raises(ValueError, match="rosenbrock: dimension must be >= 2"):
        functions.get("rosenbrock").f_opt(1)


# -- basin targets lie below the gap to the best non-global local minimum ---------------------


@pytest.mark.parametrize("name", [n for n in NAMES if functions.get(n).basin_target(2) is not None])
def test_basin_target_is_below_the_nearest_competitor_2d(name):
    objective = functions.get(name)
    gap = nearest_competitor_gap(objective, 2, per_shell=12)
    assert objective.basin_target(2) < gap


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", [n for n in NAMES if functions.get(n).dims is None and functions.get(n).basin_target(10) is not None]
)
def test_basin_target_is_below_the_nearest_competitor_10d(name):
    objective = functions.get(name)
    gap = nearest_competitor_gap(objective, 10, per_shell=24)
    assert objective.basin_target(10) < gap


def test_rastrigin_nearest_competitor_closed_form():
    # One coordinate at the 1-D local minimum near 1: x = 0.99496, f = 0.99496 (closed form root).
    gap = nearest_competitor_gap(functions.get("rastrigin"), 2, per_shell=16)
    np.testing.assert_allclose(gap, 0.994959057, rtol=1e-6)


def test_rosenbrock_second_minimum_from_d4():
    # Shang & Qiu (2006): d = 4 has a local minimum near (-1, 1, 1, 1) with f ~ 3.70.
    objective = functions.get("rosenbrock")
    assert objective.basin_target(3) is None and objective.basin_target(4) == 1.5
    from scipy.optimize import minimize

    result = minimize(
        lambda x: float(objective.value(jnp.asarray(x))),
        np.array([-1.0, 1.0, 1.0, 1.0]),
        jac=lambda x: np.asarray(jax.grad(objective.value)(jnp.asarray(x))),
        method="BFGS",
    )
    assert 3.6 < result.fun < 3.8 and result.x[0] < -0.7


# -- golden values (../shared/cases) -----------------------------------------------------------


def f64(name, x):
    return float(functions.get(name).value(jnp.asarray(x, dtype=jnp.float64)))


def test_styblinski_tang_minimum_scales_with_d():  # F2
    objective = functions.get("styblinski_tang")
    assert objective.f_opt(4) == pytest.approx(-156.6646628, abs=1e-6)
    assert f64("styblinski_tang", [-2.903534] * 4) == pytest.approx(-156.6646628, abs=1e-6)


def test_ackley_textbook_value():  # F7
    assert f64("ackley", [0.5, -0.5]) == pytest.approx(4.253654, abs=1e-6)
    assert f64("ackley", [0.0, 0.0]) == 0.0


def test_griewank_row_unchanged_inside_a_batch():  # F8
    objective = functions.get("griewank")
    alone = float(objective.value(jnp.asarray([0.5, 0.5])))
    batch = np.random.default_rng(1).uniform(-600, 600, (1000, 2))
    batch[417] = [0.5, 0.5]
    inside = float(objective.value(jnp.asarray(batch))[417])
    assert alone == pytest.approx(0.1768224, abs=1e-7)
    assert inside == pytest.approx(alone, rel=1e-15)


def test_schwefel_constant_makes_the_minimum_reachable():  # F9
    value = f64("schwefel", [420.968746359982] * 10)
    assert abs(value) < 1e-9


def test_ackley_gradient_at_zero_is_the_zero_subgradient():  # G1
    grad = jax.grad(functions.get("ackley").value)(jnp.zeros(2))
    np.testing.assert_array_equal(np.asarray(grad), [0.0, 0.0])


def test_schwefel_gradient_at_a_zero_coordinate():  # G2
    grad = np.asarray(jax.grad(functions.get("schwefel").value)(jnp.asarray([0.0, 1.0])))
    assert np.all(np.isfinite(grad)) and grad[0] == 0.0


@pytest.mark.parametrize("d", [2, 5, 10])
def test_float32_residual_at_the_optimum_is_within_the_stated_floor(d):  # G3
    objective = functions.get("ackley")
    residual = abs(float(objective.value(jnp.zeros(d, jnp.float32))))
    assert residual <= objective.resolution_floor(d, "float32")
    assert objective.resolution_floor(d, "float32") > 1e-8  # so a 1e-8 target must be refused


def test_rastrigin_is_accurate_in_float32_near_and_far_from_integers():  # G4
    objective = functions.get("rastrigin")
    near = float(objective.value(jnp.full(10, 1e-4, jnp.float32)))
    assert near == pytest.approx(1.98392e-5, rel=1e-4)
    # 1 - cos(2 pi x) at x = 1000.25 is exactly 1; the period is reduced before the sine.
    far = float(objective.value(jnp.asarray([1000.25], jnp.float32))) - 1000.25**2
    assert far == pytest.approx(10.0, abs=0.1)


def test_himmelblau_has_four_global_minima():
    objective = functions.get("himmelblau")
    assert objective.x_opt(2).shape == (4, 2)
    np.testing.assert_allclose(np.asarray(objective.value(jnp.asarray(objective.x_opt(2)))), 0.0, atol=1e-20)


def test_six_hump_camel_two_symmetric_minima():
    objective = functions.get("six_hump_camel")
    np.testing.assert_allclose(
        np.asarray(objective.value(jnp.asarray(objective.x_opt(2)))), -1.0316284534898774, rtol=1e-14
    )


def test_rastrigin_curvature_and_stability_threshold():
    objective = functions.get("rastrigin")
    assert objective.curvature(2) == pytest.approx(2 + 40 * np.pi**2, rel=1e-10)
    assert objective.stability_lr(10) == pytest.approx(5.04e-3, rel=1e-3)
