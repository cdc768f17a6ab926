"""Tests of env and agent SPEC strings: every accepted form, and one-line errors for the rest."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dynalab.agents.config import AGENT_NAMES, AgentConfig
from dynalab.agents.key_set import KEYS
from dynalab.agents.registry import REGISTRY
from dynalab.envs.builtin import BUILTIN_WORLDS, ChangingMaze
from dynalab.envs.maze import Maze
from dynalab.specs.agents import AgentSpec, parse_agent_spec, parse_agent_specs
from dynalab.specs.text import SpecError
from dynalab.specs.worlds import ENV_HELP, World, parse_env_spec

SMALL_MAZE = "name: tiny\nS..\n.#G\n"


def agent_error(spec: str, defaults: dict | None = None) -> str:
    """The one-line message of the SpecError that ``spec`` raises."""
    with pytest.raises(SpecError) as caught:
        parse_agent_spec(spec, defaults)
    return one_line(caught.value)


def env_error(spec: str) -> str:
    """The one-line message of the SpecError that the env ``spec`` raises."""
    with pytest.raises(SpecError) as caught:
        parse_env_spec(spec)
    return one_line(caught.value)


def one_line(error: BaseException) -> str:
    message = str(error)
    assert message and len(message.splitlines()) == 1, message
    return message


# --- agent specs: accepted forms -----------------------------------------------------------


def test_bare_names_take_each_agents_defaults() -> None:
    assert parse_agent_spec("q-learning") == AgentConfig(name="q-learning", planning_steps=0)
    assert parse_agent_spec("dyna-q") == AgentConfig(name="dyna-q", planning_steps=5)
    assert parse_agent_spec("dyna-q+") == AgentConfig(name="dyna-q+", planning_steps=5, kappa=1e-3)


def test_every_key_is_read() -> None:
    config = parse_agent_spec("dyna-q+:n=10,kappa=0.0001,alpha=1.0")
    assert config == AgentConfig(name="dyna-q+", planning_steps=10, alpha=1.0, kappa=1e-4)
    config = parse_agent_spec("dyna-q:model=counts,gamma=0.9,epsilon=0,n=0")
    assert config == AgentConfig(
        name="dyna-q", planning_steps=0, gamma=0.9, epsilon=0.0, model="counts"
    )
    assert parse_agent_spec("q-learning:alpha=0.5").alpha == 0.5


def test_whitespace_around_names_keys_and_values_is_ignored() -> None:
    assert parse_agent_spec(" dyna-q : n = 7 , alpha = 0.2 ") == AgentConfig(
        name="dyna-q", planning_steps=7, alpha=0.2
    )


def test_defaults_fill_absent_keys_and_the_spec_wins() -> None:
    defaults = {"alpha": 0.5, "gamma": 0.9, "epsilon": 0.2}
    config = parse_agent_spec("dyna-q:alpha=0.25", defaults)
    assert (config.alpha, config.gamma, config.epsilon) == (0.25, 0.9, 0.2)


def test_defaults_for_n_and_kappa_skip_agents_that_do_not_use_them() -> None:
    defaults = {"n": 20, "kappa": 0.01}
    assert parse_agent_spec("q-learning", defaults).planning_steps == 0
    assert parse_agent_spec("dyna-q", defaults) == AgentConfig(name="dyna-q", planning_steps=20)
    assert parse_agent_spec("dyna-q+", defaults).kappa == 0.01


def test_unknown_default_key_is_refused() -> None:
    message = agent_error("dyna-q", {"alhpa": 0.1})
    assert "unknown key 'alhpa' in agent defaults" in message
    assert "did you mean 'alpha'?" in message


def test_bad_default_value_names_the_spec() -> None:
    message = agent_error("dyna-q", {"gamma": 2.0})
    assert "--agents 'dyna-q'" in message and "gamma" in message


# --- agent specs: refused ------------------------------------------------------------------


def test_unknown_agent_suggests_the_closest() -> None:
    message = agent_error("dyna_q:n=5")
    assert message.startswith("unknown agent 'dyna_q' in --agents 'dyna_q:n=5'")
    assert message.endswith("did you mean 'dyna-q'?")
    assert "did you mean 'q-learning'?" in agent_error("Q_Learning")


def test_unknown_agent_without_close_name_lists_the_agents() -> None:
    message = agent_error("sarsa")
    assert "agents: q-learning, dyna-q, dyna-q+" in message
    assert "did you mean" not in message


def test_unknown_key_lists_keys_and_suggests() -> None:
    message = agent_error("dyna-q:nn=5")
    assert message.startswith("unknown key 'nn' for agent 'dyna-q'")
    assert "keys: n, alpha, gamma, epsilon, model, sampling" in message
    assert message.endswith("did you mean 'n'?")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("dyna-q:kappa=0.1", "key 'kappa' is for dyna-q+, not dyna-q, in --agents"),
        ("q-learning:n=3", "key 'n' is for dyna-q, dyna-q+, prioritized-sweeping, not q-learning"),
        ("model-vi:alpha=0.5", "key 'alpha' is for"),
    ],
)
def test_a_key_of_other_agents_says_whose_it_is(spec: str, expected: str) -> None:
    message = agent_error(spec)
    assert message.startswith(expected)
    assert message.endswith("keys: " + ", ".join(k.name for k in REGISTRY[spec.split(":")[0]].keys))


@pytest.mark.parametrize(
    ("spec", "key", "expected"),
    [
        ("dyna-q:n=x", "n", "expected an integer >= 0, got 'x'"),
        ("dyna-q:n=-1", "n", "expected an integer >= 0, got '-1'"),
        ("dyna-q:n=1.5", "n", "expected an integer >= 0, got '1.5'"),
        ("dyna-q:alpha=abc", "alpha", "expected a number, got 'abc'"),
        ("dyna-q:gamma=nan", "gamma", "expected a finite number, got 'nan'"),
        ("dyna-q+:kappa=inf", "kappa", "expected a finite number, got 'inf'"),
        (
            "dyna-q:model=foo",
            "model",
            "expected one of deterministic, counts, aggregate, got 'foo'",
        ),
    ],
)
def test_values_that_do_not_parse_name_their_key(spec: str, key: str, expected: str) -> None:
    assert agent_error(spec) == f"bad value for key {key!r} in --agents {spec!r}: {expected}"


def test_close_model_kind_is_suggested() -> None:
    assert agent_error("dyna-q:model=count").endswith("did you mean 'counts'?")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("dyna-q:alpha=0", "alpha must be in (0, 1]"),
        ("dyna-q:alpha=1.5", "alpha must be in (0, 1]"),
        ("dyna-q:epsilon=-1", "epsilon must be in [0, 1]"),
        ("dyna-q:gamma=2", "gamma must be in [0, 1]"),
        ("dyna-q+:kappa=-1", "kappa must be >= 0"),
        ("prioritized-sweeping:n=0", "n must be >= 1"),
        ("dyna-q+:model=aggregate", "model=aggregate is not for dyna-q+"),
    ],
)
def test_out_of_range_values_keep_agent_configs_reason(spec: str, expected: str) -> None:
    message = agent_error(spec)
    assert message.startswith(f"invalid agent in --agents {spec!r}: ")
    assert expected in message


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("dyna-q:n", "expected key=value, got 'n' in --agents 'dyna-q:n'"),
        ("dyna-q:=5", "missing key before '=5' in --agents 'dyna-q:=5'"),
        ("dyna-q:n=", "missing value after 'n=' in --agents 'dyna-q:n='"),
        ("dyna-q:n=5,,", "empty item (a stray ',') in --agents 'dyna-q:n=5,,'"),
        ("dyna-q:", "nothing after ':' in --agents 'dyna-q:'"),
        ("dyna-q:n=5,n=6", "duplicate key 'n' in --agents 'dyna-q:n=5,n=6'"),
        ("", "empty agent spec in --agents ''"),
        ("   ", "empty agent spec in --agents '   '"),
        (":n=5", "missing agent name before ':' in --agents ':n=5'"),
    ],
)
def test_malformed_agent_specs(spec: str, expected: str) -> None:
    assert agent_error(spec).startswith(expected)


def test_option_names_the_source_in_messages() -> None:
    with pytest.raises(SpecError, match=r"^unknown agent 'x' in --baseline 'x'"):
        parse_agent_spec("x", option="--baseline")


def test_non_str_spec_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_agent_spec(5)  # type: ignore[arg-type]


# --- agent spec lists ----------------------------------------------------------------------


def test_labels_are_the_specs_as_typed() -> None:
    agents = parse_agent_specs(["q-learning", "dyna-q:n=50", " dyna-q+ "], {"alpha": 0.2})
    assert [a.label for a in agents] == ["q-learning", "dyna-q:n=50", " dyna-q+ "]
    assert agents[1] == AgentSpec(
        "dyna-q:n=50", AgentConfig(name="dyna-q", planning_steps=50, alpha=0.2)
    )
    assert all(a.config.alpha == 0.2 for a in agents)


def test_same_config_under_different_labels_is_allowed() -> None:
    agents = parse_agent_specs(["dyna-q", "dyna-q:n=5"], None)
    assert agents[0].config == agents[1].config


def test_duplicate_labels_are_refused() -> None:
    with pytest.raises(SpecError) as caught:
        parse_agent_specs(["dyna-q", "q-learning", "dyna-q"], None)
    assert one_line(caught.value).startswith("duplicate agent 'dyna-q' in --agents")


def test_empty_list_and_bare_string_are_refused() -> None:
    with pytest.raises(SpecError, match="no agent specs"):
        parse_agent_specs([], None)
    with pytest.raises(TypeError):
        parse_agent_specs("dyna-q", None)


def test_every_agent_and_key_has_one_line_of_help() -> None:
    assert list(REGISTRY) == list(AGENT_NAMES)
    for entry in REGISTRY.values():
        assert entry.help and len(entry.help.splitlines()) == 1
    for key in KEYS:
        assert key.help and len(key.help.splitlines()) == 1
    assert len({key.name for key in KEYS}) == len(KEYS)


# --- env specs: built-in worlds and maze files ---------------------------------------------


def test_dyna_maze() -> None:
    world = parse_env_spec("dyna-maze")
    assert isinstance(world, World)
    assert (world.spec, world.name, world.shortest_path) == ("dyna-maze", "dyna-maze", 14)
    assert isinstance(world.maze, Maze) and world.changing is None
    assert world.change_steps == () and world.make_env is None
    assert world.true_mdp_known and world.schedule.n_states == 54
    assert len(world.schedule.worlds) == 1


def test_scaled_dyna_maze() -> None:
    world = parse_env_spec("dyna-maze:scale=3")
    assert world.name == "dyna-maze:scale=3"
    assert world.maze.walls.shape == (18, 27)
    assert world.schedule.n_states == 18 * 27
    assert parse_env_spec("dyna-maze:scale=1").maze == parse_env_spec("dyna-maze").maze


@pytest.mark.parametrize(("name", "step"), [("blocking-maze", 1000), ("shortcut-maze", 3000)])
def test_changing_mazes(name: str, step: int) -> None:
    world = parse_env_spec(name)
    assert isinstance(world.changing, ChangingMaze)
    assert world.maze == world.changing.first
    assert world.change_steps == (step,)
    assert world.schedule.switch_steps == (0, step)
    assert world.shortest_path == world.changing.first.shortest_path_length()


def test_maze_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(SMALL_MAZE)
    world = parse_env_spec(f"maze:{path}")
    assert (world.spec, world.name, world.shortest_path) == (f"maze:{path}", "tiny", 3)
    assert world.schedule.n_states == 6 and world.change_steps == ()


def test_maze_file_without_name_is_named_by_its_stem(tmp_path: Path) -> None:
    path = tmp_path / "corridor.txt"
    path.write_text("S.G\n")
    assert parse_env_spec(f"maze:{path}").name == "corridor"


def test_shipped_maze_file_equals_the_builtin() -> None:
    path = Path(__file__).parents[2] / "src/dynalab/envs/mazes/dyna_maze.txt"
    assert parse_env_spec(f"maze:{path}").maze == parse_env_spec("dyna-maze").maze


def test_swamp_maze_and_its_shipped_file() -> None:
    world = parse_env_spec("swamp-maze")
    assert (world.spec, world.name) == ("swamp-maze", "swamp-maze")
    assert world.maze.swamps == tuple((2, col) for col in range(8))
    assert world.true_mdp_known and world.change_steps == ()
    # The fewest moves run through the swamp (the best return goes round it).
    assert world.shortest_path == 5
    path = Path(__file__).parents[2] / "src/dynalab/envs/mazes/swamp_maze.txt"
    assert parse_env_spec(f"maze:{path}").maze == world.maze


def test_maze_file_with_swamps(tmp_path: Path) -> None:
    path = tmp_path / "bog.txt"
    path.write_text("swamp_reward: -2\nS~G\n...\n")
    world = parse_env_spec(f"maze:{path}")
    assert world.maze.swamps == ((0, 1),) and world.maze.swamp_reward == -2.0
    start = world.maze.state(0, 0)
    assert world.schedule.worlds[0].reward[start, 1, 0] == -2.0


# --- env specs: Gymnasium ------------------------------------------------------------------


def test_gym_frozen_lake_with_keywords() -> None:
    world = parse_env_spec("gym:FrozenLake-v1:map_name=8x8,is_slippery=false")
    assert world.name == "FrozenLake-v1" and world.true_mdp_known
    assert world.schedule.n_states == 64 and world.schedule.first.is_deterministic
    assert world.maze is None and world.shortest_path is None
    env = world.make_env()
    assert env.unwrapped.desc.shape == (8, 8)
    env.close()


def test_gym_keyword_values_are_typed() -> None:
    world = parse_env_spec("gym:FrozenLake-v1:map_name=8x8")
    assert world.schedule.n_states == 64 and not world.schedule.first.is_deterministic
    assert world.make_env.keywords == {"map_name": "8x8"}
    assert parse_env_spec("gym:CliffWalking-v1:is_slippery=True").make_env.keywords == {
        "is_slippery": True
    }


def test_gym_cliff_walking_and_pickled_factory() -> None:
    world = parse_env_spec("gym:CliffWalking-v1")
    assert world.schedule.n_states == 48 and world.schedule.n_actions == 4
    env = pickle.loads(pickle.dumps(world.make_env))()
    assert env.observation_space.n == 48
    env.close()


def test_gym_env_without_table_keeps_make_env_only() -> None:
    world = parse_env_spec("gym:dynalab/DynaMaze-v0")
    assert world.schedule is None and not world.true_mdp_known
    assert world.make_env is not None


def test_gym_env_whose_table_is_incomplete_has_no_ground_truth() -> None:
    world = parse_env_spec("gym:Taxi-v4:fickle_passenger=true")
    assert world.schedule is None and world.make_env is not None
    assert parse_env_spec("gym:Taxi-v4").true_mdp_known


# --- env specs: refused --------------------------------------------------------------------


def test_unknown_env_suggests_the_closest_form() -> None:
    message = env_error("dyna-maz")
    assert message.startswith("unknown env 'dyna-maz' in --env 'dyna-maz'")
    assert "dyna-maze, blocking-maze, shortcut-maze" in message and "maze:PATH" in message
    assert message.endswith("did you mean 'dyna-maze'?")
    assert env_error("mazes:x.txt").endswith("did you mean 'maze:PATH'?")
    assert env_error("gymm:Taxi-v4").endswith("did you mean 'gym:ID'?")


def test_bare_gym_id_or_file_suggests_its_prefix(tmp_path: Path) -> None:
    assert env_error("FrozenLake-v1").endswith("did you mean 'gym:FrozenLake-v1'?")
    path = tmp_path / "m.txt"
    path.write_text(SMALL_MAZE)
    assert env_error(str(path)).endswith(f"did you mean 'maze:{path}'?")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("dyna-maze:scale=0", "bad value for key 'scale' in --env 'dyna-maze:scale=0'"),
        ("dyna-maze:scale=1.5", "bad value for key 'scale'"),
        ("dyna-maze:scale=x", "expected an integer from 1 to 100, got 'x'"),
        ("dyna-maze:scale=101", "expected an integer from 1 to 100, got '101'"),
        ("dyna-maze:scal=2", "unknown key 'scal' for env 'dyna-maze'"),
        ("blocking-maze:scale=2", "unknown key 'scale' for env 'blocking-maze'"),
        ("dyna-maze:scale=2,scale=3", "duplicate key 'scale'"),
        ("", "empty env spec in --env ''"),
        ("maze:", "missing path after 'maze:'"),
        ("gym:", "missing id after 'gym:'"),
        ("gym:FrozenLake-v1:", "nothing after ':'"),
        ("gym:FrozenLake-v1:1x=2", "key '1x' is not a keyword argument name"),
    ],
)
def test_malformed_env_specs(spec: str, expected: str) -> None:
    assert expected in env_error(spec)


def test_unknown_builtin_key_suggests() -> None:
    assert env_error("dyna-maze:scal=2").endswith(
        "keys: scale, obs, upscale; did you mean 'scale'?"
    )


def test_gym_unknown_id_keeps_gymnasiums_suggestion() -> None:
    message = env_error("gym:FrozenLak-v1")
    assert message.startswith("--env 'gym:FrozenLak-v1': gym:FrozenLak-v1:")
    assert "FrozenLake" in message


def test_gym_non_discrete_env_is_refused() -> None:
    message = env_error("gym:Pendulum-v1")  # vector observations, continuous actions
    assert message.startswith("--env 'gym:Pendulum-v1': ")
    assert "is not Discrete" in message


def test_gym_vector_observations_with_discrete_actions_parse_for_the_neural_agents() -> None:
    world = parse_env_spec("gym:CartPole-v1")
    assert world.vector_obs and world.schedule is None and not world.true_mdp_known
    assert not parse_env_spec("gym:FrozenLake-v1").vector_obs


def test_gym_constructor_failures_are_one_line() -> None:
    assert "unknown keyword argument 'nope'" in env_error("gym:FrozenLake-v1:nope=1")
    assert "cannot make the env: KeyError" in env_error("gym:FrozenLake-v1:map_name=9x9")


def test_missing_maze_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.txt"
    message = env_error(f"maze:{path}")
    assert message.startswith(f"bad maze in --env 'maze:{path}': {path}: cannot read maze file")


def test_maze_file_with_bad_char_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("; a comment\nS..\n.x.\n..G\n")
    message = env_error(f"maze:{path}")
    assert f"{path}:3:2: " in message


def test_maze_directory_is_refused(tmp_path: Path) -> None:
    assert "cannot read maze file" in env_error(f"maze:{tmp_path}")


def test_env_help_lists_every_form() -> None:
    forms = [form for form, _ in ENV_HELP]
    assert forms[: len(BUILTIN_WORLDS)] == list(BUILTIN_WORLDS)
    assert {"dyna-maze:scale=K", "maze:PATH", "gym:ID[:key=value,...]"} <= set(forms)
    assert all(text and len(text.splitlines()) == 1 for _, text in ENV_HELP)
    assert "'~' swamp" in dict(ENV_HELP)["maze:PATH"]


# --- any string: parsed or one SpecError line ----------------------------------------------


def parses_or_one_line(parse: object, spec: str) -> None:
    """``parse(spec)`` returns, or raises a SpecError with a one-line message."""
    try:
        parse(spec)  # type: ignore[operator]
    except SpecError as error:
        one_line(error)


AGENT_ALPHABET = st.sampled_from(list("dynaqlr-+:=,.0123456789 nmkpgeisoc_") + ["\n", "é"])
AGENT_TEXT = st.one_of(
    st.text(),
    st.text(AGENT_ALPHABET),
    st.builds(
        lambda name, rest: name + rest, st.sampled_from(AGENT_NAMES), st.text(AGENT_ALPHABET)
    ),
)


@settings(max_examples=300, deadline=None)
@given(AGENT_TEXT)
def test_any_agent_spec_parses_or_raises_one_line(spec: str) -> None:
    parses_or_one_line(parse_agent_spec, spec)


ENV_PREFIXES = st.sampled_from(["", "dyna-maze", "dyna-maze:", "dyna-maze:scale=", "maze:"])
ENV_TEXT = st.builds(lambda prefix, rest: prefix + rest, ENV_PREFIXES, st.text()).filter(
    lambda spec: "gym" not in spec.lower()
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(ENV_TEXT)
def test_any_env_spec_parses_or_raises_one_line(spec: str) -> None:
    parses_or_one_line(parse_env_spec, spec)
