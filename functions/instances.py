"""Instances >= 1 of the classic functions: the optimum moved off the centre of the box.

With x* at the centre of a symmetric start box, a large step size sees a smoothed envelope centred
on x*, which flatters every decay schedule. Instance ``k >= 1`` of a textbook function ``f`` is

    f_k(x) = f(x*_0 + R (x - c))

where ``x*_0`` is the record's first global minimiser, ``c`` (the new optimum) is drawn uniformly in
the inner 80% of the box on each axis and rounded to float32 (so float32 and float64 runs share it), and ``R`` is a random rotation (Haar, ``scipy.stats
.special_ortho_group``) for records marked ``rotatable`` and the identity otherwise. Both are drawn
from a generator seeded by (name, d, k) only, so an instance is the same on every machine and run.
The box, f*, the basin target, the basin scale and the curvature spectrum are those of the textbook
function; every other global minimiser moves with it (``x*_j -> c + R^T (x*_j - x*_0)``).

Functions that are lower outside their box (``enforce_box``: Schwefel, Eggholder, Michalewicz)
are never rotated; outside the textbook box they take the value at the nearest box point plus a
quadratic penalty, ``f(clip(y)) + sum((y - clip(y))^2)`` with ``y = x*_0 + (x - c)``, so f* stays
the global minimum of the instance (as COCO's f_pen does for its bbob Schwefel).
"""

from __future__ import annotations

import dataclasses
import functools
import zlib

import jax
import jax.numpy as jnp
import numpy as np
from scipy.stats import special_ortho_group

from ._objective import Objective

INNER = 0.8  # the new optimum lies in the central 80% of the box on every axis


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where instance k puts the optimum in dimension d: y = anchor + rotation @ (x - centre)."""

    centre: np.ndarray  # [d]: the instance's x*
    anchor: np.ndarray  # [d]: the textbook x* it maps to
    rotation: np.ndarray | None  # [d, d] orthogonal, or None for the identity


def _seed(name: str, d: int, k: int) -> np.random.SeedSequence:
    return np.random.SeedSequence([zlib.crc32(name.encode()), d, k])


@functools.cache
def placement(textbook: Objective, d: int, k: int) -> Placement:
    rng = np.random.default_rng(_seed(textbook.name, d, k))
    lo, hi = textbook.bounds(d)
    margin = (1.0 - INNER) / 2.0
    # Rounded to float32: the instance's x* is then a float32 number, so a float32 run sees the
    # same optimum as a float64 one (on cusps such as HappyCat's, x* rounded to float32 would lie
    # 0.02 above f*).
    centre = (lo + (hi - lo) * (margin + INNER * rng.random(d))).astype(np.float32).astype(np.float64)
    anchor = textbook.x_opt(d)[0]
    rotation = None
    if textbook.rotatable and d >= 2:
        rotation = special_ortho_group.rvs(d, random_state=rng)
    return Placement(centre, anchor, rotation)


def _inner_point(textbook: Objective, k: int, x):
    """The textbook point y = anchor + R (x - centre) for x[..., d] (the constants per d)."""
    d = x.shape[-1]
    where = placement(textbook, d, k)
    y = x - jnp.asarray(where.centre, dtype=x.dtype)
    if where.rotation is not None:
        y = y @ jnp.asarray(where.rotation.T, dtype=x.dtype)
    return y + jnp.asarray(where.anchor, dtype=x.dtype)


def _value(textbook: Objective, k: int, x):
    y = _inner_point(textbook, k, x)
    if not textbook.enforce_box:
        return textbook.fn(y)
    lo, hi = (jnp.asarray(v, dtype=x.dtype) for v in textbook.bounds(x.shape[-1]))
    inside = jnp.clip(y, lo, hi)
    return textbook.fn(inside) + jnp.sum((y - inside) ** 2, axis=-1)


def _delta(textbook: Objective, k: int, x):
    y = _inner_point(textbook, k, x)
    if not textbook.enforce_box:
        return textbook.delta(y)
    lo, hi = (jnp.asarray(v, dtype=x.dtype) for v in textbook.bounds(x.shape[-1]))
    inside = jnp.clip(y, lo, hi)
    return textbook.delta(inside) + jnp.sum((y - inside) ** 2, axis=-1)


def _inner_columns(textbook: Objective, k: int, x):
    """:func:`_inner_point` for points as columns x[d, n]: one [d, d] x [d, n] product."""
    where = placement(textbook, x.shape[0], k)
    y = x - jnp.asarray(where.centre, dtype=x.dtype)[:, None]
    if where.rotation is not None:
        y = _rotate_columns(jnp.asarray(where.rotation, dtype=x.dtype), y)
    return y + jnp.asarray(where.anchor, dtype=x.dtype)[:, None]


def _product(R, y):
    return jnp.matmul(R, y, precision=jax.lax.Precision.HIGHEST)


@jax.custom_vjp
def _rotate_columns(R, y):
    """R @ y for a rotation R [d, d] and points as columns y [d, n]; its pullback is R^T @ g, a
    product of the same [d, d] x [d, n] shape (autodiff's transpose computed (g^T R)^T, an [n, d]
    product and a transpose, which XLA's CPU backend ran several times slower)."""
    return _product(R, y)


def _rotate_forward(R, y):
    return _product(R, y), R


def _rotate_backward(R, g):
    return jnp.zeros_like(R), _product(R.T, g)


_rotate_columns.defvjp(_rotate_forward, _rotate_backward)


def _delta_columns(textbook: Objective, k: int, x):
    """:func:`_delta` for points as columns x[d, n]."""
    y = _inner_columns(textbook, k, x)
    if not textbook.enforce_box:
        return textbook.delta_columns(y)
    lo, hi = (jnp.asarray(v, dtype=x.dtype)[:, None] for v in textbook.bounds(x.shape[0]))
    inside = jnp.clip(y, lo, hi)
    return textbook.delta_columns(inside) + jnp.sum((y - inside) ** 2, axis=0)


def _x_opt(textbook: Objective, k: int, d: int) -> np.ndarray:
    where = placement(textbook, d, k)
    offsets = textbook.x_opt(d) - where.anchor
    if where.rotation is not None:
        offsets = offsets @ where.rotation  # R^T (x*_j - x*_0), row-wise
    moved = where.centre + offsets
    if textbook.enforce_box:  # minimisers pushed out of the box are no longer reachable
        lo, hi = textbook.bounds(d)
        moved = moved[np.all((moved >= lo - 1e-12) & (moved <= hi + 1e-12), axis=1)]
    return moved


@functools.cache
def shifted(textbook: Objective, k: int) -> Objective:
    """Instance ``k >= 1`` of a textbook (instance 0) record."""
    if textbook.instance_id != 0:
        raise ValueError(f"{textbook.name}: instances are made from the textbook record (instance 0)")
    how = "shifted and rotated" if textbook.rotatable else "shifted"
    return dataclasses.replace(
        textbook,
        fn=functools.partial(_value, textbook, k),
        delta_fn=functools.partial(_delta, textbook, k),
        columns_delta_fn=functools.partial(_delta_columns, textbook, k),
        x_opt_fn=functools.partial(_x_opt, textbook, k),
        instance_id=k,
        base_floor_fn=textbook.resolution_floor,
        reference=f"{textbook.reference}; instance {k}: {how} (functions/instances.py)",
    )
