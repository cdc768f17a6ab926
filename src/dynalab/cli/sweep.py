"""``dynalab sweep FILE.toml``: run a sweep (resumable), print its best settings."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from dynalab.cli.app import app
from dynalab.cli.common import BadInputError, check_positive, command_line, fail, plain_console
from dynalab.cli.report import REPORT_HELP, report_after_run
from dynalab.cli.tables import grid_table
from dynalab.experiments.summary_grid import sweep_grid
from dynalab.runfolder import write_config


@app.command()
def sweep(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="The sweep file (TOML; see --example)."),
    example: bool = typer.Option(False, "--example", help="Print a commented sweep file."),
    out: Path | None = typer.Option(None, "--out", help="Sweep folder (default runs/<stem>)."),
    backend: str = typer.Option("local", "--backend", help="Where cells run: local or ray."),
    address: str | None = typer.Option(
        None, "--address", help="Ray cluster to join: auto or HOST:PORT (default: a local Ray)."
    ),
    jobs: int = typer.Option(
        1, "--jobs", help="Processes running cells at once (a local Ray's CPUs)."
    ),
    force: bool = typer.Option(False, "--force", help="Start a folder of another sweep over."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
    with_report: bool = typer.Option(False, "--report", help=REPORT_HELP),
) -> None:
    """Run every world x agent setting of a sweep file, each cell's runs from its own
    seed; finished cells are kept, so rerunning the command resumes."""
    from dynalab.experiments.sweep.file import EXAMPLE, SweepFileError, read_sweep_file
    from dynalab.experiments.sweep.folder import SweepFolderError, prepare_sweep_folder
    from dynalab.experiments.sweep.ray_backend import RayUnavailableError
    from dynalab.experiments.sweep.run import BACKENDS, cell_count, run_sweep, summarize_sweep

    if example:
        typer.echo(EXAMPLE, nl=False)
        return
    try:
        if file is None:
            raise BadInputError("name a sweep file (dynalab sweep --example prints one)")
        check_positive(jobs, "--jobs")
        if backend not in BACKENDS:
            raise BadInputError(f"--backend {backend!r}: known backends: {', '.join(BACKENDS)}")
        if address is not None and backend != "ray":
            raise BadInputError("--address is for --backend ray")
        if backend == "ray":
            check_ray_extra()
        spec = read_sweep_file(file)
        folder = out if out is not None else Path("runs") / file.stem
        finished = prepare_sweep_folder(folder, spec, file.read_text(encoding="utf-8"), force)
    except (BadInputError, SweepFileError, SweepFolderError) as error:
        fail(str(error))
    config = {"command": "sweep", "file": str(file), "backend": backend, "jobs": jobs}
    write_config(folder, {**config, "sweep": spec.to_dict(), "argv": command_line(ctx)})
    total = cell_count(spec)
    console = plain_console()
    if not quiet:
        console.print(
            f"{total} cells (the grid, then each agent's best setting at fresh seeds) x "
            f"{spec.runs} runs; {len(finished)} already finished in {folder}",
            highlight=False,
        )
    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    progress = Progress(*columns, console=plain_console(stderr=True), transient=True, disable=quiet)
    with progress:
        task = progress.add_task(f"sweep {file.name}", total=total, completed=len(finished))
        try:
            results = run_sweep(
                spec,
                folder,
                finished,
                jobs=jobs,
                backend=backend,
                address=address,
                on_cell_done=lambda _: progress.advance(task),
            )
        except RayUnavailableError as error:
            fail(str(error))
    Console().print(grid_table(sweep_grid(summarize_sweep(spec, results))))
    if not quiet:
        console.print(f"sweep folder: {folder}", highlight=False)
    if with_report:
        report_after_run(folder, quiet)


def check_ray_extra() -> None:
    """:class:`BadInputError` when Ray (the ``ray`` extra) is not installed."""
    try:
        import ray  # noqa: F401
    except ImportError:
        raise BadInputError(
            "--backend ray needs ray, which is not installed: pip install 'dynalab[ray]' "
            "(make test installs it)"
        ) from None
