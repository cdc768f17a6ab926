"""Value iteration on the learned model (certainty equivalence, with R-max optimism)."""

import dataclasses
import textwrap

import numpy as np
import pytest

from dynalab.envs.builtin import dyna_maze
from dynalab.envs.ground_truth import value_iteration
from dynalab.envs.mdp import ArrayMDP
from dynalab.models.tabular import (
    ModelSpec,
    TabularModel,
    empty_model,
    model_expected_target,
    model_update,
)
from dynalab.planners.model_vi import model_value_iteration
from tests.jit_modes import outputs_in_both_modes

GAMMA = 0.95


def exact_model(mdp: ArrayMDP, spec: ModelSpec, copies: int) -> TabularModel:
    """A model fed every (s, a) of every decision state, each outcome seen
    ``round(prob * copies)`` times, so its estimated probabilities are the true ones."""
    model = empty_model(mdp.n_states, mdp.n_actions, spec)
    for state in np.flatnonzero(mdp.decision_states()):
        for action in range(mdp.n_actions):
            for k in range(mdp.max_outcomes):
                times = round(mdp.prob[state, action, k] * copies)
                assert times == pytest.approx(mdp.prob[state, action, k] * copies, abs=1e-9)
                for _ in range(times):
                    model_update(
                        model,
                        int(state),
                        action,
                        float(mdp.reward[state, action, k]),
                        int(mdp.next_state[state, action, k]),
                        bool(mdp.terminal[state, action, k]),
                        0,
                    )
    return model


def chain_model() -> TabularModel:
    """Three states, actions 0 = left and 1 = right; right from 1 reaches the goal 2.

    Tried, in this order: (0, right) -> 1 with reward 0, (1, right) -> 2 with reward 1
    (terminal), (1, left) -> 0 with reward 0. (0, left) was never tried; state 2 was
    never acted from.
    """
    model = empty_model(3, 2)
    model_update(model, 0, 1, 0.0, 1, False, 1)
    model_update(model, 1, 1, 1.0, 2, True, 2)
    model_update(model, 1, 0, 0.0, 0, False, 3)
    return model


def test_a_complete_deterministic_model_gives_q_star() -> None:
    mdp = dyna_maze().to_mdp()
    model = exact_model(mdp, ModelSpec(), copies=1)
    q_values = np.zeros((mdp.n_states, mdp.n_actions))
    made = model_value_iteration(q_values, model, GAMMA, 10_000, 1e-12, 0.0)
    q_star, _ = value_iteration(mdp, GAMMA)
    decision = mdp.decision_states()
    assert made % model.sizes[0] == 0 and made > model.sizes[0]
    np.testing.assert_allclose(q_values[decision], q_star[decision], rtol=0.0, atol=1e-9)


def test_a_complete_count_model_of_a_slippery_maze_gives_q_star() -> None:
    """Slip 0.2 over 4 actions: probabilities are multiples of 0.05, so 20 copies make
    every count an integer and every estimated probability exact."""
    mdp = dataclasses.replace(dyna_maze(), slip=0.2).to_mdp()
    assert not mdp.is_deterministic
    model = exact_model(mdp, ModelSpec("counts", mdp.max_outcomes), copies=20)
    q_values = np.zeros((mdp.n_states, mdp.n_actions))
    model_value_iteration(q_values, model, GAMMA, 10_000, 1e-12, 0.0)
    q_star, _ = value_iteration(mdp, GAMMA)
    decision = mdp.decision_states()
    np.testing.assert_allclose(q_values[decision], q_star[decision], rtol=0.0, atol=1e-9)


def test_one_sweep_backs_up_each_seen_pair_once_in_place() -> None:
    """gamma 0.9 on the chain. Sweep 1 from zeros: Q(0,R) = 0.9*0 = 0, Q(1,R) = 1,
    Q(1,L) = 0.9*max Q(0) = 0. Sweep 2: Q(0,R) = 0.9, Q(1,R) = 1, and, Gauss-Seidel,
    Q(1,L) = 0.9 * 0.9 = 0.81 from the Q(0,R) just written."""
    model = chain_model()
    q_values = np.zeros((3, 2))
    assert model_value_iteration(q_values, model, 0.9, 1, 1e-12, 0.0) == 3
    np.testing.assert_allclose(q_values, [[0.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    assert model_value_iteration(q_values, model, 0.9, 1, 1e-12, 0.0) == 3
    np.testing.assert_allclose(q_values, [[0.0, 0.9], [0.81, 1.0], [0.0, 0.0]])


def test_sweeps_stop_at_tolerance_and_backups_are_counted() -> None:
    """From zeros on the chain the sweeps change Q by at most 1, then 0.9, then 0:
    three sweeps of three pairs."""
    q_values = np.zeros((3, 2))
    assert model_value_iteration(q_values, chain_model(), 0.9, 100, 1e-12, 0.0) == 9
    np.testing.assert_allclose(q_values, [[0.0, 0.9], [0.81, 1.0], [0.0, 0.0]])


def test_nothing_seen_means_no_backups() -> None:
    q_values = np.zeros((2, 2))
    assert model_value_iteration(q_values, empty_model(2, 2), 0.9, 10, 1e-12, 5.0) == 0
    assert q_values.tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_optimism_makes_untried_actions_greedy() -> None:
    """Untried (0, left) is worth 5 (gamma 0.9). Then V(0) = 5, Q(1,L) = 0.9*5 = 4.5,
    V(1) = max(4.5, 1) = 4.5 and Q(0,R) = 0.9*4.5 = 4.05 < 5: consistent, so this is
    the fixed point. Greedy: left in state 0 (untried) and left in state 1 (towards
    it). State 2 was never acted from and is left alone."""
    q_values = np.zeros((3, 2))
    q_values[0, 0] = -3.0  # whatever an untried pair holds, optimism overrides it
    q_values[2] = [7.0, 7.0]
    model_value_iteration(q_values, chain_model(), 0.9, 10_000, 1e-12, 5.0)
    np.testing.assert_allclose(q_values, [[5.0, 4.05], [4.5, 1.0], [7.0, 7.0]], atol=1e-10)
    assert q_values[0, 0] == 5.0
    assert np.argmax(q_values[0]) == 0
    assert np.argmax(q_values[1]) == 0


def test_without_optimism_untried_pairs_are_left_alone() -> None:
    """Same chain, optimism 0: (0, left) keeps its 0 and the greedy policy goes right."""
    q_values = np.zeros((3, 2))
    model_value_iteration(q_values, chain_model(), 0.9, 10_000, 1e-12, 0.0)
    np.testing.assert_allclose(q_values, [[0.0, 0.9], [0.81, 1.0], [0.0, 0.0]])
    assert np.argmax(q_values[0]) == 1


def test_each_backup_is_the_models_expected_target() -> None:
    """The kernel writes the expected target out over the model's arrays; one sweep
    must equal, bit for bit, a sweep of ``model_expected_target`` in the same order."""
    mdp = dataclasses.replace(dyna_maze(), slip=0.2).to_mdp()
    model = exact_model(mdp, ModelSpec("counts", mdp.max_outcomes), copies=20)
    start = np.random.default_rng(3).normal(size=(mdp.n_states, mdp.n_actions))
    q_values = start.copy()
    model_value_iteration(q_values, model, GAMMA, 1, 0.0, 0.0)
    expected = start.copy()
    for i in range(model.sizes[0]):
        state, action = model.observed_state[i], model.observed_action[i]
        expected[state, action] = model_expected_target(model, expected, state, action, GAMMA)
    assert np.array_equal(q_values, expected)


def test_the_same_source_runs_uncompiled_with_identical_numbers() -> None:
    """NUMBA_DISABLE_JIT=1 is the reference: a partly tried slippery maze with optimism."""
    script = textwrap.dedent(
        """
        import dataclasses
        import numpy as np
        from dynalab.envs.builtin import dyna_maze
        from dynalab.models.tabular import ModelSpec, empty_model, model_update
        from dynalab.planners.model_vi import model_value_iteration
        mdp = dataclasses.replace(dyna_maze(), slip=0.2).to_mdp()
        model = empty_model(mdp.n_states, mdp.n_actions, ModelSpec("counts", 4))
        for s in np.flatnonzero(mdp.decision_states())[::2]:
            for a in range(mdp.n_actions - int(s) % 2):
                for k in range(mdp.max_outcomes):
                    for _ in range(round(mdp.prob[s, a, k] * 20)):
                        model_update(model, int(s), a, float(mdp.reward[s, a, k]),
                                     int(mdp.next_state[s, a, k]),
                                     bool(mdp.terminal[s, a, k]), 0)
        q = np.zeros((mdp.n_states, mdp.n_actions))
        made = model_value_iteration(q, model, 0.95, 10_000, 1e-10, 20.0)
        print(made, repr(float(q.sum())))
        """
    )
    outputs = outputs_in_both_modes(script)
    assert outputs[0] == outputs[1]
    made, total = outputs[0].split()
    assert int(made) > 0 and float(total) > 0.0
