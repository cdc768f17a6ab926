"""Running a sweep: the cells not yet finished, on a backend, then its results.

``local`` runs cells in this process (``jobs=1``) or in a pool of ``jobs`` worker
processes, ``ray`` as tasks on a Ray cluster (:mod:`dynalab.experiments.sweep.ray_backend`);
each finished cell is written to the sweep folder the moment it comes back
(:mod:`dynalab.experiments.sweep.folder`). A cell's numbers depend only on the cell
(:mod:`dynalab.experiments.sweep.cells`), never on the worker or the order.

The grid is the tuning stage; then each agent's best setting per world runs again at
fresh seeds (the evaluation stage), because the best of many noisy scores overstates
its setting: the tuned agents are compared on runs that took no part in choosing them.
The results: ``results.csv`` (one row per cell and run), ``summary.json`` (per cell the
mean score and its 95% bootstrap interval; per world and agent the best setting, its
score at fresh seeds, the settings tried) and the sensitivity figures.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np

from dynalab.analysis.stats import mean_ci
from dynalab.atomic_files import atomic_write_csv, write_json
from dynalab.experiments.sweep.cells import Cell, run_cell, sweep_cells
from dynalab.experiments.sweep.file import SweepSpec
from dynalab.experiments.sweep.folder import (
    RESULTS_FILE,
    SUMMARY_FILE,
    read_cell,
    write_cell,
)

BACKENDS = ("local", "ray")


def run_sweep(
    sweep: SweepSpec,
    folder: Path,
    finished: set[str],
    *,
    jobs: int = 1,
    backend: str = "local",
    address: str | None = None,
    on_cell_done: Callable[[Cell], None] | None = None,
) -> list[dict[str, Any]]:
    """Run the cells of ``sweep`` whose key is not in ``finished`` on ``backend``
    (``local``: ``jobs`` processes; ``ray``: tasks on the cluster at ``address``, or a
    local Ray of ``jobs`` CPUs), writing each to ``folder`` as it finishes: first the
    grid (tuning), then each agent's best setting per world again at fresh seeds
    (evaluation). Then write the results of every cell and return them, tuning first."""
    done = on_cell_done or (lambda cell: None)
    connected: list[bool] = []
    with contextlib.ExitStack() as connection:

        def run(cells: list[Cell]) -> None:
            todo = [cell for cell in cells if cell.key not in finished]
            if backend == "ray" and todo:
                from dynalab.experiments.sweep.ray_backend import ray_session, run_cells_on_ray

                if not connected:  # connect once, when the first cells need it
                    connection.enter_context(ray_session(address, jobs))
                    connected.append(True)
                run_cells_on_ray(todo, folder, done)
            else:
                _run_cells(todo, folder, jobs, done)

        tuning = sweep_cells(sweep)
        run(tuning)
        tuned = [read_cell(folder, cell) for cell in tuning]
        evaluation = evaluation_cells(sweep, tuned)
        run(evaluation)
    results = tuned + [read_cell(folder, cell) for cell in evaluation]
    write_results(folder, sweep, results)
    return results


def _run_cells(cells: list[Cell], folder: Path, jobs: int, done: Callable[[Cell], None]) -> None:
    """The local backend: in this process, or a pool of ``jobs`` spawned processes."""
    if jobs == 1 or len(cells) <= 1:
        for cell in cells:
            write_cell(folder, cell, run_cell(cell))
            done(cell)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending = {pool.submit(run_cell, cell): cell for cell in cells}
        for future in as_completed(pending):
            cell = pending[future]
            write_cell(folder, cell, future.result())
            done(cell)


def cell_count(sweep: SweepSpec) -> int:
    """Cells a sweep runs: its grid, then one evaluation cell per world and agent."""
    return len(sweep_cells(sweep)) + len(sweep.worlds) * len(sweep.agents)


def best_cells(results: Sequence[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (world, agent), the tuning result with the best mean score (the first of
    equals in file order; lowest where lower is better)."""
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for result in results:
        if result.get("stage", "tuning") != "tuning":
            continue
        key = (result["world"], result["agent"])
        mean = float(np.mean(result["score"]))
        current = best.get(key)
        if current is None:
            best[key] = result
            continue
        held = float(np.mean(current["score"]))
        if (mean < held) if result["lower_is_better"] else (mean > held):
            best[key] = result
    return best


def evaluation_cells(sweep: SweepSpec, tuned: Sequence[dict[str, Any]]) -> list[Cell]:
    """Each agent's best setting per world, as a cell of the evaluation stage."""
    return [
        Cell(
            world=world,
            agent=agent,
            settings=tuple(result["settings"].items()),
            runs=sweep.runs,
            episodes=sweep.episodes,
            steps=sweep.steps,
            sweep_seed=sweep.seed,
            stage="evaluation",
        )
        for (world, agent), result in best_cells(tuned).items()
    ]


def hyper_parameters(sweep: SweepSpec) -> list[str]:
    """Every hyper-parameter any agent of the sweep varies or fixes, sorted."""
    return sorted({key for grid in sweep.agents for key, _ in grid.axes})


def result_rows(sweep: SweepSpec, results: Sequence[dict[str, Any]]) -> list[tuple]:
    """``results.csv``'s rows: stage, world, agent, spec, each hyper-parameter (empty where the
    agent does not set it), run, score, real steps, planning updates, the cell's seed."""
    names = hyper_parameters(sweep)
    rows = []
    for result in results:
        settings = result["settings"]
        for run, score in enumerate(result["score"]):
            rows.append(
                (
                    result.get("stage", "tuning"),
                    result["world"],
                    result["agent"],
                    result["spec"],
                    *(settings.get(name, "") for name in names),
                    run,
                    score,
                    result["real_steps"][run],
                    result["planning_updates"][run],
                    result["seed"],
                )
            )
    return rows


def result_columns(sweep: SweepSpec) -> list[str]:
    return [
        "stage",
        "world",
        "agent",
        "spec",
        *hyper_parameters(sweep),
        "run",
        "score",
        "real_steps",
        "planning_updates",
        "cell_seed",
    ]


def expected_best(means: Sequence[float], k: int, lower_is_better: bool) -> float:
    """The expected best of ``k`` settings drawn at random (without replacement) from a
    grid whose settings score ``means``: what an agent gets from a tuning budget of
    ``k`` settings, so agents with grids of different sizes compare at an equal budget
    (expected validation performance; Dodge et al. 2019, EMNLP; Jordan et al. 2020,
    ICML). The i-th worst of n is the best of the draw with probability
    C(i-1, k-1) / C(n, k)."""
    ordered = sorted(means, reverse=lower_is_better)  # worst first
    n = len(ordered)
    total = math.comb(n, k)
    return sum(value * math.comb(i, k - 1) / total for i, value in enumerate(ordered))


def summarize_sweep(sweep: SweepSpec, results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per tuning cell the mean score with its 95% interval; per world its score's
    meaning; per world and agent (``tuned``) the best setting, its tuning score, its
    score at fresh seeds, how many settings were tried, and the expected best of ``k``
    random settings, ``k`` the smallest grid's size (:func:`expected_best`)."""
    cells = []
    scores: dict[str, dict[str, Any]] = {}
    fresh = {}
    for result in results:
        estimate = mean_ci(result["score"], seed=sweep.seed)
        if result.get("stage", "tuning") != "tuning":
            fresh[(result["world"], result["agent"])] = estimate.to_dict()
            continue
        cells.append(
            {
                "world": result["world"],
                "agent": result["agent"],
                "spec": result["spec"],
                "settings": result["settings"],
                "score": estimate.to_dict(),
                "wall_s": result["wall_s"],
            }
        )
        scores[result["world"]] = {
            "measure": result["score_measure"],
            "lower_is_better": result["lower_is_better"],
        }
    tuned: dict[str, dict[str, Any]] = {}
    budget = min(len(grid.settings()) for grid in sweep.agents)
    for (world, agent), result in best_cells(results).items():
        means = [c["score"]["mean"] for c in cells if c["world"] == world and c["agent"] == agent]
        tuned.setdefault(world, {})[agent] = {
            "spec": result["spec"],
            "tuning_score": mean_ci(result["score"], seed=sweep.seed).to_dict(),
            "fresh_score": fresh.get((world, agent)),
            "settings_tried": len(means),
            "expected_best_of_k": expected_best(means, budget, result["lower_is_better"]),
            "k": budget,
        }
    return {"sweep": sweep.to_dict(), "score": scores, "cells": cells, "tuned": tuned}


def write_results(folder: Path, sweep: SweepSpec, results: Sequence[dict[str, Any]]) -> dict:
    """``results.csv``, ``summary.json`` and the sensitivity figures of every cell;
    returns the summary."""
    from dynalab.experiments.sweep.figures import sensitivity_figures
    from dynalab.plots import save_figure

    atomic_write_csv(folder / RESULTS_FILE, result_columns(sweep), result_rows(sweep, results))
    summary = summarize_sweep(sweep, results)
    write_json(folder / SUMMARY_FILE, summary)
    for name, figure in sensitivity_figures(sweep, summary).items():
        save_figure(figure, folder / name)
    return summary
