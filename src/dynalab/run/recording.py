"""One run with its frames: what ``dynalab animate`` draws, from the compiled loop.

:func:`record_run` runs an agent once (run 0 of ``seed``, the same run ``dynalab
compare --seed`` reports first) with frame recording switched on and returns the
frames as arrays (:class:`Frames`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dynalab.agents.config import AgentConfig
from dynalab.envs.mdp import ArrayMDP, WorldSchedule, as_schedule
from dynalab.run.frames import FRAME_INFO
from dynalab.run.runner import DEFAULT_STEP_LIMIT, run_single
from dynalab.run.seeds import run_seeds


@dataclass(frozen=True)
class Frames:
    """A run's frames: ``q[f]`` is Q when frame ``f`` was taken; the other arrays are
    :data:`~dynalab.run.frames.FRAME_INFO`, one entry per frame."""

    q: np.ndarray
    real_step: np.ndarray
    planning_updates: np.ndarray
    world: np.ndarray
    episodes: np.ndarray
    state: np.ndarray

    def __len__(self) -> int:
        return self.q.shape[0]


def record_run(
    world: ArrayMDP | WorldSchedule,
    agent: AgentConfig,
    *,
    seed: int,
    every: int,
    episodes: int | None = None,
    steps: int | None = None,
    max_frames: int = 1000,
) -> tuple[Frames, int]:
    """Run 0 of ``seed`` with a frame every ``every`` real steps (at most
    ``max_frames``, the last at the run's end); returns the frames and the run's real
    steps. Give exactly one budget, as for ``dynalab.run.runner.run_agent``."""
    if (episodes is None) == (steps is None):
        raise ValueError("give exactly one budget: episodes or steps")
    if every < 1 or max_frames < 2:
        raise ValueError(f"need every >= 1 and max_frames >= 2, got {every} and {max_frames}")
    arrays = as_schedule(world).stacked()
    log, _, _ = run_single(
        arrays,
        agent,
        run_seeds(seed, 1)[0],
        episodes or 0,
        steps if steps is not None else DEFAULT_STEP_LIMIT,
        max_episodes=episodes if episodes is not None else steps,
        frame_every=every,
        n_frames=max_frames,
    )
    count = int(log.totals[4])
    info = log.frames_info[:count]
    columns = {name: info[:, i].copy() for i, name in enumerate(FRAME_INFO)}
    return Frames(q=log.frames_q[:count].copy(), **columns), int(log.totals[1])
