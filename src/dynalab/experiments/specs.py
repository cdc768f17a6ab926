"""Env and agent SPEC strings: how a user names a world and an agent, parsed once.

The command line and Python users share these strings, so parsing lives here, not in the
CLI. Every bad spec raises :class:`SpecError` with a one-line message that says what is
wrong and where (the option and the spec as typed), and suggests the closest known name
for an unknown one.

Agent SPEC, ``NAME[:key=value,...]``::

    q-learning    dyna-q:n=50    dyna-q+:n=10,kappa=0.0001,alpha=1.0    dyna-q:model=counts

Env SPEC, one of::

    dyna-maze    blocking-maze    shortcut-maze    dyna-maze:scale=3
    maze:PATH                              a maze text file (see dynalab.envs.maze_text)
    gym:ID[:key=value,...]                 gymnasium.make(ID, key=value, ...)

Whitespace around names, keys and values is ignored; a ``maze:`` path is taken as typed.
A gym ID cannot contain ``:`` and no value can contain ``,``.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import gymnasium

from dynalab.agents.config import AgentConfig, AgentConfigError
from dynalab.agents.keys import KEYS
from dynalab.agents.registry import AGENT_NAMES, REGISTRY, agents_taking
from dynalab.envs.builtin import BUILTIN_WORLDS, ChangingMaze
from dynalab.envs.gym_adapter import (
    UnsupportedEnvError,
    check_discrete,
    from_gymnasium,
    make_gym_env,
)
from dynalab.envs.maze import DEFAULT_NAME, Maze
from dynalab.envs.maze_text import load_maze
from dynalab.envs.mdp import WorldSchedule
from dynalab.values import (
    BadValueError,
    Parser,
    closest,
    did_you_mean,
    int_in_range,
    suggestion,
)

AGENT_OPTION = "--agents"
ENV_OPTION = "--env"

MAX_SCALE = 100
"""Largest ``dyna-maze:scale=K``: 540,000 states, built in about a second."""

_BUILTIN_ENV_KEYS: dict[str, tuple[str, ...]] = {"dyna-maze": ("scale",)}
"""Keys each built-in world takes (passed to its factory); absent names take none."""

ENV_HELP: list[tuple[str, str]] = [
    *((name, world.description) for name, world in BUILTIN_WORLDS.items()),
    (
        "dyna-maze:scale=K",
        "Dyna maze at K times the resolution (each cell a KxK block), as in Sutton & Barto "
        f"Example 8.4; K an integer from 1 to {MAX_SCALE}.",
    ),
    (
        "maze:PATH",
        "a maze text file: '#' wall, '.' free, 'S' start, 'G' goal, 'C' cliff, '~' swamp, "
        "optional 'key: value' settings first (format in dynalab.envs.maze_text).",
    ),
    (
        "gym:ID[:key=value,...]",
        "a Gymnasium env with Discrete spaces, gymnasium.make(ID, key=value, ...); exact "
        "ground truth when it exposes its table P (FrozenLake, CliffWalking, Taxi).",
    ),
]
"""Env spec forms, each with one line of description (for ``dynalab envs``)."""

_ENV_FORMS = {name: name for name in BUILTIN_WORLDS} | {"maze": "maze:PATH", "gym": "gym:ID"}
"""What an env spec can start with, mapped to how messages show it."""


class SpecError(ValueError):
    """A bad env or agent spec; the message is one line naming what is wrong and where.

    Line breaks in the message (from a wrapped error) are joined with spaces, so the CLI
    can always print it as one line.
    """

    def __init__(self, message: str) -> None:
        lines = str(message).splitlines()
        if len(lines) > 1:
            message = " ".join(line.strip() for line in lines if line.strip())
        super().__init__(message)


@dataclass(frozen=True)
class AgentSpec:
    """An agent and its label: the spec string exactly as typed, used in every output."""

    label: str
    config: AgentConfig


@dataclass(frozen=True)
class World:
    """A world named by an env spec, with what experiments, pictures and checks need.

    ``schedule`` is the array world (``None`` only for gym envs without a usable table);
    ``maze`` is the maze in force at step 0 and ``changing`` the changing maze, if any;
    ``change_steps`` are the real steps at which the world changes (empty when static);
    ``shortest_path`` is, for mazes, the fewest moves from the start to a goal at step 0;
    ``make_env`` builds a fresh Gymnasium env (gym specs only).
    """

    spec: str
    name: str
    schedule: WorldSchedule | None
    maze: Maze | None = None
    changing: ChangingMaze | None = None
    change_steps: tuple[int, ...] = ()
    shortest_path: int | None = None
    make_env: Callable[[], gymnasium.Env] | None = None

    @property
    def true_mdp_known(self) -> bool:
        """Whether ground truth (value iteration, policy evaluation) can be computed."""
        return self.schedule is not None


def _where(option: str, spec: str) -> str:
    """Where a spec came from, for messages: ``--agents 'dyna-q:n=x'``."""
    return f"{option} {spec!r}" if option else repr(spec)


def _split_pairs(text: str, where: str) -> dict[str, str]:
    """``key=value,...`` as a dict of stripped strings; malformed or repeated keys refused."""
    if not text.strip():
        raise SpecError(f"nothing after ':' in {where}; expected key=value[,key=value...]")
    pairs: dict[str, str] = {}
    for item in text.split(","):
        key, value = _split_pair(item, where)
        if key in pairs:
            raise SpecError(f"duplicate key {key!r} in {where}")
        pairs[key] = value
    return pairs


def _split_pair(item: str, where: str) -> tuple[str, str]:
    """One ``key=value`` item, both sides non-empty, split at its first ``=``."""
    if not item.strip():
        raise SpecError(f"empty item (a stray ',') in {where}; expected key=value[,key=value...]")
    key, equals, value = item.partition("=")
    key, value = key.strip(), value.strip()
    if not equals:
        raise SpecError(f"expected key=value, got {item.strip()!r} in {where}")
    if not key:
        raise SpecError(f"missing key before '={value}' in {where}")
    if not value:
        raise SpecError(f"missing value after '{key}=' in {where}")
    return key, value


def _unknown_key(key: str, owner: str, keys: Sequence[str], where: str) -> SpecError:
    """The error for a key ``owner`` does not take, listing its keys and the closest one."""
    if not keys:
        return SpecError(f"{owner} takes no keys, got {key!r} in {where}")
    return SpecError(
        f"unknown key {key!r} for {owner} in {where}; keys: {', '.join(keys)}"
        + suggestion(key, keys)
    )


def _bad_value(key: str, text: str, error: BadValueError, where: str) -> SpecError:
    """The error for a value that does not parse as its key requires."""
    return SpecError(
        f"bad value for key {key!r} in {where}: {error.expected}, got {text!r}{error.hint}"
    )


_ENV_VALUE_PARSERS: dict[str, Parser] = {"scale": int_in_range(1, MAX_SCALE)}
"""How each built-in world key's value is read."""


def _parse_values(
    pairs: Mapping[str, str],
    parsers: Mapping[str, Parser],
    owner: str,
    keys: Sequence[str],
    where: str,
) -> dict[str, object]:
    """Each ``key=value`` parsed by its key's parser; unknown keys and bad values refused."""
    values: dict[str, object] = {}
    for key, text in pairs.items():
        if key not in keys:
            raise _unknown_key(key, owner, keys, where)
        try:
            values[key] = parsers[key](text)
        except BadValueError as error:
            raise _bad_value(key, text, error, where) from None
    return values


def _split_name(spec: str, kind: str, where: str) -> tuple[str, str | None]:
    """``(name, rest)`` of ``NAME[:rest]``; ``rest`` is None without a ``:``."""
    if not isinstance(spec, str):
        raise TypeError(f"a {kind} spec must be a str, got {type(spec).__name__}")
    if not spec.strip():
        raise SpecError(f"empty {kind} spec in {where}")
    name, colon, rest = spec.partition(":")
    name = name.strip()
    if not name:
        raise SpecError(f"missing {kind} name before ':' in {where}")
    return name, (rest if colon else None)


def _agent_key_error(key: str, name: str, where: str) -> SpecError:
    """The error for a key agent ``name`` does not take: whose key it is, or the closest."""
    own = [key.name for key in REGISTRY[name].keys]
    known = next((k for k in KEYS if k.name == key), None)
    if known is not None:
        return SpecError(
            f"key {key!r} is for {', '.join(agents_taking(known))}, not {name}, in {where}; "
            f"{name} keys: {', '.join(own)}"
        )
    return _unknown_key(key, f"agent {name!r}", own, where)


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
    where = _where(option, spec)
    name, rest = _split_name(spec, "agent", where)
    if name not in REGISTRY:
        raise SpecError(
            f"unknown agent {name!r} in {where}; agents: {', '.join(AGENT_NAMES)}"
            + suggestion(name, AGENT_NAMES)
        )
    pairs = {} if rest is None else _split_pairs(rest, where)
    entry = REGISTRY[name]
    for key in pairs:
        if entry.key(key) is None:
            raise _agent_key_error(key, name, where)
    parsers = {key.name: key.parse for key in entry.keys}
    spec_values = _parse_values(pairs, parsers, f"agent {name!r}", list(parsers), where)
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


def _unknown_env(name: str, spec: str, where: str) -> SpecError:
    """The error for an env spec of unknown form, with the closest form suggested.

    A path to an existing file suggests ``maze:PATH``; a registered Gymnasium id
    suggests ``gym:ID``.
    """
    forms = ", ".join(form for form, _ in ENV_HELP)
    if os.path.isfile(spec):
        form: str | None = "maze:" + spec
    elif name in gymnasium.registry:
        form = "gym:" + spec.strip()
    else:
        nearest = closest(name, list(_ENV_FORMS))
        form = None if nearest is None else _ENV_FORMS[nearest]
    return SpecError(f"unknown env {name!r} in {where}; envs: {forms}{did_you_mean(form)}")


def _maze_world(spec: str, name: str, built: Maze | ChangingMaze) -> World:
    """A :class:`World` over a maze or a changing maze."""
    if isinstance(built, ChangingMaze):
        return World(
            spec=spec,
            name=name,
            schedule=built.to_schedule(),
            maze=built.first,
            changing=built,
            change_steps=built.switch_steps[1:],
            shortest_path=built.first.shortest_path_length(),
        )
    return World(
        spec=spec,
        name=name,
        schedule=WorldSchedule.static(built.to_mdp()),
        maze=built,
        shortest_path=built.shortest_path_length(),
    )


def _builtin_world(spec: str, name: str, rest: str | None, where: str) -> World:
    """A built-in world, its keys (``scale`` for dyna-maze) passed to its factory."""
    pairs = {} if rest is None else _split_pairs(rest, where)
    keys = _BUILTIN_ENV_KEYS.get(name, ())
    kwargs = _parse_values(pairs, _ENV_VALUE_PARSERS, f"env {name!r}", keys, where)
    built = BUILTIN_WORLDS[name].factory(**kwargs)
    return _maze_world(spec, built.name, built)


def _file_maze_world(spec: str, path: str, where: str) -> World:
    """A maze read from a text file; its name is the file's ``name:`` setting or its stem.

    Every problem with the file (missing, unreadable, invalid) keeps the maze reader's
    ``path:line:col: what`` text.
    """
    if not path:
        raise SpecError(f"missing path after 'maze:' in {where}; expected maze:PATH")
    try:
        maze = load_maze(path)
    except ValueError as error:
        raise SpecError(f"bad maze in {where}: {error}") from None
    name = maze.name if maze.name != DEFAULT_NAME else Path(path).stem or DEFAULT_NAME
    return _maze_world(spec, name, maze)


def _gym_value(text: str) -> object:
    """A gym keyword value: true/false, None, an int, a float, else the string itself."""
    words: dict[str, object] = {"true": True, "false": False, "none": None}
    if text.lower() in words:
        return words[text.lower()]
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def _gym_kwargs(rest: str | None, where: str) -> dict[str, object]:
    """The ``key=value`` keywords of a gym spec, keys checked to be Python identifiers."""
    pairs = {} if rest is None else _split_pairs(rest, where)
    for key in pairs:
        if not key.isidentifier():
            raise SpecError(f"key {key!r} is not a keyword argument name in {where}")
    return {key: _gym_value(text) for key, text in pairs.items()}


def _checked_gym_env(make_env: Callable[[], gymnasium.Env], where: str) -> gymnasium.Env:
    """A fresh env with Discrete spaces; any failure to make it becomes a SpecError.

    Env constructors are other people's code and raise what they like (FrozenLake's
    unknown ``map_name`` is a KeyError), so every exception is reported as one line.
    """
    try:
        env = make_env()
    except UnsupportedEnvError as error:
        raise SpecError(f"{where}: {error}") from None
    except Exception as error:
        raise SpecError(f"{where}: cannot make the env: {type(error).__name__}: {error}") from None
    try:
        check_discrete(env)
    except UnsupportedEnvError as error:
        env.close()
        raise SpecError(f"{where}: {error}") from None
    return env


def _gym_schedule(env: gymnasium.Env, env_id: str) -> WorldSchedule | None:
    """The env's exact schedule from its table ``P``, or None when it has no usable one.

    An env whose table ``from_gymnasium`` refuses (e.g. Taxi's fickle passenger) can
    still be learned from step by step; it just has no ground truth.
    """
    if getattr(env.unwrapped, "P", None) is None:
        return None
    try:
        return WorldSchedule.static(from_gymnasium(env, name=env_id))
    except UnsupportedEnvError:
        return None


def _gym_world(spec: str, rest: str, where: str) -> World:
    """A Gymnasium env ``ID[:key=value,...]``, checked once and rebuilt by ``make_env``."""
    env_id, colon, kwargs_text = rest.partition(":")
    env_id = env_id.strip()
    if not env_id:
        raise SpecError(f"missing id after 'gym:' in {where}; expected gym:ID[:key=value,...]")
    kwargs = _gym_kwargs(kwargs_text if colon else None, where)
    make_env = functools.partial(make_gym_env, env_id, **kwargs)
    env = _checked_gym_env(make_env, where)
    try:
        schedule = _gym_schedule(env, env_id)
    finally:
        env.close()
    return World(spec=spec, name=env_id, schedule=schedule, make_env=make_env)


def parse_env_spec(spec: str, *, option: str = ENV_OPTION) -> World:
    """The :class:`World` an env spec names (see the module docstring for the forms).

    ``option`` names where the spec came from in messages. Raises :class:`SpecError`.
    """
    where = _where(option, spec)
    name, rest = _split_name(spec, "env", where)
    if name == "maze":
        return _file_maze_world(spec, rest or "", where)
    if name == "gym":
        return _gym_world(spec, rest or "", where)
    if name in BUILTIN_WORLDS:
        return _builtin_world(spec, name, rest, where)
    raise _unknown_env(name, spec, where)
