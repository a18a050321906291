"""Start distributions: each keeps the prefix property (the first N starts do not change when
``starts`` grows) and has the shape it is documented to have."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import qmc

from bench import config
from bench.config import ConfigError
from bench.starts import DISTRIBUTIONS, NORMAL_WIDTHS, draw_starts


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_first_starts_do_not_change_when_starts_grow(distribution):
    small = draw_starts("ackley", 3, 1, 7, 10, distribution)
    large = draw_starts("ackley", 3, 1, 7, 1000, distribution)
    np.testing.assert_array_equal(small, large[:10])
    lo, hi = -32.768, 32.768
    assert large.shape == (1000, 3) and np.all((large >= lo) & (large <= hi))
    assert not np.array_equal(draw_starts("ackley", 3, 1, 8, 10, distribution), small)  # the seed counts


def test_normal_starts_centre_on_the_box_with_a_sixth_of_its_width():
    x = draw_starts("rastrigin", 4, 0, 0, 20000, "normal")
    width = 10.24
    inside = np.abs(x) < 5.12  # clipping puts ~0.3% on the faces
    assert 0.99 < inside.mean() < 1.0
    np.testing.assert_allclose(x.mean(axis=0), 0.0, atol=0.05)
    np.testing.assert_allclose(np.median(np.abs(x), axis=0), 0.6745 * width / NORMAL_WIDTHS, rtol=0.03)


def test_sobol_starts_cover_the_box_more_evenly_than_uniform_ones():
    unit = {d: (draw_starts("sphere", 2, 0, 0, 1024, d) + 5.12) / 10.24 for d in ("uniform", "sobol")}
    assert qmc.discrepancy(unit["sobol"]) < 0.1 * qmc.discrepancy(unit["uniform"])


def test_the_distribution_is_a_run_key_and_only_a_non_default_one_changes_the_fingerprint(tmp_path):
    text = """
[run]
name = "t"
starts = 16
steps = 10
{extra}
[[suite]]
functions = ["rastrigin"]
dims = [2]
optimizers = ["sgd"]
schedules = ["constant"]
lr = {{ min = 1e-3, max = 1e-2, num = 2 }}
"""
    prints = {}
    for extra in ("", 'start_distribution = "uniform"', 'start_distribution = "sobol"'):
        path = tmp_path / "c.toml"
        path.write_text(text.format(extra=extra))
        prints[extra] = config.load(path).fingerprint()
    assert prints[""] == prints['start_distribution = "uniform"'] != prints['start_distribution = "sobol"']
    path.write_text(text.format(extra='start_distribution = "gaussian"'))
    with pytest.raises(
        ConfigError, match=r"run.start_distribution: 'gaussian' is not allowed; allowed: uniform, normal, sobol"
    ):
        config.load(path)
