"""The step-by-step loop: any Gymnasium env with Discrete spaces, one ``env.step()`` at a time.

It calls the compiled loop's own per-step functions (``agent_act``, ``learn_transition``,
``end_episode``); only the loop around ``env.reset(seed=)`` and ``env.step()`` is Python.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from dynalab.agents.config import AgentConfig
from dynalab.agents.step import agent_act, agent_memory, agent_params
from dynalab.envs.mdp import ArrayMDP, WorldSchedule, as_schedule
from dynalab.run.loop import end_episode, learn_transition
from dynalab.run.run_log import empty_log
from dynalab.run.runner import DEFAULT_STEP_LIMIT, RunResult, budget_shape, collect
from dynalab.run.seeds import corruption_rng, make_rng, run_seeds, world_seed

if TYPE_CHECKING:
    import gymnasium

UNKNOWN_WORLD = ArrayMDP(
    np.zeros((1, 1, 1), dtype=np.int64),
    np.ones((1, 1, 1)),
    np.zeros((1, 1, 1)),
    np.zeros((1, 1, 1), dtype=bool),
    np.ones(1),
)
"""Stands in for the true world's tables when there is none (nothing is evaluated)."""


def run_agent_on_env(
    make_env: Callable[[], gymnasium.Env],
    agent: AgentConfig,
    *,
    episodes: int | None = None,
    steps: int | None = None,
    runs: int = 1,
    seed: int = 0,
    true_mdp: ArrayMDP | WorldSchedule | None = None,
    record_every: int = 1,
    step_limit: int = DEFAULT_STEP_LIMIT,
    on_run_done: Callable[[int], None] | None = None,
    world_name: str = "gym",
) -> RunResult:
    """Run ``agent`` on a Gymnasium env with Discrete spaces, step by step, over many runs.

    The agent's compiled pieces (``agent_act``, ``learn_transition``, ``end_episode``)
    are the ones the compiled loop uses; only the loop itself is Python, around ``env.reset(seed=)``
    and ``env.step()``. A transition ends the episode when ``terminated`` or
    ``truncated``; only ``terminated`` stops bootstrapping. Each run seeds its env with
    ``world_seed`` of its own seed sequence, so a ``TabularEnv`` draws exactly what the
    compiled loop's world draws, and both paths give identical numbers. With ``true_mdp``
    the greedy policy's true value is computed at each episode's end, on the world in
    force then when it is a ``WorldSchedule`` (as in the compiled loop); otherwise it is
    left unknown (nan).
    """
    max_episodes, episode_budget, step_budget, record_every, n_records = budget_shape(
        episodes, steps, runs, record_every, step_limit
    )
    truth = None if true_mdp is None else as_schedule(true_mdp)
    outcomes = []
    for index, seed_sequence in enumerate(run_seeds(seed, runs)):
        env = make_env()
        n_states, n_actions = env.observation_space.n, env.action_space.n
        q_values = np.zeros((n_states, n_actions))
        memory = agent_memory(
            agent,
            n_states,
            n_actions,
            corruption_rng(seed_sequence),
            0 if truth is None else truth.stacked()[0].shape[3],
        )
        params = agent_params(agent)
        log = empty_log(max_episodes, n_records)
        rng = make_rng(seed_sequence)
        started = time.perf_counter()
        real_step, planning_total, reward_total, episode = 0, 0, 0.0, 0
        while episode < max_episodes and real_step < step_budget:
            state, _ = env.reset(seed=world_seed(seed_sequence) if episode == 0 else None)
            memory.cursor[:] = state
            steps_in_episode, episode_return, episode_over = 0, 0.0, False
            while not episode_over and real_step < step_budget:
                action, searched = agent_act(
                    agent.kind, q_values, memory.model, memory.tree, state, params, rng
                )
                next_state, reward, terminated, truncated, _ = env.step(action)
                planned = learn_transition(
                    agent.kind,
                    q_values,
                    memory,
                    state,
                    action,
                    float(reward),
                    next_state,
                    terminated,
                    real_step,
                    params,
                    rng,
                )
                planning_total += searched + planned
                real_step += 1
                steps_in_episode += 1
                episode_return += reward
                reward_total += reward
                if record_every and real_step % record_every == 0:
                    log.cumulative_reward[real_step // record_every - 1] = reward_total
                state = next_state
                episode_over = terminated or truncated
            if not episode_over:
                break
            world = truth.world_at(real_step) if truth is not None else UNKNOWN_WORLD
            end_episode(
                log,
                episode,
                steps_in_episode,
                episode_return,
                real_step,
                planning_total,
                truth is not None,
                agent.kind,
                world.next_state,
                world.prob,
                world.reward,
                world.terminal,
                world.start_prob,
                q_values,
                memory.model,
                params.gamma,
            )
            episode += 1
            if episode_budget and episode >= episode_budget:
                break
        log.totals[:3] = (episode, real_step, planning_total)
        env.close()
        outcomes.append((log, q_values, time.perf_counter() - started))
        if on_run_done is not None:
            on_run_done(index)
    return collect(agent, world_name, seed, outcomes, max_episodes, record_every)
