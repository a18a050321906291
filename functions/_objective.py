"""The `Objective` record: one frozen description of a test function and everything known about it."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import TypeVar

import jax
import jax.numpy as jnp
import numpy as np

DimFloat = Callable[[int], float]
T = TypeVar("T")


def _constant(value: T) -> Callable[[int], T]:
    return lambda d: value


@dataclasses.dataclass(frozen=True)
class Objective:
    """A registered test function with its domain, minima and basin data.

    Attributes:
      name: registry key (snake_case).
      fn: ``x[..., d] -> f[...]`` written in ``jnp``; reduces over the last axis only.
      lower, upper: the search box, per coordinate, as ``d -> (d,) array`` or a scalar.
      f_opt_fn: ``d -> f*`` (float64).
      x_opt_fn: ``d -> [k, d]`` array of all known global minimisers.
      dims: the supported dimensions: ``None`` for any ``min_dim <= d <= max_dim``, else a tuple.
      basin_target_fn: ``d -> threshold`` below the gap to the best non-global local minimum,
        or ``None`` when every local minimum is global (then ``success_basin`` falls back to the
        run's ``success_target`` and every start lies in the global basin).
      basin_source: how the basin target was found (literature or numerical search).
      basin_scale: typical distance between neighbouring local minima; a jump longer than half of
        it counts as leaving a basin (``freeze_step``), and the polish step is capped below it.
      curvature_fn: ``d -> L``; plain gradient descent settles only for ``lr < 2 / L``, and the
        ``auto`` learning-rate grid is built around it. Default (``None``): the largest Hessian
        eigenvalue at the global minimisers, computed in float64. Set it where the Hessian does
        not exist at x* (Ackley's cone), with the choice in ``reference``.
      value_scale_fn: ``d -> magnitude of the terms summed near the optimum``; the resolvable
        floor of ``f - f*`` is ``4 * eps(dtype) * value_scale``.
      enforce_box: project iterates onto the box (functions that are lower outside it).
      reference: the defining paper and the exact form used.
      tags: free-form tags (``multimodal``, ``separable``, ...).
      group: COCO-like group used in the report.
      has_basins: False where no defensible basin target exists (fractal or flat landscapes,
        most of COCO's bbob): ``success_basin`` falls back to ``success_target`` and the basin
        columns (``final_in_global_basin``, ``start_in_global_basin``) are not available.
      rotatable: instances >= 1 may rotate the function about its optimum as well as shift it.
      delta_fn: ``x[..., d] -> f(x) - f*`` computed without cancellation (COCO's functions add
        f* last; a textbook function with f* = 0 needs none). Default: ``value(x) - f_opt(d)``.
      columns_delta_fn: ``x[d, n] -> f(x) - f*[n]`` for a block of points stored as columns,
        where that form is faster than the default (``delta`` vmapped over the columns): a
        shifted or rotated instance applies its affine map to the whole block as one matrix
        product. It must agree with ``delta`` (tests/test_instances.py checks every instance).
      instance_fn: ``k -> Objective`` for suites with their own instance recipe (COCO bbob); the
        default is :func:`functions.instances.shifted`.
      instance_id: which instance this record is (0 = textbook).
      base_floor_fn: ``(d, dtype) -> floor`` of the function this record evaluates underneath
        (a shifted instance computes the textbook function at x*_0 + R (x - c), so the rounding of
        the textbook x*_0 stays in its arithmetic); the floor is at least that.
    """

    name: str
    fn: Callable
    lower: Callable[[int], np.ndarray | float]
    upper: Callable[[int], np.ndarray | float]
    f_opt_fn: DimFloat
    x_opt_fn: Callable[[int], np.ndarray]
    basin_target_fn: Callable[[int], float | None]
    basin_source: str
    basin_scale: float
    reference: str
    group: str
    tags: tuple[str, ...] = ()
    dims: tuple[int, ...] | None = None
    min_dim: int = 1
    max_dim: int | None = None
    enforce_box: bool = False
    value_scale_fn: DimFloat = dataclasses.field(default=lambda d: 1.0)
    curvature_fn: DimFloat | None = None
    has_basins: bool = True
    rotatable: bool = False
    delta_fn: Callable | None = None
    columns_delta_fn: Callable | None = None
    instance_fn: Callable[[int], Objective] | None = None
    instance_id: int = 0
    base_floor_fn: Callable[[int, str], float] | None = None

    # -- public API ---------------------------------------------------------------------------
    def check_dim(self, d: int) -> int:
        if isinstance(d, bool) or not isinstance(d, int | np.integer):
            raise TypeError(f"{self.name}: dimension must be an int, got {d!r}")
        d = int(d)
        if self.dims is not None and d not in self.dims:
            raise ValueError(f"{self.name}: dimension {d} not supported; allowed: {list(self.dims)}")
        if d < self.min_dim:
            raise ValueError(f"{self.name}: dimension must be >= {self.min_dim}, got {d}")
        if self.max_dim is not None and d > self.max_dim:
            raise ValueError(f"{self.name}: dimension must be <= {self.max_dim}, got {d}")
        return d

    def value(self, x):
        """f(x) for x of shape [..., d]; works under jit, vmap and grad."""
        return self.fn(x)

    def delta(self, x):
        """f(x) - f* for x of shape [..., d], without the cancellation of ``value(x) - f*``."""
        if self.delta_fn is not None:
            return self.delta_fn(x)
        return self.fn(x) - jnp.asarray(self.f_opt(x.shape[-1]), dtype=x.dtype)

    def delta_columns(self, x):
        """f(x) - f* for a block of points stored as columns, x of shape [d, n]: shape [n].

        The engine's form (``bench/columns.py``). Under ``vmap`` over the columns, JAX moves the
        batch axis to the front wherever a per-coordinate constant (a shift, a weight per axis)
        meets x, and XLA then works on rows of d numbers; a record whose function has such
        constants can give ``columns_delta_fn``, written for the columns layout."""
        if self.columns_delta_fn is not None:
            return self.columns_delta_fn(x)
        return jax.vmap(self.delta, in_axes=-1)(x)

    def instance(self, k: int) -> Objective:
        """Instance ``k`` of this function: 0 is the textbook one; ``k >= 1`` moves the optimum
        (see :mod:`functions.instances`); f*, x* and the basin data follow the instance."""
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 0:
            raise ValueError(f"{self.name}: instance must be an int >= 0, got {k!r}")
        if self.instance_fn is not None:  # a suite with its own recipe (COCO's bbob)
            return self.instance_fn(int(k))
        if k == self.instance_id:
            return self
        if self.instance_id != 0:
            raise ValueError(
                f"{self.name}: this is instance {self.instance_id}; take instances of the registered record"
            )
        from .instances import shifted

        return shifted(self, int(k))

    def bounds(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        d = self.check_dim(d)
        lo = np.broadcast_to(np.asarray(self.lower(d), dtype=np.float64), (d,)).copy()
        hi = np.broadcast_to(np.asarray(self.upper(d), dtype=np.float64), (d,)).copy()
        return lo, hi

    def f_opt(self, d: int) -> float:
        return float(self.f_opt_fn(self.check_dim(d)))

    def x_opt(self, d: int) -> np.ndarray:
        d = self.check_dim(d)
        return np.asarray(self.x_opt_fn(d), dtype=np.float64).reshape(-1, d)

    def basin_target(self, d: int) -> float | None:
        """Threshold on f - f* for 'settled in the global basin'; None when all minima are global
        or when the record has no basins (``has_basins``; success is then judged by the target)."""
        d = self.check_dim(d)
        if not self.has_basins:
            return None
        value = self.basin_target_fn(d)
        return None if value is None else float(value)

    def curvature(self, d: int) -> float:
        d = self.check_dim(d)
        if self.curvature_fn is not None:
            return float(self.curvature_fn(d))
        return _hessian_curvature(self, d)

    def stability_lr(self, d: int) -> float:
        """2 / L: plain gradient descent cannot settle in a minimum with a larger step size."""
        return 2.0 / self.curvature(d)

    def resolution_floor(self, d: int, dtype) -> float:
        """Smallest f - f* this dtype can resolve near the optimum: the rounding of the summed
        terms (``4 eps value_scale``) plus 8 x (f - f* at x* rounded to the dtype, measured once in
        float64): an optimum at a random point, as in COCO instances, is not
        representable, which dominates on cones and ill-conditioned functions. Above the floor,
        float32's f - f* is within 25% (tests/test_registry.py)."""
        d, name = self.check_dim(d), np.dtype(dtype).name
        own = _resolution_floor(self, d, name)
        return own if self.base_floor_fn is None else max(own, float(self.base_floor_fn(d, name)))

    def box_width(self, d: int) -> float:
        lo, hi = self.bounds(d)
        return float(np.max(hi - lo))


@functools.cache
def _hessian_curvature(objective: Objective, d: int) -> float:
    """Largest Hessian eigenvalue over the global minimisers, float64."""
    hessian = jax.jit(jax.hessian(objective.value))
    return max(
        float(np.linalg.eigvalsh(np.asarray(hessian(jnp.asarray(x, dtype=jnp.float64)))).max())
        for x in objective.x_opt(d)
    )


@functools.cache
def _resolution_floor(objective: Objective, d: int, dtype: str) -> float:
    eps = float(np.finfo(np.dtype(dtype)).eps)
    rounded = np.asarray(objective.x_opt(d), dtype=dtype).astype(np.float64)
    representation = float(np.max(np.asarray(objective.delta(jnp.asarray(rounded, dtype=jnp.float64)))))
    # 8x: at f - f* = floor, the error that x* 's rounding causes along the gradient,
    # 2 sqrt(L t) |dx| with L |dx|^2 / 2 = representation, is at most the floor itself.
    return 4.0 * eps * float(objective.value_scale_fn(d)) + 8.0 * max(representation, 0.0)
