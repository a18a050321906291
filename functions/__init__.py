"""Test objectives: value, domain, global minima and basin data for each registered function.

    >>> import functions
    >>> obj = functions.get("rastrigin")
    >>> float(obj.value(obj.x_opt(2)[0])) == obj.f_opt(2)
    True

float64 is enabled in JAX on import (``jax_enable_x64``) so that float64 runs are possible; every
array the suite creates carries an explicit dtype, so float32 runs stay float32.
"""

import jax

jax.config.update("jax_enable_x64", True)

# Registration order is the order of functions.names() and of the README's tables.
# isort: off
from . import classic as _classic  # noqa: E402,F401  (registers the classic set)
from . import classic_nd as _classic_nd  # noqa: E402,F401  (the rest of the d-dimensional set)
from . import classic_2d as _classic_2d  # noqa: E402,F401  (the 2-D set)
from . import bbob as _bbob  # noqa: E402  (COCO bbob f1..f24)

# isort: on
from ._objective import Objective  # noqa: E402
from ._registry import get, names, problem, register  # noqa: E402

bbob = _bbob.bbob

__all__ = ["Objective", "bbob", "get", "names", "problem", "register"]
