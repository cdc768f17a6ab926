"""The comparison experiment behind ``dynalab compare``: agents x one world x many runs.

:func:`run_comparison` runs every agent on the same world with the same per-run seeds;
:func:`summarize` turns the runs into the numbers the table and ``summary.json`` show,
each a mean with a 95% bootstrap interval across runs. Its figures and run folder are
:mod:`dynalab.experiments.figures` and :mod:`dynalab.experiments.comparison_folder`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from dynalab.analysis import metrics
from dynalab.analysis.stats import Estimate, mean_ci, probability_of_improvement
from dynalab.envs.ground_truth import value_iteration
from dynalab.run.gym_loop import run_agent_on_env
from dynalab.run.runner import RunResult, run_agent
from dynalab.specs.agents import AgentSpec
from dynalab.specs.worlds import World

NEAR_OPTIMAL_VALUE_TOLERANCE = 0.05
NEAR_SHORTEST_PATH_TOLERANCE = 0.2
MAX_RECORDED_STEPS = 10_000
REPORTED_EPISODES = (1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000)


@dataclass
class Comparison:
    """Runs of several agents on one world, and how they were made."""

    world: World
    agents: list[AgentSpec]
    results: list[RunResult]
    episodes: int | None
    steps: int | None
    runs: int
    seed: int
    jobs: int
    wall_time: float
    optimal_values: dict[float, float] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return [agent.label for agent in self.agents]

    def optimal_value(self, gamma: float) -> float | None:
        """V* at the start (expected over starts) under discount ``gamma``, if known."""
        return self.optimal_values.get(gamma)


def record_interval(steps: int) -> int:
    """Every step for short step budgets; every k-th, for at most 10,000 points a run."""
    return max(1, -(-steps // MAX_RECORDED_STEPS))


def optimal_start_values(world: World, gammas: set[float]) -> dict[float, float]:
    """V* of the world at step 0, expected over the start distribution, per discount."""
    if world.schedule is None:
        return {}
    mdp = world.schedule.first
    values = {}
    for gamma in sorted(gammas):
        _, v_star = value_iteration(mdp, gamma)
        values[gamma] = float(mdp.start_prob @ v_star)
    return values


def run_comparison(
    world: World,
    agents: list[AgentSpec],
    *,
    episodes: int | None = None,
    steps: int | None = None,
    runs: int = 30,
    seed: int = 0,
    jobs: int = 1,
    on_run_done: Callable[[int], None] | None = None,
) -> Comparison:
    """Run each agent ``runs`` times on ``world`` (run ``i`` of every agent uses the same
    seed). The greedy policy's true value is computed per episode where the world's MDP
    is known and does not change."""
    started = time.perf_counter()
    evaluate = world.true_mdp_known and not world.change_steps and episodes is not None
    record_every = record_interval(steps) if steps is not None else 1
    outcome: list[RunResult] = []
    for agent in agents:
        if world.schedule is not None:
            result = run_agent(
                world.schedule,
                agent.config,
                episodes=episodes,
                steps=steps,
                runs=runs,
                seed=seed,
                jobs=jobs,
                evaluate=evaluate,
                record_every=record_every,
                on_run_done=on_run_done,
            )
        else:
            result = run_agent_on_env(
                world.make_env,
                agent.config,
                episodes=episodes,
                steps=steps,
                runs=runs,
                seed=seed,
                record_every=record_every,
                on_run_done=on_run_done,
                world_name=world.name,
            )
        outcome.append(result)
    gammas = {agent.config.gamma for agent in agents}
    return Comparison(
        world=world,
        agents=agents,
        results=outcome,
        episodes=episodes,
        steps=steps,
        runs=runs,
        seed=seed,
        jobs=jobs,
        wall_time=time.perf_counter() - started,
        optimal_values=optimal_start_values(world, gammas) if evaluate else {},
    )


def baseline_index(comparison: Comparison) -> int | None:
    """The model-free baseline: the first agent that learns no model, if any."""
    for index, agent in enumerate(comparison.agents):
        if not agent.config.learns_model:
            return index
    return None


def near_optimal_criterion(comparison: Comparison) -> str | None:
    """How "near-optimal" is judged in this comparison, in words (None: cannot be)."""
    if comparison.episodes is None:
        return None
    if comparison.optimal_values:
        percent = round(NEAR_OPTIMAL_VALUE_TOLERANCE * 100)
        return f"greedy policy's true value within {percent}% of optimal"
    if comparison.world.shortest_path is not None:
        percent = round(NEAR_SHORTEST_PATH_TOLERANCE * 100)
        return f"steps per episode within {percent}% of the shortest path, for good"
    return None


def episodes_and_steps_to_near_optimal(
    comparison: Comparison, result: RunResult
) -> tuple[np.ndarray, np.ndarray] | None:
    """Per run: the episode, and the real steps, from which the agent is near-optimal."""
    optimal = comparison.optimal_value(result.agent.gamma)
    if optimal is not None:
        episodes = metrics.episodes_to_threshold(
            result.greedy_value, optimal, NEAR_OPTIMAL_VALUE_TOLERANCE
        )
    elif comparison.world.shortest_path is not None and comparison.episodes is not None:
        episodes = metrics.episodes_to_path_threshold(
            result.episode_steps, comparison.world.shortest_path, NEAR_SHORTEST_PATH_TOLERANCE
        )
    else:
        return None
    return episodes, metrics.real_steps_at(result.real_steps, episodes)


def _estimate(values: np.ndarray, seed: int) -> dict:
    return mean_ci(values, seed=seed).to_dict()


def summarize(comparison: Comparison) -> dict:
    """Per agent, each measure as a mean with a 95% bootstrap CI across runs.

    Unsolved runs are data: a measure that some runs never reached carries
    ``solved_runs`` beside the mean over the runs that did.
    """
    seed = comparison.seed
    base = baseline_index(comparison)
    agents = {}
    for index, (agent, result) in enumerate(
        zip(comparison.agents, comparison.results, strict=True)
    ):
        entry: dict = {"config": agent.config.to_dict()}
        if comparison.episodes is not None:
            reported = [e for e in REPORTED_EPISODES if e <= comparison.episodes]
            if comparison.episodes not in reported:
                reported.append(comparison.episodes)
            entry["steps_at_episode"] = {
                str(episode): _estimate(values, seed)
                for episode, values in metrics.steps_at(result.episode_steps, reported).items()
            }
            entry["area_under_curve"] = _estimate(
                metrics.area_under_curve(result.episode_steps), seed
            )
            reached = episodes_and_steps_to_near_optimal(comparison, result)
            if reached is not None:
                episodes, real = reached
                entry["episodes_to_near_optimal"] = _estimate(episodes, seed)
                entry["real_steps_to_near_optimal"] = _estimate(real, seed)
                entry["solved_runs"] = int(np.count_nonzero(~np.isnan(episodes)))
        else:
            final = metrics.final_cumulative_reward(result.cumulative_reward)
            entry["cumulative_reward"] = _estimate(final, seed)
            entry["cumulative_reward_at_change"] = {
                str(step): _estimate(cumulative_reward_at(result, step), seed)
                for step in comparison.world.change_steps
                if step <= (comparison.steps or 0)
            }
        entry["real_steps"] = _estimate(result.total_real_steps.astype(float), seed)
        entry["planning_updates"] = _estimate(result.total_planning_updates.astype(float), seed)
        entry["wall_time_s"] = _estimate(result.wall_time, seed)
        if base is not None and index != base:
            entry["probability_of_improvement"] = {
                "baseline": comparison.agents[base].label,
                "measure": improvement_measure(comparison),
                **improvement(comparison, result, comparison.results[base], seed).to_dict(),
            }
        agents[agent.label] = entry
    return {
        "world": comparison.world.spec,
        "runs": comparison.runs,
        "budget": budget(comparison),
        "near_optimal": near_optimal_criterion(comparison),
        "optimal_value": {str(g): v for g, v in comparison.optimal_values.items()},
        "shortest_path": comparison.world.shortest_path,
        "baseline": comparison.agents[base].label if base is not None else None,
        "agents": agents,
        "wall_time_s": comparison.wall_time,
    }


def budget(comparison: Comparison) -> dict[str, int]:
    if comparison.episodes is not None:
        return {"episodes": comparison.episodes}
    return {"steps": int(comparison.steps or 0)}


def improvement_measure(comparison: Comparison) -> str:
    """What "better than the baseline" compares, per run.

    Episode budgets on a goal maze compare steps per episode (every episode there ends
    at the goal with the same return); on other worlds (FrozenLake, Taxi, ...) a short
    episode can be a failure, so they compare the mean return per episode.
    """
    if comparison.episodes is None:
        return "cumulative reward at the end (higher is better)"
    if steps_measure_progress(comparison):
        return "area under the learning curve (mean steps per episode; lower is better)"
    return "mean return per episode (higher is better)"


def steps_measure_progress(comparison: Comparison) -> bool:
    """Whether fewer steps per episode means better: on mazes whose only way to end an
    episode is the goal (no cliffs, no time limit)."""
    maze = comparison.world.maze
    return maze is not None and not getattr(maze, "cliffs", ()) and maze.max_steps == 0


def run_scores(comparison: Comparison, result: RunResult) -> tuple[np.ndarray, bool]:
    """Each run's number for :func:`improvement_measure` and whether lower is better:
    the final cumulative reward (step budgets), the area under the learning curve in
    steps per episode (goal mazes), or the mean return per episode (other worlds)."""
    if comparison.episodes is None:
        return metrics.final_cumulative_reward(result.cumulative_reward).astype(float), False
    if steps_measure_progress(comparison):
        return metrics.area_under_curve(result.episode_steps), True
    return np.nanmean(result.episode_return, axis=1), False


def improvement(
    comparison: Comparison, candidate: RunResult, baseline: RunResult, seed: int
) -> Estimate:
    candidate_scores, lower_is_better = run_scores(comparison, candidate)
    baseline_scores, _ = run_scores(comparison, baseline)
    return probability_of_improvement(
        candidate_scores, baseline_scores, lower_is_better=lower_is_better, seed=seed
    )


def cumulative_reward_at(result: RunResult, step: int) -> np.ndarray:
    """Per run, the cumulative reward after ``step`` real steps (nearest record at or before)."""
    index = step // result.record_every - 1
    if index < 0:
        return np.zeros(result.runs)
    return result.cumulative_reward[:, index].astype(float)


def config_dict(comparison: Comparison) -> dict:
    """The fully resolved configuration for ``config.json``."""
    config = {
        "command": "compare",
        "world": comparison.world.spec,
        "world_name": comparison.world.name,
        "change_steps": list(comparison.world.change_steps),
        "agents": [{"label": agent.label, **agent.config.to_dict()} for agent in comparison.agents],
        "runs": comparison.runs,
        "seed": comparison.seed,
        "jobs": comparison.jobs,
        "budget": budget(comparison),
        "seeding": "numpy SeedSequence(seed).spawn(runs)[i] -> SFC64 generator for run i",
    }
    if comparison.steps is not None:
        config["steps_csv_every"] = comparison.results[0].record_every
    return config


def with_argv(config: dict, argv: list[str] | None) -> dict:
    """``config`` plus ``argv``, the command line that made the run, when it is known."""
    return config if argv is None else {**config, "argv": list(argv)}
