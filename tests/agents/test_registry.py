"""The registry: every agent declared once, and everything derived from it agrees."""

from __future__ import annotations

import numpy as np
import pytest

from dynalab.agents.config import AgentConfig, AgentConfigError
from dynalab.agents.kinds import Kind
from dynalab.agents.registry import MEMORY, REGISTRY
from dynalab.envs.builtin import dyna_maze
from dynalab.run.loop import LOOPS
from dynalab.run.runner import run_agent
from dynalab.specs.agents import parse_agent_spec

EXAMPLES = (
    "q-learning",
    "dyna-q",
    "dyna-q:n=0",
    "dyna-q:model=counts",
    "dyna-q:sampling=on-policy",
    "dyna-q:model=aggregate",
    "dyna-q:model=counts,ensemble=3",
    "dyna-q+",
    "dyna-q+:sampling=on-policy,kappa=0.01",
    "prioritized-sweeping",
    "prioritized-sweeping:model=counts,alpha=0.5",
    "model-vi:sweeps=2",
    "mcts:simulations=5",
)
"""Specs that between them run every kind."""


def test_every_kind_has_a_compiled_loop_and_some_agent_runs_as_it() -> None:
    registered = {kind for entry in REGISTRY.values() for kind in entry.kinds}
    assert registered == set(Kind)
    assert set(LOOPS) == set(Kind)
    assert {parse_agent_spec(spec).kind for spec in EXAMPLES} == set(Kind)


@pytest.mark.parametrize("spec", EXAMPLES)
def test_every_kind_runs_and_keeps_only_the_memory_its_entry_declares(spec: str) -> None:
    config = parse_agent_spec(spec)
    assert config.memory <= set(MEMORY)
    assert config.kind in REGISTRY[config.name].memory
    result = run_agent(dyna_maze().to_mdp(), config, episodes=2, runs=1)
    assert result.episodes_completed[0] == 2
    assert (result.total_planning_updates > 0).all() == (config.kind != Kind.MODEL_FREE)


def test_a_config_takes_its_agents_own_defaults() -> None:
    swept = AgentConfig(name="prioritized-sweeping")
    assert (swept.planning_steps, swept.alpha, swept.theta) == (5, 1.0, 1e-4)
    assert AgentConfig(name="dyna-q+").kappa == 1e-3
    assert AgentConfig(name="q-learning").planning_steps == 0
    assert AgentConfig(name="dyna-q") == parse_agent_spec("dyna-q")


def test_configs_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        AgentConfig("dyna-q", 5)  # type: ignore[misc]


@pytest.mark.parametrize("spec", EXAMPLES)
def test_the_spec_of_a_config_parses_back_to_it(spec: str) -> None:
    config = parse_agent_spec(spec)
    assert parse_agent_spec(config.spec) == config
    assert len(config.spec) <= len(spec) + 4  # no key at its default is spelled out


def test_prioritized_sweeping_refuses_n_below_one() -> None:
    with pytest.raises(AgentConfigError, match="n must be >= 1"):
        AgentConfig(name="prioritized-sweeping", planning_steps=0)


def test_memory_of_an_agent_that_keeps_no_model_is_minimal() -> None:
    from dynalab.agents.step import agent_memory

    memory = agent_memory(AgentConfig(name="q-learning"), 500, 4)
    assert all(np.size(array) <= 4 for array in memory.model[:-1])
    swept = agent_memory(AgentConfig(name="prioritized-sweeping"), 500, 4)
    assert swept.queue.pair.shape == (2000,) and swept.tree.visits.shape == (1, 4)
