"""functions.bbob is COCO's bbob suite: the values of cocoex at random points for every function,
dimension and several instances, COCO's x_opt and f_opt, and the promises every record keeps
(delta without cancellation, finite gradients, jit = eager, vmap = loop, dtype kept)."""

from __future__ import annotations

import functools
import sys

import cocoex  # the oracle: a declared test dependency, so a missing install fails loudly
import jax
import jax.numpy as jnp
import mpmath
import numpy as np
import pytest

import functions

bbob_module = sys.modules["functions.bbob"]  # `functions.bbob` is the factory function

FIDS = list(range(1, 25))
SUITE_DIMS = (2, 3, 5, 10, 20, 40)
SUITE_INSTANCES = (1, 2, 5, 15, 91)
TOLERANCE = 1e-9  # |value - coco| <= TOLERANCE * max(1, |coco|)


def points(fid: int, d: int, instance: int) -> np.ndarray:
    """40 uniform points in the box and 8 outside it (the penalties), seeded by the problem."""
    rng = np.random.default_rng([fid, d, instance])
    return np.concatenate([rng.uniform(-5.0, 5.0, (40, d)), rng.uniform(-7.0, 7.0, (8, d))])


def compare_with_coco(fid: int, d: int, instance: int, coco_problem) -> None:
    """value = cocoex at random points and at x*; delta = value - f* >= 0, and 0 at x*."""
    objective = functions.bbob(fid, d, instance)
    f_opt = objective.f_opt(d)
    x = np.concatenate([points(fid, d, instance), objective.x_opt(d)])
    expected = np.array([coco_problem(row) for row in x])
    values = np.asarray(objective.value(jnp.asarray(x, jnp.float64)))
    deltas = np.asarray(objective.delta(jnp.asarray(x, jnp.float64)))
    error = np.abs(values - expected) / np.maximum(1.0, np.abs(expected))
    if fid == 19:  # where cocoex's own rounding exceeds the tolerance, judge both by the exact value
        for row in np.flatnonzero(error > TOLERANCE):
            exact = exact_f19(d, instance, x[row])
            assert abs(values[row] - exact) <= TOLERANCE * max(1.0, abs(exact)) < abs(expected[row] - exact)
            error[row] = 0.0
    assert error.max() <= TOLERANCE, (fid, d, instance, x[error.argmax()], values[error.argmax()])
    np.testing.assert_allclose(values - f_opt, deltas, rtol=1e-12, atol=1e-12 * max(1.0, abs(f_opt)))
    assert deltas.min() >= 0.0  # no point below f*
    if fid == 20:  # COCO's 418.9828872724339 is 2e-13 above max z sin(sqrt z): f - f* >= 2.1e-15
        assert 0.0 < deltas[-1] <= objective.resolution_floor(d, jnp.float64)
        assert abs(values[-1] - f_opt) <= 1e-14
    else:
        assert deltas[-1] == 0.0 and values[-1] == f_opt


def exact_f19(d: int, instance: int, x: np.ndarray) -> float:
    """COCO's f19 at x in 50-digit arithmetic, with COCO's constants: 10 + 10/(d-1) sum(s/4000 - cos s),
    s = 100 (z_i^2 - z_{i+1})^2 + (1 - z_i)^2, z = R x + 1/2 (cos s, s ~ 1e5: cocoex is off by ~1e-9)."""
    with mpmath.workdps(50):
        matrix = bbob_module._constants(19, d, instance)["M"]
        z = [mpmath.fsum(mpmath.mpf(m) * mpmath.mpf(v) for m, v in zip(row, x)) + 0.5 for row in matrix]
        s = [100 * (z[i] ** 2 - z[i + 1]) ** 2 + (1 - z[i]) ** 2 for i in range(d - 1)]
        total = mpmath.fsum(t / 4000 - mpmath.cos(t) for t in s)
        return float(10 + 10 * total / (d - 1) + bbob_module.coco_fopt(19, instance))


@pytest.fixture(scope="module")
def suite():
    spec = f"dimensions: {','.join(map(str, SUITE_DIMS))}"
    return cocoex.Suite("bbob", f"instances: {','.join(map(str, SUITE_INSTANCES))}", spec)


@pytest.mark.parametrize("fid", FIDS)
def test_values_equal_cocoex_suite(fid, suite):
    for d in SUITE_DIMS:
        for instance in SUITE_INSTANCES:
            compare_with_coco(fid, d, instance, suite.get_problem_by_function_dimension_instance(fid, d, instance))


@pytest.mark.parametrize("fid", FIDS)
def test_x_opt_and_f_opt_are_cocos(fid):
    for d, instance in ((2, 1), (10, 5), (40, 91)):
        problem = cocoex.BareProblem("bbob", fid, d, instance)
        objective = functions.bbob(fid, d, instance)
        x_opt = objective.x_opt(d)
        assert x_opt.shape == (1, d)
        if fid == 20:  # COCO reports 4.2096874633 / 2 where its transformation uses 4.2096874637 / 2
            np.testing.assert_allclose(x_opt[0], problem.best_parameter(), rtol=0, atol=3e-10)
            assert abs(objective.f_opt(d) - problem.best_value()) <= 1e-14
        else:
            np.testing.assert_allclose(x_opt[0], problem.best_parameter(), rtol=0, atol=1e-14)
            assert objective.f_opt(d) == problem.best_value()
        assert abs(problem(x_opt[0]) - objective.f_opt(d)) <= 1e-12 * max(1.0, abs(objective.f_opt(d)))


# -- gradients, jit, vmap and float32: one compiled program per function and dtype ------------

D, INSTANCE = 5, 2  # d = 5, instance 2: the kernels compiled by the cocoex test for (49, 5) serve here
N_RANDOM, N_OUTSIDE, N_NEAR = 512, 32, 49
X_OPT_ROW = N_RANDOM + N_OUTSIDE  # then the points near x*


@functools.cache
def shared_points(fid: int) -> np.ndarray:
    """Random points in the box, outside it, x*, and 49 points at 1e-2 from x* (float32 values)."""
    objective = functions.bbob(fid, D, INSTANCE)
    rng = np.random.default_rng(fid)
    directions = rng.standard_normal((N_NEAR, D))
    near = objective.x_opt(D) + 1e-2 * directions / np.linalg.norm(directions, axis=1, keepdims=True)
    random = [rng.uniform(-5.0, 5.0, (N_RANDOM, D)), rng.uniform(-8.0, 8.0, (N_OUTSIDE, D))]
    return np.concatenate([*random, objective.x_opt(D), near.astype(np.float32)])


@functools.cache
def evaluated(fid: int, dtype_name: str) -> dict[str, np.ndarray]:
    """value, delta and both gradients at shared_points(fid), from one jit(vmap(...)) program."""
    objective = functions.bbob(fid, D, INSTANCE)

    def at(p):
        value, grad_value = jax.value_and_grad(objective.value)(p)
        delta, grad_delta = jax.value_and_grad(objective.delta)(p)
        return {"value": value, "delta": delta, "grad_value": grad_value, "grad_delta": grad_delta}

    # XLA's backend optimisations do not change these results but take half the compile time.
    program = jax.jit(jax.vmap(at), compiler_options={"xla_backend_optimization_level": 0})
    out = program(jnp.asarray(shared_points(fid), jnp.dtype(dtype_name)))
    assert all(v.dtype == jnp.dtype(dtype_name) for v in out.values())  # dtype kept
    return {k: np.asarray(v, np.float64) for k, v in out.items()}


@pytest.mark.parametrize("fid", FIDS)
def test_gradients_finite_at_random_points_outside_the_box_and_at_x_opt(fid):
    for dtype in ("float32", "float64"):
        out = evaluated(fid, dtype)
        for key in ("grad_value", "grad_delta"):
            assert np.all(np.isfinite(out[key])), f"f{fid}: non-finite {key} in {dtype}"
    # x* is stationary under the stated subgradients (f20: its x* is 1e-10 from the exact one).
    at_x_opt = evaluated(fid, "float64")["grad_delta"][X_OPT_ROW]
    assert np.abs(at_x_opt).max() <= (1e-8 if fid == 20 else 0.0), at_x_opt


@pytest.mark.parametrize("fid", FIDS)
def test_jit_vmap_equals_eager_and_loop(fid):
    objective = functions.bbob(fid, D, INSTANCE)
    x = jnp.asarray(shared_points(fid)[:49], jnp.float64)
    eager = np.asarray(objective.value(x))
    # f19's cos(s), s ~ 1e5, turns rounding differences between compilations into 1e-12.
    np.testing.assert_allclose(evaluated(fid, "float64")["value"][:49], eager, rtol=1e-11)
    loop = np.array([float(objective.value(row)) for row in x[:2]])
    np.testing.assert_allclose(loop, eager[:2], rtol=1e-13)  # a batch never changes a row's value


@pytest.mark.parametrize("fid", FIDS)
def test_delta_is_accurate_near_x_opt_in_float32(fid):
    """At 1e-2 from x*, value - f* in float32 is mostly the rounding of f* (1e-5 for |f*| ~ 100);
    delta stays accurate to 1e-3. The reference is the same float32 function (its constants, x*
    included, rounded to float32) evaluated in float64."""
    objective = functions.bbob(fid, D, INSTANCE)
    near = shared_points(fid)[-N_NEAR:]
    single = objective.delta(jnp.asarray(near.reshape(7, 7, D), jnp.float32))
    assert single.shape == (7, 7) and single.dtype == jnp.float32  # dtype and leading batch shape kept
    rounded = {k: v.astype(np.float32).astype(np.float64) for k, v in bbob_module._constants(fid, D, INSTANCE).items()}
    double = np.asarray(bbob_module._kernel(fid)(rounded, jnp.asarray(near, jnp.float64)))
    floor = objective.resolution_floor(D, jnp.float32)
    assert np.all(np.abs(np.asarray(single, np.float64).ravel() - double) <= 1e-3 * double + floor), fid


@pytest.mark.parametrize("fid", FIDS)
def test_curvature_is_finite_and_positive(fid):
    objective = functions.bbob(fid, 2, 1)
    assert np.isfinite(objective.curvature(2)) and objective.curvature(2) > 0


def test_known_curvatures():
    assert functions.bbob(1, 7, 3).curvature(7) == pytest.approx(2.0)
    assert functions.bbob(2, 5, 1).curvature(5) == pytest.approx(2e6)  # T_osz has slope 1 at 0
    assert functions.bbob(10, 5, 1).curvature(5) == pytest.approx(2e6, rel=1e-9)
    assert functions.bbob(5, 5, 1).curvature(5) == pytest.approx(2.0)
    # Bueche-Rastrigin: the x10 side of s_i on the last even coordinate (d = 5: index 4).
    assert functions.bbob(4, 5, 1).curvature(5) == pytest.approx((40 * np.pi**2 + 2) * 100 * 10)


# -- the records ------------------------------------------------------------------------------


def test_registry_has_the_24_templates():
    groups = {
        "separable": range(1, 6),
        "low or moderate conditioning": range(6, 10),
        "high conditioning and unimodal": range(10, 15),
        "multi-modal with adequate global structure": range(15, 20),
        "multi-modal with weak global structure": range(20, 25),
    }
    for group, fids in groups.items():
        for fid in fids:
            template = functions.get(f"bbob_f{fid}")
            assert template.group == group and "bbob" in template.tags
            lo, hi = template.bounds(3)
            assert np.all(lo == -5.0) and np.all(hi == 5.0)
            assert template.dims is None and template.min_dim == 2 and not template.enforce_box
            assert f"bbob f{fid}," in template.reference and "exact COCO 2.x implementation" in template.reference
            assert template.basin_scale > 0 and template.basin_source
            assert ("multimodal" in template.tags) != ("unimodal" in template.tags)
            assert ("separable" in template.tags) == (fid <= 5)


def test_problem_is_bbob_and_each_instance_is_built_once():
    assert functions.problem("bbob_f3", 5, 2) is functions.bbob(3, 5, 2) is functions.bbob(3, 40, 2)
    objective = functions.bbob(3, 5, 2)
    assert objective.name == "bbob_f3" and objective.instance_id == 2 and "instance 2" in objective.reference
    assert objective.instance(7) is functions.bbob(3, 5, 7)


def test_basin_data():
    for fid in (1, 2, 5, 6, 10, 11, 12, 13, 14):  # every local minimum is global
        objective = functions.bbob(fid, 5, 1)
        assert objective.has_basins and objective.basin_target(5) is None
    for fid in (8, 9):  # Rosenbrock: a second local minimum from d = 4
        objective = functions.bbob(fid, 5, 1)
        assert objective.has_basins and objective.basin_target(3) is None and objective.basin_target(4) == 1.5
    for fid in (3, 4, 7, *range(15, 25)):
        objective = functions.bbob(fid, 5, 1)
        assert not objective.has_basins and objective.basin_target(5) is None


def test_rosenbrock_second_minimum_from_d4():
    """Shang & Qiu (2006): the local minimum near z = (-1, 1, 1, 1), f - f* ~ 3.70, is f8's too."""
    from scipy.optimize import minimize

    objective = functions.bbob(8, 4, 1)
    x_opt = objective.x_opt(4)[0]
    start = x_opt + np.array([-2.0, 0.0, 0.0, 0.0])  # z = x - x_opt + 1 (factor 1 for d <= 64)
    result = minimize(
        lambda x: float(objective.delta(jnp.asarray(x))),
        start,
        jac=lambda x: np.asarray(jax.grad(objective.delta)(jnp.asarray(x))),
        method="BFGS",
    )
    assert 3.6 < result.fun < 3.8 and objective.basin_target(4) < result.fun


def test_seed_special_cases():
    # f4 uses f3's seeds and f18 f17's (x_opt of f4 differs: its even coordinates are made positive).
    assert functions.bbob(4, 5, 3).f_opt(5) == functions.bbob(3, 5, 3).f_opt(5)
    assert functions.bbob(18, 5, 3).f_opt(5) == functions.bbob(17, 5, 3).f_opt(5)
    np.testing.assert_array_equal(functions.bbob(18, 5, 3).x_opt(5), functions.bbob(17, 5, 3).x_opt(5))
    f3, f4 = functions.bbob(3, 5, 3).x_opt(5)[0], functions.bbob(4, 5, 3).x_opt(5)[0]
    np.testing.assert_array_equal(f4, np.where(np.arange(5) % 2 == 0, np.abs(f3), f3))
    # f12 draws x_opt from rseed + 1000000, f24 from the signs of Gaussians, f20 from uniforms.
    assert set(np.abs(functions.bbob(24, 5, 3).x_opt(5)[0])) == {1.25}
    assert set(np.abs(functions.bbob(20, 5, 3).x_opt(5)[0])) == {0.5 * 4.2096874637}


def test_linear_slope_is_flat_beyond_its_corner():
    objective = functions.bbob(5, 3, 1)
    corner = objective.x_opt(3)[0]
    beyond = jnp.asarray(corner * np.array([1.0, 1.2, 3.0]))
    assert float(objective.delta(beyond)) == 0.0
    np.testing.assert_array_equal(np.asarray(jax.grad(objective.delta)(beyond)), 0.0)


# -- refusals ---------------------------------------------------------------------------------


def test_bad_function_dimension_and_instance_are_refused():
    with pytest.raises(ValueError, match="COCO instances start at 1"):
        functions.bbob(3, 5, 0)
    with pytest.raises(ValueError, match="COCO instances start at 1"):
        functions.problem("bbob_f3", 5, 2).instance(0)
    with pytest.raises(ValueError, match=r"function 0 does not exist; COCO's bbob suite has functions 1\.\.24"):
        functions.bbob(0, 5, 1)
    with pytest.raises(ValueError, match="function 25 does not exist"):
        functions.bbob(25, 5, 1)
    with pytest.raises(ValueError, match=r"dimension 1 not supported; COCO allows 2 <= d <= 44"):
        functions.bbob(10, 1, 1)
    with pytest.raises(ValueError, match=r"dimension 45 not supported; COCO allows 2 <= d <= 44"):
        functions.bbob(10, 45, 1)
    with pytest.raises(ValueError, match=r"dimension 1 not supported; COCO allows any d >= 2"):
        functions.bbob(1, 1, 1)
    with pytest.raises(ValueError, match="dimension must be >= 2"):
        functions.problem("bbob_f1", 1, 1)
    with pytest.raises(ValueError, match="instance 214649 is too large"):
        functions.bbob(1, 2, bbob_module.MAX_INSTANCE + 1)
    with pytest.raises(ValueError, match="dimension 50 not supported"):
        functions.bbob(10, 5, 1).value(jnp.zeros(50))
    assert functions.bbob(1, 100, 1).f_opt(100) == functions.bbob(1, 2, 1).f_opt(2)  # no rotation, no limit


def test_template_refuses_to_evaluate():
    template = functions.get("bbob_f7")
    message = r'COCO instances start at 1; use functions.bbob\(7, d, instance\) or functions.problem\("bbob_f7"'
    with pytest.raises(ValueError, match=message):
        template.value(jnp.zeros(3))
    with pytest.raises(ValueError, match=message):
        template.f_opt(3)
    with pytest.raises(ValueError, match=message):
        template.x_opt(3)
    # Instance 0 is no COCO instance: the problem a config would run is refused, not the template.
    with pytest.raises(ValueError, match="bbob f7: instance 0 does not exist: COCO instances start at 1"):
        functions.problem("bbob_f7", 3, 0)


# -- the generators ---------------------------------------------------------------------------


def test_legacy_generators_match_cocos_x_opt_everywhere():
    """x_opt, f_opt and the rotation (through f10) for dimensions off the suite's list."""
    for d, instance in ((4, 3), (7, 214648), (44, 60)):
        assert functions.bbob(1, d, instance).f_opt(d) == cocoex.BareProblem("bbob", 1, d, instance).best_value()
        np.testing.assert_array_equal(
            functions.bbob(1, d, instance).x_opt(d)[0], cocoex.BareProblem("bbob", 1, d, instance).best_parameter()
        )
        rotation = bbob_module.coco_rotation(10 + 10000 * instance + 1000000, d)
        np.testing.assert_allclose(rotation @ rotation.T, np.eye(d), atol=1e-13)
        compare_with_coco(10, d, instance, cocoex.BareProblem("bbob", 10, d, instance))


@pytest.mark.slow
@pytest.mark.parametrize("fid", FIDS)
def test_values_equal_cocoex_off_the_suite_dimensions(fid):
    for d in (4, 7, 44):
        for instance in (3, 100, 214648):
            compare_with_coco(fid, d, instance, cocoex.BareProblem("bbob", fid, d, instance))


@pytest.mark.slow
@pytest.mark.parametrize("fid", FIDS)
def test_curvature_and_gradients_in_every_suite_dimension(fid):
    for d in SUITE_DIMS:
        for instance in (1, 91):
            objective = functions.bbob(fid, d, instance)
            assert np.isfinite(objective.curvature(d)) and objective.curvature(d) > 0
            x = np.concatenate([np.random.default_rng(d).uniform(-5.0, 5.0, (256, d)), objective.x_opt(d)])
            for dtype in (jnp.float32, jnp.float64):
                grads = jax.jit(jax.vmap(jax.grad(objective.delta)))(jnp.asarray(x, dtype))
                assert np.all(np.isfinite(np.asarray(grads))), (fid, d, instance, dtype)


def test_rotated_functions_stop_at_cocos_largest_dimension():
    """COCO's rotation generator asserts d * d < 2000: the record refuses d = 45 at config time."""
    assert functions.get("bbob_f15").max_dim == 44 and functions.get("bbob_f1").max_dim is None
    with pytest.raises(ValueError, match="bbob_f15: dimension must be <= 44, got 45"):
        functions.problem("bbob_f15", 45, 1)
    assert functions.problem("bbob_f1", 45, 1).f_opt(45) == functions.bbob(1, 2, 1).f_opt(2)
