"""Frames of a run: the Q table and the agent's position every k real steps, recorded by
the compiled loop itself, for animations (``dynalab animate``).

A frame is taken before the real step whose index is a multiple of ``frame_every``
(so frame 0 is the empty table at the first start) and once more when the run ends. It
holds a copy of Q and :data:`FRAME_INFO`. The loop that learns is the one that records:
no second implementation replays the run, so an animation shows exactly what
``dynalab compare`` measures for the same seed.
"""

from __future__ import annotations

import numpy as np
from numba import njit

FRAME_INFO = ("real_step", "planning_updates", "world", "episodes", "state")
"""Columns of ``RunLog.frames_info``: real steps taken, planning updates made, the index
of the world in force, episodes completed, and the state the agent is in."""


@njit(cache=True, nogil=True, inline="always")
def record_frame(
    log,  # noqa: ANN001 - RunLog
    frame: int,
    q_values: np.ndarray,
    state: int,
    real_step: int,
    planning_updates: int,
    world: int,
    episodes: int,
) -> int:
    """Write frame ``frame`` into ``log`` if it has room; returns the frames recorded."""
    if frame >= log.frames_q.shape[0]:
        return frame
    log.frames_q[frame] = q_values
    log.frames_info[frame, 0] = real_step
    log.frames_info[frame, 1] = planning_updates
    log.frames_info[frame, 2] = world
    log.frames_info[frame, 3] = episodes
    log.frames_info[frame, 4] = state
    return frame + 1
