"""The generalizing (aggregate) model: predictions for untried pairs from tried ones."""

import pytest

from dynalab.agents.config import KIND_DYNA_GENERALIZING, AgentConfig, AgentConfigError
from dynalab.envs.builtin import dyna_maze
from dynalab.models.aggregate import empty_generalization, learn_generalization
from dynalab.models.aggregate import predict_untried as predict


def test_untried_pairs_are_predicted_by_the_most_frequent_displacement() -> None:
    """On the 6x9 Dyna maze (states r*9 + c), 'right' (action 1) moves +1 and 'down'
    (action 2) +9; a wall bump (displacement 0) seen once does not outvote two moves."""
    maze = dyna_maze()
    learned = empty_generalization(maze.n_states, 4, True)
    for state, action, reward, nxt in [(0, 1, 0.0, 1), (10, 1, 0.0, 11), (19, 1, 0.0, 19)]:
        learn_generalization(learned, state, action, reward, nxt, False)
    learn_generalization(learned, 3, 2, -1.0, 12, False)

    def predict_untried(state: int, action: int) -> tuple:
        return predict(learned, maze.n_states, state, action)

    # untried 'right' from (2, 0) = state 18: one column on, the mean reward of 'right'
    assert predict_untried(18, 1) == (0.0, 19, False)
    # the prediction ignores walls: (1, 1) 'right' runs into the wall at (1, 2) but is
    # predicted to pass: the invented shortcut
    assert maze.walls[1, 2] and predict_untried(10 - 1, 1)[1] == 10
    assert predict_untried(5, 2) == (-1.0, 14, False)
    # leaving the state index range (54 states) predicts staying put
    assert predict_untried(53, 1)[1] == 53
    assert predict_untried(50, 2)[1] == 50


def test_terminal_steps_do_not_teach_a_displacement() -> None:
    learned = empty_generalization(10, 2, True)
    learn_generalization(learned, 4, 0, 1.0, 5, True)
    assert learned.displacement[0] == 0 and learned.action_reward[0, 1] == 0


def test_aggregate_is_for_uniform_dyna_q_only() -> None:
    with pytest.raises(AgentConfigError, match="model=aggregate is for dyna-q"):
        AgentConfig("prioritized-sweeping", 5, model="aggregate")
    assert AgentConfig("dyna-q", 5, model="aggregate").kind == KIND_DYNA_GENERALIZING
