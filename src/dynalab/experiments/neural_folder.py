"""A JAX comparison's run folder: ``evals.csv`` (a row per agent, run and evaluation point,
columns :data:`dynalab.runfolder.EVAL_COLUMNS`), ``config.json``, ``summary.json``, the
figures and Dreamer's dream pictures (:mod:`dynalab.experiments.neural` computes them)."""

from __future__ import annotations

import numpy as np

from dynalab.experiments.neural import (
    EVAL_EPISODES,
    NeuralComparison,
    neural_figures,
    summarize_neural,
)
from dynalab.runfolder import EVAL_COLUMNS


def eval_rows(comparison: NeuralComparison) -> list[tuple]:
    """The rows of ``evals.csv`` (``dynalab.runfolder.EVAL_COLUMNS``), agent by agent,
    run by run."""
    rows = []
    for index, (label, measured, exact) in enumerate(
        zip(comparison.labels, comparison.metrics, comparison.greedy_values, strict=True)
    ):
        runs, points = measured["eval_return"].shape
        columns = eval_columns(measured) | {
            "greedy_value": exact,
            "policy_value": comparison.policy_value(index),
        }
        values = [columns.get(name) for name in EVAL_COLUMNS[3:]]
        for run in range(runs):
            for point in range(points):
                step = int(measured["env_step"][run, point])
                cells = (_cell(column, run, point) for column in values)
                rows.append((label, run, step, *cells))
    return rows


def eval_columns(measured: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """An agent's metrics as ``evals.csv`` columns of shape ``(runs, points)``: the
    rollout error's horizons become ``rollout_error_1`` ..; the rest keep their names."""
    columns = {name: value for name, value in measured.items() if name != "rollout_error"}
    if "rollout_error" in measured:
        horizons = measured["rollout_error"].shape[-1]
        for h in range(1, horizons + 1):
            columns[f"rollout_error_{h}"] = measured["rollout_error"][..., h - 1]
    return columns


def _cell(column: np.ndarray | None, run: int, point: int) -> float | None:
    """One entry of a metric, or None (an empty cell) where the agent has no such metric."""
    return None if column is None else float(column[run, point])


def neural_config(comparison: NeuralComparison) -> dict:
    """The resolved configuration ``config.json`` records."""
    return {
        "command": "compare",
        "world": comparison.world.spec,
        "agents": [{"label": agent.label, **agent.config.to_dict()} for agent in comparison.agents],
        "runs": comparison.runs,
        "seed": comparison.seed,
        "steps": comparison.steps,
        "eval_every": comparison.eval_every,
        "eval_episodes": EVAL_EPISODES,
        "backend": "jax",
    }


def comparison_dreams(comparison: NeuralComparison) -> dict[str, bytes]:
    """The dream pictures of the comparison's dreamers on pixels
    (:func:`dynalab.experiments.dreams.dream_files`), by file name."""
    from dynalab.experiments.dreams import dream_files

    dreams = comparison.dreams or [None] * len(comparison.labels)
    return dream_files(comparison.labels, dreams, comparison.world.spec)


def write_neural_folder(
    comparison: NeuralComparison, folder: object, *, force: bool, plot: bool, argv: list | None
) -> dict:
    """Write the comparison's run folder (``evals.csv`` since version 3); returns the summary."""
    from dynalab import runfolder

    summary = summarize_neural(comparison)
    config = neural_config(comparison)
    if argv is not None:
        config["argv"] = argv
    runfolder.write_run_folder(
        folder,
        force=force,
        config=config,
        summary=summary,
        figures=neural_figures(comparison) if plot else None,
        evals=eval_rows(comparison),
        files=comparison_dreams(comparison) if plot else None,
    )
    return summary
