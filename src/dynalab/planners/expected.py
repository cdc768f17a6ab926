"""Expected updates over a known model, distributed two ways (Sutton & Barto 8.5-8.6).

* **uniform**: sweep every (state, action) pair in a fixed order, one expected update
  each, over and over;
* **on-policy** (trajectory sampling): simulate episodes from the start state following
  epsilon-greedy on the current Q, sampling each next state from the model, and make the
  expected update at each pair met; an episode ends at the terminal outcome and the next
  one starts again from the start state.

Both are undiscounted here as in Fig. 8.8 (gamma = 1; every transition ends the episode
with probability 0.1, so values stay finite). After every ``checkpoint_every`` updates a
kernel records the *true* value of the start state under the greedy policy of its current
Q, by policy evaluation on the MDP (the ground truth's ``greedy_value_kernel``, which the
run loops record too): what the updates have bought so far.

Each kernel is one compiled implementation; under ``NUMBA_DISABLE_JIT=1`` the same source
runs as plain Python (the reference).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from dynalab.envs.ground_truth import expected_backup, greedy_value_kernel
from dynalab.envs.mdp import sample_outcome
from dynalab.planners.policy import epsilon_greedy


@njit(cache=True, nogil=True)
def max_values(q_values: np.ndarray) -> np.ndarray:
    """``V(s) = max_a Q(s, a)`` for every state."""
    n_states, n_actions = q_values.shape
    values = np.empty(n_states)
    for s in range(n_states):
        best = q_values[s, 0]
        for a in range(1, n_actions):
            if q_values[s, a] > best:
                best = q_values[s, a]
        values[s] = best
    return values


@njit(cache=True, nogil=True)
def expected_q_update(
    next_state: np.ndarray,
    prob: np.ndarray,
    reward: np.ndarray,
    terminal: np.ndarray,
    q_values: np.ndarray,
    state_values: np.ndarray,
    state: int,
    action: int,
) -> None:
    """Undiscounted expected update of one pair, Sutton & Barto §8.5 / eq. (4.6) with the
    max over next actions: ``Q(s, a) <- sum_k p_k (r_k + max_a' Q(s'_k, a'))``, terminal
    outcomes not bootstrapped. ``state_values`` holds ``max_a Q(s, a)`` and is kept so
    here, which saves a max over the next actions for every outcome of every update."""
    q_values[state, action] = expected_backup(
        next_state, prob, reward, terminal, state_values, 1.0, state, action
    )
    best = q_values[state, 0]
    for a in range(1, q_values.shape[1]):
        if q_values[state, a] > best:
            best = q_values[state, a]
    state_values[state] = best


@njit(cache=True, nogil=True)
def start_distribution(n_states: int, start: int) -> np.ndarray:
    """The start distribution of episodes that always begin in ``start``."""
    start_prob = np.zeros(n_states)
    start_prob[start] = 1.0
    return start_prob


@njit(cache=True, nogil=True)
def _check_checkpoints(n_updates: int, checkpoint_every: int, out_values: np.ndarray) -> None:
    if checkpoint_every < 1 or n_updates < 0 or n_updates % checkpoint_every != 0:
        raise ValueError("n_updates must be a non-negative multiple of checkpoint_every >= 1")
    if out_values.shape[0] != n_updates // checkpoint_every + 1:
        raise ValueError("out_values needs n_updates // checkpoint_every + 1 entries")


@njit(cache=True, nogil=True)
def uniform_updates(
    next_state: np.ndarray,
    prob: np.ndarray,
    reward: np.ndarray,
    terminal: np.ndarray,
    q_values: np.ndarray,
    n_updates: int,
    checkpoint_every: int,
    start: int,
    out_values: np.ndarray,
) -> None:
    """``n_updates`` expected updates cycling through all pairs in order (s=0 a=0, s=0
    a=1, ..., then from s=0 again), in place on ``q_values``.

    ``out_values[i]`` is the greedy start value after ``i * checkpoint_every`` updates,
    ``i = 0 .. n_updates // checkpoint_every`` (entry 0: before any update).
    """
    _check_checkpoints(n_updates, checkpoint_every, out_values)
    n_states, n_actions = q_values.shape
    state_values = max_values(q_values)
    start_prob = start_distribution(n_states, start)
    out_values[0] = greedy_value_kernel(
        next_state, prob, reward, terminal, start_prob, q_values, 1.0
    )
    state, action = 0, 0
    for checkpoint in range(1, out_values.shape[0]):
        for _ in range(checkpoint_every):
            expected_q_update(
                next_state, prob, reward, terminal, q_values, state_values, state, action
            )
            action += 1
            if action == n_actions:
                action = 0
                state += 1
                if state == n_states:
                    state = 0
        out_values[checkpoint] = greedy_value_kernel(
            next_state, prob, reward, terminal, start_prob, q_values, 1.0
        )


@njit(cache=True, nogil=True)
def on_policy_updates(
    next_state: np.ndarray,
    prob: np.ndarray,
    reward: np.ndarray,
    terminal: np.ndarray,
    q_values: np.ndarray,
    n_updates: int,
    checkpoint_every: int,
    start: int,
    epsilon: float,
    rng: np.random.Generator,
    out_values: np.ndarray,
) -> int:
    """``n_updates`` expected updates at the pairs met along simulated episodes, in place
    on ``q_values``: from ``start``, pick an action epsilon-greedily on the current Q, make
    the expected update of that pair, sample its outcome from the model; a terminal
    outcome restarts the episode at ``start``. Two uniform draws per update (action,
    outcome), passed to the callees as numbers.

    ``out_values`` as in :func:`uniform_updates`. Returns the simulated episodes that
    ended.
    """
    _check_checkpoints(n_updates, checkpoint_every, out_values)
    state_values = max_values(q_values)
    start_prob = start_distribution(q_values.shape[0], start)
    out_values[0] = greedy_value_kernel(
        next_state, prob, reward, terminal, start_prob, q_values, 1.0
    )
    state = start
    episodes = 0
    for checkpoint in range(1, out_values.shape[0]):
        for _ in range(checkpoint_every):
            action = epsilon_greedy(q_values, state, epsilon, rng.random())
            expected_q_update(
                next_state, prob, reward, terminal, q_values, state_values, state, action
            )
            k = sample_outcome(prob, state, action, rng.random())
            ends = terminal[state, action, k]
            episodes += ends
            state = start if ends else next_state[state, action, k]
        out_values[checkpoint] = greedy_value_kernel(
            next_state, prob, reward, terminal, start_prob, q_values, 1.0
        )
    return episodes
