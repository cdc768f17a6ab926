"""What one compiled run is given and what it writes: the world's arrays (:data:`World`),
when it stops (:data:`Budget`) and its preallocated output (:data:`RunLog`).

The compiled loops (:mod:`dynalab.run.loop`) fill a :data:`RunLog` and never print or
log anything; :mod:`dynalab.run.runner` turns it into results.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from dynalab.run.frames import FRAME_INFO

RunLog = namedtuple(
    "RunLog",
    [
        "episode_steps",  # int64 [E]: real steps in each completed episode
        "episode_return",  # float64 [E]: undiscounted sum of rewards of each episode
        "real_steps",  # int64 [E]: real steps taken up to the end of each episode
        "planning_updates",  # int64 [E]: planning updates made up to the end of each episode
        "greedy_value",  # float64 [E]: true value of the greedy policy at episode end (nan: off)
        "believed_value",  # float64 [E]: the agent's own value of the start, max_a Q (nan: off)
        "model_error",  # float64 [E]: visitation-weighted TV distance of the model (nan: off)
        "reward_error",  # float64 [E]: visitation-weighted |expected reward error| (nan: off)
        "cumulative_reward",  # float64 [T // record_every]: running reward total, every k steps
        "frames_q",  # float64 [F, S, A]: Q every budget.frame_every real steps (F = 0: off)
        "frames_info",  # int64 [F, 5]: each frame's FRAME_INFO (dynalab.run.frames)
        "totals",  # int64 [5]: episodes completed, real steps, planning updates, path found,
        # frames recorded
    ],
)


def empty_log(
    max_episodes: int, n_records: int, n_frames: int = 0, n_states: int = 0, n_actions: int = 0
) -> RunLog:
    """Output arrays for one run, sized for at most ``max_episodes`` completed episodes
    and ``n_frames`` recorded frames of a ``n_states`` x ``n_actions`` Q table."""
    return RunLog(
        episode_steps=np.zeros(max_episodes, dtype=np.int64),
        episode_return=np.zeros(max_episodes),
        real_steps=np.zeros(max_episodes, dtype=np.int64),
        planning_updates=np.zeros(max_episodes, dtype=np.int64),
        greedy_value=np.full(max_episodes, np.nan),
        believed_value=np.full(max_episodes, np.nan),
        model_error=np.full(max_episodes, np.nan),
        reward_error=np.full(max_episodes, np.nan),
        cumulative_reward=np.zeros(n_records),
        frames_q=np.zeros((n_frames, n_states, n_actions)),
        frames_info=np.zeros((n_frames, len(FRAME_INFO)), dtype=np.int64),
        totals=np.zeros(5, dtype=np.int64),
    )


World = tuple[np.ndarray, ...]
"""``WorldSchedule.stacked()``: next_state, prob, reward, terminal, start_prob, max_steps,
switch_steps, each with a leading axis over the worlds of the schedule."""

Budget = namedtuple(
    "Budget",
    ["episodes", "steps", "evaluate", "record_every", "path_limit", "frame_every"],
    defaults=(0,),
)
"""When a run stops (0: no limit of that kind), whether to evaluate the greedy policy at
each episode's end, every how many real steps to record the cumulative reward,
``path_limit``: when > 0, the run also stops at the end of the first episode after which
the greedy path from the start reaches the goal within that many moves (Example 8.4),
and ``frame_every``: when > 0, a frame (Q and where the agent is) is recorded before
every real step whose index is a multiple of it, and once more at the run's end, while
the log has room (``dynalab.run.frames``)."""
