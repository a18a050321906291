"""Numerically careful building blocks shared by the objectives.

Two faults recur in published test-function code, and these helpers remove both:

* ``sqrt`` of a quantity that is 0 at the optimum has an infinite derivative there, and a plain
  ``jnp.where`` guard still propagates ``0 * inf = nan`` into the gradient. ``safe_sqrt`` masks the
  input as well as the output (the "double where"), so the gradient at 0 is exactly 0.
* ``1 - cos(2 pi x)`` cancels catastrophically near integers and loses the phase for large ``x``.
  ``sin2_pi`` reduces the argument exactly (``x - round(x)`` is exact in floating point) and uses
  ``1 - cos(2 pi x) = 2 sin(pi x)^2``, which is accurate to the last bit near the minima.
"""

from __future__ import annotations

import jax.numpy as jnp


def safe_sqrt(s):
    """sqrt(s) for s >= 0 whose gradient at s = 0 is 0 instead of nan."""
    positive = s > 0
    return jnp.where(positive, jnp.sqrt(jnp.where(positive, s, 1.0)), 0.0)


def frac_to_nearest(x):
    """x - round(x), in [-0.5, 0.5]; exact in floating point."""
    return x - jnp.round(x)


def sin2_pi(x):
    """sin(pi x)^2 = (1 - cos(2 pi x)) / 2, with the period reduced exactly."""
    return jnp.sin(jnp.pi * frac_to_nearest(x)) ** 2
