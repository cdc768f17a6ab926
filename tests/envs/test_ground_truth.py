"""Value iteration and policy evaluation against closed forms."""

import numpy as np
import pytest

from dynalab.envs.builtin import slippery_cliff
from dynalab.envs.ground_truth import (
    EVALUATION_TOLERANCE,
    evaluate_policy,
    greedy_policy,
    greedy_value,
    value_iteration,
)
from dynalab.envs.mdp import ArrayMDP
from dynalab.envs.random_mdp import random_branching_mdp


def chain(length: int, slip: float = 0.0) -> ArrayMDP:
    """States 0..length-1 in a row; action 1 moves right, action 0 stays.

    Moving right from the last state ends the episode with reward 1. With ``slip`` the
    right move stays put instead.
    """
    n = length
    next_state = np.zeros((n, 2, 2), dtype=np.int64)
    prob = np.zeros((n, 2, 2))
    reward = np.zeros((n, 2, 2))
    terminal = np.zeros((n, 2, 2), dtype=bool)
    for s in range(n):
        next_state[s, 0] = [s, s]
        prob[s, 0] = [1.0, 0.0]
        next_state[s, 1] = [min(s + 1, n - 1), s]
        prob[s, 1] = [1.0 - slip, slip]
        if s == n - 1:
            reward[s, 1, 0] = 1.0
            terminal[s, 1, 0] = True
    start = np.zeros(n)
    start[0] = 1.0
    return ArrayMDP(next_state, prob, reward, terminal, start)


def test_value_iteration_on_a_chain_matches_closed_form() -> None:
    q_star, v_star = value_iteration(chain(5), gamma=0.9)
    # from state s, 5 - s moves reach the reward: V*(s) = 0.9 ** (4 - s)
    assert v_star == pytest.approx([0.9**4, 0.9**3, 0.9**2, 0.9, 1.0])
    assert q_star[0, 0] == pytest.approx(0.9 * v_star[0])


def test_value_iteration_with_slip_matches_closed_form() -> None:
    # last state: V = (1 - p) * 1 + p * gamma * V  =>  V = (1 - p) / (1 - p * gamma)
    _, v_star = value_iteration(chain(1, slip=0.25), gamma=0.8)
    assert v_star[0] == pytest.approx(0.75 / (1 - 0.25 * 0.8))


def test_policy_evaluation_of_a_random_policy_matches_linear_solve() -> None:
    mdp = chain(4, slip=0.1)
    policy = np.full((4, 2), 0.5)
    values = evaluate_policy(mdp, policy, gamma=0.95)
    n = mdp.n_states
    transition = np.zeros((n, n))
    expected_reward = np.zeros(n)
    for s in range(n):
        for a in range(2):
            for k in range(2):
                p = policy[s, a] * mdp.prob[s, a, k]
                expected_reward[s] += p * mdp.reward[s, a, k]
                if not mdp.terminal[s, a, k]:
                    transition[s, mdp.next_state[s, a, k]] += p
    exact = np.linalg.solve(np.eye(n) - 0.95 * transition, expected_reward)
    assert values == pytest.approx(exact, abs=1e-9)


def test_greedy_policy_splits_ties_and_greedy_value_uses_it() -> None:
    q_values = np.array([[1.0, 1.0], [0.0, 2.0], [0.0, 1.0]])
    assert greedy_policy(q_values).tolist() == [[0.5, 0.5], [0.0, 1.0], [0.0, 1.0]]
    mdp = chain(3)
    # from state 0: half the time stay, half move; V0 = 0.5*g*V0 + 0.5*g*V1, V1 = g*V2, V2 = 1
    g = 0.9
    v0 = 0.5 * g * g / (1 - 0.5 * g)
    assert greedy_value(mdp, q_values, g) == pytest.approx(v0)


def test_greedy_value_on_the_reachable_part_equals_the_full_evaluation() -> None:
    """greedy_value evaluates only the states the greedy policy reaches from the starts
    (here three of them); half the states are untouched (all actions tie, so both are
    taken), half learned. A full evaluation to 1e-12 of the same policy agrees to within
    the error EVALUATION_TOLERANCE allows at gamma 1 with termination 0.1 (9e-9)."""
    task = random_branching_mdp(200, 3, np.random.default_rng(8))
    start = np.zeros(200)
    start[[0, 50, 101]] = [0.5, 0.25, 0.25]
    mdp = ArrayMDP(task.next_state, task.prob, task.reward, task.terminal, start)
    q = np.random.default_rng(9).standard_normal((200, 2))
    q[::2] = 0.0
    full = start @ evaluate_policy(mdp, greedy_policy(q), 1.0)
    assert greedy_value(mdp, q, 1.0) == pytest.approx(full, abs=10 * EVALUATION_TOLERANCE)


@pytest.mark.parametrize(
    ("world", "gamma"),
    [
        (random_branching_mdp(300, 3, np.random.default_rng(4)), 1.0),
        (slippery_cliff().to_mdp(), 0.95),
    ],
    ids=["random-branching-gamma-1", "slippery-cliff-gamma-0.95"],
)
def test_greedy_value_of_q_star_is_v_star(world: ArrayMDP, gamma: float) -> None:
    """The greedy policy of Q* is optimal, so its value is V* over the starts, to within
    c / (1 - c) x EVALUATION_TOLERANCE (c = 0.9 and 0.95: under 2e-8)."""
    q_star, v_star = value_iteration(world, gamma)
    optimal = world.start_prob @ v_star
    assert greedy_value(world, q_star, gamma) == pytest.approx(optimal, abs=2e-8)


def test_bad_gamma_is_refused() -> None:
    with pytest.raises(ValueError, match="gamma"):
        value_iteration(chain(2), gamma=1.5)
    with pytest.raises(ValueError, match="gamma"):
        greedy_value(chain(2), np.zeros((2, 2)), gamma=-0.1)


def test_expected_episode_length_of_a_chain() -> None:
    from dynalab.envs.ground_truth import epsilon_greedy_policy, expected_episode_length

    mdp = chain(3)
    # always right: 3 steps; moving right with probability 1/2 doubles each step: 6
    assert expected_episode_length(mdp, np.array([[0.0, 1.0]] * 3)) == pytest.approx(3.0)
    assert expected_episode_length(mdp, np.full((3, 2), 0.5)) == pytest.approx(6.0)
    policy = epsilon_greedy_policy(np.array([[0.0, 1.0]] * 3), 0.2)
    assert policy[0].tolist() == pytest.approx([0.1, 0.9])
    assert expected_episode_length(mdp, policy) == pytest.approx(3 / 0.9)
    with pytest.raises(ValueError, match="probability 1"):
        expected_episode_length(mdp, np.array([[1.0, 0.0]] * 3))
