"""The generalizing (aggregate) model: predictions for untried pairs from tried ones."""

import numpy as np
import pytest

from dynalab.agents.config import AgentConfig, AgentConfigError
from dynalab.agents.kinds import Kind
from dynalab.envs.builtin import dyna_maze
from dynalab.models.aggregate import (
    MAX_KINDS,
    empty_generalization,
    learn_generalization,
)
from dynalab.models.aggregate import predict_untried as predict


def test_untried_pairs_are_predicted_by_the_most_frequent_outcome_kind() -> None:
    """On the 6x9 Dyna maze (states r*9 + c), 'right' (action 1) moves +1 and 'down'
    (action 2) +9; a wall bump (displacement 0) seen once does not outvote two moves."""
    maze = dyna_maze()
    learned = empty_generalization(4, True)
    for state, action, reward, nxt in [(0, 1, 0.0, 1), (10, 1, 0.0, 11), (19, 1, 0.0, 19)]:
        learn_generalization(learned, state, action, reward, nxt, False)
    learn_generalization(learned, 3, 2, -1.0, 12, False)

    def predict_untried(state: int, action: int) -> tuple:
        return predict(learned, maze.n_states, state, action)

    # untried 'right' from (2, 0) = state 18: one column on, with that kind's reward
    assert predict_untried(18, 1) == (0.0, 19, False)
    # the prediction ignores walls: (1, 1) 'right' runs into the wall at (1, 2) but is
    # predicted to pass: the invented shortcut
    assert maze.walls[1, 2] and predict_untried(10 - 1, 1)[1] == 10
    assert predict_untried(5, 2) == (-1.0, 14, False)
    # leaving the state index range (54 states) predicts staying put
    assert predict_untried(53, 1)[1] == 53
    assert predict_untried(50, 2)[1] == 50
    # an action never taken predicts staying put with reward 0
    assert predict_untried(7, 3) == (0.0, 7, False)


def test_a_costly_kind_does_not_outvote_the_common_one() -> None:
    """Two free 'up' moves and one into a swamp (reward -1): the model calls every
    untried 'up' free - it believes the swamp is as easy to cross as dry land."""
    learned = empty_generalization(4, True)
    for state, reward in [(30, 0.0), (31, 0.0), (32, -1.0)]:
        learn_generalization(learned, state, 0, reward, state - 10, False)
    assert learned.n_kinds[0] == 2
    assert predict(learned, 100, 55, 0) == (0.0, 45, False)


def test_kinds_separate_displacement_ending_and_reward() -> None:
    learned = empty_generalization(2, True)
    assert learn_generalization(learned, 4, 0, 1.0, 5, True) == 0
    assert learn_generalization(learned, 4, 0, 0.0, 5, False) == 1
    assert learn_generalization(learned, 6, 0, 0.0, 7, False) == 1
    assert learn_generalization(learned, 6, 0, 0.0, 6, False) == 2
    assert learned.kind_count[0, :3].tolist() == [1.0, 2.0, 1.0]
    assert learned.most_frequent[0] == 1


def test_too_many_kinds_is_a_clear_error() -> None:
    learned = empty_generalization(1, True)
    for reward in range(MAX_KINDS):
        learn_generalization(learned, 0, 0, float(reward), 1, False)
    with pytest.raises(ValueError, match="meant for grid worlds"):
        learn_generalization(learned, 0, 0, -1.0, 1, False)
    assert np.all(learned.kind_count[0] == 1.0)


def test_aggregate_is_for_uniform_dyna_q_only() -> None:
    with pytest.raises(AgentConfigError, match="model=aggregate is not for prioritized-sweeping"):
        AgentConfig(name="prioritized-sweeping", planning_steps=5, model="aggregate")
    assert (
        AgentConfig(name="dyna-q", planning_steps=5, model="aggregate").kind
        == Kind.DYNA_GENERALIZING
    )
