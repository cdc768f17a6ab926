"""Decision-time planning by Monte Carlo tree search on the learned model (UCT).

Sutton & Barto §8.11: at each real decision, run many simulated trajectories from the
current state, grow a tree of the states they visit, and act on the statistics of the
root. The tree policy is UCT (Kocsis & Szepesvári, 2006): in a tree state pick the action
maximising the UCB1 score ``mean + c * sqrt(log N(s) / N(s, a))``, trying unvisited
actions first. Here the simulations run on the *learned* model
(:func:`~dynalab.models.tabular.model_sample`) and the learned ``Q`` replaces the book's
rollout policy as the value of the leaves:

* a pair the model has never tried is a leaf worth ``Q(s, a)`` - the model knows nothing
  about where it leads;
* an outcome that ended the episode is worth its reward;
* the first state a simulation reaches that is not yet in the tree is added to it
  (one node per simulation) and worth ``max_a Q(s', a)``, as is the state reached at the
  depth limit.

UCB1 assumes returns in [0, 1]; discounted returns are not, so the mean is first min-max
normalised, as MuZero does (Schrittwieser et al., 2020, Appendix B): mapped to [0, 1] by
the least and greatest return backed up in the current search. So ``c`` is relative to
the spread of the returns the search has seen, whatever the rewards' scale, and the
search keeps trying an action whose first estimate was low (with raw returns a ``c`` far
below the value scale makes UCT greedy on its first estimates). Until the search has seen
two different returns every mean is the same, and the mean term is 0: exploration alone
orders the actions. MuZero bounds the means themselves; the returns bound every mean as
well, and equal returns give exactly equal bounds, where a mean of equal returns can
differ from them in its last bit, a difference the normalisation would stretch to the
whole range.

The agent's defaults (``dynalab agents``): c = 1 and depth 3. Measured on the Dyna maze
(30 runs x 30 episodes, seeds 0 and 1000), c = 0.5, 1, 1.41 and 2 brought 60, 59, 52 and
53 of 60 runs near-optimal, and c = 0.5 is too greedy for a reward one step further
(tests/planners/test_mcts.py). The depth is small because neighbouring values differ only
by a factor gamma, which a deep search dilutes: depth 10 (c 1) took 43 steps in episode
30 against depth 3's 16.

The tree is a table over states (so paths that meet in one state share its statistics, a
"transposition table") held in a :class:`SearchTree` of preallocated arrays that every
decision reuses: only the states a search touched are cleared after it, so a decision
costs in proportion to its simulations, not to the number of states.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

from dynalab.models.tabular import TabularModel, model_sample
from dynalab.planners.policy import greedy_action
from dynalab.planners.td import max_value

SearchTree = namedtuple(
    "SearchTree",
    [
        "visits",  # float64 [S, A]: N(s, a), back-ups through (s, a) in the current search
        "value_sum",  # float64 [S, A]: sum of the discounted returns backed up through (s, a)
        "value_bounds",  # float64 [2]: least, greatest return backed up in the current search
        "state_visits",  # float64 [S]: N(s), arrivals at s in the current search
        "touched",  # int64 [S]: the states with N(s) > 0, in order first reached
        "n_touched",  # int64 [1]: entries of ``touched`` in use
        "path_state",  # int64 [max_depth]: states of the current simulation, for the back-up
        "path_action",  # int64 [max_depth]: ... their actions
        "path_reward",  # float64 [max_depth]: ... their rewards (Q(s, a) for an untried leaf)
        "scores",  # float64 [1, A]: scratch row of action scores, argmax'd by greedy_action
        "search_steps",  # int64 [1]: (s, a) steps simulated by the latest search
    ],
)


def empty_tree(n_states: int, n_actions: int, max_depth: int) -> SearchTree:
    """A clean search tree for searches of at most ``max_depth`` steps per simulation."""
    if n_states < 1 or n_actions < 1:
        raise ValueError(f"need at least one state and one action, got {n_states}, {n_actions}")
    if max_depth < 1:
        raise ValueError(f"max_depth must be >= 1, got {max_depth}")
    return SearchTree(
        visits=np.zeros((n_states, n_actions)),
        value_sum=np.zeros((n_states, n_actions)),
        value_bounds=np.array([np.inf, -np.inf]),
        state_visits=np.zeros(n_states),
        touched=np.zeros(n_states, dtype=np.int64),
        n_touched=np.zeros(1, dtype=np.int64),
        path_state=np.zeros(max_depth, dtype=np.int64),
        path_action=np.zeros(max_depth, dtype=np.int64),
        path_reward=np.zeros(max_depth),
        scores=np.zeros((1, n_actions)),
        search_steps=np.zeros(1, dtype=np.int64),
    )


@njit(cache=True, nogil=True, inline="always")
def _arrive(tree: SearchTree, state: int) -> bool:
    """Count an arrival at ``state``; True when it is new to the tree (then remembered)."""
    new = tree.state_visits[state] == 0.0
    if new:
        tree.touched[tree.n_touched[0]] = state
        tree.n_touched[0] += 1
    tree.state_visits[state] += 1.0
    return new


@njit(cache=True, nogil=True, inline="always")
def _ucb_scores(tree: SearchTree, state: int, exploration: float) -> None:
    """UCB1 score of each action of a tree state into ``tree.scores[0]``; unvisited: +inf.

    The mean is min-max normalised by ``tree.value_bounds`` (0 while they do not span a
    range: then every mean seen is the same).
    """
    low = tree.value_bounds[0]
    spread = tree.value_bounds[1] - low
    log_visits = math.log(tree.state_visits[state])
    for a in range(tree.visits.shape[1]):
        n = tree.visits[state, a]
        if n == 0.0:
            tree.scores[0, a] = np.inf
        else:
            mean = (tree.value_sum[state, a] / n - low) / spread if spread > 0.0 else 0.0
            tree.scores[0, a] = mean + exploration * math.sqrt(log_visits / n)


@njit(cache=True, nogil=True, inline="always")
def _root_scores(tree: SearchTree, root: int) -> None:
    """Mean value of the most-visited root actions into ``tree.scores[0]``; others -inf."""
    most = 0.0
    for a in range(tree.visits.shape[1]):
        if tree.visits[root, a] > most:
            most = tree.visits[root, a]
    for a in range(tree.visits.shape[1]):
        n = tree.visits[root, a]
        tree.scores[0, a] = tree.value_sum[root, a] / n if n == most else -np.inf


@njit(cache=True, nogil=True, inline="always")
def _reset(tree: SearchTree) -> None:
    """Clear the statistics of the states the search touched, and only those."""
    for i in range(tree.n_touched[0]):
        state = tree.touched[i]
        tree.state_visits[state] = 0.0
        for a in range(tree.visits.shape[1]):
            tree.visits[state, a] = 0.0
            tree.value_sum[state, a] = 0.0
    tree.n_touched[0] = 0
    tree.value_bounds[0] = np.inf
    tree.value_bounds[1] = -np.inf


@njit(cache=True, nogil=True)
def mcts_action(
    q_values: np.ndarray,
    model: TabularModel,
    tree: SearchTree,
    root: int,
    simulations: int,
    depth: int,
    exploration: float,
    gamma: float,
    rng: np.random.Generator,
) -> int:
    """The action UCT search on the learned model picks in ``root`` (Sutton & Barto §8.11).

    Runs ``simulations`` simulations from ``root``, each at most ``depth`` model steps
    long. Selection: in a tree state, the action maximising UCB1,
    ``(value_sum / visits - low) / (high - low) + exploration * sqrt(log N(s) / N(s, a))``,
    with ``low`` and ``high`` the least and greatest return backed up so far in this search
    (the mean term is 0 while ``high == low``), unvisited actions first, ties broken by a
    uniform draw. Each simulation ends at the first of: an untried
    pair (leaf worth ``Q(s, a)``), a terminal outcome (no bootstrap), a state new to the
    tree (expanded, worth ``max_a Q``), or the depth limit (worth ``max_a Q``). The
    discounted return is then backed up into every (s, a) of the path.

    Returns the root action with the most visits (ties: the highest mean, then a uniform
    draw). The touched entries of ``tree`` are cleared before returning, and
    ``tree.search_steps[0]`` holds the number of (s, a) steps the search simulated.
    Every random draw is ``rng.random()``: one per selection, one per model sample and
    one for the final choice.
    """
    if simulations < 1:
        raise ValueError("mcts_action: simulations must be >= 1")
    if depth < 1 or depth > tree.path_state.shape[0]:
        raise ValueError("mcts_action: depth must be in 1..max_depth of the tree")
    if tree.visits.shape[0] != q_values.shape[0] or tree.visits.shape[1] != q_values.shape[1]:
        raise ValueError("mcts_action: tree and q_values differ in states or actions")
    steps = 0
    for _ in range(simulations):
        state = root
        _arrive(tree, state)
        length = 0
        leaf_value = 0.0
        while True:
            _ucb_scores(tree, state, exploration)
            action = greedy_action(tree.scores, 0, rng.random())
            tree.path_state[length] = state
            tree.path_action[length] = action
            length += 1
            if model.visits[state, action] == 0:
                tree.path_reward[length - 1] = q_values[state, action]
                break
            reward, next_state, terminal = model_sample(model, state, action, rng.random())
            tree.path_reward[length - 1] = reward
            if terminal:
                break
            state = next_state
            if _arrive(tree, state) or length == depth:
                leaf_value = max_value(q_values, state)
                break
        steps += length
        value = leaf_value
        for i in range(length - 1, -1, -1):
            value = tree.path_reward[i] + gamma * value
            tree.value_bounds[0] = min(tree.value_bounds[0], value)
            tree.value_bounds[1] = max(tree.value_bounds[1], value)
            tree.visits[tree.path_state[i], tree.path_action[i]] += 1.0
            tree.value_sum[tree.path_state[i], tree.path_action[i]] += value
    _root_scores(tree, root)
    best = greedy_action(tree.scores, 0, rng.random())
    _reset(tree)
    tree.search_steps[0] = steps
    return best
