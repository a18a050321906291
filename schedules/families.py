"""The learning-rate schedule families. Each shape maps (u, span, params) to a multiplier of peak,
where u counts steps after the warmup and span is the post-warmup length (see ``_family.py``)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ._family import Family
from ._registry import register


# Checks run on concrete values only, in numpy: jnp inside a trace would give tracers.
def _all(condition) -> bool:
    return bool(np.all(condition))


def _fraction(low_open: bool = False):
    if low_open:
        return (lambda v: _all((np.asarray(v) > 0) & (np.asarray(v) <= 1)), "in (0, 1]")
    return (lambda v: _all((np.asarray(v) >= 0) & (np.asarray(v) <= 1)), "in [0, 1]")


def _half_cosine(p):
    """1 at p = 0 down to 0 at p = 1."""
    return 0.5 * (1.0 + jnp.cos(jnp.pi * jnp.clip(p, 0.0, 1.0)))


def _boundary(fraction, span):
    return jnp.round(jnp.asarray(fraction, dtype=jnp.float64) * span)


# -- constant ----------------------------------------------------------------------------------

register(
    Family(
        name="constant",
        shape=lambda u, span, p: jnp.ones_like(u),
        defaults={"warmup": 0.0},
        summary="peak at every step (the baseline every other family is tested against)",
        reference="-",
    )
)

# -- step --------------------------------------------------------------------------------------


def _step(u, span, p):
    drops = sum((u >= _boundary(b, span)).astype(u.dtype) for b in p["boundaries"])
    return jnp.maximum(jnp.asarray(p["factor"], dtype=u.dtype) ** drops, p["end"])


register(
    Family(
        name="step",
        shape=_step,
        defaults={"factor": 0.1, "end": 0.0, "warmup": 0.0},
        static={"boundaries": (0.5, 0.75)},
        checks={
            "factor": _fraction(low_open=True),
            "end": _fraction(),
            "boundaries": (
                lambda b: isinstance(b, tuple | list) and all(0 < x < 1 for x in b),
                "a list of fractions in (0, 1)",
            ),
        },
        summary="multiply by factor (0.1) at fractions 0.5 and 0.75 of the budget; end is a floor",
        reference="Krizhevsky et al. (2012); He et al. (2016): step decay x0.1",
    )
)

# -- exponential -------------------------------------------------------------------------------


def _exponential(u, span, p):
    if not p["staircase"]:
        return jnp.asarray(p["end"], dtype=u.dtype) ** (u / span)
    period = jnp.maximum(_boundary(p["period"], span), 1.0)
    return jnp.asarray(p["end"], dtype=u.dtype) ** (jnp.floor(u / period) * period / span)


register(
    Family(
        name="exponential",
        shape=_exponential,
        defaults={"end": 1e-3, "period": 0.1, "warmup": 0.0},
        static={"staircase": False},
        checks={
            "end": _fraction(low_open=True),
            "period": _fraction(low_open=True),
            "staircase": (lambda v: isinstance(v, bool), "true or false"),
        },
        summary=(
            "peak * end^(t / steps): geometric decay to end (default 1e-3: 0 is unreachable); "
            "staircase = true drops once every period (0.1) of the budget"
        ),
        reference=(
            "optax.exponential_decay(peak, transition_steps=steps, decay_rate=end); staircase: "
            "transition_steps = period * steps, decay_rate = end^period; PyTorch ExponentialLR, gamma = end^(1/steps)"
        ),
    )
)

# -- inverse time ------------------------------------------------------------------------------

register(
    Family(
        name="inverse_time",
        shape=lambda u, span, p: 1.0 / (1.0 + (1.0 / jnp.asarray(p["end"], u.dtype) - 1.0) * u / span),
        defaults={"end": 1e-2, "warmup": 0.0},
        checks={"end": _fraction(low_open=True)},
        summary="peak / (1 + k t / steps) with k = 1 / end - 1, so it ends at end (default 0.01)",
        reference="Robbins & Monro (1951) 1/t rates; Bottou (2012), eta_0 / (1 + k t)",
    )
)

# -- linear ------------------------------------------------------------------------------------

register(
    Family(
        name="linear",
        shape=lambda u, span, p: 1.0 + (p["end"] - 1.0) * u / span,
        defaults={"end": 0.0, "warmup": 0.0},
        checks={"end": _fraction()},
        summary="straight line from peak to end * peak",
        reference="optax.linear_schedule(peak, end * peak, transition_steps=steps)",
    )
)

# -- cosine ------------------------------------------------------------------------------------


def _cosine(u, span, p):
    return p["end"] + (1.0 - p["end"]) * _half_cosine(u / span)


register(
    Family(
        name="cosine",
        shape=_cosine,
        defaults={"end": 0.0, "warmup": 0.0},
        checks={"end": _fraction()},
        summary="half cosine from peak to end * peak",
        reference="Loshchilov & Hutter (2017); optax.cosine_decay_schedule(peak, steps, alpha=end)",
    )
)

register(
    Family(
        name="warmup_cosine",
        shape=_cosine,
        defaults={"end": 0.0, "warmup": 0.05},
        checks={"end": _fraction()},
        summary="linear warmup over 5% of steps, then half cosine to end * peak",
        reference="Goyal et al. (2017) warmup; optax.warmup_cosine_decay_schedule",
    )
)

# -- cosine with warm restarts (SGDR) ----------------------------------------------------------


def _cosine_restarts(u, span, p):
    cycles = int(p["cycles"])
    lengths = jnp.asarray(p["mult"], dtype=u.dtype) ** jnp.arange(cycles, dtype=u.dtype)
    starts = jnp.round(span * jnp.cumsum(lengths) / jnp.sum(lengths))
    starts = jnp.concatenate([jnp.zeros((1,), u.dtype), starts[:-1]])
    ends = jnp.concatenate([starts[1:], jnp.reshape(span, (1,))])
    k = jnp.clip(jnp.sum(u[..., None] >= starts, axis=-1) - 1, 0, cycles - 1)
    start, stop = starts[k], ends[k]
    progress = (u - start) / jnp.maximum(stop - start, 1.0)
    top = jnp.asarray(p["decay"], dtype=u.dtype) ** k.astype(u.dtype)
    return p["end"] + (top - p["end"]) * _half_cosine(progress)


register(
    Family(
        name="cosine_restarts",
        shape=lambda u, span, p: _cosine_restarts(jnp.asarray(u), span, p),
        defaults={"mult": 2.0, "decay": 1.0, "end": 0.0, "warmup": 0.0},
        static={"cycles": 4},
        checks={
            "mult": (lambda v: _all(np.asarray(v) >= 1), ">= 1"),
            "decay": _fraction(low_open=True),
            "end": _fraction(),
            "cycles": (lambda v: isinstance(v, int) and v >= 1, "an int >= 1"),
        },
        summary="SGDR: 4 cosine cycles, each mult (2) times longer, the last ending at the budget",
        reference="Loshchilov & Hutter (2017), SGDR: T_0 = steps (mult - 1) / (mult^cycles - 1)",
    )
)

# -- one cycle ---------------------------------------------------------------------------------


def _one_cycle(u, span, p):
    rise = jnp.maximum(_boundary(p["pct_start"], span), 1.0)
    fall = jnp.maximum(span - rise, 1.0)
    start, end = p["start"], p["end"]
    going_up = start + (1.0 - start) * (1.0 - _half_cosine(u / rise))
    going_down = end + (1.0 - end) * _half_cosine((u - rise) / fall)
    return jnp.where(u < rise, going_up, going_down)


register(
    Family(
        name="one_cycle",
        shape=_one_cycle,
        defaults={"pct_start": 0.3, "start": 1.0 / 25.0, "end": 1.0 / 25.0 / 1e4, "warmup": 0.0},
        checks={
            "pct_start": (lambda v: _all((np.asarray(v) > 0) & (np.asarray(v) < 1)), "in (0, 1)"),
            "start": _fraction(low_open=True),
            "end": _fraction(),
        },
        summary="cosine up from peak/25 to peak over 30% of steps, then cosine down to peak/2.5e5",
        reference=(
            "Smith & Topin (2019); optax.cosine_onecycle_schedule(steps, peak, pct_start=0.3, "
            "div_factor=25, final_div_factor=1e4): start = 1/div, end = start/final_div"
        ),
    )
)

# -- triangular (cyclical learning rates) ------------------------------------------------------


def _triangle_wave(u, span, cycles):
    """(cycle index, wave): ``cycles`` triangles of height 1 over [0, span], 0 at both ends."""
    half = span / (2.0 * cycles)
    cycle = jnp.floor(u / (2.0 * half))
    return cycle, jnp.maximum(0.0, 1.0 - jnp.abs(u / half - 2.0 * cycle - 1.0))


def _triangular(u, span, p):
    _, wave = _triangle_wave(u, span, p["cycles"])
    return p["end"] + (1.0 - p["end"]) * wave


register(
    Family(
        name="triangular",
        shape=_triangular,
        defaults={"cycles": 2.0, "end": 0.0, "warmup": 0.0},
        checks={"cycles": (lambda v: _all(np.asarray(v) > 0), "> 0"), "end": _fraction()},
        summary="cyclical lr between end * peak and peak, 2 triangles ending at the budget",
        reference="Smith (2017), cyclical learning rates, triangular policy (base_lr = end * peak)",
    )
)

# -- warmup-stable-decay -----------------------------------------------------------------------

_WSD_SHAPES = {
    "linear": lambda q: 1.0 - q,
    "cosine": _half_cosine,
    "sqrt": lambda q: 1.0 - jnp.sqrt(q),
}


def _wsd(u, span, p):
    length = jnp.maximum(_boundary(p["decay"], span), 1.0)
    q = jnp.clip((u - (span - length)) / length, 0.0, 1.0)
    return p["end"] + (1.0 - p["end"]) * _WSD_SHAPES[p["shape"]](q)


register(
    Family(
        name="wsd",
        shape=_wsd,
        defaults={"decay": 0.2, "end": 0.0, "warmup": 0.0},
        static={"shape": "linear"},
        checks={
            "decay": _fraction(low_open=True),
            "end": _fraction(),
            "shape": (lambda v: v in _WSD_SHAPES, f"one of {sorted(_WSD_SHAPES)}"),
        },
        summary="warmup-stable-decay: peak until the last 20% of steps, then linear to end * peak",
        reference="Hu et al. (2024), MiniCPM; Haegele et al. (2024): shapes linear, cosine, sqrt (1-sqrt)",
    )
)

# -- polynomial --------------------------------------------------------------------------------

register(
    Family(
        name="polynomial",
        shape=lambda u, span, p: p["end"] + (1.0 - p["end"]) * (1.0 - u / span) ** p["power"],
        defaults={"power": 2.0, "end": 0.0, "warmup": 0.0},
        checks={"power": (lambda v: _all(np.asarray(v) > 0), "> 0"), "end": _fraction()},
        summary="peak * (1 - t / steps)^power down to end * peak (power 2; power 1 is `linear`)",
        reference="optax.polynomial_schedule(peak, end * peak, power, steps); PyTorch PolynomialLR",
    )
)

# -- one cycle, linear -------------------------------------------------------------------------


def _one_cycle_linear(u, span, p):
    rise = jnp.maximum(_boundary(p["pct_start"], span), 1.0)
    fall_end = jnp.maximum(_boundary(p["pct_final"], span), rise + 1.0)
    start, end = p["start"], p["end"]
    up = start + (1.0 - start) * u / rise
    down = 1.0 + (start - 1.0) * (u - rise) / (fall_end - rise)
    tail = start + (end - start) * (u - fall_end) / jnp.maximum(span - fall_end, 1.0)
    return jnp.where(u < rise, up, jnp.where(u < fall_end, down, tail))


register(
    Family(
        name="one_cycle_linear",
        shape=_one_cycle_linear,
        defaults={"pct_start": 0.3, "pct_final": 0.85, "start": 1.0 / 25.0, "end": 1.0 / 25.0 / 1e4, "warmup": 0.0},
        checks={
            "pct_start": (lambda v: _all((np.asarray(v) > 0) & (np.asarray(v) < 1)), "in (0, 1)"),
            "pct_final": (lambda v: _all((np.asarray(v) > 0) & (np.asarray(v) <= 1)), "in (0, 1]"),
            "start": _fraction(low_open=True),
            "end": _fraction(),
        },
        relations=(
            (
                ("pct_start", "pct_final"),
                lambda a, b: _all(np.asarray(b) > np.asarray(a)),
                "pct_final must be above pct_start",
            ),
        ),
        summary="linear up from peak/25 to peak (30%), down to peak/25 (85%), then to peak/2.5e5",
        reference=(
            "Smith & Topin (2019); optax.linear_onecycle_schedule(steps, peak, pct_start=0.3, "
            "pct_final=0.85, div_factor=25, final_div_factor=1e4)"
        ),
    )
)

# -- triangular2 (cyclical, halving amplitude) -------------------------------------------------


def _triangular2(u, span, p):
    cycle, wave = _triangle_wave(u, span, p["cycles"])
    amplitude = 0.5 ** jnp.minimum(cycle, jnp.ceil(p["cycles"]) - 1.0)
    return p["end"] + (1.0 - p["end"]) * amplitude * wave


register(
    Family(
        name="triangular2",
        shape=_triangular2,
        defaults={"cycles": 2.0, "end": 0.0, "warmup": 0.0},
        checks={"cycles": (lambda v: _all(np.asarray(v) > 0), "> 0"), "end": _fraction()},
        summary="cyclical lr like `triangular`, the amplitude halved every cycle (2 cycles end at the budget)",
        reference="Smith (2017), cyclical learning rates, triangular2 policy (base_lr = end * peak)",
    )
)

# -- REX ---------------------------------------------------------------------------------------


def _rex(u, span, p):
    remaining = 1.0 - u / span
    return p["end"] + (1.0 - p["end"]) * remaining / (0.5 + 0.5 * remaining)


register(
    Family(
        name="rex",
        shape=_rex,
        defaults={"end": 0.0, "warmup": 0.0},
        checks={"end": _fraction()},
        summary="reflected exponential: peak * (1 - z) / (1/2 + (1 - z) / 2), z = t / steps",
        reference="Chen, Wolfe & Kyrillidis (2022), REX: revisiting budgeted training with an improved schedule",
    )
)

# -- constant, then one drop (for ablations) ---------------------------------------------------

register(
    Family(
        name="constant_then_drop",
        shape=lambda u, span, p: jnp.where(u < _boundary(p["drop"], span), 1.0, p["end"]),
        defaults={"drop": 0.75, "end": 0.01, "warmup": 0.0},
        checks={"drop": _fraction(low_open=True), "end": _fraction()},
        summary="peak until 75% of the budget, then end * peak (0.01): a single drop, for ablations",
        reference="-: the limit of step decay with one boundary; isolates 'a late drop' from annealing",
    )
)

# -- inverse square root (Transformers) -------------------------------------------------------


def _inverse_sqrt(u, span, p):
    timescale = jnp.maximum(jnp.round(jnp.asarray(p["timescale"], dtype=u.dtype) * p["budget"]), 1.0)
    return jnp.maximum(jnp.sqrt(timescale / (u + timescale)), p["end"])


register(
    Family(
        name="inverse_sqrt",
        shape=_inverse_sqrt,
        defaults={"timescale": 0.05, "end": 0.0, "warmup": 0.05},
        checks={"timescale": _fraction(low_open=True), "end": _fraction()},
        summary=(
            "linear warmup over 5% of steps, then peak * sqrt(tau / (t - warmup + tau)), tau = 5% of "
            "steps; end is a floor (it ends near 0.22 * peak by default)"
        ),
        reference=(
            "Vaswani et al. (2017), lr ~ 1/sqrt(step) after warmup; Hugging Face "
            "get_inverse_sqrt_schedule(num_warmup_steps, timescale = num_warmup_steps)"
        ),
    )
)

# -- exp_range (cyclical, exponentially shrinking amplitude) -----------------------------------


def _exp_range(u, span, p):
    _, wave = _triangle_wave(u, span, p["cycles"])
    amplitude = jnp.asarray(p["decay"], dtype=u.dtype) ** (u / span)
    return p["end"] + (1.0 - p["end"]) * amplitude * wave


register(
    Family(
        name="exp_range",
        shape=_exp_range,
        defaults={"cycles": 2.0, "decay": 0.1, "end": 0.0, "warmup": 0.0},
        checks={
            "cycles": (lambda v: _all(np.asarray(v) > 0), "> 0"),
            "decay": _fraction(low_open=True),
            "end": _fraction(),
        },
        summary=(
            "cyclical lr like `triangular`, the amplitude times gamma^t with gamma = decay^(1/steps) "
            "(decay 0.1: a tenth of the amplitude left at the budget)"
        ),
        reference="Smith (2017), cyclical learning rates, exp_range policy; PyTorch CyclicLR(mode='exp_range')",
    )
)
