"""Running a sweep: the cells not yet finished, on a backend, then its results.

``local`` runs cells in this process (``jobs=1``) or in a pool of ``jobs`` worker
processes; each finished cell is written to the sweep folder the moment it comes back
(:mod:`dynalab.experiments.sweep.folder`). A cell's numbers depend only on the cell
(:mod:`dynalab.experiments.sweep.cells`), never on the worker or the order.

The results: ``results.csv`` (one row per cell and run) and ``summary.json`` (per cell
the mean score and its 95% bootstrap interval; per world and agent the best setting).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

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

BACKENDS = ("local",)


def run_sweep(
    sweep: SweepSpec,
    folder: Path,
    finished: set[str],
    *,
    jobs: int = 1,
    on_cell_done: Callable[[Cell], None] | None = None,
) -> list[dict[str, Any]]:
    """Run the cells of ``sweep`` whose key is not in ``finished``, writing each to
    ``folder`` as it finishes; then write the results of every cell and return them."""
    cells = sweep_cells(sweep)
    todo = [cell for cell in cells if cell.key not in finished]
    done = on_cell_done or (lambda cell: None)
    if jobs == 1 or len(todo) <= 1:
        for cell in todo:
            write_cell(folder, cell, run_cell(cell))
            done(cell)
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            pending = {pool.submit(run_cell, cell): cell for cell in todo}
            for future in as_completed(pending):
                cell = pending[future]
                write_cell(folder, cell, future.result())
                done(cell)
    results = [read_cell(folder, cell) for cell in cells]
    write_results(folder, sweep, results)
    return results


def hyper_parameters(sweep: SweepSpec) -> list[str]:
    """Every hyper-parameter any agent of the sweep varies or fixes, sorted."""
    return sorted({key for grid in sweep.agents for key, _ in grid.axes})


def result_rows(sweep: SweepSpec, results: Sequence[dict[str, Any]]) -> list[tuple]:
    """``results.csv``'s rows: world, agent, spec, each hyper-parameter (empty where the
    agent does not set it), run, score, real steps, planning updates, the cell's seed."""
    names = hyper_parameters(sweep)
    rows = []
    for result in results:
        settings = result["settings"]
        for run, score in enumerate(result["score"]):
            rows.append(
                (
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


def summarize_sweep(sweep: SweepSpec, results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per cell the mean score with its 95% interval; per world its score's meaning and,
    per agent, the setting with the best mean (lowest where lower is better)."""
    cells = []
    best: dict[str, dict[str, Any]] = {}
    scores: dict[str, dict[str, Any]] = {}
    for result in results:
        estimate = mean_ci(result["score"], seed=sweep.seed)
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
        world = result["world"]
        lower = result["lower_is_better"]
        scores[world] = {"measure": result["score_measure"], "lower_is_better": lower}
        current = best.setdefault(world, {}).get(result["agent"])
        better = current is None or (
            estimate.mean < current["score"]["mean"]
            if lower
            else estimate.mean > current["score"]["mean"]
        )
        if better:
            best[world][result["agent"]] = {"spec": result["spec"], "score": estimate.to_dict()}
    return {"sweep": sweep.to_dict(), "score": scores, "cells": cells, "best": best}


def write_results(folder: Path, sweep: SweepSpec, results: Sequence[dict[str, Any]]) -> dict:
    """``results.csv`` and ``summary.json`` of every cell; returns the summary."""
    atomic_write_csv(folder / RESULTS_FILE, result_columns(sweep), result_rows(sweep, results))
    summary = summarize_sweep(sweep, results)
    write_json(folder / SUMMARY_FILE, summary)
    return summary
