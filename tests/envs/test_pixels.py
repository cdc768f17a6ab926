"""Mazes as pictures: the frame table, the colours, the Gymnasium envs and the spec keys."""

from __future__ import annotations

from pathlib import Path

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import dynalab.envs  # noqa: F401  (registers the dynalab/... ids)
from dynalab.envs.builtin import blocking_maze, dyna_maze, slippery_cliff, swamp_maze
from dynalab.envs.gym_adapter import PIXEL_ENV_IDS, TabularEnv, UnsupportedEnvError
from dynalab.envs.pixels import CHANNEL_COLORS, CHANNELS, frames_rgb, make_pixel_env, maze_frames
from dynalab.envs.views import maze_observations
from dynalab.specs.text import SpecError
from dynalab.specs.worlds import parse_env_spec

MAZE_FILE = Path(dynalab.envs.__file__).parent / "mazes" / "dyna_maze.txt"


@pytest.mark.parametrize("factory", [dyna_maze, slippery_cliff, swamp_maze])
def test_each_state_s_picture_shows_the_maze_and_the_agent_in_s_cell(factory) -> None:
    maze = factory()
    frames = maze_frames(maze)
    assert frames.shape == (maze.n_states, maze.rows, maze.cols, len(CHANNELS))
    assert frames.dtype == np.float32 and set(np.unique(frames)) <= {0.0, 1.0}
    channel = {name: frames[..., index] for index, name in enumerate(CHANNELS)}
    for s in range(maze.n_states):
        agent = np.zeros((maze.rows, maze.cols))
        agent[maze.cell(s)] = 1
        np.testing.assert_array_equal(channel["agent"][s], agent)
        np.testing.assert_array_equal(channel["wall"][s], maze.walls)
    for name, cells in (("goal", maze.goals), ("cliff", maze.cliffs), ("swamp", maze.swamps)):
        marked = {tuple(int(i) for i in cell) for cell in np.argwhere(channel[name][0])}
        assert marked == set(cells), name


def test_upscale_draws_each_cell_as_a_block_of_pixels() -> None:
    maze = dyna_maze()
    small, large = maze_frames(maze), maze_frames(maze, upscale=3)
    assert large.shape == (maze.n_states, 3 * maze.rows, 3 * maze.cols, len(CHANNELS))
    np.testing.assert_array_equal(large[:, ::3, ::3], small)
    np.testing.assert_array_equal(large[:, 2::3, 1::3], small)
    with pytest.raises(ValueError, match="upscale"):
        maze_frames(maze, upscale=0)


def test_frames_rgb_colours_each_channel_and_leaves_empty_pixels_white() -> None:
    frames = np.zeros((2, 1, len(CHANNELS) + 1, len(CHANNELS)), np.float32)
    for channel in range(len(CHANNELS)):
        frames[0, 0, channel, channel] = 1.0
        frames[1, 0, channel, channel] = 0.5
    rgb = frames_rgb(frames)
    assert rgb.dtype == np.uint8 and rgb.shape == (2, 1, len(CHANNELS) + 1, 3)
    np.testing.assert_array_equal(rgb[0, 0, : len(CHANNELS)], CHANNEL_COLORS)
    np.testing.assert_array_equal(rgb[0, 0, -1], [255, 255, 255])
    halfway = np.round((255.0 + CHANNEL_COLORS) / 2).astype(np.uint8)
    np.testing.assert_array_equal(rgb[1, 0, : len(CHANNELS)], halfway)


@pytest.mark.parametrize("env_id", sorted(PIXEL_ENV_IDS))
def test_every_pixel_id_passes_gymnasiums_env_checker(env_id: str) -> None:
    env = gymnasium.make(env_id, upscale=2, render_mode="rgb_array")
    check_env(env.unwrapped, skip_render_check=False)
    obs, info = env.reset(seed=3)
    assert env.observation_space.contains(obs)
    assert env.render().shape == (*obs.shape[:2], 3)


def test_the_pixel_env_follows_the_tabular_env_draw_for_draw() -> None:
    """Same seed, same actions: the pictures are the frames of the tabular env's states."""
    maze = slippery_cliff()
    frames = maze_frames(maze)
    pixels = gymnasium.make("dynalab/SlipperyCliff-pixels-v0")
    tabular = TabularEnv(maze.to_mdp())
    obs, info = pixels.reset(seed=11)
    state, _ = tabular.reset(seed=11)
    assert info["state"] == state
    np.testing.assert_array_equal(obs, frames[state])
    actions = np.random.default_rng(0).integers(0, 4, 300)
    for action in actions:
        obs, reward, terminated, truncated, info = pixels.step(int(action))
        expected = tabular.step(int(action))
        assert (info["state"], reward, terminated, truncated) == expected[:4]
        np.testing.assert_array_equal(obs, frames[info["state"]])
        if terminated or truncated:
            obs, info = pixels.reset()
            state, _ = tabular.reset()
            assert info["state"] == state


def test_a_changing_maze_shows_the_walls_in_force() -> None:
    """The blocking maze's pictures switch to the second maze's walls at its switch step."""
    changing = blocking_maze()
    env = make_pixel_env("blocking-maze")
    obs, _ = env.reset(seed=0)
    wall = CHANNELS.index("wall")
    np.testing.assert_array_equal(obs[..., wall], changing.mazes[0].walls)
    switch = changing.switch_steps[1]
    for step in range(switch):
        obs, _, terminated, truncated, _ = env.step(step % 4)
        if terminated or truncated:
            obs, _ = env.reset()
    np.testing.assert_array_equal(obs[..., wall], changing.mazes[1].walls)


def test_make_pixel_env_refuses_an_unknown_world_in_one_line() -> None:
    with pytest.raises(UnsupportedEnvError, match="no builtin world 'nowhere'"):
        make_pixel_env("nowhere")


def test_the_views_of_a_maze() -> None:
    maze = dyna_maze()
    np.testing.assert_array_equal(maze_observations(maze), np.eye(maze.n_states))
    np.testing.assert_array_equal(maze_observations(maze, "pixels", 2), maze_frames(maze, 2))
    assert maze_observations(maze, "coords").shape == (maze.n_states, 2)
    with pytest.raises(ValueError, match="observation must be one of"):
        maze_observations(maze, "sonar")


@pytest.mark.parametrize(
    ("spec", "observation", "upscale"),
    [
        ("dyna-maze", "one-hot", 1),
        ("dyna-maze:obs=pixels", "pixels", 1),
        ("dyna-maze:scale=2,obs=pixels,upscale=3", "pixels", 3),
        ("swamp-maze:obs=coords", "coords", 1),
        (f"maze:{MAZE_FILE}:obs=pixels,upscale=2", "pixels", 2),
    ],
)
def test_a_maze_spec_names_its_view(spec: str, observation: str, upscale: int) -> None:
    world = parse_env_spec(spec)
    assert (world.observation, world.upscale) == (observation, upscale)
    assert world.maze is not None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("dyna-maze:obs=pixel", "bad value for key 'obs'.*did you mean 'pixels'"),
        ("dyna-maze:upscale=2", "upscale applies to obs=pixels only"),
        ("dyna-maze:obs=pixels,upscale=99", "bad value for key 'upscale'.*from 1 to 16"),
        (f"maze:{MAZE_FILE}:view=pixels", "unknown key 'view'"),
    ],
)
def test_a_bad_view_is_refused_in_one_line(spec: str, message: str) -> None:
    with pytest.raises(SpecError, match=message) as error:
        parse_env_spec(spec)
    assert "\n" not in str(error.value)
