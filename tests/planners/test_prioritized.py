"""Prioritized sweeping and its queue, against hand computations."""

import numpy as np
import pytest

from dynalab.envs.builtin import dyna_maze
from dynalab.envs.ground_truth import value_iteration
from dynalab.envs.random_mdp import random_branching_mdp
from dynalab.models.predecessors import empty_predecessors, predecessor_pairs, sync_predecessor
from dynalab.models.tabular import ModelSpec, empty_model, model_update
from dynalab.planners.prioritized import prioritized_sweeping
from dynalab.planners.priority_queue import empty_queue, queue_pop, queue_push
from dynalab.run.runner import run_agent
from dynalab.specs.agents import parse_agent_spec


def test_queue_pops_highest_first_and_keeps_the_higher_priority() -> None:
    queue = empty_queue(6)
    for pair, priority in [(0, 0.5), (3, 2.0), (5, 1.0), (2, 0.1)]:
        queue_push(queue, pair, priority)
    queue_push(queue, 2, 3.0)  # raised: now first
    queue_push(queue, 3, 0.2)  # lower than queued: ignored
    assert [queue_pop(queue) for _ in range(4)] == [2, 3, 5, 0]
    assert queue.size[0] == 0 and (queue.position == -1).all()


def chain_model(length: int) -> tuple:
    """A model of a chain 0 -> 1 -> ... -> length-1 -> goal (action 0 moves right), with
    its predecessor edges."""
    model = empty_model(length, 1)
    predecessors = empty_predecessors(length, 1, 1)
    for s in range(length - 1):
        slot = model_update(model, s, 0, 0.0, s + 1, False, 0)
        sync_predecessor(model, predecessors, s, 0, slot)
    model_update(model, length - 1, 0, 1.0, length - 1, True, 0)
    return model, predecessors


def record(model, predecessors, state, action, reward, next_state, terminal) -> None:  # noqa: ANN001
    """A real transition into the model, and its slot's edge brought up to date."""
    slot = model_update(model, state, action, reward, next_state, terminal, 0)
    sync_predecessor(model, predecessors, state, action, slot)


def test_the_last_outcome_model_moves_an_edge_when_its_outcome_changes() -> None:
    model = empty_model(4, 2)
    predecessors = empty_predecessors(4, 2, 1)
    record(model, predecessors, 0, 1, 0.0, 2, False)
    record(model, predecessors, 0, 1, 0.0, 2, False)  # same outcome: no new edge
    record(model, predecessors, 1, 0, 0.0, 2, False)
    record(model, predecessors, 3, 0, 1.0, 2, True)  # terminal: nothing to propagate
    assert predecessor_pairs(predecessors, 2, 2) == [(1, 0), (0, 1)]
    record(model, predecessors, 0, 1, 0.0, 3, False)  # the world changed: the edge moves
    assert predecessor_pairs(predecessors, 2, 2) == [(1, 0)]
    assert predecessor_pairs(predecessors, 3, 2) == [(0, 1)]
    record(model, predecessors, 1, 0, 0.0, 2, True)  # now terminal: the edge goes
    assert predecessor_pairs(predecessors, 2, 2) == []
    assert predecessor_pairs(predecessors, 0, 2) == []


def predicted_predecessors(model, n_states: int) -> list[set[tuple[int, int]]]:  # noqa: ANN001
    """By brute force over the model's slots: the pairs it predicts lead to each state."""
    into: list[set[tuple[int, int]]] = [set() for _ in range(n_states)]
    n_actions = model.visits.shape[1]
    for s in range(n_states):
        for a in range(n_actions):
            for k in range(model.n_outcomes[s, a]):
                if not model.terminal[s, a, k]:
                    into[model.next_state[s, a, k]].add((s, a))
    return into


@pytest.mark.parametrize("kind", ["deterministic", "counts"])
def test_predecessors_are_exactly_what_the_model_predicts(kind: str) -> None:
    """Random transitions of a random branching task (outcomes change at every slip of
    the last-outcome model, terminal ones included): after each, every state's edges are
    the pairs the model predicts lead to it, each once."""
    rng = np.random.default_rng(3)
    mdp = random_branching_mdp(20, 3, rng)
    slots = mdp.max_outcomes if kind == "counts" else 1
    model = empty_model(20, mdp.n_actions, ModelSpec(kind, slots))
    predecessors = empty_predecessors(20, mdp.n_actions, slots)
    for _ in range(2000):
        s, a = int(rng.integers(20)), int(rng.integers(mdp.n_actions))
        k = int(rng.choice(mdp.max_outcomes, p=mdp.prob[s, a]))
        record(
            model,
            predecessors,
            s,
            a,
            mdp.reward[s, a, k],
            mdp.next_state[s, a, k],
            mdp.terminal[s, a, k],
        )
        if _ % 97 == 0 or _ == 1999:
            expected = predicted_predecessors(model, 20)
            for state in range(20):
                found = predecessor_pairs(predecessors, state, mdp.n_actions)
                assert len(found) == len(set(found))
                assert set(found) == expected[state]


def test_prioritized_sweeping_runs_long_on_a_random_branching_task() -> None:
    """The issue's failing case: 3000 real steps on random_branching_mdp(20, 10) once
    stopped with 'more predecessor edges than it can hold'."""
    mdp = random_branching_mdp(20, 10, np.random.default_rng(0))
    for spec in ("prioritized-sweeping", "prioritized-sweeping:model=counts,alpha=0.5"):
        result = run_agent(mdp, parse_agent_spec(spec), steps=3000, runs=2, seed=0)
        assert (result.total_real_steps == 3000).all()
        assert (result.total_planning_updates > 0).all()


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
                    record(
                        model,
                        predecessors,
                        s,
                        a,
                        mdp.reward[s, a, k],
                        mdp.next_state[s, a, k],
                        mdp.terminal[s, a, k],
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


def test_a_partial_update_requeues_its_remaining_error() -> None:
    """With alpha < 1 an update leaves (1 - alpha) of the error; the pair goes back in the
    queue with that priority, so its error is not forgotten."""
    model, predecessors = chain_model(3)
    q_values = np.zeros((3, 1))
    queue = empty_queue(3)
    made = prioritized_sweeping(q_values, model, queue, predecessors, 2, 0, 1, 0.5, 0.9, 1e-6)
    assert made == 1 and q_values[2, 0] == 0.5
    assert queue.size[0] == 2  # the goal pair (error 0.5) and its predecessor (0.45)
    assert queue.pair[0] == 2 and queue.priority[0] == pytest.approx(0.5)
    prioritized_sweeping(q_values, model, queue, predecessors, 2, 0, 100, 0.5, 0.9, 1e-6)
    assert q_values[:, 0] == pytest.approx([0.81, 0.9, 1.0], abs=1e-5)
