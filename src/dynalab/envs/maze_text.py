"""The plain-text format of mazes: reading a maze from text or a file, with errors that point.

Writing is :meth:`dynalab.envs.maze.Maze.to_text`; reading, here, checks everything a
person can get wrong in a maze file and says where, so a typo never becomes a silently
different maze.

Maze text format
----------------
A maze file is plain text, read line by line::

    ; The Dyna maze of Sutton & Barto, Figure 8.2.
    name: dyna-maze
    slip: 0.1
    .......#G
    ..#....#.
    S.#....#.
    ..#......
    .....#...
    .........

* Lines whose first non-blank character is ``;`` are comments, anywhere in the file.
* Blank lines are ignored, anywhere; trailing whitespace on any line is ignored.
* Optional settings come first, one ``key: value`` per line:

  - ``name`` - the maze's name, one line of text (default ``maze``);
  - ``slip`` - probability in [0, 1] that the chosen action is replaced by one of the
    four drawn uniformly (default ``0``);
  - ``step_reward`` - reward of every move that ends in none of a goal, a cliff or a
    swamp (default ``0``);
  - ``goal_reward`` - reward of the move that enters a goal (default ``1``);
  - ``cliff_reward`` - reward of the move that enters a cliff (default ``-100``);
  - ``swamp_reward`` - reward of every move that ends in a swamp (default ``-1``);
  - ``max_steps`` - time limit per episode, an int >= 0, 0 meaning none (default ``0``).

* Then the grid, one row per line, all rows the same length: ``#`` wall, ``.`` free
  cell, ``S`` the start (exactly one), ``G`` a goal (at least one, each reachable from
  the start without passing through another goal or a cliff), ``C`` a cliff (any
  number), ``~`` a swamp (any number). Entering a goal or a cliff ends the episode
  (termination). A cliff is not a wall: moves can enter it, on purpose or by a slip,
  and that is its danger. A swamp is a free cell that does not end the episode (paths
  to a goal may cross it), but every move that ends in it - entering it, moving within
  the swamp, or bumping into a wall while standing in it - gives ``swamp_reward``
  instead of ``step_reward``.

A cliff walk in the spirit of Sutton & Barto Example 6.6, made slippery::

    name: slippery-cliff
    slip: 0.1
    step_reward: -1
    goal_reward: 0
    max_steps: 200
    ............
    ............
    ............
    SCCCCCCCCCCG

Every problem is reported as a :class:`~dynalab.envs.maze.MazeError` whose one-line
message starts with ``source:line:col:`` (1-based) when it sits at a place in the text,
or ``source:`` when it concerns the whole maze (no start, no goal, a goal that cannot be
reached without entering a cliff).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np

from dynalab.envs.maze import (
    CLIFF,
    FREE,
    GOAL,
    MAX_STEPS_LIMIT,
    START,
    SWAMP,
    WALL,
    Cell,
    Maze,
    MazeError,
    grid_distances,
    name_problem,
)

GRID_CHARS = (WALL, FREE, START, GOAL, CLIFF, SWAMP)
SETTING_KEYS = (
    "name",
    "slip",
    "step_reward",
    "goal_reward",
    "cliff_reward",
    "swamp_reward",
    "max_steps",
)

_CHAR_LIST = ", ".join(repr(char) for char in GRID_CHARS[:-1]) + f" or {GRID_CHARS[-1]!r}"
"""The grid characters for error messages: ``'#', '.', 'S', 'G', 'C' or '~'``."""

_SETTING_LINE = re.compile(r"(\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)", re.DOTALL)


@dataclass
class _GridRow:
    """One grid line of the text: its 1-based line number and its characters."""

    line: int
    text: str


def parse_maze(text: str, source: str = "<string>") -> Maze:
    """Read a maze from text in the format of this module's docstring.

    ``source`` names the text in error messages (a file path, say). Any problem with the
    text raises :class:`MazeError`; no other exception escapes for a ``str`` input.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_maze needs a str, got {type(text).__name__}")
    settings, grid_rows = _split_lines(text, source)
    walls, start, goals, cliffs, swamps = _read_grid(grid_rows, source)
    _check_reachable(walls, start, goals, cliffs, source)
    try:
        return Maze(walls=walls, start=start, goals=goals, cliffs=cliffs, swamps=swamps, **settings)
    except ValueError as error:
        raise MazeError(source, str(error)) from error


def load_maze(path: str | PathLike[str]) -> Maze:
    """Read a maze file; errors name the file as their source."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MazeError(source, f"cannot read maze file: {error}") from error
    return parse_maze(text, source=source)


def _split_lines(text: str, source: str) -> tuple[dict[str, object], list[_GridRow]]:
    """Settings (parsed) and the grid's lines, skipping comments and blank lines."""
    settings: dict[str, object] = {}
    seen: dict[str, int] = {}
    grid_rows: list[_GridRow] = []
    for line_no, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        if not line or line.lstrip().startswith(";"):
            continue
        match = _SETTING_LINE.fullmatch(line)
        if match is None:
            grid_rows.append(_GridRow(line_no, line))
            continue
        key_col = len(match.group(1)) + 1
        key = match.group(2)
        if grid_rows:
            raise MazeError(
                source,
                f"setting {key!r} after the grid started (settings go above the grid)",
                line_no,
                key_col,
            )
        if key not in SETTING_KEYS:
            known = ", ".join(SETTING_KEYS)
            raise MazeError(source, f"unknown setting {key!r} (known: {known})", line_no, key_col)
        if key in seen:
            raise MazeError(
                source, f"setting {key!r} given twice (first on line {seen[key]})", line_no, key_col
            )
        seen[key] = line_no
        value_col = match.start(3) + 1
        settings[key] = _parse_setting(key, match.group(3), source, line_no, value_col)
    return settings, grid_rows


def _parse_setting(key: str, value: str, source: str, line: int, col: int) -> object:
    """The value of one ``key: value`` line, or a MazeError pointing at the value."""

    def bad(expected: str) -> MazeError:
        return MazeError(source, f"bad value {value!r} for {key!r}: expected {expected}", line, col)

    if key == "name":
        if name_problem(value) is not None:
            raise bad("one non-empty line of text")
        return value
    if key == "max_steps":
        try:
            number = int(value)
        except ValueError:
            raise bad("an int >= 0") from None
        if not 0 <= number <= MAX_STEPS_LIMIT:
            raise bad("an int >= 0")
        return number
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if key == "slip":
        if not 0.0 <= number <= 1.0:
            raise bad("a number in [0, 1]")
    elif not math.isfinite(number):
        raise bad("a finite number")
    return number


def _read_grid(
    grid_rows: list[_GridRow], source: str
) -> tuple[np.ndarray, Cell, list[Cell], list[Cell], list[Cell]]:
    """Walls, start, goals, cliffs and swamps of the grid lines, checking characters,
    widths and the start."""
    if not grid_rows:
        raise MazeError(source, f"empty grid: no rows of {_CHAR_LIST}")
    width = len(grid_rows[0].text)
    walls = np.zeros((len(grid_rows), width), dtype=np.bool_)
    start: Cell | None = None
    start_at = (0, 0)
    goals: list[Cell] = []
    cliffs: list[Cell] = []
    swamps: list[Cell] = []
    for row, grid_row in enumerate(grid_rows):
        _check_row(grid_row, width, grid_rows[0].line, source)
        for col, char in enumerate(grid_row.text):
            walls[row, col] = char == WALL
            if char == GOAL:
                goals.append((row, col))
            elif char == CLIFF:
                cliffs.append((row, col))
            elif char == SWAMP:
                swamps.append((row, col))
            elif char == START:
                if start is not None:
                    raise MazeError(
                        source,
                        f"second start 'S' (the first is at line {start_at[0]}, col {start_at[1]})",
                        grid_row.line,
                        col + 1,
                    )
                start, start_at = (row, col), (grid_row.line, col + 1)
    if start is None:
        raise MazeError(source, "no start: the grid needs one 'S'")
    if not goals:
        raise MazeError(source, "no goal: the grid needs at least one 'G'")
    return walls, start, goals, cliffs, swamps


def _check_row(grid_row: _GridRow, width: int, first_line: int, source: str) -> None:
    """A MazeError for the first unknown character, then for a wrong row length."""
    for col, char in enumerate(grid_row.text, start=1):
        if char not in GRID_CHARS:
            raise MazeError(
                source,
                f"unknown character {char!r} (expected {_CHAR_LIST})",
                grid_row.line,
                col,
            )
    length = len(grid_row.text)
    if length != width:
        raise MazeError(
            source,
            f"row has {length} cells, expected {width} like the first row (line {first_line})",
            grid_row.line,
            min(length, width) + 1,
        )


def _check_reachable(
    walls: np.ndarray, start: Cell, goals: list[Cell], cliffs: list[Cell], source: str
) -> None:
    """A MazeError naming the first goal the start cannot reach without entering a cliff."""
    distance = grid_distances(walls, start, tuple(goals), tuple(cliffs))
    for goal in goals:
        if distance[goal] < 0:
            through_cliff = bool(cliffs) and grid_distances(walls, start, tuple(goals))[goal] >= 0
            hint = " without entering a cliff" if through_cliff else ""
            raise MazeError(
                source,
                f"goal at row {goal[0]}, col {goal[1]} (0-based) cannot be reached from the "
                f"start at row {start[0]}, col {start[1]}{hint}",
            )
