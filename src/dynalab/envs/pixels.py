"""Mazes observed as small pictures, with the exact MDP still underneath.

A maze state is a cell; its picture is an image of the whole grid, ``(rows * upscale,
cols * upscale, channels)``, one channel per kind of thing (:data:`CHANNELS`: walls,
the agent, goals, cliffs, swamps), each pixel 0 or 1. Every state has one picture, so
the pictures of all states form a table, ``frames[s]``: a network that reads pixels can
still be asked for its action in every state, and its policy evaluated exactly on the
maze's MDP. That is what no Atari or MinAtar agent can report.

:class:`PixelMazeEnv` shows a dynalab maze env (``TabularEnv``) in pictures for
Gymnasium (``dynalab/DynaMaze-pixels-v0`` and friends, registered by
:func:`dynalab.envs.gym_adapter.register_envs`); a changing maze shows the walls in force.
:func:`frames_rgb` colours pictures for people (GIFs, dream strips).
"""

from __future__ import annotations

import bisect
from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces

from dynalab.envs.maze import Maze

CHANNELS = ("wall", "agent", "goal", "cliff", "swamp")
"""What each channel of a maze picture shows, in order."""

MAX_UPSCALE = 16
"""Largest number of pixels per cell side."""

CHANNEL_COLORS = np.array(
    [(43, 43, 43), (31, 119, 180), (44, 160, 44), (192, 57, 43), (107, 107, 42)], np.uint8
)
"""The RGB colour of each channel in :func:`frames_rgb` (walls as the maze plots draw them,
the agent blue, goals green, cliffs red, swamps olive); empty pixels are white."""


def _check_upscale(upscale: int) -> None:
    if not 1 <= upscale <= MAX_UPSCALE:
        raise ValueError(f"upscale must be an integer from 1 to {MAX_UPSCALE}, got {upscale}")


def _cells(shape: tuple[int, int], cells: tuple[tuple[int, int], ...]) -> np.ndarray:
    grid = np.zeros(shape, np.float32)
    for row, col in cells:
        grid[row, col] = 1.0
    return grid


def maze_frames(maze: Maze, upscale: int = 1) -> np.ndarray:
    """``frames[s]``: the picture of ``maze`` with the agent in state ``s``'s cell.

    Shape ``(rows * cols, rows * upscale, cols * upscale, len(CHANNELS))``, float32 in
    {0, 1}. States on walls get a picture too (the agent drawn on the wall) so that the
    table covers every state index; no episode reaches them.
    """
    _check_upscale(upscale)
    shape = (maze.rows, maze.cols)
    scene = np.stack(
        [
            maze.walls.astype(np.float32),
            np.zeros(shape, np.float32),
            _cells(shape, maze.goals),
            _cells(shape, maze.cliffs),
            _cells(shape, maze.swamps),
        ],
        axis=-1,
    )
    frames = np.repeat(scene[None], maze.n_states, axis=0)
    rows, cols = np.divmod(np.arange(maze.n_states), maze.cols)
    frames[np.arange(maze.n_states), rows, cols, CHANNELS.index("agent")] = 1.0
    if upscale > 1:
        frames = frames.repeat(upscale, axis=1).repeat(upscale, axis=2)
    return frames


def frames_rgb(frames: np.ndarray) -> np.ndarray:
    """Pictures (``(..., H, W, len(CHANNELS))``, values in [0, 1]) as RGB uint8 images.

    Each pixel blends white toward each channel's colour by that channel's value, later
    channels over earlier ones, so a decoded (blurry) picture shows as a faded one.
    """
    values = np.clip(np.asarray(frames, np.float32), 0.0, 1.0)
    rgb = np.ones((*values.shape[:-1], 3), np.float32) * 255.0
    for channel in range(values.shape[-1]):
        weight = values[..., channel : channel + 1]
        rgb = rgb * (1.0 - weight) + CHANNEL_COLORS[channel] * weight
    return np.round(rgb).astype(np.uint8)


class PixelMazeEnv(gymnasium.Env[np.ndarray, int]):
    """A dynalab maze env whose observations are pictures of the maze in force.

    ``tabular`` is a :class:`~dynalab.envs.gym_adapter.TabularEnv` over ``mazes`` (one
    maze, or a changing maze's mazes with their ``switch_steps``); it draws every outcome,
    so the pictures follow the same numbers as the tabular env for the same seed. The
    picture after a step shows the maze in force for the next real step, as the tabular
    env's own world is. ``render_mode="rgb_array"`` renders the current picture in colour.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(
        self,
        tabular: gymnasium.Env,
        mazes: tuple[Maze, ...],
        switch_steps: tuple[int, ...] = (0,),
        upscale: int = 1,
        render_mode: str | None = None,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or 'rgb_array', got {render_mode!r}")
        self.render_mode = render_mode
        self.tabular = tabular
        self.tables = tuple(maze_frames(maze, upscale) for maze in mazes)
        self.switch_steps = tuple(switch_steps)
        self.observation_space = spaces.Box(0.0, 1.0, self.tables[0].shape[1:], np.float32)
        self.action_space = tabular.action_space
        self.frame: np.ndarray | None = None

    def _picture(self, state: int) -> np.ndarray:
        phase = bisect.bisect_right(self.switch_steps, self.tabular.total_steps) - 1
        self.frame = self.tables[phase][int(state)]
        return self.frame.copy()

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start an episode; the info carries the MDP ``state`` under the picture."""
        super().reset(seed=seed)
        state, info = self.tabular.reset(seed=seed, options=options)
        return self._picture(state), {**info, "state": state}

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """One step of the tabular env, its state shown as a picture."""
        state, reward, terminated, truncated, info = self.tabular.step(action)
        return self._picture(state), reward, terminated, truncated, {**info, "state": state}

    def render(self) -> np.ndarray | None:
        """The current picture as an RGB uint8 image (``render_mode="rgb_array"``)."""
        if self.render_mode != "rgb_array" or self.frame is None:
            return None
        return frames_rgb(self.frame)


def make_pixel_env(world: str, upscale: int = 1, render_mode: str | None = None) -> gymnasium.Env:
    """A builtin maze world (by name) observed in pictures; the entry point of the
    ``dynalab/...-pixels-v0`` ids."""
    from dynalab.envs.builtin import BUILTIN_WORLDS, ChangingMaze
    from dynalab.envs.gym_adapter import UnsupportedEnvError, make_builtin_env

    if world not in BUILTIN_WORLDS:
        known = ", ".join(sorted(BUILTIN_WORLDS))
        raise UnsupportedEnvError(f"no builtin world {world!r}; known worlds: {known}")
    _check_upscale(upscale)
    built = BUILTIN_WORLDS[world].factory()
    if isinstance(built, ChangingMaze):
        mazes, switch_steps = built.mazes, built.switch_steps
    else:
        mazes, switch_steps = (built,), (0,)
    return PixelMazeEnv(make_builtin_env(world), mazes, switch_steps, upscale, render_mode)
