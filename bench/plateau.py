"""Reduce-on-plateau, driven by the objective, correct for objectives below zero (cases S6).

optax's ``contrib.reduce_on_plateau`` counts an improvement when ``value < (1 - rtol) * best - atol``,
and PyTorch's ``ReduceLROnPlateau`` (``mode="min"``, ``threshold_mode="rel"``) when
``value < best * (1 - threshold)``. Both thresholds lie *above* ``best`` when ``best < 0``: a
stalled iterate then counts as improving forever and the lr is never reduced. Most multimodal test
functions are negative somewhere (Styblinski-Tang, Schwefel, Eggholder, every bbob f_opt), so this
transform uses the sign-safe relative rule ``value < best - rtol * |best| - atol``, which equals
optax's whenever ``best >= 0``. Everything else follows optax: the scale is multiplied by
``factor`` when the count of steps without improvement *reaches* ``patience`` (PyTorch reduces one
step later, when the count *exceeds* it), then the count restarts and ``cooldown`` steps pass
before counting again.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax

FACTOR = 0.1
PATIENCE = 10
RTOL = 1e-4
ATOL = 0.0
COOLDOWN = 0


class PlateauState(NamedTuple):
    best: jax.Array  # lowest value seen (inf before the first)
    bad_steps: jax.Array  # steps since the last improvement
    scale: jax.Array  # multiplier applied to the updates
    cooldown_left: jax.Array


def reduce_on_plateau(
    factor: float = FACTOR,
    patience: int = PATIENCE,
    rtol: float = RTOL,
    atol: float = ATOL,
    cooldown: int = COOLDOWN,
    min_scale: float = 0.0,
) -> optax.GradientTransformationExtraArgs:
    """Scale updates by ``factor`` after ``patience`` steps without improving the objective.

    Call ``update(updates, state, params, value=f)`` with the objective at the current iterate.
    """
    if not 0.0 < factor < 1.0:
        raise ValueError(f"reduce_on_plateau: factor must be in (0, 1), got factor={factor}")
    if patience < 1 or cooldown < 0:
        raise ValueError(f"reduce_on_plateau: patience must be >= 1 and cooldown >= 0, got {patience}, {cooldown}")
    if rtol < 0 or atol < 0 or rtol + atol == 0:
        raise ValueError(f"reduce_on_plateau: rtol, atol must be >= 0 and not both 0, got {rtol}, {atol}")

    def init(params) -> PlateauState:
        dtype = jnp.asarray(params).dtype
        return PlateauState(
            best=jnp.asarray(jnp.inf, dtype),
            bad_steps=jnp.asarray(0, jnp.int32),
            scale=jnp.asarray(1.0, dtype),
            cooldown_left=jnp.asarray(0, jnp.int32),
        )

    def update(updates, state: PlateauState, params=None, *, value, **extra_args):
        del params, extra_args
        value = jnp.asarray(value, state.best.dtype)
        threshold = jnp.where(jnp.isfinite(state.best), state.best - rtol * jnp.abs(state.best) - atol, jnp.inf)
        improved = value < threshold  # False for NaN
        best = jnp.where(improved, value, state.best)
        bad_steps = jnp.where(improved, 0, state.bad_steps + 1)
        cooling = state.cooldown_left > 0
        reduce = ~cooling & (bad_steps >= patience)
        scale = jnp.where(reduce, jnp.maximum(state.scale * factor, min_scale), state.scale)
        new_state = PlateauState(
            best=best,
            bad_steps=jnp.where(cooling | reduce, 0, bad_steps).astype(jnp.int32),
            scale=scale,
            cooldown_left=jnp.where(reduce, cooldown, jnp.maximum(state.cooldown_left - 1, 0)).astype(jnp.int32),
        )
        return jax.tree.map(lambda u: scale * u, updates), new_state

    return optax.GradientTransformationExtraArgs(init, update)
