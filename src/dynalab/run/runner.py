"""Run one agent on one array world over many seeds, in parallel, and collect the arrays.

Each run ``i`` draws from its own seed sequence (``dynalab.run.seeds``), so its numbers
do not depend on how many runs, threads or jobs there are. Runs go to a thread pool: the
compiled loop releases the GIL, so threads use all cores.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from dynalab.agents.config import AgentConfig
from dynalab.agents.step import agent_memory, agent_params
from dynalab.envs.mdp import ArrayMDP, WorldSchedule, as_schedule
from dynalab.run.loop import LOOPS
from dynalab.run.run_log import Budget, RunLog, empty_log
from dynalab.run.seeds import corruption_rng, make_rng, run_seeds, world_rng

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
    return collect(agent, schedule.name, seed, outcomes, max_episodes, record_every)


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
    frame_every: int = 0,
    n_frames: int = 0,
) -> tuple[RunLog, np.ndarray, float]:
    """One run on stacked world arrays (``WorldSchedule.stacked()``): its log, final Q
    and wall seconds. Budgets as in the compiled loop: 0 means no limit of that kind;
    ``path_limit > 0`` also stops the run once the greedy path is that short;
    ``frame_every > 0`` records up to ``n_frames`` frames (``dynalab.run.frames``)."""
    n_states, n_actions = arrays[0].shape[1], arrays[0].shape[2]
    q_values = np.zeros((n_states, n_actions))
    log = empty_log(
        max_episodes or episode_budget or step_budget,
        n_records,
        n_frames if frame_every > 0 else 0,
        n_states,
        n_actions,
    )
    started = time.perf_counter()
    LOOPS[agent.kind](
        tuple(arrays),
        q_values,
        agent_memory(agent, n_states, n_actions, corruption_rng(seed_sequence), arrays[0].shape[3]),
        agent_params(agent),
        Budget(episode_budget, step_budget, evaluate, record_every, path_limit, frame_every),
        make_rng(seed_sequence),
        world_rng(seed_sequence),
        log,
    )
    return log, q_values, time.perf_counter() - started


def warm_up(arrays: tuple[np.ndarray, ...], agent: AgentConfig) -> None:
    """Load (or compile) the run loop before timing runs, so wall times exclude it."""
    run_single(arrays, agent, np.random.SeedSequence(0), 0, 1)


def collect(
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
