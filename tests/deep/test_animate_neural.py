"""`dynalab animate` with a JAX agent: its frames are the network's Q at each evaluation."""

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dynalab.cli import app

jax = pytest.importorskip("jax")

RUNNER = CliRunner(env={"COLUMNS": "200"})
SMALL = "dqn:hidden=16,buffer=200,batch=16,learning_starts=50"


def test_neural_frames_are_the_runs_recorded_q_tables() -> None:
    from dynalab.deep.agents.dqn import dqn_config
    from dynalab.deep.budget import Budget
    from dynalab.deep.runs import train_runs
    from dynalab.deep.tabular import maze_world
    from dynalab.experiments.animate import neural_frames
    from dynalab.specs.agents import parse_agent_specs
    from dynalab.specs.worlds import parse_env_spec

    world = parse_env_spec("dyna-maze")
    (agent,) = parse_agent_specs([SMALL])
    frames = neural_frames(world, agent, seed=4, steps=250, every=100)  # rounds up to 300
    _, metrics = train_runs(
        maze_world(world.maze), dqn_config(agent.config), Budget(300, 100, 1), seed=4, runs=1
    )
    assert frames.real_step.tolist() == [0, 100, 200, 300]
    assert np.array_equal(frames.q, metrics["q_table"][0])
    assert frames.q.shape == (4, world.maze.n_states, 4)
    assert (frames.state == -1).all() and (frames.planning_updates == 0).all()
    assert frames.episodes[-1] == metrics["train_episodes"][0, -1]


def test_animate_draws_dqn_beside_dyna_q(tmp_path: Path) -> None:
    out = tmp_path / "neural.gif"
    result = RUNNER.invoke(
        app,
        [
            "animate",
            "--agents",
            "dyna-q:n=5",
            SMALL,
            "--steps",
            "200",
            "--every",
            "100",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stdout and ": 3 frames, one every 100 real steps" in result.stdout
    assert f"{SMALL}: 200 real steps, 0 planning updates" in result.stdout


def test_animate_refuses_what_the_jax_agents_cannot_do() -> None:
    cases = [
        (["--agents", "dqn", "--episodes", "2"], "the jax agents train for a number of real steps"),
        (["--agents", "dqn", "--env", "blocking-maze"], "learn on static mazes"),
    ]
    for args, message in cases:
        result = RUNNER.invoke(app, ["animate", *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_a_greedy_path_on_q_star_is_a_shortest_path_and_stops_at_the_goal() -> None:
    """The evaluation episode a JAX panel draws, on the true Q*: the shortest path (14
    steps on the Dyna maze, 15 cells) ending at the goal; on Q = 0 it walks the lowest
    action into the wall until the cap."""
    from dynalab.envs.builtin import dyna_maze
    from dynalab.envs.ground_truth import value_iteration
    from dynalab.experiments.animate import greedy_path

    maze = dyna_maze()
    mdp = maze.to_mdp()
    q_star, _ = value_iteration(mdp, 0.95)
    path = greedy_path(mdp, q_star, mdp.n_states)
    assert len(path) == 15 and path[0] == maze.state(*maze.start)
    assert path[-1] == maze.state(*maze.goals[0])
    assert len(greedy_path(mdp, np.zeros_like(q_star), 30)) == 31


def test_a_jax_panel_draws_each_evaluation_episode() -> None:
    from dynalab.experiments.animate import _panel, greedy_path, neural_frames
    from dynalab.specs.agents import parse_agent_specs
    from dynalab.specs.worlds import parse_env_spec

    world = parse_env_spec("dyna-maze")
    (agent,) = parse_agent_specs([SMALL])
    frames = neural_frames(world, agent, seed=4, steps=200, every=100)
    mdp = world.schedule.first
    panel = _panel(SMALL, frames, frames.real_step, "simulated transitions", mdp)
    assert len(panel.path) == 3
    for table, path in zip(frames.q, panel.path, strict=True):
        assert np.array_equal(path, greedy_path(mdp, table, mdp.n_states))
