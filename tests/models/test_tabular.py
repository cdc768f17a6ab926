"""The learned models: deterministic last outcome, and count-based estimates."""

import numpy as np
import pytest

from dynalab.envs.builtin import dyna_maze
from dynalab.envs.mdp import sample_outcome
from dynalab.models.tabular import (
    ModelSpec,
    empty_model,
    model_distribution,
    model_expected_target,
    model_sample,
    model_update,
)


def test_deterministic_model_keeps_the_last_outcome() -> None:
    model = empty_model(3, 2)
    model_update(model, 0, 1, 1.0, 2, False, 5)
    model_update(model, 0, 1, -1.0, 1, True, 9)
    assert model_sample(model, 0, 1, 0.3) == (-1.0, 1, True)
    assert model.last_tried[0, 1] == 9
    assert model.visits[0, 1] == 2
    # one pair tried; both actions of state 0 known; one block of lcm(1, 2) = 2 table slots
    assert model.sizes.tolist() == [1, 2, 2]


def test_count_model_estimates_distribution_and_mean_reward() -> None:
    model = empty_model(3, 1, ModelSpec("counts", 4))
    slots = [
        model_update(model, 0, 0, reward, next_state, False, 0)
        for reward, next_state in [(1.0, 1), (3.0, 1), (0.0, 2), (2.0, 1)]
    ]
    assert slots == [0, 0, 1, 0]  # the outcome slot each transition went to
    assert model_distribution(model, 0, 0) == {1: 0.75, 2: 0.25}
    # the outcome to state 1 has mean reward (1 + 3 + 2) / 3 = 2
    assert model_sample(model, 0, 0, 0.1) == (2.0, 1, False)
    assert model_sample(model, 0, 0, 0.9) == (0.0, 2, False)
    q_values = np.array([[0.0], [10.0], [20.0]])
    # 0.75 * (2 + 0.5 * 10) + 0.25 * (0 + 0.5 * 20)
    assert model_expected_target(model, q_values, 0, 0, 0.5) == pytest.approx(7.75)


def test_count_model_converges_to_the_true_probabilities() -> None:
    """On the Dyna maze with slip 0.3, each (s, a) sampled 4000 times from the truth.

    A probability estimate from N = 4000 draws has standard deviation at most
    0.5 / sqrt(4000) = 0.0079; the tolerance 0.04 is five of them. Over the ~800
    (pair, outcome) estimates the chance that any strays that far is below 1e-3, and
    the seed is fixed, so the test is both meaningful and stable.
    """
    from dataclasses import replace

    maze = replace(dyna_maze(), slip=0.3)
    mdp = maze.to_mdp()
    free = np.flatnonzero(~maze.walls.ravel())
    model = empty_model(mdp.n_states, mdp.n_actions, ModelSpec("counts", mdp.max_outcomes))
    rng = np.random.default_rng(7)
    draws = 4000
    for state in free:
        for action in range(mdp.n_actions):
            for u in rng.random(draws):
                k = sample_outcome(mdp.prob, state, action, u)
                model_update(
                    model,
                    state,
                    action,
                    mdp.reward[state, action, k],
                    mdp.next_state[state, action, k],
                    mdp.terminal[state, action, k],
                    0,
                )
    worst = 0.0
    for state in free:
        for action in range(mdp.n_actions):
            truth: dict[int, float] = {}
            for k in range(mdp.max_outcomes):
                s2 = int(mdp.next_state[state, action, k])
                truth[s2] = truth.get(s2, 0.0) + float(mdp.prob[state, action, k])
            learned = model_distribution(model, state, action)
            for s2 in set(truth) | set(learned):
                worst = max(worst, abs(truth.get(s2, 0.0) - learned.get(s2, 0.0)))
    assert worst < 0.04


def test_count_model_refuses_more_outcomes_than_it_can_hold() -> None:
    model = empty_model(3, 1, ModelSpec("counts", 1))
    model_update(model, 0, 0, 0.0, 1, False, 0)
    with pytest.raises(ValueError, match="max_outcomes"):
        model_update(model, 0, 0, 0.0, 2, False, 1)


def test_model_spec_validation() -> None:
    with pytest.raises(ValueError, match="model must be one of"):
        ModelSpec("neural")


def test_model_noise_corrupts_a_fixed_fraction_of_pairs_permanently() -> None:
    """Each pair is corrupted with probability p: over 54 x 4 pairs at p = 0.5 the count
    has standard deviation 7.3, so 108 +- 30 is a four-sd band; a corrupted pair records
    its one wrong state, not terminal, whatever really happened."""
    rng = np.random.default_rng(5)
    model = empty_model(54, 4, ModelSpec(noise=0.5), rng)
    corrupted = np.argwhere(model.corrupt_next >= 0)
    assert 78 <= len(corrupted) <= 138
    s, a = corrupted[0]
    wrong = model.corrupt_next[s, a]
    for step, real_next in enumerate([1, 2, 3]):
        model_update(model, s, a, 0.5, real_next, True, step)
        assert model_sample(model, s, a, 0.0) == (0.5, wrong, False)
    clean = np.argwhere(model.corrupt_next < 0)[0]
    model_update(model, clean[0], clean[1], 0.0, 7, False, 0)
    assert model_sample(model, clean[0], clean[1], 0.0) == (0.0, 7, False)
    with pytest.raises(ValueError, match="generator"):
        empty_model(4, 2, ModelSpec(noise=0.1))
