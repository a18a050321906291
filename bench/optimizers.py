"""The optimiser registry. Each entry is an optax transformation producing the update *direction*;
the engine multiplies it by the schedule's learning rate, exactly as ``optax.sgd``/``optax.adam``
chain ``scale_by_learning_rate`` after the same transformation."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import optax

HEAVY_BALL = 0.9


@dataclasses.dataclass(frozen=True)
class Optimizer:
    """One registered optimiser.

    Attributes:
      name: registry key.
      direction: builds the optax transformation whose output, times the lr, is the step.
      auto_centre: ``(curvature L, basin scale) -> lr`` at the centre of the ``auto`` grid: the
        largest lr at which the optimiser can settle in a minimum of curvature L for curvature-
        driven methods, or a fraction of the basin scale for sign-like methods (Adam's step is
        about lr per coordinate, whatever the curvature).
      summary, reference: for ``bench list`` and the README.
    """

    name: str
    direction: Callable[[], optax.GradientTransformation]
    auto_centre: Callable[[float, float], float]
    summary: str
    reference: str


_REGISTRY: dict[str, Optimizer] = {}


def register(optimizer: Optimizer) -> Optimizer:
    if optimizer.name in _REGISTRY:
        raise ValueError(f"optimizer {optimizer.name!r} is already registered")
    _REGISTRY[optimizer.name] = optimizer
    return optimizer


def names() -> list[str]:
    return list(_REGISTRY)


def get(name: str) -> Optimizer:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown optimizer {name!r}; known optimizers: {', '.join(_REGISTRY)}") from None


register(
    Optimizer(
        name="sgd",
        direction=optax.identity,
        auto_centre=lambda curvature, scale: 2.0 / curvature,
        summary="plain gradient descent: x -= lr * g",
        reference="optax.sgd(learning_rate)",
    )
)
register(
    Optimizer(
        name="momentum",
        direction=lambda: optax.trace(decay=HEAVY_BALL, nesterov=False),
        auto_centre=lambda curvature, scale: 2.0 * (1.0 + HEAVY_BALL) / curvature,
        summary=f"heavy ball (Polyak), momentum {HEAVY_BALL}: v = g + 0.9 v; x -= lr * v",
        reference=f"Polyak (1964); optax.sgd(learning_rate, momentum={HEAVY_BALL})",
    )
)
register(
    Optimizer(
        name="adam",
        direction=lambda: optax.scale_by_adam(b1=0.9, b2=0.999, eps=1e-8),
        auto_centre=lambda curvature, scale: 0.05 * scale,
        summary="Adam, b1 = 0.9, b2 = 0.999, eps = 1e-8",
        reference="Kingma & Ba (2015); optax.adam(learning_rate)",
    )
)
