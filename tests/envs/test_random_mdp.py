"""The random branching tasks of Sutton & Barto §8.6: structure, randomness, determinism."""

import numpy as np
import pytest

from dynalab.envs.mdp import ArrayMDP
from dynalab.envs.random_mdp import distinct_next_states, random_branching_mdp


@pytest.mark.parametrize(("n_states", "branching"), [(50, 1), (50, 3), (200, 10), (7, 7)])
def test_the_task_has_the_book_structure(n_states: int, branching: int) -> None:
    mdp = random_branching_mdp(n_states, branching, np.random.default_rng(4))
    assert isinstance(mdp, ArrayMDP)
    assert mdp.next_state.shape == (n_states, 2, branching + 1)
    live = mdp.next_state[:, :, :branching]
    assert live.min() >= 0 and live.max() < n_states
    # b distinct next states per pair, each with probability 0.9 / b
    assert all(len(set(row)) == branching for row in live.reshape(-1, branching))
    assert np.allclose(mdp.prob[:, :, :branching], 0.9 / branching)
    # one terminal outcome with probability 0.1, and only that one terminates
    assert np.allclose(mdp.prob[:, :, branching], 0.1)
    assert mdp.terminal[:, :, branching].all() and not mdp.terminal[:, :, :branching].any()
    assert np.allclose(mdp.prob.sum(axis=2), 1.0)
    # every outcome, the terminal one included, has its own reward draw
    assert np.isfinite(mdp.reward).all() and len(np.unique(mdp.reward)) == mdp.reward.size
    assert mdp.start_prob[0] == 1.0 and mdp.start_prob.sum() == 1.0
    assert mdp.max_steps == 0


def test_options_change_actions_and_termination() -> None:
    mdp = random_branching_mdp(20, 2, np.random.default_rng(0), n_actions=3, termination=0.25)
    assert mdp.next_state.shape == (20, 3, 3)
    assert np.allclose(mdp.prob[:, :, :2], 0.375) and np.allclose(mdp.prob[:, :, 2], 0.25)


def test_the_same_generator_state_gives_the_same_task() -> None:
    first = random_branching_mdp(100, 3, np.random.default_rng(11))
    again = random_branching_mdp(100, 3, np.random.default_rng(11))
    other = random_branching_mdp(100, 3, np.random.default_rng(12))
    for name in ("next_state", "prob", "reward", "terminal", "start_prob"):
        assert np.array_equal(getattr(first, name), getattr(again, name))
    assert not np.array_equal(first.next_state, other.next_state)
    assert not np.array_equal(first.reward, other.reward)


def test_next_states_and_rewards_have_the_stated_distributions() -> None:
    """Over 20,000 pairs: every state is a next state about b / n of the time, rewards
    look standard normal. Tolerances are over 5 standard errors wide."""
    n_states, branching = 10, 3
    rows = distinct_next_states(n_states, 20_000, branching, np.random.default_rng(1))
    share = np.bincount(rows.ravel(), minlength=n_states) / len(rows)
    # each count is binomial(20,000, 0.3): standard error of the share 0.0032
    assert np.allclose(share, branching / n_states, atol=0.02)
    # the first slot is uniform too (no bias from redrawing rows with repeats);
    # standard error of each share 0.0021
    first = np.bincount(rows[:, 0], minlength=n_states) / len(rows)
    assert np.allclose(first, 1 / n_states, atol=0.011)
    # 16,000 rewards: standard error of the mean 0.008, of the standard deviation 0.0056
    reward = random_branching_mdp(2000, 3, np.random.default_rng(2)).reward
    assert abs(reward.mean()) < 0.04 and abs(reward.std() - 1.0) < 0.03


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_states": 0, "branching": 1}, "n_states"),
        ({"n_states": 5, "branching": 0}, "branching"),
        ({"n_states": 5, "branching": 6}, "branching"),
        ({"n_states": 5, "branching": 1, "n_actions": 0}, "n_actions"),
        ({"n_states": 5, "branching": 1, "termination": 1.5}, "termination"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        random_branching_mdp(rng=np.random.default_rng(0), **kwargs)
