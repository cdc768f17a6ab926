"""Ground truth on a known MDP: value iteration (Q*, V*) and policy evaluation (V^pi).

These are the yardsticks of every test and metric: an agent is right when its values
match these, and a policy is good when its value, computed here, is close to V*.
Both are compiled kernels over the outcome tables of :class:`~dynalab.envs.mdp.ArrayMDP`.
The true value of a learned Q's greedy policy, which every run path records, is
:func:`greedy_value_kernel`, evaluated to :data:`EVALUATION_TOLERANCE`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from dynalab.envs.mdp import ArrayMDP

EVALUATION_TOLERANCE = 1e-9
"""The greedy value's policy evaluation stops when no state's value changed by more than
this in a sweep. A sweep contracts the error by c (gamma, or at gamma 1 the chance an
episode goes on: 0.9 on Fig. 8.8's tasks), so the value is then within c / (1 - c) x 1e-9
of the truth: 2e-8 at gamma 0.95, 9e-9 on Fig. 8.8's tasks."""
EVALUATION_MAX_SWEEPS = 100_000
"""Bounds the greedy value's policy evaluation where it does not converge (gamma 1 and a
greedy policy that never ends episodes)."""


@njit(cache=True, nogil=True)
def expected_backup(
    next_state: np.ndarray,
    prob: np.ndarray,
    reward: np.ndarray,
    terminal: np.ndarray,
    values: np.ndarray,
    gamma: float,
    state: int,
    action: int,
) -> float:
    """One expected update, Sutton & Barto eq. (4.6): sum_k p_k (r_k + gamma V(s'_k)).

    Terminating outcomes do not bootstrap.
    """
    total = 0.0
    for k in range(next_state.shape[2]):
        p = prob[state, action, k]
        if p == 0.0:
            continue
        target = reward[state, action, k]
        if not terminal[state, action, k]:
            target += gamma * values[next_state[state, action, k]]
        total += p * target
    return total


@njit(cache=True, nogil=True)
def value_iteration_kernel(
    next_state: np.ndarray,
    prob: np.ndarray,
    reward: np.ndarray,
    terminal: np.ndarray,
    gamma: float,
    tolerance: float,
    max_sweeps: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Value iteration (Sutton & Barto §4.4) until the largest change is below ``tolerance``.

    Returns ``(Q, V, sweeps)``.
    """
    n_states, n_actions = next_state.shape[0], next_state.shape[1]
    values = np.zeros(n_states)
    q_values = np.zeros((n_states, n_actions))
    sweeps = 0
    while sweeps < max_sweeps:
        sweeps += 1
        largest_change = 0.0
        for s in range(n_states):
            best = -np.inf
            for a in range(n_actions):
                q = expected_backup(next_state, prob, reward, terminal, values, gamma, s, a)
                q_values[s, a] = q
                if q > best:
                    best = q
            change = abs(best - values[s])
            if change > largest_change:
                largest_change = change
            values[s] = best
        if largest_change < tolerance:
            break
    for s in range(n_states):
        for a in range(n_actions):
            q_values[s, a] = expected_backup(
                next_state, prob, reward, terminal, values, gamma, s, a
            )
    return q_values, values, sweeps


@njit(cache=True, nogil=True)
def policy_evaluation_kernel(
    next_state: np.ndarray,
    prob: np.ndarray,
    reward: np.ndarray,
    terminal: np.ndarray,
    policy: np.ndarray,
    gamma: float,
    tolerance: float,
    max_sweeps: int,
) -> np.ndarray:
    """Iterative policy evaluation (Sutton & Barto §4.1) of a stochastic ``policy[s, a]``."""
    n_states, n_actions = next_state.shape[0], next_state.shape[1]
    values = np.zeros(n_states)
    for _ in range(max_sweeps):
        largest_change = 0.0
        for s in range(n_states):
            v = 0.0
            for a in range(n_actions):
                if policy[s, a] > 0.0:
                    v += policy[s, a] * expected_backup(
                        next_state, prob, reward, terminal, values, gamma, s, a
                    )
            change = abs(v - values[s])
            if change > largest_change:
                largest_change = change
            values[s] = v
        if largest_change < tolerance:
            break
    return values


@njit(cache=True, nogil=True)
def greedy_policy(q_values: np.ndarray) -> np.ndarray:
    """The greedy policy of ``q_values`` with ties split uniformly, as ``policy[s, a]``."""
    n_states, n_actions = q_values.shape
    policy = np.zeros((n_states, n_actions))
    for s in range(n_states):
        best = q_values[s, 0]
        for a in range(1, n_actions):
            if q_values[s, a] > best:
                best = q_values[s, a]
        n_best = 0
        for a in range(n_actions):
            if q_values[s, a] == best:
                n_best += 1
        for a in range(n_actions):
            if q_values[s, a] == best:
                policy[s, a] = 1.0 / n_best
    return policy


def value_iteration(
    mdp: ArrayMDP, gamma: float, tolerance: float = 1e-12, max_sweeps: int = 100_000
) -> tuple[np.ndarray, np.ndarray]:
    """Q* and V* of ``mdp`` under discount ``gamma``, to within ``tolerance``.

    With ``gamma == 1`` this converges only when every policy the iteration meets ends
    episodes; use ``gamma < 1`` for general worlds.
    """
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}")
    q_values, values, _ = value_iteration_kernel(
        mdp.next_state, mdp.prob, mdp.reward, mdp.terminal, gamma, tolerance, max_sweeps
    )
    return q_values, values


def evaluate_policy(
    mdp: ArrayMDP,
    policy: np.ndarray,
    gamma: float,
    tolerance: float = 1e-12,
    max_sweeps: int = 100_000,
) -> np.ndarray:
    """V^pi of a policy given as probabilities ``policy[s, a]`` (or one action per state)."""
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}")
    policy = np.asarray(policy)
    if policy.ndim == 1:
        one_hot = np.zeros((mdp.n_states, mdp.n_actions))
        one_hot[np.arange(mdp.n_states), policy.astype(np.int64)] = 1.0
        policy = one_hot
    if policy.shape != (mdp.n_states, mdp.n_actions):
        raise ValueError(
            f"policy has shape {policy.shape}, expected ({mdp.n_states}, {mdp.n_actions})"
        )
    return policy_evaluation_kernel(
        mdp.next_state,
        mdp.prob,
        mdp.reward,
        mdp.terminal,
        np.ascontiguousarray(policy, dtype=np.float64),
        gamma,
        tolerance,
        max_sweeps,
    )


@njit(cache=True, nogil=True)
def reachable_submdp(
    next_state: np.ndarray,
    prob: np.ndarray,
    terminal: np.ndarray,
    policy: np.ndarray,
    start_prob: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The states ``policy`` can act from, starting from the support of ``start_prob``,
    and the outcome table renumbered onto them: ``(states, local_next)`` with
    ``states[i]`` the original state of local state ``i`` and ``local_next[i, a, k]`` the
    local index of ``next_state[states[i], a, k]``.

    Local states are in reverse breadth-first order, so the start states come last: an
    in-place sweep then updates a state after its successors, which carries values back
    along a path in one sweep instead of one step per sweep. Outcomes the policy never
    bootstraps from (terminal ones, or those of actions it never takes) point to local
    state 0; they are never read.
    """
    n_states, n_actions, n_outcomes = next_state.shape
    order = np.empty(n_states, dtype=np.int64)
    seen = np.zeros(n_states, dtype=np.bool_)
    found = 0
    for s in range(n_states):
        if start_prob[s] > 0.0:
            seen[s] = True
            order[found] = s
            found += 1
    head = 0
    while head < found:
        s = order[head]
        head += 1
        for a in range(n_actions):
            if policy[s, a] > 0.0:
                for k in range(n_outcomes):
                    s2 = next_state[s, a, k]
                    if prob[s, a, k] > 0.0 and not terminal[s, a, k] and not seen[s2]:
                        seen[s2] = True
                        order[found] = s2
                        found += 1
    local = np.zeros(n_states, dtype=np.int64)
    states = np.empty(found, dtype=np.int64)
    for i in range(found):
        states[i] = order[found - 1 - i]
        local[states[i]] = i
    local_next = np.empty((found, n_actions, n_outcomes), dtype=np.int64)
    for i in range(found):
        for a in range(n_actions):
            for k in range(n_outcomes):
                local_next[i, a, k] = local[next_state[states[i], a, k]]
    return states, local_next


@njit(cache=True, nogil=True)
def greedy_value_kernel(
    next_state: np.ndarray,
    prob: np.ndarray,
    reward: np.ndarray,
    terminal: np.ndarray,
    start_prob: np.ndarray,
    q_values: np.ndarray,
    gamma: float,
) -> float:
    """True value of the greedy policy of ``q_values`` (ties split uniformly), expected
    over the start distribution: iterative policy evaluation (Sutton & Barto §4.1) to
    :data:`EVALUATION_TOLERANCE`.

    The one implementation every run path (the compiled loop, the step-by-step Gymnasium
    loop, Fig. 8.8's kernels) records, so equal Q gives bit-equal values on every path.
    Only the states the greedy policy can reach from the starts matter, so the evaluation
    runs on those alone (:func:`reachable_submdp`): on Fig. 8.8's 10,000-state tasks with
    b = 1 a greedy path of tens of states.
    """
    policy = greedy_policy(q_values)
    states, local_next = reachable_submdp(next_state, prob, terminal, policy, start_prob)
    values = policy_evaluation_kernel(
        local_next,
        prob[states],
        reward[states],
        terminal[states],
        policy[states],
        gamma,
        EVALUATION_TOLERANCE,
        EVALUATION_MAX_SWEEPS,
    )
    total = 0.0
    for i in range(states.shape[0]):
        total += start_prob[states[i]] * values[i]
    return total


def greedy_value(mdp: ArrayMDP, q_values: np.ndarray, gamma: float) -> float:
    """:func:`greedy_value_kernel` on ``mdp``: the true value of Q's greedy policy."""
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}")
    return float(
        greedy_value_kernel(
            mdp.next_state,
            mdp.prob,
            mdp.reward,
            mdp.terminal,
            mdp.start_prob,
            np.ascontiguousarray(q_values, dtype=np.float64),
            gamma,
        )
    )


def epsilon_greedy_policy(q_values: np.ndarray, epsilon: float) -> np.ndarray:
    """``policy[s, a]`` of epsilon-greedy on ``q_values`` (greedy ties split uniformly)."""
    n_actions = q_values.shape[1]
    greedy = greedy_policy(np.asarray(q_values, dtype=np.float64))
    return epsilon / n_actions + (1.0 - epsilon) * greedy


def expected_episode_length(mdp: ArrayMDP, policy: np.ndarray) -> float:
    """Expected number of steps until termination under ``policy``, from the start
    distribution: solves (I - P_pi) h = 1 over the non-terminating transitions.

    Dense solve: meant for worlds of up to a few thousand states. Raises ValueError
    when the policy does not end episodes with probability 1.
    """
    n = mdp.n_states
    transition = np.zeros((n, n))
    for k in range(mdp.max_outcomes):
        weight = policy[:, :, None] * (mdp.prob[:, :, k : k + 1] * ~mdp.terminal[:, :, k : k + 1])
        np.add.at(transition, (np.arange(n)[:, None], mdp.next_state[:, :, k]), weight[:, :, 0])
    reached = mdp.decision_states()
    index = np.flatnonzero(reached)
    system = np.eye(len(index)) - transition[np.ix_(index, index)]
    try:
        lengths = np.linalg.solve(system, np.ones(len(index)))
    except np.linalg.LinAlgError:
        raise ValueError("the policy does not end episodes with probability 1") from None
    if not np.all(np.isfinite(lengths)) or (lengths < 0).any():
        raise ValueError("the policy does not end episodes with probability 1")
    full = np.zeros(n)
    full[index] = lengths
    return float(mdp.start_prob @ full)


@njit(cache=True, nogil=True)
def greedy_path_length(
    next_state: np.ndarray,
    prob: np.ndarray,
    terminal: np.ndarray,
    start: int,
    q_values: np.ndarray,
    limit: int,
) -> int:
    """Moves the greedy policy of Q takes from ``start`` to the end of an episode,
    following each pair's most likely outcome; -1 when it does not end within ``limit``.

    Ties go to the lowest action index, so an unlearned state (all values equal) sends
    the path up, usually into a wall: a path exists only where Q has learned one.
    Sutton & Barto Example 8.4 judges a policy optimal by this path.
    """
    n_actions = q_values.shape[1]
    state = start
    for moves in range(1, limit + 1):
        action = 0
        for a in range(1, n_actions):
            if q_values[state, a] > q_values[state, action]:
                action = a
        likely = 0
        for k in range(1, prob.shape[2]):
            if prob[state, action, k] > prob[state, action, likely]:
                likely = k
        if terminal[state, action, likely]:
            return moves
        state = next_state[state, action, likely]
    return -1
