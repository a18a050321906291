"""A schedule family: a factory ``(peak, steps, **params) -> (step -> lr)`` written in jnp.

Conventions shared by every family (DESIGN.md):

* ``peak`` is the largest learning rate; ``end`` is the final lr as a *fraction of peak*.
* ``steps`` is the whole budget, a concrete int > 0 (structural: checked at construction).
* ``warmup`` is a fraction of ``steps``: the lr rises linearly from 0 to ``peak`` over
  ``round(warmup * steps)`` steps, and the family's own shape then spans the *remaining* steps.
  So warmup 0.1 of 1000 steps followed by cosine gives 0.5 * peak at step 550 (as optax's
  ``warmup_cosine_decay_schedule``, whose ``decay_steps`` counts the warmup).
* Phase boundaries are fractions of the span they divide, rounded to the nearest step; a piecewise
  schedule takes its new value *at* the boundary step.
* Every numeric parameter may be a traced array (the engine vmaps grids of them); argument checks
  run only on concrete values. Structural parameters (counts, shapes) are Python values.
* Past ``steps`` the schedule holds its final value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

# shape(u, span, params) -> multiplier of peak, for u in [0, span], span = steps - warmup steps.
# params holds the numeric and structural parameters, and ``budget`` (= steps, the whole budget).
Shape = Callable[[jax.Array, jax.Array, Mapping[str, jax.Array]], jax.Array]


def is_concrete(value) -> bool:
    return not isinstance(value, jax.core.Tracer)


@dataclasses.dataclass(frozen=True)
class Family:
    """One registered schedule family.

    Attributes:
      name: registry key.
      shape: the family's curve as a multiplier of peak over the post-warmup span.
      defaults: documented defaults of the numeric parameters (``end``, ``warmup`` and its own).
      static: documented defaults of the structural parameters (Python ints or strings).
      checks: ``name -> (predicate, allowed)`` checks on concrete numeric parameter values.
      relations: ``(names, predicate, allowed)`` checks across parameters, on concrete values.
      summary: one line for tables and ``bench list``.
      reference: where the definition comes from.
    """

    name: str
    shape: Shape
    defaults: Mapping[str, float]
    summary: str
    reference: str
    static: Mapping[str, object] = dataclasses.field(default_factory=dict)
    checks: Mapping[str, tuple[Callable[[object], bool], str]] = dataclasses.field(default_factory=dict)
    relations: tuple[tuple[tuple[str, ...], Callable[..., bool], str], ...] = ()

    def parameters(self) -> dict[str, object]:
        return {**self.defaults, **self.static}

    def __call__(self, peak, steps, **params) -> Callable[[ArrayLike], jax.Array]:
        steps = _check_steps(self.name, steps)
        unknown = sorted(set(params) - set(self.defaults) - set(self.static))
        if unknown:
            allowed = ", ".join(["peak", "steps", *self.defaults, *self.static])
            raise TypeError(f"{self.name}: unknown parameter(s) {unknown}; allowed: {allowed}")
        if is_concrete(peak) and not bool(np.all(np.isfinite(np.asarray(peak)) & (np.asarray(peak) >= 0))):
            raise ValueError(f"{self.name}: peak must be a finite lr >= 0, got peak={peak}")
        numeric = {key: params.get(key, default) for key, default in self.defaults.items()}
        static = {key: params.get(key, default) for key, default in self.static.items()}
        self._check(numeric, static)
        shape = self.shape

        def schedule(step):
            t = jnp.asarray(step, dtype=jnp.float64)
            warm = jnp.round(jnp.asarray(numeric["warmup"], dtype=jnp.float64) * steps)
            span = jnp.maximum(steps - warm, 1.0)
            u = jnp.clip(t - warm, 0.0, span)
            rising = jnp.where(warm > 0, t / jnp.maximum(warm, 1.0), 1.0)
            fraction = jnp.where(t < warm, rising, shape(u, span, {**numeric, **static, "budget": steps}))
            return jnp.asarray(peak, dtype=jnp.float64) * fraction

        return schedule

    def _check(self, numeric: Mapping[str, object], static: Mapping[str, object]) -> None:
        warmup = numeric["warmup"]
        if is_concrete(warmup) and not bool(np.all((0.0 <= np.asarray(warmup)) & (np.asarray(warmup) < 1.0))):
            raise ValueError(f"{self.name}: warmup must be a fraction in [0, 1), got warmup={warmup}")
        for key, (predicate, allowed) in self.checks.items():
            value = numeric.get(key, static.get(key))
            if is_concrete(value) and not predicate(value):
                raise ValueError(f"{self.name}: {key} must be {allowed}, got {key}={value}")
        for keys, predicate, allowed in self.relations:
            values = [numeric.get(key, static.get(key)) for key in keys]
            if all(map(is_concrete, values)) and not predicate(*values):
                got = ", ".join(f"{k}={v}" for k, v in zip(keys, values))
                raise ValueError(f"{self.name}: {allowed}, got {got}")


def _check_steps(name: str, steps) -> int:
    if isinstance(steps, jax.core.Tracer):
        raise TypeError(f"{name}: steps is structural and must be a Python int, not a traced array")
    if isinstance(steps, bool) or int(steps) != steps:
        raise TypeError(f"{name}: steps must be an integer, got steps={steps!r}")
    if steps <= 0:
        raise ValueError(f"{name}: steps must be > 0, got steps={steps}")
    return int(steps)
