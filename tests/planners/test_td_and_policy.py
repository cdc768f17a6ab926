"""Q-learning update and epsilon-greedy choice, against hand computations."""

import numpy as np
import pytest

from dynalab.planners.policy import epsilon_greedy, greedy_action
from dynalab.planners.td import q_learning_update


def test_q_learning_update_matches_hand_computation() -> None:
    q_values = np.array([[0.0, 0.5], [2.0, 4.0]])
    # target = 1 + 0.9 * max(2, 4) = 4.6; error = 4.6 - 0.5 = 4.1; Q += 0.5 * 4.1
    td_error = q_learning_update(q_values, 0, 1, 1.0, 1, False, 0.5, 0.9)
    assert td_error == pytest.approx(4.1)
    assert q_values[0, 1] == pytest.approx(0.5 + 0.5 * 4.1)
    assert q_values[1].tolist() == [2.0, 4.0]


def test_terminal_transition_does_not_bootstrap() -> None:
    q_values = np.array([[1.0, 0.0], [10.0, 10.0]])
    # target = reward only = 2; error = 2 - 1 = 1; Q = 1 + 0.1 * 1
    q_learning_update(q_values, 0, 0, 2.0, 1, True, 0.1, 0.9)
    assert q_values[0, 0] == pytest.approx(1.1)


def test_greedy_breaks_ties_uniformly_by_the_draw() -> None:
    q_values = np.array([[1.0, 3.0, 3.0, 0.0, 3.0]])
    # three tied actions 1, 2, 4: the draw's thirds pick them in order
    assert [greedy_action(q_values, 0, u) for u in (0.0, 0.34, 0.67, 0.99)] == [1, 2, 4, 4]
    assert greedy_action(np.array([[0.0, 2.0, 1.0]]), 0, 0.999) == 1


def test_epsilon_greedy_frequencies() -> None:
    """With epsilon=0.2 over 4 actions, the greedy action has probability 0.8 + 0.05."""
    q_values = np.array([[0.0, 1.0, 0.0, 0.0]])
    uniforms = (np.arange(100_000) + 0.5) / 100_000  # a fine even grid of draws
    counts = np.bincount([epsilon_greedy(q_values, 0, 0.2, u) for u in uniforms], minlength=4)
    # the grid is exact up to one grid cell per boundary, hence the 1e-4 tolerance
    assert counts / counts.sum() == pytest.approx([0.05, 0.85, 0.05, 0.05], abs=1e-4)
