"""Schedule families against the closed forms of PyTorch's and Hugging Face's schedulers, written
out here (torch is not a test dependency), and against optax where this file adds a family.

Where the libraries differ from us the test pins the difference, so it is a documented fact rather
than a surprise:

* PyTorch's ``CosineAnnealingLR`` rises again after ``T_max``; ours holds ``end`` past the budget.
* PyTorch's ``ExponentialLR`` keeps decaying past the budget; ours holds.
* PyTorch's ``OneCycleLR`` peaks at step ``pct_start * T - 1`` and reaches its minimum at ``T - 1``;
  ours follows optax: peak at ``pct_start * T``, minimum at ``T``.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
import optax
import pytest

import schedules

T = 1000
t = np.arange(T + 1)


def ours(name, peak=1.0, steps=T, at=t, **params):
    return np.asarray(schedules.get(name)(peak=peak, steps=steps, **params)(jnp.asarray(at)))


# -- PyTorch closed forms (torch/optim/lr_scheduler.py, _get_closed_form_lr and CyclicLR) -------


def torch_multistep(base, milestones, gamma, steps):
    return np.array([base * gamma ** sum(s >= m for m in milestones) for s in steps])


def torch_cosine_annealing(base, eta_min, t_max, steps):
    return eta_min + (base - eta_min) * (1 + np.cos(np.pi * steps / t_max)) / 2


def torch_polynomial(base, total, power, steps):
    return base * (1 - np.minimum(steps, total) / total) ** power


def torch_linear(base, start_factor, end_factor, total, steps):
    return base * (start_factor + (end_factor - start_factor) * np.minimum(total, steps) / total)


def torch_exponential(base, gamma, steps):
    return base * gamma**steps


def torch_cyclic(base_lr, max_lr, step_size, mode, gamma, steps):
    out = []
    for s in steps:
        cycle = math.floor(1 + s / (2 * step_size))
        x = abs(s / step_size - 2 * cycle + 1)
        scale = {"triangular": 1.0, "triangular2": 1 / 2.0 ** (cycle - 1), "exp_range": gamma**s}[mode]
        out.append(base_lr + (max_lr - base_lr) * max(0.0, 1 - x) * scale)
    return np.array(out)


def torch_warm_restarts(base, eta_min, t_0, t_mult, steps):
    out = []
    for s in steps:
        n = int(math.log(s / t_0 * (t_mult - 1) + 1, t_mult))
        t_cur = s - t_0 * (t_mult**n - 1) / (t_mult - 1)
        t_i = t_0 * t_mult**n
        out.append(eta_min + (base - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2)
    return np.array(out)


def torch_one_cycle(max_lr, total, pct_start, div, final_div, steps):
    initial, minimum = max_lr / div, max_lr / div / final_div
    up_end, down_end = pct_start * total - 1, total - 1

    def cos(start, end, pct):
        return end + (start - end) / 2 * (math.cos(math.pi * pct) + 1)

    return np.array(
        [
            cos(initial, max_lr, s / up_end)
            if s <= up_end
            else cos(max_lr, minimum, (s - up_end) / (down_end - up_end))
            for s in steps
        ]
    )


def test_step_equals_multistep_lr():
    np.testing.assert_allclose(ours("step", peak=0.3), torch_multistep(0.3, [500, 750], 0.1, t), rtol=1e-12)


def test_cosine_equals_cosine_annealing_lr_up_to_the_budget_then_holds():
    np.testing.assert_allclose(ours("cosine", peak=0.3, end=0.1), torch_cosine_annealing(0.3, 0.03, T, t), rtol=1e-12)
    past = np.array([1500, 2000])
    np.testing.assert_allclose(ours("cosine", peak=0.3, at=past), 0.0, atol=1e-15)
    np.testing.assert_allclose(torch_cosine_annealing(0.3, 0.0, T, past), [0.15, 0.3], rtol=1e-12)  # rises again


def test_polynomial_and_linear_equal_polynomial_lr_and_linear_lr():
    np.testing.assert_allclose(
        ours("polynomial", peak=0.3, power=2.0), torch_polynomial(0.3, T, 2.0, t), rtol=1e-12, atol=1e-15
    )
    np.testing.assert_allclose(ours("linear", peak=0.3, end=0.2), torch_linear(0.3, 1.0, 0.2, T, t), rtol=1e-12)


def test_exponential_equals_exponential_lr_up_to_the_budget():
    gamma = 1e-3 ** (1 / T)
    np.testing.assert_allclose(ours("exponential", peak=0.3), torch_exponential(0.3, gamma, t), rtol=1e-9)
    assert ours("exponential", peak=0.3, at=np.array([2 * T]))[0] == pytest.approx(0.3e-3)
    assert torch_exponential(0.3, gamma, 2 * T) == pytest.approx(0.3e-6)  # keeps decaying


def test_exponential_staircase_equals_optax():
    reference = optax.exponential_decay(0.3, transition_steps=100, decay_rate=1e-3**0.1, staircase=True)
    expected = np.array([float(reference(s)) for s in t])
    np.testing.assert_allclose(ours("exponential", peak=0.3, staircase=True), expected, rtol=1e-5)  # optax: float32
    assert len(np.unique(ours("exponential", peak=0.3, staircase=True)[:T])) == 10


@pytest.mark.parametrize(
    "name,mode", [("triangular", "triangular"), ("triangular2", "triangular2"), ("exp_range", "exp_range")]
)
def test_cyclical_families_equal_cyclic_lr(name, mode):
    cycles, end, decay = 2.0, 0.1, 0.1
    params = {"cycles": cycles, "end": end, **({"decay": decay} if name == "exp_range" else {})}
    expected = torch_cyclic(0.03, 0.3, T / (2 * cycles), mode, decay ** (1 / T), t)
    # exp_range: gamma^t scales the amplitude (max_lr - base_lr) only, in PyTorch and here.
    np.testing.assert_allclose(ours(name, peak=0.3, **params), expected, rtol=1e-9, atol=1e-15)


def test_cosine_restarts_equal_cosine_annealing_warm_restarts():
    # 4 cycles of doubling length ending at the budget: T_0 = 1500 / (1 + 2 + 4 + 8) = 100.
    steps = np.arange(1500)
    expected = torch_warm_restarts(0.3, 0.0, 100, 2, steps)
    np.testing.assert_allclose(ours("cosine_restarts", peak=0.3, steps=1500, at=steps), expected, rtol=1e-9, atol=1e-15)


def test_one_cycle_peaks_one_step_after_pytorch():
    expected = torch_one_cycle(0.3, T, 0.3, 25.0, 1e4, t[:T])
    mine = ours("one_cycle", peak=0.3, at=t[:T])
    assert mine[300] == pytest.approx(0.3) and expected[299] == pytest.approx(0.3)
    assert expected[300] < 0.3 and mine[299] < 0.3
    assert mine[0] == pytest.approx(expected[0]) == pytest.approx(0.3 / 25)
    np.testing.assert_allclose(mine, expected, atol=0.3 * 0.01)  # one step apart: within 1% of peak


# -- Hugging Face transformers: get_inverse_sqrt_schedule -------------------------------------


def hf_inverse_sqrt(base, warmup, timescale, steps):
    shift = timescale - warmup
    return np.array(
        [base * (s / max(1, warmup) if s < warmup else 1 / math.sqrt((s + shift) / timescale)) for s in steps]
    )


@pytest.mark.parametrize("warmup,timescale", [(0.05, 0.05), (0.1, 0.02), (0.0, 0.1)])
def test_inverse_sqrt_equals_transformers(warmup, timescale):
    expected = hf_inverse_sqrt(0.3, round(warmup * T), round(timescale * T), t)
    np.testing.assert_allclose(ours("inverse_sqrt", peak=0.3, warmup=warmup, timescale=timescale), expected, rtol=1e-12)


def test_inverse_sqrt_end_is_a_floor():
    out = ours("inverse_sqrt", peak=1.0, end=0.5)
    assert out[50:].min() == pytest.approx(0.5) and out[-1] == pytest.approx(0.5)  # after the warmup
    assert ours("inverse_sqrt", peak=1.0)[-1] == pytest.approx(math.sqrt(50 / 1000))


def test_exp_range_amplitude_shrinks_geometrically():
    out = ours("exp_range", peak=1.0, decay=0.01)
    np.testing.assert_allclose(out[[250, 750]], [0.01**0.25, 0.01**0.75], rtol=1e-12)
