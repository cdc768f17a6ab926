"""dqn is registered like the tabular agents: parsed, listed, labelled, checked (no JAX needed)."""

from __future__ import annotations

import dataclasses

import pytest
from typer.testing import CliRunner

from dynalab.agents.config import AgentConfig, AgentConfigError
from dynalab.agents.key_set import KEYS
from dynalab.agents.neural_keys import DEEP_KEYS
from dynalab.agents.registry import REGISTRY
from dynalab.cli import app
from dynalab.specs.agents import parse_agent_spec
from dynalab.specs.text import SpecError


def test_a_dqn_spec_parses_into_settings_and_its_label_parses_back() -> None:
    config = parse_agent_spec("dqn:double=0,lr=3e-4")
    assert config.backend == "jax"
    assert config.settings["double"] is False and config.settings["lr"] == 3e-4
    assert config.settings["hidden"] == "64x64" and config.gamma == 0.99
    assert config.settings["loss"] == "mse"
    assert config == AgentConfig(name="dqn", lr=3e-4, double=False)
    assert config == AgentConfig(name="dqn", settings={"lr": 3e-4, "double": False})
    assert config.spec == "dqn:lr=0.0003,double=False"
    assert parse_agent_spec(config.spec) == config
    assert AgentConfig(**config.to_dict()) == config
    assert parse_agent_spec("dqn").spec == "dqn"
    assert parse_agent_spec("dqn:hidden=32x32,gamma=0.9").spec == "dqn:gamma=0.9,hidden=32x32"


def test_tabular_configs_keep_no_settings() -> None:
    assert AgentConfig(name="dyna-q").settings == {}
    assert parse_agent_spec("dyna-q:n=3").spec == "dyna-q:n=3"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("dqn:lr=0", r"lr must be in \(0, 1\], got 0"),
        ("dqn:lr=x", "bad value for key 'lr'"),
        ("dqn:batch=0", "expected an integer >= 1"),
        ("dqn:batch=128,buffer=100", r"batch \(128\) must not exceed buffer \(100\)"),
        ("dqn:hidden=64-64", "expected widths >= 1 joined by 'x'"),
        ("dqn:double=2", "expected 1 or 0"),
        ("dqn:epsilon_end=1.5", r"epsilon_end must be in \[0, 1\]"),
        ("dqn:alpha=0.5", "key 'alpha' is for q-learning.*not dqn"),
        ("q-learning:lr=0.1", "key 'lr' is for dqn, dyna-dqn, not q-learning"),
        ("dqn:k=3", "key 'k' is for dyna-dqn, not dqn"),
        ("dqn:learning_start=5", "did you mean 'learning_starts'"),
    ],
)
def test_bad_dqn_specs_get_one_line_saying_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(SpecError, match=message) as error:
        parse_agent_spec(spec)
    assert "\n" not in str(error.value)


def test_settings_an_agent_does_not_take_are_refused() -> None:
    with pytest.raises(AgentConfigError, match="lr is for dqn, dyna-dqn; dyna-q does not take it"):
        AgentConfig(name="dyna-q", lr=1e-3)
    with pytest.raises(AgentConfigError, match="unknown setting 'width'"):
        AgentConfig(name="dqn", settings={"width": 3})
    with pytest.raises(TypeError, match="unexpected keyword argument 'width'"):
        AgentConfig(name="dqn", width=3)
    with pytest.raises(AgentConfigError, match="runs on the jax backend"):
        _ = AgentConfig(name="dqn").kind


def test_deep_keys_live_in_settings_with_names_of_their_own() -> None:
    fields = {field.name for field in dataclasses.fields(AgentConfig)}
    assert all(key.setting for key in DEEP_KEYS)
    assert not {key.field for key in DEEP_KEYS} & fields
    assert len({key.name for key in KEYS}) == len(KEYS)
    entry = REGISTRY["dqn"]
    assert entry.backend == "jax" and entry.kinds == ()
    assert list(AgentConfig(name="dqn").settings) == [k.field for k in entry.keys if k.setting]


def test_dynalab_agents_lists_dqn_and_its_keys_with_defaults() -> None:
    result = CliRunner().invoke(app, ["agents"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    lines = result.output.splitlines()
    start = next(i for i, line in enumerate(lines) if "dqn" in line and "Mnih" in line)
    cells = [[cell.strip() for cell in line.split("│")] for line in lines[start:]]
    rows = [row for row in cells if len(row) > 4]
    end = next((i for i, row in enumerate(rows[1:], 1) if row[1]), len(rows))
    listed = {row[2]: row[3] for row in rows[:end] if row[2]}
    entry = REGISTRY["dqn"]
    assert listed == {key.name: str(entry.default(key)) for key in entry.keys}


def test_the_registry_configuration_becomes_the_compiled_runs_configuration() -> None:
    pytest.importorskip("jax")
    from dynalab.deep.agents.dqn import dqn_config

    config = dqn_config(parse_agent_spec("dqn:hidden=32x16,double=1,gamma=0.9"))
    assert config.hidden == (32, 16) and config.double is True and config.gamma == 0.9
    assert dqn_config(hidden="0").hidden == ()
    assert dqn_config().lr == REGISTRY["dqn"].default(REGISTRY["dqn"].key("lr"))


def test_bench_counts_the_gradient_updates_a_run_makes() -> None:
    """One per train_every real steps once learning_starts steps have been taken (the
    step counted from 1, as env_step does), times updates for dyna-dqn."""
    from dynalab.experiments.bench_neural import gradient_updates

    plain = parse_agent_spec("dqn:learning_starts=10,train_every=2")
    dyna = parse_agent_spec("dyna-dqn:learning_starts=10,train_every=2,updates=3")
    pytest.importorskip("jax")
    from dynalab.deep.agents.dqn import dqn_config

    assert gradient_updates(dqn_config(plain), 20) == 6  # steps 10, 12, ..., 20
    assert gradient_updates(dqn_config(dyna), 20) == 18
