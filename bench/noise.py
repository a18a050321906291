"""Noise annealing: the other half of the annealing story, beside step-size decay.

Two modes, each scaled over the run by any schedule family (``scale * family(peak=1, steps)(t)``)
and drawn from each start's own key (one standard normal vector per start and step, the same for
every schedule, lr and optimiser of that start, so comparisons stay paired):

* ``gradient``: the optimiser sees ``g + sigma_t * xi``, what minibatch sampling does. Its effect
  on the step scales with lr for SGD-like methods; Adam-like methods divide by a running RMS of the
  noisy gradient, which largely normalises the noise away.
* ``langevin``: ``sqrt(2 * lr_t * T_t) * xi`` is added to the update (unadjusted Langevin dynamics
  with temperature ``T_t``): simulated annealing proper. Not divided by any preconditioner.

The iterate is judged on the noise-free objective, as every other row.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

import schedules

NONE, GRADIENT, LANGEVIN = "none", "gradient", "langevin"
KINDS = (NONE, GRADIENT, LANGEVIN)


@dataclasses.dataclass(frozen=True)
class Noise:
    """One noise setting of a suite: its kind, the family its scale follows, and the scale at peak
    (``sigma`` for gradient noise, the temperature ``T`` for Langevin noise)."""

    kind: str = NONE
    schedule: str = "constant"
    scale: float = 0.0

    @property
    def label(self) -> str:
        """The results' ``noise`` column: ``none`` or ``<kind>-<schedule>-<scale>``."""
        return NONE if self.kind == NONE else f"{self.kind}-{self.schedule}-{self.scale:.6g}"

    def table(self, steps: int) -> np.ndarray:
        """The scale at each step, [steps] float64 (zeros without noise)."""
        if self.kind == NONE:
            return np.zeros(steps)
        family = schedules.get(self.schedule)(peak=self.scale, steps=steps)
        return np.asarray(family(np.arange(steps)), dtype=np.float64)


def perturbation(kind: str, key_data, shape, dtype):
    """``(t, g, lr, scale) -> (gradient the optimiser sees, term added to the update)`` for a block
    of starts: ``key_data[n, 2]`` (each start's raw key), ``shape = (d, n)`` (a start per column).
    Start i's draw at step t is ``normal(fold_in(key_i, t), (d,))`` wherever the start sits."""
    if kind == NONE:
        return lambda t, g, lr, scale: (g, jnp.zeros(shape, dtype))
    keys = jax.vmap(jax.random.wrap_key_data)(key_data)
    d = shape[0]

    def draw(t):
        one = lambda key: jax.random.normal(jax.random.fold_in(key, t), (d,), dtype)  # noqa: E731
        return jax.vmap(one, out_axes=-1)(keys)

    if kind == GRADIENT:
        return lambda t, g, lr, scale: (g + scale * draw(t), jnp.zeros(shape, dtype))
    if kind == LANGEVIN:
        return lambda t, g, lr, scale: (g, jnp.sqrt(2.0 * lr * scale) * draw(t))
    raise ValueError(f"noise kind {kind!r} is not known; known kinds: {', '.join(KINDS)}")
