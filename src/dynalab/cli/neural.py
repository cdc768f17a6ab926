"""``dynalab compare`` with the JAX agents (dqn, dyna-dqn, dreamer), tabular agents beside
them where the world is a table: budget checks, run, table."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from dynalab.cli.common import (
    DEFAULT_NEURAL_RUNS,
    DEFAULT_NEURAL_STEPS,
    BadInputError,
    check_deep_extra,
    plain_console,
    progress_bar,
)
from dynalab.specs.agents import AgentSpec
from dynalab.specs.worlds import World


def uses_jax(agent_specs: list[AgentSpec]) -> bool:
    """Whether the comparison has JAX agents: then it runs as a jax comparison, any
    tabular agents measured as the jax ones are (:mod:`dynalab.experiments.tabular_evals`)."""
    return any(spec.config.backend != "tabular" for spec in agent_specs)


def neural_budget(
    world: World,
    agent_specs: list[AgentSpec],
    runs: int | None,
    episodes: int | None,
    steps: int | None,
) -> tuple[int, int]:
    """``(runs, steps)`` of a JAX comparison, defaults filled; bad input raises
    :class:`BadInputError` with the one line to print."""
    from dynalab.experiments.neural import jax_world_problem, stepped_agent_problem

    tabular = [spec.label for spec in agent_specs if spec.config.backend == "tabular"]
    if tabular and (world.vector_obs or world.schedule is None):
        raise BadInputError(
            f"--agents {tabular[0]!r} is tabular and --env {world.spec!r} has no table "
            "under it; the tabular agents run beside the jax ones on mazes and array MDPs"
        )
    if episodes is not None:
        raise BadInputError(
            "--episodes: the jax agents train for a number of real steps; give --steps"
        )
    check_deep_extra(f"--agents {agent_specs[0].label!r}")
    problem = jax_world_problem(world) or stepped_agent_problem(world, agent_specs)
    if problem is not None:
        raise BadInputError(problem)
    return runs or DEFAULT_NEURAL_RUNS, steps or DEFAULT_NEURAL_STEPS


def run_neural_compare(
    world: World,
    agent_specs: list[AgentSpec],
    *,
    runs: int,
    steps: int,
    seed: int,
    folder: Path,
    force: bool,
    plot: bool,
    quiet: bool,
    argv: list[str] | None,
) -> None:
    """Train, write the run folder and print the table."""
    from dynalab.experiments.neural import run_neural_comparison
    from dynalab.experiments.neural_folder import write_neural_folder

    with progress_bar(len(agent_specs), f"compare on {world.spec} (jax)", quiet) as advance:
        comparison = run_neural_comparison(
            world, agent_specs, steps=steps, runs=runs, seed=seed, on_agent_done=advance
        )
    summary = write_neural_folder(comparison, folder, force=force, plot=plot, argv=argv)
    console = plain_console()
    console.print(neural_table(summary))
    if not quiet:
        console.print(f"run folder: {folder}")


def neural_table(summary: dict) -> Table:
    """The summary of a JAX comparison: one column per agent, mean [95% CI] over runs
    (:func:`dynalab.experiments.summary_grid.neural_grid`, the report's grid too)."""
    from dynalab.cli.tables import grid_table
    from dynalab.experiments.summary_grid import neural_grid

    return grid_table(neural_grid(summary))
