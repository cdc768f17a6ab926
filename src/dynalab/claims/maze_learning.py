"""Figs. 8.2 and 8.3 reproduced: Dyna-Q against Q-learning on the Dyna maze (Sutton & Barto 8.2).

Each function runs the book's experiment with the book's settings (``dynalab.book``) and
checks its qualitative claims: a claim holds only when the interval, not just the mean,
is on the claimed side.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dynalab.agents.config import AgentConfig
from dynalab.analysis.stats import mean_ci
from dynalab.book import AGENT_SETTINGS, DYNA_MAZE_EPISODES
from dynalab.claims.claim import Claim, Outcome, interval_above, interval_below
from dynalab.envs.ground_truth import (
    epsilon_greedy_policy,
    expected_episode_length,
    value_iteration,
)
from dynalab.envs.maze import Maze
from dynalab.envs.mdp import WorldSchedule
from dynalab.experiments.compare import run_comparison
from dynalab.run.runner import run_single
from dynalab.run.seeds import run_seeds
from dynalab.specs.agents import parse_agent_specs
from dynalab.specs.worlds import parse_env_spec

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


def figure_8_2(runs: int, seed: int, jobs: int, advance: Callable[[int], None]) -> Outcome:
    """Fig. 8.2: Dyna maze, n in {0, 5, 50}, 50 episodes, alpha 0.1, gamma 0.95, eps 0.1."""
    world = parse_env_spec("dyna-maze")
    agents = parse_agent_specs(["q-learning", "dyna-q:n=5", "dyna-q:n=50"], AGENT_SETTINGS)
    comparison = run_comparison(
        world,
        agents,
        episodes=DYNA_MAZE_EPISODES,
        runs=runs,
        seed=seed,
        jobs=jobs,
        on_run_done=advance,
    )
    model_free, five, fifty = comparison.results
    target = epsilon_optimal_length(world.maze, AGENT_SETTINGS["gamma"], AGENT_SETTINGS["epsilon"])
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
            interval_below(fifty_early, limit),
        ),
        Claim(
            "n=0 (Q-learning) is far from it then",
            f"n=0 episodes 3-5: {free_early} steps",
            interval_above(free_early, limit),
        ),
        Claim(
            "n=0 needs about 25 episodes: still far off at episodes 11-15, near-optimal "
            "by episodes 41-50",
            f"n=0 episodes 11-15: {free_mid}; episodes 41-50: {free_late} steps",
            interval_above(free_mid, limit) and interval_below(free_late, limit),
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
            interval_below(cells["n=0"], 2.0),
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
            interval_above(paths["n=50"], 0.5) and paths["n=0"].mean == 0.0,
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
