"""The figures of a comparison: statistics computed here, drawing left to ``dynalab.plots``."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from dynalab import plots
from dynalab.analysis.stats import mean_ci_per_column
from dynalab.envs.maze import Maze
from dynalab.experiments.compare import Comparison
from dynalab.run.runner import RunResult


def learning_curve(result: RunResult, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean steps per episode with its 95% CI, episode by episode."""
    steps = result.episode_steps.astype(float)
    steps[steps < 0] = np.nan
    return mean_ci_per_column(steps, seed=seed)


def reward_curve(result: RunResult, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean cumulative reward with its 95% CI, at each recorded step."""
    return mean_ci_per_column(result.cumulative_reward.astype(float), seed=seed)


def greedy_action_mask(q_values: np.ndarray) -> np.ndarray:
    """``mask[s, a]``: a is greedy in s, for states whose actions are not all tied.

    A state whose action values are all equal has learned nothing yet: no arrow.
    """
    best = q_values.max(axis=1, keepdims=True)
    greedy = np.isclose(q_values, best, rtol=0.0, atol=1e-12)
    learned = ~greedy.all(axis=1, keepdims=True)
    return greedy & learned


def policy_figure(maze: Maze, panels: list[tuple[str, np.ndarray]], title: str) -> Figure:
    """Greedy policy arrows over V = max_a Q as a heatmap, one panel per (label, Q)."""
    drawn = [(label, q.max(axis=1), greedy_action_mask(q)) for label, q in panels]
    if len(drawn) == 1:
        label, values, mask = drawn[0]
        return plots.maze_policy(maze, values, mask, title=f"{title}: {label}")
    return plots.maze_policies_side_by_side(drawn, maze, title=title)


def comparison_figures(comparison: Comparison) -> dict[str, Figure]:
    """The PNGs of a run folder, by file name."""
    seed = comparison.seed
    runs = comparison.runs
    world = comparison.world.spec
    figures: dict[str, Figure] = {}
    if comparison.episodes is not None:
        curves = {
            agent.label: learning_curve(result, seed)
            for agent, result in zip(comparison.agents, comparison.results, strict=True)
        }
        largest = max(float(np.nanmax(c[0])) for c in curves.values())
        smallest = min(float(np.nanmin(c[0])) for c in curves.values())
        figures["learning_curves.png"] = plots.learning_curves(
            curves,
            title=f"Steps per episode on {world}: mean over {runs} runs",
            log_y=largest > 20 * max(smallest, 1.0),
            reference=comparison.world.shortest_path,
            reference_label="shortest path" if comparison.world.shortest_path else None,
        )
        if comparison.optimal_values:
            value_curves = {
                agent.label: mean_ci_per_column(result.greedy_value, seed=seed)
                for agent, result in zip(comparison.agents, comparison.results, strict=True)
            }
            gamma = comparison.agents[0].config.gamma
            figures["greedy_value.png"] = plots.learning_curves(
                value_curves,
                title=f"True value of the greedy policy on {world}: mean over {runs} runs",
                ylabel="value of the greedy policy (start state)",
                reference=comparison.optimal_value(gamma),
                reference_label="optimal",
            )
            belief: dict = {}
            for agent, result in zip(comparison.agents, comparison.results, strict=True):
                belief[f"{agent.label}: believed"] = mean_ci_per_column(
                    result.believed_value, seed=seed
                )
                belief[f"{agent.label}: true"] = value_curves[agent.label]
            figures["belief.png"] = plots.learning_curves(
                belief,
                title=(
                    f"Belief (max Q at the start) against reality (true value of the greedy "
                    f"policy) on {world}: mean over {runs} runs"
                ),
                ylabel="value of the start state",
                reference=comparison.optimal_value(gamma),
                reference_label="optimal",
            )
            errors = {
                agent.label: mean_ci_per_column(result.model_error, seed=seed)
                for agent, result in zip(comparison.agents, comparison.results, strict=True)
                if agent.config.learns_model
            }
            if errors:
                figures["model_error.png"] = plots.learning_curves(
                    errors,
                    title=(
                        "Model error: visitation-weighted total-variation distance to the "
                        f"true dynamics on {world}: mean over {runs} runs"
                    ),
                    ylabel="TV distance (0: the true model)",
                )
    else:
        curves = {
            agent.label: reward_curve(result, seed)
            for agent, result in zip(comparison.agents, comparison.results, strict=True)
        }
        every = comparison.results[0].record_every
        steps = every * np.arange(1, comparison.results[0].cumulative_reward.shape[1] + 1)
        figures["cumulative_reward.png"] = plots.cumulative_reward(
            curves,
            steps,
            changes=list(comparison.world.change_steps),
            title=f"Cumulative reward on {world}: mean over {runs} runs",
        )
    maze = comparison.world.maze
    if comparison.world.changing is not None and comparison.steps is not None:
        maze = comparison.world.changing.maze_at(comparison.steps - 1)
    if maze is not None:
        panels = [
            (agent.label, result.final_q[0])
            for agent, result in zip(comparison.agents, comparison.results, strict=True)
        ]
        figures["policy.png"] = policy_figure(
            maze, panels, f"Greedy policy and V = max Q at the end of run 0 on {world}"
        )
    return figures
