"""Per-run metrics on hand-built arrays with hand-computed answers."""

import numpy as np
import pytest

from dynalab.analysis.metrics import (
    area_under_curve,
    episodes_to_path_threshold,
    episodes_to_threshold,
    final_cumulative_reward,
    real_steps_at,
    steps_at,
)

NAN = np.nan

# optimal value 1.0, tolerance 0.05: within means |v - 1| <= 0.05
GREEDY_VALUES = np.array(
    [
        [0.0, 0.5, 0.96, 0.98, 1.0],  # within from episode 3 on
        [0.0, 0.0, 0.0, 0.0, 0.0],  # never
        [0.97, 0.99, 0.5, 0.96, 1.0],  # reaches at 1, leaves at 3, returns at 4
        [0.0, 0.96, 0.97, NAN, NAN],  # within from 2; episodes 4-5 not completed
        [0.96, 0.97, 0.98, 0.99, 0.5],  # leaves at the last episode: never for good
    ]
)
REAL_STEPS = np.array(
    [
        [100, 150, 170, 185, 200],
        [100, 200, 300, 400, 500],
        [30, 50, 90, 110, 130],
        [400, 420, 440, -1, -1],
        [10, 20, 30, 40, 50],
    ]
)


def test_episodes_to_threshold_counts_from_the_last_return() -> None:
    result = episodes_to_threshold(GREEDY_VALUES, 1.0, tolerance=0.05)
    np.testing.assert_array_equal(result, [3.0, NAN, 4.0, 2.0, NAN])
    assert result.dtype == float


def test_real_steps_at_the_threshold_episode() -> None:
    episodes = episodes_to_threshold(GREEDY_VALUES, 1.0, tolerance=0.05)
    result = real_steps_at(REAL_STEPS, episodes)
    np.testing.assert_array_equal(result, [170.0, NAN, 110.0, 420.0, NAN])


def test_threshold_is_relative_to_the_size_of_the_optimal_value() -> None:
    # optimal -4, tolerance 0.25: within means -5 <= v <= -3 (exact in binary floats)
    values = np.array([[-6.0, -5.0, -3.0], [-2.5, -3.0, -4.0], [-4.0, -4.0, -2.0]])
    np.testing.assert_array_equal(episodes_to_threshold(values, -4.0, 0.25), [2.0, 2.0, NAN])
    # with an optimal value of 0 only an exact match is within
    zeros = np.array([[0.1, 0.0, 0.0]])
    np.testing.assert_array_equal(episodes_to_threshold(zeros, 0.0), [2.0])


def test_nothing_recorded_is_never() -> None:
    np.testing.assert_array_equal(episodes_to_threshold(np.full((2, 3), NAN), 1.0), [NAN, NAN])
    np.testing.assert_array_equal(episodes_to_threshold(np.zeros((2, 0)), 1.0), [NAN, NAN])


def test_threshold_rejects_negative_tolerance_and_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="tolerance"):
        episodes_to_threshold(GREEDY_VALUES, 1.0, tolerance=-0.1)
    with pytest.raises(ValueError, match="same number of runs"):
        real_steps_at(REAL_STEPS, np.ones(3))


def test_episodes_to_path_threshold() -> None:
    # shortest path 14, tolerance 0.2: within means at most 16.8 steps
    steps = np.array(
        [
            [100, 40, 16, 14, 15],  # from episode 3
            [100, 14, 30, 14, 14],  # reaches at 2, leaves at 3, returns at 4
            [100, 50, 40, 30, 20],  # never
            [100, 14, 14, -1, -1],  # stopped completing episodes: not within
            [14, 14, 14, 14, 17],  # 17 > 16.8 at the end
            [14, 14, 14, 14, 16],  # from the first episode
        ]
    )
    result = episodes_to_path_threshold(steps, 14, tolerance=0.2)
    np.testing.assert_array_equal(result, [3.0, 4.0, NAN, NAN, NAN, 1.0])


def test_area_under_curve_is_mean_steps_per_episode() -> None:
    steps = np.array([[10, 20, 30], [5, 5, -1], [1, 1, 1]])
    np.testing.assert_array_equal(area_under_curve(steps), [20.0, NAN, 1.0])


def test_steps_at_given_episodes() -> None:
    steps = np.array([[10, 20, 30], [5, 5, -1]])
    result = steps_at(steps, [1, 3])
    assert list(result) == [1, 3]
    np.testing.assert_array_equal(result[1], [10.0, 5.0])
    np.testing.assert_array_equal(result[3], [30.0, NAN])
    for outside in (0, 4):
        with pytest.raises(ValueError, match="outside"):
            steps_at(steps, [outside])


def test_final_cumulative_reward() -> None:
    rewards = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 1.0]])
    np.testing.assert_array_equal(final_cumulative_reward(rewards), [2.0, 1.0])
    np.testing.assert_array_equal(final_cumulative_reward(np.zeros((2, 0))), [NAN, NAN])
