"""Schedule families: the parameter conventions of DESIGN.md, optax as the oracle where it has the
same schedule, closed forms elsewhere, and the cases of ../shared/cases (S1-S5)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import schedules

NAMES = schedules.names()
EXPECTED = [
    "constant",
    "step",
    "exponential",
    "inverse_time",
    "linear",
    "cosine",
    "warmup_cosine",
    "cosine_restarts",
    "one_cycle",
    "triangular",
    "wsd",
]
T = 1000
STEPS = np.arange(T + 3)


def values(schedule, steps=STEPS):
    return np.asarray(schedule(jnp.asarray(steps)))


def test_registry_starts_with_the_eleven_families_of_the_first_release():
    assert NAMES[: len(EXPECTED)] == EXPECTED


def test_unknown_family_lists_the_known_ones():
    with pytest.raises(KeyError, match="unknown schedule 'cosin'.*cosine"):
        schedules.get("cosin")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("steps", [0, -5])
def test_nonpositive_steps_raise(name, steps):  # S3
    with pytest.raises(ValueError, match=rf"{name}: steps must be > 0, got steps={steps}"):
        schedules.get(name)(peak=0.1, steps=steps)


@pytest.mark.parametrize("name", NAMES)
def test_unknown_parameter_is_refused(name):
    with pytest.raises(TypeError, match=rf"{name}: unknown parameter\(s\) \['gamma'\]"):
        schedules.get(name)(peak=0.1, steps=10, gamma=0.5)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("steps", [1, 2, 3, 7])
def test_tiny_budgets_stay_finite(name, steps):  # S1
    out = values(schedules.get(name)(peak=1.0, steps=steps), np.arange(steps + 2))
    assert np.all(np.isfinite(out)) and np.all(out >= 0) and np.all(out <= 1.0 + 1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_bounded_by_peak_and_held_past_the_budget(name):
    out = values(schedules.get(name)(peak=0.5, steps=T))
    assert out.max() <= 0.5 + 1e-12 and out.min() >= 0.0
    assert out[T] == out[T + 1] == out[T + 2]
    huge = values(schedules.get(name)(peak=0.5, steps=10**9), np.array([0, 10**9 - 1, 10**9, 2 * 10**9]))
    assert np.all(np.isfinite(huge))


@pytest.mark.parametrize("name", [n for n in NAMES if n != "exp_range"])
def test_peak_is_reached(name):
    # exp_range's amplitude has shrunk by the first top (as in PyTorch): its own test pins it.
    assert values(schedules.get(name)(peak=0.5, steps=T)).max() == pytest.approx(0.5, rel=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_traced_peak_and_end_in_one_compile(name):  # S4
    family = schedules.get(name)
    traces = []

    def lr_at(peak, end, step):
        traces.append(1)
        params = {"end": end} if "end" in family.defaults else {}
        return family(peak=peak, steps=T, **params)(step)

    peaks = jnp.asarray([0.1, 0.2, 0.4])
    ends = jnp.asarray([0.1, 0.01, 0.5])
    grid = jax.jit(jax.vmap(jax.vmap(lr_at, in_axes=(None, None, 0)), in_axes=(0, 0, None)))
    out = np.asarray(grid(peaks, ends, jnp.arange(T)))
    np.asarray(grid(peaks * 2, ends, jnp.arange(T)))
    assert len(traces) == 1
    for lane, (peak, end) in enumerate(zip([0.1, 0.2, 0.4], [0.1, 0.01, 0.5])):
        params = {"end": end} if "end" in family.defaults else {}
        np.testing.assert_allclose(out[lane], values(family(peak=peak, steps=T, **params), np.arange(T)), rtol=1e-12)


def test_traced_decay_fraction():  # S4, a phase fraction
    wsd = schedules.get("wsd")
    lanes = jax.jit(jax.vmap(lambda f: wsd(peak=1.0, steps=100, decay=f)(jnp.arange(100))))(jnp.asarray([0.1, 0.5]))
    np.testing.assert_allclose(np.asarray(lanes[0]), values(wsd(peak=1.0, steps=100, decay=0.1), np.arange(100)))
    np.testing.assert_allclose(np.asarray(lanes[1]), values(wsd(peak=1.0, steps=100, decay=0.5), np.arange(100)))


def test_bad_concrete_values_are_refused_with_the_value():
    with pytest.raises(ValueError, match=r"cosine: end must be in \[0, 1\], got end=1.5"):
        schedules.get("cosine")(peak=1.0, steps=10, end=1.5)
    with pytest.raises(ValueError, match=r"linear: warmup must be a fraction in \[0, 1\), got warmup=1.0"):
        schedules.get("linear")(peak=1.0, steps=10, warmup=1.0)
    with pytest.raises(ValueError, match="wsd: shape must be one of"):
        schedules.get("wsd")(peak=1.0, steps=10, shape="cubic")


# -- optax as the oracle -----------------------------------------------------------------------


def oracle(schedule):
    return np.array([float(schedule(i)) for i in STEPS])


@pytest.mark.parametrize(
    "name,params,reference,rtol",
    [
        ("linear", {"end": 0.1}, optax.linear_schedule(0.3, 0.03, T), 1e-12),
        ("cosine", {"end": 0.1}, optax.cosine_decay_schedule(0.3, T, alpha=0.1), 1e-12),
        ("warmup_cosine", {"warmup": 0.1}, optax.warmup_cosine_decay_schedule(0.0, 0.3, 100, T, 0.0), 1e-12),
        ("exponential", {"end": 1e-3}, optax.exponential_decay(0.3, T, 1e-3), 1e-5),  # optax: float32
        ("one_cycle", {}, optax.cosine_onecycle_schedule(T, 0.3, 0.3, 25.0, 1e4), 1e-12),
        ("step", {}, optax.piecewise_constant_schedule(0.3, {500: 0.1, 750: 0.1}), 1e-12),
    ],
)
def test_equals_optax(name, params, reference, rtol):
    # Up to the budget: optax's exponential_decay keeps decaying past it, ours holds (DESIGN.md).
    ours = values(schedules.get(name)(peak=0.3, steps=T, **params))
    np.testing.assert_allclose(ours[: T + 1], oracle(reference)[: T + 1], rtol=rtol, atol=1e-15)


def test_warmup_is_counted_inside_the_budget():  # S2
    schedule = schedules.get("cosine")(peak=1.0, steps=1000, warmup=0.1)
    assert float(schedule(550)) == pytest.approx(0.5, abs=1e-12)
    assert float(schedule(50)) == pytest.approx(0.5, abs=1e-12)
    assert float(schedule(100)) == pytest.approx(1.0)


def test_step_boundaries_take_the_new_value_at_the_boundary():  # S5
    schedule = schedules.get("step")(peak=1.0, steps=30, boundaries=(1 / 3, 2 / 3))
    np.testing.assert_allclose(values(schedule, np.array([9, 10, 20])), [1.0, 0.1, 0.01], rtol=1e-12)


# -- closed forms for the families optax does not have (in this form) ------------------------


def test_inverse_time_closed_form():
    out = values(schedules.get("inverse_time")(peak=0.3, steps=T, end=0.01))
    k = 1 / 0.01 - 1
    np.testing.assert_allclose(out[: T + 1], 0.3 / (1 + k * np.minimum(STEPS[: T + 1], T) / T), rtol=1e-12)


def test_cosine_restarts_cycles_double_and_the_last_ends_at_the_budget():
    out = values(schedules.get("cosine_restarts")(peak=1.0, steps=1500), np.arange(1501))
    starts = [0, 100, 300, 700]  # lengths 100, 200, 400, 800: T_0 = 1500 / 15
    for start in starts:
        assert out[start] == pytest.approx(1.0)
    for stop in starts[1:]:
        assert out[stop - 1] < 0.01
    assert out[1500] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(out[300 + 200], 0.5, atol=1e-12)  # middle of the third cycle


def test_triangular_two_cycles_end_at_the_budget():
    out = values(schedules.get("triangular")(peak=1.0, steps=1000, end=0.1))
    np.testing.assert_allclose(out[[0, 250, 500, 750, 1000]], [0.1, 1.0, 0.1, 1.0, 0.1], atol=1e-12)


def test_wsd_holds_then_decays_over_the_last_fifth():
    out = values(schedules.get("wsd")(peak=1.0, steps=1000))
    assert np.all(out[:800] == 1.0)
    np.testing.assert_allclose(out[[900, 1000]], [0.5, 0.0], atol=1e-12)


def test_constant_is_the_peak_everywhere():
    np.testing.assert_array_equal(values(schedules.get("constant")(peak=0.25, steps=T)), 0.25)


def test_polynomial_and_one_cycle_linear_equal_optax():
    ours = values(schedules.get("polynomial")(peak=0.3, steps=T, end=0.1, power=3.0))
    np.testing.assert_allclose(ours[: T + 1], oracle(optax.polynomial_schedule(0.3, 0.03, 3.0, T))[: T + 1], rtol=1e-6)
    ours = values(schedules.get("one_cycle_linear")(peak=0.3, steps=T))
    np.testing.assert_allclose(ours, oracle(optax.linear_onecycle_schedule(T, 0.3)), rtol=1e-6, atol=1e-12)


def test_triangular2_halves_the_amplitude_each_cycle():
    out = values(schedules.get("triangular2")(peak=1.0, steps=1000, cycles=3.0), np.arange(1001))
    np.testing.assert_allclose(out[[0, 167, 500, 833, 1000]], [0.0, 1.0, 0.5, 0.25, 0.0], atol=3e-3)


def test_rex_closed_form():
    out = values(schedules.get("rex")(peak=2.0, steps=100), np.arange(101))
    z = np.arange(101) / 100
    np.testing.assert_allclose(out, 2.0 * (1 - z) / (0.5 + 0.5 * (1 - z)), rtol=1e-12)


def test_constant_then_drop():
    out = values(schedules.get("constant_then_drop")(peak=1.0, steps=100), np.arange(101))
    assert np.all(out[:75] == 1.0) and np.all(out[75:] == 0.01)


MONOTONE = [
    "step",
    "exponential",
    "inverse_time",
    "linear",
    "cosine",
    "polynomial",
    "rex",
    "constant_then_drop",
    "wsd",
    "inverse_sqrt",
]


@pytest.mark.parametrize("name", MONOTONE)
def test_decays_never_rise_after_the_warmup(name):
    out = values(schedules.get(name)(peak=1.0, steps=T, warmup=0.0))
    assert out[0] == pytest.approx(1.0)  # a decay starts at its peak
    assert np.all(np.diff(out) <= 1e-15)


@pytest.mark.parametrize("name", [n for n in NAMES if "warmup" in schedules.get(n).defaults])
def test_warmup_rises_linearly_from_zero_to_peak(name):
    out = values(schedules.get(name)(peak=2.0, steps=T, warmup=0.2))
    np.testing.assert_allclose(out[:200], 2.0 * np.arange(200) / 200)


@pytest.mark.parametrize(
    "name,params",
    [
        ("one_cycle", {"pct_start": 1e-6}),
        ("one_cycle_linear", {"pct_start": 1e-6, "pct_final": 2e-6}),
        ("wsd", {"decay": 1e-6}),
        ("cosine", {"warmup": 1e-6}),
        ("step", {"boundaries": (1e-6, 0.999999)}),
        ("cosine_restarts", {"cycles": 50}),
        ("triangular", {"cycles": 400.0}),
        ("exponential", {"staircase": True, "period": 1e-6}),
    ],
)
def test_zero_length_phases_stay_finite(name, params):  # S1, phases that round to 0 steps
    out = values(schedules.get(name)(peak=1.0, steps=100, **params), np.arange(103))
    assert np.all(np.isfinite(out)) and out.min() >= 0 and out.max() <= 1.0 + 1e-12


@pytest.mark.parametrize("peak", [-0.1, float("nan"), float("inf")])
def test_negative_or_non_finite_concrete_peak_is_refused(peak):
    for name in NAMES:
        with pytest.raises(ValueError, match=rf"{name}: peak must be a finite lr >= 0, got peak="):
            schedules.get(name)(peak=peak, steps=10)


def test_warmup_as_long_as_the_run_is_refused():
    for name in NAMES:
        with pytest.raises(ValueError, match=rf"{name}: warmup must be a fraction in \[0, 1\), got warmup=1.5"):
            schedules.get(name)(peak=1.0, steps=10, warmup=1.5)
