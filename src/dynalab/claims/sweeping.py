"""Example 8.4 reproduced: prioritized sweeping against Dyna-Q as the maze grows
(Sutton & Barto 8.4)."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from dynalab.agents.config import AgentConfig
from dynalab.analysis.stats import Estimate, mean_ci
from dynalab.claims.claim import Claim, Outcome, estimate_points
from dynalab.envs.mdp import WorldSchedule
from dynalab.run.runner import run_single
from dynalab.run.seeds import run_seeds

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
