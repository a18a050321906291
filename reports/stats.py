"""Interval estimates, paired tests and runtime statistics, from statsmodels and scipy where they
do the job; the formula is cited where they do not.

* Wilson score interval (Wilson 1927), never of zero width at 0/n or n/n:
  ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.
* Exact McNemar test: a two-sided binomial test on the discordant pairs (McNemar 1947);
  p = 1 when there are none. ``scipy.stats.binomtest``.
* Holm's step-down correction (Holm 1979): ``statsmodels.stats.multitest.multipletests``.
* Newcombe's score interval for the difference of two *paired* proportions (Newcombe 1998,
  method 10; statsmodels has only the independent-samples version): :func:`newcombe_paired`.
* ERT as COCO defines it (Hansen et al. 2016, "COCO: performance assessment"): :func:`ert`.
* Percentile bootstrap over starts: ``scipy.stats.bootstrap`` for medians (:func:`median_interval`);
  for ratios of rates (paired, :func:`ratio_interval`) and runtime ECDFs over (start, target)
  (:func:`runtime_ecdf`) the same bootstrap drawn as counts per start, one matrix product per
  statistic (the ratio's tested against scipy's).
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.stats import binomtest, bootstrap
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

ALPHA = 0.05
RESAMPLES = 1000  # bootstrap resamples for the report's intervals and figures
SEED = 0  # the bootstrap's generator: a rebuilt report is byte-identical


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


def newcombe_paired(a, b, alpha: float = ALPHA) -> tuple[float, float, float]:
    """rate(a) - rate(b) for paired binary outcomes on the same starts, with Newcombe's score
    interval (Newcombe 1998, Statistics in Medicine 17:2635, method 10, no continuity correction).

    With the 2x2 counts e = both, f = a only, g = b only, h = neither (n in all), the rates
    p1 = (e + f) / n and p2 = (e + g) / n, their Wilson limits (l1, u1) and (l2, u2), and
    phi = (e h - f g) / sqrt((e + f)(g + h)(e + g)(f + h)) (0 when a margin is empty):

        low  = (p1 - p2) - sqrt((p1 - l1)^2 - 2 phi (p1 - l1)(u2 - p2) + (u2 - p2)^2)
        high = (p1 - p2) + sqrt((u1 - p1)^2 - 2 phi (u1 - p1)(p2 - l2) + (p2 - l2)^2)

    Returns (difference, low, high).
    """
    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    n = a.size
    both, only_a, only_b = int(np.sum(a & b)), int(np.sum(a & ~b)), int(np.sum(~a & b))
    neither = n - both - only_a - only_b
    p1, p2 = (both + only_a) / n, (both + only_b) / n
    (l1, l2), (u1, u2) = wilson([both + only_a, both + only_b], [n, n], alpha)
    margins = float(both + only_a) * (only_b + neither) * (both + only_b) * (only_a + neither)
    phi = 0.0 if margins == 0 else (both * neither - only_a * only_b) / np.sqrt(margins)
    delta = np.sqrt(max((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2, 0.0))
    epsilon = np.sqrt(max((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2, 0.0))
    diff = p1 - p2
    return float(diff), float(diff - delta), float(diff + epsilon)


def ert(hits, steps: int) -> float:
    """Expected running time to a target, as COCO: the steps spent by all starts (the hitting
    step of those that reached the target, ``steps`` for those that did not) divided by the
    number that reached it; ``inf`` when none did.

    ``hits``: first step at which each start's best-so-far value met the target (0 = the start
    itself), -1 if never.

    >>> ert([200, -1, -1, -1, -1], 1000)
    4200.0
    """
    hits = np.asarray(hits)
    reached = hits >= 0
    successes = int(np.sum(reached))
    if successes == 0:
        return float("inf")
    return float((np.sum(hits[reached]) + steps * np.sum(~reached)) / successes)


def ratio_of_rates(numerator, denominator) -> tuple[float, bool]:
    """rate(numerator) / rate(denominator) over the same starts; when no start meets the
    denominator, a lower bound with the Wilson upper limit of its rate in the denominator
    (DESIGN.md, Success). Returns (value, is_bound)."""
    numerator, denominator = np.asarray(numerator, dtype=bool), np.asarray(denominator, dtype=bool)
    n, count = denominator.size, int(np.sum(denominator))
    if count > 0:
        return float(np.mean(numerator) / (count / n)), False
    _, high = wilson(0, n)
    return float(np.mean(numerator) / float(high)), True


def ratio_interval(
    numerator, denominator, resamples: int = RESAMPLES, seed: int = SEED, alpha: float = ALPHA
) -> tuple[float, float]:
    """Percentile interval of rate(numerator) / rate(denominator) by a paired bootstrap over
    starts: numerator and denominator of a start are resampled together. A resample with no start
    meeting the denominator but some meeting the numerator gives +inf (then the upper limit may be
    inf: the data do not bound the ratio); one with neither (0 / 0) is left out. (nan, nan) when the
    denominator's count is 0 in the data (the ratio is then reported as a bound, without interval).

    A resample is drawn as the counts of each start (:func:`resample_counts`, the same for every
    call with the same number of starts), so the resampled sums are one matrix product: the same
    bootstrap as ``scipy.stats.bootstrap(paired=True, method="percentile")`` (tested against it),
    without indexing each data array per resample, which took most of the report's statistics time."""
    pair = np.stack([np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)], axis=1)
    if pair[:, 1].sum() == 0:
        return float("nan"), float("nan")
    (counts,) = _resample_weights(seed, (pair.shape[0],), resamples)
    top, bottom = (counts @ pair).T
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = top / bottom
    ratios = ratios[~np.isnan(ratios)]  # 0 / 0 resamples
    low, high = np.quantile(ratios, [alpha / 2, 1 - alpha / 2], method="inverted_cdf")  # inf-safe
    return float(low), float(high)


def runtime_ecdf(
    hits: list[np.ndarray],
    budgets: np.ndarray,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    alpha: float = ALPHA,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runtime ECDF over (start, target) pairs, as COCO's: at each budget b, the share of pairs
    whose best-so-far value met the target within b steps (0 <= hit <= b).

    ``hits``: one array [starts, targets] per problem (function, dim, instance); every pair counts
    once. The band is the percentile interval of a bootstrap that resamples the starts of each
    problem with replacement (independently per problem; ``resamples`` times). Returns (ecdf,
    low, high), each of the shape of ``budgets``.
    """
    budgets = np.asarray(budgets)
    total = sum(h.size for h in hits)
    point = np.zeros(budgets.shape, dtype=float)
    boot = np.zeros((resamples, budgets.size), dtype=float)
    weights = _resample_weights(seed, tuple(np.shape(h)[0] for h in hits), resamples)
    for problem, counts in zip(hits, weights):
        problem = np.asarray(problem).reshape(problem.shape[0], -1)
        # per start: how many of its targets were met within each budget
        met = np.sum((problem[:, :, None] >= 0) & (problem[:, :, None] <= budgets[None, None, :]), axis=1)
        point += met.sum(axis=0)
        boot += counts @ met.astype(float)
    low, high = np.quantile(boot / total, [alpha / 2, 1 - alpha / 2], axis=0)
    return point / total, low, high


def resample_counts(rng: np.random.Generator, n: int, resamples: int) -> np.ndarray:
    """[resamples, n]: how often each of n items is drawn in each bootstrap resample of size n
    (draws with replacement, counted; the multinomial counts of ``rng.multinomial(n, [1/n] * n)``,
    without its n binomial draws per resample)."""
    draws = rng.integers(0, n, size=(resamples, n)) + n * np.arange(resamples)[:, None]
    return np.bincount(draws.ravel(), minlength=resamples * n).reshape(resamples, n)


@functools.lru_cache(maxsize=16)
def _resample_weights(seed: int, sizes: tuple[int, ...], resamples: int) -> list[np.ndarray]:
    """The bootstrap counts of each problem's starts, drawn in turn from one generator: the same
    for every cell of the same problems (so they are drawn once). As floats: NumPy multiplies
    integer matrices without BLAS, 30x slower (the counts stay exact)."""
    rng = np.random.default_rng(seed)
    return [resample_counts(rng, n, resamples).astype(float) for n in sizes]


def median_interval(values, resamples: int = RESAMPLES, seed: int = SEED, alpha: float = ALPHA) -> tuple[float, float]:
    """Percentile bootstrap interval of the median (``scipy.stats.bootstrap``)."""
    values = np.asarray(values, dtype=float)
    if values.size < 2 or np.all(values == values[0]):
        return float(np.median(values)), float(np.median(values))
    result = bootstrap(
        (values,),
        np.median,
        vectorized=True,
        n_resamples=resamples,
        confidence_level=1 - alpha,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)
