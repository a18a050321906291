"""The d-dimensional classic functions beyond the first set (textbook instance, instance 0).

Conventions as in ``classic.py``: every formula is written for ``x[..., d]`` and reduces over the
last axis only; forms are rearranged (never changed) to be accurate near the optimum and to keep
the phase of periodic terms in float32 across the box. Kinks get a stated subgradient (0 at a
minimum): ``abs0`` and ``safe_pow`` below are the double-where versions of ``|x|`` and ``s^p``
(``jax.grad(jnp.abs)(0.0)`` is 1, and a plain ``where`` around ``s ** 0.25`` still gives nan).
Each record's ``fn`` is ``jax.jit``-ed: an eager call compiles once per shape instead of dispatching
op by op (and under an outer jit, vmap or grad it is simply inlined).

Several functions have more global minimisers than their textbook statement says (Alpine 1: every
root of ``sin x = -0.1``; Katsuura: every half-integer point; Qing: every sign pattern). Each record
lists all of them, so it supports only the COCO dimensions (2, 3, 5, 10) whose complete list stays
under a million rows.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from ._math import frac_to_nearest, safe_sqrt, sin2_pi, sin_pi_reduced
from ._objective import Objective, _constant
from ._registry import get, register

# -- shared helpers (also used by classic_2d) --------------------------------------------------


def abs0(x):
    """|x| whose derivative at 0 is the subgradient 0 (``jnp.abs`` gives 1 there)."""
    return x * jnp.sign(x)


def safe_pow(s, p: float):
    """s^p for s >= 0 and 0 < p < 1: 0 at s = 0 with gradient 0 instead of inf or nan."""
    positive = s > 0
    return jnp.where(positive, jnp.where(positive, s, 1.0) ** p, 0.0)


def two_sum(a, b):
    """(s, e) with s = fl(a + b) and s + e = a + b exactly (Knuth; no FMA needed)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def secant_curvature(name: str, h: float) -> Callable[[int], float]:
    """``d -> max_u 2 (f(x* + h u) - f*) / h^2`` for the registered ``name``, at its first
    minimiser, in float64; u runs over +-e_i and +-(1, ..., 1) / sqrt(d).

    The curvature seen by a step of length h, for minima where the Hessian is undefined or
    unbounded (cusps, cones, fractal sums); a smooth quadratic gives its Hessian's largest
    eigenvalue along those directions."""
    return functools.partial(_secant_curvature, name, h)


@functools.cache
def _secant_curvature(name: str, h: float, d: int) -> float:
    objective = get(name)
    x_opt = objective.x_opt(d)[:1]
    directions = np.concatenate([np.eye(d), np.ones((1, d)) / np.sqrt(d)])
    steps = np.concatenate([directions, -directions]) * h
    points = (x_opt[:, None, :] + steps[None]).reshape(-1, d)
    values = np.asarray(objective.value(jnp.asarray(points, dtype=jnp.float64)))
    return float(np.max(2.0 * (values - objective.f_opt(d)) / h**2))


def product_minimisers(values, d: int) -> np.ndarray:
    """Every point whose coordinates all lie in ``values`` (a product set), [len^d, d].

    The first row repeats ``values[0]`` (the textbook minimiser: instances are anchored on it)."""
    return np.array(list(itertools.product(values, repeat=d)), dtype=np.float64).reshape(-1, d)


def _index(x):
    return jnp.arange(1, x.shape[-1] + 1, dtype=x.dtype)


# -- michalewicz -------------------------------------------------------------------------------

MICHALEWICZ_M = 10
# Per coordinate i the minimiser of -sin(x) sin(i x^2 / pi)^20 on [0, pi] (mpmath, 50 digits; the
# function is separable, so x* is the list of the 1-D minimisers). i = 2, 6, 10 give exactly pi/2.
MICHALEWICZ_X_OPT = np.array(
    [
        2.2029055201726093,
        1.5707963267948966,
        1.2849915705529245,
        1.9230584698663629,
        1.7204697725658413,
        1.5707963267948966,
        1.4544139713623790,
        1.7560865209450263,
        1.6557174168210291,
        1.5707963267948966,
    ]
)
MICHALEWICZ_F_OPT = {2: -1.8013034100985525, 5: -4.6876581790881463, 10: -9.6601517156413414}
# Smallest rise from f* when one coordinate moves to its second-best 1-D minimum (mpmath).
MICHALEWICZ_GAP = {2: 0.58724389447773, 5: 0.04176281134093, 10: 0.00491114779364}


def _michalewicz(x):
    # sin(i x^2 / pi)^(2m) = sin2_pi(i x^2 / pi^2)^m: the period is reduced exactly.
    i = _index(x)
    return -jnp.sum(jnp.sin(x) * sin2_pi(i * x**2 / np.pi**2) ** MICHALEWICZ_M, axis=-1)


register(
    Objective(
        name="michalewicz",
        fn=jax.jit(_michalewicz),
        lower=_constant(0.0),
        upper=_constant(float(np.pi)),
        f_opt_fn=lambda d: MICHALEWICZ_F_OPT[d],
        x_opt_fn=lambda d: MICHALEWICZ_X_OPT[None, :d],
        basin_target_fn=lambda d: 0.5 * MICHALEWICZ_GAP[d],
        basin_source=(
            "separable: the best non-global local minimum moves one coordinate to its second-best "
            "1-D minimum (mpmath root of the derivative): gap 0.587 (d = 2, coordinate 2), 0.0418 "
            "(d = 5, coordinate 4), 0.00491 (d = 10, coordinate 8); target half the gap"
        ),
        basin_scale=0.3,
        reference=(
            "Michalewicz (1992), m = 10: -sum sin(x_i) sin(i x_i^2 / pi)^20 on [0, pi]^d; f* known "
            "only for d = 2, 5, 10 (-1.8013034, -4.6876582, -9.6601517; recomputed with mpmath). "
            "Lower outside the box (sin x_i > 0 again beyond 2 pi), so iterates are projected"
        ),
        group="separable multimodal",
        tags=("multimodal", "separable"),
        dims=(2, 5, 10),
        enforce_box=True,
        value_scale_fn=lambda d: float(d),
    )
)

# -- salomon -----------------------------------------------------------------------------------


def _salomon(x):
    # 1 - cos(2 pi r) + 0.1 r = 2 sin^2(pi r) + 0.1 r: exact near r = 0, phase reduced exactly;
    # safe_sqrt gives the cone's subgradient 0 at the origin.
    r = safe_sqrt(jnp.sum(x**2, axis=-1))
    return 2.0 * sin2_pi(r) + 0.1 * r


def _salomon_ring() -> float:
    """f on the first ring r = 1 - delta, 2 pi sin(2 pi delta) = 0.1 (closed form)."""
    delta = np.arcsin(0.1 / (2.0 * np.pi)) / (2.0 * np.pi)
    return float(1.0 - np.cos(2.0 * np.pi * delta) + 0.1 * (1.0 - delta))


register(
    Objective(
        name="salomon",
        fn=jax.jit(_salomon),
        lower=_constant(-100.0),
        upper=_constant(100.0),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.zeros((1, d)),
        basin_target_fn=_constant(0.05),
        basin_source=(
            "closed form: the local minima are the rings r = k - delta, 2 pi sin(2 pi delta) = 0.1; "
            "the first (r = 0.99747) lies 0.09987 above f*, in every d; target 0.05"
        ),
        basin_scale=1.0,
        curvature_fn=_constant(4.0 * np.pi**2),
        reference=(
            "Salomon (1996): 1 - cos(2 pi ||x||) + 0.1 ||x|| on [-100, 100]^d. A cone at 0 (not "
            "differentiable there); curvature is that of the cosine term, 4 pi^2"
        ),
        group="non-separable multimodal",
        tags=("multimodal", "non-separable", "non-differentiable"),
        rotatable=True,
    )
)

# -- alpine 1 ----------------------------------------------------------------------------------

# The roots of sin x = -0.1 in [-20, 20] (mpmath, rounded to float64). With the factor x they make
# 8 zeros of x sin x + 0.1 x per coordinate in [-10, 10]: 8^d global minimisers, not just 0.
ALPINE_ROOTS = np.array(
    [
        -18.94972334270032,
        -15.607795846787406,
        -12.666538035520732,
        -9.32461053960782,
        -6.383352728341146,
        -3.0414252324282334,
        -0.1001674211615598,
        3.241760074751353,
        6.1830178860180265,
        9.524945381930939,
        12.466203193197613,
        15.808130689110525,
        18.7493885003772,
    ]
)
ALPINE_ZEROS = np.append(0.0, ALPINE_ROOTS[np.abs(ALPINE_ROOTS) <= 10.0])  # 0 first: the textbook x*
# |d^2/dx^2 (x sin x + 0.1 x)| = |2 cos r + 0.1 r| at the zeros r (sin r = -0.1); largest at -9.3246.
ALPINE_CURVATURE = 2.9224359281740218


def _alpine1(x):
    # |x sin x + 0.1 x| = |x| |sin x - sin r| about the nearest root r of sin r = -0.1, written as
    # |x| |2 sin((x - r) / 2) cos((x + r) / 2)|. Identical up to |sin r + 0.1| < 5e-16 (r is a
    # float64 number); it is exact near every zero, and at every listed minimiser f = 0 exactly
    # with the subgradient 0 (abs0). In float32, r = hi + lo (two float32s), so x - r keeps the
    # digits of the float64 root.
    roots = ALPINE_ROOTS
    hi = roots.astype(x.dtype)
    lo = (roots - hi.astype(np.float64)).astype(x.dtype)
    k = jnp.sum(x[..., None] > jnp.asarray((roots[1:] + roots[:-1]) / 2.0, dtype=x.dtype), axis=-1)
    r_hi, r_lo = jnp.asarray(hi)[k], jnp.asarray(lo)[k]
    factor = 2.0 * jnp.sin(((x - r_hi) - r_lo) / 2.0) * jnp.cos(((x + r_hi) + r_lo) / 2.0)
    return jnp.sum(abs0(x) * abs0(factor), axis=-1)


register(
    Objective(
        name="alpine1",
        fn=jax.jit(_alpine1),
        lower=_constant(-10.0),
        upper=_constant(10.0),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: product_minimisers(ALPINE_ZEROS, d),
        basin_target_fn=_constant(None),
        basin_source=(
            "every local minimum in the box is global: each coordinate's |x (sin x + 0.1)| has its "
            "local minima exactly at its 8 zeros in [-10, 10] (checked on a 1-D grid of 2e6 points; "
            "the box edges are maxima), so the d-D local minima are the 8^d zeros"
        ),
        basin_scale=3.0,
        curvature_fn=_constant(ALPINE_CURVATURE),
        reference=(
            "Rahnamayan et al. (2007) / Jamil & Yang (2013) no. 6: sum |x_i sin x_i + 0.1 x_i| on "
            "[-10, 10]^d. Stated with the single minimiser 0, but f = 0 wherever each x_i is 0 or "
            "a root of sin x = -0.1 (8 values in the box, 8^d points). Kinks at every minimiser: "
            "curvature is the largest one-sided second derivative there, 2.92"
        ),
        group="separable multimodal",
        tags=("multimodal", "separable", "non-differentiable", "several-global-minima"),
        dims=(2, 3, 5),
    )
)

# -- zakharov ----------------------------------------------------------------------------------


def _zakharov(x):
    a = jnp.sum(0.5 * _index(x) * x, axis=-1)
    return jnp.sum(x**2, axis=-1) + a**2 + a**4


register(
    Objective(
        name="zakharov",
        fn=jax.jit(_zakharov),
        lower=_constant(-5.0),
        upper=_constant(10.0),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.zeros((1, d)),
        basin_target_fn=_constant(None),
        basin_source="convex (a sum of convex terms): one basin",
        basin_scale=1.0,
        reference=(
            "Zakharov, as in Rahnamayan et al. (2007) / Jamil & Yang (2013) no. 172: sum x_i^2 + "
            "(sum 0.5 i x_i)^2 + (sum 0.5 i x_i)^4 on [-5, 10]^d"
        ),
        group="unimodal",
        tags=("unimodal", "non-separable"),
        rotatable=True,
    )
)

# -- qing --------------------------------------------------------------------------------------


def _qing(x):
    # (x^2 - i)^2 = ((x - r)(x + r))^2 with r = sqrt(i): x - r is exact near the minimiser.
    r = jnp.sqrt(_index(x))
    return jnp.sum(((x - r) * (x + r)) ** 2, axis=-1)


register(
    Objective(
        name="qing",
        fn=jax.jit(_qing),
        lower=_constant(-500.0),
        upper=_constant(500.0),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: product_minimisers([1.0, -1.0], d) * np.sqrt(np.arange(1, d + 1)),
        basin_target_fn=_constant(None),
        basin_source="separable; each (x_i^2 - i)^2 has its only minima at +-sqrt(i), both global",
        basin_scale=2.0,
        reference=(
            "Qing (2006), as in Jamil & Yang (2013) no. 98: sum (x_i^2 - i)^2 on [-500, 500]^d; "
            "2^d global minimisers x_i = +-sqrt(i), all listed"
        ),
        group="separable multimodal",
        tags=("multimodal", "separable", "several-global-minima"),
        dims=(2, 3, 5, 10),
    )
)

# -- lunacek bi-rastrigin ----------------------------------------------------------------------

LUNACEK_MU1 = 2.5
LUNACEK_DEPTH = 1.0


def _lunacek_parameters(d: int) -> tuple[float, float]:
    """(s, mu2) for dimension d (Python floats, so a float32 x stays float32)."""
    s = 1.0 - 1.0 / (2.0 * math.sqrt(d + 20.0) - 8.2)
    return s, -math.sqrt((LUNACEK_MU1**2 - LUNACEK_DEPTH) / s)


def _lunacek(x):
    d = x.shape[-1]
    s, mu2 = _lunacek_parameters(d)
    near = jnp.sum((x - LUNACEK_MU1) ** 2, axis=-1)
    far = LUNACEK_DEPTH * d + s * jnp.sum((x - mu2) ** 2, axis=-1)
    # 10 sum(1 - cos 2 pi (x - mu1)) = 20 sum sin^2(pi (x - mu1)), exact near the optimum.
    return jnp.minimum(near, far) + 20.0 * jnp.sum(sin2_pi(x - LUNACEK_MU1), axis=-1)


register(
    Objective(
        name="lunacek",
        fn=jax.jit(_lunacek),
        lower=_constant(-5.12),
        upper=_constant(5.12),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.full((1, d), LUNACEK_MU1),
        basin_target_fn=_constant(0.5),
        basin_source=(
            "numerical search (functions.basins, d = 2, 5, 10): the best non-global local minima "
            "move one coordinate by -+1 inside the near funnel, 0.995 above f* (as Rastrigin); the "
            "far funnel's minima lie at least d above f*; target 0.5"
        ),
        basin_scale=1.0,
        reference=(
            "Lunacek, Whitley & Sutton (2008), the double-funnel bi-Rastrigin without rotation or "
            "conditioning: min(sum (x_i - mu1)^2, d D + s sum (x_i - mu2)^2) + 10 sum(1 - cos 2 pi "
            "(x_i - mu1)), mu1 = 2.5, d = 1, s = 1 - 1 / (2 sqrt(D + 20) - 8.2), mu2 = -sqrt((mu1^2 "
            "- d) / s), on [-5.12, 5.12]^D (COCO f24 is this with x^ = 2 x and rotations; at D = 2 "
            "the far funnel's centre mu2 = -5.85 lies outside the box)"
        ),
        group="weak structure",
        tags=("multimodal", "non-separable", "deceptive", "funnel"),
        rotatable=True,
    )
)

# -- weierstrass -------------------------------------------------------------------------------

WEIERSTRASS_A = 0.5
WEIERSTRASS_B = 3
WEIERSTRASS_K = 20


@jax.custom_jvp
def _triadic_phases(x):
    """[..., K + 1] with entry k = 3^k x mod 1 in [-1/2, 1/2], exact in the working precision.

    y_{k+1} = frac(3 y_k) is chaotic: a rounding error of fl(3 y) grows by 3 per step (3^20 = 3.5e9),
    so y is carried as an unevaluated sum hi + lo: 3 hi = s + e exactly (two_sum of hi and 2 hi),
    s - round(s) is exact, and lo absorbs e + 3 lo."""

    def triple(carry, _):
        hi, lo = carry
        s, e = two_sum(hi, 2.0 * hi)
        return two_sum(s - jnp.round(s), e + 3.0 * lo), hi + lo

    start = (frac_to_nearest(x), jnp.zeros_like(x))
    _, phases = jax.lax.scan(triple, start, None, length=WEIERSTRASS_K + 1)
    return jnp.moveaxis(phases, 0, -1)


@_triadic_phases.defjvp
def _triadic_phases_jvp(primals, tangents):
    (x,), (dx,) = primals, tangents
    powers = jnp.asarray(float(WEIERSTRASS_B) ** np.arange(WEIERSTRASS_K + 1), dtype=x.dtype)
    return _triadic_phases(x), dx[..., None] * powers


def _weierstrass(x):
    # sum_k a^k cos(2 pi 3^k (x + 1/2)) - sum_k a^k cos(pi 3^k) = sum_k 2 a^k sin^2(pi 3^k x),
    # since 3^k is odd: every term >= 0 and exactly 0 at x = 0.
    weights = jnp.asarray(2.0 * WEIERSTRASS_A ** np.arange(WEIERSTRASS_K + 1), dtype=x.dtype)
    per_coordinate = jnp.sum(weights * sin_pi_reduced(_triadic_phases(x)) ** 2, axis=-1)
    return jnp.sum(per_coordinate, axis=-1)


register(
    Objective(
        name="weierstrass",
        fn=jax.jit(_weierstrass),
        lower=_constant(-0.5),
        upper=_constant(0.5),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.zeros((1, d)),
        basin_target_fn=_constant(None),
        basin_source=(
            "none: a truncated nowhere-differentiable sum; local minima at every scale 3^-k down to "
            "3^-20, so no gap separates a global basin"
        ),
        basin_scale=1.0 / 3.0,
        curvature_fn=secant_curvature("weierstrass", 1.0 / 6.0),
        reference=(
            "Weierstrass as in CEC 2005 F11 (Suganthan et al. 2005) without shift or rotation: "
            "sum_i sum_{k=0}^{20} a^k cos(2 pi b^k (x_i + 0.5)) - D sum_k a^k cos(pi b^k), a = 0.5, "
            "b = 3, k_max = 20, on [-0.5, 0.5]^D (COCO f16 sums k = 0..11 and cubes the result). "
            "The Hessian at 0 is 4 pi^2 sum 4.5^k = 2.2e15: curvature is the secant one at the "
            "basin scale's half, 2 (f(x* + e/6) - f*) / (1/6)^2"
        ),
        group="separable multimodal",
        tags=("multimodal", "separable"),
        has_basins=False,
    )
)

# -- schaffer f7 -------------------------------------------------------------------------------


def _schaffer_f7(x):
    # COCO f17 without transformations: (mean_i sqrt(s_i) (1 + sin^2(50 s_i^0.2)))^2 with
    # s_i = sqrt(x_i^2 + x_{i+1}^2), written with q = s^2 as q^(1/4) and q^(1/10); safe_pow gives
    # the subgradient 0 at the cusp q = 0.
    q = x[..., :-1] ** 2 + x[..., 1:] ** 2
    terms = safe_pow(q, 0.25) * (1.0 + sin2_pi(50.0 / np.pi * safe_pow(q, 0.1)))
    return jnp.mean(terms, axis=-1) ** 2


register(
    Objective(
        name="schaffer_f7",
        fn=jax.jit(_schaffer_f7),
        lower=_constant(-5.0),
        upper=_constant(5.0),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.zeros((1, d)),
        basin_target_fn=_constant(None),
        basin_source=(
            "none defensible: the global basin is a ball of radius 2.6e-5 in a box of width 10. In "
            "2-D the innermost ring of local minima (r = 2.614e-5) lies 2.88e-5 above f*; in d = 10 "
            "one coordinate on that ring is a local minimum only 1.42e-6 above f* (L-BFGS-B polish "
            "and perturbation check), three times float32's floor 4.8e-7, so a basin target would "
            "be the success target itself"
        ),
        basin_scale=0.5,
        curvature_fn=secant_curvature("schaffer_f7", 0.25),
        reference=(
            "Schaffer's F7 as COCO f17 (Hansen et al. 2009) without asymmetry, conditioning or "
            "rotation: (1/(D-1) sum_{i<D} sqrt(s_i) + sqrt(s_i) sin^2(50 s_i^(1/5)))^2, s_i = "
            "sqrt(x_i^2 + x_{i+1}^2), on [-5, 5]^D. A cusp at 0: curvature is the secant one at "
            "half the basin scale"
        ),
        group="non-separable multimodal",
        tags=("multimodal", "non-separable", "non-differentiable"),
        min_dim=2,
        rotatable=True,
        has_basins=False,
    )
)

# -- katsuura ----------------------------------------------------------------------------------

KATSUURA_TERMS = 32
KATSUURA_ZEROS = np.array(sorted(np.arange(-10, 11) / 2.0, key=abs))  # the half-integers, 0 first


def _katsuura(x):
    # COCO f23 without transformations: (10 / D^2) prod_i (1 + i T(x_i))^(10 / D^1.2) - 10 / D^2,
    # T(x) = sum_{j=1}^{32} |2^j x - round(2^j x)| / 2^j. 2^j x and its rounding are exact, so the
    # phase is exact; prod - 1 is taken as expm1(sum log1p), exact near the optimum.
    d = x.shape[-1]
    scale = jnp.asarray(2.0 ** np.arange(1, KATSUURA_TERMS + 1), dtype=x.dtype)
    scaled = x[..., None] * scale
    t = jnp.sum(abs0(scaled - jnp.round(scaled)) / scale, axis=-1)
    exponent = 10.0 / d**1.2
    return 10.0 / d**2 * jnp.expm1(exponent * jnp.sum(jnp.log1p(_index(x) * t), axis=-1))


register(
    Objective(
        name="katsuura",
        fn=jax.jit(_katsuura),
        lower=_constant(-5.0),
        upper=_constant(5.0),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: product_minimisers(KATSUURA_ZEROS, d),
        basin_target_fn=_constant(None),
        basin_source=(
            "none: a nowhere-differentiable (Takagi-like) sum with local minima at every dyadic scale "
            "down to 2^-32; no gap separates a global basin"
        ),
        basin_scale=0.5,
        curvature_fn=secant_curvature("katsuura", 0.25),
        reference=(
            "Katsuura (1991) in COCO's form f23 (Hansen et al. 2009) without conditioning or "
            "rotation: 10 / D^2 prod (1 + i sum_{j=1}^{32} |2^j x_i - [2^j x_i]| / 2^j)^(10 / D^1.2) "
            "- 10 / D^2 on [-5, 5]^D. Zero wherever every 2 x_i is an integer: 21^D global "
            "minimisers in the box, all listed (hence D <= 3). Not rotated: the zeros fill all of "
            "(Z/2)^D, and a rotation would bring unlisted ones into the box. Curvature: the secant "
            "one at half the basin scale"
        ),
        group="weak structure",
        tags=("multimodal", "non-separable", "non-differentiable", "several-global-minima"),
        dims=(2, 3),
        has_basins=False,
    )
)

# -- happycat and hgbat ------------------------------------------------------------------------


def _about_minus_one(x):
    """(sum y^2, sum y) for y = x + 1: Beyer & Finck's forms rearranged about x* = -1."""
    y = x + 1.0
    return jnp.sum(y**2, axis=-1), jnp.sum(y, axis=-1)


def _happycat(x):
    # |(||x||^2 - D)|^(1/4) + (||x||^2 / 2 + sum x) / D + 1/2 with y = x + 1:
    # ||x||^2 - D = sum y^2 - 2 sum y and the rest is sum y^2 / (2 D), so no cancellation at x*.
    d = x.shape[-1]
    square, total = _about_minus_one(x)
    return safe_pow(jnp.abs(square - 2.0 * total), 0.25) + square / (2.0 * d)


def _hgbat(x):
    # |(||x||^2)^2 - (sum x)^2|^(1/2) + (||x||^2 / 2 + sum x) / D + 1/2 with y = x + 1:
    # (||x||^2)^2 - (sum x)^2 = (||x||^2 + sum x)(||x||^2 - sum x) = (S - T)(S - 3 T + 2 D).
    d = x.shape[-1]
    square, total = _about_minus_one(x)
    product = (square - total) * (square - 3.0 * total + 2.0 * d)
    return safe_sqrt(jnp.abs(product)) + square / (2.0 * d)


register(
    Objective(
        name="happycat",
        fn=jax.jit(_happycat),
        lower=_constant(-2.0),
        upper=_constant(2.0),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.full((1, d), -1.0),
        basin_target_fn=_constant(None),
        basin_source=(
            "every local minimum is global: off the cusp sphere ||x||^2 = D the only stationary "
            "points lie on the diagonal and are not minima, and on the sphere f = 1 + sum x / D has "
            "its one minimum at x* = -1. Gradient methods stall on the cusp (L-BFGS-B from 300 "
            "random starts per d = 2, 5, 10 always stops on it, away from x*), but those are no minima"
        ),
        basin_scale=1.0,
        curvature_fn=secant_curvature("happycat", 0.5),
        reference=(
            "Beyer & Finck (2012), HappyCat with alpha = 1/8: |(||x||^2 - D)|^(1/4) + (0.5 ||x||^2 + "
            "sum x_i) / D + 0.5 on [-2, 2]^D. A cusp valley through x*: curvature is the secant one "
            "at half the basin scale"
        ),
        group="unimodal",
        tags=("unimodal", "non-separable", "non-differentiable"),
        rotatable=True,
    )
)

register(
    Objective(
        name="hgbat",
        fn=jax.jit(_hgbat),
        lower=_constant(-2.0),
        upper=_constant(2.0),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.full((1, d), -1.0),
        basin_target_fn=_constant(None),
        basin_source=(
            "every local minimum is global: the cusps are the spheres ||x||^2 = -sum x, on which "
            "f = 1/2 + sum x / (2 D) falls to x* = -1, and ||x||^2 = sum x (f = 1/2 + 1.5 sum x / D), "
            "which meets the first only at 0, where f still falls along the first; L-BFGS-B from 300 "
            "random starts per d = 2, 5, 10 found no smooth stationary point and stalls only on the cusps"
        ),
        basin_scale=1.0,
        curvature_fn=secant_curvature("hgbat", 0.5),
        reference=(
            "Beyer & Finck (2012), HGBat: |(||x||^2)^2 - (sum x_i)^2|^(1/2) + (0.5 ||x||^2 + sum "
            "x_i) / D + 0.5 on [-2, 2]^D. A cusp at x*: curvature is the secant one at half the "
            "basin scale"
        ),
        group="unimodal",
        tags=("unimodal", "non-separable", "non-differentiable"),
        rotatable=True,
    )
)
