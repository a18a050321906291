"""One test per promise, parametrised over the whole registry: every classic function at instance 0
and a moved instance, every COCO bbob function at two of COCO's instances, in small and larger d.
Golden values live beside each family (test_functions*.py, test_bbob.py); these are the invariants."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import functions

GROUPS = {
    "unimodal",
    "separable multimodal",
    "non-separable multimodal",
    "weak structure",
    # COCO's five bbob groups
    "separable",
    "low or moderate conditioning",
    "high conditioning and unimodal",
    "multi-modal with adequate global structure",
    "multi-modal with weak global structure",
}


def _is_bbob(name: str) -> bool:
    return functions.get(name).instance_fn is not None


def _dims(name: str) -> list[int]:
    objective = functions.get(name)
    if objective.dims is not None:
        return list(objective.dims)
    return [max(2, objective.min_dim), 5]


def _cases() -> list:
    """Every function at its dimensions and two instances. By default each function runs once, at
    its larger dimension and a moved instance (which evaluates the textbook code underneath, at
    other points); the rest of the matrix is marked slow (make test-slow)."""
    out = []
    for name in functions.names():
        instances = (1, 2) if _is_bbob(name) else (0, 1)
        dims = _dims(name)
        for d in dims:
            for k in instances:
                core = d == dims[-1] and k == 1
                marks = () if core else (pytest.mark.slow,)
                out.append(pytest.param(name, d, k, marks=marks, id=f"{name}-d{d}-i{k}"))
    return out


CASES = _cases()


def _random_points(objective, d: int, n: int, seed: int) -> np.ndarray:
    lo, hi = objective.bounds(d)
    return lo + (hi - lo) * np.random.default_rng(seed).random((n, d))


@pytest.mark.parametrize("name,d,k", CASES)
def test_f_at_every_minimiser_is_f_opt(name, d, k):
    objective = functions.problem(name, d, k)
    x_opt = jnp.asarray(objective.x_opt(d), jnp.float64)
    f_opt = objective.f_opt(d)
    scale = max(1.0, abs(f_opt))
    np.testing.assert_allclose(np.asarray(objective.value(x_opt)), f_opt, rtol=0, atol=1e-9 * scale * d)
    np.testing.assert_allclose(np.asarray(objective.delta(x_opt)), 0.0, rtol=0, atol=1e-9 * d)


@pytest.mark.parametrize("name,d,k", CASES)
def test_no_point_of_the_box_is_below_f_opt_and_delta_is_value_minus_f_opt(name, d, k):
    objective = functions.problem(name, d, k)
    x = jnp.asarray(_random_points(objective, d, 2048, seed=k), jnp.float64)
    values, deltas = np.asarray(objective.value(x)), np.asarray(objective.delta(x))
    f_opt = objective.f_opt(d)
    assert deltas.min() >= -1e-9 and values.min() >= f_opt - 1e-9 * max(1.0, abs(f_opt))
    np.testing.assert_allclose(values - f_opt, deltas, rtol=1e-12, atol=1e-11 * max(1.0, abs(f_opt)))


@pytest.mark.parametrize("name,d,k", CASES)
def test_jit_equals_eager_vmap_equals_loop_and_a_batch_changes_no_row(name, d, k):
    objective = functions.problem(name, d, k)
    x = jnp.asarray(_random_points(objective, d, 257, seed=1), jnp.float64)
    eager = np.asarray(objective.value(x))
    # Within rounding: XLA may fuse differently under jit (bbob_f19 sums cosines of large arguments).
    np.testing.assert_allclose(np.asarray(jax.jit(objective.value)(x)), eager, rtol=1e-12, atol=1e-12)
    loop = np.array([float(objective.value(row)) for row in x[:4]])
    np.testing.assert_allclose(np.asarray(jax.vmap(objective.value)(x[:4])), loop, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(eager[:4], loop, rtol=1e-12, atol=1e-12)
    alone = np.asarray(objective.value(x[:1]))
    np.testing.assert_allclose(eager[:1], alone, rtol=1e-14, atol=1e-13)


@pytest.mark.parametrize("name,d,k", CASES)
def test_gradients_finite_everywhere_and_dtype_kept(name, d, k):
    """The engine differentiates delta in float32 and float64; value must work under grad too.
    (Eager vmap: one dispatch per primitive for the whole batch, no compile.)"""
    objective = functions.problem(name, d, k)
    points = np.concatenate([_random_points(objective, d, 256, seed=2), objective.x_opt(d)])
    for fn, dtypes in ((objective.delta, (jnp.float32, jnp.float64)), (objective.value, (jnp.float64,))):
        for dtype in dtypes:
            x = jnp.asarray(points, dtype)
            assert fn(x).dtype == dtype and fn(x.reshape(1, *x.shape)).shape == (1, len(points))
            grads = np.asarray(jax.vmap(jax.grad(fn))(x))
            assert grads.dtype == dtype
            bad = ~np.all(np.isfinite(grads), axis=1)
            assert not bad.any(), f"{name}: non-finite {dtype.__name__} gradient at {points[bad][:2]}"


@pytest.mark.parametrize("name,d,k", CASES)
def test_float32_resolves_f_minus_f_opt_down_to_the_stated_floor(name, d, k):
    """Near x*, float32 delta is within the objective's resolution floor (plus 25% of f - f*) of
    float64 delta at the same float32 point: the floor the config raises default targets to, and
    below which it refuses explicit ones, is honest."""
    objective = functions.problem(name, d, k)
    floor = objective.resolution_floor(d, "float32")
    rng = np.random.default_rng(3)
    x_opt = objective.x_opt(d)[0]
    directions = rng.normal(size=(16, d))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    radii = objective.basin_scale * np.array([0.0, 1e-5, 1e-4, 1e-3])
    points = (x_opt + radii[:, None, None] * directions[None]).reshape(-1, d)
    lo, hi = objective.bounds(d)
    points = np.clip(points, lo, hi).astype(np.float32)
    single = np.asarray(objective.delta(jnp.asarray(points, jnp.float32)), np.float64)
    double = np.asarray(objective.delta(jnp.asarray(points.astype(np.float64), jnp.float64)))
    near = double <= max(100 * floor, 1e-3)  # near the optimum: the floor's domain
    assert near[0]
    excess = (np.abs(single - double) - 0.25 * double)[near]
    assert excess.max() <= floor, f"{name}: float32 error {excess.max():.3g} above the floor {floor:.3g}"


@pytest.mark.parametrize("name", functions.names())
def test_every_record_is_complete(name):
    template = functions.get(name)
    assert template.reference and template.basin_source and template.group in GROUPS
    for d in _dims(name):
        objective = functions.problem(name, d, 1)
        lo, hi = objective.bounds(d)
        assert lo.shape == hi.shape == (d,) and np.all(lo < hi)
        x_opt = objective.x_opt(d)
        assert x_opt.ndim == 2 and x_opt.shape[1] == d and len(x_opt) >= 1
        assert objective.basin_scale > 0
        curvature = objective.curvature(d)
        assert np.isfinite(curvature) and curvature > 0
        floors = [objective.resolution_floor(d, dtype) for dtype in ("float32", "float64")]
        assert 0 < floors[1] < floors[0] < 1e-2
        if not objective.has_basins:
            assert objective.basin_target(d) is None
        if objective.enforce_box:
            assert not objective.rotatable and np.all((x_opt >= lo) & (x_opt <= hi))
