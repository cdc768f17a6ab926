"""Decision-time UCT search on the learned model (Sutton & Barto §8.11)."""

import textwrap

import numpy as np
import pytest

from dynalab.agents.config import AgentConfig
from dynalab.envs.builtin import dyna_maze
from dynalab.envs.ground_truth import value_iteration
from dynalab.envs.mdp import ArrayMDP
from dynalab.models.tabular import TabularModel, empty_model, model_update
from dynalab.planners.mcts import empty_tree, mcts_action
from tests.jit_modes import outputs_in_both_modes

CHAIN_LENGTH = 5  # states 0..4; entering state 4 pays 1 and ends the episode
STAY, RIGHT = 0, 1


def rng(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.SFC64(seed))


def chain_model() -> TabularModel:
    """A complete, correct model of the chain: RIGHT moves on, STAY stays, 0 reward."""
    model = empty_model(CHAIN_LENGTH, 2)
    for s in range(CHAIN_LENGTH - 1):
        model_update(model, s, STAY, 0.0, s, False, 0)
        end = s + 1 == CHAIN_LENGTH - 1
        model_update(model, s, RIGHT, 1.0 if end else 0.0, s + 1, end, 0)
    return model


def complete_model(mdp: ArrayMDP) -> TabularModel:
    """The model that has tried every (s, a) of a deterministic MDP once."""
    model = empty_model(mdp.n_states, mdp.n_actions)
    for s in range(mdp.n_states):
        for a in range(mdp.n_actions):
            k = int(np.argmax(mdp.prob[s, a]))
            model_update(
                model,
                s,
                a,
                float(mdp.reward[s, a, k]),
                int(mdp.next_state[s, a, k]),
                bool(mdp.terminal[s, a, k]),
                0,
            )
    return model


def test_chain_search_finds_the_reward_beyond_a_flat_q() -> None:
    """With Q all zeros only search can see the reward 4 steps away.

    Every simulation that does not reach the end backs up 0, one that does backs up
    0.9**3 > 0, so once the tree reaches the end the move right has the higher mean and
    UCT concentrates on it. 2000 simulations at depth 10 are far more than the 4-step
    path needs (the tree grows one node per simulation); a wrong answer is not a
    tolerance matter, so the test checks the action exactly, over 5 seeds.
    """
    model = chain_model()
    q_values = np.zeros((CHAIN_LENGTH, 2))
    tree = empty_tree(CHAIN_LENGTH, 2, 10)
    for seed in range(5):
        action = mcts_action(q_values, model, tree, 0, 2000, 10, 0.5, 0.9, rng(seed))
        assert action == RIGHT


def test_depth_one_search_on_q_star_is_greedy_on_q_star() -> None:
    """Depth 1 on a correct deterministic model backs up exactly r + gamma max Q*(s') =
    Q*(s, a), so each root mean equals Q* and the search is greedy on Q*.

    At the default c = 1 UCB1 still leaves the worse actions few visits: the returns are
    the Q*(s, .) values themselves, so normalised the smallest gap between distinct Q*
    values of a state is its gap over that state's range, >= 0.48 here (computed from
    value iteration), and a worse action gets at most (1/0.48)**2 * log(300) + 1 < 26
    of 300 simulations; the three worse ones together < 78, so a best action has the
    most. Q* is compared with a tolerance of 1e-9 (value iteration runs to 1e-12) to
    decide which actions tie as greedy.
    """
    mdp = dyna_maze().to_mdp()
    q_star, _ = value_iteration(mdp, 0.95)
    model = complete_model(mdp)
    tree = empty_tree(mdp.n_states, mdp.n_actions, 1)
    generator = rng(3)
    states = np.flatnonzero(mdp.decision_states())
    assert len(states) > 40
    for s in states:
        action = mcts_action(q_star, model, tree, int(s), 300, 1, 1.0, 0.95, generator)
        assert q_star[s, action] >= q_star[s].max() - 1e-9, (s, action, q_star[s])


def two_step_model(scale: float) -> TabularModel:
    """From state 0: action 0 pays ``scale`` and ends; action 1 pays 0 and leads to state 1,
    where either action pays ``2 * scale`` and ends. Every pair has been tried."""
    model = empty_model(3, 2)
    model_update(model, 0, 0, scale, 2, True, 0)
    model_update(model, 0, 1, 0.0, 1, False, 0)
    for a in range(2):
        model_update(model, 1, a, 2.0 * scale, 2, True, 0)
    return model


@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
def test_default_exploration_finds_the_larger_delayed_reward_at_any_reward_scale(
    scale: float,
) -> None:
    """With Q = 0 action 1's first simulation stops at the new state 1 and backs up 0,
    below action 0's ``scale``; only a second visit sees its worth 0.9 * 2 * scale. The
    agent's defaults (50 simulations, depth 3, c = 1) must make that visit and pick
    action 1. The means are min-max normalised, so the reward scale cannot matter (with
    raw returns c = 1 was blind to it at scale 100, and c = 0.01 and 0.5 at scale 1).
    The model is deterministic, so the seed only breaks ties: the check is exact, over
    20 seeds.
    """
    config = AgentConfig(name="mcts")
    model = two_step_model(scale)
    q_values = np.zeros((3, 2))
    tree = empty_tree(3, 2, config.depth)
    for seed in range(20):
        action = mcts_action(
            q_values,
            model,
            tree,
            0,
            config.simulations,
            config.depth,
            config.exploration,
            0.9,
            rng(seed),
        )
        assert action == 1, (scale, seed)


def test_untried_pairs_are_leaves_valued_by_q() -> None:
    """Only (0, 0) was tried (to state 1, reward 0, where Q is 0): its mean is 0. The
    untried (0, 2) is never simulated; it is a leaf worth Q(0, 2) = 1, so it wins. The
    check is exact: the means differ by 1, far beyond what UCB1 (c = 0.5) can offset in
    500 simulations.
    """
    model = empty_model(3, 3)
    model_update(model, 0, 0, 0.0, 1, False, 0)
    q_values = np.zeros((3, 3))
    q_values[0, 2] = 1.0
    tree = empty_tree(3, 3, 5)
    for seed in range(3):
        assert mcts_action(q_values, model, tree, 0, 500, 5, 0.5, 0.9, rng(seed)) == 2


def test_an_untried_pair_is_not_simulated_even_when_the_model_knows_its_state() -> None:
    """An untried pair with a low Q is not rescued by a reward the model knows elsewhere:
    with Q = 0, only (0, 1) tried (reward 1, terminal) wins over untried (0, 0)."""
    model = empty_model(2, 2)
    model_update(model, 0, 1, 1.0, 1, True, 0)
    q_values = np.zeros((2, 2))
    tree = empty_tree(2, 2, 3)
    assert mcts_action(q_values, model, tree, 0, 50, 3, 0.5, 0.9, rng(0)) == 1


def test_tree_is_clean_after_a_search_and_seeds_repeat() -> None:
    """After each call every statistic is zero again and the return bounds are empty
    (exact: they are reset, not decayed), the latest search's step count is recorded,
    and one seed gives one action sequence."""
    mdp = dyna_maze().to_mdp()
    model = complete_model(mdp)
    q_values = np.zeros((mdp.n_states, mdp.n_actions))
    tree = empty_tree(mdp.n_states, mdp.n_actions, 20)

    def sequence(seed: int) -> list[int]:
        generator = rng(seed)
        actions = []
        for s in np.flatnonzero(mdp.decision_states())[:10]:
            actions.append(
                mcts_action(q_values, model, tree, int(s), 200, 20, 1.0, 0.95, generator)
            )
            assert not tree.visits.any()
            assert not tree.value_sum.any()
            assert not tree.state_visits.any()
            assert tree.n_touched[0] == 0
            assert tree.value_bounds.tolist() == [np.inf, -np.inf]
            # each of the 200 simulations takes at least one step
            assert tree.search_steps[0] >= 200
        return actions

    first = sequence(11)
    assert sequence(11) == first
    assert all(0 <= a < mdp.n_actions for a in first)


def test_invalid_arguments_are_rejected() -> None:
    model = chain_model()
    q_values = np.zeros((CHAIN_LENGTH, 2))
    tree = empty_tree(CHAIN_LENGTH, 2, 4)
    with pytest.raises(ValueError, match="depth"):
        mcts_action(q_values, model, tree, 0, 10, 5, 1.0, 0.9, rng(0))
    with pytest.raises(ValueError, match="simulations"):
        mcts_action(q_values, model, tree, 0, 0, 4, 1.0, 0.9, rng(0))
    with pytest.raises(ValueError, match="max_depth"):
        empty_tree(CHAIN_LENGTH, 2, 0)


def test_the_same_source_runs_uncompiled_with_identical_numbers() -> None:
    """NUMBA_DISABLE_JIT=1 runs the search as plain Python: actions and step counts must
    match the compiled search exactly (same draws, same arithmetic, no tolerance)."""
    script = textwrap.dedent(
        """
        import numpy as np
        from dynalab.envs.builtin import dyna_maze
        from dynalab.envs.ground_truth import value_iteration
        from dynalab.models.tabular import empty_model, model_update
        from dynalab.planners.mcts import empty_tree, mcts_action
        mdp = dyna_maze().to_mdp()
        q, _ = value_iteration(mdp, 0.95)
        q = q * 0.5
        model = empty_model(mdp.n_states, mdp.n_actions)
        for s in range(0, mdp.n_states, 2):
            for a in range(mdp.n_actions):
                model_update(model, s, a, float(mdp.reward[s, a, 0]),
                             int(mdp.next_state[s, a, 0]), bool(mdp.terminal[s, a, 0]), 0)
        tree = empty_tree(mdp.n_states, mdp.n_actions, 8)
        generator = np.random.Generator(np.random.SFC64(5))
        out = []
        for s in (18, 0, 8, 30, 44):
            out.append((mcts_action(q, model, tree, s, 100, 8, 0.7, 0.95, generator),
                        int(tree.search_steps[0])))
        print(out, repr(float(generator.random())))
        """
    )
    outputs = outputs_in_both_modes(script)
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith("[(")
