"""Model error against ground truth: zero for the truth, known values for known errors."""

from dataclasses import replace

import numpy as np
import pytest

from dynalab.envs.builtin import dyna_maze
from dynalab.models.diagnostics import model_error
from dynalab.models.tabular import ModelSpec, empty_model, model_update


def feed_exact(model, mdp, copies: int = 20) -> None:
    """Every decision-state pair, each outcome in exact proportion (probabilities here
    are multiples of 1/copies)."""
    for s in np.flatnonzero(mdp.decision_states()):
        for a in range(mdp.n_actions):
            for k in range(mdp.max_outcomes):
                for _ in range(round(mdp.prob[s, a, k] * copies)):
                    model_update(
                        model,
                        s,
                        a,
                        mdp.reward[s, a, k],
                        mdp.next_state[s, a, k],
                        mdp.terminal[s, a, k],
                        0,
                    )


def arrays(mdp):
    return mdp.next_state, mdp.prob, mdp.reward, mdp.terminal


def test_a_model_equal_to_the_truth_has_zero_error() -> None:
    mdp = replace(dyna_maze(), slip=0.2).to_mdp()
    model = empty_model(mdp.n_states, mdp.n_actions, ModelSpec("counts", mdp.max_outcomes))
    feed_exact(model, mdp)
    distance, reward_error = model_error(model, *arrays(mdp))
    assert distance == pytest.approx(0.0, abs=1e-12)
    assert reward_error == pytest.approx(0.0, abs=1e-12)


def test_deterministic_model_in_a_slippery_world_has_the_known_tv_distance() -> None:
    """Slip 0.2 over 4 actions: the intended move has probability 0.85 when its four
    neighbours are distinct free cells. A last-outcome model that saw the intended move
    puts probability 1 there: TV = 1 - 0.85 = 0.15 for that pair."""
    maze = replace(dyna_maze(), slip=0.2)
    mdp = maze.to_mdp()
    model = empty_model(mdp.n_states, mdp.n_actions)
    state = maze.state(3, 4)  # all four neighbours free and distinct
    intended = mdp.next_state[state, 1, 0]  # slot 0 holds the intended move (right)
    assert mdp.prob[state, 1, 0] == pytest.approx(0.85)
    model_update(model, state, 1, 0.0, intended, False, 0)
    distance, reward_error = model_error(model, *arrays(mdp))
    assert distance == pytest.approx(0.15)
    assert reward_error == pytest.approx(0.0)


def test_wrong_reward_and_weighting_by_visits() -> None:
    """Two pairs of the deterministic maze: one right (tried 3 times), one with a wrong
    next state and a reward of 1 where the truth pays 0 (tried once): TV 1 and reward
    error 1 on that pair, so the weighted errors are 1/4 each."""
    maze = dyna_maze()
    mdp = maze.to_mdp()
    model = empty_model(mdp.n_states, mdp.n_actions)
    s = maze.state(3, 4)
    for step in range(3):
        model_update(model, s, 0, 0.0, mdp.next_state[s, 0, 0], False, step)
    model_update(model, s, 1, 1.0, s, False, 3)  # truth: moves right, reward 0
    distance, reward_error = model_error(model, *arrays(mdp))
    assert distance == pytest.approx(0.25)
    assert reward_error == pytest.approx(0.25)


def test_an_empty_model_has_no_error_to_report() -> None:
    mdp = dyna_maze().to_mdp()
    assert np.isnan(model_error(empty_model(mdp.n_states, mdp.n_actions), *arrays(mdp))[0])
