"""Instances >= 1 of the classic functions: the optimum moves (and rotates where the record allows)
while f*, the basin data and the curvature spectrum follow the instance."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

import functions
from functions.instances import INNER, placement

CLASSIC = [name for name in functions.names() if not name.startswith("bbob_")]


def dims_of(objective):
    return list(objective.dims) if objective.dims is not None else [2, 5]


CASES = [(name, d, k) for name in CLASSIC for d in dims_of(functions.get(name)) for k in (1, 2)]


def random_points(objective, d, n=128, seed=0):
    lo, hi = objective.bounds(d)
    return lo + (hi - lo) * np.random.default_rng(seed).random((n, d))


@pytest.mark.parametrize("name,d,k", CASES)
def test_instance_moves_the_optimum_into_the_inner_box(name, d, k):
    """(f(x*) = f* at the moved minimisers, finite gradients and the rest: tests/test_registry.py.)"""
    textbook, moved = functions.get(name), functions.problem(name, d, k)
    assert moved.instance_id == k and moved.f_opt(d) == textbook.f_opt(d)
    x_opt = moved.x_opt(d)
    lo, hi = moved.bounds(d)
    margin = (1 - INNER) / 2 * (hi - lo)
    assert np.all(x_opt[0] >= lo + margin - 1e-12) and np.all(x_opt[0] <= hi - margin + 1e-12)
    assert not np.allclose(x_opt[0], textbook.x_opt(d)[0])
    expected = len(textbook.x_opt(d))
    assert len(x_opt) == expected or (textbook.enforce_box and 1 <= len(x_opt) < expected)


@pytest.mark.parametrize("name,d", [(name, dims_of(functions.get(name))[0]) for name in CLASSIC])
def test_instance_is_the_textbook_function_moved(name, d):
    """f_k(x) = f(x*_0 + R (x - c)): an isometry (R orthogonal, the identity unless rotatable)."""
    textbook, moved = functions.get(name), functions.problem(name, d, 1)
    where = placement(textbook, d, 1)
    rotation = np.eye(d) if where.rotation is None else where.rotation
    assert (where.rotation is not None) == (textbook.rotatable and d >= 2)
    np.testing.assert_allclose(rotation @ rotation.T, np.eye(d), atol=1e-12)
    assert np.linalg.det(rotation) == pytest.approx(1.0)
    x = random_points(textbook, d, n=32, seed=3)
    y = where.anchor + (x - where.centre) @ rotation.T
    lo, hi = textbook.bounds(d)
    inside = np.all((y >= lo) & (y <= hi), axis=1)
    expected = np.asarray(textbook.value(jnp.asarray(y, jnp.float64)))
    got = np.asarray(moved.value(jnp.asarray(x, jnp.float64)))
    keep = inside if textbook.enforce_box else np.ones_like(inside)
    np.testing.assert_allclose(got[keep], expected[keep], rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize("name", [n for n in CLASSIC if functions.get(n).enforce_box])
def test_box_enforced_functions_are_penalised_outside_their_textbook_box(name):
    """Lower outside their box: the instance takes the nearest box point's value plus a quadratic
    penalty, so f* stays the minimum and the value is continuous across the textbook box's edge."""
    textbook = functions.get(name)
    d = dims_of(textbook)[0]
    moved = functions.problem(name, d, 1)
    where = placement(textbook, d, 1)
    assert where.rotation is None
    lo, hi = textbook.bounds(d)
    edge = where.centre + (hi - where.anchor)  # maps to the textbook box's upper corner
    for eps in (1e-6, 1.0):
        beyond = edge + eps
        corner = float(textbook.value(jnp.asarray(hi, jnp.float64)))
        assert float(moved.value(jnp.asarray(beyond, jnp.float64))) == pytest.approx(corner + d * eps**2, rel=1e-9)


@pytest.mark.parametrize("name", ["rastrigin", "ackley", "rosenbrock", "griewank"])
def test_curvature_and_basin_data_follow_the_instance(name):
    textbook, moved = functions.get(name), functions.problem(name, 5, 3)
    assert moved.curvature(5) == pytest.approx(textbook.curvature(5), rel=1e-9)
    assert moved.basin_target(5) == textbook.basin_target(5)
    assert moved.basin_scale == textbook.basin_scale
    # The moved optimum is a float32 number: float32 resolves f - f* as well as at the textbook one.
    assert moved.resolution_floor(5, "float32") == pytest.approx(textbook.resolution_floor(5, "float32"), rel=1e-6)


@pytest.mark.parametrize("name,d", [(name, dims_of(functions.get(name))[-1]) for name in CLASSIC])
def test_moved_optimum_is_a_float32_number(name, d):
    """Float32 and float64 runs share x*: on a cusp (HappyCat, Bukin N.6) the float32 neighbour of a
    float64 x* lies 0.02 above f*, which would put every float32 target out of reach."""
    x_opt = functions.problem(name, d, 1).x_opt(d)[0]
    np.testing.assert_array_equal(x_opt.astype(np.float32).astype(np.float64), x_opt)
    moved = functions.problem(name, d, 1)
    assert float(moved.delta(jnp.asarray(x_opt, jnp.float32))) <= moved.resolution_floor(d, "float32")


def test_instances_are_fixed_by_name_dimension_and_number():
    """Seeded by (name, d, k) only: the same on every run (PCG64 streams are stable across numpy
    versions), different between numbers and functions."""
    first = functions.problem("rastrigin", 2, 1).x_opt(2)[0]
    np.testing.assert_allclose(first, [0.774894654750824, -3.9767749309539795], atol=1e-12)
    np.testing.assert_array_equal(first, placement(functions.get("rastrigin"), 2, 1).centre)
    assert not np.allclose(functions.problem("rastrigin", 2, 2).x_opt(2)[0], first)
    assert not np.allclose(functions.problem("sphere", 2, 1).x_opt(2)[0], first)
    assert functions.problem("rastrigin", 2, 1) is functions.problem("rastrigin", 2, 1)


def test_instance_zero_is_the_textbook_record_and_bad_instances_are_refused():
    assert functions.problem("ackley", 3, 0) is functions.get("ackley")
    with pytest.raises(ValueError, match="instance must be an int >= 0, got -1"):
        functions.problem("ackley", 3, -1)
    with pytest.raises(ValueError, match="dimension 3 not supported"):
        functions.problem("himmelblau", 3, 1)


def test_float32_delta_near_a_moved_optimum_is_resolved():
    """delta = f - f* near a moved optimum keeps float32 resolution: the shift x - c is exact near c."""
    moved = functions.problem("rastrigin", 10, 1)
    x_opt = moved.x_opt(10)[0]
    near = x_opt + 1e-3
    exact = float(moved.delta(jnp.asarray(near, jnp.float64)))
    single = float(moved.delta(jnp.asarray(near, jnp.float32)))
    assert single == pytest.approx(exact, rel=1e-3)


def _columns_against_rows(objective, d, dtype, seed=3):
    x = random_points(objective, d, n=64, seed=seed).astype(dtype)
    rows = np.asarray(objective.delta(jnp.asarray(x)), np.float64)
    columns = np.asarray(objective.delta_columns(jnp.asarray(x.T)), np.float64)
    return rows, columns


@pytest.mark.parametrize("name,d,k", CASES)
def test_columns_form_agrees_with_the_per_point_form(name, d, k):
    """The engine evaluates a block of starts as columns (``delta_columns``); the instances apply
    their affine map to the block at once. In float64 both forms agree to rounding; in float32 to
    the function's own rounding (a rotation sums d products in another order)."""
    objective = functions.problem(name, d, k)
    rows, columns = _columns_against_rows(objective, d, np.float64)
    np.testing.assert_allclose(columns, rows, rtol=1e-12, atol=1e-12 * (1.0 + np.max(np.abs(rows))))
    rows, columns = _columns_against_rows(objective, d, np.float32)
    np.testing.assert_allclose(columns, rows, rtol=1e-5, atol=1e-5 * (1.0 + np.max(np.abs(rows))))


@pytest.mark.parametrize("name", [n for n in CLASSIC if functions.get(n).columns_delta_fn is not None])
def test_records_with_their_own_columns_form_agree_with_it(name):
    objective = functions.get(name)
    for d in dims_of(objective) + ([10] if objective.dims is None else []):
        rows, columns = _columns_against_rows(objective, d, np.float64)
        np.testing.assert_allclose(columns, rows, rtol=1e-13, atol=1e-13)
