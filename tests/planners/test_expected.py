"""Uniform vs on-policy expected updates (Sutton & Barto §8.6, Fig. 8.8): the kernels
against value iteration and policy evaluation, and their checkpoints."""

import textwrap

import numpy as np
import pytest

from dynalab.envs.ground_truth import evaluate_policy, greedy_value, value_iteration
from dynalab.envs.mdp import ArrayMDP
from dynalab.envs.random_mdp import random_branching_mdp
from dynalab.planners import expected
from dynalab.run.seeds import make_rng
from tests.jit_modes import outputs_in_both_modes


def arrays(mdp: ArrayMDP) -> tuple[np.ndarray, ...]:
    return mdp.next_state, mdp.prob, mdp.reward, mdp.terminal


def run_uniform(mdp: ArrayMDP, n_updates: int, every: int) -> tuple[np.ndarray, np.ndarray]:
    q = np.zeros((mdp.n_states, mdp.n_actions))
    out = np.empty(n_updates // every + 1)
    expected.uniform_updates(*arrays(mdp), q, n_updates, every, 0, out)
    return q, out


def run_on_policy(
    mdp: ArrayMDP, n_updates: int, every: int, seed: int = 3
) -> tuple[np.ndarray, np.ndarray, int]:
    q = np.zeros((mdp.n_states, mdp.n_actions))
    out = np.empty(n_updates // every + 1)
    rng = make_rng(np.random.SeedSequence(seed))
    episodes = expected.on_policy_updates(*arrays(mdp), q, n_updates, every, 0, 0.1, rng, out)
    return q, out, episodes


def test_one_expected_update_matches_a_hand_computation() -> None:
    """Q(0, 1) <- 0.9 (r + max_a Q(1, a)) + 0.1 r_end, with r = 1, r_end = 2, and
    max_a Q(1, a) = 5: 0.9 * 6 + 0.1 * 2 = 5.6; V(0) follows the new max."""
    next_state = np.array([[[1, 0], [1, 0]], [[1, 1], [1, 1]]])
    prob = np.tile([0.9, 0.1], (2, 2, 1))
    reward = np.zeros((2, 2, 2))
    reward[0, 1] = [1.0, 2.0]
    terminal = np.zeros((2, 2, 2), dtype=bool)
    terminal[:, :, 1] = True
    q = np.array([[0.5, 0.0], [5.0, -1.0]])
    values = expected.max_values(q)
    assert values.tolist() == [0.5, 5.0]
    expected.expected_q_update(next_state, prob, reward, terminal, q, values, 0, 1)
    assert q[0, 1] == pytest.approx(5.6)
    assert values[0] == pytest.approx(5.6)


def test_uniform_updates_converge_to_the_optimal_start_value() -> None:
    """300 sweeps of in-place expected updates are value iteration at gamma 1; each sweep
    shrinks the error by 0.9 at least (termination 0.1), so Q is within 0.9^300 * ~20 of
    Q*, and the greedy policy is optimal. The recorded value then equals V*(start) up to
    the policy evaluation's own error (under 1e-8, see ground_truth.EVALUATION_TOLERANCE)."""
    mdp = random_branching_mdp(50, 3, np.random.default_rng(0))
    q_star, v_star = value_iteration(mdp, 1.0)
    q, out = run_uniform(mdp, 300 * 100, 1000)
    assert np.allclose(q, q_star, atol=1e-9)
    assert out[-1] == pytest.approx(v_star[0], abs=1e-4)
    # the greedy value only ever reaches V*, never passes it
    assert (out <= v_star[0] + 1e-4).all()


def test_the_first_sweep_visits_pairs_in_order() -> None:
    """After one update only (0, 0) has changed; after 2 * 50 every pair has."""
    mdp = random_branching_mdp(50, 3, np.random.default_rng(1))
    q, _ = run_uniform(mdp, 1, 1)
    assert np.flatnonzero(q).tolist() == [0]
    q, _ = run_uniform(mdp, 100, 100)
    assert (q != 0.0).all()


def test_on_policy_updates_touch_only_pairs_reachable_from_the_start() -> None:
    """Two random tasks side by side, the second (states 30-59) unreachable from state 0:
    on-policy updates never change its values, and reach most of the first's pairs."""
    left = random_branching_mdp(30, 2, np.random.default_rng(5))
    right = random_branching_mdp(30, 2, np.random.default_rng(6))
    start = np.zeros(60)
    start[0] = 1.0
    mdp = ArrayMDP(
        np.concatenate([left.next_state, right.next_state + 30]),
        np.concatenate([left.prob, right.prob]),
        np.concatenate([left.reward, right.reward]),
        np.concatenate([left.terminal, right.terminal]),
        start,
    )
    q, _, episodes = run_on_policy(mdp, 5000, 500)
    touched = q != 0.0
    reachable = mdp.decision_states()
    assert not reachable[30:].any()
    assert not touched[~reachable].any()
    assert touched[reachable].mean() > 0.5
    # about one episode per 10 updates (termination 0.1)
    assert 350 < episodes < 650


@pytest.mark.parametrize("method", ["uniform", "on-policy"])
def test_checkpoints_are_the_greedy_value_after_each_block_of_updates(method: str) -> None:
    """``out[i]`` is the true greedy start value after exactly ``i * every`` updates: the
    same as a separate run stopped there (the on-policy runs share their random stream),
    and the same number the run loops record for that Q (``greedy_value``)."""
    mdp = random_branching_mdp(40, 2, np.random.default_rng(7))
    every, blocks = 30, 6

    def run(n_updates: int) -> tuple[np.ndarray, np.ndarray]:
        if method == "uniform":
            return run_uniform(mdp, n_updates, every)
        q, out, _ = run_on_policy(mdp, n_updates, every)
        return q, out

    _, out = run(every * blocks)
    assert out.shape == (blocks + 1,)
    # before any update all actions tie: the greedy policy is uniformly random
    random_policy = evaluate_policy(mdp, np.full((40, 2), 0.5), 1.0)
    assert out[0] == pytest.approx(random_policy[0], abs=1e-4)
    for block in range(1, blocks + 1):
        q, prefix = run(every * block)
        assert np.array_equal(prefix, out[: block + 1])
        assert out[block] == greedy_value(mdp, q, 1.0)


def test_bad_checkpoint_arguments_are_refused() -> None:
    mdp = random_branching_mdp(10, 1, np.random.default_rng(0))
    q = np.zeros((10, 2))
    with pytest.raises(ValueError, match="multiple"):
        expected.uniform_updates(*arrays(mdp), q, 25, 10, 0, np.empty(3))
    with pytest.raises(ValueError, match="entries"):
        expected.uniform_updates(*arrays(mdp), q, 20, 10, 0, np.empty(2))


def test_the_same_source_runs_uncompiled_with_identical_numbers() -> None:
    """NUMBA_DISABLE_JIT=1 is the reference: both kernels on a tiny task."""
    script = textwrap.dedent(
        """
        import numpy as np
        from dynalab.envs.random_mdp import random_branching_mdp
        from dynalab.planners import expected
        from dynalab.run.seeds import make_rng
        mdp = random_branching_mdp(30, 2, np.random.default_rng(3))
        arrays = (mdp.next_state, mdp.prob, mdp.reward, mdp.terminal)
        q_u, out_u = np.zeros((30, 2)), np.empty(7)
        expected.uniform_updates(*arrays, q_u, 300, 50, 0, out_u)
        q_o, out_o = np.zeros((30, 2)), np.empty(7)
        rng = make_rng(np.random.SeedSequence(4))
        episodes = expected.on_policy_updates(*arrays, q_o, 300, 50, 0, 0.1, rng, out_o)
        print(out_u.tolist(), repr(float(q_u.sum())))
        print(out_o.tolist(), repr(float(q_o.sum())), episodes)
        """
    )
    outputs = outputs_in_both_modes(script)
    assert outputs[0] == outputs[1]
    assert outputs[0].count("[") == 2
