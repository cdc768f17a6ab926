"""How a table world shows its state to a network: observation views of mazes and MDPs.

A view is a table ``table[s]``, the float32 observation of state ``s``, so that a network
can be asked about every state and its policy evaluated exactly on the MDP underneath:

* ``one-hot`` - the state's indicator vector (a table in disguise: a linear Q-network on it
  *is* a Q table); any array MDP;
* ``coords`` - a maze cell's ``(row, col)``, each scaled to [0, 1], so that nearby cells
  look alike and the network must generalise;
* ``pixels`` - a picture of the maze with the agent in the cell
  (:func:`dynalab.envs.pixels.maze_frames`), ``upscale`` pixels per cell side.
"""

from __future__ import annotations

import numpy as np

from dynalab.envs.maze import Maze
from dynalab.envs.pixels import maze_frames

OBSERVATIONS = ("one-hot", "coords", "pixels")
"""How a maze can show its state to a network; an array MDP without a grid shows one-hot."""


def one_hot_observations(n_states: int) -> np.ndarray:
    """``table[s]``: state ``s``'s indicator vector, float32."""
    return np.eye(n_states, dtype=np.float32)


def maze_observations(maze: Maze, observation: str = "one-hot", upscale: int = 1) -> np.ndarray:
    """``table[s]``: the float32 observation of ``maze``'s state ``s`` (module docstring).

    ``upscale`` only applies to pixels. Raises ValueError for an unknown observation.
    """
    if observation == "one-hot":
        return one_hot_observations(maze.n_states)
    if observation == "coords":
        row, col = np.divmod(np.arange(maze.n_states), maze.cols)
        scaled = np.stack([row / max(maze.rows - 1, 1), col / max(maze.cols - 1, 1)], axis=1)
        return scaled.astype(np.float32)
    if observation == "pixels":
        return maze_frames(maze, upscale)
    raise ValueError(f"observation must be one of {', '.join(OBSERVATIONS)}, got {observation!r}")
