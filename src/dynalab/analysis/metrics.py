"""Per-run metrics over the arrays of a :class:`~dynalab.run.runner.RunResult`.

Each function takes arrays with one row per run and returns one number per run (or a
dict of such arrays), so that :mod:`dynalab.analysis.stats` can put an interval on
it. As in bsuite's analyses, a run that never reaches a threshold is data: its value is
nan, never dropped, and callers report how many runs got nan (``np.isnan(x).sum()``).

Conventions of the episode arrays (see ``RunResult``): column ``j`` is episode ``j + 1``;
episodes a run did not complete hold -1 in count arrays and nan in value arrays.
"""

from __future__ import annotations

import numpy as np


def _as_runs(array: np.ndarray, dtype: type = float) -> np.ndarray:
    """``array`` as a 2-D (runs x episodes) array; a 1-D array is one run."""
    out = np.asarray(array, dtype=dtype)
    if out.ndim == 1:
        out = out[np.newaxis, :]
    if out.ndim != 2:
        raise ValueError(f"expected a (runs, episodes) array, got shape {out.shape}")
    return out


def _check_tolerance(tolerance: float) -> None:
    if not tolerance >= 0.0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")


def _first_index_staying_within(within: np.ndarray, recorded: np.ndarray) -> np.ndarray:
    """Per run, the 0-based index of the first recorded episode from which every later
    recorded episode is ``within``; -1 when there is none.

    The answer is the first recorded episode after the last recorded one that is not
    within: a run that gets there, leaves and comes back counts from its return.
    """
    runs, width = within.shape
    if width == 0:
        return np.full(runs, -1, dtype=np.int64)
    outside = recorded & ~within
    columns = np.arange(width)
    last_outside = np.where(outside, columns, -1).max(axis=1, initial=-1)
    after_last_outside = columns[np.newaxis, :] > last_outside[:, np.newaxis]
    candidates = recorded & after_last_outside
    has_one = candidates.any(axis=1)
    first = np.argmax(candidates, axis=1)
    return np.where(has_one, first, -1)


EVALUATION_SLACK = 1e-7
"""Relative slack for comparing greedy values, which policy evaluation gives to within
gamma / (1 - gamma) x ``ground_truth.EVALUATION_TOLERANCE`` (2e-8 at gamma 0.95)."""


def _value_within(greedy_value: np.ndarray, optimal_value: float, tolerance: float) -> np.ndarray:
    """Whether each greedy value is within ``tolerance * |optimal|`` of optimal (nan: no).

    The bound is inclusive up to the precision of the policy evaluation behind greedy
    values (``EVALUATION_SLACK``): on the Dyna maze with gamma 0.95 a path one move longer
    than the shortest is worth exactly 95% of optimal, and counts as within 5%.
    """
    with np.errstate(invalid="ignore"):
        bound = tolerance * abs(optimal_value) + EVALUATION_SLACK * max(1.0, abs(optimal_value))
        return np.abs(greedy_value - optimal_value) <= bound


def _threshold_episode_index(
    greedy_value: np.ndarray, optimal_value: float, tolerance: float
) -> np.ndarray:
    _check_tolerance(tolerance)
    values = _as_runs(greedy_value)
    recorded = ~np.isnan(values)
    within = _value_within(values, float(optimal_value), tolerance)
    return _first_index_staying_within(within, recorded)


def episodes_to_threshold(
    greedy_value: np.ndarray, optimal_value: float, tolerance: float = 0.05
) -> np.ndarray:
    """Per run, the 1-based episode after which the greedy policy is near-optimal for good.

    Near-optimal: its true value is within ``tolerance * |optimal_value|`` of
    ``optimal_value`` (relative tolerance; with an optimal value of 0 only an exact match
    counts). For good: every later recorded episode is near-optimal too, so a run that
    gets there, leaves and comes back counts from its return. Episodes with no recorded
    value (nan: not completed, or not evaluated) are skipped. nan when never, including
    when the last recorded episode is not near-optimal or nothing was recorded.
    """
    index = _threshold_episode_index(greedy_value, optimal_value, tolerance)
    return np.where(index >= 0, index + 1.0, np.nan)


def real_steps_at(real_steps: np.ndarray, episodes: np.ndarray) -> np.ndarray:
    """Per run, the cumulative real steps at the end of its 1-based episode
    ``episodes[i]`` (as :func:`episodes_to_threshold` finds): the experience a run
    needed, comparable across agents whose episodes differ in length. nan where
    ``episodes`` is nan."""
    steps = _as_runs(real_steps)
    episodes = np.asarray(episodes, dtype=float)
    if episodes.shape != (steps.shape[0],):
        raise ValueError(
            f"real_steps {np.shape(real_steps)} and episodes {np.shape(episodes)} "
            "must have the same number of runs"
        )
    picked = np.full(episodes.shape, np.nan)
    rows = np.flatnonzero(~np.isnan(episodes))
    picked[rows] = steps[rows, episodes[rows].astype(int) - 1]
    return picked


def episodes_to_path_threshold(
    episode_steps: np.ndarray, shortest_path: int, tolerance: float = 0.2
) -> np.ndarray:
    """Per run, the 1-based episode from which every episode takes at most
    ``(1 + tolerance) * shortest_path`` steps, through the last column; nan when never.

    For worlds without a known MDP (no true value to compare with), the behaviour itself
    is the measure; with exploration (epsilon > 0) some slack over the shortest path is
    needed, hence the default 20%. Episodes not completed (-1) are not within, so a run
    that stopped completing episodes before the last column never gets there: meant for
    episode budgets, where every run has the same number of columns to fill.
    """
    _check_tolerance(tolerance)
    steps = _as_runs(episode_steps)
    completed = steps >= 0
    within = completed & (steps <= (1.0 + tolerance) * shortest_path)
    index = _first_index_staying_within(within, np.ones_like(within))
    return np.where(index >= 0, index + 1.0, np.nan)


def area_under_curve(episode_steps: np.ndarray) -> np.ndarray:
    """Per run, the mean steps per episode over the whole budget (lower is better).

    The area under the steps-per-episode learning curve, normalized by the number of
    episodes so that budgets of different lengths give numbers on the same scale (steps
    per episode). It weighs the whole learning curve, not just where it ends. A run with
    an episode it did not complete (-1) has no area: nan.
    """
    steps = _as_runs(episode_steps)
    if steps.shape[1] == 0:
        return np.full(steps.shape[0], np.nan)
    complete = (steps >= 0).all(axis=1)
    return np.where(complete, steps.mean(axis=1), np.nan)


def steps_at(episode_steps: np.ndarray, episodes: list[int]) -> dict[int, np.ndarray]:
    """Per run, the steps of each of the given 1-based ``episodes``: ``{episode: array}``.

    Episodes a run did not complete are nan (so :func:`~dynalab.analysis.stats.mean_ci`
    drops them and its ``n`` says how many runs remain). An episode outside the arrays
    is an error, not a nan.
    """
    steps = _as_runs(episode_steps)
    width = steps.shape[1]
    out: dict[int, np.ndarray] = {}
    for episode in episodes:
        if not 1 <= episode <= width:
            raise ValueError(f"episode {episode} is outside 1..{width}")
        column = steps[:, episode - 1]
        out[int(episode)] = np.where(column >= 0, column, np.nan)
    return out


def final_cumulative_reward(cumulative_reward: np.ndarray) -> np.ndarray:
    """Per run, the total reward at the last recorded step (step budgets); nan per run
    when nothing was recorded (episode budgets record no cumulative reward)."""
    rewards = _as_runs(cumulative_reward)
    if rewards.shape[1] == 0:
        return np.full(rewards.shape[0], np.nan)
    return rewards[:, -1].copy()
