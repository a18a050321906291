"""The classic test functions, textbook instance (instance 0).

Every formula is written for ``x[..., d]`` and reduces over the last axis only, so a batch never
changes a row's value. Forms are rearranged (never changed) to be accurate near the optimum:
see ``_math.py``. Basin targets lie below the gap between f* and the best non-global local
minimum; where they come from a numerical search, ``functions/basins.py`` reproduces it
(``python -m functions.basins NAME D``) and ``tests/test_functions.py`` re-checks it.
"""

from __future__ import annotations

import functools

import jax.numpy as jnp
import numpy as np

from ._math import frac_to_nearest, prefix_product_sum, safe_sqrt, sin2_pi, sin_float32, sin_pi_plus
from ._objective import Objective, _constant
from ._registry import register

# -- sphere ------------------------------------------------------------------------------------


def _sphere(x):
    return jnp.sum(x**2, axis=-1)


register(
    Objective(
        name="sphere",
        fn=_sphere,
        lower=_constant(-5.12),
        upper=_constant(5.12),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.zeros((1, d)),
        basin_target_fn=_constant(None),
        basin_source="unimodal: one basin",
        basin_scale=1.0,
        reference="De Jong (1975), F1: sum x_i^2 on [-5.12, 5.12]^d",
        group="unimodal",
        tags=("unimodal", "separable", "control"),
    )
)

# -- rosenbrock --------------------------------------------------------------------------------


def _rosenbrock(x):
    head, tail = x[..., :-1], x[..., 1:]
    return jnp.sum(100.0 * (tail - head**2) ** 2 + (1.0 - head) ** 2, axis=-1)


# Shang & Qiu (2006): for 4 <= d <= 30 a second local minimum lies near (-1, 1, ..., 1) with
# f between 3.70 (d = 4) and 3.99; d <= 3 has a single minimum.
register(
    Objective(
        name="rosenbrock",
        fn=_rosenbrock,
        lower=_constant(-2.048),
        upper=_constant(2.048),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.ones((1, d)),
        basin_target_fn=lambda d: None if d <= 3 else 1.5,
        basin_source=(
            "d <= 3: unimodal; d >= 4: second local minimum near (-1, 1, ..., 1) at f ~ 3.70-3.99 "
            "(Shang & Qiu 2006, confirmed by functions.basins); target 1.5"
        ),
        basin_scale=2.0,
        reference=(
            "Rosenbrock (1960), extended form sum_{i<d} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2 "
            "on De Jong's box [-2.048, 2.048]^d"
        ),
        group="unimodal",
        tags=("non-separable", "ill-conditioned", "control"),
        rotatable=True,
        min_dim=2,
        value_scale_fn=_constant(1.0),
    )
)

# -- rastrigin ---------------------------------------------------------------------------------


def _rastrigin(x):
    # 10 d + sum(x^2 - 10 cos(2 pi x)) = sum(x^2 + 20 sin(pi x)^2), exact near every integer.
    return jnp.sum(x**2 + 20.0 * sin2_pi(x), axis=-1)


register(
    Objective(
        name="rastrigin",
        fn=_rastrigin,
        lower=_constant(-5.12),
        upper=_constant(5.12),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.zeros((1, d)),
        basin_target_fn=_constant(0.5),
        basin_source="nearest local minima at one coordinate ~ +-0.995, f = 0.995 (closed form)",
        basin_scale=1.0,
        reference="Rastrigin (1974), as in Muehlenbein et al. (1991): 10 d + sum(x_i^2 - 10 cos(2 pi x_i))",
        group="separable multimodal",
        tags=("multimodal", "separable"),
    )
)

# -- ackley ------------------------------------------------------------------------------------

_E = float(np.e)


def _ackley(x):
    # -20 exp(-0.2 r) - exp(mean cos 2 pi x) + 20 + e, rearranged with expm1 so that f(0) = 0
    # exactly and the gradient at 0 is the subgradient 0 (safe_sqrt).
    r = safe_sqrt(jnp.mean(x**2, axis=-1))
    s = jnp.mean(2.0 * sin2_pi(x), axis=-1)  # = 1 - mean cos(2 pi x)
    return -20.0 * jnp.expm1(-0.2 * r) - _E * jnp.expm1(-s)


@functools.cache
def _ackley_gap(d: int) -> float:
    """f at the best non-global local minimum: one coordinate near +-1 (1-D search, float64)."""
    t = np.linspace(0.5, 1.5, 200001)
    x = np.zeros((t.size, d))
    x[:, 0] = t
    return float(np.min(np.asarray(_ackley(jnp.asarray(x, dtype=jnp.float64)))))


register(
    Objective(
        name="ackley",
        fn=_ackley,
        lower=_constant(-32.768),
        upper=_constant(32.768),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.zeros((1, d)),
        basin_target_fn=lambda d: 0.5 * _ackley_gap(d),
        basin_source=(
            "half the value of the best non-global local minimum (one coordinate near +-1), "
            "found by a 1-D search in float64; it shrinks with d (2.58 at d = 2, 1.23 at d = 10)"
        ),
        basin_scale=1.0,
        curvature_fn=lambda d: 4.0 * np.pi**2 * _E / d,
        reference=(
            "Ackley (1987), as in Baeck (1996): -20 exp(-0.2 sqrt(mean x^2)) - exp(mean cos 2 pi x) "
            "+ 20 + e. Not differentiable at 0 (a cone); curvature is that of the cosine term"
        ),
        group="non-separable multimodal",
        tags=("multimodal", "non-separable", "non-differentiable"),
        rotatable=True,
        value_scale_fn=_constant(1.0),
    )
)

# -- griewank ----------------------------------------------------------------------------------


def _griewank(x, axis: int = -1):
    # 1 - prod c_i = sum_i (prod_{j<i} c_j) (1 - c_i), c_i = cos(x_i / sqrt i): no cancellation
    # near the optimum. 1 - c_i = 2 sin^2(x_i / (2 sqrt i)) = 2 sin2_pi(x_i / (2 pi sqrt i)), so one
    # sine of an exactly reduced argument gives both c_i and 1 - c_i. ``axis``: the coordinates'
    # axis (0 for the engine's columns, where the per-coordinate sqrt i is a column).
    d = x.shape[axis]
    root = jnp.sqrt(jnp.arange(1, d + 1, dtype=x.dtype)).reshape((d,) + (1,) * (x.ndim - 1 - (axis % x.ndim)))
    one_minus_c = 2.0 * sin2_pi(x / (2.0 * jnp.pi * root))
    return jnp.sum(x**2, axis=axis) / 4000.0 + prefix_product_sum(1.0 - one_minus_c, one_minus_c, axis)


register(
    Objective(
        name="griewank",
        fn=_griewank,
        columns_delta_fn=functools.partial(_griewank, axis=0),
        lower=_constant(-600.0),
        upper=_constant(600.0),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.zeros((1, d)),
        basin_target_fn=lambda d: 0.0045 if d == 1 else 0.0035,
        basin_source=(
            "best non-global local minima: d = 1 near x = 2 pi (f = 0.0099); d >= 2 near "
            "(pi, pi sqrt 2, 0, ...) (f = 0.0074); functions.basins confirms"
        ),
        basin_scale=float(np.pi),
        reference="Griewank (1981): 1 + sum x_i^2 / 4000 - prod cos(x_i / sqrt(i)) on [-600, 600]^d",
        group="non-separable multimodal",
        tags=("multimodal", "non-separable"),
        rotatable=True,
    )
)

# -- schwefel 2.26 -----------------------------------------------------------------------------

SCHWEFEL_X_OPT = 420.968746359982
SCHWEFEL_CONSTANT = 418.982887272434


def _schwefel(x, axis: int = -1):
    # 418.982887272434 d - sum x sin(sqrt |x|), summed per coordinate so each term is >= 0 near
    # the optimum; safe_sqrt keeps the gradient finite (and correct, 0) at x_i = 0. ``axis``: the
    # coordinates' axis (0 for the engine's columns: vmapped over columns instead, XLA computed it
    # on rows of d numbers, 2.1x slower in 10-D, with the same values).
    return jnp.sum(SCHWEFEL_CONSTANT - x * sin_float32(safe_sqrt(jnp.abs(x))), axis=axis)


register(
    Objective(
        name="schwefel",
        fn=_schwefel,
        columns_delta_fn=functools.partial(_schwefel, axis=0),
        lower=_constant(-500.0),
        upper=_constant(500.0),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.full((1, d), SCHWEFEL_X_OPT),
        basin_target_fn=_constant(50.0),
        basin_source=(
            "separable: the best non-global local minimum moves one coordinate to the 1-D "
            "runner-up x = -302.52 (gap 118.4, 1-D search in float64); target 50"
        ),
        basin_scale=100.0,
        reference=(
            "Schwefel (1981), problem 2.26, in its shifted form 418.982887272434 d - "
            "sum x_i sin(sqrt|x_i|) on [-500, 500]^d; lower outside the box, so iterates are projected"
        ),
        group="separable multimodal",
        tags=("multimodal", "separable", "deceptive"),
        enforce_box=True,
        value_scale_fn=lambda d: SCHWEFEL_CONSTANT * d,
    )
)

# -- levy --------------------------------------------------------------------------------------


def _levy(x):
    w = 1.0 + (x - 1.0) / 4.0
    first = sin2_pi(w[..., 0])
    head = w[..., :-1]
    # sin(pi w + 1)^2 has period 1 in w: reduce w exactly before scaling.
    middle = jnp.sum((head - 1.0) ** 2 * (1.0 + 10.0 * sin_pi_plus(frac_to_nearest(head), 1.0) ** 2), axis=-1)
    last = w[..., -1]
    tail = (last - 1.0) ** 2 * (1.0 + sin2_pi(2.0 * last))
    return first + middle + tail


register(
    Objective(
        name="levy",
        fn=_levy,
        lower=_constant(-10.0),
        upper=_constant(10.0),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.ones((1, d)),
        basin_target_fn=lambda d: 0.45 if d <= 2 else 0.04,
        basin_source=(
            "numerical search (functions.basins): runner-up 0.979 above f* for d <= 2; from d = 3 a "
            "middle coordinate at w_i = 1 - 1/pi gives a minimum only 0.0895 above f*"
        ),
        basin_scale=4.0,
        reference=(
            "Levy & Montalvo (1985), as in Laguna & Marti (2005): w = 1 + (x - 1) / 4, "
            "sin^2(pi w_1) + sum (w_i - 1)^2 [1 + 10 sin^2(pi w_i + 1)] + (w_d - 1)^2 [1 + sin^2(2 pi w_d)]"
        ),
        group="non-separable multimodal",
        tags=("multimodal", "non-separable"),
        rotatable=True,
    )
)

# -- styblinski-tang ---------------------------------------------------------------------------

STYBLINSKI_X_OPT = -2.903534027771178
STYBLINSKI_F_OPT_1D = -39.16616570377142


def _styblinski_tang(x):
    return 0.5 * jnp.sum(x**4 - 16.0 * x**2 + 5.0 * x, axis=-1)


register(
    Objective(
        name="styblinski_tang",
        fn=_styblinski_tang,
        lower=_constant(-5.0),
        upper=_constant(5.0),
        f_opt_fn=lambda d: STYBLINSKI_F_OPT_1D * d,
        x_opt_fn=lambda d: np.full((1, d), STYBLINSKI_X_OPT),
        basin_target_fn=_constant(7.0),
        basin_source=(
            "separable: the runner-up moves one coordinate to x = 2.7468 (1-D gap 14.13, closed "
            "form of the cubic's roots); target 7"
        ),
        basin_scale=5.0,
        reference="Styblinski & Tang (1990): 0.5 sum(x_i^4 - 16 x_i^2 + 5 x_i) on [-5, 5]^d",
        group="separable multimodal",
        tags=("multimodal", "separable", "deceptive"),
        value_scale_fn=lambda d: 100.0 * d,
    )
)

# -- himmelblau (2-D) --------------------------------------------------------------------------

HIMMELBLAU_MINIMA = np.array(
    [
        [3.0, 2.0],
        [-2.805118086952745, 3.131312518250573],
        [-3.779310253377747, -3.283185991286170],
        [3.584428340330492, -1.848126526964404],
    ]
)


def _himmelblau(x):
    a, b = x[..., 0], x[..., 1]
    return (a**2 + b - 11.0) ** 2 + (a + b**2 - 7.0) ** 2


register(
    Objective(
        name="himmelblau",
        fn=_himmelblau,
        lower=_constant(-5.0),
        upper=_constant(5.0),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: HIMMELBLAU_MINIMA,
        basin_target_fn=_constant(None),
        basin_source="all four local minima are global (f = 0); no non-global basin exists",
        basin_scale=3.0,
        reference="Himmelblau (1972): (x^2 + y - 11)^2 + (x + y^2 - 7)^2 on [-5, 5]^2",
        group="non-separable multimodal",
        tags=("multimodal", "non-separable", "several-global-minima"),
        rotatable=True,
        dims=(2,),
    )
)

# -- six-hump camel (2-D) ----------------------------------------------------------------------

CAMEL_X_OPT = np.array([[0.08984201368301331, -0.7126564032704135]])


def _six_hump_camel(x):
    a, b = x[..., 0], x[..., 1]
    return (4.0 - 2.1 * a**2 + a**4 / 3.0) * a**2 + a * b + (-4.0 + 4.0 * b**2) * b**2


register(
    Objective(
        name="six_hump_camel",
        fn=_six_hump_camel,
        lower=lambda d: np.array([-3.0, -2.0]),
        upper=lambda d: np.array([3.0, 2.0]),
        f_opt_fn=_constant(-1.0316284534898774),
        x_opt_fn=lambda d: np.concatenate([CAMEL_X_OPT, -CAMEL_X_OPT]),
        basin_target_fn=_constant(0.4),
        basin_source="runner-up local minima at (+-1.7036, -+0.7961), f = -0.2155 (gap 0.816)",
        basin_scale=1.5,
        reference="Dixon & Szegoe (1978): (4 - 2.1 x^2 + x^4 / 3) x^2 + x y + (-4 + 4 y^2) y^2",
        group="non-separable multimodal",
        tags=("multimodal", "non-separable"),
        rotatable=True,
        dims=(2,),
        value_scale_fn=_constant(2.0),
    )
)
