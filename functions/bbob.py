"""COCO's noiseless bbob suite, f1..f24, exactly as COCO computes it.

``bbob(fid, d, instance)`` is COCO's function ``fid`` in dimension ``d``, instance ``instance``,
with the values of ``cocoex.Suite("bbob", ...)``: ``tests/test_bbob.py`` finds them within 1e-9
relative in float64 (1e-12 for most functions; the cosines and sawtooths of large arguments in
f16, f19 and f23 round at up to 1e-9 in cocoex itself). The recipe is COCO 2.x's
(``code-experiments/src/f_*.c``, ``suite_bbob.c``, ``suite_bbob_legacy_code.c`` and
``transform_*.c`` of numbbo/coco, as shipped in cocoex 2.8.2), written again in ``jnp``:

* every random quantity comes from COCO's legacy bbob2009 generators: the uniform (a 32-entry
  shuffled Park-Miller LCG) and the Box-Muller Gaussian built on it, seeded with
  ``rseed = fid + 10000 * instance``, except f4 (seed of f3) and f18 (seed of f17);
  ``f_opt = clip(round(100 * g1 / g2, 2), -1000, 1000)`` from two Gaussians seeded with the
  same rule (``rseed`` and ``rseed + 1``); ``x_opt = 8 floor(1e4 u) / 1e4 - 4`` (0 becomes
  -1e-5); rotations are Gram-Schmidt orthonormalised Gaussian matrices, ``R`` from
  ``rseed + 1000000`` and ``Q`` from ``rseed``;
* the shared transformations are T_osz (``t_osz``), T_asy (``t_asy``), Lambda^alpha
  (``lambda_alpha``) and the box penalty f_pen (``f_pen``); each function's own details (the
  seeds, Schwefel's and Lunacek's x_opt, Rosenbrock's scaling, the linear slope's flat region
  beyond the box, the step ellipsoid's rounding, Gallagher's peaks, ...) are in its ``_fN``.

Each ``_fN`` computes ``f - f_opt`` (the penalty included) as a sum of terms that vanish at the
optimum, so ``delta`` has no cancellation; ``value`` adds f_opt last, as COCO does.
``1 - cos(2 pi z)`` is written ``2 sin(pi z)^2`` and ``prod - 1`` as ``expm1(sum log1p)``.
Where a formula is not differentiable the gradient is a stated choice, finite everywhere: T_osz
has slope 1 at 0 (its geometric-mean slope), ``|u|`` slope 0 at 0, roots (sharp ridge, different
powers, Schaffers, Schwefel) slope 0 at 0, rounding slope 0, and ``min``/``max`` JAX's tie rule.

Basins: unimodal functions (and f8/f9 with Rosenbrock's second minimum from d = 4) carry basin
data; the multimodal ones and the step ellipsoid's plateaus have ``has_basins=False`` (no basin
target: success is judged by the run's target). Curvature: the Hessian at
x_opt where it exists; otherwise a stated choice per function (``_curvature_f4``, ``_f5``,
``_f7``, or ``_sampled_curvature``: the median largest Hessian eigenvalue at distance 1 from x_opt).

COCO's own C code bounds the dimension: its rotation generator asserts ``d * d < 2000``, so the
functions with a rotation (all but f1-f5, f8 and f20) exist for ``2 <= d <= 44``; the others
for any ``d >= 2``. Instances start at 1 (there is no instance 0) and end where a seed would
leave the LCG's range (``MAX_INSTANCE``).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from ._math import safe_sqrt, sin2_pi
from ._objective import Objective, _constant
from ._registry import register

Arrays = dict[str, np.ndarray]

NUMBER_OF_FUNCTIONS = 24
MAX_ROTATED_DIM = 44  # COCO's bbob2009_compute_rotation asserts d * d < 2000
_LCG_MODULUS = 2147483647
_ROTATION_OFFSET = 1000000
# The largest seed COCO draws is fid + 10000 * instance + 1000000 (rotation R); beyond the LCG's
# modulus its C code indexes outside its shuffle table.
MAX_INSTANCE = (_LCG_MODULUS - 1 - _ROTATION_OFFSET - NUMBER_OF_FUNCTIONS) // 10000
_COCO_PI = 3.14159265358979323846
_REFERENCE = (
    "Hansen, Finck, Ros & Auger (2009), Real-parameter black-box optimization benchmarking 2009: "
    "noiseless functions definitions (INRIA RR-6829); exact COCO 2.x implementation, checked "
    "against cocoex 2.8.2"
)

# -- COCO's legacy bbob2009 random generators (numpy, float64, bit for bit) -------------------


def coco_uniform(n: int, seed: int) -> np.ndarray:
    """bbob2009_unif: n uniforms in (0, 1) from COCO's shuffled Park-Miller generator."""
    state = max(abs(int(seed)), 1)
    table = [0] * 32
    for i in range(39, -1, -1):  # 8 warm-up draws, then fill the shuffle table
        quotient = state // 127773
        state = 16807 * (state - quotient * 127773) - 2836 * quotient
        if state < 0:
            state += _LCG_MODULUS
        if i < 32:
            table[i] = state
    chosen = table[0]
    out = np.empty(n)
    for i in range(n):
        quotient = state // 127773
        state = 16807 * (state - quotient * 127773) - 2836 * quotient
        if state < 0:
            state += _LCG_MODULUS
        slot = chosen // 67108865
        chosen = table[slot]
        table[slot] = state
        out[i] = chosen / 2.147483647e9 or 1e-99
    return out


def coco_gauss(n: int, seed: int) -> np.ndarray:
    """bbob2009_gauss: n Box-Muller normals from 2n uniforms (``math`` calls C's libm, as COCO)."""
    u = coco_uniform(2 * n, seed)
    radius = [math.sqrt(-2.0 * math.log(v)) for v in u[:n]]
    return np.array([r * math.cos(2.0 * _COCO_PI * v) or 1e-99 for r, v in zip(radius, u[n:])])


def coco_rotation(seed: int, d: int) -> np.ndarray:
    """bbob2009_compute_rotation: Gram-Schmidt on the columns of a Gaussian matrix."""
    if d > MAX_ROTATED_DIM:
        raise ValueError(f"bbob: COCO's rotations exist for d <= {MAX_ROTATED_DIM} (d * d < 2000), got d={d}")
    matrix = coco_gauss(d * d, seed).reshape(d, d).T.copy()  # B[i][j] = g[j * d + i]
    for i in range(d):
        for j in range(i):
            matrix[:, i] -= np.dot(matrix[:, i], matrix[:, j]) * matrix[:, j]
        matrix[:, i] /= math.sqrt(np.dot(matrix[:, i], matrix[:, i]))
    return matrix


def coco_xopt(seed: int, d: int) -> np.ndarray:
    """bbob2009_compute_xopt: a grid point of step 8e-4 in [-4, 4), never exactly 0."""
    x = np.array([8.0 * math.floor(1e4 * u) / 1e4 - 4.0 for u in coco_uniform(d, seed)])
    x[x == 0.0] = -1e-5
    return x


def coco_fopt(fid: int, instance: int) -> float:
    """bbob2009_compute_fopt: f_opt rounded to 2 decimals and clipped to [-1000, 1000]."""
    seed = _seed_function(fid) + 10000 * instance
    ratio = coco_gauss(1, seed)[0] / coco_gauss(1, seed + 1)[0]
    return min(1000.0, max(-1000.0, math.floor(100.0 * 100.0 * ratio + 0.5) / 100.0))


def lambda_alpha(alpha: float, d: int) -> np.ndarray:
    """The diagonal of Lambda^alpha: alpha^(i / (2 (d - 1))), i = 0..d-1."""
    return np.array([alpha ** (0.5 * i / (d - 1.0)) for i in range(d)])


def _condition_powers(condition: float, d: int) -> np.ndarray:
    """condition^(i / (d - 1)): the ellipsoid weights."""
    return np.array([condition ** (i / (d - 1.0)) for i in range(d)])


def _seed_function(fid: int) -> int:
    return {4: 3, 18: 17}.get(fid, fid)


# -- transformations (jnp) --------------------------------------------------------------------


def _as(array: np.ndarray | float, x):
    return jnp.asarray(array, dtype=x.dtype)


def _times(x, matrix: np.ndarray):
    """matrix @ v for every row v of x[..., d], at full precision on every backend."""
    return jnp.matmul(x, _as(matrix.T, x), precision=jax.lax.Precision.HIGHEST)


def t_osz(x):
    """T_osz, the oscillation: sign(x) exp(log|x| + 0.049 (sin(c1 log|x|) + sin(c2 log|x|))),
    (c1, c2) = (10, 7.9) for x > 0 and (5.5, 3.1) for x < 0; T_osz(0) = 0 with slope 1.

    COCO takes ``pow(exp(10 log x + ...), 0.1)``, which underflows to 0 for |x| < 1e-32; this
    form does not (the two differ there by less than 1e-32)."""
    nonzero = x != 0
    safe = jnp.where(nonzero, x, 1.0)
    log_abs = jnp.log(jnp.abs(safe))
    positive = safe > 0
    c1 = jnp.where(positive, _as(10.0, x), _as(5.5, x))
    c2 = jnp.where(positive, _as(7.9, x), _as(3.1, x))
    out = jnp.sign(safe) * jnp.exp(log_abs + 0.049 * (jnp.sin(c1 * log_abs) + jnp.sin(c2 * log_abs)))
    return jnp.where(nonzero, out, x)  # the identity branch: slope 1 at 0


def t_asy(x, beta: float):
    """T_asy^beta: x_i^(1 + beta i / (d - 1) sqrt(x_i)) for x_i > 0, x_i otherwise (slope 1 at 0)."""
    d = x.shape[-1]
    exponent = _as(beta * np.arange(d) / (d - 1.0), x)
    positive = x > 0
    safe = jnp.where(positive, x, 1.0)
    return jnp.where(positive, safe ** (1.0 + exponent * jnp.sqrt(safe)), x)


def f_pen(x):
    """COCO's box penalty: sum_i max(0, |x_i| - 5)^2."""
    return jnp.sum(jnp.maximum(jnp.abs(x) - 5.0, 0.0) ** 2, axis=-1)


def _abs(u):
    """|u| with slope 0 at u = 0 (jnp.abs has slope 1 there)."""
    return u * jnp.sign(u)


def _coco_round(u):
    """coco_double_round: floor(u + 0.5) (halves round up, not to even)."""
    return jnp.floor(u + 0.5)


def _rastrigin(z):
    """10 (d - sum cos(2 pi z)) + sum z^2, as the non-negative terms 20 sin(pi z)^2 + z^2."""
    return jnp.sum(20.0 * sin2_pi(z) + z**2, axis=-1)


def _rosenbrock_at_one_plus(w):
    """Rosenbrock at z = 1 + w, in w so that the terms vanish exactly at the optimum."""
    head, tail = w[..., :-1], w[..., 1:]
    return jnp.sum(100.0 * (head * (2.0 + head) - tail) ** 2 + head**2, axis=-1)


# -- the 24 functions: constants (numpy, per d and seed) and f - f_opt (jnp) -------------------


def _standard(d: int, seed: int) -> Arrays:
    return {"x_opt": coco_xopt(seed, d)}


def _rotated(d: int, seed: int) -> Arrays:
    return {"x_opt": coco_xopt(seed, d), "R": coco_rotation(seed + _ROTATION_OFFSET, d)}


def _rotated_conditioned(alpha: float, d: int, seed: int) -> Arrays:
    """x_opt, R and M = R Lambda^alpha Q (COCO's two-rotation affine map)."""
    rot_r, rot_q = coco_rotation(seed + _ROTATION_OFFSET, d), coco_rotation(seed, d)
    return {"x_opt": coco_xopt(seed, d), "R": rot_r, "M": (rot_r * lambda_alpha(alpha, d)) @ rot_q}


def _f1(c: Arrays, x):
    return jnp.sum((x - _as(c["x_opt"], x)) ** 2, axis=-1)


def _f2_constants(d: int, seed: int) -> Arrays:
    return {"x_opt": coco_xopt(seed, d), "weights": _condition_powers(1e6, d)}


def _f2(c: Arrays, x):
    z = t_osz(x - _as(c["x_opt"], x))
    return jnp.sum(_as(c["weights"], x) * z**2, axis=-1)


def _f3_constants(d: int, seed: int) -> Arrays:
    return {"x_opt": coco_xopt(seed, d), "scale": lambda_alpha(10.0, d)}


def _f3(c: Arrays, x):
    z = _as(c["scale"], x) * t_asy(t_osz(x - _as(c["x_opt"], x)), 0.2)
    return _rastrigin(z)


def _f4_constants(d: int, seed: int) -> Arrays:
    x_opt = coco_xopt(seed, d)
    x_opt[::2] = np.abs(x_opt[::2])  # in COCO's legacy code, not in the definitions
    even = (np.arange(d) % 2 == 0).astype(np.float64)
    return {"x_opt": x_opt, "scale": lambda_alpha(10.0, d), "even": even}


def _f4(c: Arrays, x):
    y = t_osz(x - _as(c["x_opt"], x))
    scale = _as(c["scale"], x)
    # Bueche's s_i: 10 times more on positive even-indexed (COCO: 0-based) coordinates.
    s = jnp.where((y > 0) & (_as(c["even"], x) > 0), 10.0 * scale, scale)
    return _rastrigin(s * y) + 100.0 * f_pen(x)


def _f5_constants(d: int, seed: int) -> Arrays:
    sign = np.where(coco_xopt(seed, d) < 0.0, -1.0, 1.0)
    return {"x_opt": 5.0 * sign, "sign": sign, "slope": lambda_alpha(100.0, d)}


def _f5(c: Arrays, x):
    # sum 5 |s_i| - s_i x_i, s_i = sign_i sqrt(100)^(i/(d-1)), written |s_i| (5 - sign_i x_i) (no
    # cancellation); COCO flattens each coordinate once it passes the box (sign_i x_i >= 5).
    u = _as(c["sign"], x) * x
    return jnp.sum(_as(c["slope"], x) * jnp.where(u < 5.0, 5.0 - u, 0.0), axis=-1)


def _f6(c: Arrays, x):
    x_opt = _as(c["x_opt"], x)
    z = _times(x - x_opt, c["M"])
    q = jnp.sum(jnp.where(x_opt * z > 0, 1e4, 1.0) * z**2, axis=-1)
    y = t_osz(q)
    positive = y > 0
    return jnp.where(positive, jnp.where(positive, y, 1.0) ** 0.9, 0.0)


def _f7_constants(d: int, seed: int) -> Arrays:
    return {
        "x_opt": coco_xopt(seed, d),
        "R": coco_rotation(seed + _ROTATION_OFFSET, d),
        "Q": coco_rotation(seed, d),
        "scale": lambda_alpha(10.0, d),
        "weights": _condition_powers(100.0, d),
    }


def _f7(c: Arrays, x):
    z_hat = _as(c["scale"], x) * _times(x - _as(c["x_opt"], x), c["Q"])
    z_tilde = jnp.where(jnp.abs(z_hat) > 0.5, _coco_round(z_hat), _coco_round(10.0 * z_hat) / 10.0)
    z = _times(z_tilde, c["R"])
    ellipsoid = jnp.sum(_as(c["weights"], x) * z**2, axis=-1)
    return 0.1 * jnp.maximum(1e-4 * _abs(z_hat[..., 0]), ellipsoid) + f_pen(x)


def _rosenbrock_factor(d: int) -> float:
    return max(1.0, math.sqrt(d) / 8.0)


def _f8_constants(d: int, seed: int) -> Arrays:
    return {"x_opt": 0.75 * coco_xopt(seed, d), "factor": np.array(_rosenbrock_factor(d))}


def _f8(c: Arrays, x):
    return _rosenbrock_at_one_plus(_as(c["factor"], x) * (x - _as(c["x_opt"], x)))


def _f9_constants(d: int, seed: int) -> Arrays:
    factor = _rosenbrock_factor(d)
    rotation = coco_rotation(seed, d)
    # COCO: z = factor R x + 1/2, so z = 1 at x_opt = R^T 1 / (2 factor) (COCO's best_parameter).
    return {"x_opt": rotation.sum(axis=0) / (2.0 * factor), "M": factor * rotation}


def _f9(c: Arrays, x):
    # z - 1 = factor R (x - x_opt): exactly 0 at x_opt (COCO's factor R x - 1/2 is 0 up to rounding).
    return _rosenbrock_at_one_plus(_times(x - _as(c["x_opt"], x), c["M"]))


def _f10_constants(d: int, seed: int) -> Arrays:
    return {**_rotated(d, seed), "weights": _condition_powers(1e6, d)}


def _f10(c: Arrays, x):
    z = t_osz(_times(x - _as(c["x_opt"], x), c["R"]))
    return jnp.sum(_as(c["weights"], x) * z**2, axis=-1)


def _f11(c: Arrays, x):
    z = t_osz(_times(x - _as(c["x_opt"], x), c["R"]))
    return 1e6 * z[..., 0] ** 2 + jnp.sum(z[..., 1:] ** 2, axis=-1)


def _f12_constants(d: int, seed: int) -> Arrays:
    # COCO draws the bent cigar's x_opt from rseed + 1000000, the seed of its rotation.
    return {"x_opt": coco_xopt(seed + _ROTATION_OFFSET, d), "R": coco_rotation(seed + _ROTATION_OFFSET, d)}


def _f12(c: Arrays, x):
    z = _times(t_asy(_times(x - _as(c["x_opt"], x), c["R"]), 0.5), c["R"])
    return z[..., 0] ** 2 + 1e6 * jnp.sum(z[..., 1:] ** 2, axis=-1)


def _f13(c: Arrays, x):
    z = _times(x - _as(c["x_opt"], x), c["M"])
    return z[..., 0] ** 2 + 100.0 * safe_sqrt(jnp.sum(z[..., 1:] ** 2, axis=-1))


def _f14_constants(d: int, seed: int) -> Arrays:
    return {**_rotated(d, seed), "powers": 2.0 + 4.0 * np.arange(d) / (d - 1.0)}


def _f14(c: Arrays, x):
    z = _times(x - _as(c["x_opt"], x), c["R"])
    return safe_sqrt(jnp.sum(jnp.abs(z) ** _as(c["powers"], x), axis=-1))


def _f15(c: Arrays, x):
    y = t_asy(t_osz(_times(x - _as(c["x_opt"], x), c["R"])), 0.2)
    return _rastrigin(_times(y, c["M"]))


_WEIERSTRASS_TERMS = 12


def _f16(c: Arrays, x):
    # 10 (1/d sum_i sum_k a_k cos(2 pi b_k (z_i + 1/2)) - f0)^3 with a_k = 1/2^k, b_k = 3^k and
    # f0 = sum_k a_k cos(pi b_k) = -sum_k a_k (b_k is odd): each term plus a_k is 2 a_k sin(pi b_k z)^2.
    z = _times(t_osz(_times(x - _as(c["x_opt"], x), c["R"])), c["M"])
    k = np.arange(_WEIERSTRASS_TERMS)
    terms = jnp.sum(_as(0.5**k, x) * sin2_pi(_as(3.0**k, x) * z[..., None]), axis=-1)
    d = x.shape[-1]
    return 10.0 * (2.0 / d * jnp.sum(terms, axis=-1)) ** 3 + 10.0 / d * f_pen(x)


def _f17_constants(condition: float, d: int, seed: int) -> Arrays:
    rot_q = coco_rotation(seed, d)
    return {
        "x_opt": coco_xopt(seed, d),
        "R": coco_rotation(seed + _ROTATION_OFFSET, d),
        "M": lambda_alpha(condition, d)[:, None] * rot_q,  # Lambda^condition Q
    }


def _f17(c: Arrays, x):
    z = _times(t_asy(_times(x - _as(c["x_opt"], x), c["R"]), 0.5), c["M"])
    s = z[..., :-1] ** 2 + z[..., 1:] ** 2
    positive = s > 0
    safe = jnp.where(positive, s, 1.0)
    terms = jnp.where(positive, safe**0.25 * (1.0 + jnp.sin(50.0 * safe**0.1) ** 2), 0.0)
    return (jnp.sum(terms, axis=-1) / (x.shape[-1] - 1.0)) ** 2 + 10.0 * f_pen(x)


def _f19_constants(d: int, seed: int) -> Arrays:
    scale = _rosenbrock_factor(d)
    rotation = coco_rotation(seed, d)
    # z = scale R x + 1/2 is 1 at R^T 1 / (2 scale). COCO's best_parameter is R^T 1 / 2, the same
    # point while scale = 1 (d <= 64, so always here).
    return {"x_opt": rotation.sum(axis=0) / (2.0 * scale), "M": scale * rotation}


def _f19(c: Arrays, x):
    w = _times(x - _as(c["x_opt"], x), c["M"])
    head, tail = w[..., :-1], w[..., 1:]
    s = 100.0 * (head * (2.0 + head) - tail) ** 2 + head**2
    # 10 + 10/(d-1) sum(s/4000 - cos s), with 1 - cos s = 2 sin(s/2)^2.
    return 10.0 / (x.shape[-1] - 1.0) * jnp.sum(s / 4000.0 + 2.0 * jnp.sin(0.5 * s) ** 2, axis=-1)


_SCHWEFEL_CONSTANT = 418.9828872724339  # COCO's; the true maximum of z sin(sqrt z) is 2e-13 lower
_SCHWEFEL_HALF_OPT = 0.5 * 4.2096874637


def _f20_constants(d: int, seed: int) -> Arrays:
    sign = np.where(coco_uniform(d, seed) - 0.5 < 0.0, -1.0, 1.0)
    return {"x_opt": _SCHWEFEL_HALF_OPT * sign, "sign": sign, "scale": lambda_alpha(10.0, d)}


def _f20(c: Arrays, x):
    two_abs_opt = 2.0 * _SCHWEFEL_HALF_OPT
    x_hat = 2.0 * _as(c["sign"], x) * x
    z_hat = jnp.concatenate(
        [x_hat[..., :1], x_hat[..., 1:] + 0.25 * (x_hat[..., :-1] - two_abs_opt)],
        axis=-1,
    )
    z = 100.0 * (_as(c["scale"], x) * (z_hat - two_abs_opt) + two_abs_opt)
    penalty = jnp.sum(jnp.maximum(jnp.abs(z) - 500.0, 0.0) ** 2, axis=-1)
    terms = _SCHWEFEL_CONSTANT - z * jnp.sin(safe_sqrt(jnp.abs(z)))
    return 0.01 * (penalty + jnp.sum(terms, axis=-1) / x.shape[-1])


def _gallagher_constants(peaks: int, d: int, seed: int) -> Arrays:
    rotation = coco_rotation(seed, d)
    if peaks == 101:
        first_condition, b, c = math.sqrt(1000.0), 10.0, 5.0
    else:
        first_condition, b, c = 1000.0, 9.8, 4.9
    order = np.argsort(coco_uniform(peaks - 1, seed), kind="stable")
    conditions = [first_condition] + [1000.0 ** (order[i - 1] / (peaks - 2.0)) for i in range(1, peaks)]
    weights = [10.0] + [(i - 1.0) / (peaks - 2.0) * (9.1 - 1.1) + 1.1 for i in range(1, peaks)]
    scales = np.empty((peaks, d))
    for i in range(peaks):
        ranks = np.argsort(coco_uniform(d, seed + 1000 * i), kind="stable")
        scales[i] = [conditions[i] ** (ranks[j] / (d - 1.0) - 0.5) for j in range(d)]
    centres = b * coco_uniform(d * peaks, seed).reshape(peaks, d) - c  # before the rotation
    centres[0] *= 0.8
    return {
        "x_opt": centres[0],
        "R": rotation,
        "weights": np.asarray(weights[1:]),
        "scales": scales,
        "peaks": centres[1:] @ rotation.T,  # rotated centres of the other peaks
    }


def _gallagher(c: Arrays, x):
    d = x.shape[-1]
    rotated = _times(x, c["R"])
    q = jnp.sum(_as(c["scales"][1:], x) * (rotated[..., None, :] - _as(c["peaks"], x)) ** 2, axis=-1)
    # The global peak in R (x - x_opt), so that q_0 is exactly 0 at x_opt.
    q0 = jnp.sum(_as(c["scales"][0], x) * _times(x - _as(c["x_opt"], x), c["R"]) ** 2, axis=-1)
    gaps = jnp.concatenate(
        [-10.0 * jnp.expm1(-q0 / (2.0 * d))[..., None], 10.0 - _as(c["weights"], x) * jnp.exp(-q / (2.0 * d))],
        axis=-1,
    )
    return t_osz(jnp.min(gaps, axis=-1)) ** 2 + f_pen(x)  # 10 - max_i w_i exp(-q_i / (2 d)) = min gap


_KATSUURA_TERMS = 32


def _f23(c: Arrays, x):
    d = x.shape[-1]
    z = _times(x - _as(c["x_opt"], x), c["M"])
    powers = _as(2.0 ** np.arange(1, _KATSUURA_TERMS + 1), x)
    v = z[..., None] * powers
    t = jnp.sum(_abs(v - _coco_round(v)) / powers, axis=-1)
    exponent = 10.0 / d**1.2
    log_prod = jnp.sum(exponent * jnp.log1p(_as(np.arange(1, d + 1), x) * t), axis=-1)
    return 10.0 / (d * d) * jnp.expm1(log_prod) + f_pen(x)


_LUNACEK_MU0 = 2.5


def _lunacek_shape(d: int) -> tuple[float, float]:
    """(s, mu1) of Lunacek's second funnel."""
    s = 1.0 - 0.5 / (math.sqrt(d + 20.0) - 4.1)
    return s, -math.sqrt((_LUNACEK_MU0**2 - 1.0) / s)


def _f24_constants(d: int, seed: int) -> Arrays:
    # COCO overwrites the drawn x_opt with mu0 / 2 times the signs of d Gaussians (seed rseed).
    sign = np.where(coco_gauss(d, seed) < 0.0, -1.0, 1.0)
    rot_r, rot_q = coco_rotation(seed + _ROTATION_OFFSET, d), coco_rotation(seed, d)
    return {
        "x_opt": 0.5 * _LUNACEK_MU0 * sign,
        "sign": sign,
        "M": (rot_r * lambda_alpha(100.0, d)) @ rot_q,
    }


def _f24(c: Arrays, x):
    d = x.shape[-1]
    s, mu1 = _lunacek_shape(d)
    x_hat = 2.0 * _as(c["sign"], x) * x
    first = jnp.sum((x_hat - _LUNACEK_MU0) ** 2, axis=-1)
    second = d + s * jnp.sum((x_hat - mu1) ** 2, axis=-1)
    z = _times(x_hat - _LUNACEK_MU0, c["M"])
    return jnp.minimum(first, second) + jnp.sum(20.0 * sin2_pi(z), axis=-1) + 1e4 * f_pen(x)


# -- curvature where the Hessian at x_opt is 0, infinite or meaningless -----------------------

_SAMPLED_POINTS = 16
_SAMPLED_RADIUS = 1.0


@functools.cache
def _sampled_curvature(fid: int, d: int, instance: int) -> float:
    """Median over 16 points at distance 1 from x_opt (seeded by fid, d, instance) of the largest
    Hessian eigenvalue, float64: the curvature gradient descent meets near the optimum."""
    objective = bbob(fid, d, instance)
    directions = np.random.default_rng([fid, d, instance]).standard_normal((_SAMPLED_POINTS, d))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    points = jnp.asarray(_constants(fid, d, instance)["x_opt"] + _SAMPLED_RADIUS * directions, dtype=jnp.float64)
    # A one-off evaluation, so compile time dominates: XLA's backend optimisations are not worth it.
    program = jax.jit(jax.vmap(jax.hessian(objective.delta)), compiler_options={"xla_backend_optimization_level": 0})
    hessians = np.asarray(program(points))
    return float(np.median(np.linalg.eigvalsh(hessians).max(axis=-1)))


def _curvature_f4(fid: int, d: int, instance: int) -> float:
    """Rastrigin's curvature 4 pi^2 10 + 2 times the larger (x10) side of Bueche's s_i squared:
    the Hessian at x_opt jumps across each z_i = 0."""
    c = _constants(fid, d, instance)
    return float((40.0 * math.pi**2 + 2.0) * np.max((c["scale"] * np.where(c["even"] > 0, 10.0, 1.0)) ** 2))


def _curvature_f5(fid: int, d: int, instance: int) -> float:
    """Linear: no curvature. L = max_i |s_i| / 5 = 2, so a step 2 / L crosses the box (width 10)
    along the steepest coordinate in one step."""
    return float(np.max(_constants(fid, d, instance)["slope"]) / 5.0)


def _curvature_f7(fid: int, d: int, instance: int) -> float:
    """Rounding makes the Hessian 0 almost everywhere; L is that of the unrounded ellipsoid
    0.1 sum c_i z_i^2, z = R Lambda^10 Q (x - x_opt), which the plateaus follow."""
    c = _constants(fid, d, instance)
    linear = (c["R"] * c["scale"]) @ c["Q"]
    return float(np.linalg.eigvalsh(0.2 * linear.T @ (c["weights"][:, None] * linear)).max())


# -- the table of functions -------------------------------------------------------------------

_UNIMODAL = "unimodal: every local minimum is global"
_MULTIMODAL = "multimodal; no defensible basin target (has_basins=False): success is judged by the target"


def _rosenbrock_target(d: int) -> float | None:
    return None if d <= 3 else 1.5


_ROSENBROCK_SOURCE = (
    "d <= 3: unimodal; d >= 4: the second local minimum of Rosenbrock's function near "
    "z = (-1, 1, ..., 1), f - f* ~ 3.70-3.99 (Shang & Qiu 2006; COCO's map x -> z is affine, so "
    "f - f* is unchanged); target 1.5, as for the classic rosenbrock"
)


_ROTATED_CONDITIONED_10 = functools.partial(_rotated_conditioned, 10.0)
_NO_TARGET = _constant(None)  # has_basins=False: no defensible target (Objective.basin_target is None)


@dataclasses.dataclass(frozen=True)
class _Spec:
    """One bbob function: its COCO constants, f - f_opt, and what is known about its minima."""

    title: str
    constants: Callable[[int, int], Arrays]  # (d, COCO's rseed) -> arrays, x_opt included
    delta: Callable[[Arrays, jax.Array], jax.Array]
    tags: tuple[str, ...]
    basin_scale: float
    basin_source: str
    has_basins: bool = False
    basin_target: Callable[[int], float | None] = _NO_TARGET
    curvature: Callable[[int, int, int], float] | None = None  # (fid, d, instance); None: Hessian at x_opt
    rotated: bool = True
    note: str = ""


_SPECS: dict[int, _Spec] = {
    1: _Spec(
        title="sphere",
        constants=_standard,
        delta=_f1,
        tags=("unimodal", "separable"),
        basin_scale=10.0,
        basin_source=_UNIMODAL,
        has_basins=True,
        basin_target=_constant(None),
        rotated=False,
    ),
    2: _Spec(
        title="separable ellipsoid",
        constants=_f2_constants,
        delta=_f2,
        tags=("unimodal", "separable", "ill-conditioned"),
        basin_scale=10.0,
        basin_source=_UNIMODAL,
        has_basins=True,
        basin_target=_constant(None),
        rotated=False,
    ),
    3: _Spec(
        title="separable Rastrigin",
        constants=_f3_constants,
        delta=_f3,
        tags=("multimodal", "separable"),
        basin_scale=0.5,
        basin_source=f"{_MULTIMODAL}; minima about 1 / Lambda^10_i (0.32-1) apart",
        rotated=False,
    ),
    4: _Spec(
        title="Bueche-Rastrigin",
        constants=_f4_constants,
        delta=_f4,
        tags=("multimodal", "separable"),
        basin_scale=0.5,
        basin_source=f"{_MULTIMODAL}; minima 1 / s_i apart (0.03-1)",
        curvature=_curvature_f4,
        rotated=False,
        note="; x_opt has its even (0-based) coordinates made positive, as in COCO's legacy code",
    ),
    5: _Spec(
        title="linear slope",
        constants=_f5_constants,
        delta=_f5,
        tags=("unimodal", "separable", "non-differentiable"),
        basin_scale=10.0,
        basin_source=f"{_UNIMODAL} (the flat region sign(x_opt_i) x_i >= 5 for all i)",
        has_basins=True,
        basin_target=_constant(None),
        curvature=_curvature_f5,
        rotated=False,
        note="; x_opt = 5 sign(x_opt_i) is a box corner, and every x with sign(x_opt_i) x_i >= 5 for "
        "all i is a global minimiser too (COCO flattens the slope beyond the box)",
    ),
    6: _Spec(
        title="attractive sector",
        constants=_ROTATED_CONDITIONED_10,
        delta=_f6,
        tags=("unimodal", "non-separable"),
        basin_scale=10.0,
        basin_source=_UNIMODAL,
        has_basins=True,
        basin_target=_constant(None),
        curvature=_sampled_curvature,
        note="; the Hessian at x_opt is infinite (a power 0.9 of a quadratic)",
    ),
    7: _Spec(
        title="step ellipsoid",
        constants=_f7_constants,
        delta=_f7,
        tags=("unimodal", "non-separable", "plateaus", "non-differentiable"),
        basin_scale=0.5,
        basin_source="plateaus: every plateau is a (non-strict) local minimum, so no defensible basin "
        "target (has_basins=False); plateaus 1 / Lambda^10_i (0.32-1) wide in x, 10 times narrower "
        "where |z_hat_i| < 1/2",
        curvature=_curvature_f7,
        note="; f_opt is attained on a set around x_opt (z_hat_1 = 0 and every |z_hat_i| < 0.05)",
    ),
    8: _Spec(
        title="Rosenbrock, original",
        constants=_f8_constants,
        delta=_f8,
        tags=("multimodal", "non-separable"),
        basin_scale=2.0,
        basin_source=_ROSENBROCK_SOURCE,
        has_basins=True,
        basin_target=_rosenbrock_target,
        rotated=False,
    ),
    9: _Spec(
        title="Rosenbrock, rotated",
        constants=_f9_constants,
        delta=_f9,
        tags=("multimodal", "non-separable"),
        basin_scale=2.0,
        basin_source=_ROSENBROCK_SOURCE,
        has_basins=True,
        basin_target=_rosenbrock_target,
    ),
    10: _Spec(
        title="ellipsoid",
        constants=_f10_constants,
        delta=_f10,
        tags=("unimodal", "non-separable", "ill-conditioned"),
        basin_scale=10.0,
        basin_source=_UNIMODAL,
        has_basins=True,
        basin_target=_constant(None),
    ),
    11: _Spec(
        title="discus",
        constants=_rotated,
        delta=_f11,
        tags=("unimodal", "non-separable", "ill-conditioned"),
        basin_scale=10.0,
        basin_source=_UNIMODAL,
        has_basins=True,
        basin_target=_constant(None),
    ),
    12: _Spec(
        title="bent cigar",
        constants=_f12_constants,
        delta=_f12,
        tags=("unimodal", "non-separable", "ill-conditioned"),
        basin_scale=10.0,
        basin_source=_UNIMODAL,
        has_basins=True,
        basin_target=_constant(None),
        note="; x_opt is drawn from seed rseed + 1000000 (that of R), unlike the other functions",
    ),
    13: _Spec(
        title="sharp ridge",
        constants=_ROTATED_CONDITIONED_10,
        delta=_f13,
        tags=("unimodal", "non-separable", "ill-conditioned", "non-differentiable"),
        basin_scale=10.0,
        basin_source=_UNIMODAL,
        has_basins=True,
        basin_target=_constant(None),
        curvature=_sampled_curvature,
        note="; not differentiable on the ridge z_2 = ... = z_d = 0",
    ),
    14: _Spec(
        title="different powers",
        constants=_f14_constants,
        delta=_f14,
        tags=("unimodal", "non-separable", "ill-conditioned", "non-differentiable"),
        basin_scale=10.0,
        basin_source=_UNIMODAL,
        has_basins=True,
        basin_target=_constant(None),
        curvature=_sampled_curvature,
        note="; a cone at x_opt (the square root of |z_1|^2 + ...)",
    ),
    15: _Spec(
        title="Rastrigin, rotated",
        constants=_ROTATED_CONDITIONED_10,
        delta=_f15,
        tags=("multimodal", "non-separable", "non-differentiable"),
        basin_scale=0.5,
        basin_source=f"{_MULTIMODAL}; minima about 1 / Lambda^10_i (0.32-1) apart",
        note="; T_osz inside a rotation: not differentiable where a coordinate of R (x - x_opt) is 0",
    ),
    16: _Spec(
        title="Weierstrass",
        constants=functools.partial(_rotated_conditioned, 0.01),
        delta=_f16,
        tags=("multimodal", "non-separable", "rugged", "non-differentiable"),
        basin_scale=1.0,
        basin_source=f"{_MULTIMODAL}; every integer z is a global minimum (period 1 in z, 1-10 in x); "
        "the finer terms add local minima down to 3^-11 apart",
        curvature=_sampled_curvature,
        note="; x_opt is one of many global minimisers (every integer z); the Hessian at x_opt is 0 (a cube)",
    ),
    17: _Spec(
        title="Schaffers F7",
        constants=functools.partial(_f17_constants, 10.0),
        delta=_f17,
        tags=("multimodal", "non-separable", "non-differentiable"),
        basin_scale=0.3,
        basin_source=f"{_MULTIMODAL}; ripples of sin(50 s^0.1) about 0.3 apart at |z| ~ 1",
        curvature=_sampled_curvature,
        note="; a cone at x_opt (s^0.25, squared)",
    ),
    18: _Spec(
        title="Schaffers F7, moderately ill-conditioned",
        constants=functools.partial(_f17_constants, 1000.0),
        delta=_f17,
        tags=("multimodal", "non-separable", "ill-conditioned", "non-differentiable"),
        basin_scale=0.3,
        basin_source=f"{_MULTIMODAL}; ripples of sin(50 s^0.1) about 0.3 apart at |z| ~ 1",
        curvature=_sampled_curvature,
        note="; seeds and f_opt are f17's; a cone at x_opt",
    ),
    19: _Spec(
        title="composite Griewank-Rosenbrock F8F2",
        constants=_f19_constants,
        delta=_f19,
        tags=("multimodal", "non-separable"),
        basin_scale=0.5,
        basin_source=f"{_MULTIMODAL}; rings s = 2 pi k about 1 apart along the Rosenbrock valley, 0.25 across it",
        note="; the Hessian at x_opt is that of s / 4000, far flatter than the cosine ripples around it",
    ),
    20: _Spec(
        title="Schwefel x sin(x)",
        constants=_f20_constants,
        delta=_f20,
        tags=("multimodal", "non-separable", "deceptive"),
        basin_scale=1.0,
        basin_source=f"{_MULTIMODAL}; minima of z sin(sqrt z) about 260 apart in z, 0.4-1.3 in x",
        rotated=False,
        note="; x_opt = 4.2096874637 sign / 2 (COCO's best_parameter uses 4.2096874633, 2e-10 away: the "
        "same f); COCO's constant 418.9828872724339 exceeds max z sin(sqrt z) by 2e-13, so the minimum "
        "of f - f_opt is 2.1e-15, not 0",
    ),
    21: _Spec(
        title="Gallagher 101 peaks",
        constants=functools.partial(_gallagher_constants, 101),
        delta=_gallagher,
        tags=("multimodal", "non-separable", "non-differentiable"),
        basin_scale=2.0,
        basin_source=f"{_MULTIMODAL}; 101 peaks uniform in [-5, 5]^d, neighbours about 10 n^(-1/d) apart "
        "(1 at d = 2)",
        curvature=_sampled_curvature,
        note="; f - f_opt is quartic at x_opt (T_osz(10 - peak)^2), so the Hessian there is 0",
    ),
    22: _Spec(
        title="Gallagher 21 peaks",
        constants=functools.partial(_gallagher_constants, 21),
        delta=_gallagher,
        tags=("multimodal", "non-separable", "non-differentiable"),
        basin_scale=2.0,
        basin_source=f"{_MULTIMODAL}; 21 peaks uniform in [-4.9, 4.9]^d, neighbours about 10 n^(-1/d) "
        "apart (2.2 at d = 2)",
        curvature=_sampled_curvature,
        note="; f - f_opt is quartic at x_opt (T_osz(10 - peak)^2), so the Hessian there is 0",
    ),
    23: _Spec(
        title="Katsuura",
        constants=functools.partial(_rotated_conditioned, 100.0),
        delta=_f23,
        tags=("multimodal", "non-separable", "rugged", "non-differentiable"),
        basin_scale=0.2,
        basin_source=f"{_MULTIMODAL}; fractal: every z in (Z/2)^d is a global minimum (0.05-0.5 apart in x)",
        curvature=_sampled_curvature,
        note="; x_opt is one of many global minimisers (every z in (Z/2)^d inside the box)",
    ),
    24: _Spec(
        title="Lunacek bi-Rastrigin",
        constants=_f24_constants,
        delta=_f24,
        tags=("multimodal", "non-separable", "deceptive", "non-differentiable"),
        basin_scale=0.2,
        basin_source=f"{_MULTIMODAL}; Rastrigin minima 1 / (2 Lambda^100_i) apart (0.05-0.5) in two funnels",
        note="; x_opt = mu0 / 2 times the signs of d Gaussians (COCO overwrites the drawn x_opt)",
    ),
}

_GROUPS = (
    (range(1, 6), "separable"),
    (range(6, 10), "low or moderate conditioning"),
    (range(10, 15), "high conditioning and unimodal"),
    (range(15, 20), "multi-modal with adequate global structure"),
    (range(20, 25), "multi-modal with weak global structure"),
)


def _group(fid: int) -> str:
    return next(name for ids, name in _GROUPS if fid in ids)


# -- instances --------------------------------------------------------------------------------


def _check_function(fid) -> int:
    if isinstance(fid, bool) or not isinstance(fid, int | np.integer) or not 1 <= fid <= NUMBER_OF_FUNCTIONS:
        raise ValueError(f"bbob: function {fid!r} does not exist; COCO's bbob suite has functions 1..24")
    return int(fid)


def _check_instance(fid: int, instance) -> int:
    if isinstance(instance, bool) or not isinstance(instance, int | np.integer):
        raise ValueError(f"bbob f{fid}: instance must be an int in 1..{MAX_INSTANCE}, got {instance!r}")
    if instance < 1:
        raise ValueError(f"bbob f{fid}: instance {instance} does not exist: COCO instances start at 1")
    if instance > MAX_INSTANCE:
        raise ValueError(
            f"bbob f{fid}: instance {instance} is too large: COCO's seeds leave its generator's range "
            f"beyond instance {MAX_INSTANCE}"
        )
    return int(instance)


def _max_dim(fid: int) -> int | None:
    return MAX_ROTATED_DIM if _SPECS[fid].rotated else None


def _check_dim(fid: int, d) -> int:
    top = _max_dim(fid)
    allowed = f"2 <= d <= {top} (COCO's rotations need d * d < 2000)" if top else "any d >= 2"
    if isinstance(d, bool) or not isinstance(d, int | np.integer) or d < 2 or (top is not None and d > top):
        raise ValueError(f"bbob f{fid}: dimension {d!r} not supported; COCO allows {allowed}")
    return int(d)


@functools.cache
def _constants(fid: int, d: int, instance: int) -> Arrays:
    d = _check_dim(fid, d)
    return _SPECS[fid].constants(d, _seed_function(fid) + 10000 * instance)


@functools.cache
def _kernel(fid: int) -> Callable:
    """f - f_opt as one jitted function of (constants, x): every instance shares its compilations."""
    return jax.jit(_SPECS[fid].delta)


def _points(x):
    """x as a float array (integer input would cast the constants to integers)."""
    x = jnp.asarray(x)
    return x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(jnp.float64)


def _delta(fid: int, instance: int, x):
    x = _points(x)
    return _kernel(fid)(_constants(fid, x.shape[-1], instance), x)


def _value(fid: int, instance: int, f_opt: float, x):
    x = _points(x)
    return _delta(fid, instance, x) + jnp.asarray(f_opt, dtype=x.dtype)


def _x_opt(fid: int, instance: int, d: int) -> np.ndarray:
    return _constants(fid, d, instance)["x_opt"][None, :].copy()


def _f_opt(fid: int, instance: int, d: int) -> float:
    _check_dim(fid, d)
    return coco_fopt(fid, instance)


def _reference(fid: int) -> str:
    spec = _SPECS[fid]
    return f"COCO bbob f{fid}, {spec.title}: {_REFERENCE}{spec.note}"


def _value_scale(fid: int) -> Callable[[int], float]:
    # f20 sums 418.98 - z sin(sqrt z) per coordinate (times 0.01): those terms cancel.
    return _constant(0.01 * _SCHWEFEL_CONSTANT) if fid == 20 else _constant(1.0)


def _curvature_fn(fid: int, instance: int) -> Callable[[int], float] | None:
    how = _SPECS[fid].curvature
    return None if how is None else lambda d: how(fid, d, instance)


@functools.cache
def _instance(fid: int, instance: int) -> Objective:
    instance = _check_instance(fid, instance)
    f_opt = coco_fopt(fid, instance)
    return dataclasses.replace(
        _templates[fid],
        fn=functools.partial(_value, fid, instance, f_opt),
        delta_fn=functools.partial(_delta, fid, instance),
        f_opt_fn=functools.partial(_f_opt, fid, instance),
        x_opt_fn=functools.partial(_x_opt, fid, instance),
        curvature_fn=_curvature_fn(fid, instance),
        reference=f"{_reference(fid)}; instance {instance}",
        instance_id=instance,
    )


def bbob(fid: int, d: int, instance: int) -> Objective:
    """COCO's bbob function ``fid`` (1..24), instance ``instance`` (>= 1), checked for dimension d.

    The record works for every supported d (taken from ``x.shape[-1]``); ``d`` is checked here.

        >>> import functions, numpy as np
        >>> f = functions.bbob(1, 2, 1)
        >>> float(f.value(np.asarray(f.x_opt(2)[0]))) == f.f_opt(2) == 79.48
        True
    """
    fid = _check_function(fid)
    instance = _check_instance(fid, instance)
    _check_dim(fid, d)
    return _instance(fid, instance)


def _template_error(fid: int, *args):
    raise ValueError(
        f"bbob_f{fid} is a template: COCO instances start at 1; use functions.bbob({fid}, d, instance) "
        f'or functions.problem("bbob_f{fid}", d, instance) with instance >= 1'
    )


def _template(fid: int) -> Objective:
    spec = _SPECS[fid]
    refuse = functools.partial(_template_error, fid)
    return Objective(
        name=f"bbob_f{fid}",
        fn=refuse,
        lower=_constant(-5.0),
        upper=_constant(5.0),
        f_opt_fn=refuse,
        x_opt_fn=refuse,
        basin_target_fn=spec.basin_target,
        basin_source=spec.basin_source,
        basin_scale=spec.basin_scale,
        reference=_reference(fid),
        group=_group(fid),
        tags=(*spec.tags, "bbob"),
        min_dim=2,
        max_dim=_max_dim(fid),
        value_scale_fn=_value_scale(fid),
        curvature_fn=refuse,
        has_basins=spec.has_basins,
        rotatable=spec.rotated,
        delta_fn=refuse,
        instance_fn=functools.partial(_instance, fid),
    )


_templates = {fid: register(_template(fid)) for fid in _SPECS}
