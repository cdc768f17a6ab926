"""Env SPEC strings: how a user names a world, and the :class:`World` it names.

    dyna-maze    blocking-maze    shortcut-maze    dyna-maze:scale=3
    maze:PATH                              a maze text file (see dynalab.envs.maze_text)
    dyna-maze:obs=pixels,upscale=2         how the neural agents see a maze (one-hot, coords,
    maze:PATH:obs=coords                   pixels); the tabular agents see the state itself
    gym:ID[:key=value,...]                 gymnasium.make(ID, key=value, ...)
    gymnax:ID                              a gymnax env in JAX (Breakout-MinAtar, ...)

Whitespace around names, keys and values is ignored; a ``maze:`` path is taken as typed
(a last ``:key=value,...`` part is read as keys unless the whole text names a file).
A gym ID cannot contain ``:`` and no value can contain ``,``.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import gymnasium

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
from dynalab.envs.pixels import MAX_UPSCALE
from dynalab.envs.views import OBSERVATIONS
from dynalab.specs.text import (
    ENV_OPTION,
    SpecError,
    located,
    parse_values,
    split_name,
    split_pairs,
)
from dynalab.values import Parser, closest, did_you_mean, int_in_range, one_of

MAX_SCALE = 100
"""Largest ``dyna-maze:scale=K``: 540,000 states, built in about a second."""


_BUILTIN_ENV_KEYS: dict[str, tuple[str, ...]] = {"dyna-maze": ("scale",)}
"""Keys each built-in world takes (passed to its factory); absent names take none."""

_VIEW_KEYS = ("obs", "upscale")
"""Keys every maze takes: how the neural agents observe it (:mod:`dynalab.envs.views`)."""


ENV_HELP: list[tuple[str, str]] = [
    *((name, world.description) for name, world in BUILTIN_WORLDS.items()),
    (
        "dyna-maze:scale=K",
        "Dyna maze at K times the resolution (each cell a KxK block), as in Sutton & Barto "
        f"Example 8.4; K an integer from 1 to {MAX_SCALE}.",
    ),
    (
        "MAZE:obs=VIEW[,upscale=K]",
        "any maze (built-in or maze:PATH:obs=...) as the neural agents see it: one-hot "
        "(default), coords (row, col) or pixels (walls, agent, goal, cliffs, swamps in "
        f"their own channels; K pixels per cell, 1 to {MAX_UPSCALE}); tabular agents see "
        "the state itself.",
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
    (
        "gymnax:ID",
        "a gymnax env with discrete actions, compiled end to end for the neural agents "
        "(MinAtar: Breakout-MinAtar, Asterix-MinAtar, ...; the deep extra); no ground truth.",
    ),
]
"""Env spec forms, each with one line of description (for ``dynalab envs``)."""


_ENV_FORMS = {name: name for name in BUILTIN_WORLDS} | {
    "maze": "maze:PATH",
    "gym": "gym:ID",
    "gymnax": "gymnax:ID",
}
"""What an env spec can start with, mapped to how messages show it."""


@dataclass(frozen=True)
class World:
    """A world named by an env spec, with what experiments, pictures and checks need.

    ``schedule`` is the array world (``None`` only for gym envs without a usable table);
    ``maze`` is the maze in force at step 0 and ``changing`` the changing maze, if any;
    ``change_steps`` are the real steps at which the world changes (empty when static);
    ``shortest_path`` is, for mazes, the fewest moves from the start to a goal at step 0;
    ``make_env`` builds a fresh Gymnasium env (gym specs only); ``vector_obs`` says its
    observations are vectors (a ``Box`` space with ``Discrete`` actions, as CartPole's):
    only the neural agents learn there, on the env's JAX twin; ``gymnax`` says the world
    is a gymnax env named by ``gymnax:ID`` (no Gymnasium env at all). ``observation`` and
    ``upscale`` say how the neural agents see a maze (:func:`dynalab.envs.views.maze_observations`).
    """

    spec: str
    name: str
    schedule: WorldSchedule | None
    maze: Maze | None = None
    changing: ChangingMaze | None = None
    change_steps: tuple[int, ...] = ()
    shortest_path: int | None = None
    make_env: Callable[[], gymnasium.Env] | None = None
    vector_obs: bool = False
    observation: str = "one-hot"
    upscale: int = 1
    gymnax: bool = False

    @property
    def true_mdp_known(self) -> bool:
        """Whether ground truth (value iteration, policy evaluation) can be computed."""
        return self.schedule is not None


_ENV_VALUE_PARSERS: dict[str, Parser] = {
    "scale": int_in_range(1, MAX_SCALE),
    "obs": one_of(OBSERVATIONS),
    "upscale": int_in_range(1, MAX_UPSCALE),
}
"""How each built-in world key's value is read."""


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


def _view(values: dict[str, object], where: str) -> dict[str, object]:
    """The ``observation`` and ``upscale`` fields named by a maze spec's view keys."""
    observation = str(values.pop("obs", "one-hot"))
    if "upscale" in values and observation != "pixels":
        raise SpecError(f"upscale applies to obs=pixels only, in {where}")
    return {"observation": observation, "upscale": int(values.pop("upscale", 1))}


def _maze_world(spec: str, name: str, built: Maze | ChangingMaze, view: dict[str, object]) -> World:
    """A :class:`World` over a maze or a changing maze, seen through ``view``."""
    if isinstance(built, ChangingMaze):
        return World(
            spec=spec,
            name=name,
            schedule=built.to_schedule(),
            maze=built.first,
            changing=built,
            change_steps=built.switch_steps[1:],
            shortest_path=built.first.shortest_path_length(),
            **view,
        )
    return World(
        spec=spec,
        name=name,
        schedule=WorldSchedule.static(built.to_mdp()),
        maze=built,
        shortest_path=built.shortest_path_length(),
        **view,
    )


def _builtin_world(spec: str, name: str, rest: str | None, where: str) -> World:
    """A built-in world, its keys (``scale`` for dyna-maze) passed to its factory, its
    view keys (``obs``, ``upscale``) to the world."""
    pairs = {} if rest is None else split_pairs(rest, where)
    keys = (*_BUILTIN_ENV_KEYS.get(name, ()), *_VIEW_KEYS)
    kwargs = parse_values(pairs, _ENV_VALUE_PARSERS, f"env {name!r}", keys, where)
    view = _view(kwargs, where)
    built = BUILTIN_WORLDS[name].factory(**kwargs)
    return _maze_world(spec, built.name, built, view)


def _file_maze_world(spec: str, path: str, where: str) -> World:
    """A maze read from a text file; its name is the file's ``name:`` setting or its stem.

    Every problem with the file (missing, unreadable, invalid) keeps the maze reader's
    ``path:line:col: what`` text.
    """
    if not path:
        raise SpecError(f"missing path after 'maze:' in {where}; expected maze:PATH")
    head, colon, tail = path.rpartition(":")
    values: dict[str, object] = {}
    if colon and "=" in tail and not os.path.isfile(path):
        pairs = split_pairs(tail, where)
        values = parse_values(pairs, _ENV_VALUE_PARSERS, "env 'maze'", _VIEW_KEYS, where)
        path = head
    view = _view(values, where)
    try:
        maze = load_maze(path)
    except ValueError as error:
        raise SpecError(f"bad maze in {where}: {error}") from None
    name = maze.name if maze.name != DEFAULT_NAME else Path(path).stem or DEFAULT_NAME
    return _maze_world(spec, name, maze, view)


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
    pairs = {} if rest is None else split_pairs(rest, where)
    for key in pairs:
        if not key.isidentifier():
            raise SpecError(f"key {key!r} is not a keyword argument name in {where}")
    return {key: _gym_value(text) for key, text in pairs.items()}


def _vector_observations(env: gymnasium.Env) -> bool:
    """Whether ``env`` has vector observations (a 1-D ``Box``) and ``Discrete`` actions."""
    observations, actions = env.observation_space, env.action_space
    return (
        isinstance(observations, gymnasium.spaces.Box)
        and len(observations.shape) == 1
        and isinstance(actions, gymnasium.spaces.Discrete)
        and int(actions.start) == 0
    )


def _checked_gym_env(make_env: Callable[[], gymnasium.Env], where: str) -> gymnasium.Env:
    """A fresh env with Discrete spaces, or vector observations and Discrete actions; any
    failure to make it becomes a SpecError.

    Env constructors are other people's code and raise what they like (FrozenLake's
    unknown ``map_name`` is a KeyError), so every exception is reported as one line.
    """
    try:
        env = make_env()
    except UnsupportedEnvError as error:
        raise SpecError(f"{where}: {error}") from None
    except Exception as error:
        raise SpecError(f"{where}: cannot make the env: {type(error).__name__}: {error}") from None
    if _vector_observations(env):
        return env
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
    vector = _vector_observations(env)
    try:
        schedule = None if vector else _gym_schedule(env, env_id)
    finally:
        env.close()
    return World(spec=spec, name=env_id, schedule=schedule, make_env=make_env, vector_obs=vector)


def _gymnax_world(spec: str, rest: str, where: str) -> World:
    """A gymnax env by its id, checked to exist and to have discrete actions."""
    env_id = rest.strip()
    if not env_id:
        raise SpecError(f"missing id after 'gymnax:' in {where}; expected gymnax:ID")
    try:
        import gymnax
    except ImportError:
        raise SpecError(
            f"{where}: gymnax envs need the deep extra: pip install -e '.[deep]'"
        ) from None
    known = list(gymnax.registered_envs)
    if env_id not in known:
        raise SpecError(
            f"gymnax has no env {env_id!r} in {where}{did_you_mean(closest(env_id, known))}"
        )
    env, params = gymnax.make(env_id)
    if not hasattr(env.action_space(params), "n"):
        raise SpecError(f"{where}: gymnax env {env_id!r} has no discrete actions")
    return World(spec=spec, name=env_id, schedule=None, vector_obs=True, gymnax=True)


def parse_env_spec(spec: str, *, option: str = ENV_OPTION) -> World:
    """The :class:`World` an env spec names (see the module docstring for the forms).

    ``option`` names where the spec came from in messages. Raises :class:`SpecError`.
    """
    where = located(option, spec)
    name, rest = split_name(spec, "env", where)
    if name == "maze":
        return _file_maze_world(spec, rest or "", where)
    if name == "gym":
        return _gym_world(spec, rest or "", where)
    if name == "gymnax":
        return _gymnax_world(spec, rest or "", where)
    if name in BUILTIN_WORLDS:
        return _builtin_world(spec, name, rest, where)
    raise _unknown_env(name, spec, where)
