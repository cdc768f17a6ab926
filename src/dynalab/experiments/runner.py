"""Run one agent on one world over many seeds, in parallel, and collect the arrays.

Each run ``i`` gets its own random generator from ``SeedSequence(seed).spawn(runs)[i]``,
so its numbers do not depend on how many runs, threads or jobs there are. Runs go to a
thread pool: the compiled loop releases the GIL, so threads use all cores.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from dynalab.agents.config import AgentConfig
from dynalab.agents.kinds import GENERALIZING_KINDS
from dynalab.agents.step import (
    agent_act,
    agent_learn,
    agent_memory,
    agent_params,
    generalizing_learn,
)
from dynalab.envs.ground_truth import greedy_value
from dynalab.envs.mdp import ArrayMDP, WorldSchedule, as_schedule
from dynalab.experiments.loop import LOOPS, Budget, RunLog, believed_start_value, empty_log
from dynalab.models.diagnostics import model_error

if TYPE_CHECKING:
    import gymnasium

DEFAULT_STEP_LIMIT = 5_000_000


@dataclass
class RunResult:
    """What many runs of one agent on one world produced; one row per run.

    Episode arrays have one column per episode of the budget; entries for episodes a run
    did not complete (step budget reached, or the safety ``step_limit``) hold -1 for
    counts and nan for values. ``cumulative_reward[:, j]`` is the reward total after
    ``(j + 1) * record_every`` real steps (step budgets only).
    """

    agent: AgentConfig
    world_name: str
    seed: int
    episode_steps: np.ndarray
    episode_return: np.ndarray
    real_steps: np.ndarray
    planning_updates: np.ndarray
    greedy_value: np.ndarray
    believed_value: np.ndarray
    model_error: np.ndarray
    reward_error: np.ndarray
    episodes_completed: np.ndarray
    total_real_steps: np.ndarray
    total_planning_updates: np.ndarray
    cumulative_reward: np.ndarray
    record_every: int
    wall_time: np.ndarray
    final_q: np.ndarray

    @property
    def runs(self) -> int:
        return self.episode_steps.shape[0]


def run_seeds(seed: int, runs: int) -> list[np.random.SeedSequence]:
    """The per-run seed sequences: run ``i``'s stream is fixed by (seed, i) alone."""
    return np.random.SeedSequence(seed).spawn(runs)


def make_rng(seed_sequence: np.random.SeedSequence) -> np.random.Generator:
    """The generator a run draws from inside compiled code (SFC64: fast, good quality)."""
    return np.random.Generator(np.random.SFC64(seed_sequence))


CORRUPTION_STREAM = 7919


def corruption_rng(seed_sequence: np.random.SeedSequence) -> np.random.Generator:
    """A run's second, independent stream, for drawing its model's corruption: derived
    from the run's seed sequence without spawning, so it is the same on every call."""
    child = np.random.SeedSequence(
        seed_sequence.entropy, spawn_key=(*seed_sequence.spawn_key, CORRUPTION_STREAM)
    )
    return np.random.default_rng(child)


def budget_shape(
    episodes: int | None, steps: int | None, runs: int, record_every: int, step_limit: int
) -> tuple[int, int, int, int, int]:
    """Check a run's budget and size its logs: ``(max_episodes, episode_budget,
    step_budget, record_every, n_records)``. An episode budget is capped at
    ``step_limit`` real steps; a step budget records the cumulative reward every
    ``record_every`` steps."""
    if (episodes is None) == (steps is None):
        raise ValueError("give exactly one budget: episodes or steps")
    budget = episodes if episodes is not None else steps
    if not isinstance(budget, int | np.integer) or budget < 1:
        raise ValueError(f"the budget must be a positive integer, got {budget!r}")
    if runs < 1:
        raise ValueError(f"runs must be >= 1, got {runs}")
    if steps is not None:
        every = max(1, record_every)
        return steps, 0, steps, every, steps // every
    return episodes, episodes, step_limit, 0, 0


def run_agent(
    world: ArrayMDP | WorldSchedule,
    agent: AgentConfig,
    *,
    episodes: int | None = None,
    steps: int | None = None,
    runs: int = 1,
    seed: int = 0,
    jobs: int = 1,
    evaluate: bool = True,
    record_every: int = 1,
    step_limit: int = DEFAULT_STEP_LIMIT,
    on_run_done: Callable[[int], None] | None = None,
) -> RunResult:
    """Run ``agent`` on ``world`` for ``runs`` independent runs.

    Give exactly one budget: ``episodes`` (per run) or ``steps`` (real steps per run).
    ``evaluate`` computes the true value of the greedy policy at each episode's end.
    ``step_limit`` caps an episode budget's real steps so that a run that never reaches
    the goal ends (its missing episodes are recorded as not completed).
    ``on_run_done(i)`` is called after each run (for progress bars).
    """
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    max_episodes, episode_budget, step_budget, record_every, n_records = budget_shape(
        episodes, steps, runs, record_every, step_limit
    )
    schedule = as_schedule(world)
    arrays = schedule.stacked()

    def one_run(
        index: int, seed_sequence: np.random.SeedSequence
    ) -> tuple[RunLog, np.ndarray, float]:
        outcome = run_single(
            arrays,
            agent,
            seed_sequence,
            episode_budget,
            step_budget,
            evaluate,
            record_every,
            max_episodes,
            n_records,
        )
        if on_run_done is not None:
            on_run_done(index)
        return outcome

    warm_up(arrays, agent)
    seeds = run_seeds(seed, runs)
    if jobs == 1:
        outcomes = [one_run(i, s) for i, s in enumerate(seeds)]
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            outcomes = list(pool.map(one_run, range(runs), seeds))
    return _collect(agent, schedule.name, seed, outcomes, max_episodes, record_every)


def run_single(
    arrays: tuple[np.ndarray, ...],
    agent: AgentConfig,
    seed_sequence: np.random.SeedSequence,
    episode_budget: int,
    step_budget: int,
    evaluate: bool = False,
    record_every: int = 0,
    max_episodes: int | None = None,
    n_records: int = 0,
    path_limit: int = 0,
) -> tuple[RunLog, np.ndarray, float]:
    """One run on stacked world arrays (``WorldSchedule.stacked()``): its log, final Q
    and wall seconds. Budgets as in the compiled loop: 0 means no limit of that kind;
    ``path_limit > 0`` also stops the run once the greedy path is that short."""
    n_states, n_actions = arrays[0].shape[1], arrays[0].shape[2]
    q_values = np.zeros((n_states, n_actions))
    log = empty_log(max_episodes or episode_budget or step_budget, n_records)
    started = time.perf_counter()
    LOOPS[agent.kind](
        tuple(arrays),
        q_values,
        agent_memory(agent, n_states, n_actions, corruption_rng(seed_sequence), arrays[0].shape[3]),
        agent_params(agent),
        Budget(episode_budget, step_budget, evaluate, record_every, path_limit),
        make_rng(seed_sequence),
        log,
    )
    return log, q_values, time.perf_counter() - started


def warm_up(arrays: tuple[np.ndarray, ...], agent: AgentConfig) -> None:
    """Load (or compile) the run loop before timing runs, so wall times exclude it."""
    run_single(arrays, agent, np.random.SeedSequence(0), 0, 1)


def _collect(
    agent: AgentConfig,
    world_name: str,
    seed: int,
    outcomes: list[tuple[RunLog, np.ndarray, float]],
    max_episodes: int,
    record_every: int,
) -> RunResult:
    """Stack per-run logs into arrays, marking episodes a run did not complete."""
    logs = [log for log, _, _ in outcomes]
    completed = np.array([log.totals[0] for log in logs], dtype=np.int64)
    width = int(completed.max()) if len(completed) else 0
    if record_every == 0:
        width = max_episodes

    def stack(field: str, missing: float) -> np.ndarray:
        dtype = getattr(logs[0], field).dtype
        out = np.full((len(logs), width), missing, dtype=dtype)
        for i, log in enumerate(logs):
            n = min(int(log.totals[0]), width)
            out[i, :n] = getattr(log, field)[:n]
        return out

    return RunResult(
        agent=agent,
        world_name=world_name,
        seed=seed,
        episode_steps=stack("episode_steps", -1),
        episode_return=stack("episode_return", np.nan),
        real_steps=stack("real_steps", -1),
        planning_updates=stack("planning_updates", -1),
        greedy_value=stack("greedy_value", np.nan),
        believed_value=stack("believed_value", np.nan),
        model_error=stack("model_error", np.nan),
        reward_error=stack("reward_error", np.nan),
        episodes_completed=completed,
        total_real_steps=np.array([log.totals[1] for log in logs], dtype=np.int64),
        total_planning_updates=np.array([log.totals[2] for log in logs], dtype=np.int64),
        cumulative_reward=np.stack([log.cumulative_reward for log in logs]),
        record_every=record_every,
        wall_time=np.array([elapsed for _, _, elapsed in outcomes]),
        final_q=np.stack([q for _, q, _ in outcomes]),
    )


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

    The agent's compiled pieces (``agent_act``, ``agent_learn``) are the same ones the
    compiled loop uses; only the loop itself is Python, around ``env.reset(seed=)``
    and ``env.step()``. A transition ends the episode when ``terminated`` or
    ``truncated``; only ``terminated`` stops bootstrapping. Each run seeds its env from
    its own seed sequence. With ``true_mdp`` the greedy policy's true value is computed
    at each episode's end, on the world in force then when it is a ``WorldSchedule``
    (as in the compiled loop); otherwise it is left unknown (nan).
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
        env_seed = int(seed_sequence.generate_state(1)[0])
        started = time.perf_counter()
        real_step, planning_total, reward_total, episode = 0, 0, 0.0, 0
        while episode < max_episodes and real_step < step_budget:
            state, _ = env.reset(seed=env_seed if episode == 0 else None)
            memory.cursor[:] = state
            steps_in_episode, episode_return, episode_over = 0, 0.0, False
            while not episode_over and real_step < step_budget:
                action, searched = agent_act(
                    agent.kind, q_values, memory.model, memory.tree, state, params, rng
                )
                next_state, reward, terminated, truncated, _ = env.step(action)
                step = (state, action, float(reward), next_state, terminated, real_step)
                if agent.kind in GENERALIZING_KINDS:
                    planned = generalizing_learn(
                        agent.kind,
                        q_values,
                        memory.model,
                        memory.learned,
                        memory.ensemble,
                        *step,
                        params,
                        rng,
                    )
                else:
                    planned = agent_learn(
                        agent.kind,
                        q_values,
                        memory.model,
                        memory.queue,
                        memory.cursor,
                        memory.predecessors,
                        *step,
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
            log.episode_steps[episode] = steps_in_episode
            log.episode_return[episode] = episode_return
            log.real_steps[episode] = real_step
            log.planning_updates[episode] = planning_total
            if truth is not None:
                world = truth.world_at(real_step)
                log.greedy_value[episode] = greedy_value(world, q_values, agent.gamma)
                log.believed_value[episode] = believed_start_value(world.start_prob, q_values)
                if agent.learns_model:
                    log.model_error[episode], log.reward_error[episode] = model_error(
                        memory.model, world.next_state, world.prob, world.reward, world.terminal
                    )
            episode += 1
            if episode_budget and episode >= episode_budget:
                break
        log.totals[:3] = (episode, real_step, planning_total)
        env.close()
        outcomes.append((log, q_values, time.perf_counter() - started))
        if on_run_done is not None:
            on_run_done(index)
    return _collect(agent, world_name, seed, outcomes, max_episodes, record_every)
