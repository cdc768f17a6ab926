"""The sweep file: worlds x agents x hyper-parameter grids x seeds, as TOML.

Read with the standard library (``tomllib``) and checked whole before anything runs: a
bad file gets one :class:`SweepFileError` naming the file, the line and the key. Agent
settings are parsed by the agent registry (the same parser as ``--agents``), worlds by
the env spec parser, so a sweep accepts exactly what ``dynalab compare`` accepts.
"""

from __future__ import annotations

import difflib
import itertools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dynalab.agents.registry import REGISTRY
from dynalab.specs.agents import AgentSpec, parse_agent_spec
from dynalab.specs.text import SpecError
from dynalab.specs.worlds import parse_env_spec

EXAMPLE = """\
# A dynalab sweep: every world x every agent setting, `runs` runs per cell.
# Run it with: dynalab sweep FILE.toml [--out DIR] [--jobs J]

seed = 0          # the sweep's seed: a cell's runs derive from it and the cell's identity
runs = 10         # runs per cell
episodes = 30     # each run's budget: `episodes = N` or `steps = N`
worlds = ["dyna-maze"]   # env SPECs (`dynalab envs` lists them)

# One table per agent (`dynalab agents` lists them and their keys). A list is a grid
# axis; a single value is fixed. Quote names with other characters: [agents."dyna-q+"]
[agents.q-learning]
alpha = [0.1, 0.5, 1.0]

[agents.dyna-q]
alpha = [0.1, 0.5, 1.0]
n = [5, 50]
"""

TOP_LEVEL_KEYS = ("seed", "runs", "episodes", "steps", "worlds", "agents")


class SweepFileError(ValueError):
    """A sweep file that cannot run; the message is one line: file, line, key, what."""


@dataclass(frozen=True)
class AgentGrid:
    """One agent's grid: its name, each key's values in file order, the key's line."""

    name: str
    axes: tuple[tuple[str, tuple[Any, ...]], ...]

    def settings(self) -> list[dict[str, Any]]:
        """Every combination of the axes' values, the last axis varying fastest."""
        keys = [key for key, _ in self.axes]
        return [
            dict(zip(keys, values, strict=True))
            for values in itertools.product(*(values for _, values in self.axes))
        ]


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep file: seed, runs per cell, one budget, worlds, agent grids."""

    seed: int
    runs: int
    episodes: int | None
    steps: int | None
    worlds: tuple[str, ...]
    agents: tuple[AgentGrid, ...]

    def to_dict(self) -> dict[str, Any]:
        """The sweep as plain data (what a sweep folder records and compares)."""
        return {
            "seed": self.seed,
            "runs": self.runs,
            "episodes": self.episodes,
            "steps": self.steps,
            "worlds": list(self.worlds),
            "agents": {
                grid.name: {key: list(values) for key, values in grid.axes} for grid in self.agents
            },
        }


def spec_text(name: str, settings: dict[str, Any]) -> str:
    """An agent spec string for ``settings``: ``dyna-q:alpha=0.5,n=5`` (keys sorted)."""
    if not settings:
        return name
    pairs = ",".join(f"{key}={_text(value)}" for key, value in sorted(settings.items()))
    return f"{name}:{pairs}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _line_of(text: str, table: str | None, key: str) -> int | None:
    """The line (from 1) where ``key`` is set in ``[table]`` (None: the top level), or
    where the table starts when ``key`` is empty."""
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.fullmatch(r"\[\s*([^\[\]]+?)\s*\]\s*(#.*)?", stripped)
        if header:
            current = header.group(1).replace('"', "").replace("'", "").replace(" ", "")
            if key == "" and current == table:
                return number
            continue
        if current == table and key and re.match(rf"""["']?{re.escape(key)}["']?\s*=""", stripped):
            return number
    return None


class _Reader:
    """Checks one file's data, raising :class:`SweepFileError` with file:line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, table: str | None, key: str, message: str) -> SweepFileError:
        line = _line_of(self.text, table, key)
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        name = f"{table}.{key}" if table and key else (table or key)
        return SweepFileError(f"{where}: {name}: {message}")

    def integer(self, data: dict, key: str, low: int, required: bool = True) -> int | None:
        if key not in data:
            if required:
                raise SweepFileError(f"{self.path}: missing {key!r} (see dynalab sweep --example)")
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.fail(None, key, f"expected a whole number >= {low}, got {value!r}")
        return value

    def worlds(self, data: dict) -> tuple[str, ...]:
        worlds = data.get("worlds")
        if worlds is None:
            raise SweepFileError(f"{self.path}: missing 'worlds' (a list of env SPECs)")
        if (
            not isinstance(worlds, list)
            or not worlds
            or not all(isinstance(world, str) for world in worlds)
        ):
            raise self.fail(None, "worlds", f"expected a list of env SPEC strings, got {worlds!r}")
        if len(set(worlds)) < len(worlds):
            raise self.fail(None, "worlds", "a world is listed twice")
        for world in worlds:
            try:
                parsed = parse_env_spec(world, option="worlds")
            except SpecError as error:
                raise self.fail(None, "worlds", str(error)) from None
            if parsed.schedule is None and parsed.make_env is None:
                raise self.fail(None, "worlds", f"{world!r} cannot run")
        return tuple(worlds)

    def agents(self, data: dict, worlds: tuple[str, ...]) -> tuple[AgentGrid, ...]:
        data_budget = (data.get("steps"), worlds)
        agents = data.get("agents")
        if not isinstance(agents, dict) or not agents:
            raise SweepFileError(
                f"{self.path}: no agents: add a table per agent, e.g. [agents.dyna-q]"
            )
        grids = []
        for name, keys in agents.items():
            table = f"agents.{name}"
            if name not in REGISTRY:
                close = difflib.get_close_matches(name, list(REGISTRY), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise self.fail(table, "", f"unknown agent {name!r}{hint}")
            if REGISTRY[name].backend != "tabular":
                self._check_jax(table, name, data_budget)
            if not isinstance(keys, dict):
                raise self.fail(None, "agents", f"[agents.{name}] must be a table of keys")
            axes = []
            for key, value in keys.items():
                values = value if isinstance(value, list) else [value]
                if not values or not all(isinstance(v, bool | int | float | str) for v in values):
                    raise self.fail(
                        table, key, f"expected a value or a list of values, got {value!r}"
                    )
                if len(set(map(repr, values))) < len(values):
                    raise self.fail(table, key, "a value is listed twice")
                for single in values:
                    self._check_setting(table, key, name, {key: single})
                axes.append((key, tuple(values)))
            grid = AgentGrid(name, tuple(axes))
            for settings in grid.settings():
                self._check_setting(table, "", name, settings)
            grids.append(grid)
        return tuple(grids)

    def _check_jax(self, table: str, name: str, budget: tuple) -> None:
        """A jax agent needs a step budget and worlds it can learn on."""
        steps, worlds = budget
        if steps is None:
            raise self.fail(
                table, "", f"{name} runs on jax and trains for `steps = N`, not episodes"
            )
        try:
            import jax  # noqa: F401
        except ImportError:
            raise self.fail(
                table,
                "",
                f"{name} runs on jax, which is not installed: pip install 'dynalab[deep]'",
            ) from None
        from dynalab.experiments.neural import jax_world_problem

        for world in worlds:
            problem = jax_world_problem(parse_env_spec(world, option="worlds"))
            if problem is not None:
                raise self.fail(table, "", f"{name}: {problem}")

    def _check_setting(self, table: str, key: str, name: str, settings: dict) -> None:
        spec = spec_text(name, settings)
        try:
            parse_agent_spec(spec, option="the sweep's")
        except SpecError as error:
            raise self.fail(table, key, str(error)) from None


def read_sweep_file(path: Path | str) -> SweepSpec:
    """The checked sweep in ``path``; :class:`SweepFileError` (one line) otherwise."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SweepFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise SweepFileError(f"{path}: cannot read it ({reason})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SweepFileError(f"{path}: not valid TOML ({error})") from None
    reader = _Reader(path, text)
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            close = difflib.get_close_matches(key, TOP_LEVEL_KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise reader.fail(None, key, f"unknown key{hint} (keys: {', '.join(TOP_LEVEL_KEYS)})")
    episodes = reader.integer(data, "episodes", 1, required=False)
    steps = reader.integer(data, "steps", 1, required=False)
    if (episodes is None) == (steps is None):
        raise SweepFileError(f"{path}: give exactly one budget, `episodes = N` or `steps = N`")
    seed = reader.integer(data, "seed", 0, required=False) or 0
    runs = reader.integer(data, "runs", 1)
    worlds = reader.worlds(data)
    return SweepSpec(seed, runs, episodes, steps, worlds, reader.agents(data, worlds))


def agent_specs(grid: AgentGrid) -> list[AgentSpec]:
    """Every setting of ``grid`` as a labelled agent (label: its spec string)."""
    return [
        AgentSpec(spec_text(grid.name, settings), parse_agent_spec(spec_text(grid.name, settings)))
        for settings in grid.settings()
    ]
