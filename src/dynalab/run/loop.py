"""The agent-environment loop over array MDPs, compiled: one whole run per call.

The loop is the book's Fig. 8.1 wrapped in episodes: choose A (``agent_act``), step the
world, learn (``agent_learn``), repeat. It stops after a number of episodes or a
number of real steps, whichever budget is given, and writes what happened into
preallocated arrays (:data:`dynalab.run.run_log.RunLog`), never printing or logging anything.

The world is a stack of MDPs with the real step at which each comes into force, so a
world change happens at exactly that step, mid-episode if need be.

Each compiled loop uses numba's ``error_model="numpy"``: an integer division then has no
ZeroDivisionError path. With Python's error model every division inlined into the loop
carried a raise branch, which cost Dyna-Q n=50 about a quarter of its speed (measured:
35 against 47 M updates/s) though none ever raised; no divisor in the loop can be zero.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit

from dynalab.agents.kinds import Kind
from dynalab.agents.step import (
    AgentMemory,
    AgentParams,
    agent_act,
    agent_learn,
    generalizing_learn,
)
from dynalab.envs.ground_truth import greedy_path_length, greedy_value_kernel
from dynalab.envs.mdp import sample_outcome, sample_start
from dynalab.models.diagnostics import model_error
from dynalab.models.tabular import TabularModel
from dynalab.run.frames import record_frame
from dynalab.run.run_log import Budget, RunLog, World


@njit(cache=True, nogil=True)
def believed_start_value(start_prob: np.ndarray, q_values: np.ndarray) -> float:
    """What the agent believes the start is worth: max_a Q(s0, a), over the start
    distribution. Minus the true value of its greedy policy, this is the belief gap that
    model exploitation inflates."""
    total = 0.0
    for s in range(start_prob.shape[0]):
        if start_prob[s] > 0.0:
            total += start_prob[s] * np.max(q_values[s])
    return total


@njit(cache=True, nogil=True, inline="always")
def world_in_force(switch_steps: np.ndarray, world_index: int, real_step: int) -> int:
    """Index of the world in force at ``real_step``, searching on from ``world_index``
    (worlds only ever come into force in order)."""
    while world_index + 1 < switch_steps.shape[0] and switch_steps[world_index + 1] <= real_step:
        world_index += 1
    return world_index


@njit(cache=True, nogil=True, inline="always")
def learn_transition(
    kind: int,
    q_values: np.ndarray,
    memory: AgentMemory,
    state: int,
    action: int,
    reward: float,
    next_state: int,
    terminal: bool,
    real_step: int,
    params: AgentParams,
    rng: np.random.Generator,
) -> int:
    """Learn from one real transition, as agent ``kind`` does; returns the planning updates
    made: the step-by-step loop's per-step update. The compiled loop spells out the same
    branch around the same two functions, because handing it the memory tuple cost 15-30%
    of Dyna-Q's speed there; a test finds both loops' numbers identical. The agents that
    generalize learn
    through their own function, so no other agent's step receives their arrays (measured:
    handing them to every step cost prioritized sweeping 18% of its speed)."""
    if kind == Kind.DYNA_GENERALIZING or kind == Kind.DYNA_ENSEMBLE:
        return generalizing_learn(
            kind,
            q_values,
            memory.model,
            memory.learned,
            memory.ensemble,
            state,
            action,
            reward,
            next_state,
            terminal,
            real_step,
            params,
            rng,
        )
    return agent_learn(
        kind,
        q_values,
        memory.model,
        memory.queue,
        memory.cursor,
        memory.predecessors,
        state,
        action,
        reward,
        next_state,
        terminal,
        real_step,
        params,
        rng,
    )


@njit(cache=True, nogil=True)
def end_episode(
    log: RunLog,
    episode: int,
    steps_in_episode: int,
    episode_return: float,
    real_step: int,
    planning_total: int,
    evaluate: bool,
    kind: int,
    next_state: np.ndarray,
    prob: np.ndarray,
    reward: np.ndarray,
    terminal: np.ndarray,
    start_prob: np.ndarray,
    q_values: np.ndarray,
    model: TabularModel,
    gamma: float,
) -> None:
    """Record episode ``episode``'s row of the log; with ``evaluate``, also the true value
    of the greedy policy, the belief at the start and the model's error, all against the
    world in force when the episode ended (its tables given here)."""
    log.episode_steps[episode] = steps_in_episode
    log.episode_return[episode] = episode_return
    log.real_steps[episode] = real_step
    log.planning_updates[episode] = planning_total
    if not evaluate:
        return
    log.greedy_value[episode] = greedy_value_kernel(
        next_state, prob, reward, terminal, start_prob, q_values, gamma
    )
    log.believed_value[episode] = believed_start_value(start_prob, q_values)
    if kind != Kind.MODEL_FREE:
        distance, reward_error = model_error(model, next_state, prob, reward, terminal)
        log.model_error[episode] = distance
        log.reward_error[episode] = reward_error


@njit(cache=True, nogil=True, inline="always")
def agent_loop(
    world: World,
    q_values: np.ndarray,
    memory: AgentMemory,
    params: AgentParams,
    budget: Budget,
    rng: np.random.Generator,
    world_rng: np.random.Generator,
    log: RunLog,
    kind: int,
) -> None:
    """One run of an agent of ``kind`` on a (possibly changing) array world.

    World ``w`` is in force from real step ``switch_steps[w]`` on: for that step, for the
    start of an episode that begins at it and for the evaluation of an episode that ends
    at it (as ``TabularEnv.world`` on the Gymnasium path). ``budget.episodes > 0``
    stops after that many episodes, ``budget.steps > 0`` after that many real steps (an
    unfinished last episode is not recorded). An episode ends on a terminating transition
    or, when the world in force has ``max_steps > 0``, on truncation after that many
    steps (which still bootstraps). The agent draws from ``rng``; the world draws its
    starts and outcomes from ``world_rng`` (``dynalab.run.seeds.world_rng``), one
    uniform each, as ``TabularEnv`` does from its own. ``kind`` is a compile-time
    constant: the loop is inlined into one compiled function per kind below, each holding
    only its agent's code (measured: a Q-learning step costs 32 ns alone, 160 ns beside
    idle planning code).
    """
    next_state, prob, reward, terminal, start_prob, max_steps, switch_steps = world
    model, tree, cursor = memory.model, memory.tree, memory.cursor
    world_index = 0
    real_step = 0
    planning_total = 0
    episodes = 0
    reward_total = 0.0
    frames = 0
    state = 0
    while True:
        world_index = world_in_force(switch_steps, world_index, real_step)
        state = sample_start(start_prob[world_index], world_rng.random())
        cursor[0] = state
        cursor[1] = state
        steps_in_episode = 0
        episode_return = 0.0
        episode_over = False
        while not episode_over:
            if budget.steps > 0 and real_step >= budget.steps:
                break
            world_index = world_in_force(switch_steps, world_index, real_step)
            if budget.frame_every > 0 and real_step % budget.frame_every == 0:
                frames = record_frame(
                    log, frames, q_values, state, real_step, planning_total, world_index, episodes
                )
            action, searched = agent_act(kind, q_values, model, tree, state, params, rng)
            k = sample_outcome(prob[world_index], state, action, world_rng.random())
            next_s = next_state[world_index, state, action, k]
            r = reward[world_index, state, action, k]
            ended = terminal[world_index, state, action, k]
            # the branch of learn_transition, spelled out: handing the memory tuple to an
            # inlined function measured 15-30% slower here (Dyna-Q n=50, 34 vs 23-32 M/s)
            if kind == Kind.DYNA_GENERALIZING or kind == Kind.DYNA_ENSEMBLE:
                planned = generalizing_learn(
                    kind,
                    q_values,
                    model,
                    memory.learned,
                    memory.ensemble,
                    state,
                    action,
                    r,
                    next_s,
                    ended,
                    real_step,
                    params,
                    rng,
                )
            else:
                planned = agent_learn(
                    kind,
                    q_values,
                    model,
                    memory.queue,
                    cursor,
                    memory.predecessors,
                    state,
                    action,
                    r,
                    next_s,
                    ended,
                    real_step,
                    params,
                    rng,
                )
            planning_total += searched + planned
            real_step += 1
            steps_in_episode += 1
            episode_return += r
            reward_total += r
            if budget.record_every > 0 and real_step % budget.record_every == 0:
                log.cumulative_reward[real_step // budget.record_every - 1] = reward_total
            state = next_s
            limit = max_steps[world_index]
            episode_over = ended or (limit > 0 and steps_in_episode >= limit)
        if not episode_over:
            break
        world_index = world_in_force(switch_steps, world_index, real_step)
        end_episode(
            log,
            episodes,
            steps_in_episode,
            episode_return,
            real_step,
            planning_total,
            budget.evaluate,
            kind,
            next_state[world_index],
            prob[world_index],
            reward[world_index],
            terminal[world_index],
            start_prob[world_index],
            q_values,
            model,
            params.gamma,
        )
        episodes += 1
        if budget.path_limit > 0:
            start = np.argmax(start_prob[world_index])
            moves = greedy_path_length(
                next_state[world_index],
                prob[world_index],
                terminal[world_index],
                start,
                q_values,
                budget.path_limit,
            )
            if moves > 0:
                log.totals[3] = 1
                break
        if budget.episodes > 0 and episodes >= budget.episodes:
            break
        if episodes >= log.episode_steps.shape[0]:
            break
    if budget.frame_every > 0 and (frames == 0 or log.frames_info[frames - 1, 0] != real_step):
        frames = record_frame(
            log, frames, q_values, state, real_step, planning_total, world_index, episodes
        )
    log.totals[0] = episodes
    log.totals[1] = real_step
    log.totals[2] = planning_total
    log.totals[4] = frames


# One compiled loop per kind of agent (signature: world, q_values, memory, params,
# budget, rng, world_rng, log).


@njit(cache=True, nogil=True, error_model="numpy")
def run_model_free(world, q_values, memory, params, budget, rng, world_rng, log):  # noqa: ANN001, ANN201
    """Q-learning (and any agent with n = 0)."""
    agent_loop(world, q_values, memory, params, budget, rng, world_rng, log, Kind.MODEL_FREE)


@njit(cache=True, nogil=True, error_model="numpy")
def run_dyna(world, q_values, memory, params, budget, rng, world_rng, log):  # noqa: ANN001, ANN201
    """Dyna-Q and Dyna-Q+ with uniform planning."""
    agent_loop(world, q_values, memory, params, budget, rng, world_rng, log, Kind.DYNA)


@njit(cache=True, nogil=True, error_model="numpy")
def run_dyna_plain(world, q_values, memory, params, budget, rng, world_rng, log):  # noqa: ANN001, ANN201
    """Dyna-Q and Dyna-Q+ with the deterministic, uncorrupted model: the hot path."""
    agent_loop(world, q_values, memory, params, budget, rng, world_rng, log, Kind.DYNA_PLAIN)


@njit(cache=True, nogil=True, error_model="numpy")
def run_dyna_on_policy(world, q_values, memory, params, budget, rng, world_rng, log):  # noqa: ANN001, ANN201
    """Dyna-Q with trajectory sampling."""
    agent_loop(world, q_values, memory, params, budget, rng, world_rng, log, Kind.DYNA_ON_POLICY)


@njit(cache=True, nogil=True, error_model="numpy")
def run_dyna_generalizing(world, q_values, memory, params, budget, rng, world_rng, log):  # noqa: ANN001, ANN201
    """Dyna-Q planning with the generalizing (aggregate) model."""
    agent_loop(world, q_values, memory, params, budget, rng, world_rng, log, Kind.DYNA_GENERALIZING)


@njit(cache=True, nogil=True, error_model="numpy")
def run_dyna_ensemble(world, q_values, memory, params, budget, rng, world_rng, log):  # noqa: ANN001, ANN201
    """Dyna-Q planning on an ensemble of models, shifted by their disagreement."""
    agent_loop(world, q_values, memory, params, budget, rng, world_rng, log, Kind.DYNA_ENSEMBLE)


@njit(cache=True, nogil=True, error_model="numpy")
def run_prioritized(world, q_values, memory, params, budget, rng, world_rng, log):  # noqa: ANN001, ANN201
    """Prioritized sweeping."""
    agent_loop(world, q_values, memory, params, budget, rng, world_rng, log, Kind.PRIORITIZED)


@njit(cache=True, nogil=True, error_model="numpy")
def run_model_vi(world, q_values, memory, params, budget, rng, world_rng, log):  # noqa: ANN001, ANN201
    """Value iteration on the learned model."""
    agent_loop(world, q_values, memory, params, budget, rng, world_rng, log, Kind.MODEL_VI)


@njit(cache=True, nogil=True, error_model="numpy")
def run_mcts(world, q_values, memory, params, budget, rng, world_rng, log):  # noqa: ANN001, ANN201
    """MCTS on the learned model."""
    agent_loop(world, q_values, memory, params, budget, rng, world_rng, log, Kind.MCTS)


LOOPS: dict[Kind, Callable[..., None]] = {
    Kind.MODEL_FREE: run_model_free,
    Kind.DYNA: run_dyna,
    Kind.DYNA_ON_POLICY: run_dyna_on_policy,
    Kind.PRIORITIZED: run_prioritized,
    Kind.MODEL_VI: run_model_vi,
    Kind.MCTS: run_mcts,
    Kind.DYNA_GENERALIZING: run_dyna_generalizing,
    Kind.DYNA_PLAIN: run_dyna_plain,
    Kind.DYNA_ENSEMBLE: run_dyna_ensemble,
}
"""The compiled loop of each agent kind (``AgentConfig.kind``)."""
