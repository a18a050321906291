"""Interval estimates and paired tests, from statsmodels and scipy.

* Wilson score interval (Wilson 1927), never of zero width at 0/n or n/n:
  ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.
* Exact McNemar test: a two-sided binomial test on the discordant pairs (McNemar 1947);
  p = 1 when there are none. ``scipy.stats.binomtest``.
* Holm's step-down correction (Holm 1979): ``statsmodels.stats.multitest.multipletests``.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import binomtest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

ALPHA = 0.05


def wilson(successes, n, alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for successes / n (elementwise); n must be > 0."""
    low, high = proportion_confint(np.asarray(successes), np.asarray(n), alpha=alpha, method="wilson")
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def mcnemar_exact(a: np.ndarray, b: np.ndarray) -> tuple[int, int, float]:
    """Paired binary outcomes a, b on the same starts: (a only, b only, exact two-sided p)."""
    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    if only_a + only_b == 0:
        return only_a, only_b, 1.0
    return only_a, only_b, float(binomtest(only_a, only_a + only_b, 0.5).pvalue)


def holm(p_values) -> np.ndarray:
    """Holm-adjusted p-values (same order); an empty input gives an empty output."""
    p_values = np.asarray(p_values, dtype=float)
    if p_values.size == 0:
        return p_values
    return multipletests(p_values, alpha=ALPHA, method="holm")[1]
