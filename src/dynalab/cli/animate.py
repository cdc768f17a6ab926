"""``dynalab animate``: one run per agent on a maze, side by side, as a GIF or a page."""

from __future__ import annotations

from pathlib import Path

import typer

from dynalab.cli.app import app
from dynalab.cli.common import (
    BadInputError,
    agent_spec_words,
    check_positive,
    fail,
    plain_console,
    slug,
)


@app.command(context_settings={"allow_extra_args": True})
def animate(
    ctx: typer.Context,
    env: str = typer.Option("dyna-maze", "--env", help="A maze world: built-in name or maze:PATH."),
    agents: list[str] | None = typer.Option(
        None, "--agents", help="Agent SPECs (default: q-learning dyna-q:n=50)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed: each agent's run 0, as compare's."),
    episodes: int | None = typer.Option(None, "--episodes", help="Episodes per run (default 2)."),
    steps: int | None = typer.Option(None, "--steps", help="Real steps per run instead."),
    every: int | None = typer.Option(
        None, "--every", help="Real steps between frames (default: about 120 frames)."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="FILE.gif, FILE.html (the GIF in a page) or FILE.png (a strip of 4 frames); "
        "default runs/animate-<env>.gif.",
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Animate learning on a maze: values, greedy arrows and the agent, frame by frame.

    One run per agent, side by side on one real-step clock, each panel with its
    real-step and planning-update counters; red squares mark the cells whose values
    changed since the previous frame. Default: the first two episodes of the Dyna maze,
    Q-learning against Dyna-Q with n = 50 (Sutton & Barto Fig. 8.3, moving). The JAX
    agents (dqn, dyna-dqn) learn on the maze's one-hot cells for --steps real steps
    (default 5000); their frames are the network's Q of every cell at each evaluation.
    """
    from dynalab.experiments.animate import (
        DEFAULT_ANIMATION_AGENTS,
        MAX_FRAMES,
        maze_world_problem,
        needs_step_budget,
    )
    from dynalab.experiments.animate import (
        animate as animate_runs,
    )
    from dynalab.plots.animation import ANIMATION_SUFFIXES
    from dynalab.specs.agents import parse_agent_specs
    from dynalab.specs.text import SpecError
    from dynalab.specs.worlds import parse_env_spec

    try:
        specs = agent_spec_words(ctx, agents)
        for value, option in ((episodes, "--episodes"), (steps, "--steps"), (every, "--every")):
            check_positive(value, option)
        if episodes is not None and steps is not None:
            raise BadInputError("give either --episodes or --steps, not both")
        if steps is not None and every is not None and steps // every + 2 > MAX_FRAMES:
            raise BadInputError(
                f"--steps {steps} with --every {every} makes more than {MAX_FRAMES} frames; "
                "raise --every"
            )
        target = out if out is not None else Path("runs") / f"animate-{slug(env)}.gif"
        if target.suffix.lower() not in ANIMATION_SUFFIXES:
            raise BadInputError(f"--out {target}: an animation is a .gif, .html or .png file")
        if target.is_dir():
            raise BadInputError(f"--out {target} is a folder; give FILE.gif, .html or .png")
        if target.exists() and not force:
            raise BadInputError(f"{target} already exists; use --force to overwrite it")
        world = parse_env_spec(env)
        agent_specs = parse_agent_specs(specs or list(DEFAULT_ANIMATION_AGENTS))
        problem = maze_world_problem(world, agent_specs)
        if problem is not None:
            raise BadInputError(problem)
        if episodes is not None and needs_step_budget(agent_specs):
            raise BadInputError(
                "--episodes: the jax agents train for a number of real steps; give --steps"
            )
    except (SpecError, BadInputError) as error:
        fail(str(error))
    result = animate_runs(
        world, agent_specs, target, seed=seed, episodes=episodes, steps=steps, every=every
    )
    console = plain_console()
    for label, (real, planning) in result.totals.items():
        console.print(f"{label}: {real:,} real steps, {planning:,} planning updates")
    console.print(
        f"wrote {result.path}: {result.frames} frames, one every {result.every} real steps"
    )
