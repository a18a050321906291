"""The 2-D classic functions (textbook instance, instance 0).

Conventions as in ``classic.py`` and ``classic_nd.py``: ``x[..., 2]``, reduced over the last axis
only; forms rearranged (never changed) to be accurate near the optimum; periodic terms keep their
phase in float32 across the box: trigonometric terms of the input itself use ``sin x`` and
``cos x`` (exact input, accurate range reduction) and build ``cos(k x)`` by angle addition instead
of rounding ``k x``; Schaffer's ``x^2 - y^2`` is reduced modulo pi in extended precision. Minimisers
and f* were polished with mpmath (40 digits) and are re-checked in
``tests/test_functions_catalogue.py``.
"""

from __future__ import annotations

import functools
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np

from ._math import safe_sqrt, sin2_pi
from ._objective import Objective, _constant
from ._registry import register
from .classic_nd import abs0, secant_curvature, two_sum


def _pair(x):
    return x[..., 0], x[..., 1]


def _signs(point, *, x: bool, y: bool) -> np.ndarray:
    """The copies of ``point`` under the sign flips of x and/or y that the function is even in."""
    sx = (1.0, -1.0) if x else (1.0,)
    sy = (1.0, -1.0) if y else (1.0,)
    return np.array([[a * point[0], b * point[1]] for a in sx for b in sy])


# -- branin ------------------------------------------------------------------------------------

BRANIN_B = 5.1 / (4.0 * np.pi**2)
BRANIN_C = 5.0 / np.pi
BRANIN_T = 1.0 / (8.0 * np.pi)
BRANIN_F_OPT = 5.0 / (4.0 * np.pi)  # = s t: the three minima have cos x = -1 on the parabola


def _branin_parabola(a, b):
    return b - BRANIN_B * a**2 + BRANIN_C * a - 6.0


def _branin_delta(x):
    # s (1 - t) cos x + s = 2 s (1 - t) cos^2(x / 2) + s t, and s t = f*: f - f* has no cancellation.
    a, b = _pair(x)
    return _branin_parabola(a, b) ** 2 + 20.0 * (1.0 - BRANIN_T) * jnp.cos(a / 2.0) ** 2


def _branin(x):
    return _branin_delta(x) + BRANIN_F_OPT


BRANIN_X_OPT = np.array([[a, BRANIN_B * a**2 - BRANIN_C * a + 6.0] for a in (-np.pi, np.pi, 3.0 * np.pi)])

register(
    Objective(
        name="branin",
        fn=jax.jit(_branin),
        delta_fn=jax.jit(_branin_delta),
        lower=lambda d: np.array([-5.0, 0.0]),
        upper=lambda d: np.array([10.0, 15.0]),
        f_opt_fn=_constant(BRANIN_F_OPT),
        x_opt_fn=lambda d: BRANIN_X_OPT,
        basin_target_fn=_constant(None),
        basin_source=(
            "all three local minima in the box are global, (-pi, 12.275), (pi, 2.275), (3 pi, 2.475), "
            "f* = 5 / (4 pi) (Dixon & Szegoe 1978; L-BFGS-B from 1681 random starts finds no other)"
        ),
        basin_scale=3.0,
        reference=(
            "Branin (1972), as in Dixon & Szegoe (1978): (y - 5.1 x^2 / (4 pi^2) + 5 x / pi - 6)^2 + "
            "10 (1 - 1 / (8 pi)) cos x + 10 on [-5, 10] x [0, 15]. Not rotated: its minimum over R^2 "
            "repeats at every x = (2k + 1) pi, and a rotation would bring unlisted copies into the box"
        ),
        group="non-separable multimodal",
        tags=("multimodal", "non-separable", "several-global-minima"),
        dims=(2,),
    )
)

# -- eggholder ---------------------------------------------------------------------------------

EGGHOLDER_X_OPT = np.array([[512.0, 404.2318051137578]])
EGGHOLDER_F_OPT = -959.6406627208509


def _eggholder(x):
    # The arguments are summed as (x/2 + y) + 47 and (x - y) - 47, exact near the kink lines where
    # they vanish; safe_sqrt keeps the gradient finite there (the cusp's subgradient 0).
    a, b = _pair(x)
    return -(b + 47.0) * jnp.sin(safe_sqrt(jnp.abs((a / 2.0 + b) + 47.0))) - a * jnp.sin(
        safe_sqrt(jnp.abs((a - b) - 47.0))
    )


register(
    Objective(
        name="eggholder",
        fn=jax.jit(_eggholder),
        lower=_constant(-512.0),
        upper=_constant(512.0),
        f_opt_fn=_constant(EGGHOLDER_F_OPT),
        x_opt_fn=lambda d: EGGHOLDER_X_OPT,
        basin_target_fn=_constant(1.3),
        basin_source=(
            "numerical search (L-BFGS-B in the box from 2025 random starts, each end checked by "
            "perturbed re-polishes; functions.basins agrees): the best non-global local minimum, "
            "(482.3533, 432.8790) with f = -956.91823, lies 2.7224 above f* (the next: 4.386 at "
            "(479.0454, 434.5059), across the kink line); target 1.3"
        ),
        basin_scale=50.0,
        reference=(
            "Whitley et al. (1996) 'Egg holder', as in Jamil & Yang (2013) no. 47: -(y + 47) sin "
            "sqrt|x/2 + y + 47| - x sin sqrt|x - (y + 47)| on [-512, 512]^2; f* at the edge x = 512 "
            "(the gradient there is not 0: df/dx = -3.39); lower outside the box, so iterates are "
            "projected"
        ),
        group="non-separable multimodal",
        tags=("multimodal", "non-separable", "deceptive"),
        dims=(2,),
        enforce_box=True,
        value_scale_fn=_constant(1000.0),
    )
)

# -- holder table ------------------------------------------------------------------------------

HOLDER_X_OPT = _signs((8.055023475736563, 9.664590019241272), x=True, y=True)
HOLDER_F_OPT = -19.208502567886732


def _holder_table(x):
    a, b = _pair(x)
    r = safe_sqrt(a**2 + b**2)
    return -abs0(jnp.sin(a) * jnp.cos(b) * jnp.exp(abs0(1.0 - r / np.pi)))


register(
    Objective(
        name="holder_table",
        fn=jax.jit(_holder_table),
        lower=_constant(-10.0),
        upper=_constant(10.0),
        f_opt_fn=_constant(HOLDER_F_OPT),
        x_opt_fn=lambda d: HOLDER_X_OPT,
        basin_target_fn=_constant(1.4),
        basin_source=(
            "numerical search (L-BFGS from a 151 x 151 grid of the box, polished by L-BFGS-B and "
            "checked by perturbed re-polishes): the best non-global local minima sit on the edges, (+-10, +-9.64223) with "
            "f = -16.26783, 2.9407 above f*; target 1.4"
        ),
        basin_scale=3.0,
        reference=(
            "Holder table, as in Mishra (2006) / Jamil & Yang (2013) no. 146: -|sin x cos y exp|1 - "
            "sqrt(x^2 + y^2) / pi|| on [-10, 10]^2, four global minima (+-8.05502, +-9.66459); lower "
            "outside the box, so iterates are projected"
        ),
        group="non-separable multimodal",
        tags=("multimodal", "non-separable", "several-global-minima"),
        dims=(2,),
        enforce_box=True,
        value_scale_fn=_constant(20.0),
    )
)

# -- drop-wave ---------------------------------------------------------------------------------


def _drop_wave_parts(x):
    s = jnp.sum(x**2, axis=-1)
    # 1 + cos(12 r) = 2 - 2 sin^2(6 r); the period of sin^2(6 r) is reduced exactly.
    return s, sin2_pi(6.0 / np.pi * safe_sqrt(s)), 0.5 * s + 2.0


def _drop_wave(x):
    s, wave, denominator = _drop_wave_parts(x)
    return -2.0 * (1.0 - wave) / denominator


def _drop_wave_delta(x):
    s, wave, denominator = _drop_wave_parts(x)
    return (0.5 * s + 2.0 * wave) / denominator


register(
    Objective(
        name="drop_wave",
        fn=jax.jit(_drop_wave),
        delta_fn=jax.jit(_drop_wave_delta),
        lower=_constant(-5.12),
        upper=_constant(5.12),
        f_opt_fn=_constant(-1.0),
        x_opt_fn=lambda d: np.zeros((1, 2)),
        basin_target_fn=_constant(0.03),
        basin_source=(
            "numerical search (L-BFGS-B from 1681 random starts, ends checked by perturbed "
            "re-polishes): the best non-global local minima are the ring r = 0.52022 (cos 12 r ~ 1), "
            "f = -0.936245, 0.06375 above f*; target 0.03"
        ),
        basin_scale=float(np.pi / 6.0),
        curvature_fn=_constant(72.5),
        reference=(
            "Drop-wave, as in Molga & Smutnicki (2005): -(1 + cos(12 sqrt(x^2 + y^2))) / (0.5 (x^2 + "
            "y^2) + 2) on [-5.12, 5.12]^2. f + 1 = (r^2 / 2 + 2 sin^2 6r) / (r^2 / 2 + 2) ~ 36.25 r^2: "
            "curvature 72.5 (closed form; autodiff through sqrt at 0 cannot give it)"
        ),
        group="non-separable multimodal",
        tags=("multimodal", "non-separable"),
        dims=(2,),
        rotatable=True,
    )
)

# -- cross-in-tray -----------------------------------------------------------------------------

CROSS_X_OPT = _signs((1.3494066171539107, 1.3494066171539107), x=True, y=True)
CROSS_F_OPT = -2.062611870822737
_CROSS_SCALE = 1e-4 * float(np.exp(10.0))  # 1e-4 e^10: the factor (e^100)^0.1 taken out


def _cross_in_tray(x):
    # -1e-4 (|sin x sin y| e^B + 1)^0.1, B = |100 - r / pi| ~ 100: e^B overflows float32, so it is
    # taken in logs: 0.1 log(|A| e^B + 1) = 10 + 0.1 t + 0.1 softplus(-(100 + t)), t = log|A| + B -
    # 100 and B - 100 = -r / pi inside r < 100 pi (no rounding of 100 - r / pi). Where A = 0 the
    # double where gives the value -1e-4 and the subgradient 0.
    a, b = _pair(x)
    product = jnp.sin(a) * jnp.sin(b)
    q = safe_sqrt(a**2 + b**2) / np.pi
    b_minus_100 = jnp.where(q <= 100.0, -q, q - 200.0)
    nonzero = product != 0
    t = jnp.log(jnp.where(nonzero, abs0(product), 1.0)) + b_minus_100
    log_term = jnp.where(nonzero, 0.1 * t + 0.1 * jax.nn.softplus(-(100.0 + t)), -10.0)
    return -_CROSS_SCALE * jnp.exp(log_term)


register(
    Objective(
        name="cross_in_tray",
        fn=jax.jit(_cross_in_tray),
        lower=_constant(-10.0),
        upper=_constant(10.0),
        f_opt_fn=_constant(CROSS_F_OPT),
        x_opt_fn=lambda d: CROSS_X_OPT,
        basin_target_fn=_constant(0.08),
        basin_source=(
            "numerical search (L-BFGS-B in the box from 1681 random starts, ends checked by "
            "perturbed re-polishes): the best non-global local minima, (+-1.47062, +-4.41908) and "
            "(+-4.41908, +-1.47062) with f = -1.889938, lie 0.17267 above f*; target 0.08"
        ),
        basin_scale=2.4,
        reference=(
            "Cross-in-tray, as in Mishra (2006) / Jamil & Yang (2013) no. 39: -1e-4 (|sin x sin y exp|100 "
            "- sqrt(x^2 + y^2) / pi|| + 1)^0.1 on [-10, 10]^2, four global minima (+-1.34941, "
            "+-1.34941); lower far outside the box (r > 200 pi), so iterates are projected"
        ),
        group="non-separable multimodal",
        tags=("multimodal", "non-separable", "several-global-minima"),
        dims=(2,),
        enforce_box=True,
        value_scale_fn=_constant(2.0),
    )
)

# -- shubert -----------------------------------------------------------------------------------

# The 1-D factor S(x) = sum_i i cos((i + 1) x + i) has its maximum 14.508 at three points and its
# minimum -12.871 at three points of [-10, 10]; f* = S_max S_min at the 3 x 3 x 2 = 18 pairs.
SHUBERT_ARGMAX = np.array([-7.0835064076515595, -0.8003211004719731, 5.482864206707613])
SHUBERT_ARGMIN = np.array([-7.708313735499347, -1.425128428319761, 4.858056878859825])
SHUBERT_F_OPT = -186.73090883102384
SHUBERT_X_OPT = np.array(
    [[a, b] for a in SHUBERT_ARGMAX for b in SHUBERT_ARGMIN] + [[b, a] for a in SHUBERT_ARGMAX for b in SHUBERT_ARGMIN]
)
_SHUBERT_COS = np.cos(np.arange(1, 6, dtype=np.float64))
_SHUBERT_SIN = np.sin(np.arange(1, 6, dtype=np.float64))


def _shubert_factor(t):
    # cos((i + 1) t + i) = cos((i + 1) t) cos i - sin((i + 1) t) sin i, with cos(k t) and sin(k t)
    # built from cos t and sin t by angle addition: no rounding of the phase (i + 1) t.
    c1, s1 = jnp.cos(t), jnp.sin(t)
    ck, sk = c1, s1
    total = jnp.zeros_like(t)
    for i in range(1, 6):
        ck, sk = ck * c1 - sk * s1, sk * c1 + ck * s1  # now k = i + 1
        total = total + i * (ck * float(_SHUBERT_COS[i - 1]) - sk * float(_SHUBERT_SIN[i - 1]))
    return total


def _shubert(x):
    a, b = _pair(x)
    return _shubert_factor(a) * _shubert_factor(b)


register(
    Objective(
        name="shubert",
        fn=jax.jit(_shubert),
        lower=_constant(-10.0),
        upper=_constant(10.0),
        f_opt_fn=_constant(SHUBERT_F_OPT),
        x_opt_fn=lambda d: SHUBERT_X_OPT,
        basin_target_fn=_constant(30.0),
        basin_source=(
            "closed form from the 1-D factor S (its critical points polished with mpmath): local "
            "minima of S(x) S(y) pair a maximum with a minimum of S; the best non-global one is "
            "S_max times the second-lowest minimum of S (-8.5178): -123.577, 63.15 above f*; target 30"
        ),
        basin_scale=0.7,
        reference=(
            "Shubert, as in Levy & Montalvo (1985) / Jamil & Yang (2013) no. 133: prod_{j=1,2} sum_{i=1}^5 "
            "i cos((i + 1) x_j + i) on [-10, 10]^2, 18 global minima (f* = -186.7309088). Not "
            "rotated: the minima repeat with period 2 pi over R^2"
        ),
        group="non-separable multimodal",
        tags=("multimodal", "non-separable", "several-global-minima"),
        dims=(2,),
        value_scale_fn=_constant(200.0),
    )
)

# -- bukin n.6 ---------------------------------------------------------------------------------


def _bukin_n6(x):
    # y - 0.01 x^2 = (y - 1) - 0.01 (x + 10)(x - 10): no cancellation near x* = (-10, 1), where it
    # is exactly 0 (x^2 / 100 is not: under jit XLA turns it into x^2 * fl(0.01), and f(x*) would
    # be 4.6e-7). Both kinks give the subgradient 0 at x* (safe_sqrt, abs0).
    a, b = _pair(x)
    valley = (b - 1.0) - 0.01 * (a + 10.0) * (a - 10.0)
    return 100.0 * safe_sqrt(jnp.abs(valley)) + 0.01 * abs0(a + 10.0)


register(
    Objective(
        name="bukin_n6",
        fn=jax.jit(_bukin_n6),
        lower=lambda d: np.array([-15.0, -3.0]),
        upper=lambda d: np.array([-5.0, 3.0]),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.array([[-10.0, 1.0]]),
        basin_target_fn=_constant(None),
        basin_source=(
            "one local minimum: along the cusp valley y = x^2 / 100, f = 0.01 |x + 10| falls to x* "
            "from both sides, and off the valley 100 sqrt|y - x^2 / 100| falls toward it (the valley "
            "lies inside the box, 0.25 <= y <= 2.25)"
        ),
        basin_scale=1.0,
        curvature_fn=secant_curvature("bukin_n6", 0.5),
        reference=(
            "Bukin N.6, as in Silagadze (2007) / Jamil & Yang (2013) no. 28: 100 sqrt|y - 0.01 x^2| + "
            "0.01 |x + 10| on [-15, -5] x [-3, 3]. A cusp valley (infinite curvature): curvature is "
            "the secant one at half the basin scale"
        ),
        group="unimodal",
        tags=("unimodal", "non-separable", "non-differentiable"),
        dims=(2,),
        rotatable=True,
        value_scale_fn=_constant(1.0),
    )
)

# -- easom -------------------------------------------------------------------------------------


def _easom_parts(x):
    a, b = _pair(x)
    u, v = a - np.pi, b - np.pi  # cos x cos y = cos u cos v
    return u, v, jnp.exp(-(u**2 + v**2))


def _easom(x):
    u, v, envelope = _easom_parts(x)
    return -jnp.cos(u) * jnp.cos(v) * envelope


def _easom_delta(x):
    # 1 - cos u cos v e^-q = -expm1(-q) + e^-q (2 sin^2(u/2) + 2 cos u sin^2(v/2)): no cancellation.
    u, v, envelope = _easom_parts(x)
    one_minus_cc = 2.0 * jnp.sin(u / 2.0) ** 2 + 2.0 * jnp.cos(u) * jnp.sin(v / 2.0) ** 2
    return -jnp.expm1(-(u**2 + v**2)) + envelope * one_minus_cc


register(
    Objective(
        name="easom",
        fn=jax.jit(_easom),
        delta_fn=jax.jit(_easom_delta),
        lower=_constant(-100.0),
        upper=_constant(100.0),
        f_opt_fn=_constant(-1.0),
        x_opt_fn=lambda d: np.array([[np.pi, np.pi]]),
        basin_target_fn=_constant(0.5),
        basin_source=(
            "every other local minimum has |f| < 1e-4 (the nearest, (4.978, 1.305), lies 0.99992 "
            "above f*; functions.basins shells); target 0.5. The plateau, where float gradients "
            "vanish, holds no minimum: starts there stay put and are rightly judged outside the basin"
        ),
        basin_scale=float(np.pi),
        reference=(
            "Easom (1990): -cos x cos y exp(-((x - pi)^2 + (y - pi)^2)) on [-100, 100]^2: a needle "
            "in a plateau (|f| < 1e-30 wherever |x - pi| + |y - pi| > 9)"
        ),
        group="weak structure",
        tags=("multimodal", "non-separable"),
        dims=(2,),
        rotatable=True,
    )
)

# -- goldstein-price ---------------------------------------------------------------------------


def _goldstein_price_parts(x):
    # With z = x + y + 1 and w = 2x - 3y - 3 (both 0 at x* = (0, -1)), the two factors are
    # 1 + Z and 3 + W with Z = z^2 (3 z^2 - 20 z + 36), W = w^2 (3 w^2 + 20 w + 36) (exact
    # expansion), so f - 3 = W + Z (3 + W) >= 0 without cancellation.
    a, b = _pair(x)
    z = a + b + 1.0
    w = 2.0 * a - 3.0 * b - 3.0
    return z**2 * (3.0 * z**2 - 20.0 * z + 36.0), w**2 * (3.0 * w**2 + 20.0 * w + 36.0)


def _goldstein_price_delta(x):
    big_z, big_w = _goldstein_price_parts(x)
    return big_w + big_z * (3.0 + big_w)


def _goldstein_price(x):
    return 3.0 + _goldstein_price_delta(x)


register(
    Objective(
        name="goldstein_price",
        fn=jax.jit(_goldstein_price),
        delta_fn=jax.jit(_goldstein_price_delta),
        lower=_constant(-2.0),
        upper=_constant(2.0),
        f_opt_fn=_constant(3.0),
        x_opt_fn=lambda d: np.array([[0.0, -1.0]]),
        basin_target_fn=_constant(13.0),
        basin_source=(
            "Goldstein & Price (1971): local minima f = 30 at (-0.6, -0.4), 84 at (1.8, 0.2), 840 at "
            "(1.2, 0.8); gap 27 (L-BFGS-B from 2025 random starts finds these four only); target 13"
        ),
        basin_scale=0.8,
        reference=(
            "Goldstein & Price (1971): [1 + (x + y + 1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)] [30 + "
            "(2x - 3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)] on [-2, 2]^2, rearranged about x*"
        ),
        group="non-separable multimodal",
        tags=("multimodal", "non-separable"),
        dims=(2,),
        rotatable=True,
        value_scale_fn=_constant(3.0),
    )
)

# -- beale -------------------------------------------------------------------------------------


def _beale(x):
    a, b = _pair(x)
    return (1.5 - a + a * b) ** 2 + (2.25 - a + a * b**2) ** 2 + (2.625 - a + a * b**3) ** 2


register(
    Objective(
        name="beale",
        fn=jax.jit(_beale),
        lower=_constant(-4.5),
        upper=_constant(4.5),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.array([[3.0, 0.5]]),
        basin_target_fn=_constant(None),
        basin_source=(
            "one local minimum in R^2 (BFGS from 400 random starts of the box: 63% reach x*, the rest "
            "run off along the valley y -> 1, x -> -inf where f -> 0.452 > f*); the box only adds "
            "edge minima for projected iterates ((-4.5, 1.18643), f = 0.762), and it is not enforced"
        ),
        basin_scale=1.0,
        reference=("Beale (1958): (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2 on [-4.5, 4.5]^2"),
        group="unimodal",
        tags=("unimodal", "non-separable"),
        dims=(2,),
        rotatable=True,
    )
)

# -- schaffer n.2 and n.4 ----------------------------------------------------------------------

_PI = Fraction("3.14159265358979323846264338327950288419716939937510582097494459")
_QUOTIENT_BITS = 15  # x^2 - y^2 is reduced exactly while |x^2 - y^2| < 2^15 pi (the box: 1e4)


def _leading_bits(value: Fraction, bits: int) -> Fraction:
    exponent = value.numerator.bit_length() - value.denominator.bit_length()
    while Fraction(2) ** exponent > value:
        exponent -= 1
    quantum = Fraction(2) ** (exponent - bits + 1)
    return (value // quantum) * quantum


@functools.cache
def _pi_parts(dtype) -> tuple[float, float, float]:
    """pi = p1 + p2 + p3 (+ 2^-100): p1, p2 with few enough bits that k p1, k p2 are exact in
    ``dtype`` for |k| < 2^15 (Cody & Waite)."""
    bits = np.finfo(dtype).nmant + 1 - _QUOTIENT_BITS
    p1 = _leading_bits(_PI, bits)
    p2 = _leading_bits(_PI - p1, bits)
    return float(p1), float(p2), float(_PI - p1 - p2)


def _split(a):
    """Dekker: a = hi + lo exactly, each with half the mantissa, so hi * hi etc. are exact."""
    factor = 2.0 ** ((np.finfo(a.dtype).nmant + 2) // 2) + 1.0
    t = factor * a
    hi = t - (t - a)
    return hi, a - hi


def _exact_square(a):
    """(p, e): p = fl(a^2) and p + e = a^2 exactly (Dekker's product without FMA)."""
    p = a * a
    hi, lo = _split(a)
    return p, ((hi * hi - p) + 2.0 * hi * lo) + lo * lo


@jax.custom_jvp
def _difference_of_squares_mod_pi(a, b):
    """r = a^2 - b^2 - k pi, |r| <= pi/2 (+ rounding), accurate to the last bit of r: the squares
    are exact double-length sums and pi is split in three parts (Cody-Waite)."""
    p1, p2, p3 = (jnp.asarray(p, dtype=a.dtype) for p in _pi_parts(a.dtype))
    sa, ea = _exact_square(a)
    sb, eb = _exact_square(b)
    s, e = two_sum(sa, -sb)
    k = jnp.round(s / p1)
    return (((s - k * p1) - k * p2) - k * p3) + ((ea - eb) + e)


@_difference_of_squares_mod_pi.defjvp
def _difference_of_squares_mod_pi_jvp(primals, tangents):
    (a, b), (da, db) = primals, tangents
    return _difference_of_squares_mod_pi(a, b), 2.0 * a * da - 2.0 * b * db


def _schaffer_denominator(x):
    s = jnp.sum(x**2, axis=-1)
    return s, (1.0 + 0.001 * s) ** 2


def _schaffer_n2(x):
    # 0.5 + (sin^2(x^2 - y^2) - 0.5) / D^2 = (0.0005 s (2 + 0.001 s) + sin^2(x^2 - y^2)) / D^2,
    # D = 1 + 0.001 s: exact at the optimum; sin^2 has period pi, so x^2 - y^2 is reduced mod pi.
    a, b = _pair(x)
    s, denominator = _schaffer_denominator(x)
    phase = _difference_of_squares_mod_pi(a, b)
    return (0.0005 * s * (2.0 + 0.001 * s) + jnp.sin(phase) ** 2) / denominator


def _schaffer_n4(x):
    # cos^2(sin|x^2 - y^2|) - 0.5 = cos(2 sin(x^2 - y^2)) / 2: cos^2 is even, so the abs drops out
    # (f is smooth), and the period pi of the composite lets x^2 - y^2 be reduced mod pi.
    a, b = _pair(x)
    s, denominator = _schaffer_denominator(x)
    phase = _difference_of_squares_mod_pi(a, b)
    return 0.5 + 0.5 * jnp.cos(2.0 * jnp.sin(phase)) / denominator


register(
    Objective(
        name="schaffer_n2",
        fn=jax.jit(_schaffer_n2),
        lower=_constant(-100.0),
        upper=_constant(100.0),
        f_opt_fn=_constant(0.0),
        x_opt_fn=lambda d: np.zeros((1, 2)),
        basin_target_fn=_constant(0.0015),
        basin_source=(
            "numerical search (functions.basins shells, ends checked by perturbed re-polishes): the "
            "local minima are the vertices x^2 - y^2 = +-k pi on the axes; the first, (+-1.77231, 0) "
            "and (0, +-1.77231), lies 0.0031266 above f*; target 0.0015"
        ),
        basin_scale=0.7,
        curvature_fn=secant_curvature("schaffer_n2", 0.35),
        reference=(
            "Schaffer N.2, as in Mishra (2006) / Jamil & Yang (2013) no. 112: 0.5 + (sin^2(x^2 - y^2) - "
            "0.5) / (1 + 0.001 (x^2 + y^2))^2 on [-100, 100]^2. The Hessian at 0 is 0.002 I (the "
            "(x^2 - y^2)^2 term takes over beyond |x| ~ 0.03): curvature is the secant one at half "
            "the basin scale"
        ),
        group="non-separable multimodal",
        tags=("multimodal", "non-separable"),
        dims=(2,),
        rotatable=True,
    )
)

SCHAFFER_N4_ROOT = 1.2531318314637332
SCHAFFER_N4_F_OPT = 0.29257863203598056

register(
    Objective(
        name="schaffer_n4",
        fn=jax.jit(_schaffer_n4),
        lower=_constant(-100.0),
        upper=_constant(100.0),
        f_opt_fn=_constant(SCHAFFER_N4_F_OPT),
        x_opt_fn=lambda d: np.array(
            [[0.0, SCHAFFER_N4_ROOT], [0.0, -SCHAFFER_N4_ROOT], [SCHAFFER_N4_ROOT, 0.0], [-SCHAFFER_N4_ROOT, 0.0]]
        ),
        basin_target_fn=_constant(0.0006),
        basin_source=(
            "numerical search (functions.basins shells, ends checked by perturbed re-polishes): the "
            "global minima are the vertices of x^2 - y^2 = +-pi/2; the next vertices, x^2 - y^2 = "
            "+-3 pi / 2 at (0, +-2.17070) and (+-2.17070, 0), lie 0.0012951 above f*; target 0.0006"
        ),
        basin_scale=0.9,
        reference=(
            "Schaffer N.4, as in Mishra (2006) / Jamil & Yang (2013) no. 114: 0.5 + (cos^2(sin|x^2 - "
            "y^2|) - 0.5) / (1 + 0.001 (x^2 + y^2))^2 on [-100, 100]^2 (a minus sign inside the abs: "
            "with x^2 + y^2 the minima would be a circle through (0.886227, 0.886227), where this "
            "form gives 0.998433); four global minima (0, +-1.2531318), (+-1.2531318, 0)"
        ),
        group="non-separable multimodal",
        tags=("multimodal", "non-separable", "several-global-minima"),
        dims=(2,),
        rotatable=True,
        value_scale_fn=_constant(0.5),
    )
)

# -- ackley n.3 --------------------------------------------------------------------------------

ACKLEY_N3_C = 0.02
ACKLEY_N3_X_OPT = _signs((0.6825771831515794, -0.36070186306103735), x=True, y=False)
ACKLEY_N3_F_OPT = -195.62902826227935


def _ackley_n3(x):
    # cos 3x = cos x (4 cos^2 x - 3), sin 3y = sin y (3 - 4 sin^2 y): the phase 3x is not rounded.
    a, b = _pair(x)
    ca, sb = jnp.cos(a), jnp.sin(b)
    oscillation = ca * (4.0 * ca**2 - 3.0) + sb * (3.0 - 4.0 * sb**2)
    return -200.0 * jnp.exp(-ACKLEY_N3_C * safe_sqrt(a**2 + b**2)) + 5.0 * jnp.exp(oscillation)


register(
    Objective(
        name="ackley_n3",
        fn=jax.jit(_ackley_n3),
        lower=_constant(-32.0),
        upper=_constant(32.0),
        f_opt_fn=_constant(ACKLEY_N3_F_OPT),
        x_opt_fn=lambda d: ACKLEY_N3_X_OPT,
        basin_target_fn=_constant(1.4),
        basin_source=(
            "numerical search (functions.basins shells, ends checked by perturbed re-polishes): the "
            "best non-global local minimum, (-0.84454, 1.23942) (and its mirror), lies 2.8147 above "
            "f*; target 1.4"
        ),
        basin_scale=2.0,
        reference=(
            "Ackley N.3 in the form of Jamil & Yang (2013) no. 4, c = 0.02: -200 exp(-0.02 sqrt(x^2 + "
            "y^2)) + 5 exp(cos 3x + sin 3y) on [-32, 32]^2; two global minima (+-0.682577, -0.360702), "
            "f* = -195.6290283 (Jamil & Yang state -219.1418, which no point attains; the variant with "
            "c = 0.2 has one minimum, -186.4112127 at (0, -0.0067735))"
        ),
        group="non-separable multimodal",
        tags=("multimodal", "non-separable", "non-differentiable", "several-global-minima"),
        dims=(2,),
        rotatable=True,
        value_scale_fn=_constant(200.0),
    )
)
