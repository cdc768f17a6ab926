"""Statistics over runs: means with bootstrap confidence intervals, probability of improvement.

Every number the lab reports about "how good" an agent is comes with a 95% interval over
independent runs (one value per run, the run being the unit of replication). Intervals
are bootstrap intervals from :func:`scipy.stats.bootstrap` (bias-corrected and
accelerated, falling back to the percentile interval where BCa is undefined), with the
resampling generator seeded so a report is reproducible.

Pure functions: arrays in, :class:`Estimate` out; nothing here reads or writes files.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval ``[low, high]`` over ``n`` values.

    ``n`` is the number of values the estimate rests on (runs; for a two-sample estimate,
    the runs of both samples). All of ``mean``, ``low`` and ``high`` are nan when there
    was nothing to estimate from.
    """

    mean: float
    low: float
    high: float
    n: int

    def to_dict(self) -> dict[str, float | int]:
        """Plain ``{"mean", "low", "high", "n"}`` for JSON summaries (nan stays nan)."""
        return {"mean": self.mean, "low": self.low, "high": self.high, "n": self.n}

    def __str__(self) -> str:
        """``"16.3 [15.9, 16.8]"``: decimals down to the first significant digit of the
        interval's half-width (two digits when that digit is 1 or 2, where rounding to one
        would change the width by up to a third), so the printed digits are the ones the
        data support."""
        decimals = _decimals_for(self.mean, self.low, self.high)
        if decimals is None:
            return f"{_digits(self.mean)} [{_digits(self.low)}, {_digits(self.high)}]"
        return f"{self.mean:.{decimals}f} [{self.low:.{decimals}f}, {self.high:.{decimals}f}]"

    def __format__(self, spec: str) -> str:
        """``format(estimate, ".2f")`` applies the spec to each of mean, low and high;
        an empty spec gives :meth:`__str__`."""
        if not spec:
            return str(self)
        return f"{self.mean:{spec}} [{self.low:{spec}}, {self.high:{spec}}]"


def _digits(value: float) -> str:
    """Four significant digits, but a whole number as itself (30000, not 3e+04)."""
    if math.isfinite(value) and value == round(value) and abs(value) < 1e12:
        return f"{value:.0f}"
    return f"{value:.4g}"


def _decimals_for(mean: float, low: float, high: float) -> int | None:
    """Decimals that show the first significant digit of the half-width; ``None`` when
    the width gives no scale (nan, infinite or zero width), meaning: use 4 significant
    digits."""
    half_width = (high - low) / 2
    if not (math.isfinite(mean) and math.isfinite(half_width)) or half_width <= 0:
        return None
    exponent = math.floor(math.log10(half_width))
    leading_digit = half_width / 10.0**exponent
    extra = 1 if leading_digit < 3 else 0
    return min(max(0, extra - exponent), 12)


def _finite_sample(values: np.ndarray | list[float]) -> np.ndarray:
    """``values`` as a flat float array with the nan entries dropped."""
    array = np.asarray(values, dtype=float).ravel()
    return array[~np.isnan(array)]


def _bootstrap_interval(
    data: tuple[np.ndarray, ...],
    statistic: Callable[..., np.ndarray],
    confidence: float,
    n_resamples: int,
    seed: int,
    axis: int = -1,
    batch: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The BCa bootstrap interval of ``statistic`` over ``data`` along ``axis`` (one
    interval per remaining index), or, where BCa is undefined (a degenerate bootstrap
    distribution gives nan), the percentile interval of the same resamples: the fallback
    reuses the bootstrap distribution, so it costs no second resampling and stays
    deterministic for the seed. ``batch`` bounds memory (resamples per vectorized call)."""
    options = {
        "vectorized": True,
        "paired": False,
        "axis": axis,
        "confidence_level": confidence,
        "batch": batch,
    }
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", stats.DegenerateDataWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.bootstrap(
            data,
            statistic,
            n_resamples=n_resamples,
            method="BCa",
            rng=np.random.default_rng(seed),
            **options,
        )
        low, high = (np.asarray(bound) for bound in result.confidence_interval)
        undefined = ~(np.isfinite(low) & np.isfinite(high))
        if undefined.any():
            fallback = stats.bootstrap(
                data,
                statistic,
                n_resamples=0,
                method="percentile",
                bootstrap_result=result,
                **options,
            )
            low = np.where(undefined, fallback.confidence_interval.low, low)
            high = np.where(undefined, fallback.confidence_interval.high, high)
    return low, high


def _check_bootstrap_arguments(confidence: float, n_resamples: int) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")


def _mean(sample: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(sample, axis=axis)


def mean_ci(
    values: np.ndarray | list[float],
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Estimate:
    """The mean of ``values`` (one per run) with its bootstrap confidence interval.

    nan values are dropped and ``n`` counts the values kept, so a caller can report how
    many runs the estimate rests on (metrics mark unsolved runs with nan: report those
    separately, they are not silently part of this mean). Edge cases:

    - ``n == 0``: mean, low and high are nan.
    - ``n == 1``: the interval is ``[v, v]``: one run gives no spread to resample, so
      this interval says nothing about uncertainty.
    - all values equal: the interval is ``[v, v]`` (every resample has the same mean).

    The interval is BCa, or percentile where BCa is undefined; the same ``seed`` gives
    the same interval.
    """
    _check_bootstrap_arguments(confidence, n_resamples)
    sample = _finite_sample(values)
    n = int(sample.size)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    if n == 1 or np.all(sample == sample[0]):
        value = float(sample[0])
        return Estimate(value, value, value, n)
    low, high = _bootstrap_interval((sample,), _mean, confidence, n_resamples, seed)
    return Estimate(float(np.mean(sample)), float(low), float(high), n)


_BOOTSTRAP_BATCH_ELEMENTS = 8_000_000


def mean_ci_per_column(
    values: np.ndarray,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column of a (runs x columns) array, the mean over runs and its bootstrap CI:
    ``(mean, low, high)``, each of length ``columns``. For learning curves (a column per
    episode or per recorded step), where one :func:`mean_ci` call per column would be
    slow.

    Each column follows :func:`mean_ci`'s rules: nan entries are dropped, no values give
    nan, one value or all-equal values give ``[v, v]``. Columns with the same runs
    present are bootstrapped together in one vectorized call (memory bounded by
    batching), so a column's interval is deterministic for the seed and the array but
    need not equal ``mean_ci`` of that column alone (the resampling stream is shared).
    """
    _check_bootstrap_arguments(confidence, n_resamples)
    array = np.asarray(values, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"expected a (runs, columns) array, got shape {array.shape}")
    present = ~np.isnan(array)
    counts = present.sum(axis=0)
    if array.shape[0] == 0:
        empty = np.full(array.shape[1], np.nan)
        return empty, empty.copy(), empty.copy()
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-nan columns: nan, as meant
        mean = np.nanmean(array, axis=0)
        largest, smallest = np.nanmax(array, axis=0), np.nanmin(array, axis=0)
    all_equal = largest == smallest
    mean[all_equal] = largest[all_equal]
    low, high = mean.copy(), mean.copy()
    to_resample = (counts >= 2) & ~all_equal & ~np.isnan(mean)
    patterns: dict[bytes, list[int]] = {}
    for column in np.flatnonzero(to_resample):
        patterns.setdefault(present[:, column].tobytes(), []).append(int(column))
    for columns in patterns.values():
        rows = present[:, columns[0]]
        block = array[np.ix_(rows, columns)]
        batch = max(1, _BOOTSTRAP_BATCH_ELEMENTS // block.size)
        block_low, block_high = _bootstrap_interval(
            (block,), _mean, confidence, n_resamples, seed, axis=0, batch=batch
        )
        low[columns], high[columns] = block_low, block_high
    return mean, low, high


def _probability_lower(candidate: np.ndarray, baseline: np.ndarray, axis: int = -1) -> np.ndarray:
    """P(X_candidate < X_baseline) + P(X_candidate = X_baseline) / 2 over all pairs, along
    the last axis: the Mann-Whitney U of the baseline over ``n1 * n2``.

    From mid-ranks of the pooled sample (ties share their mean rank), the baseline's rank
    sum minus ``n2 (n2 + 1) / 2`` counts the pairs where the baseline is larger, ties
    counting one half; ranking costs O(n log n) memory-light work per resample instead of
    comparing all n1 * n2 pairs.
    """
    n1, n2 = candidate.shape[axis], baseline.shape[axis]
    pooled = np.concatenate([candidate, baseline], axis=axis)
    ranks = stats.rankdata(pooled, axis=axis)
    baseline_rank_sum = np.sum(ranks[..., n1:], axis=axis)
    return (baseline_rank_sum - n2 * (n2 + 1) / 2) / (n1 * n2)


def _worst_for_nan(sample: np.ndarray, lower_is_better: bool) -> np.ndarray:
    """nan (a run that never got there) replaced by the worst possible value."""
    worst = np.inf if lower_is_better else -np.inf
    return np.where(np.isnan(sample), worst, sample)


def probability_of_improvement(
    candidate: np.ndarray | list[float],
    baseline: np.ndarray | list[float],
    lower_is_better: bool = True,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Estimate:
    """P(a run of ``candidate`` is better than a run of ``baseline``), with a bootstrap CI.

    For independent runs this is the Mann-Whitney U statistic over ``n1 * n2``, ties
    counting one half: ``P(X < Y) + P(X = Y) / 2`` when lower is better (X the
    candidate), ``P(X > Y) + P(X = Y) / 2`` otherwise. 0.5 means no difference; 1.0 means
    every candidate run beats every baseline run. Unlike a difference of means it needs
    no scale and is not dominated by a few long runs.

    nan values count as the worst outcome (an unsolved run loses to every solved run and
    ties with other unsolved runs): unsolved runs are data, not dropped. The interval
    resamples each sample independently (``paired=False``). ``n`` is ``n1 + n2``. When
    either sample is empty the estimate is nan; when either has a single run, no
    bootstrap is possible and the interval is ``[p, p]``.
    """
    _check_bootstrap_arguments(confidence, n_resamples)
    candidate_sample = np.asarray(candidate, dtype=float).ravel()
    baseline_sample = np.asarray(baseline, dtype=float).ravel()
    n1, n2 = candidate_sample.size, baseline_sample.size
    if n1 == 0 or n2 == 0:
        return Estimate(math.nan, math.nan, math.nan, n1 + n2)
    candidate_sample = _worst_for_nan(candidate_sample, lower_is_better)
    baseline_sample = _worst_for_nan(baseline_sample, lower_is_better)
    data = (
        (candidate_sample, baseline_sample)
        if lower_is_better
        else (
            baseline_sample,
            candidate_sample,
        )
    )
    point = float(_probability_lower(*data))
    if n1 == 1 or n2 == 1:
        return Estimate(point, point, point, n1 + n2)
    low, high = _bootstrap_interval(data, _probability_lower, confidence, n_resamples, seed)
    return Estimate(point, float(low), float(high), n1 + n2)


def _two_sample_estimate(
    first: np.ndarray | list[float],
    second: np.ndarray | list[float],
    statistic: Callable[..., np.ndarray],
    confidence: float,
    n_resamples: int,
    seed: int,
) -> Estimate:
    """``statistic(first, second)`` of two independent samples (nan dropped), with a
    bootstrap CI that resamples each on its own; no interval below two values each."""
    _check_bootstrap_arguments(confidence, n_resamples)
    a, b = _finite_sample(first), _finite_sample(second)
    n = len(a) + len(b)
    if len(a) == 0 or len(b) == 0:
        return Estimate(np.nan, np.nan, np.nan, n)
    point = float(statistic(a, b))
    if len(a) < 2 or len(b) < 2:
        return Estimate(point, point, point, n)
    low, high = _bootstrap_interval((a, b), statistic, confidence, n_resamples, seed)
    return Estimate(point, float(low), float(high), n)


def _ratio_of_means(numerator: np.ndarray, denominator: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(numerator, axis=axis) / np.mean(denominator, axis=axis)


def ratio_of_means(
    numerator: np.ndarray | list[float],
    denominator: np.ndarray | list[float],
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Estimate:
    """mean(numerator) / mean(denominator) of two independent samples, with a bootstrap
    CI that resamples each sample on its own (e.g. "Dyna-Q needs k times the updates of
    prioritized sweeping"). nan values are dropped; ``n`` is ``n1 + n2``."""
    return _two_sample_estimate(
        numerator, denominator, _ratio_of_means, confidence, n_resamples, seed
    )


def _difference_of_means(first: np.ndarray, second: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(first, axis=axis) - np.mean(second, axis=axis)


def difference_of_means(
    first: np.ndarray | list[float],
    second: np.ndarray | list[float],
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Estimate:
    """mean(first) - mean(second) of two independent samples, with a bootstrap CI that
    resamples each sample on its own: the test of "A is larger than B" (its interval above
    0). Two 95% intervals that merely fail to overlap ask for more than that (a difference
    at about the 99.5% level when their widths are equal). nan values are dropped; ``n``
    is ``n1 + n2``."""
    return _two_sample_estimate(first, second, _difference_of_means, confidence, n_resamples, seed)


def _share_closed(
    without_remedy: np.ndarray,
    with_remedy: np.ndarray,
    target: np.ndarray | float,
    axis: int = -1,
) -> np.ndarray:
    before = np.mean(without_remedy, axis=axis)
    goal = target if np.isscalar(target) else np.mean(target, axis=axis)
    return (np.mean(with_remedy, axis=axis) - before) / (goal - before)


def share_closed(
    without_remedy: np.ndarray | list[float],
    with_remedy: np.ndarray | list[float],
    target: float | np.ndarray | list[float],
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Estimate:
    """How much of the distance from ``mean(without_remedy)`` to a target a remedy
    closes: ``(mean(with_remedy) - mean(without_remedy)) / (target -
    mean(without_remedy))``, 1 when it reaches the target, 0 when it changes nothing
    (e.g. the share of a belief gap closed, target 0, or of the return lost below the
    optimal value, target V*). ``target`` is a known number, or a third sample whose
    mean is the target (e.g. the return of an agent that does not make the mistake).
    The samples are independent, each resampled on its own for the bootstrap CI; nan
    values are dropped; ``n`` counts the values of all samples."""
    _check_bootstrap_arguments(confidence, n_resamples)
    samples = [_finite_sample(without_remedy), _finite_sample(with_remedy)]
    constant = np.isscalar(target)
    if not constant:
        samples.append(_finite_sample(target))
    n = sum(len(sample) for sample in samples)
    if any(len(sample) == 0 for sample in samples):
        return Estimate(np.nan, np.nan, np.nan, n)
    goal = float(target) if constant else samples[2]
    point = float(_share_closed(samples[0], samples[1], goal))
    if any(len(sample) < 2 for sample in samples):
        return Estimate(point, point, point, n)

    def statistic(*resampled: np.ndarray, axis: int = -1) -> np.ndarray:
        return _share_closed(resampled[0], resampled[1], goal if constant else resampled[2], axis)

    low, high = _bootstrap_interval(tuple(samples), statistic, confidence, n_resamples, seed)
    return Estimate(point, float(low), float(high), n)
