"""Every agent's per-step logic, chosen by kind: how it acts and how it learns.

The compiled loop calls :func:`agent_act` before each real step and :func:`agent_learn`
after it (:func:`generalizing_learn` for the agents that generalize). ``kind`` is a
compile-time constant in each compiled loop (see ``dynalab.run.loop``), so each
agent's loop contains only its own branch.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import replace

import numpy as np
from numba import njit

from dynalab.agents.config import AgentConfig
from dynalab.agents.dyna import dyna_q_step
from dynalab.agents.kinds import Kind
from dynalab.models.aggregate import (
    MAX_KINDS,
    Generalization,
    empty_generalization,
    learn_generalization,
)
from dynalab.models.ensemble import Ensemble, empty_ensemble, ensemble_update
from dynalab.models.predecessors import Predecessors, empty_predecessors, sync_predecessor
from dynalab.models.tabular import (
    TabularModel,
    empty_model,
    model_update,
    record_last_outcome,
)
from dynalab.planners.ensemble import plan_with_ensemble
from dynalab.planners.generalizing import plan_with_generalization
from dynalab.planners.mcts import SearchTree, empty_tree, mcts_action
from dynalab.planners.model_vi import model_value_iteration
from dynalab.planners.policy import epsilon_greedy
from dynalab.planners.prioritized import prioritized_sweeping
from dynalab.planners.priority_queue import PriorityQueue, empty_queue
from dynalab.planners.td import q_learning_update
from dynalab.planners.trajectory import plan_on_policy
from dynalab.planners.uniform import plan_uniform

CONVERGED_SWEEPS = 100_000
"""model-vi with ``sweeps=0`` iterates until converged; this only bounds a pathology."""
VI_TOLERANCE = 1e-8

AgentParams = namedtuple(
    "AgentParams",
    [
        "alpha",
        "gamma",
        "epsilon",
        "planning_steps",
        "kappa",
        "untried_actions",
        "theta",
        "sweeps",
        "tolerance",
        "optimism",
        "simulations",
        "depth",
        "exploration",
    ],
)

AgentMemory = namedtuple(
    "AgentMemory", ["model", "queue", "tree", "cursor", "learned", "predecessors", "ensemble"]
)
"""What an agent keeps besides Q: its learned model, prioritized sweeping's queue, the
MCTS search tree, the trajectory-sampling cursor (simulated state, start state), what
the aggregate model generalizes, prioritized sweeping's predecessor edges, and the
ensemble's members."""


def agent_params(agent: AgentConfig) -> AgentParams:
    """The hyper-parameters as plain numbers for compiled code."""
    return AgentParams(
        alpha=float(agent.alpha),
        gamma=float(agent.gamma),
        epsilon=float(agent.epsilon),
        planning_steps=int(agent.planning_steps),
        kappa=float(agent.kappa),
        untried_actions=agent.untried_actions,
        theta=float(agent.theta),
        sweeps=int(agent.sweeps or CONVERGED_SWEEPS),
        tolerance=VI_TOLERANCE,
        optimism=float(agent.optimism),
        simulations=int(agent.simulations),
        depth=int(agent.depth),
        exploration=float(agent.exploration),
    )


def agent_memory(
    agent: AgentConfig,
    n_states: int,
    n_actions: int,
    rng: np.random.Generator | None = None,
    world_outcomes: int = 0,
) -> AgentMemory:
    """Fresh memory for one run: full-size structures for those the agent's registry
    entry says it keeps, minimal ones for the rest. ``rng`` draws the model's corruption
    when the agent has ``model_noise``. A count model holds at least ``world_outcomes``
    outcomes per pair (the true world's most, when known), so it never runs out of slots
    on a world that branches more than its default."""
    needs = agent.memory
    spec = agent.model_spec
    if world_outcomes > spec.max_outcomes:
        spec = replace(spec, max_outcomes=world_outcomes)
    model = empty_model(n_states, n_actions, spec, rng) if "model" in needs else empty_model(1, 1)
    slots = model.next_state.shape[2]
    queue = empty_queue(n_states * n_actions if "queue" in needs else 1)
    tree = (
        empty_tree(n_states, n_actions, agent.depth)
        if "tree" in needs
        else empty_tree(1, n_actions, 1)
    )
    learned = empty_generalization(n_actions, "generalization" in needs)
    predecessors = empty_predecessors(n_states, n_actions, slots, "predecessors" in needs)
    ensemble = empty_ensemble(
        agent.ensemble if "ensemble" in needs else 0,
        n_states,
        n_actions,
        slots,
        MAX_KINDS,
        agent.uncertainty,
        agent.uncertainty_weight,
        agent.model == "aggregate",
        rng,
    )
    return AgentMemory(
        model, queue, tree, np.zeros(2, dtype=np.int64), learned, predecessors, ensemble
    )


@njit(cache=True, nogil=True, inline="always")
def agent_act(
    kind: int,
    q_values: np.ndarray,
    model: TabularModel,
    tree: SearchTree,
    state: int,
    params: AgentParams,
    rng: np.random.Generator,
) -> tuple[int, int]:
    """The action in ``state`` and the simulated steps spent choosing it.

    MCTS explores epsilon-greedily around its search (a random action with probability
    epsilon); every other agent is epsilon-greedy on Q.
    """
    uniform = rng.random()
    if kind == Kind.MCTS and uniform >= params.epsilon:
        action = mcts_action(
            q_values,
            model,
            tree,
            state,
            params.simulations,
            params.depth,
            params.exploration,
            params.gamma,
            rng,
        )
        return action, tree.search_steps[0]
    return epsilon_greedy(q_values, state, params.epsilon, uniform), 0


@njit(cache=True, nogil=True, inline="always")
def agent_learn(
    kind: int,
    q_values: np.ndarray,
    model: TabularModel,
    queue: PriorityQueue,
    cursor: np.ndarray,
    predecessors: Predecessors,
    state: int,
    action: int,
    reward: float,
    next_state: int,
    terminal: bool,
    step: int,
    params: AgentParams,
    rng: np.random.Generator,
) -> int:
    """Learn from one real transition; returns the planning updates made. For every kind
    but the generalizing ones (:func:`generalizing_learn`, see
    ``dynalab.agents.kinds.GENERALIZING_KINDS``).

    Q-learning: the TD update only. Dyna-Q/Dyna-Q+: TD update, model, uniform planning.
    On-policy Dyna: the same with trajectory sampling. Prioritized sweeping: model, then
    queue-driven updates (no separate TD update, as in the book's box in §8.4). model-vi:
    model, then value iteration on it. MCTS: TD update and model (it plans when acting).
    """
    alpha, gamma = params.alpha, params.gamma
    if kind == Kind.MODEL_FREE:
        q_learning_update(q_values, state, action, reward, next_state, terminal, alpha, gamma)
        return 0
    if kind == Kind.DYNA:
        return dyna_q_step(
            q_values,
            model,
            state,
            action,
            reward,
            next_state,
            terminal,
            step,
            alpha,
            gamma,
            params.planning_steps,
            params.kappa,
            params.untried_actions,
            rng,
        )
    if kind == Kind.DYNA_PLAIN:
        # dyna_q_step with the deterministic model's own update: the general
        # model_update's count and corruption code measurably slowed this hot path
        q_learning_update(q_values, state, action, reward, next_state, terminal, alpha, gamma)
        record_last_outcome(model, state, action, reward, next_state, terminal, step)
        return plan_uniform(
            q_values,
            model,
            params.planning_steps,
            alpha,
            gamma,
            params.kappa,
            params.untried_actions,
            step,
            rng,
        )
    if kind == Kind.DYNA_ON_POLICY:
        q_learning_update(q_values, state, action, reward, next_state, terminal, alpha, gamma)
        model_update(model, state, action, reward, next_state, terminal, step)
        return plan_on_policy(
            q_values,
            model,
            cursor,
            params.planning_steps,
            alpha,
            gamma,
            params.epsilon,
            params.kappa,
            params.untried_actions,
            step,
            rng,
        )
    if kind == Kind.PRIORITIZED:
        slot = model_update(model, state, action, reward, next_state, terminal, step)
        sync_predecessor(model, predecessors, state, action, slot)
        return prioritized_sweeping(
            q_values,
            model,
            queue,
            predecessors,
            state,
            action,
            params.planning_steps,
            alpha,
            gamma,
            params.theta,
        )
    if kind == Kind.MODEL_VI:
        model_update(model, state, action, reward, next_state, terminal, step)
        return model_value_iteration(
            q_values, model, gamma, params.sweeps, params.tolerance, params.optimism
        )
    if kind == Kind.MCTS:
        model_update(model, state, action, reward, next_state, terminal, step)
        q_learning_update(q_values, state, action, reward, next_state, terminal, alpha, gamma)
        return 0
    raise ValueError("agent_learn: this kind learns with generalizing_learn or has no branch")


@njit(cache=True, nogil=True, inline="always")
def generalizing_learn(
    kind: int,
    q_values: np.ndarray,
    model: TabularModel,
    learned: Generalization,
    ensemble: Ensemble,
    state: int,
    action: int,
    reward: float,
    next_state: int,
    terminal: bool,
    step: int,
    params: AgentParams,
    rng: np.random.Generator,
) -> int:
    """Learn from one real transition with a generalizing model; returns the planning
    updates made. Both kinds: TD update, the tried pair's outcome, the action's outcome
    kind; then Dyna planning on the aggregate model, or the ensemble's members updated
    with their bootstrap weights and planning on their uncertainty-shifted targets."""
    alpha, gamma = params.alpha, params.gamma
    q_learning_update(q_values, state, action, reward, next_state, terminal, alpha, gamma)
    slot = model_update(model, state, action, reward, next_state, terminal, step)
    outcome_kind = learn_generalization(learned, state, action, reward, next_state, terminal)
    if kind == Kind.DYNA_ENSEMBLE:
        ensemble_update(ensemble, slot, state, action, reward, outcome_kind, rng)
        return plan_with_ensemble(
            q_values, model, learned, ensemble, params.planning_steps, alpha, gamma, rng
        )
    if kind == Kind.DYNA_GENERALIZING:
        return plan_with_generalization(
            q_values, model, learned, params.planning_steps, alpha, gamma, rng
        )
    raise ValueError("generalizing_learn: not a generalizing kind")
