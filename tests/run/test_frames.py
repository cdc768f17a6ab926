"""Frames recorded by the compiled loop: the run they show is the run compare reports."""

import numpy as np
import pytest

from dynalab.agents.config import AgentConfig, dyna_q, q_learning
from dynalab.envs.builtin import blocking_maze, dyna_maze
from dynalab.run.recording import record_run
from dynalab.run.runner import run_agent

AGENTS = [
    q_learning(),
    dyna_q(10),
    AgentConfig(name="prioritized-sweeping", planning_steps=5),
]


@pytest.mark.parametrize("agent", AGENTS, ids=lambda a: a.name)
def test_frames_end_on_the_run_that_compare_reports(agent: AgentConfig) -> None:
    """Recording frames changes nothing: the last frame's Q, real steps and planning
    updates are run 0's of run_agent with the same seed."""
    world = dyna_maze().to_mdp()
    frames, real_steps = record_run(world, agent, seed=3, every=7, episodes=3)
    result = run_agent(world, agent, episodes=3, runs=1, seed=3)
    assert real_steps == result.total_real_steps[0]
    assert np.array_equal(frames.q[-1], result.final_q[0])
    assert frames.real_step[-1] == real_steps
    assert frames.planning_updates[-1] == result.total_planning_updates[0]
    assert frames.episodes[-1] == 3
    # frame k before real step 7k, the last at the run's end; Q starts empty
    assert frames.real_step[:-1].tolist() == list(range(0, real_steps, 7))
    assert not frames.q[0].any()
    assert frames.state[0] == world.start_prob.argmax()
    goal = dyna_maze().state(*dyna_maze().goals[0])
    assert frames.state[-1] == goal


def test_a_full_frame_log_stops_recording_but_not_the_run() -> None:
    world = dyna_maze().to_mdp()
    frames, real_steps = record_run(world, dyna_q(5), seed=0, every=1, episodes=2, max_frames=10)
    result = run_agent(world, dyna_q(5), episodes=2, runs=1, seed=0)
    assert len(frames) == 10
    assert frames.real_step.tolist() == list(range(10))
    assert real_steps == result.total_real_steps[0] > 10


def test_frames_follow_the_world_in_force() -> None:
    """On the blocking maze the frames' world index turns from 0 to 1 at step 1000."""
    schedule = blocking_maze().to_schedule()
    frames, _ = record_run(schedule, dyna_q(5, alpha=1.0), seed=0, every=100, steps=1500)
    assert frames.real_step.tolist() == list(range(0, 1501, 100))
    assert frames.world.tolist() == [0] * 10 + [1] * 6


def test_a_run_needs_exactly_one_budget() -> None:
    with pytest.raises(ValueError, match="exactly one budget"):
        record_run(dyna_maze().to_mdp(), q_learning(), seed=0, every=5)
