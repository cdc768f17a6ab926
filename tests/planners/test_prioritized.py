"""Prioritized sweeping and its queue, against hand computations."""

import numpy as np
import pytest

from dynalab.envs.builtin import dyna_maze
from dynalab.envs.ground_truth import value_iteration
from dynalab.models.predecessors import empty_predecessors, predecessor_pairs, track_predecessor
from dynalab.models.tabular import ModelSpec, empty_model, model_update
from dynalab.planners.prioritized import prioritized_sweeping
from dynalab.planners.priority_queue import empty_queue, queue_clear, queue_pop, queue_push


def test_queue_pops_highest_first_and_keeps_the_higher_priority() -> None:
    queue = empty_queue(6)
    for pair, priority in [(0, 0.5), (3, 2.0), (5, 1.0), (2, 0.1)]:
        queue_push(queue, pair, priority)
    queue_push(queue, 2, 3.0)  # raised: now first
    queue_push(queue, 3, 0.2)  # lower than queued: ignored
    assert [queue_pop(queue) for _ in range(4)] == [2, 3, 5, 0]
    assert queue.size[0] == 0 and (queue.position == -1).all()
    queue_push(queue, 1, 1.0)
    queue_clear(queue)
    assert queue.size[0] == 0 and queue.position[1] == -1


def chain_model(length: int) -> tuple:
    """A model of a chain 0 -> 1 -> ... -> length-1 -> goal (action 0 moves right), with
    its predecessor edges."""
    model = empty_model(length, 1)
    predecessors = empty_predecessors(length, 1, 1)
    for s in range(length - 1):
        track_predecessor(model, predecessors, s, 0, s + 1, False)
        model_update(model, s, 0, 0.0, s + 1, False, 0)
    model_update(model, length - 1, 0, 1.0, length - 1, True, 0)
    return model, predecessors


def test_predecessors_are_recorded_once_per_pair_and_next_state() -> None:
    model = empty_model(4, 2)
    predecessors = empty_predecessors(4, 2, 1)

    def record(state: int, action: int, reward: float, next_state: int, terminal: bool) -> None:
        track_predecessor(model, predecessors, state, action, next_state, terminal)
        model_update(model, state, action, reward, next_state, terminal, 0)

    record(0, 1, 0.0, 2, False)
    record(0, 1, 0.0, 2, False)  # same outcome: no new edge
    record(1, 0, 0.0, 2, False)
    record(3, 0, 1.0, 2, True)  # terminal: nothing to propagate
    record(0, 1, 0.0, 3, False)  # the world changed: a new edge
    assert predecessor_pairs(predecessors, 2, 2) == [(1, 0), (0, 1)]
    assert predecessor_pairs(predecessors, 3, 2) == [(0, 1)]
    assert predecessor_pairs(predecessors, 0, 2) == []


def test_one_sweep_propagates_the_goal_value_back_to_the_start() -> None:
    """§8.4: after the goal is reached, the change propagates backwards through the
    predecessors; with alpha=1 one call with enough updates sets every value exactly."""
    length, gamma = 12, 0.9
    model, predecessors = chain_model(length)
    q_values = np.zeros((length, 1))
    queue = empty_queue(length)
    made = prioritized_sweeping(
        q_values, model, queue, predecessors, length - 1, 0, 100, 1.0, gamma, 1e-6
    )
    assert made == length  # one update per state, in order from the goal back
    expected = gamma ** np.arange(length - 1, -1, -1)
    assert q_values[:, 0] == pytest.approx(expected)
    assert queue.size[0] == 0


def test_planning_budget_caps_the_updates() -> None:
    model, predecessors = chain_model(10)
    q_values = np.zeros((10, 1))
    made = prioritized_sweeping(
        q_values, model, empty_queue(10), predecessors, 9, 0, 3, 1.0, 0.9, 1e-6
    )
    assert made == 3
    assert np.count_nonzero(q_values) == 3


def test_expected_updates_with_a_complete_count_model_reach_q_star() -> None:
    """The expected-update version on a slippery Dyna maze with exact proportions: once
    sweeping stops (queue empty below theta), Q is Q* of the true MDP to within the
    error theta allows (1e-10 / (1 - gamma) = 2e-9)."""
    from dataclasses import replace

    mdp = replace(dyna_maze(), slip=0.2).to_mdp()
    model = empty_model(mdp.n_states, mdp.n_actions, ModelSpec("counts", mdp.max_outcomes))
    predecessors = empty_predecessors(mdp.n_states, mdp.n_actions, mdp.max_outcomes)
    decision = np.flatnonzero(mdp.decision_states())
    for s in decision:
        for a in range(mdp.n_actions):
            for k in range(mdp.max_outcomes):
                for _ in range(round(mdp.prob[s, a, k] * 20)):
                    track_predecessor(
                        model, predecessors, s, a, mdp.next_state[s, a, k], mdp.terminal[s, a, k]
                    )
                    model_update(
                        model,
                        s,
                        a,
                        mdp.reward[s, a, k],
                        mdp.next_state[s, a, k],
                        mdp.terminal[s, a, k],
                        0,
                    )
    q_values = np.zeros((mdp.n_states, mdp.n_actions))
    queue = empty_queue(mdp.n_states * mdp.n_actions)
    for s in decision:  # seed the queue from every pair, then sweep to the end
        for a in range(mdp.n_actions):
            prioritized_sweeping(q_values, model, queue, predecessors, s, a, 0, 1.0, 0.95, 1e-10)
    prioritized_sweeping(
        q_values, model, queue, predecessors, decision[0], 0, 10**7, 1.0, 0.95, 1e-10
    )
    q_star, _ = value_iteration(mdp, 0.95)
    assert np.abs(q_values[decision] - q_star[decision]).max() < 1e-8
