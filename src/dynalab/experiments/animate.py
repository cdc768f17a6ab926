"""``dynalab animate``: one run per agent on a maze, side by side, as a moving picture.

Each agent runs once (run 0 of the seed: the first run ``dynalab compare --seed`` reports)
in the compiled loop with frame recording on (``dynalab.run.recording``); the panels then
advance on one real-step clock, so at any frame both agents have taken the same number of
real steps, and an agent whose run is over stays on its last frame. The default is the
book's Fig. 8.3 story moving: the Dyna maze, Q-learning against Dyna-Q with n = 50, the
first two episodes. Frames are spaced so the animation has about
:data:`TARGET_FRAMES` of them unless ``every`` is given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dynalab.envs.mdp import ArrayMDP
from dynalab.experiments.figures import greedy_action_mask
from dynalab.plots.animation import AnimationPanel, maze_animation, save_animation
from dynalab.run.recording import Frames, record_run
from dynalab.specs.agents import AgentSpec
from dynalab.specs.worlds import World

DEFAULT_ANIMATION_AGENTS = ("q-learning", "dyna-q:n=50")
DEFAULT_ANIMATION_EPISODES = 2
TARGET_FRAMES = 120
"""Frames of an animation when ``every`` is not given: at 8 frames per second, 15 s."""
MAX_FRAMES = 2000
"""Most frames one run records (a larger request is refused before anything runs)."""
FRAMES_PER_SECOND = 8.0
DEFAULT_NEURAL_STEPS = 5000
"""Real steps of a run when a JAX agent is among the agents and no budget is given: they
train for a number of steps, not episodes, so every agent gets that budget."""


@dataclass(frozen=True)
class Animation:
    """What :func:`animate` wrote: the file, its frame count and spacing, and each
    agent's real steps and planning updates at its run's end."""

    path: Path
    frames: int
    every: int
    totals: dict[str, tuple[int, int]]


def maze_world_problem(world: World, agents: list[AgentSpec] = ()) -> str | None:
    """Why ``world`` cannot be animated with ``agents`` (no maze to draw, or a JAX agent
    on a maze that changes), or None."""
    if world.maze is None:
        return f"--env {world.spec!r} is not a maze; dynalab animate draws mazes (see dynalab envs)"
    for agent in agents:
        if agent.config.backend != "tabular" and world.changing is not None:
            return (
                f"--agents {agent.label!r}: the {agent.config.backend} agents learn on static "
                f"mazes; --env {world.spec!r} changes"
            )
    return None


def needs_step_budget(agents: list[AgentSpec]) -> bool:
    """Whether some agent trains for a number of real steps only (the JAX agents)."""
    return any(agent.config.backend != "tabular" for agent in agents)


def animate(
    world: World,
    agents: list[AgentSpec],
    out: Path,
    *,
    seed: int = 0,
    episodes: int | None = None,
    steps: int | None = None,
    every: int | None = None,
) -> Animation:
    """Record and draw one run of each agent on the maze ``world``; write ``out``
    (``.gif`` or ``.html``). Give at most one budget (default: the first two episodes)."""
    if episodes is None and steps is None:
        if needs_step_budget(agents):
            steps = DEFAULT_NEURAL_STEPS
        else:
            episodes = DEFAULT_ANIMATION_EPISODES
    budget = {"episodes": episodes, "steps": steps}
    tabular = [agent for agent in agents if agent.config.backend == "tabular"]
    if every is None:
        lengths = [steps or 0] + [
            record_run(
                world.schedule, agent.config, seed=seed, every=1 << 40, max_frames=2, **budget
            )[1]
            for agent in tabular
        ]
        every = max(1, math.ceil(max(lengths) / TARGET_FRAMES))
    runs = {}
    for agent in agents:
        if agent.config.backend == "tabular":
            frames, _ = record_run(
                world.schedule,
                agent.config,
                seed=seed,
                every=every,
                max_frames=MAX_FRAMES,
                **budget,
            )
        else:
            frames = neural_frames(world, agent, seed=seed, steps=steps, every=every)
        runs[agent.label] = frames
    clock = np.unique(np.concatenate([frames.real_step for frames in runs.values()]))
    counters = {
        agent.label: "planning updates"
        if agent.config.backend == "tabular"
        else "simulated transitions"
        for agent in agents
    }
    evaluated = {agent.label for agent in agents if agent.config.backend != "tabular"}
    panels = [
        _panel(
            label,
            frames,
            clock,
            counters[label],
            world.schedule.first if label in evaluated else None,
        )
        for label, frames in runs.items()
    ]
    mazes = world.changing.mazes if world.changing is not None else (world.maze,)
    title = (
        f"{world.name}: greedy policy over V = max_a Q, seed {seed}, a frame every {every} "
        "real steps (red squares: values changed since the last frame)"
    )
    path = save_animation(maze_animation(mazes, panels, title=title), out, FRAMES_PER_SECOND)
    totals = {
        label: (int(frames.real_step[-1]), int(frames.planning_updates[-1]))
        for label, frames in runs.items()
    }
    return Animation(path=path, frames=len(clock), every=every, totals=totals)


def neural_frames(world: World, agent: AgentSpec, *, seed: int, steps: int, every: int) -> Frames:
    """Frames of a JAX agent's run 0 of ``seed`` on the maze seen as the spec says: Q of every
    cell from the network at each evaluation point (every ``every`` real steps, which
    round ``steps`` up to a multiple). The frames have no agent position (-1): a network's
    values are read off after the steps, not while acting; the panel draws instead the
    greedy evaluation episode of each point (:func:`greedy_path`). ``planning_updates`` counts
    the simulated transitions a dyna-dqn stored (0 for dqn)."""
    from dynalab.deep.agents.dqn import dqn_config
    from dynalab.deep.budget import Budget
    from dynalab.deep.runs import train_runs
    from dynalab.deep.tabular import maze_world

    total = every * math.ceil(steps / every)
    _, metrics = train_runs(
        maze_world(world.maze, world.observation, world.upscale),
        dqn_config(agent.config),
        Budget(total, every, eval_episodes=1),
        seed=seed,
        runs=1,
    )
    points = metrics["env_step"].shape[-1]
    simulated = metrics.get("simulated")
    planned = np.zeros(points, np.int64) if simulated is None else np.cumsum(simulated[0])
    return Frames(
        q=np.asarray(metrics["q_table"][0], dtype=float),
        real_step=np.asarray(metrics["env_step"][0], dtype=np.int64),
        planning_updates=planned.astype(np.int64),
        world=np.zeros(points, np.int64),
        episodes=np.asarray(metrics["train_episodes"][0], dtype=np.int64),
        state=np.full(points, -1, np.int64),
    )


def greedy_path(mdp: ArrayMDP, q: np.ndarray, cap: int) -> np.ndarray:
    """The cells a greedy evaluation episode visits from the start (the most likely start
    and outcome where there are several), ties to the lowest action as the JAX
    evaluation breaks them, until it ends or ``cap`` steps."""
    state = int(np.argmax(mdp.start_prob))
    visited = [state]
    for _ in range(cap):
        action = int(np.argmax(q[state]))
        outcome = int(np.argmax(mdp.prob[state, action]))
        if mdp.terminal[state, action, outcome]:
            visited.append(int(mdp.next_state[state, action, outcome]))
            break
        state = int(mdp.next_state[state, action, outcome])
        visited.append(state)
    return np.asarray(visited, dtype=np.int64)


def _panel(
    label: str,
    frames: Frames,
    clock: np.ndarray,
    counter: str,
    evaluated_on: ArrayMDP | None = None,
) -> AnimationPanel:
    """The frames of one run on the shared clock: at each tick, its latest frame; with
    ``evaluated_on`` (frames that are evaluation points), each frame's greedy evaluation
    episode on that MDP as a path."""
    index = np.searchsorted(frames.real_step, clock, side="right") - 1
    q = frames.q[index]
    last = len(frames) - 1
    captions = []
    for i in index:
        counters = f"real steps {frames.real_step[i]:,}  {counter} {frames.planning_updates[i]:,}"
        if i == last:
            captions.append(f"{counters}  (run over: {frames.episodes[i]} episodes)")
        else:
            captions.append(f"{counters}  episode {frames.episodes[i] + 1}")
    changed = np.zeros(q.shape[:2], dtype=bool)
    changed[1:] = np.any(q[1:] != q[:-1], axis=2)
    return AnimationPanel(
        label=label,
        values=q.max(axis=2),
        greedy=np.stack([greedy_action_mask(table) for table in q]),
        state=frames.state[index],
        caption=captions,
        world=frames.world[index],
        changed=changed,
        path=None
        if evaluated_on is None
        else [greedy_path(evaluated_on, table, evaluated_on.n_states) for table in q],
    )
