"""The optimiser registry: one record per key.

A *descent* optimiser is an optax optimiser built for one step's learning rate: the engine calls
``build(lr_t)`` inside its scan with the schedule's value for step t, which is exactly what optax
does with a schedule (``lr_t = schedule(count)``), so any schedule family drives any optimiser.
Every hyperparameter is optax's default unless the record says otherwise.

``NAME+plateau`` (e.g. ``sgd+plateau``) chains reduce-on-plateau (``plateau.py``) after any descent
optimiser: the schedule's lr is further multiplied by a factor that drops when the objective stalls.

*Reference* methods (``lbfgs``, ``random_search``) take no schedule and no lr: they give one row per
cell with ``schedule = "none"`` and ``lr = 0.0`` and the same budget of evaluations, so readers see
what plain local descent and blind sampling achieve (``reference.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import optax

from . import plateau

HEAVY_BALL = 0.9
PLATEAU = "+plateau"
DESCENT, REFERENCE = "descent", "reference"


@dataclasses.dataclass(frozen=True)
class Optimizer:
    """One registered optimiser.

    Attributes:
      name: registry key.
      summary, reference: for ``bench list`` and the README (hyperparameters included).
      build: ``lr -> optax transformation`` for one step (descent methods); None for references.
      auto_centre: ``(curvature L, basin scale) -> lr`` at the centre of the ``auto`` grid: the
        largest lr at which the method settles in a minimum of curvature L for curvature-driven
        methods, or a fraction of the basin scale for sign-like ones (Adam's step is about lr per
        coordinate, whatever the curvature).
      eval_point: ``(state, params) -> the point judged`` where the method evaluates elsewhere than
        where it takes gradients (schedule-free); None: the iterate itself.
      needs_value: the update needs the objective's value (``update(..., value=f)``).
      coordinatewise: each coordinate's update depends only on that coordinate's own gradients,
        the lr and step counts (no norms, no objective value). The engine then updates a whole
        block of starts as one parameter array, its step counts shared by the block, which is
        several times faster than a separate update per start and gives the same numbers (tested
        against a plain optax loop per start). False (the default) for anything else: such
        updates run per start.
      kind: ``"descent"`` (driven by a schedule) or ``"reference"``.
    """

    name: str
    summary: str
    reference: str
    build: Callable[[object], optax.GradientTransformation] | None = None
    auto_centre: AutoCentre | None = None
    eval_point: Callable | None = None
    needs_value: bool = False
    coordinatewise: bool = False
    kind: str = DESCENT


_REGISTRY: dict[str, Optimizer] = {}


def register(optimizer: Optimizer) -> Optimizer:
    if optimizer.name in _REGISTRY:
        raise ValueError(f"optimizer {optimizer.name!r} is already registered")
    if PLATEAU in optimizer.name:
        raise ValueError(f"optimizer {optimizer.name!r}: {PLATEAU!r} is a suffix, not part of a name")
    _REGISTRY[optimizer.name] = optimizer
    return optimizer


def names() -> list[str]:
    """Registered optimisers (the ``+plateau`` variants are not listed separately)."""
    return list(_REGISTRY)


def accepted_names() -> list[str]:
    """Every name a config may use: each optimiser, and ``NAME+plateau`` for each descent one."""
    return names() + [name + PLATEAU for name, o in _REGISTRY.items() if o.kind == DESCENT]


def get(name: str) -> Optimizer:
    base_name, suffix, rest = name.partition(PLATEAU)
    base = _REGISTRY.get(base_name)
    if base is None or rest or (suffix and base.kind != DESCENT):
        raise KeyError(
            f"unknown optimizer {name!r}; known optimizers: {', '.join(_REGISTRY)} "
            f"(any descent optimizer may be followed by {PLATEAU!r})"
        )
    return with_plateau(base) if suffix else base


def with_plateau(base: Optimizer) -> Optimizer:
    """``base`` followed by reduce-on-plateau on the objective (a chain: state = (base, plateau))."""
    eval_point, build = base.eval_point, base.build
    if build is None:
        raise ValueError(f"{base.name} is a reference method; {PLATEAU!r} applies to descent optimizers")
    return dataclasses.replace(
        base,
        name=base.name + PLATEAU,
        summary=(
            f"{base.name}, its lr times a factor 0.1 after every {plateau.PATIENCE} steps without "
            f"improving f by rtol {plateau.RTOL:g} (sign-safe)"
        ),
        reference="PyTorch ReduceLROnPlateau / optax.contrib.reduce_on_plateau, with a sign-safe relative rule",
        build=lambda lr: optax.chain(build(lr), plateau.reduce_on_plateau()),
        eval_point=None if eval_point is None else (lambda state, x: eval_point(state[0], x)),
        needs_value=True,
        coordinatewise=False,  # the plateau test reads each start's own objective value
    )


# -- auto-grid centres --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AutoCentre:
    """The centre of an ``auto`` lr grid: ``factor / L`` (curvature-driven methods: the stability
    limit on a minimum of curvature L) or ``factor * basin scale`` (sign-like methods, whose step
    is about lr per coordinate whatever the curvature)."""

    factor: float
    per: str  # "curvature" or "basin"

    def __call__(self, curvature: float, scale: float) -> float:
        return self.factor / curvature if self.per == "curvature" else self.factor * scale

    def describe(self) -> str:
        return f"{self.factor:.3g} / L" if self.per == "curvature" else f"{self.factor:g} x basin scale"


def _curvature_limit(factor: float) -> AutoCentre:
    return AutoCentre(factor, "curvature")


def _basin_fraction(fraction: float) -> AutoCentre:
    return AutoCentre(fraction, "basin")


SIGN_LIKE = _basin_fraction(0.05)  # a step of about lr per coordinate

# -- descent methods ----------------------------------------------------------------------------

register(
    Optimizer(
        name="sgd",
        coordinatewise=True,
        build=optax.sgd,
        auto_centre=_curvature_limit(2.0),
        summary="plain gradient descent: x -= lr * g",
        reference="optax.sgd(lr)",
    )
)
register(
    Optimizer(
        name="momentum",
        coordinatewise=True,
        build=lambda lr: optax.sgd(lr, momentum=HEAVY_BALL),
        auto_centre=_curvature_limit(2.0 * (1.0 + HEAVY_BALL)),
        summary=f"heavy ball (Polyak), momentum {HEAVY_BALL}: v = g + {HEAVY_BALL} v; x -= lr * v",
        reference=f"Polyak (1964); optax.sgd(lr, momentum={HEAVY_BALL})",
    )
)
register(
    Optimizer(
        name="nesterov",
        coordinatewise=True,
        build=lambda lr: optax.sgd(lr, momentum=HEAVY_BALL, nesterov=True),
        auto_centre=_curvature_limit(2.0 * (1.0 + HEAVY_BALL) / (1.0 + 2.0 * HEAVY_BALL)),
        summary=f"Nesterov momentum {HEAVY_BALL} (Sutskever form): x -= lr * (g + {HEAVY_BALL} v)",
        reference=f"Nesterov (1983); Sutskever et al. (2013); optax.sgd(lr, momentum={HEAVY_BALL}, nesterov=True)",
    )
)
register(
    Optimizer(
        name="adam",
        coordinatewise=True,
        build=optax.adam,
        auto_centre=SIGN_LIKE,
        summary="Adam, b1 = 0.9, b2 = 0.999, eps = 1e-8",
        reference="Kingma & Ba (2015); optax.adam(lr)",
    )
)
register(
    Optimizer(
        name="adamw",
        coordinatewise=True,
        build=optax.adamw,
        auto_centre=SIGN_LIKE,
        summary=(
            "Adam with decoupled weight decay 1e-4 (times lr), b1 = 0.9, b2 = 0.999, eps = 1e-8; the decay "
            "pulls toward the origin, which is x_opt of textbook (instance 0) functions"
        ),
        reference="Loshchilov & Hutter (2019); optax.adamw(lr)",
    )
)
register(
    Optimizer(
        name="amsgrad",
        coordinatewise=True,
        build=optax.amsgrad,
        auto_centre=SIGN_LIKE,
        summary="AMSGrad: Adam with the running maximum of the second moment, b1 = 0.9, b2 = 0.999",
        reference="Reddi, Kale & Kumar (2018); optax.amsgrad(lr)",
    )
)
register(
    Optimizer(
        name="rmsprop",
        coordinatewise=True,
        build=optax.rmsprop,
        auto_centre=SIGN_LIKE,
        summary="RMSProp, decay 0.9, eps = 1e-8, no momentum",
        reference="Tieleman & Hinton (2012); optax.rmsprop(lr)",
    )
)
register(
    Optimizer(
        name="adagrad",
        coordinatewise=True,
        build=optax.adagrad,
        auto_centre=_basin_fraction(0.5),  # steps shrink as 1/sqrt(t): a centre ten times Adam's
        summary="AdaGrad, initial accumulator 0.1, eps = 1e-7: steps shrink as 1/sqrt(sum of g^2)",
        reference="Duchi, Hazan & Singer (2011); optax.adagrad(lr)",
    )
)
register(
    Optimizer(
        name="adabelief",
        coordinatewise=True,
        build=optax.adabelief,
        auto_centre=SIGN_LIKE,
        summary="AdaBelief, b1 = 0.9, b2 = 0.999, eps = eps_root = 1e-16",
        reference="Zhuang et al. (2020); optax.adabelief(lr)",
    )
)
register(
    Optimizer(
        name="lion",
        coordinatewise=True,
        build=lambda lr: optax.lion(lr, weight_decay=0.0),
        auto_centre=SIGN_LIKE,
        summary=(
            "Lion, b1 = 0.9, b2 = 0.99, a sign step of exactly lr per coordinate; weight decay 0 (optax's "
            "default 1e-3 would pull toward the origin)"
        ),
        reference="Chen et al. (2023); optax.lion(lr, weight_decay=0.0)",
    )
)
register(
    Optimizer(
        name="yogi",
        coordinatewise=True,
        build=optax.yogi,
        auto_centre=SIGN_LIKE,
        summary="Yogi, b1 = 0.9, b2 = 0.999, eps = 1e-3",
        reference="Zaheer et al. (2018); optax.yogi(lr)",
    )
)
register(
    Optimizer(
        name="schedule_free_sgd",
        coordinatewise=True,
        build=lambda lr: optax.contrib.schedule_free_sgd(lr, b1=0.9),
        auto_centre=_curvature_limit(2.0),
        eval_point=optax.contrib.schedule_free_eval_params,
        summary=(
            "schedule-free SGD, b1 = 0.9, averaging weights lr_max^2; gradients at the interpolation "
            "point y, the final iterate judged at the evaluation point x"
        ),
        reference="Defazio et al. (2024), The road less scheduled; optax.contrib.schedule_free_sgd(lr)",
    )
)
register(
    Optimizer(
        name="schedule_free_adamw",
        coordinatewise=True,
        build=lambda lr: optax.contrib.schedule_free_adamw(lr, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.0),
        auto_centre=SIGN_LIKE,
        eval_point=optax.contrib.schedule_free_eval_params,
        summary="schedule-free AdamW, b1 = 0.9, b2 = 0.999, weight decay 0; judged at the evaluation point x",
        reference="Defazio et al. (2024); optax.contrib.schedule_free_adamw(lr)",
    )
)

# -- reference methods (no schedule, no lr) -----------------------------------------------------

register(
    Optimizer(
        name="lbfgs",
        kind=REFERENCE,
        summary=(
            "L-BFGS (memory 10) with optax's zoom line search; as many function-and-gradient evaluations "
            "as the others have steps, line-search evaluations included"
        ),
        reference="Nocedal & Wright (2006), alg. 7.5; optax.lbfgs()",
    )
)
register(
    Optimizer(
        name="random_search",
        kind=REFERENCE,
        summary="uniform samples in the box, as many as the others have steps; the final iterate is the best sample",
        reference="Brooks (1958); Rastrigin (1963): pure random search",
    )
)
