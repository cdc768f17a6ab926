"""What every ``dynalab`` command shares: the one-line error, progress bars, run folders.

Every bad input ends the same way: one line on stderr naming what is wrong, exit
status 2, no traceback, and nothing written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from dynalab.experiments.compare import Comparison
    from dynalab.specs.agents import AgentSpec
    from dynalab.specs.worlds import World

DEFAULT_AGENTS = ("q-learning", "dyna-q:n=5", "dyna-q:n=50")
DEFAULT_NEURAL_AGENTS = ("dqn", "dyna-dqn")
"""``dynalab compare``'s agents on a world with vector observations."""
DEFAULT_NEURAL_RUNS = 10
DEFAULT_NEURAL_STEPS = 30_000
"""Real steps per run of ``dynalab compare`` with jax agents: the model-error study's
budget, in which dqn solves CartPole in most runs, and what dqn's defaults need on the
pixel Dyna maze (10 of 10 runs at the goal; 6 of 10 at 10,000 steps)."""


EXIT_BAD_INPUT = 2


class BadInputError(Exception):
    """Input the user can fix; its message is the one line they see."""


def fail(message: str) -> NoReturn:
    typer.echo(f"dynalab: error: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def check_deep_extra(what: str) -> None:
    """:class:`BadInputError` when JAX (the ``deep`` extra) is not installed: ``what``
    needs it."""
    try:
        import jax  # noqa: F401
    except ImportError:
        raise BadInputError(
            f"{what} runs on jax, which is not installed: pip install 'dynalab[deep]' "
            "(make demo and make test install it)"
        ) from None


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


def check_tabular(agent_specs: list[AgentSpec], command: str) -> None:
    """Refuse, in one line, an agent computed by another backend: ``dynalab COMMAND``
    runs the compiled tabular loops only (the JAX agents are not wired into it yet)."""
    for spec in agent_specs:
        if spec.config.backend != "tabular":
            raise BadInputError(
                f"--agents {spec.label!r}: {spec.config.name} runs on the "
                f"{spec.config.backend} backend, which dynalab {command} does not run yet"
            )


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


def command_line(ctx: typer.Context) -> list[str]:
    """The command line that ran ``ctx``'s command, as words, for ``config.json``:
    ``dynalab``, the command, then each argument and option the user gave (defaults
    left out) in the command's order, with the values as parsed; the extra agent SPECs
    typed after ``--agents`` follow its values."""
    words = ["dynalab", str(ctx.info_name)]
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name)
        if source is None or source.name != "COMMANDLINE":
            continue
        value = ctx.params[param.name]
        if param.param_type_name == "argument":
            words.append(str(value))
        elif getattr(param, "is_flag", False):
            words.append(param.opts[0])
        elif param.multiple:
            words += [param.opts[0], *map(str, value), *ctx.args]
        else:
            words += [param.opts[0], str(value)]
    return words
