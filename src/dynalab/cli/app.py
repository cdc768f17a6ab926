"""The ``dynalab`` command line: the only place that parses arguments.

Each command parses its options, hands the work to the library (``dynalab.experiments``,
``dynalab.claims``) and prints what came back (``dynalab.cli.tables``). Every bad input
ends the same way: one line on stderr naming what is wrong, exit status 2, no traceback,
and nothing written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console

from dynalab.book import DYNA_MAZE_EPISODES, STEP_BUDGETS
from dynalab.cli.common import (
    DEFAULT_AGENTS,
    DEFAULT_NEURAL_AGENTS,
    DEFAULT_NEURAL_RUNS,
    DEFAULT_NEURAL_STEPS,
    EXIT_BAD_INPUT,
    BadInputError,
    agent_spec_words,
    check_positive,
    check_tabular,
    command_line,
    default_jobs,
    fail,
    given,
    plain_console,
    resolve_out,
    run_with_progress,
    slug,
)
from dynalab.cli.report import REPORT_HELP, report, report_after_run
from dynalab.cli.tables import (
    agents_table,
    bench_table,
    envs_table,
    summary_table,
    tradeoff_table,
)

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="dynalab: see and measure what a learned world model buys over model-free RL.",
)


@app.command(context_settings={"allow_extra_args": True})
def compare(
    ctx: typer.Context,
    env: str = typer.Option(
        "dyna-maze", "--env", help="World: built-in name, maze:PATH or gym:ID[:k=v,...]."
    ),
    agents: list[str] | None = typer.Option(
        None, "--agents", help="Agent SPECs, e.g. q-learning dyna-q:n=50 (several allowed)."
    ),
    runs: int | None = typer.Option(
        None,
        "--runs",
        help=f"Independent runs per agent (default 30; jax agents {DEFAULT_NEURAL_RUNS}).",
    ),
    episodes: int | None = typer.Option(
        None, "--episodes", help="Episode budget per run (default 50)."
    ),
    steps: int | None = typer.Option(
        None,
        "--steps",
        help="Real-step budget per run: worlds that change (default: the book's), jax agents "
        f"(default {DEFAULT_NEURAL_STEPS}).",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of run 0's generator; run i uses (seed, i)."),
    out: Path | None = typer.Option(None, "--out", help="Run folder (default runs/compare-<env>)."),
    jobs: int = typer.Option(default_jobs(), "--jobs", help="Threads running runs in parallel."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing run folder."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar or file list."),
    no_plot: bool = typer.Option(False, "--no-plot", help="Skip the PNG plots."),
    with_report: bool = typer.Option(False, "--report", help=REPORT_HELP),
    alpha: float | None = typer.Option(
        None, "--alpha", help="Step size for agents without alpha= (default: each agent's own)."
    ),
    gamma: float | None = typer.Option(
        None, "--gamma", help="Discount for agents without gamma= (default: each agent's own)."
    ),
    epsilon: float | None = typer.Option(
        None, "--epsilon", help="Exploration rate for agents without epsilon= (default: own)."
    ),
) -> None:
    """Compare agents on one world: table with 95% CIs, run folder, plots.

    With no arguments: Sutton & Barto's Fig. 8.2 experiment on the Dyna maze. On a world
    with vector observations (gym:CartPole-v1) the default agents are dqn and dyna-dqn.
    """
    from dynalab.cli.neural import neural_budget, run_neural_compare, uses_jax
    from dynalab.experiments.comparison_folder import write_comparison
    from dynalab.specs.agents import parse_agent_specs
    from dynalab.specs.text import SpecError
    from dynalab.specs.worlds import parse_env_spec

    try:
        specs = agent_spec_words(ctx, agents)
        for value, option in (
            (runs, "--runs"),
            (episodes, "--episodes"),
            (steps, "--steps"),
            (jobs, "--jobs"),
        ):
            check_positive(value, option)
        if episodes is not None and steps is not None:
            raise BadInputError("give either --episodes or --steps, not both")
        world = parse_env_spec(env)
        defaults = DEFAULT_NEURAL_AGENTS if world.vector_obs else DEFAULT_AGENTS
        agent_specs = parse_agent_specs(
            specs or list(defaults), given(alpha=alpha, gamma=gamma, epsilon=epsilon)
        )
        neural = uses_jax(agent_specs)
        if neural:
            runs, steps = neural_budget(world, agent_specs, runs, episodes, steps)
        elif world.vector_obs:
            raise BadInputError(
                f"--env {env!r} has vector observations; the tabular agents need Discrete "
                "ones (the jax agents dqn and dyna-dqn learn there)"
            )
        runs = runs or 30
        if not neural and episodes is None and steps is None:
            if world.change_steps:
                steps = STEP_BUDGETS.get(world.name, 2 * max(world.change_steps))
            else:
                episodes = DYNA_MAZE_EPISODES
        folder = resolve_out(out, f"compare-{slug(env)}", force)
    except (SpecError, BadInputError) as error:
        fail(str(error))
    if neural:
        run_neural_compare(
            world,
            agent_specs,
            runs=runs,
            steps=steps,
            seed=seed,
            folder=folder,
            force=force,
            plot=not no_plot,
            quiet=quiet,
            argv=command_line(ctx),
        )
        if with_report:
            report_after_run(folder, quiet)
        return
    comparison = run_with_progress(
        "compare",
        env,
        world,
        agent_specs,
        quiet,
        episodes=episodes,
        steps=steps,
        runs=runs,
        seed=seed,
        jobs=jobs,
    )
    summary = write_comparison(
        comparison, folder, force=force, plot=not no_plot, argv=command_line(ctx)
    )
    console = plain_console()
    console.print(summary_table(summary))
    if not quiet:
        console.print(f"run folder: {folder}")
    if with_report:
        report_after_run(folder, quiet)


@app.command(context_settings={"allow_extra_args": True})
def tradeoff(
    ctx: typer.Context,
    env: str = typer.Option(
        "dyna-maze", "--env", help="World: built-in name, maze:PATH or gym:ID[:k=v,...]."
    ),
    agents: list[str] | None = typer.Option(
        None,
        "--agents",
        help="Agent SPECs (default: each planner at several budgets, and q-learning).",
    ),
    runs: int = typer.Option(10, "--runs", help="Independent runs per agent."),
    episodes: int = typer.Option(50, "--episodes", help="Episode budget per run."),
    seed: int = typer.Option(0, "--seed", help="Seed of run 0's generator; run i uses (seed, i)."),
    out: Path | None = typer.Option(
        None, "--out", help="Run folder (default runs/tradeoff-<env>)."
    ),
    jobs: int = typer.Option(default_jobs(), "--jobs", help="Threads running runs in parallel."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing run folder."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar or file list."),
    no_plot: bool = typer.Option(False, "--no-plot", help="Skip the PNG plots."),
) -> None:
    """Real steps to near-optimal against planning spent: the chart to choose a planner.

    Per agent: real steps until near-optimal, planning updates and wall time per run,
    each a mean with its 95% CI; runs that never got there are counted (k/n).
    """
    from dynalab.experiments.tradeoff import (
        DEFAULT_TRADEOFF_AGENTS,
        world_problem,
        write_tradeoff_folder,
    )
    from dynalab.specs.agents import parse_agent_specs
    from dynalab.specs.text import SpecError
    from dynalab.specs.worlds import parse_env_spec

    try:
        specs = agent_spec_words(ctx, agents)
        for value, option in ((runs, "--runs"), (episodes, "--episodes"), (jobs, "--jobs")):
            check_positive(value, option)
        world = parse_env_spec(env)
        problem = world_problem(world)
        if problem is not None:
            raise BadInputError(problem)
        agent_specs = parse_agent_specs(specs or list(DEFAULT_TRADEOFF_AGENTS))
        check_tabular(agent_specs, "tradeoff")
        folder = resolve_out(out, f"tradeoff-{slug(env)}", force)
    except (SpecError, BadInputError) as error:
        fail(str(error))
    comparison = run_with_progress(
        "tradeoff",
        env,
        world,
        agent_specs,
        quiet,
        episodes=episodes,
        runs=runs,
        seed=seed,
        jobs=jobs,
    )
    summary = write_tradeoff_folder(
        comparison, folder, force=force, plot=not no_plot, argv=command_line(ctx)
    )
    console = plain_console()
    console.print(tradeoff_table(summary))
    if not quiet:
        console.print(f"run folder: {folder}")


@app.command()
def envs() -> None:
    """List the built-in worlds and the env SPEC forms."""
    from dynalab.specs.worlds import ENV_HELP

    Console().print(envs_table(ENV_HELP))


@app.command()
def agents() -> None:
    """List the agents and the keys of each agent's SPEC, with their defaults."""
    from dynalab.agents.registry import REGISTRY

    Console().print(agents_table(REGISTRY.values()))


@app.command()
def bench(
    as_json: bool = typer.Option(False, "--json", help="Print the measurements as JSON."),
    jobs: int = typer.Option(
        default_jobs(), "--jobs", help="Threads for the parallel Fig. 8.2 timing."
    ),
    quick: bool = typer.Option(
        False, "--quick", help="Smaller budgets, no empty-cache compile (a smoke test)."
    ),
) -> None:
    """Updates per second compiled vs plain Python, compile time, Fig. 8.2 wall time,
    and (with the deep extra) the JAX agents' gradient updates per second on CartPole."""
    from dynalab.experiments.bench import run_benchmark

    try:
        check_positive(jobs, "--jobs")
    except BadInputError as error:
        fail(str(error))
    console = Console(stderr=True)
    say = (lambda _: None) if as_json else (lambda text: console.print(f"measuring {text}..."))
    measured = run_benchmark(jobs=jobs, quick=quick, progress=say)
    if as_json:
        typer.echo(json.dumps(measured, indent=2))
        return
    Console().print(bench_table(measured, jobs))


app.command()(report)


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the app, turning usage errors into one line and exit status 2."""
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="dynalab", standalone_mode=False)
    except typer.TyperException as error:
        context = getattr(error, "ctx", None)
        where = f" ({context.command_path})" if context is not None else ""
        message = " ".join(error.format_message().split())
        typer.echo(f"dynalab: error{where}: {message}", err=True)
        return EXIT_BAD_INPUT
    except typer.Abort:
        typer.echo("dynalab: aborted", err=True)
        return 130
    return code if isinstance(code, int) else 0


def run() -> None:
    sys.exit(main())
