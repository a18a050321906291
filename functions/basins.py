"""Numerical search for the best non-global local minimum near the global one.

The nearest competitors of a global minimum usually sit next to it, so the search polishes
(L-BFGS-B in float64, inside the box) from random points in shells of growing radius around each
global minimiser and keeps the lowest local minimum whose value is clearly above f*. The records'
basin targets lie below the gap found here; ``tests/test_functions.py`` re-runs a small search.

    python -m functions.basins rastrigin 2
"""

from __future__ import annotations

import argparse

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import minimize

from . import get
from ._objective import Objective

_TIGHT = {"gtol": 1e-12, "ftol": 1e-15, "maxiter": 5000}


def nearest_competitor_gap(
    objective: Objective, d: int, *, radii=(0.5, 1.0, 2.0, 3.0), per_shell: int = 64, seed: int = 0
) -> float:
    """Smallest f - f* over local minima found from shells around x*, ignoring global ones."""
    f_opt = objective.f_opt(d)
    lo, hi = objective.bounds(d)
    value_and_grad = jax.jit(jax.value_and_grad(lambda x: objective.value(x)))

    def fun(x):
        value, grad = value_and_grad(jnp.asarray(x, dtype=jnp.float64))
        return float(value), np.asarray(grad, dtype=np.float64)

    rng = np.random.default_rng(seed)
    scale = objective.basin_scale
    best_gap = np.inf
    for center in objective.x_opt(d):
        for radius in radii:
            directions = rng.normal(size=(per_shell, d))
            directions /= np.linalg.norm(directions, axis=1, keepdims=True)
            for direction in directions:
                start = np.clip(center + radius * scale * direction, lo, hi)
                result = minimize(fun, start, jac=True, method="L-BFGS-B", bounds=list(zip(lo, hi)), options=_TIGHT)
                gap = result.fun - f_opt
                if result.success and gap > 1e-6 * max(1.0, abs(f_opt)):
                    best_gap = min(best_gap, gap)
    return float(best_gap)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("function")
    parser.add_argument("dim", type=int)
    parser.add_argument("--per-shell", type=int, default=64)
    args = parser.parse_args(argv)
    objective = get(args.function)
    gap = nearest_competitor_gap(objective, args.dim, per_shell=args.per_shell)
    target = objective.basin_target(args.dim)
    print(f"{args.function} d={args.dim}: nearest competitor gap {gap:.6g}; basin target {target}")


if __name__ == "__main__":
    main()
