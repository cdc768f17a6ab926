"""The ``dynalab`` command line: the only place that parses arguments.

Every bad input ends the same way: one line on stderr naming what is wrong, exit
status 2, no traceback, and nothing written.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dynalab.book import DYNA_MAZE_EPISODES, STEP_BUDGETS

if TYPE_CHECKING:
    from dynalab.experiments.compare import Comparison
    from dynalab.specs.agents import AgentSpec
    from dynalab.specs.worlds import World

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="dynalab: see and measure what a learned world model buys over model-free RL.",
)

DEFAULT_AGENTS = ("q-learning", "dyna-q:n=5", "dyna-q:n=50")
EXIT_BAD_INPUT = 2


class BadInputError(Exception):
    """Input the user can fix; its message is the one line they see."""


def fail(message: str) -> NoReturn:
    typer.echo(f"dynalab: error: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def default_jobs() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def slug(text: str) -> str:
    """A file-name-safe form of a spec, for default run folder names."""
    return re.sub(r"[^A-Za-z0-9.+=-]+", "_", text).strip("_") or "run"


def given(**values: object) -> dict[str, object]:
    """The options the user set (not None), as agent spec defaults."""
    return {key: value for key, value in values.items() if value is not None}


def check_positive(value: int | None, option: str) -> None:
    if value is not None and value < 1:
        raise BadInputError(f"{option} must be a positive integer, got {value}")


def plain_console(stderr: bool = False) -> Console:
    """A rich console that prints text as given: paths, specs and numbers such as
    ``nan [nan, nan]`` or ``runs/[/x]`` are data, never rich markup."""
    return Console(stderr=stderr, markup=False)


@contextmanager
def progress_bar(total: int, description: str, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A rich progress bar over ``total`` runs; yields the per-run callback."""
    if quiet or total <= 1:
        yield lambda _: None
        return
    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=plain_console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda _: progress.advance(task)


def resolve_out(out: Path | None, default_name: str, force: bool) -> Path:
    """The run folder: refuse an existing non-empty one before any work is done."""
    folder = out if out is not None else Path("runs") / default_name
    if folder.exists() and not folder.is_dir():
        raise BadInputError(f"{folder} is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise BadInputError(f"{folder} already exists; use --force to overwrite it")
    return folder


def agent_spec_words(ctx: typer.Context, agents: list[str] | None) -> list[str]:
    """The agent SPECs: those after --agents, and the extra words that follow them."""
    if ctx.args and not agents:
        raise BadInputError(f"unexpected argument {ctx.args[0]!r}; agent SPECs follow --agents")
    return list(agents or []) + list(ctx.args)


def run_with_progress(
    command: str,
    env: str,
    world: World,
    agent_specs: list[AgentSpec],
    quiet: bool,
    **budget: int | None,
) -> Comparison:
    """``run_comparison`` under a progress bar of one tick per run."""
    from dynalab.experiments.compare import run_comparison

    total = int(budget["runs"]) * len(agent_specs)
    with progress_bar(total, f"{command} on {env}", quiet) as advance:
        return run_comparison(world, agent_specs, on_run_done=advance, **budget)


@app.command(context_settings={"allow_extra_args": True})
def compare(
    ctx: typer.Context,
    env: str = typer.Option(
        "dyna-maze", "--env", help="World: built-in name, maze:PATH or gym:ID[:k=v,...]."
    ),
    agents: list[str] | None = typer.Option(
        None, "--agents", help="Agent SPECs, e.g. q-learning dyna-q:n=50 (several allowed)."
    ),
    runs: int = typer.Option(30, "--runs", help="Independent runs per agent."),
    episodes: int | None = typer.Option(
        None, "--episodes", help="Episode budget per run (default 50)."
    ),
    steps: int | None = typer.Option(
        None, "--steps", help="Real-step budget per run, for worlds that change."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of run 0's generator; run i uses (seed, i)."),
    out: Path | None = typer.Option(None, "--out", help="Run folder (default runs/compare-<env>)."),
    jobs: int = typer.Option(default_jobs(), "--jobs", help="Threads running runs in parallel."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing run folder."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar or file list."),
    no_plot: bool = typer.Option(False, "--no-plot", help="Skip the PNG plots."),
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

    With no arguments: Sutton & Barto's Fig. 8.2 experiment on the Dyna maze.
    """
    from dynalab.experiments.compare import write_comparison
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
        agent_specs = parse_agent_specs(
            specs or list(DEFAULT_AGENTS), given(alpha=alpha, gamma=gamma, epsilon=epsilon)
        )
        if episodes is None and steps is None:
            if world.change_steps:
                steps = STEP_BUDGETS.get(world.name, 2 * max(world.change_steps))
            else:
                episodes = DYNA_MAZE_EPISODES
        folder = resolve_out(out, f"compare-{slug(env)}", force)
    except (SpecError, BadInputError) as error:
        fail(str(error))
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
    summary = write_comparison(comparison, folder, force=force, plot=not no_plot)
    console = plain_console()
    console.print(summary_table(summary))
    if not quiet:
        console.print(f"run folder: {folder}")


@app.command()
def reproduce(
    name: str | None = typer.Argument(None, help="Which book experiment (see --list)."),
    list_all: bool = typer.Option(False, "--list", help="List the reproductions."),
    out: Path | None = typer.Option(None, "--out", help="Run folder (default runs/<name>)."),
    runs: int | None = typer.Option(None, "--runs", help="Runs (default: the book setting)."),
    seed: int = typer.Option(0, "--seed", help="Seed of run 0's generator; run i uses (seed, i)."),
    jobs: int = typer.Option(default_jobs(), "--jobs", help="Threads running runs in parallel."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing run folder."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar or file list."),
) -> None:
    """Run a Sutton & Barto chapter-8 experiment and check its claims.

    Prints one line per claim, [holds] or [fails], with the measured numbers; exits 0
    when all hold, 1 when any fails.
    """
    from dynalab.claims.registry import REPRODUCTIONS

    run_claims(
        REPRODUCTIONS,
        "reproduce",
        "reproduction",
        name,
        list_all,
        out,
        runs,
        seed,
        jobs,
        force,
        quiet,
    )


@app.command()
def study(
    name: str | None = typer.Argument(None, help="Which study (see --list)."),
    list_all: bool = typer.Option(False, "--list", help="List the studies."),
    out: Path | None = typer.Option(None, "--out", help="Run folder (default runs/<name>)."),
    runs: int | None = typer.Option(None, "--runs", help="Runs (default: the study's)."),
    seed: int = typer.Option(0, "--seed", help="Seed of run 0's generator; run i uses (seed, i)."),
    jobs: int = typer.Option(default_jobs(), "--jobs", help="Threads running runs in parallel."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing run folder."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar or file list."),
) -> None:
    """Run a model-error study and check its claims (same output as reproduce)."""
    from dynalab.claims.registry import STUDIES

    run_claims(STUDIES, "study", "study", name, list_all, out, runs, seed, jobs, force, quiet)


def run_claims(
    registry: dict,
    command: str,
    noun: str,
    name: str | None,
    list_all: bool,
    out: Path | None,
    runs: int | None,
    seed: int,
    jobs: int,
    force: bool,
    quiet: bool,
) -> None:
    """The body of ``reproduce`` and ``study``: run a registered experiment, write its
    run folder, print its claims, exit 1 when any fails."""
    import difflib

    from dynalab.claims.registry import write_claims_folder

    if list_all:
        table = Table(title=f"dynalab {command} NAME")
        table.add_column("NAME", style="bold")
        table.add_column("experiment")
        table.add_column("settings")
        for entry in registry.values():
            table.add_row(entry.name, entry.title, entry.settings)
        Console().print(table)
        return
    try:
        if name is None:
            raise BadInputError(f"name a {noun}: {', '.join(registry)} (or --list)")
        if name not in registry:
            close = difflib.get_close_matches(name, list(registry), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise BadInputError(f"unknown {noun} {name!r}; known: {', '.join(registry)}{hint}")
        check_positive(runs, "--runs")
        check_positive(jobs, "--jobs")
        folder = resolve_out(out, name, force)
    except BadInputError as error:
        fail(str(error))
    entry = registry[name]
    total_runs = runs or entry.runs
    console = plain_console()
    if not quiet:
        console.print(f"{entry.title}\n{entry.settings}", highlight=False)
    with progress_bar(total_runs * entry.progress_units, f"{command} {name}", quiet) as advance:
        outcome = entry.run(total_runs, seed, jobs, advance)
    write_claims_folder(entry, outcome, folder, force=force, runs=total_runs, seed=seed, jobs=jobs)
    for claim in outcome.claims:
        typer.echo(claim.line())
    if not quiet:
        console.print(f"run folder: {folder}", highlight=False)
    if not all(claim.holds for claim in outcome.claims):
        raise typer.Exit(1)


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
    summary = write_tradeoff_folder(comparison, folder, force=force, plot=not no_plot)
    console = plain_console()
    console.print(tradeoff_table(summary))
    if not quiet:
        console.print(f"run folder: {folder}")


def tradeoff_table(summary: dict) -> Table:
    """The printed trade-off: one row per agent, each cell a mean and its 95% CI."""
    runs = summary["runs"]
    table = Table(
        title=(
            f"{summary['world']}: mean [95% CI] over {runs} runs of "
            f"{summary['budget']['episodes']} episodes"
        ),
        caption=(
            f"near-optimal: {summary['near_optimal']}; steps over the (k/n) runs that got there"
        ),
    )
    longest = max((len(row["label"]) for row in summary["rows"]), default=5)
    table.add_column("agent", style="bold", no_wrap=True, min_width=longest)
    table.add_column("real steps to near-optimal (k/n)", justify="right")
    table.add_column("planning updates per run", justify="right")
    table.add_column("wall s per run", justify="right")
    for row in summary["rows"]:
        table.add_row(
            row["label"],
            f"{estimate_text(row['real_steps_to_near_optimal'])} ({row['solved_runs']}/{runs})",
            estimate_text(row["planning_updates"]),
            estimate_text(row["wall_time_s"]),
        )
    return table


def estimate_text(entry: dict | None) -> str:
    """``mean [low, high]`` from a summary estimate (or a dash when there is none:
    no entry, or a mean that is ``None`` in JSON or nan in memory)."""
    from dynalab.analysis.stats import Estimate

    if not entry or entry.get("mean") is None or math.isnan(entry["mean"]):
        return "-"
    return str(Estimate(entry["mean"], _or_nan(entry["low"]), _or_nan(entry["high"]), entry["n"]))


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else value


def summary_table(summary: dict) -> Table:
    """The printed table of a comparison: one column per agent, one row per measure,
    each cell a mean and its 95% CI across runs."""
    budget = summary["budget"]
    runs = summary["runs"]
    agents = summary["agents"]
    table = Table(
        title=f"{summary['world']}: mean [95% CI] over {runs} runs",
        caption=_caption(summary),
    )
    table.add_column("measure", style="bold")
    for label in agents:
        table.add_column(label, justify="right")
    rows: list[tuple[str, Callable[[dict], str]]] = []
    first = next(iter(agents.values()))
    if "episodes" in budget:
        for episode in _shown_episodes(list(first["steps_at_episode"])):
            rows.append((f"steps in episode {episode}", _cell("steps_at_episode", episode)))
        if summary.get("near_optimal") is not None:
            rows.append(("episodes to near-optimal", _solved_cell(runs)))
            rows.append(("real steps to near-optimal", _cell("real_steps_to_near_optimal")))
        rows.append(("mean steps per episode", _cell("area_under_curve")))
    else:
        for step in first["cumulative_reward_at_change"]:
            rows.append(
                (f"reward by step {step} (change)", _cell("cumulative_reward_at_change", step))
            )
        rows.append((f"reward by step {budget['steps']}", _cell("cumulative_reward")))
    rows.append(("planning updates", _cell("planning_updates")))
    rows.append(("wall time per run (s)", _cell("wall_time_s")))
    if _has_improvement(summary):
        rows.append((f"P(better than {summary['baseline']})", _cell("probability_of_improvement")))
    for name, cell in rows:
        table.add_row(name, *(cell(entry) for entry in agents.values()))
    return table


def _cell(key: str, inner: str | None = None) -> Callable[[dict], str]:
    def text(entry: dict) -> str:
        value = entry.get(key)
        if inner is not None and value is not None:
            value = value.get(inner)
        return estimate_text(value)

    return text


def _solved_cell(runs: int) -> Callable[[dict], str]:
    def text(entry: dict) -> str:
        solved = entry.get("solved_runs", 0)
        return f"{estimate_text(entry.get('episodes_to_near_optimal'))} ({solved}/{runs} runs)"

    return text


def _shown_episodes(reported: list[str]) -> list[str]:
    """A few columns: episodes 1, 2, 3, 5, 10 and the last one, as far as the budget goes."""
    keep = [e for e in reported if e in {"1", "2", "3", "5", "10"}]
    if reported and reported[-1] not in keep:
        keep.append(reported[-1])
    return keep


def _has_improvement(summary: dict) -> bool:
    """Whether any agent is compared with a baseline (not so when the baseline is alone)."""
    return any("probability_of_improvement" in e for e in summary["agents"].values())


def _caption(summary: dict) -> str:
    parts = []
    if summary.get("near_optimal"):
        parts.append(f"near-optimal: {summary['near_optimal']}; (k/n) runs got there")
    if _has_improvement(summary):
        agents = summary["agents"]
        measure = next(
            (
                e["probability_of_improvement"]["measure"]
                for e in agents.values()
                if "probability_of_improvement" in e
            ),
            "",
        )
        parts.append(f"P(better): probability a run beats a baseline run on {measure}")
    return "\n".join(parts)


@app.command()
def envs() -> None:
    """List the built-in worlds and the env SPEC forms."""
    from dynalab.specs.worlds import ENV_HELP

    table = Table(title="env SPECs")
    table.add_column("SPEC", style="bold")
    table.add_column("world")
    for form, description in ENV_HELP:
        table.add_row(form, description)
    Console().print(table)


@app.command()
def agents() -> None:
    """List the agents and the keys of each agent's SPEC, with their defaults."""
    from dynalab.agents.registry import REGISTRY

    table = Table(title="agents: NAME[:key=value,...]")
    table.add_column("NAME", style="bold")
    table.add_column("key", style="bold")
    table.add_column("default")
    table.add_column("what it is")
    for entry in REGISTRY.values():
        table.add_row(entry.name, "", "", entry.help, end_section=not entry.keys)
        for index, key in enumerate(entry.keys):
            last = index == len(entry.keys) - 1
            table.add_row("", key.name, str(entry.default(key)), key.help, end_section=last)
    Console().print(table)


@app.command()
def bench(
    as_json: bool = typer.Option(False, "--json", help="Print the measurements as JSON."),
    jobs: int = typer.Option(
        default_jobs(), "--jobs", help="Threads for the parallel Fig. 8.2 timing."
    ),
    quick: bool = typer.Option(
        False, "--quick", help="Smaller budgets (a smoke test, not a measurement)."
    ),
) -> None:
    """Updates per second compiled vs plain Python, compile time, Fig. 8.2 wall time."""
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


def bench_table(measured: dict, jobs: int) -> Table:
    table = Table(title="dynalab bench (Dyna maze, one thread unless said)")
    table.add_column("measure", style="bold")
    table.add_column("value", justify="right")
    compile_times = measured["compile"]
    table.add_row(
        "first run, empty numba cache (compile)", f"{compile_times['cold_compile_s']:.2f} s"
    )
    table.add_row("first run, cached", f"{compile_times['cached_first_run_s']:.2f} s")
    for label, numbers in measured["throughput"].items():
        table.add_row(
            f"{label}: compiled", f"{numbers['compiled_updates_per_s'] / 1e6:.1f} M updates/s"
        )
        table.add_row(
            f"{label}: plain Python",
            f"{numbers['plain_python_updates_per_s'] / 1e6:.3f} M updates/s",
        )
        table.add_row(f"{label}: speed-up", f"{numbers['speedup']:.0f}x")
    for label, numbers in measured.get("planners", {}).items():
        table.add_row(
            f"{label}: compiled",
            f"{numbers['updates_per_s'] / 1e6:.1f} M updates/s "
            f"({numbers['updates_per_real_step']:.0f} per real step)",
        )
    fig = measured["fig8.2"]
    table.add_row(
        "Fig. 8.2 (30 runs x 50 episodes x n=0,5,50), 1 job", f"{fig['seconds_1_job']:.3f} s"
    )
    table.add_row(f"Fig. 8.2, {jobs} jobs", f"{fig[f'seconds_{jobs}_jobs']:.3f} s")
    return table


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
