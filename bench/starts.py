"""Random starts and stable keys.

Starts are drawn once per (function, dim, instance, seed), start ``i`` from ``fold_in(key, i)``:
the first N starts do not change when ``starts`` grows, and every optimiser and schedule sees the
same starts (paired comparisons). Even indices form the ``tune`` half, odd ones the ``test`` half.

Distributions (``run.start_distribution``):

* ``uniform`` (default): uniform in the objective's box.
* ``normal``: normal about the box centre with standard deviation a sixth of the box width on
  each axis, clipped to the box (a start "near the middle", as a default initialiser would give).
* ``sobol``: a scrambled Sobol sequence over the box (scipy.stats.qmc; even coverage, seeded like
  the others). Point i is the sequence's i-th point, so the first N starts still do not change when
  ``starts`` grows.
"""

from __future__ import annotations

import hashlib
import json
import warnings

import jax
import jax.numpy as jnp
import numpy as np
from scipy.stats import qmc

import functions


def stable_seed(*identity) -> int:
    """A 32-bit seed from a stable hash of the identity (independent of Python's hash salt)."""
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).digest()
    return int.from_bytes(digest[:4], "little")


DISTRIBUTIONS = ("uniform", "normal", "sobol")
NORMAL_WIDTHS = 6.0  # the normal distribution's standard deviation is the box width / 6


def draw_starts(function: str, d: int, instance: int, seed: int, n: int, distribution: str = "uniform") -> np.ndarray:
    """``n`` starts in the objective's box from ``distribution``, float64, shape [n, d]."""
    lo, hi = functions.get(function).bounds(d)
    seed_value = stable_seed("starts", function, d, instance, seed)
    if distribution == "sobol":
        with warnings.catch_warnings():  # balance needs n = 2^m; the sequence's prefix is what we want
            warnings.simplefilter("ignore", UserWarning)
            unit = qmc.Sobol(d, scramble=True, seed=seed_value).random(n)
        return lo + (hi - lo) * unit
    key = jax.random.key(seed_value)
    keys = jax.vmap(jax.random.fold_in, in_axes=(None, 0))(key, jnp.arange(n, dtype=jnp.uint32))
    if distribution == "normal":
        normal = np.asarray(jax.vmap(lambda k: jax.random.normal(k, (d,), dtype=jnp.float64))(keys))
        return np.clip((lo + hi) / 2 + (hi - lo) / NORMAL_WIDTHS * normal, lo, hi)
    if distribution != "uniform":
        raise ValueError(f"start distribution {distribution!r} is not one of {', '.join(DISTRIBUTIONS)}")
    unit = jax.vmap(lambda k: jax.random.uniform(k, (d,), dtype=jnp.float64))(keys)
    return lo + (hi - lo) * np.asarray(unit)


def split_of(start: np.ndarray) -> np.ndarray:
    """'tune' for even start indices, 'test' for odd ones."""
    return np.where(np.asarray(start) % 2 == 0, "tune", "test")


def noise_keys(function: str, d: int, instance: int, seed: int, first: int, n: int) -> np.ndarray:
    """Raw key data [n, 2] (uint32) of starts ``first .. first + n - 1``: start i's noise comes
    from ``fold_in(key, i)``, so it depends on the start alone, never on blocks or devices."""
    key = jax.random.key(stable_seed("noise", function, d, instance, seed))
    index = jnp.arange(first, first + n, dtype=jnp.uint32)
    return np.asarray(jax.random.key_data(jax.vmap(jax.random.fold_in, in_axes=(None, 0))(key, index)))
