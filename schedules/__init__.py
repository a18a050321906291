"""Learning-rate schedule families written in jnp, every numeric parameter traceable.

>>> import schedules
>>> sched = schedules.get("cosine")(peak=0.1, steps=1000)
>>> round(float(sched(500)), 6)
0.05
"""

import jax

jax.config.update("jax_enable_x64", True)

from . import families as _families  # noqa: E402,F401  (registers the families)
from ._family import Family  # noqa: E402
from ._registry import get, names, register  # noqa: E402

__all__ = ["Family", "get", "names", "register"]
