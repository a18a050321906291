"""Golden values for the catalogue beyond the first ten functions (functions/classic_nd.py and
functions/classic_2d.py): the rows F1, F3, F4, F5, F6 of ../shared/cases, the minima stated by the
defining papers, an independent mpmath evaluation of every formula as published (not the rearranged
jnp code), float32 against float64 at the box edges, and the lists of global minimisers."""

from __future__ import annotations

from fractions import Fraction

import jax
import jax.numpy as jnp
import mpmath as mp
import numpy as np
import pytest
from scipy.optimize import minimize

import functions
from functions import classic_2d, classic_nd

mp.mp.dps = 40

ND = ["michalewicz", "salomon", "alpine1", "zakharov", "qing", "lunacek", "weierstrass"]
ND += ["schaffer_f7", "katsuura", "happycat", "hgbat"]
TWO_D = ["branin", "eggholder", "holder_table", "drop_wave", "cross_in_tray", "shubert", "bukin_n6"]
TWO_D += ["easom", "goldstein_price", "beale", "schaffer_n2", "schaffer_n4", "ackley_n3"]
NEW = ND + TWO_D


def f64(name, x):
    return float(functions.get(name).value(jnp.asarray(x, dtype=jnp.float64)))


def test_every_new_function_is_registered():
    assert set(NEW) <= set(functions.names())


# -- the formulas as published, in mpmath --------------------------------------------------------


def _mp_michalewicz(x):
    return -mp.fsum(mp.sin(v) * mp.sin(i * v**2 / mp.pi) ** 20 for i, v in enumerate(x, 1))


def _mp_salomon(x):
    r = mp.sqrt(mp.fsum(v**2 for v in x))
    return 1 - mp.cos(2 * mp.pi * r) + r / 10


def _mp_alpine1(x):
    return mp.fsum(abs(v * mp.sin(v) + v / 10) for v in x)


def _mp_zakharov(x):
    a = mp.fsum(i * v / 2 for i, v in enumerate(x, 1))
    return mp.fsum(v**2 for v in x) + a**2 + a**4


def _mp_qing(x):
    return mp.fsum((v**2 - i) ** 2 for i, v in enumerate(x, 1))


def _mp_lunacek(x):
    dim, mu1, depth = len(x), mp.mpf(5) / 2, 1
    s = 1 - 1 / (2 * mp.sqrt(dim + 20) - mp.mpf("8.2"))
    mu2 = -mp.sqrt((mu1**2 - depth) / s)
    near = mp.fsum((v - mu1) ** 2 for v in x)
    far = depth * dim + s * mp.fsum((v - mu2) ** 2 for v in x)
    return min(near, far) + 10 * mp.fsum(1 - mp.cos(2 * mp.pi * (v - mu1)) for v in x)


def _mp_weierstrass(x):
    a, b, ks = mp.mpf(1) / 2, 3, range(21)
    inner = mp.fsum(a**k * mp.cos(2 * mp.pi * b**k * (v + mp.mpf(1) / 2)) for v in x for k in ks)
    return inner - len(x) * mp.fsum(a**k * mp.cos(mp.pi * b**k) for k in ks)


def _mp_schaffer_f7(x):
    s = [mp.sqrt(x[i] ** 2 + x[i + 1] ** 2) for i in range(len(x) - 1)]
    return (mp.fsum(mp.sqrt(v) + mp.sqrt(v) * mp.sin(50 * v ** (mp.mpf(1) / 5)) ** 2 for v in s) / (len(x) - 1)) ** 2


def _mp_katsuura(x):
    dim = len(x)
    product = mp.mpf(1)
    for i, v in enumerate(x, 1):
        terms = mp.fsum(abs(2**j * v - mp.nint(2**j * v)) / 2**j for j in range(1, 33))
        product *= (1 + i * terms) ** (mp.mpf(10) / mp.mpf(dim) ** mp.mpf("1.2"))
    return mp.mpf(10) / dim**2 * product - mp.mpf(10) / dim**2


def _mp_happycat(x):
    dim, square, total = len(x), mp.fsum(v**2 for v in x), mp.fsum(x)
    return abs(square - dim) ** (mp.mpf(1) / 4) + (square / 2 + total) / dim + mp.mpf(1) / 2


def _mp_hgbat(x):
    dim, square, total = len(x), mp.fsum(v**2 for v in x), mp.fsum(x)
    return mp.sqrt(abs(square**2 - total**2)) + (square / 2 + total) / dim + mp.mpf(1) / 2


def _mp_branin(x):
    a, b = x
    return (
        (b - mp.mpf("5.1") / (4 * mp.pi**2) * a**2 + 5 / mp.pi * a - 6) ** 2
        + 10 * (1 - 1 / (8 * mp.pi)) * mp.cos(a)
        + 10
    )


def _mp_eggholder(x):
    a, b = x
    return -(b + 47) * mp.sin(mp.sqrt(abs(a / 2 + b + 47))) - a * mp.sin(mp.sqrt(abs(a - (b + 47))))


def _mp_holder_table(x):
    a, b = x
    return -abs(mp.sin(a) * mp.cos(b) * mp.exp(abs(1 - mp.sqrt(a**2 + b**2) / mp.pi)))


def _mp_drop_wave(x):
    a, b = x
    return -(1 + mp.cos(12 * mp.sqrt(a**2 + b**2))) / ((a**2 + b**2) / 2 + 2)


def _mp_cross_in_tray(x):
    a, b = x
    inner = abs(mp.sin(a) * mp.sin(b) * mp.exp(abs(100 - mp.sqrt(a**2 + b**2) / mp.pi))) + 1
    return -mp.mpf("0.0001") * inner ** (mp.mpf(1) / 10)


def _mp_shubert(x):
    return mp.fprod(mp.fsum(i * mp.cos((i + 1) * v + i) for i in range(1, 6)) for v in x)


def _mp_bukin_n6(x):
    a, b = x
    return 100 * mp.sqrt(abs(b - a**2 / 100)) + abs(a + 10) / 100


def _mp_easom(x):
    a, b = x
    return -mp.cos(a) * mp.cos(b) * mp.exp(-((a - mp.pi) ** 2 + (b - mp.pi) ** 2))


def _mp_goldstein_price(x):
    a, b = x
    first = 1 + (a + b + 1) ** 2 * (19 - 14 * a + 3 * a**2 - 14 * b + 6 * a * b + 3 * b**2)
    second = 30 + (2 * a - 3 * b) ** 2 * (18 - 32 * a + 12 * a**2 + 48 * b - 36 * a * b + 27 * b**2)
    return first * second


def _mp_beale(x):
    a, b = x
    return (
        (mp.mpf("1.5") - a + a * b) ** 2 + (mp.mpf("2.25") - a + a * b**2) ** 2 + (mp.mpf("2.625") - a + a * b**3) ** 2
    )


def _mp_schaffer_n2(x):
    a, b = x
    return mp.mpf(1) / 2 + (mp.sin(a**2 - b**2) ** 2 - mp.mpf(1) / 2) / (1 + (a**2 + b**2) / 1000) ** 2


def _mp_schaffer_n4(x):
    a, b = x
    return mp.mpf(1) / 2 + (mp.cos(mp.sin(abs(a**2 - b**2))) ** 2 - mp.mpf(1) / 2) / (1 + (a**2 + b**2) / 1000) ** 2


def _mp_ackley_n3(x, c="0.02"):
    a, b = x
    return -200 * mp.exp(-mp.mpf(c) * mp.sqrt(a**2 + b**2)) + 5 * mp.exp(mp.cos(3 * a) + mp.sin(3 * b))


MP = {name: globals()[f"_mp_{name}"] for name in NEW}


def mp_value(name, x):
    return MP[name]([mp.mpf(float(v)) for v in x])


def dims(name):
    objective = functions.get(name)
    return list(objective.dims) if objective.dims is not None else [2, 10]


def sample(name, d, n, seed):
    lo, hi = functions.get(name).bounds(d)
    return lo + (hi - lo) * np.random.default_rng(seed).random((n, d))


# -- F1: Michalewicz ---------------------------------------------------------------------------


def test_michalewicz_minima_f1():
    objective = functions.get("michalewicz")
    assert objective.f_opt(2) == pytest.approx(-1.8013034, abs=1e-7)
    assert objective.f_opt(5) == pytest.approx(-4.6876582, abs=1e-7)
    assert objective.f_opt(10) == pytest.approx(-9.6601517, abs=1e-7)
    assert f64("michalewicz", [2.202906, 1.570796]) == pytest.approx(-1.8013034, abs=1e-7)
    np.testing.assert_allclose(objective.x_opt(2), [[2.202906, 1.570796]], atol=5e-7)


def test_michalewicz_refuses_other_dimensions():
    objective = functions.get("michalewicz")
    with pytest.raises(ValueError, match=r"michalewicz: dimension 3 not supported; allowed: \[2, 5, 10\]"):
        objective.f_opt(3)
    with pytest.raises(ValueError, match="dimension 3 not supported"):
        functions.problem("michalewicz", 3)


def test_michalewicz_minimiser_is_the_best_1d_minimum_of_each_coordinate():
    # Separable: x* is made of 1-D global minima. Each coordinate is the best point of a fine grid
    # (float64) and a stationary point in mpmath; f* agrees with mpmath to 1e-15.
    x_opt = classic_nd.MICHALEWICZ_X_OPT
    t = np.linspace(0.0, np.pi, 400001)
    for i, xi in enumerate(x_opt, 1):
        grid = -np.sin(t) * np.sin(i * t**2 / np.pi) ** 20
        assert abs(t[np.argmin(grid)] - xi) < 2e-5
        derivative = mp.diff(lambda v, i=i: -mp.sin(v) * mp.sin(i * v**2 / mp.pi) ** 20, mp.mpf(float(xi)))
        assert abs(derivative) < 1e-12
    for d in (2, 5, 10):
        assert float(mp_value("michalewicz", x_opt[:d])) == pytest.approx(
            functions.get("michalewicz").f_opt(d), abs=1e-15
        )


# -- F3: Branin --------------------------------------------------------------------------------


def test_branin_three_minima_f3():
    objective = functions.get("branin")
    assert objective.f_opt(2) == pytest.approx(5.0 / (4.0 * np.pi), rel=1e-15)
    assert objective.f_opt(2) == pytest.approx(0.3978873577, abs=1e-10)
    for point in ([np.pi, 2.275], [-np.pi, 12.275], [3 * np.pi, 2.475]):
        assert f64("branin", point) == pytest.approx(0.3978873577, abs=1e-10)
    np.testing.assert_allclose(objective.x_opt(2), [[-np.pi, 12.275], [np.pi, 2.275], [3 * np.pi, 2.475]], atol=1e-12)
    assert f64("branin", [3.14, 12.275]) == pytest.approx(100.37, abs=0.01)  # the mistyped minimiser


# -- F4: Shubert -------------------------------------------------------------------------------


def test_shubert_value_f4():
    assert f64("shubert", [-1.4251284, -0.8003211]) == pytest.approx(-186.7309088, abs=1e-6)
    assert functions.get("shubert").f_opt(2) == pytest.approx(-186.7309088310239, abs=1e-10)


def test_shubert_lists_all_18_global_minima():
    objective = functions.get("shubert")
    x_opt = objective.x_opt(2)
    assert len(np.unique(np.round(x_opt, 6), axis=0)) == 18
    # The 1-D factor reaches its maximum (and its minimum) at exactly three points of [-10, 10].
    t = np.linspace(-10.0, 10.0, 2000001)
    factor = np.asarray(classic_2d._shubert_factor(jnp.asarray(t)))
    for extreme, listed in ((factor.max(), classic_2d.SHUBERT_ARGMAX), (factor.min(), classic_2d.SHUBERT_ARGMIN)):
        near = t[np.abs(factor - extreme) < 1e-6]
        assert np.all(np.min(np.abs(near[:, None] - listed[None]), axis=1) < 1e-3)
        assert all(np.any(np.abs(near - v) < 1e-3) for v in listed)
    assert classic_2d.SHUBERT_ARGMAX.max() <= 10 and classic_2d.SHUBERT_ARGMIN.min() >= -10


# -- F5: Schaffer N.4 --------------------------------------------------------------------------


def test_schaffer_n4_sign_inside_the_abs_f5():
    assert f64("schaffer_n4", [0.0, 1.2531318]) == pytest.approx(0.2925786, abs=1e-7)
    assert f64("schaffer_n4", [0.886227, 0.886227]) == pytest.approx(0.998433, abs=1e-6)
    assert functions.get("schaffer_n4").f_opt(2) == pytest.approx(0.29257863, abs=1e-8)
    # With |x^2 + y^2| (the slip) the diagonal point would be a minimum instead:
    slipped = (
        mp.mpf(1) / 2
        + (mp.cos(mp.sin(2 * mp.mpf("0.886227") ** 2)) ** 2 - mp.mpf(1) / 2)
        / (1 + 2 * mp.mpf("0.886227") ** 2 / 1000) ** 2
    )
    assert float(slipped) == pytest.approx(0.2925786, abs=1e-5)


def test_schaffer_n4_lists_its_four_symmetric_minima():
    x_opt = functions.get("schaffer_n4").x_opt(2)
    root = classic_2d.SCHAFFER_N4_ROOT
    assert sorted(map(tuple, x_opt)) == sorted([(0.0, root), (0.0, -root), (root, 0.0), (-root, 0.0)])
    assert root == pytest.approx(1.2531318, abs=1e-7)


# -- F6: Ackley N.3 ----------------------------------------------------------------------------


def test_ackley_n3_form_and_minima_f6():
    objective = functions.get("ackley_n3")
    assert classic_2d.ACKLEY_N3_C == 0.02 and "c = 0.02" in objective.reference
    assert objective.f_opt(2) == pytest.approx(-195.6290282, abs=1e-7)
    for sign in (1.0, -1.0):
        assert f64("ackley_n3", [sign * 0.682585, -0.360753]) == pytest.approx(-195.6290282, abs=1e-7)
    np.testing.assert_allclose(objective.x_opt(2), [[0.682577, -0.360702], [-0.682577, -0.360702]], atol=1e-6)
    # The other published form (c = 0.2) has a different and single minimum; mixing them is the bug.
    other = _mp_ackley_n3([mp.mpf(0), mp.mpf("-0.0067735")], c="0.2")
    assert float(other) == pytest.approx(-186.4112127, abs=1e-7)
    assert f64("ackley_n3", [0.0, -0.0067735]) > objective.f_opt(2) + 8.0


def test_ackley_n3_true_minimum_lies_below_the_rounded_published_one():
    # The rounded (+-0.682585, -0.360753) gives -195.629028238; the polished x* is 2.4e-8 lower.
    published = float(_mp_ackley_n3([mp.mpf("0.682585"), mp.mpf("-0.360753")]))
    assert functions.get("ackley_n3").f_opt(2) < published - 2e-8


# -- values stated by the defining papers ------------------------------------------------------

STATED = [  # (name, d, f*, a stated minimiser, digits the source gives)
    ("salomon", 2, 0.0, [0.0, 0.0], 1e-12),
    ("alpine1", 5, 0.0, [0.0] * 5, 1e-12),
    ("zakharov", 10, 0.0, [0.0] * 10, 1e-12),
    ("qing", 3, 0.0, [1.0, 2**0.5, 3**0.5], 1e-12),
    ("lunacek", 10, 0.0, [2.5] * 10, 1e-12),
    ("weierstrass", 10, 0.0, [0.0] * 10, 1e-12),
    ("schaffer_f7", 10, 0.0, [0.0] * 10, 1e-12),
    ("katsuura", 3, 0.0, [0.0] * 3, 1e-12),
    ("happycat", 10, 0.0, [-1.0] * 10, 1e-12),
    ("hgbat", 10, 0.0, [-1.0] * 10, 1e-12),
    ("eggholder", 2, -959.6407, [512.0, 404.2319], 1e-4),
    ("holder_table", 2, -19.2085, [8.05502, 9.66459], 1e-4),
    ("drop_wave", 2, -1.0, [0.0, 0.0], 1e-12),
    ("cross_in_tray", 2, -2.06261, [1.34941, -1.34941], 1e-5),
    ("bukin_n6", 2, 0.0, [-10.0, 1.0], 1e-12),
    ("easom", 2, -1.0, [np.pi, np.pi], 1e-12),
    ("goldstein_price", 2, 3.0, [0.0, -1.0], 1e-12),
    ("beale", 2, 0.0, [3.0, 0.5], 1e-12),
    ("schaffer_n2", 2, 0.0, [0.0, 0.0], 1e-12),
]


@pytest.mark.parametrize("name,d,f_opt,point,tol", STATED)
def test_stated_minimum(name, d, f_opt, point, tol):
    objective = functions.get(name)
    assert objective.f_opt(d) == pytest.approx(f_opt, abs=tol)
    assert f64(name, point) == pytest.approx(f_opt, abs=tol)


def test_goldstein_price_local_minima_of_the_paper():
    # Goldstein & Price (1971): f = 30, 84, 840 at (-0.6, -0.4), (1.8, 0.2), (1.2, 0.8).
    for point, value in (([-0.6, -0.4], 30.0), ([1.8, 0.2], 84.0), ([1.2, 0.8], 840.0)):
        assert f64("goldstein_price", point) == pytest.approx(value, rel=1e-12)
        grad = jax.grad(functions.get("goldstein_price").value)(jnp.asarray(point))
        np.testing.assert_allclose(np.asarray(grad), 0.0, atol=1e-9)


def test_lunacek_parameters():
    s, mu2 = classic_nd._lunacek_parameters(10)
    assert s == pytest.approx(1 - 1 / (2 * np.sqrt(30) - 8.2))
    assert mu2 == pytest.approx(-np.sqrt((2.5**2 - 1) / s))
    for d in (2, 10):  # the far funnel never reaches f*: its floor is d
        far = np.full(d, classic_nd._lunacek_parameters(d)[1])
        assert float(mp_value("lunacek", far)) >= d


# -- every formula against mpmath --------------------------------------------------------------


@pytest.mark.parametrize("name", NEW)
def test_matches_the_published_formula_in_mpmath(name):
    objective = functions.get(name)
    d = dims(name)[-1] if name not in ("alpine1", "katsuura") else 3
    points = np.concatenate([objective.x_opt(d)[:2], sample(name, d, 3, seed=7)])
    got = np.asarray(objective.value(jnp.asarray(points, jnp.float64)))
    scale = objective.value_scale_fn(d)
    for point, value in zip(points, got):
        exact = float(mp_value(name, point))
        assert value == pytest.approx(exact, rel=1e-11, abs=1e-12 * scale), (name, point)
    if objective.delta_fn is not None:  # f - f* without cancellation, against mpmath too
        deltas = np.asarray(objective.delta(jnp.asarray(points, jnp.float64)))
        for point, delta in zip(points, deltas):
            exact = float(mp_value(name, point) - mp.mpf(objective.f_opt(d)))
            assert delta == pytest.approx(exact, rel=1e-10, abs=1e-14 * scale), (name, point)


@pytest.mark.parametrize("name", NEW)
def test_f_opt_in_mpmath_at_every_listed_minimiser(name):
    objective = functions.get(name)
    for d in dims(name):
        x_opt = objective.x_opt(d)
        rows = x_opt if len(x_opt) <= 32 else x_opt[np.random.default_rng(0).choice(len(x_opt), 32, replace=False)]
        scale = max(1.0, abs(objective.f_opt(d)))
        for row in rows:
            # float64 resolution: Alpine 1's listed roots of sin x = -0.1 are 5e-16 off the true ones
            assert abs(float(mp_value(name, row)) - objective.f_opt(d)) <= 1e-14 * scale * d, (name, d, row)


# -- the listed minimisers are all of them, and each is a minimiser ----------------------------

COUNTS = {"branin": 3, "holder_table": 4, "cross_in_tray": 4, "shubert": 18, "schaffer_n4": 4, "ackley_n3": 2}
COUNTS |= {"eggholder": 1, "drop_wave": 1, "bukin_n6": 1, "easom": 1, "goldstein_price": 1, "beale": 1}
COUNTS |= {"schaffer_n2": 1}


def test_number_of_global_minimisers():
    for name, count in COUNTS.items():
        assert len(functions.get(name).x_opt(2)) == count, name
    assert len(functions.get("alpine1").x_opt(3)) == 8**3
    assert len(functions.get("qing").x_opt(10)) == 2**10
    assert len(functions.get("katsuura").x_opt(3)) == 21**3
    for name in ("michalewicz", "salomon", "zakharov", "lunacek", "weierstrass", "schaffer_f7", "happycat", "hgbat"):
        assert len(functions.get(name).x_opt(dims(name)[0])) == 1, name


def polisher(objective, d):
    lo, hi = objective.bounds(d)
    value_and_grad = jax.jit(jax.value_and_grad(objective.value))

    def fun(z):
        value, grad = value_and_grad(jnp.asarray(z))
        return float(value), np.asarray(grad, dtype=np.float64)

    def polish(x):
        return minimize(fun, x, jac=True, method="L-BFGS-B", bounds=list(zip(lo, hi)), options={"gtol": 1e-12})

    return fun, polish


@pytest.mark.parametrize("name", TWO_D)
def test_no_unlisted_global_minimum_on_a_dense_grid(name):
    """The best points of a dense grid of the box polish to listed minimisers (or stay clearly
    above f*): no global minimum is missing from the list."""
    objective = functions.get(name)
    lo, hi = objective.bounds(2)
    t = [np.linspace(lo[i], hi[i], 1001) for i in range(2)]
    grid = np.stack(np.meshgrid(*t, indexing="ij"), -1).reshape(-1, 2)
    delta = np.asarray(jax.jit(objective.delta)(jnp.asarray(grid)))
    starts = []
    for i in np.argsort(delta)[:2000]:  # the best point of each neighbourhood, up to 24 of them
        if all(np.max(np.abs(grid[i] - s)) > 0.5 * objective.basin_scale for s in starts):
            starts.append(grid[i])
        if len(starts) == 24:
            break
    margin = 0.3 * objective.basin_target(2) if objective.basin_target(2) is not None else 1e-3
    _, polish = polisher(objective, 2)
    hits = 0
    for start in starts:
        result = polish(start)
        if result.fun - objective.f_opt(2) < margin:
            nearest = np.min(np.linalg.norm(objective.x_opt(2) - result.x, axis=1))
            assert nearest < 1e-4 * max(1.0, objective.basin_scale), (name, start, result.x, result.fun)
            hits += 1
    assert hits >= 1 or name == "bukin_n6"  # L-BFGS-B stalls in Bukin's cusp valley


SMOOTH_MINIMA = ["michalewicz", "zakharov", "qing", "lunacek", "branin", "holder_table", "drop_wave"]
SMOOTH_MINIMA += ["cross_in_tray", "shubert", "easom", "goldstein_price", "beale", "schaffer_n2", "schaffer_n4"]
SMOOTH_MINIMA += ["ackley_n3"]


@pytest.mark.parametrize("name", SMOOTH_MINIMA)
def test_smooth_minimisers_do_not_move_under_a_polish(name):
    objective = functions.get(name)
    d = dims(name)[-1]
    fun, polish = polisher(objective, d)
    for x in objective.x_opt(d)[:18]:
        grad = fun(x)[1]
        assert np.linalg.norm(grad) < 1e-7 * max(1.0, objective.curvature(d)), (name, x, grad)
        result = polish(x)
        assert np.max(np.abs(result.x - x)) < 1e-6 and result.fun >= objective.f_opt(d) - 1e-12 * max(
            1, abs(result.fun)
        )


def test_eggholder_minimum_is_on_the_edge():
    # The gradient at x* is the KKT multiplier of the active bound x <= 512, not 0.
    objective = functions.get("eggholder")
    x_opt = objective.x_opt(2)[0]
    grad = np.asarray(jax.grad(objective.value)(jnp.asarray(x_opt)))
    assert x_opt[0] == 512.0 and grad[0] < -3.0 and abs(grad[1]) < 1e-9
    ys = np.linspace(380.0, 430.0, 50001)
    edge = np.asarray(objective.value(jnp.asarray(np.stack([np.full_like(ys, 512.0), ys], -1))))
    assert abs(ys[np.argmin(edge)] - x_opt[1]) < 2e-3 and edge.min() >= objective.f_opt(2) - 1e-9


# -- kinks: a stated subgradient, and the double where ----------------------------------------

KINKED = {  # name: the dimensions where a kink sits at every listed minimiser
    "salomon": (2, 10),
    "alpine1": (2, 3),
    "schaffer_f7": (2, 10),
    "katsuura": (2,),
    "happycat": (2, 10),
    "hgbat": (2, 10),
    "bukin_n6": (2,),
}


@pytest.mark.parametrize("name", KINKED)
def test_subgradient_at_kinked_minimisers_is_zero(name):
    objective = functions.get(name)
    for d in KINKED[name]:
        # float64: every listed minimiser; float32: the textbook one (the other Alpine 1 zeros, roots
        # of sin x = -0.1, are no float32 numbers, so their float32 neighbours are off the kink).
        for dtype, rows in ((jnp.float64, objective.x_opt(d)), (jnp.float32, objective.x_opt(d)[:1])):
            grads = np.asarray(jax.jit(jax.vmap(jax.grad(objective.value)))(jnp.asarray(rows, dtype)))
            np.testing.assert_array_equal(grads, 0.0)
        # and it is a minimum: f rises along every axis on both sides
        x0 = objective.x_opt(d)[0]
        for step in (1e-3, -1e-3):
            moved = x0 + step * np.eye(d)
            assert np.all(np.asarray(objective.value(jnp.asarray(moved))) > objective.f_opt(d)), (name, d, step)


def test_double_where_is_needed_and_works():
    # A plain where still differentiates s ** 0.25 at s = 0: 0 * inf = nan. jnp.abs has slope 1 at 0.
    plain = jax.grad(lambda s: jnp.where(s > 0, s**0.25, 0.0))(0.0)
    assert np.isnan(plain)
    assert float(jax.grad(lambda s: classic_nd.safe_pow(s, 0.25))(0.0)) == 0.0
    assert float(jax.grad(jnp.abs)(0.0)) == 1.0 and float(jax.grad(classic_nd.abs0)(0.0)) == 0.0
    assert float(jax.grad(classic_nd.abs0)(-2.0)) == -1.0 and float(classic_nd.abs0(-2.0)) == 2.0


def test_gradients_finite_on_kink_lines():
    # Points exactly on the kinks that random points never hit.
    cases = {
        "eggholder": [[0.0, -47.0], [100.0, 53.0], [-94.0, 0.0]],  # x/2 + y + 47 = 0, x - y - 47 = 0
        "bukin_n6": [[-10.0, 1.0], [-12.0, 1.44], [-5.0, 0.25]],
        "holder_table": [[0.0, 0.0], [np.pi, 0.0], [0.0, np.pi / 2]],
        "cross_in_tray": [[0.0, 0.0], [0.0, 3.0], [np.pi, 1.0]],
        "hgbat": [[0.0, 0.0], [-1.0, 0.0], [1.0, 0.0]],
        "happycat": [[2**0.5, 0.0], [1.0, -1.0], [0.0, 0.0]],
        "alpine1": [[0.0, -0.1001674211615598], [9.524945381930939, 1.0], [0.0, 0.0]],
        "schaffer_f7": [[0.0, 0.0], [0.0, 1e-30], [3.0, 0.0]],
    }
    for name, points in cases.items():
        for dtype in (jnp.float32, jnp.float64):
            grads = np.asarray(jax.jit(jax.vmap(jax.grad(functions.get(name).value)))(jnp.asarray(points, dtype)))
            assert np.all(np.isfinite(grads)), (name, dtype)


# -- float32 keeps the phase across the box ----------------------------------------------------

# |f32 - f64| <= TOL * eps32 * (value_scale + |f|), at points within 1% of the box edges (and at
# the corners), f64 evaluated at the same (float32) points. The tolerance covers the rounding of
# the inputs' own arithmetic; a lost phase (3^20 x, x^2 - y^2 ~ 1e4, 6 x) would exceed it.
PERIODIC = {
    "weierstrass": 16,
    "katsuura": 16,
    "schaffer_n2": 8,
    "schaffer_n4": 8,
    "shubert": 16,
    "drop_wave": 16,
    "salomon": 64,
    "michalewicz": 64,
    "lunacek": 16,
    "schaffer_f7": 64,
    "alpine1": 16,
    "holder_table": 16,
    "cross_in_tray": 16,
    "ackley_n3": 16,
    "eggholder": 64,
    "easom": 16,
    "branin": 16,
}


def edge_points(name, d, n=2048, seed=0):
    lo, hi = functions.get(name).bounds(d)
    rng = np.random.default_rng(seed)
    u = 0.01 * (hi - lo) * rng.random((n, d))
    points = np.where(rng.random((n, d)) < 0.5, lo + u, hi - u)
    corners = np.array(np.meshgrid(*[[a, b] for a, b in zip(lo, hi)], indexing="ij")).reshape(d, -1).T
    return np.concatenate([points, corners]).astype(np.float32)


@pytest.mark.parametrize("name", PERIODIC)
def test_float32_matches_float64_at_the_box_edges(name):
    objective = functions.get(name)
    d = dims(name)[-1] if name not in ("alpine1", "katsuura") else 3
    points = edge_points(name, d)
    single = np.asarray(objective.value(jnp.asarray(points, jnp.float32)), np.float64)
    double = np.asarray(objective.value(jnp.asarray(points.astype(np.float64))))
    bound = PERIODIC[name] * np.finfo(np.float32).eps * (objective.value_scale_fn(d) + np.abs(double))
    assert np.all(np.abs(single - double) <= bound), (name, np.max(np.abs(single - double) / bound))


def test_a_naive_float32_phase_would_fail_the_edge_test():
    # Weierstrass written as published loses the phase of 3^k x in float32; Schaffer N.2 that of
    # x^2 - y^2: the suite's forms stay within the bound above, these do not.
    x = edge_points("weierstrass", 10)

    def naive_weierstrass(v):
        k = jnp.arange(21, dtype=v.dtype)
        inner = jnp.sum(0.5**k * jnp.cos(2 * jnp.pi * 3.0**k * (v[..., None] + 0.5)), axis=(-1, -2))
        return inner - v.shape[-1] * jnp.sum(0.5**k * jnp.cos(jnp.pi * 3.0**k))

    double = np.asarray(functions.get("weierstrass").value(jnp.asarray(x.astype(np.float64))))
    naive = np.asarray(naive_weierstrass(jnp.asarray(x, jnp.float32)), np.float64)
    ours = np.asarray(functions.get("weierstrass").value(jnp.asarray(x, jnp.float32)), np.float64)
    assert np.max(np.abs(naive - double)) > 100 * np.max(np.abs(ours - double))

    y = edge_points("schaffer_n2", 2)
    a, b = jnp.asarray(y[:, 0]), jnp.asarray(y[:, 1])
    naive_n2 = 0.5 + (jnp.sin(a**2 - b**2) ** 2 - 0.5) / (1 + 0.001 * (a**2 + b**2)) ** 2
    double = np.asarray(functions.get("schaffer_n2").value(jnp.asarray(y.astype(np.float64))))
    ours = np.asarray(functions.get("schaffer_n2").value(jnp.asarray(y)), np.float64)
    assert np.max(np.abs(np.asarray(naive_n2, np.float64) - double)) > 10 * np.max(np.abs(ours - double))


def test_weierstrass_phases_are_exact_in_float32():
    x = np.random.default_rng(3).uniform(-0.5, 0.5, 64).astype(np.float32)
    phases = np.asarray(classic_nd._triadic_phases(jnp.asarray(x)), np.float64)
    for value, row in zip(x, phases):
        exact = Fraction(float(value))
        for k, phase in enumerate(row):
            y = exact * 3**k
            y -= round(y)
            assert abs(phase - float(y)) < 1e-6, (value, k)


def test_schaffer_phase_is_exact_in_float32():
    pi = classic_2d._PI
    points = edge_points("schaffer_n2", 2, n=256).astype(np.float32)
    got = np.asarray(classic_2d._difference_of_squares_mod_pi(jnp.asarray(points[:, 0]), jnp.asarray(points[:, 1])))
    for (a, b), r in zip(points, got):
        t = Fraction(float(a)) ** 2 - Fraction(float(b)) ** 2
        reduced = t - round(t / pi) * pi
        assert abs(float(r) - float(reduced)) < 4e-7 or abs(abs(float(r) - float(reduced)) - float(pi)) < 4e-7


# -- record flags ------------------------------------------------------------------------------

LOWER_OUTSIDE = {  # a point outside the box where f < f* (why iterates are projected)
    "michalewicz": (2, [8.0092234, 1.5707963]),  # sin x_1 > 0 again beyond 2 pi: a peak at 8.009
    "eggholder": (2, [520.0, 410.0]),
    "holder_table": (2, [8.05502 + 2 * np.pi, 9.66459 + 2 * np.pi]),
    "cross_in_tray": (2, [500.0 + 0.6, 500.0 - 0.3]),  # r > 200 pi: |100 - r / pi| > 100 again
}


def test_enforce_box_exactly_where_the_function_is_lower_outside():
    for name, (d, point) in LOWER_OUTSIDE.items():
        objective = functions.get(name)
        assert objective.enforce_box and not objective.rotatable
        assert f64(name, point) < objective.f_opt(d), name
    for name in set(NEW) - set(LOWER_OUTSIDE):
        objective = functions.get(name)
        assert not objective.enforce_box, name
        for d in dims(name)[:1] + dims(name)[-1:]:
            lo, hi = objective.bounds(d)
            wide = np.random.default_rng(1).uniform(lo - 2 * (hi - lo), hi + 2 * (hi - lo), (4096, d))
            values = np.asarray(objective.value(jnp.asarray(wide)))
            assert values.min() >= objective.f_opt(d) - 1e-9 * max(1.0, abs(objective.f_opt(d))), (name, d)


def test_rotatable_only_where_allowed():
    for name in NEW:
        objective = functions.get(name)
        if objective.rotatable:
            assert "non-separable" in objective.tags and not objective.enforce_box, name
    for name in ("branin", "shubert", "katsuura", "alpine1", "qing", "weierstrass", "michalewicz"):
        assert not functions.get(name).rotatable, name


def test_flat_or_fractal_landscapes_have_no_basins():
    for name in ("weierstrass", "katsuura", "schaffer_f7"):
        objective = functions.get(name)
        assert not objective.has_basins and objective.basin_target(dims(name)[0]) is None
    for name in set(NEW) - {"weierstrass", "katsuura", "schaffer_f7"}:
        assert functions.get(name).has_basins, name


def test_curvature_is_finite_and_positive_where_the_hessian_is_not():
    for name in ("salomon", "alpine1", "weierstrass", "schaffer_f7", "katsuura", "happycat", "hgbat"):
        objective = functions.get(name)
        for d in dims(name):
            assert objective.curvature_fn is not None and 0 < objective.curvature(d) < 1e4, (name, d)
    for name in ("drop_wave", "bukin_n6", "schaffer_n2"):
        assert 0 < functions.get(name).curvature(2) < 1e4, name
    # drop-wave: f + 1 ~ 36.25 r^2 (closed form), checked by a central difference of delta
    h = 1e-4
    delta = functions.get("drop_wave").delta
    second = float(delta(jnp.asarray([h, 0.0])) + delta(jnp.asarray([-h, 0.0]))) / h**2
    assert second == pytest.approx(72.5, rel=1e-4)


def test_basin_targets_from_closed_forms():
    # Salomon: the first ring r = 1 - delta; Michalewicz: one coordinate to its second-best minimum.
    assert classic_nd._salomon_ring() == pytest.approx(0.0998733, abs=1e-7)
    assert functions.get("salomon").basin_target(10) < classic_nd._salomon_ring()
    objective = functions.get("michalewicz")
    for d, (i, second) in {2: (2, 2.7115714838430143), 5: (4, 1.113781348649529), 10: (8, 1.3605717365168617)}.items():
        moved = objective.x_opt(d)[0].copy()
        moved[i - 1] = second
        gap = float(mp_value("michalewicz", moved)) - objective.f_opt(d)
        assert gap == pytest.approx(classic_nd.MICHALEWICZ_GAP[d], rel=1e-10)
        assert objective.basin_target(d) < gap


def test_katsuura_zero_on_the_half_integer_lattice_only():
    objective = functions.get("katsuura")
    assert f64("katsuura", [2.5, -4.0, 0.5]) == 0.0
    assert f64("katsuura", [0.25, 0.0, 0.0]) > 0.0 and f64("katsuura", [1e-3, 0.0, 0.0]) > 0.0
    x_opt = objective.x_opt(2)
    assert np.all(2 * x_opt == np.round(2 * x_opt)) and np.all(x_opt[0] == 0.0)


def test_alpine1_zeros_are_the_roots_of_sin_x_plus_one_tenth():
    zeros = classic_nd.ALPINE_ZEROS
    assert len(zeros) == 8 and zeros[0] == 0.0
    for r in zeros[1:]:
        assert abs(float(mp.sin(mp.mpf(float(r))) + mp.mpf(1) / 10)) < 5e-16
    t = np.linspace(-10.0, 10.0, 200001)
    g = np.abs(t * np.sin(t) + 0.1 * t)
    local = t[1:-1][(g[1:-1] <= g[:-2]) & (g[1:-1] <= g[2:])]
    assert np.all(np.min(np.abs(local[:, None] - zeros[None]), axis=1) < 1e-4) and len(local) == 8
