"""Sutton & Barto chapter 8, reproduced: each figure's experiment and its claims, measured.

Each reproduction runs the book's experiment with the book's settings (or documented
choices where the book gives none), writes a run folder like ``dynalab compare`` does,
and checks the book's qualitative claims as :class:`Claim` lines: the claim, the
measured numbers with 95% bootstrap intervals across runs, and whether it held. A claim
holds only when the interval, not just the mean, is on the claimed side.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import numpy as np

from dynalab import runfolder
from dynalab.agents.config import AgentConfig
from dynalab.analysis.stats import Estimate, mean_ci
from dynalab.envs.ground_truth import (
    epsilon_greedy_policy,
    expected_episode_length,
    value_iteration,
)
from dynalab.envs.maze import Maze
from dynalab.envs.mdp import WorldSchedule
from dynalab.experiments.claims import Claim, Outcome, Reproduction, estimate_points
from dynalab.experiments.compare import (
    Comparison,
    config_dict,
    cumulative_reward_at,
    run_comparison,
    summarize,
)
from dynalab.experiments.trajectory_sampling import TASKS, figure_8_8
from dynalab.run.runner import RunResult, run_single
from dynalab.run.seeds import run_seeds
from dynalab.specs.agents import parse_agent_specs
from dynalab.specs.worlds import parse_env_spec

BOOK_DEFAULTS = {"alpha": 0.1, "gamma": 0.95, "epsilon": 0.1}
NEAR_OPTIMAL_SLACK = 1.2


def per_run_window(episode_steps: np.ndarray, first: int, last: int) -> np.ndarray:
    """Per run, mean steps per episode over 1-based episodes ``first..last``."""
    window = episode_steps[:, first - 1 : last].astype(float)
    window[window < 0] = np.nan
    return np.nanmean(window, axis=1)


def epsilon_optimal_length(maze: Maze, gamma: float, epsilon: float) -> float:
    """Expected episode length of epsilon-greedy on Q*: the best a learner exploring with
    that epsilon can show in steps per episode (14 moves become ~15.9 on the Dyna maze)."""
    mdp = maze.to_mdp()
    q_star, _ = value_iteration(mdp, gamma)
    return expected_episode_length(mdp, epsilon_greedy_policy(q_star, epsilon))


def _below(estimate: Estimate, limit: float) -> bool:
    return bool(estimate.high <= limit)


def _above(estimate: Estimate, limit: float) -> bool:
    return bool(estimate.low > limit)


def figure_8_2(runs: int, seed: int, jobs: int, advance: Callable[[int], None]) -> Outcome:
    """Fig. 8.2: Dyna maze, n in {0, 5, 50}, 50 episodes, alpha 0.1, gamma 0.95, eps 0.1."""
    world = parse_env_spec("dyna-maze")
    agents = parse_agent_specs(["q-learning", "dyna-q:n=5", "dyna-q:n=50"], BOOK_DEFAULTS)
    comparison = run_comparison(
        world, agents, episodes=50, runs=runs, seed=seed, jobs=jobs, on_run_done=advance
    )
    model_free, five, fifty = comparison.results
    target = epsilon_optimal_length(world.maze, 0.95, 0.1)
    limit = NEAR_OPTIMAL_SLACK * target
    near = f"<= {limit:.1f} steps (1.2 x {target:.1f}, the expected length of eps-greedy on Q*)"
    fifty_early = mean_ci(per_run_window(fifty.episode_steps, 3, 5), seed=seed)
    free_early = mean_ci(per_run_window(model_free.episode_steps, 3, 5), seed=seed)
    free_mid = mean_ci(per_run_window(model_free.episode_steps, 11, 15), seed=seed)
    free_late = mean_ci(per_run_window(model_free.episode_steps, 41, 50), seed=seed)
    early = {
        label: mean_ci(per_run_window(result.episode_steps, 2, 10), seed=seed)
        for label, result in (("n=0", model_free), ("n=5", five), ("n=50", fifty))
    }
    claims = [
        Claim(
            f"n=50 is near-optimal by episodes 3-5 (mean steps {near})",
            f"n=50 episodes 3-5: {fifty_early} steps",
            _below(fifty_early, limit),
        ),
        Claim(
            "n=0 (Q-learning) is far from it then",
            f"n=0 episodes 3-5: {free_early} steps",
            _above(free_early, limit),
        ),
        Claim(
            "n=0 needs about 25 episodes: still far off at episodes 11-15, near-optimal "
            "by episodes 41-50",
            f"n=0 episodes 11-15: {free_mid}; episodes 41-50: {free_late} steps",
            _above(free_mid, limit) and _below(free_late, limit),
        ),
        Claim(
            "more planning, faster learning: n=50 < n=5 < n=0 in steps over episodes 2-10 "
            "(intervals apart)",
            "; ".join(f"{label}: {estimate}" for label, estimate in early.items()),
            early["n=50"].high < early["n=5"].low and early["n=5"].high < early["n=0"].low,
        ),
    ]
    return Outcome(claims, comparison=comparison)


def greedy_path_reaches_goal(maze: Maze, q_values: np.ndarray) -> bool:
    """Does following learned greedy actions from the start reach a goal?

    A state whose action values are all equal has no learned action: the path stops.
    """
    moves = maze.moves()
    goals = {maze.state(*g) for g in maze.goals}
    state = maze.state(*maze.start)
    for _ in range(maze.n_states):
        if state in goals:
            return True
        row = q_values[state]
        if np.all(row == row[0]):
            return False
        state = int(moves[state, int(np.argmax(row))])
    return state in goals


def figure_8_3(runs: int, seed: int, jobs: int, advance: Callable[[int], None]) -> Outcome:
    """Fig. 8.3: greedy policies halfway through episode 2, without and with planning."""
    from dynalab.envs.builtin import dyna_maze
    from dynalab.experiments.figures import greedy_action_mask, policy_figure

    maze = dyna_maze()
    arrays = WorldSchedule.static(maze.to_mdp()).stacked()
    agents = {
        "n=0": AgentConfig(name="q-learning"),
        "n=50": AgentConfig(name="dyna-q", planning_steps=50),
    }
    free = ~maze.walls.ravel()
    learned: dict[str, list[float]] = {label: [] for label in agents}
    complete: dict[str, list[float]] = {label: [] for label in agents}
    first_q: dict[str, np.ndarray] = {}
    for index, seed_sequence in enumerate(run_seeds(seed, runs)):
        for label, agent in agents.items():
            log, q_end, _ = run_single(arrays, agent, seed_sequence, 2, 0)
            halfway = int(log.episode_steps[0] + log.episode_steps[1] // 2)
            _, q_values, _ = run_single(arrays, agent, seed_sequence, 0, halfway)
            mask = greedy_action_mask(q_values)
            learned[label].append(float(np.count_nonzero(mask.any(axis=1) & free)))
            complete[label].append(float(greedy_path_reaches_goal(maze, q_end)))
            if index == 0:
                first_q[label] = q_values
        advance(index)
    cells = {label: mean_ci(values, seed=seed) for label, values in learned.items()}
    paths = {label: mean_ci(values, seed=seed) for label, values in complete.items()}
    claims = [
        Claim(
            "without planning only the last step before the goal has a learned action "
            "(at most 2 cells)",
            f"cells with a greedy action, n=0: {cells['n=0']}",
            _below(cells["n=0"], 2.0),
        ),
        Claim(
            "with planning (n=50) an extensive policy has been learned by then (over 10x "
            "as many cells, intervals apart)",
            f"cells with a greedy action, n=50: {cells['n=50']} vs n=0: {cells['n=0']}",
            cells["n=50"].low > 10 * cells["n=0"].high,
        ),
        Claim(
            "by the end of episode 2 the n=50 policy reaches back to the start: its greedy "
            "path leads from start to goal in most runs, n=0's in none",
            f"share of runs with a complete greedy path: n=50 {paths['n=50']}, n=0 {paths['n=0']}",
            _above(paths["n=50"], 0.5) and paths["n=0"].mean == 0.0,
        ),
    ]
    figure = policy_figure(
        maze,
        [
            (f"{label}: {'without' if label == 'n=0' else 'with'} planning", q)
            for label, q in first_q.items()
        ],
        "Greedy policies halfway through episode 2 (Fig. 8.3), run 0",
    )
    summary = {
        "cells_with_greedy_action": {k: v.to_dict() for k, v in cells.items()},
        "complete_greedy_path_share": {k: v.to_dict() for k, v in paths.items()},
        "greedy_actions_mask_run0": {
            label: greedy_action_mask(q).astype(int).tolist() for label, q in first_q.items()
        },
    }
    return Outcome(claims, figures={"policies.png": figure}, extra_summary=summary)


def _changing_maze_claims(
    comparison: Comparison, change: int, seed: int, before: tuple[int, int], after: tuple[int, int]
) -> tuple[dict[str, Estimate], dict[str, Estimate], dict[str, Estimate]]:
    """Per agent: final cumulative reward, reward gained in the window ``before`` and in
    the window ``after`` (real steps), as estimates across runs."""
    final, gained_before, gained_after = {}, {}, {}
    for agent, result in zip(comparison.agents, comparison.results, strict=True):
        label = agent.config.name
        final[label] = mean_ci(cumulative_reward_at(result, comparison.steps), seed=seed)
        gained_before[label] = mean_ci(
            cumulative_reward_at(result, before[1]) - cumulative_reward_at(result, before[0]),
            seed=seed,
        )
        gained_after[label] = mean_ci(
            cumulative_reward_at(result, after[1]) - cumulative_reward_at(result, after[0]),
            seed=seed,
        )
    return final, gained_before, gained_after


def figure_8_4(runs: int, seed: int, jobs: int, advance: Callable[[int], None]) -> Outcome:
    """Fig. 8.4: blocking maze, 3000 steps, the short path blocked at step 1000."""
    world = parse_env_spec("blocking-maze")
    agents = parse_agent_specs(
        ["dyna-q:n=10,alpha=1.0", "dyna-q+:n=10,alpha=1.0,kappa=0.0001"], BOOK_DEFAULTS
    )
    comparison = run_comparison(
        world, agents, steps=3000, runs=runs, seed=seed, jobs=jobs, on_run_done=advance
    )
    final, before, after = _changing_maze_claims(comparison, 1000, seed, (0, 1000), (1000, 3000))
    claims = [
        Claim(
            "both agents find the short path before the change (reward by step 1000 > 0)",
            f"Dyna-Q {before['dyna-q']}, Dyna-Q+ {before['dyna-q+']}",
            _above(before["dyna-q"], 0.0) and _above(before["dyna-q+"], 0.0),
        ),
        Claim(
            "both find the new path around the wall after it moves (reward in steps 1000-3000 > 0)",
            f"Dyna-Q {after['dyna-q']}, Dyna-Q+ {after['dyna-q+']}",
            _above(after["dyna-q"], 0.0) and _above(after["dyna-q+"], 0.0),
        ),
        Claim(
            "Dyna-Q+ does better than Dyna-Q: higher cumulative reward by step 3000 "
            "(intervals apart)",
            f"Dyna-Q+ {final['dyna-q+']} vs Dyna-Q {final['dyna-q']}",
            final["dyna-q+"].low > final["dyna-q"].high,
        ),
    ]
    return Outcome(claims, comparison=comparison)


SHORTCUT_RATE_GAIN = 0.25


def switched_to_shortcut(result: RunResult) -> np.ndarray:
    """Per run, 1.0 if its reward rate in steps 5000-6000 is over 25% above its rate in
    steps 2000-3000. The shortcut cuts the path from 16 to 10 moves, a 60% higher rate
    for a policy that takes it; keeping the old path leaves the rate where it was."""
    before = cumulative_reward_at(result, 3000) - cumulative_reward_at(result, 2000)
    after = cumulative_reward_at(result, 6000) - cumulative_reward_at(result, 5000)
    return (after > (1.0 + SHORTCUT_RATE_GAIN) * before).astype(float)


def figure_8_5(runs: int, seed: int, jobs: int, advance: Callable[[int], None]) -> Outcome:
    """Fig. 8.5: shortcut maze, 6000 steps, a shortcut opens at step 3000."""
    world = parse_env_spec("shortcut-maze")
    agents = parse_agent_specs(
        ["dyna-q:n=50,alpha=1.0", "dyna-q+:n=50,alpha=1.0,kappa=0.001"], BOOK_DEFAULTS
    )
    comparison = run_comparison(
        world, agents, steps=6000, runs=runs, seed=seed, jobs=jobs, on_run_done=advance
    )
    final, before, after = _changing_maze_claims(comparison, 3000, seed, (2000, 3000), (5000, 6000))
    switched = {
        agent.config.name: mean_ci(switched_to_shortcut(result), seed=seed)
        for agent, result in zip(comparison.agents, comparison.results, strict=True)
    }
    claims = [
        Claim(
            "Dyna-Q never switches to the shortcut: in most runs its reward rate in steps "
            f"5000-6000 is not {SHORTCUT_RATE_GAIN:.0%} above its rate in steps 2000-3000",
            f"share of runs that switched: Dyna-Q {switched['dyna-q']}, Dyna-Q+ "
            f"{switched['dyna-q+']}; Dyna-Q reward per 1000 steps before {before['dyna-q']}, "
            f"after {after['dyna-q']}",
            _below(switched["dyna-q"], 0.5),
        ),
        Claim(
            "Dyna-Q+ finds and uses the shortcut: its reward rate after the change beats "
            "its rate before and Dyna-Q's after (intervals apart)",
            f"Dyna-Q+ before {before['dyna-q+']}, after {after['dyna-q+']}",
            after["dyna-q+"].low > before["dyna-q+"].high
            and after["dyna-q+"].low > after["dyna-q"].high,
        ),
        Claim(
            "Dyna-Q+ ends with more cumulative reward (intervals apart)",
            f"Dyna-Q+ {final['dyna-q+']} vs Dyna-Q {final['dyna-q']}",
            final["dyna-q+"].low > final["dyna-q"].high,
        ),
    ]
    return Outcome(claims, comparison=comparison)


EXAMPLE_8_4_SCALES = (1, 2, 3, 4, 6, 8)
EXAMPLE_8_4_STEP_CAP = 5_000_000
PATH_SLACK = 1.2


def _updates_until_optimal(
    arrays: tuple[np.ndarray, ...],
    agent: AgentConfig,
    limit: int,
    advance: Callable[[int], None],
    seed_sequence: np.random.SeedSequence,
) -> float:
    """Real steps plus planning updates until the greedy path is within ``limit`` moves
    (nan when the step cap came first)."""
    log, _, _ = run_single(
        arrays,
        agent,
        seed_sequence,
        0,
        EXAMPLE_8_4_STEP_CAP,
        max_episodes=EXAMPLE_8_4_STEP_CAP,
        path_limit=limit,
    )
    advance(0)
    if not log.totals[3]:
        return float("nan")
    return float(log.totals[1] + log.totals[2])


def example_8_4(runs: int, seed: int, jobs: int, advance: Callable[[int], None]) -> Outcome:
    """Example 8.4: updates until an optimal path, Dyna-Q vs prioritized sweeping, as the
    Dyna maze grows (scales 1-8: 47 to 3008 free cells).

    Both make at most n=5 planning updates per real step; "updates" counts real steps
    plus planning updates for both. A run stops at the end of the first episode after
    which the greedy path from the start reaches the goal within 1.2x the shortest path.
    The maze is deterministic, so the model's one-step targets are exact and alpha=1 is
    the natural step size for both (the book gives none); gamma 0.95, epsilon 0.1,
    theta 1e-4.
    """
    from concurrent.futures import ThreadPoolExecutor

    from dynalab.analysis.stats import ratio_of_means
    from dynalab.envs.builtin import dyna_maze
    from dynalab.plots import frontier

    agents = {
        "Dyna-Q": AgentConfig(name="dyna-q", planning_steps=5, alpha=1.0),
        "prioritized sweeping": AgentConfig(
            name="prioritized-sweeping", planning_steps=5, alpha=1.0, theta=1e-4
        ),
    }
    seeds = run_seeds(seed, runs)
    rows = []
    updates: dict[str, dict[int, np.ndarray]] = {label: {} for label in agents}
    for scale in EXAMPLE_8_4_SCALES:
        maze = dyna_maze(scale)
        arrays = WorldSchedule.static(maze.to_mdp()).stacked()
        shortest = maze.shortest_path_length()
        limit = int(PATH_SLACK * shortest)
        free = int((~maze.walls).sum())
        for label, agent in agents.items():
            one = functools.partial(_updates_until_optimal, arrays, agent, limit, advance)
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                values = np.array(list(pool.map(one, seeds)))
            updates[label][free] = values
        ratio = ratio_of_means(
            updates["Dyna-Q"][free], updates["prioritized sweeping"][free], seed=seed
        )
        rows.append(
            {
                "scale": scale,
                "free_cells": free,
                "shortest_path": shortest,
                **{
                    label: {
                        **mean_ci(updates[label][free], seed=seed).to_dict(),
                        "solved_runs": int(np.count_nonzero(~np.isnan(updates[label][free]))),
                    }
                    for label in agents
                },
                "ratio": ratio.to_dict(),
            }
        )
    ratios = {row["free_cells"]: Estimate(**row["ratio"]) for row in rows}
    faster_everywhere = all(r.low > 1.0 for r in ratios.values())
    claims = [
        Claim(
            "prioritized sweeping finds an optimal path with fewer updates than Dyna-Q at "
            "every size (ratio of mean updates, interval above 1)",
            "; ".join(f"{cells} cells: {ratio}x" for cells, ratio in ratios.items()),
            faster_everywhere,
        ),
        Claim(
            "often by a factor of 5 to 10: the mean ratio is at least 5 at most sizes, and "
            "no size's interval lies wholly below 5",
            f"{sum(r.mean >= 5.0 for r in ratios.values())} of {len(ratios)} sizes at 5x or "
            f"more; lowest upper bound {min(r.high for r in ratios.values()):.1f}x; "
            f"largest maze {ratios[max(ratios)]}x",
            sum(r.mean >= 5.0 for r in ratios.values()) > len(ratios) / 2
            and all(r.high >= 5.0 for r in ratios.values()),
        ),
        Claim(
            "every run of both agents found the optimal path within the step cap",
            ", ".join(
                f"{label} {sum(row[label]['solved_runs'] for row in rows)}/{runs * len(rows)}"
                for label in agents
            ),
            all(row[label]["solved_runs"] == runs for row in rows for label in agents),
        ),
    ]
    points = {}
    for label in agents:
        cells = np.array(sorted(updates[label]), dtype=float)
        estimates = [mean_ci(updates[label][int(c)], seed=seed) for c in cells]
        points[label] = estimate_points(cells, estimates)
    figure = frontier(
        points,
        xlabel="free cells of the scaled Dyna maze",
        ylabel="updates until an optimal path (real + planning)",
        title=(
            "Example 8.4: updates until the greedy path is within 1.2x optimal, "
            f"mean over {runs} runs"
        ),
    )
    return Outcome(claims, figures={"updates_vs_size.png": figure}, extra_summary={"sizes": rows})


REPRODUCTIONS: dict[str, Reproduction] = {
    "fig8.2": Reproduction(
        "fig8.2",
        "Dyna maze learning curves: planning steps n = 0, 5, 50 (Sutton & Barto Fig. 8.2)",
        "30 runs x 50 episodes, alpha 0.1, gamma 0.95, epsilon 0.1",
        30,
        figure_8_2,
        3,
    ),
    "fig8.3": Reproduction(
        "fig8.3",
        "Greedy policies halfway through episode 2, n = 0 vs 50 (Sutton & Barto Fig. 8.3)",
        "30 runs, alpha 0.1, gamma 0.95, epsilon 0.1",
        30,
        figure_8_3,
    ),
    "ex8.4": Reproduction(
        "ex8.4",
        "Prioritized sweeping vs Dyna-Q on growing mazes (Sutton & Barto Example 8.4)",
        "30 runs per size, 6 sizes (47-3008 free cells), n 5, alpha 1.0, theta 1e-4, eps 0.1",
        30,
        example_8_4,
        2 * len(EXAMPLE_8_4_SCALES),
    ),
    "fig8.4": Reproduction(
        "fig8.4",
        "Blocking maze: Dyna-Q vs Dyna-Q+ (Sutton & Barto Fig. 8.4)",
        "30 runs x 3000 steps, wall moves at 1000; n 10, alpha 1.0, kappa 1e-4, eps 0.1",
        30,
        figure_8_4,
        2,
    ),
    "fig8.5": Reproduction(
        "fig8.5",
        "Shortcut maze: Dyna-Q vs Dyna-Q+ (Sutton & Barto Fig. 8.5)",
        "30 runs x 6000 steps, shortcut opens at 3000; n 50, alpha 1.0, kappa 1e-3, eps 0.1",
        30,
        figure_8_5,
        2,
    ),
    "fig8.8": Reproduction(
        "fig8.8",
        "Trajectory sampling: on-policy vs uniform expected updates (Sutton & Barto Fig. 8.8)",
        f"{TASKS} random tasks per panel (shrunk from the book's many more; sizes and "
        "budgets as the book): 1000 states, b 1/3/10, 20,000 updates; 10,000 states, b 1, "
        "200,000 updates; 2 actions, termination 0.1, gamma 1, eps 0.1, greedy value every 2.5%",
        TASKS,
        figure_8_8,
        8,
    ),
}


def reproduction_config(reproduction: Reproduction, runs: int, seed: int, jobs: int) -> dict:
    return {
        "command": reproduction.command,
        "reproduction": reproduction.name,
        "title": reproduction.title,
        "settings": reproduction.settings,
        "runs": runs,
        "seed": seed,
        "jobs": jobs,
    }


def write_reproduction(
    reproduction: Reproduction,
    outcome: Outcome,
    folder: Path,
    *,
    force: bool,
    runs: int,
    seed: int,
    jobs: int,
) -> None:
    """The run folder of a reproduction: the comparison's files plus the claims."""
    from dynalab.experiments.figures import comparison_figures

    config = reproduction_config(reproduction, runs, seed, jobs)
    summary: dict = {"reproduction": reproduction.name, "title": reproduction.title}
    figures = dict(outcome.figures)
    comparison = outcome.comparison
    if comparison is not None:
        config["comparison"] = config_dict(comparison)
        summary.update(summarize(comparison))
        figures.update(comparison_figures(comparison))
    summary.update(outcome.extra_summary)
    summary["claims"] = [claim.to_dict() for claim in outcome.claims]
    summary["all_claims_hold"] = all(claim.holds for claim in outcome.claims)
    runfolder.write_run_folder(
        folder,
        force=force,
        config=config,
        summary=summary,
        results=comparison.results if comparison is not None else (),
        labels=comparison.labels if comparison is not None else (),
        figures=figures,
    )
