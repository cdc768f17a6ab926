"""``dynalab reproduce`` and ``dynalab study``: run a registered experiment
(``dynalab.claims.registry``), write its run folder, print its claims."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from dynalab.cli.app import app
from dynalab.cli.common import (
    BadInputError,
    check_deep_extra,
    check_positive,
    command_line,
    default_jobs,
    fail,
    plain_console,
    progress_bar,
    resolve_out,
)
from dynalab.cli.report import REPORT_HELP, report_after_run
from dynalab.cli.tables import claims_table


@app.command()
def reproduce(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="Which book experiment (see --list)."),
    list_all: bool = typer.Option(False, "--list", help="List the reproductions."),
    out: Path | None = typer.Option(None, "--out", help="Run folder (default runs/<name>)."),
    runs: int | None = typer.Option(None, "--runs", help="Runs (default: the book setting)."),
    seed: int = typer.Option(0, "--seed", help="Seed of run 0's generator; run i uses (seed, i)."),
    jobs: int = typer.Option(default_jobs(), "--jobs", help="Threads running runs in parallel."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing run folder."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar or file list."),
    with_report: bool = typer.Option(False, "--report", help=REPORT_HELP),
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
        argv=command_line(ctx),
        with_report=with_report,
    )


@app.command()
def study(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="Which study (see --list)."),
    list_all: bool = typer.Option(False, "--list", help="List the studies."),
    out: Path | None = typer.Option(None, "--out", help="Run folder (default runs/<name>)."),
    runs: int | None = typer.Option(None, "--runs", help="Runs (default: the study's)."),
    seed: int = typer.Option(0, "--seed", help="Seed of run 0's generator; run i uses (seed, i)."),
    jobs: int = typer.Option(default_jobs(), "--jobs", help="Threads running runs in parallel."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing run folder."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar or file list."),
    with_report: bool = typer.Option(False, "--report", help=REPORT_HELP),
) -> None:
    """Run a model-error study and check its claims (same output as reproduce)."""
    from dynalab.claims.registry import STUDIES

    run_claims(
        STUDIES,
        "study",
        "study",
        name,
        list_all,
        out,
        runs,
        seed,
        jobs,
        force,
        quiet,
        argv=command_line(ctx),
        with_report=with_report,
    )


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
    *,
    argv: list[str],
    with_report: bool,
) -> None:
    """The body of ``reproduce`` and ``study``: run a registered experiment, write its
    run folder (and, ``with_report``, its report), print its claims, exit 1 when any
    fails."""
    import difflib

    from dynalab.claims.registry import write_claims_folder

    if list_all:
        Console().print(claims_table(command, registry))
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
        if registry[name].backend == "jax":
            check_deep_extra(f"{command} {name}")
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
    write_claims_folder(
        entry, outcome, folder, force=force, runs=total_runs, seed=seed, jobs=jobs, argv=argv
    )
    for claim in outcome.claims:
        typer.echo(claim.line())
    if not quiet:
        console.print(f"run folder: {folder}", highlight=False)
    if with_report:
        report_after_run(folder, quiet)
    if not all(claim.holds for claim in outcome.claims):
        raise typer.Exit(1)
