"""Env and agent SPEC strings: how a user names a world and an agent, parsed once.

The command line and Python users share these strings, so parsing lives here, not in the
CLI. Every bad spec raises :class:`SpecError` with a one-line message that says what is
wrong and where (the option and the spec as typed), and suggests the closest known name
for an unknown one.

Agent SPEC, ``NAME[:key=value,...]``::

    q-learning    dyna-q:n=50    dyna-q+:n=10,kappa=0.0001,alpha=1.0    dyna-q:model=counts

Env SPEC, one of::

    dyna-maze    blocking-maze    shortcut-maze    dyna-maze:scale=3
    maze:PATH                              a maze text file (see dynalab.envs.maze)
    gym:ID[:key=value,...]                 gymnasium.make(ID, key=value, ...)

Whitespace around names, keys and values is ignored; a ``maze:`` path is taken as typed.
A gym ID cannot contain ``:`` and no value can contain ``,``.
"""

from __future__ import annotations

import difflib
import functools
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import gymnasium

from dynalab.agents.config import AGENT_NAMES, SAMPLINGS, AgentConfig, AgentConfigError
from dynalab.envs.builtin import BUILTIN_WORLDS, ChangingMaze
from dynalab.envs.gym_adapter import (
    UnsupportedEnvError,
    check_discrete,
    from_gymnasium,
    make_gym_env,
)
from dynalab.envs.maze import DEFAULT_NAME, Maze, load_maze
from dynalab.envs.mdp import WorldSchedule
from dynalab.models.ensemble import UNCERTAINTY_MODES
from dynalab.models.tabular import MODEL_KINDS

AGENT_OPTION = "--agents"
ENV_OPTION = "--env"

DYNA_PLANNING_STEPS = 5
"""Planning steps ``n`` of dyna-q and dyna-q+ when neither the spec nor defaults set it."""

MAX_SCALE = 100
"""Largest ``dyna-maze:scale=K``: 540,000 states, built in about a second."""

DYNA_Q_PLUS_KAPPA = 1e-3
"""Dyna-Q+'s bonus weight ``kappa`` when neither the spec nor defaults set it."""

_CONFIG_DEFAULTS = {f.name: f.default for f in fields(AgentConfig)}

AGENT_KEYS: dict[str, str] = {
    "n": (
        "planning steps per real step, an integer >= 0 "
        f"(default {DYNA_PLANNING_STEPS} for dyna-q and dyna-q+; q-learning takes only 0)"
    ),
    "alpha": f"step size, in (0, 1] (default {_CONFIG_DEFAULTS['alpha']})",
    "gamma": f"discount factor, in [0, 1] (default {_CONFIG_DEFAULTS['gamma']})",
    "epsilon": (
        f"exploration rate of epsilon-greedy, in [0, 1] (default {_CONFIG_DEFAULTS['epsilon']})"
    ),
    "kappa": (
        f"Dyna-Q+'s bonus weight in kappa*sqrt(tau), >= 0 (default {DYNA_Q_PLUS_KAPPA:g}; "
        "dyna-q+ only)"
    ),
    "model": (
        "learned model: deterministic (last outcome, the book's), counts "
        "(outcome frequencies) or aggregate (generalizes to untried pairs; dyna-q) "
        f"(default {_CONFIG_DEFAULTS['model']})"
    ),
    "sampling": (
        "dyna-q/dyna-q+ planning distribution: uniform over seen pairs, or on-policy "
        "trajectories from the start state (Sutton & Barto 8.6) (default uniform)"
    ),
    "theta": (
        "prioritized-sweeping's queueing threshold on |target - Q|, >= 0 "
        f"(default {_CONFIG_DEFAULTS['theta']:g})"
    ),
    "sweeps": "model-vi's value-iteration sweeps per real step, >= 0 (default 0: until converged)",
    "optimism": (
        "model-vi's value for untried actions of seen states (R-max style), >= 0 (default 0: none)"
    ),
    "simulations": (
        f"mcts simulations per decision, >= 1 (default {_CONFIG_DEFAULTS['simulations']})"
    ),
    "depth": f"mcts depth of a simulation, >= 1 (default {_CONFIG_DEFAULTS['depth']})",
    "c": (
        "mcts UCB exploration constant, relative to the range of returns the search has "
        f"seen (means min-max normalised), >= 0 (default {_CONFIG_DEFAULTS['exploration']:g})"
    ),
    "model_noise": (
        "fraction of (s, a) pairs whose learned next state is a fixed random wrong one, "
        "in [0, 1] (default 0; agents that learn a model)"
    ),
    "ensemble": (
        "dyna-q plans on K >= 2 models trained on Poisson(1) bootstrap resamples of the "
        "experience (with model=counts or aggregate) (default 0: no ensemble)"
    ),
    "uncertainty": (
        "how an ensemble's disagreement shifts planning targets: pessimistic (minus "
        "lambda x disagreement), optimistic (plus) or mean (default pessimistic)"
    ),
    "lambda": (
        f"weight of the ensemble's disagreement, >= 0 "
        f"(default {_CONFIG_DEFAULTS['uncertainty_weight']})"
    ),
}
"""Keys of an agent spec, each with one line of help (for ``dynalab agents``)."""

AGENT_HELP: dict[str, str] = {
    "q-learning": "one-step tabular Q-learning (Sutton & Barto 6.5): the model-free baseline",
    "dyna-q": (
        "tabular Dyna-Q (Sutton & Barto Fig. 8.1): Q-learning plus n planning updates "
        "per real step from a learned model"
    ),
    "dyna-q+": (
        "Dyna-Q+ (Sutton & Barto 8.3): Dyna-Q whose planning adds the bonus kappa*sqrt(tau) "
        "for actions untried for tau steps"
    ),
    "prioritized-sweeping": (
        "prioritized sweeping (Sutton & Barto 8.4): up to n planning updates per real step, "
        "highest |TD error| first, propagated to predecessors; expected updates with "
        "model=counts"
    ),
    "model-vi": (
        "value iteration on the learned model after every real step (certainty "
        "equivalence), acting epsilon-greedily on the result; optional optimism"
    ),
    "mcts": (
        "decision-time UCT search on the learned model (Sutton & Barto 8.11) with "
        "Q-learning's values at the leaves"
    ),
}
"""Agent names, each with one line of description (for ``dynalab agents``)."""

_CONFIG_FIELD = {"n": "planning_steps", "c": "exploration", "lambda": "uncertainty_weight"}
"""AgentConfig field of a spec key, where the names differ."""

_BUILTIN_AGENT_DEFAULTS: dict[str, dict[str, object]] = {
    "q-learning": {},
    "dyna-q": {"n": DYNA_PLANNING_STEPS},
    "dyna-q+": {"n": DYNA_PLANNING_STEPS, "kappa": DYNA_Q_PLUS_KAPPA},
    "prioritized-sweeping": {"n": DYNA_PLANNING_STEPS},
    "model-vi": {"alpha": 1.0},
    "mcts": {},
}
"""Per-agent values for keys that neither the spec nor the caller's defaults set."""

_UNUSED_DEFAULTS: dict[str, tuple[str, ...]] = {
    "q-learning": ("n", "kappa", "model_noise"),
    "dyna-q": ("kappa",),
    "dyna-q+": (),
    "prioritized-sweeping": ("kappa",),
    "model-vi": ("n", "kappa", "alpha"),
    "mcts": ("n", "kappa"),
}
"""Caller defaults an agent ignores, so that one defaults dict serves a mixed agent list."""

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
        "optional 'key: value' settings first (format in dynalab.envs.maze).",
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


class _BadValueError(Exception):
    """A value that does not parse: what was expected and a hint, for the caller to place."""

    def __init__(self, expected: str, hint: str = "") -> None:
        super().__init__(expected)
        self.expected = expected
        self.hint = hint


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


def _closest(word: str, choices: Sequence[str]) -> str | None:
    """The choice closest to ``word`` (case-blind, by difflib), or None if none is close."""
    by_lower = {choice.lower(): choice for choice in choices}
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=1)
    return by_lower[matches[0]] if matches else None


def _did_you_mean(suggestion: str | None) -> str:
    """``"; did you mean 'x'?"``, or ``""`` without a suggestion."""
    return f"; did you mean {suggestion!r}?" if suggestion is not None else ""


def _suggestion(word: str, choices: Sequence[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices``, else ``""``."""
    return _did_you_mean(_closest(word, choices))


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
        + _suggestion(key, keys)
    )


def _bad_value(key: str, text: str, error: _BadValueError, where: str) -> SpecError:
    """The error for a value that does not parse as its key requires."""
    return SpecError(
        f"bad value for key {key!r} in {where}: {error.expected}, got {text!r}{error.hint}"
    )


def _int_in_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """A parser of base-10 integers ``>= low`` (and ``<= high`` when given)."""
    if high is None:
        expected = f"expected an integer >= {low}"
    else:
        expected = f"expected an integer from {low} to {high}"

    def parse(text: str) -> int:
        if re.fullmatch(r"[+-]?[0-9]+", text) is None:
            raise _BadValueError(expected)
        number = int(text)
        if number < low or (high is not None and number > high):
            raise _BadValueError(expected)
        return number

    return parse


def _finite_float(text: str) -> float:
    """A finite number, as Python's ``float`` reads it."""
    try:
        number = float(text)
    except ValueError:
        raise _BadValueError("expected a number") from None
    if not math.isfinite(number):
        raise _BadValueError("expected a finite number")
    return number


def _one_of(choices: Sequence[str]) -> Callable[[str], str]:
    """A parser of one of ``choices``, suggesting the closest when the text is not one."""

    def parse(text: str) -> str:
        if text not in choices:
            raise _BadValueError(
                f"expected one of {', '.join(choices)}", _suggestion(text, choices)
            )
        return text

    return parse


_AGENT_VALUE_PARSERS: dict[str, Callable[[str], object]] = {
    "n": _int_in_range(0),
    "alpha": _finite_float,
    "gamma": _finite_float,
    "epsilon": _finite_float,
    "kappa": _finite_float,
    "model": _one_of(MODEL_KINDS),
    "sampling": _one_of(SAMPLINGS),
    "theta": _finite_float,
    "sweeps": _int_in_range(0),
    "optimism": _finite_float,
    "simulations": _int_in_range(1),
    "depth": _int_in_range(1),
    "c": _finite_float,
    "model_noise": _finite_float,
    "ensemble": _int_in_range(0),
    "uncertainty": _one_of(UNCERTAINTY_MODES),
    "lambda": _finite_float,
}
"""How each agent key's value is read; ranges beyond these are AgentConfig's to check."""

_ENV_VALUE_PARSERS: dict[str, Callable[[str], object]] = {"scale": _int_in_range(1, MAX_SCALE)}
"""How each built-in world key's value is read."""


def _parse_values(
    pairs: Mapping[str, str],
    parsers: Mapping[str, Callable[[str], object]],
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
        except _BadValueError as error:
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


def _agent_values(
    name: str, spec_values: Mapping[str, object], defaults: Mapping[str, object] | None
) -> dict[str, object]:
    """Spec values over the caller's defaults (those the agent uses) over built-in ones."""
    values = dict(_BUILTIN_AGENT_DEFAULTS[name])
    for key, value in (defaults or {}).items():
        if key not in AGENT_KEYS:
            raise SpecError(
                f"unknown key {key!r} in agent defaults; keys: {', '.join(AGENT_KEYS)}"
                + _suggestion(key, list(AGENT_KEYS))
            )
        if key not in _UNUSED_DEFAULTS[name]:
            values[key] = value
    values.update(spec_values)
    return values


def parse_agent_spec(
    spec: str, defaults: Mapping[str, object] | None = None, *, option: str = AGENT_OPTION
) -> AgentConfig:
    """The :class:`AgentConfig` an agent spec ``NAME[:key=value,...]`` names.

    Keys are :data:`AGENT_KEYS`. A key absent from the spec takes its value from
    ``defaults`` (keyed like the spec, e.g. ``{"alpha": 0.1}``; ``n`` is ignored for
    q-learning and ``kappa`` for all but dyna-q+), then from the agent's own defaults
    (``n=5`` for dyna-q and dyna-q+, ``kappa=0.001`` for dyna-q+), then from
    :class:`AgentConfig`. ``option`` names where the spec came from in messages.
    Raises :class:`SpecError`.
    """
    where = _where(option, spec)
    name, rest = _split_name(spec, "agent", where)
    if name not in AGENT_NAMES:
        raise SpecError(
            f"unknown agent {name!r} in {where}; agents: {', '.join(AGENT_NAMES)}"
            + _suggestion(name, AGENT_NAMES)
        )
    pairs = {} if rest is None else _split_pairs(rest, where)
    keys = list(AGENT_KEYS)
    spec_values = _parse_values(pairs, _AGENT_VALUE_PARSERS, f"agent {name!r}", keys, where)
    values = _agent_values(name, spec_values, defaults)
    kwargs = {_CONFIG_FIELD.get(key, key): value for key, value in values.items()}
    try:
        return AgentConfig(name=name, **kwargs)
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
        suggestion: str | None = "maze:" + spec
    elif name in gymnasium.registry:
        suggestion = "gym:" + spec.strip()
    else:
        closest = _closest(name, list(_ENV_FORMS))
        suggestion = None if closest is None else _ENV_FORMS[closest]
    return SpecError(f"unknown env {name!r} in {where}; envs: {forms}{_did_you_mean(suggestion)}")


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
