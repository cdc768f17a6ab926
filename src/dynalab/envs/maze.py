"""Grid mazes, the worlds of Sutton & Barto chapter 8: cells, walls, moves and rewards.

A :class:`Maze` is a grid of free cells and walls with one start, one or more goals,
any number of cliffs (cells that can be entered, at a cost, and end the episode: the
cliff walk of Sutton & Barto Example 6.6) and any number of swamps (cells that can be
entered and stood on, but where every move costs more than on dry land).
:meth:`Maze.to_mdp` turns it into an :class:`~dynalab.envs.mdp.ArrayMDP` in which every
cell is a state (walls included, so that a maze whose walls move keeps one state space)
and the four actions are ``up``, ``right``, ``down``, ``left`` (:data:`ACTIONS`); the
transition tables themselves are built in :mod:`dynalab.envs.maze_mdp`.

Mazes are written as plain text by :meth:`Maze.to_text` and read back by
:func:`dynalab.envs.maze_text.parse_maze`, whose module describes the format.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from dynalab.envs.maze_mdp import MoveRewards, ending_rewards, slip_outcomes
from dynalab.envs.mdp import ArrayMDP

ACTIONS: tuple[str, ...] = ("up", "right", "down", "left")
"""Action names by index: 0 up, 1 right, 2 down, 3 left."""

ACTION_DELTAS: tuple[tuple[int, int], ...] = ((-1, 0), (0, 1), (1, 0), (0, -1))
"""The (row, col) change of each action in :data:`ACTIONS`."""

WALL, FREE, START, GOAL, CLIFF, SWAMP = "#", ".", "S", "G", "C", "~"
"""The characters of a cell in the text format: wall, free, start, goal, cliff, swamp."""

DEFAULT_NAME = "maze"
DEFAULT_CLIFF_REWARD = -100.0
DEFAULT_SWAMP_REWARD = -1.0
MAX_STEPS_LIMIT = int(np.iinfo(np.int64).max)

Cell = tuple[int, int]


def _one_line(text: str) -> str:
    """``text`` itself if it holds no line break, else its escaped ``repr``."""
    if text == "" or text.splitlines() == [text]:
        return text
    return repr(text)


class MazeError(ValueError):
    """A maze that cannot be read or built, with a one-line message saying where.

    The message is ``"{source}:{line}:{col}: {what}"`` (1-based line and column) for a
    problem at a place in the text, or ``"{source}: {what}"`` for the whole maze.
    """

    def __init__(
        self, source: str, what: str, line: int | None = None, col: int | None = None
    ) -> None:
        self.source = source
        self.what = what
        self.line = line
        self.col = col
        where = _one_line(str(source))
        if line is not None:
            where = f"{where}:{line}:{col if col is not None else 1}"
        super().__init__(f"{where}: {_one_line(what)}")

    def __reduce__(self) -> tuple:
        return (type(self), (self.source, self.what, self.line, self.col))


def name_problem(name: object) -> str | None:
    """Why ``name`` cannot be a maze name (it must survive a trip through the text format)."""
    if not isinstance(name, str):
        return f"name must be a str, got {type(name).__name__}"
    if name == "" or name != name.strip() or name.splitlines() != [name]:
        return f"name must be one non-empty line without surrounding blanks, got {name!r}"
    return None


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


@dataclass(frozen=True, eq=False)
class Maze:
    """A grid maze: walls, one start, goals, cliffs, swamps, and how moves are rewarded.

    ``walls[row, col]`` is True for a wall. Cells are ``(row, col)`` counted from the
    top-left, 0-based. ``goals``, ``cliffs`` and ``swamps`` are kept sorted (duplicates
    dropped), so two mazes with the same cells compare equal whatever order they were
    given in. A cliff lies on no wall, start or goal; a swamp on no wall, start, goal or
    cliff. Mazes compare equal when their walls, start, goals, cliffs, swamps and
    settings are equal. ``swamps`` and ``swamp_reward`` come last so that positional
    arguments written before swamps existed keep their meaning.
    """

    walls: np.ndarray
    start: Cell
    goals: tuple[Cell, ...]
    cliffs: tuple[Cell, ...] = ()
    slip: float = 0.0
    step_reward: float = 0.0
    goal_reward: float = 1.0
    cliff_reward: float = DEFAULT_CLIFF_REWARD
    max_steps: int = 0
    name: str = DEFAULT_NAME
    swamps: tuple[Cell, ...] = ()
    swamp_reward: float = DEFAULT_SWAMP_REWARD

    def __post_init__(self) -> None:
        walls = np.array(self.walls, dtype=np.bool_)
        if walls.ndim != 2 or walls.shape[0] == 0 or walls.shape[1] == 0:
            raise ValueError(f"Maze walls must be a non-empty 2-D array, got shape {walls.shape}")
        walls.flags.writeable = False
        object.__setattr__(self, "walls", walls)
        start = self._checked_cell(self.start, "start")
        goals = tuple(sorted({self._checked_cell(g, "goal") for g in self.goals}))
        if not goals:
            raise ValueError("Maze needs at least one goal")
        if start in goals:
            raise ValueError(f"Maze start {start} is also a goal")
        cliffs = self._checked_cells(self.cliffs, "cliff")
        if start in cliffs:
            raise ValueError(f"Maze start {start} is also a cliff")
        both = sorted(set(goals) & set(cliffs))
        if both:
            raise ValueError(f"Maze goal {both[0]} is also a cliff")
        swamps = self._checked_cells(self.swamps, "swamp")
        if start in swamps:
            raise ValueError(f"Maze start {start} is also a swamp")
        for what, cells in (("goal", goals), ("cliff", cliffs)):
            both = sorted(set(cells) & set(swamps))
            if both:
                raise ValueError(f"Maze {what} {both[0]} is also a swamp")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "goals", goals)
        object.__setattr__(self, "cliffs", cliffs)
        object.__setattr__(self, "swamps", swamps)
        self._check_settings()

    def _checked_cells(self, cells: object, what: str) -> tuple[Cell, ...]:
        """``cells`` (cliffs or swamps) checked, sorted and without duplicates."""
        try:
            given = list(cells)  # type: ignore[call-overload]
        except TypeError:
            raise ValueError(f"Maze {what}s must be a sequence of cells, got {cells!r}") from None
        return tuple(sorted({self._checked_cell(cell, what) for cell in given}))

    def _checked_cell(self, cell: object, what: str) -> Cell:
        """``cell`` as a ``(row, col)`` tuple of ints inside the grid and not on a wall."""
        try:
            row, col = cell  # type: ignore[misc]
        except (TypeError, ValueError):
            raise ValueError(f"Maze {what} must be a (row, col) pair, got {cell!r}") from None
        if not (_is_int(row) and _is_int(col)):
            raise ValueError(f"Maze {what} must be a pair of ints, got {cell!r}")
        row, col = int(row), int(col)
        if not (0 <= row < self.rows and 0 <= col < self.cols):
            raise ValueError(
                f"Maze {what} {(row, col)} is outside the {self.rows}x{self.cols} grid"
            )
        if self.walls[row, col]:
            raise ValueError(f"Maze {what} {(row, col)} is on a wall")
        return (row, col)

    def _check_settings(self) -> None:
        if not (isinstance(self.slip, int | float) and 0.0 <= self.slip <= 1.0):
            raise ValueError(f"Maze slip must be a number in [0, 1], got {self.slip!r}")
        for label in ("step_reward", "goal_reward", "cliff_reward", "swamp_reward"):
            value = getattr(self, label)
            if not (isinstance(value, int | float) and math.isfinite(value)):
                raise ValueError(f"Maze {label} must be a finite number, got {value!r}")
        if not (_is_int(self.max_steps) and 0 <= self.max_steps <= MAX_STEPS_LIMIT):
            raise ValueError(f"Maze max_steps must be an int >= 0, got {self.max_steps!r}")
        problem = name_problem(self.name)
        if problem is not None:
            raise ValueError(f"Maze {problem}")
        object.__setattr__(self, "slip", float(self.slip))
        object.__setattr__(self, "step_reward", float(self.step_reward))
        object.__setattr__(self, "goal_reward", float(self.goal_reward))
        object.__setattr__(self, "cliff_reward", float(self.cliff_reward))
        object.__setattr__(self, "swamp_reward", float(self.swamp_reward))
        object.__setattr__(self, "max_steps", int(self.max_steps))

    def _key(self) -> tuple:
        return (
            self.walls.shape,
            self.walls.tobytes(),
            self.start,
            self.goals,
            self.cliffs,
            self.slip,
            self.step_reward,
            self.goal_reward,
            self.cliff_reward,
            self.max_steps,
            self.name,
            self.swamps,
            self.swamp_reward,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Maze):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    @property
    def rows(self) -> int:
        return int(self.walls.shape[0])

    @property
    def cols(self) -> int:
        return int(self.walls.shape[1])

    @property
    def n_states(self) -> int:
        return self.rows * self.cols

    @property
    def n_actions(self) -> int:
        return len(ACTIONS)

    def state(self, row: int, col: int) -> int:
        """The state index of cell ``(row, col)``: ``row * cols + col``."""
        return row * self.cols + col

    def cell(self, state: int) -> Cell:
        """The ``(row, col)`` cell of a state index."""
        row, col = divmod(int(state), self.cols)
        return (row, col)

    def moves(self) -> np.ndarray:
        """``moves[s, b]``: the state reached from ``s`` when action ``b`` is carried out.

        Moving into a wall or off the grid leaves the agent where it is. A move *from* a
        wall cell is computed as if that cell were free, so an agent caught in a cell that
        has just become a wall (the changing mazes of Figures 8.4 and 8.5) walks out.
        """
        rows, cols = np.divmod(np.arange(self.n_states), self.cols)
        moves = np.empty((self.n_states, self.n_actions), dtype=np.int64)
        for b, (d_row, d_col) in enumerate(ACTION_DELTAS):
            to_row = np.clip(rows + d_row, 0, self.rows - 1)
            to_col = np.clip(cols + d_col, 0, self.cols - 1)
            blocked = self.walls[to_row, to_col]
            moves[:, b] = np.where(blocked, rows * self.cols + cols, to_row * self.cols + to_col)
        return moves

    def to_mdp(self) -> ArrayMDP:
        """The maze as an :class:`ArrayMDP` with one state per cell.

        Entering a goal gives ``goal_reward`` and terminates; entering a cliff gives
        ``cliff_reward`` and terminates; every transition that ends in a swamp (entering
        it, moving within it, bumping into a wall from it) gives ``swamp_reward`` and goes
        on; every other transition gives ``step_reward``.
        With probability ``slip`` the chosen action is replaced by one of the four drawn
        uniformly, so the intended move has probability ``1 - slip + slip / 4`` and each
        other move ``slip / 4``: from a cell beside ``n`` cliffs, a move that does not aim
        at a cliff falls with probability ``n * slip / 4``. Outcomes reaching the same
        cell are merged; the intended move's outcome comes first, and the outcome axis is
        padded with probability-0 slots that stay put.
        """
        next_state, prob = slip_outcomes(self.moves(), self.slip)
        reward, terminal = ending_rewards(
            next_state,
            prob,
            goals=[self.state(*cell) for cell in self.goals],
            cliffs=[self.state(*cell) for cell in self.cliffs],
            swamps=[self.state(*cell) for cell in self.swamps],
            rewards=MoveRewards(
                step=self.step_reward,
                goal=self.goal_reward,
                cliff=self.cliff_reward,
                swamp=self.swamp_reward,
            ),
        )
        start_prob = np.zeros(self.n_states)
        start_prob[self.state(*self.start)] = 1.0
        labels = tuple(f"({r},{c})" for r in range(self.rows) for c in range(self.cols))
        return ArrayMDP(
            next_state=next_state,
            prob=prob,
            reward=reward,
            terminal=terminal,
            start_prob=start_prob,
            max_steps=self.max_steps,
            name=self.name,
            state_labels=labels,
        )

    def shortest_path_length(self) -> int:
        """Fewest moves from the start to the nearest goal (breadth-first search), never
        entering a cliff; swamps count as ordinary cells (this counts moves, not reward).

        Raises :class:`MazeError` when no goal can be reached.
        """
        distance = grid_distances(self.walls, self.start, self.goals, self.cliffs)
        reached = [int(distance[g]) for g in self.goals if distance[g] >= 0]
        if not reached:
            raise MazeError(self.name, "no goal can be reached from the start")
        return min(reached)

    def to_text(self) -> str:
        """The maze as text (format: :mod:`dynalab.envs.maze_text`), default settings left out."""
        lines = [f"name: {self.name}"] if self.name != DEFAULT_NAME else []
        defaults = {
            "slip": 0.0,
            "step_reward": 0.0,
            "goal_reward": 1.0,
            "cliff_reward": DEFAULT_CLIFF_REWARD,
            "swamp_reward": DEFAULT_SWAMP_REWARD,
            "max_steps": 0,
        }
        for key, default in defaults.items():
            value = getattr(self, key)
            if value != default:
                lines.append(f"{key}: {value!r}")
        grid = np.where(self.walls, WALL, FREE).astype(object)
        grid[self.start] = START
        for goal in self.goals:
            grid[goal] = GOAL
        for cliff in self.cliffs:
            grid[cliff] = CLIFF
        for swamp in self.swamps:
            grid[swamp] = SWAMP
        lines.extend("".join(row) for row in grid)
        return "\n".join(lines) + "\n"

    def scaled(self, factor: int) -> Maze:
        """The maze at ``factor`` times the resolution: each cell becomes a square block.

        Sutton & Barto's Example 8.4 (Figure 8.7) grows the Dyna maze this way. Wall
        cells become wall blocks, cliff cells cliff blocks (every cell of the block a
        cliff) and swamp cells swamp blocks. The start becomes the top-left cell of its
        block and each goal the top-right cell of its block, which keeps the Dyna maze's
        start on the left edge and its goal in the top-right corner. Settings,
        ``max_steps`` included, are kept; the name gains ``:scale={factor}``.
        ``factor == 1`` returns the maze itself.
        """
        if not (_is_int(factor) and factor >= 1):
            raise ValueError(f"factor must be an int >= 1, got {factor!r}")
        factor = int(factor)
        if factor == 1:
            return self
        block = np.ones((factor, factor), dtype=np.bool_)
        walls = np.kron(self.walls, block).astype(np.bool_)
        start = (self.start[0] * factor, self.start[1] * factor)
        goals = tuple((r * factor, c * factor + factor - 1) for r, c in self.goals)

        def blocks(cells: tuple[Cell, ...]) -> tuple[Cell, ...]:
            return tuple(
                (r * factor + i, c * factor + j)
                for r, c in cells
                for i in range(factor)
                for j in range(factor)
            )

        return dataclasses.replace(
            self,
            walls=walls,
            start=start,
            goals=goals,
            cliffs=blocks(self.cliffs),
            swamps=blocks(self.swamps),
            name=f"{self.name}:scale={factor}",
        )

    def with_walls(self, walls: np.ndarray) -> Maze:
        """A copy with other walls of the same shape (for mazes that change, Fig. 8.4-8.5)."""
        walls = np.asarray(walls, dtype=np.bool_)
        if walls.shape != self.walls.shape:
            raise ValueError(
                f"with_walls needs walls of shape {self.walls.shape}, got {walls.shape}"
            )
        return dataclasses.replace(self, walls=walls)


def grid_distances(
    walls: np.ndarray, start: Cell, goals: tuple[Cell, ...], cliffs: tuple[Cell, ...] = ()
) -> np.ndarray:
    """Moves from ``start`` to each cell (-1 where unreachable), never walking on from a
    goal or a cliff.

    Entering a goal or a cliff ends the episode, so a cell reached only through one is
    unreachable.
    """
    rows, cols = walls.shape
    distance = np.full((rows, cols), -1, dtype=np.int64)
    distance[start] = 0
    ends = set(goals) | set(cliffs)
    frontier = deque([start])
    while frontier:
        row, col = frontier.popleft()
        if (row, col) in ends:
            continue
        for d_row, d_col in ACTION_DELTAS:
            r, c = row + d_row, col + d_col
            if 0 <= r < rows and 0 <= c < cols and not walls[r, c] and distance[r, c] < 0:
                distance[r, c] = distance[row, col] + 1
                frontier.append((r, c))
    return distance
