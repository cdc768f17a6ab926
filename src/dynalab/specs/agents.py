"""Agent SPEC strings, ``NAME[:key=value,...]``: the agent and its hyper-parameters.

    q-learning    dyna-q:n=50    dyna-q+:n=10,kappa=0.0001,alpha=1.0    dyna-q:model=counts

Each agent's keys, their parsers and defaults come from its registry entry
(``dynalab.agents.registry``); nothing here lists agents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dynalab.agents.config import AgentConfig, AgentConfigError
from dynalab.agents.key_set import KEYS
from dynalab.agents.registry import AGENT_NAMES, REGISTRY, agents_taking
from dynalab.specs.text import (
    AGENT_OPTION,
    SpecError,
    located,
    parse_values,
    split_name,
    split_pairs,
    unknown_key,
)
from dynalab.values import suggestion


@dataclass(frozen=True)
class AgentSpec:
    """An agent and its label: the spec string exactly as typed, used in every output."""

    label: str
    config: AgentConfig


def _agent_key_error(key: str, name: str, where: str) -> SpecError:
    """The error for a key agent ``name`` does not take: whose key it is, or the closest."""
    own = [key.name for key in REGISTRY[name].keys]
    known = next((k for k in KEYS if k.name == key), None)
    if known is not None:
        return SpecError(
            f"key {key!r} is for {', '.join(agents_taking(known))}, not {name}, in {where}; "
            f"{name} keys: {', '.join(own)}"
        )
    return unknown_key(key, f"agent {name!r}", own, where)


def _agent_values(
    name: str, spec_values: Mapping[str, object], defaults: Mapping[str, object] | None
) -> dict[str, object]:
    """Config fields: spec values over the caller's defaults for keys the agent takes."""
    entry = REGISTRY[name]
    spelled = {key.name for key in KEYS}
    values: dict[str, object] = {}
    for key, value in (defaults or {}).items():
        if key not in spelled:
            raise SpecError(
                f"unknown key {key!r} in agent defaults; keys: {', '.join(sorted(spelled))}"
                + suggestion(key, sorted(spelled))
            )
        if entry.key(key) is not None:
            values[key] = value
    values.update(spec_values)
    return {entry.key(key).field: value for key, value in values.items()}


def parse_agent_spec(
    spec: str, defaults: Mapping[str, object] | None = None, *, option: str = AGENT_OPTION
) -> AgentConfig:
    """The :class:`AgentConfig` an agent spec ``NAME[:key=value,...]`` names.

    The agent's keys, their parsers and defaults are its registry entry's
    (``dynalab agents`` lists them). A key absent from the spec takes its value from
    ``defaults`` (keyed like the spec, e.g. ``{"alpha": 0.1}``; ignored for agents that
    do not take the key), then from the agent's own defaults. ``option`` names where the
    spec came from in messages. Raises :class:`SpecError`.
    """
    where = located(option, spec)
    name, rest = split_name(spec, "agent", where)
    if name not in REGISTRY:
        raise SpecError(
            f"unknown agent {name!r} in {where}; agents: {', '.join(AGENT_NAMES)}"
            + suggestion(name, AGENT_NAMES)
        )
    pairs = {} if rest is None else split_pairs(rest, where)
    entry = REGISTRY[name]
    for key in pairs:
        if entry.key(key) is None:
            raise _agent_key_error(key, name, where)
    parsers = {key.name: key.parse for key in entry.keys}
    spec_values = parse_values(pairs, parsers, f"agent {name!r}", list(parsers), where)
    fields = _agent_values(name, spec_values, defaults)
    try:
        return AgentConfig(name=name, **fields)
    except AgentConfigError as error:
        raise SpecError(f"invalid agent in {where}: {error}") from None


def parse_agent_specs(
    specs: Sequence[str],
    defaults: Mapping[str, object] | None = None,
    *,
    option: str = AGENT_OPTION,
) -> list[AgentSpec]:
    """Each agent spec parsed and labelled with itself as typed; labels must be distinct.

    Labels name agents in every table, file and plot, so a spec given twice is refused
    rather than silently merged. Raises :class:`SpecError`.
    """
    if isinstance(specs, str):
        raise TypeError("parse_agent_specs needs a sequence of spec strings, not one str")
    if not specs:
        raise SpecError(f"no agent specs given in {option}; expected one or more")
    parsed: list[AgentSpec] = []
    for spec in specs:
        config = parse_agent_spec(spec, defaults, option=option)
        if any(agent.label == spec for agent in parsed):
            raise SpecError(
                f"duplicate agent {spec!r} in {option}; the spec labels its results, "
                "so give each once"
            )
        parsed.append(AgentSpec(label=spec, config=config))
    return parsed
