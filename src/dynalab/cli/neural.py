"""``dynalab compare`` with the JAX agents (dqn, dyna-dqn): budget checks, run, table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.table import Table

from dynalab.cli.common import BadInputError, check_deep_extra, plain_console, progress_bar
from dynalab.specs.agents import AgentSpec
from dynalab.specs.worlds import World


def uses_jax(agent_specs: list[AgentSpec]) -> bool:
    """Whether the comparison is of JAX agents (all of them must then be)."""
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
    from dynalab.experiments.neural import (
        DEFAULT_NEURAL_RUNS,
        DEFAULT_NEURAL_STEPS,
        jax_world_problem,
    )

    tabular = [spec.label for spec in agent_specs if spec.config.backend == "tabular"]
    if tabular:
        raise BadInputError(
            f"--agents {tabular[0]!r} is tabular and the others run on jax; "
            "compare them in separate commands"
        )
    if episodes is not None:
        raise BadInputError(
            "--episodes: the jax agents train for a number of real steps; give --steps"
        )
    check_deep_extra(f"--agents {agent_specs[0].label!r}")
    problem = jax_world_problem(world)
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
    from dynalab.experiments.neural import run_neural_comparison, write_neural_folder

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
    """The summary of a JAX comparison: one column per agent, mean [95% CI] over runs."""
    from dynalab.experiments.summary_grid import estimate_text

    agents = summary["agents"]
    table = Table(
        title=f"{summary['world']}: mean [95% CI] over {summary['runs']} runs, "
        f"{summary['steps']:,} real steps each"
    )
    table.add_column("measure")
    for label in agents:
        table.add_column(label, justify="right")
    rows: list[tuple[str, Callable[[dict], str]]] = []
    solved = summary.get("solved_return")
    if solved is not None:
        rows.append(
            (
                f"real steps to return {solved:g}",
                lambda e: (
                    f"{estimate_text(e['steps_to_solved'])} "
                    f"({e['solved_runs']}/{summary['runs']} runs)"
                ),
            )
        )
    rows.append(("final evaluation return", lambda e: estimate_text(e["final_eval_return"])))
    rows.append(("mean evaluation return (area)", lambda e: estimate_text(e["mean_eval_return"])))
    first = next(iter(agents.values()))
    if "final_greedy_value" in first:
        rows.append(
            ("true value of the greedy policy", lambda e: estimate_text(e["final_greedy_value"]))
        )
        rows.append(
            ("belief gap (believed - true)", lambda e: estimate_text(e["final_belief_gap"]))
        )
    if len(agents) > 1:
        first_label = next(iter(agents))
        rows.append(
            (
                f"P(better than {first_label}, on the area)",
                lambda e: (
                    estimate_text(e.get("p_better_than_first"))
                    if "p_better_than_first" in e
                    else "-"
                ),
            )
        )
    rows.append(("wall s per run", lambda e: f"{e['wall_s_per_run']:.1f}"))
    for name, cell in rows:
        table.add_row(name, *(cell(entry) for entry in agents.values()))
    return table
