"""The samples-versus-compute trade-off behind ``dynalab tradeoff``.

Planning trades computation for experience (Sutton & Barto 8.2, Fig. 8.2): each planner
at several budgets reaches a near-optimal policy after some number of *real* steps,
having spent some number of *planning updates* and some wall time. This module turns a
:class:`~dynalab.experiments.compare.Comparison` of such agents into one row per agent
(each measure a mean with its 95% bootstrap CI across runs, unsolved runs counted, not
dropped) and draws the two frontiers a user reads to choose a planner.

Pure functions over a comparison, plus :func:`write_tradeoff_folder` for the run folder.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from dynalab import runfolder
from dynalab.agents.config import AgentConfig
from dynalab.agents.registry import REGISTRY
from dynalab.analysis.stats import mean_ci
from dynalab.experiments.compare import (
    Comparison,
    budget,
    config_dict,
    episodes_and_steps_to_near_optimal,
    near_optimal_criterion,
    with_argv,
)
from dynalab.specs.worlds import World

DEFAULT_TRADEOFF_AGENTS = (
    "q-learning",
    "dyna-q:n=1",
    "dyna-q:n=5",
    "dyna-q:n=20",
    "dyna-q:n=50",
    "prioritized-sweeping:n=1",
    "prioritized-sweeping:n=5",
    "prioritized-sweeping:n=20",
    "model-vi:sweeps=1",
    "model-vi",
    "mcts:simulations=10",
    "mcts:simulations=50",
)
"""Each planner at several budgets, and the model-free baseline."""

UPDATES_OFFSET = 1
"""Added to every agent's planning updates on the frontier's log x axis, so that
Q-learning's 0 updates sit at x = 1 (every point moves by the same offset)."""

FRONTIER_UPDATES_FILE = "frontier_updates.png"
FRONTIER_TIME_FILE = "frontier_time.png"


def world_problem(world: World) -> str | None:
    """Why ``world`` cannot give a trade-off (None when it can).

    "Real steps to near-optimal" needs a fixed target: the world must not change, and
    either its MDP (for the greedy policy's true value) or its shortest path is known.
    """
    if world.change_steps:
        steps = ", ".join(str(step) for step in world.change_steps)
        return (
            f"{world.spec} changes at step {steps}; tradeoff needs a world that does not "
            "change (steps to near-optimal has no fixed target)"
        )
    if not world.true_mdp_known and world.shortest_path is None:
        return (
            f"{world.spec} has neither a known MDP nor a shortest path, so near-optimal "
            "cannot be judged; tradeoff needs one of them"
        )
    return None


def planning_budget(config: AgentConfig) -> float:
    """How much ``config`` plans, for ordering one planner's points: the value of its
    registry entry's budget key (n for Dyna and prioritized sweeping, sweeps for
    model-vi, where 0, "until converged", is the largest, simulations for MCTS), 0 for
    an agent that does not plan."""
    entry = REGISTRY[config.name]
    key = None if entry.budget_key is None else entry.key(entry.budget_key)
    if key is None:
        return 0.0
    value = float(getattr(config, key.field))
    if key.name == "sweeps" and value == 0:
        return math.inf
    return value


def families(configs: list[AgentConfig]) -> list[str]:
    """Per config, the planner family it is a point of: its agent name, plus the
    settings other than the planning budget in which configs of that name differ.

    So ``dyna-q:n=1`` and ``dyna-q:n=50`` form one family ``dyna-q`` (one line on the
    frontier), while ``dyna-q:n=5,sampling=on-policy`` beside them gives two families,
    ``dyna-q (sampling=uniform)`` and ``dyna-q (sampling=on-policy)``. The settings are
    the agent's spec keys, from the registry.
    """
    by_name: dict[str, list[AgentConfig]] = {}
    for config in configs:
        by_name.setdefault(config.name, []).append(config)
    varying: dict[str, list] = {}
    for name, group in by_name.items():
        entry = REGISTRY[name]
        varying[name] = [
            key
            for key in entry.keys
            if key.name != entry.budget_key
            and len({repr(getattr(config, key.field)) for config in group}) > 1
        ]
    names = []
    for config in configs:
        keys = varying[config.name]
        if not keys:
            names.append(config.name)
            continue
        settings = ",".join(f"{key.name}={getattr(config, key.field)}" for key in keys)
        names.append(f"{config.name} ({settings})")
    return names


def tradeoff_rows(comparison: Comparison) -> list[dict]:
    """One row per agent, in the comparison's order.

    Each row: ``label``, ``family`` (see :func:`families`), ``budget`` (see
    :func:`planning_budget`; None for "until converged"), ``runs``, ``solved_runs``
    (runs that became near-optimal within the episode budget), and, each as a mean with
    its 95% bootstrap CI across runs (``{"mean", "low", "high", "n"}``):
    ``real_steps_to_near_optimal``, ``episodes_to_near_optimal`` and
    ``planning_updates_to_near_optimal`` (over the solved runs only: ``n`` is
    ``solved_runs``; nan when none solved), ``planning_updates`` (total per run, the
    frontier's x), ``wall_time_s`` (per run) and ``real_steps`` (total per run).

    Raises ValueError when the comparison has no episode budget or no way to judge
    near-optimal (see :func:`world_problem`).
    """
    if comparison.episodes is None or near_optimal_criterion(comparison) is None:
        raise ValueError(
            "a trade-off needs an episode budget and a near-optimal criterion "
            "(a known MDP or shortest path)"
        )
    seed = comparison.seed
    family_names = families([agent.config for agent in comparison.agents])
    rows = []
    for agent, result, family in zip(
        comparison.agents, comparison.results, family_names, strict=True
    ):
        reached = episodes_and_steps_to_near_optimal(comparison, result)
        if reached is None:  # pragma: no cover - excluded by the check above
            raise ValueError(f"no near-optimal criterion for {agent.label}")
        episodes, real = reached
        planned = _at_episode(result.planning_updates, episodes)
        amount = planning_budget(agent.config)
        rows.append(
            {
                "label": agent.label,
                "family": family,
                "budget": amount if math.isfinite(amount) else None,
                "runs": result.runs,
                "solved_runs": int(np.count_nonzero(~np.isnan(episodes))),
                "real_steps_to_near_optimal": mean_ci(real, seed=seed).to_dict(),
                "episodes_to_near_optimal": mean_ci(episodes, seed=seed).to_dict(),
                "planning_updates_to_near_optimal": mean_ci(planned, seed=seed).to_dict(),
                "planning_updates": mean_ci(
                    result.total_planning_updates.astype(float), seed=seed
                ).to_dict(),
                "wall_time_s": mean_ci(result.wall_time, seed=seed).to_dict(),
                "real_steps": mean_ci(result.total_real_steps.astype(float), seed=seed).to_dict(),
            }
        )
    return rows


def _at_episode(per_episode: np.ndarray, episodes: np.ndarray) -> np.ndarray:
    """Per run, ``per_episode[run, episode - 1]`` (nan where ``episodes`` is nan)."""
    picked = np.full(episodes.shape, np.nan)
    solved = np.flatnonzero(~np.isnan(episodes))
    picked[solved] = per_episode[solved, episodes[solved].astype(int) - 1]
    return picked


def _budget_order(row: dict) -> float:
    return math.inf if row["budget"] is None else row["budget"]


def frontier_points(
    rows: list[dict], x_key: str, x_offset: float = 0.0
) -> dict[str, tuple[np.ndarray, ...]]:
    """Per family, ``(x_mean, x_low, x_high, y_mean, y_low, y_high)`` for
    :func:`dynalab.plots.frontier`: x is ``rows[x_key]`` plus ``x_offset``, y the real
    steps to near-optimal; points in budget order. Agents with no solved run have no y
    and are left out (a family with no such point, entirely)."""
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        if row["solved_runs"] > 0:
            grouped.setdefault(row["family"], []).append(row)
    points = {}
    for family, members in grouped.items():
        ordered = sorted(members, key=_budget_order)
        x = [row[x_key] for row in ordered]
        y = [row["real_steps_to_near_optimal"] for row in ordered]
        points[family] = (
            np.array([e["mean"] for e in x], dtype=float) + x_offset,
            np.array([e["low"] for e in x], dtype=float) + x_offset,
            np.array([e["high"] for e in x], dtype=float) + x_offset,
            np.array([e["mean"] for e in y], dtype=float),
            np.array([e["low"] for e in y], dtype=float),
            np.array([e["high"] for e in y], dtype=float),
        )
    return points


def tradeoff_figures(comparison: Comparison, rows: list[dict]) -> dict[str, Figure]:
    """The two frontier PNGs by file name (none when no agent became near-optimal)."""
    from dynalab import plots

    world = comparison.world.spec
    subtitle = f"mean over solved runs of {comparison.runs}, {comparison.episodes} episodes"
    ylabel = "real steps to near-optimal"
    by_updates = frontier_points(rows, "planning_updates", UPDATES_OFFSET)
    if not by_updates:
        return {}
    by_time = frontier_points(rows, "wall_time_s")
    return {
        FRONTIER_UPDATES_FILE: plots.frontier(
            by_updates,
            xlabel=f"planning updates per run (+{UPDATES_OFFSET}: no planning sits at 1)",
            ylabel=ylabel,
            title=f"Experience vs planning on {world} ({subtitle})",
        ),
        FRONTIER_TIME_FILE: plots.frontier(
            by_time,
            xlabel="wall time per run (s)",
            ylabel=ylabel,
            title=f"Experience vs wall time on {world} ({subtitle})",
        ),
    }


def tradeoff_summary(comparison: Comparison, rows: list[dict]) -> dict:
    """What ``summary.json`` holds: the world, budget, criterion and the rows."""
    return {
        "world": comparison.world.spec,
        "runs": comparison.runs,
        "budget": budget(comparison),
        "near_optimal": near_optimal_criterion(comparison),
        "optimal_value": {str(g): v for g, v in comparison.optimal_values.items()},
        "shortest_path": comparison.world.shortest_path,
        "updates_offset_on_plot": UPDATES_OFFSET,
        "rows": rows,
        "wall_time_s": comparison.wall_time,
    }


def write_tradeoff_folder(
    comparison: Comparison,
    folder: Path,
    *,
    force: bool,
    plot: bool = True,
    argv: list[str] | None = None,
) -> dict:
    """Write config.json (command "tradeoff"; ``argv``, the command line, when given),
    episodes.csv, steps.csv, summary.json and, with ``plot``, frontier_updates.png and
    frontier_time.png. Returns the summary."""
    rows = tradeoff_rows(comparison)
    summary = tradeoff_summary(comparison, rows)
    runfolder.write_run_folder(
        folder,
        force=force,
        config=with_argv({**config_dict(comparison), "command": "tradeoff"}, argv),
        summary=summary,
        results=comparison.results,
        labels=comparison.labels,
        figures=tradeoff_figures(comparison, rows) if plot else None,
    )
    return summary
