"""Random starts and stable keys.

Starts are drawn once per (function, dim, instance, seed), start ``i`` from ``fold_in(key, i)``:
the first N starts do not change when ``starts`` grows, and every optimiser and schedule sees the
same starts (paired comparisons). Even indices form the ``tune`` half, odd ones the ``test`` half.
"""

from __future__ import annotations

import hashlib
import json

import jax
import jax.numpy as jnp
import numpy as np

import functions


def stable_seed(*identity) -> int:
    """A 32-bit seed from a stable hash of the identity (independent of Python's hash salt)."""
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).digest()
    return int.from_bytes(digest[:4], "little")


def draw_starts(function: str, d: int, instance: int, seed: int, n: int) -> np.ndarray:
    """``n`` starts uniform in the objective's box, float64, shape [n, d]."""
    lo, hi = functions.get(function).bounds(d)
    key = jax.random.key(stable_seed("starts", function, d, instance, seed))
    keys = jax.vmap(jax.random.fold_in, in_axes=(None, 0))(key, jnp.arange(n, dtype=jnp.uint32))
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
