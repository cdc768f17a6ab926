"""The mazes of Sutton & Barto chapter 8, mazes whose walls change over time, and a
slippery cliff walk and a swamp maze for the model-error studies.

Cells are ``(row, col)`` counted from the top-left, 0-based. The three chapter-8 mazes
are 6 rows by 9 columns with reward 0 per move and +1 on entering the goal, as in the
book:

* :func:`dyna_maze` - Figure 8.2 (Example 8.1), also shipped as ``mazes/dyna_maze.txt``;
* :func:`blocking_maze` - Figure 8.4 (Example 8.2): the short path is blocked at step 1000;
* :func:`shortcut_maze` - Figure 8.5 (Example 8.3): a shorter path opens at step 3000.

:func:`slippery_cliff` is the cliff walk of Example 6.6 with slips (4x12, also shipped as
``mazes/slippery_cliff.txt``): a stochastic world in which a deterministic learned model
is wrong, and an agent that trusts it walks the cliff edge and falls.

:func:`swamp_maze` (6x9, also shipped as ``mazes/swamp_maze.txt``) puts a band of swamp
between start and goal: crossing it is short but costs -5, the dry way round is longer and
better. A model that generalizes from dry cells believes the swamp is as easy to cross
as dry land, and plans straight through it.

:data:`BUILTIN_WORLDS` lists them by name for the command line.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dynalab.book import BLOCKING_SWITCH_STEP, SHORTCUT_SWITCH_STEP
from dynalab.envs.maze import Maze
from dynalab.envs.mdp import WorldSchedule

BOOK_ROWS, BOOK_COLS = 6, 9


@dataclass(frozen=True)
class ChangingMaze:
    """Mazes over one grid, each in force from a real step on (Figures 8.4 and 8.5).

    ``mazes[i]`` is in force for real steps ``t`` with ``switch_steps[i] <= t`` (the latest
    such ``i``), counting steps across episodes, as :class:`WorldSchedule` does.
    """

    mazes: tuple[Maze, ...]
    switch_steps: tuple[int, ...]
    name: str = "changing-maze"

    def __post_init__(self) -> None:
        mazes, steps = tuple(self.mazes), tuple(int(s) for s in self.switch_steps)
        if not mazes:
            raise ValueError("ChangingMaze needs at least one maze")
        if len(mazes) != len(steps):
            raise ValueError("ChangingMaze needs one switch step per maze")
        if steps[0] != 0:
            raise ValueError("ChangingMaze's first maze must start at step 0")
        if any(b <= a for a, b in zip(steps, steps[1:], strict=False)):
            raise ValueError("ChangingMaze switch steps must be strictly increasing")
        if any(m.walls.shape != mazes[0].walls.shape for m in mazes):
            raise ValueError("all mazes of a ChangingMaze need the same grid shape")
        object.__setattr__(self, "mazes", mazes)
        object.__setattr__(self, "switch_steps", steps)

    @property
    def first(self) -> Maze:
        """The maze in force at step 0."""
        return self.mazes[0]

    def maze_at(self, step: int) -> Maze:
        """The maze in force at real step ``step`` (>= 0)."""
        if step < 0:
            raise ValueError(f"step must be >= 0, got {step}")
        return self.mazes[bisect.bisect_right(self.switch_steps, step) - 1]

    def to_schedule(self) -> WorldSchedule:
        """The mazes as MDPs over one state space, switching at the same steps."""
        worlds = tuple(maze.to_mdp() for maze in self.mazes)
        return WorldSchedule(worlds=worlds, switch_steps=self.switch_steps, name=self.name)


def _book_maze(walls: list[tuple[int, int]], start: tuple[int, int], name: str) -> Maze:
    """A 6x9 maze of the book with walls at the given cells and the goal at (0, 8)."""
    grid = np.zeros((BOOK_ROWS, BOOK_COLS), dtype=np.bool_)
    for cell in walls:
        grid[cell] = True
    return Maze(walls=grid, start=start, goals=((0, 8),), name=name)


def _row_wall(row: int, first_col: int, last_col: int) -> list[tuple[int, int]]:
    """The cells of a horizontal wall from ``first_col`` to ``last_col`` inclusive."""
    return [(row, col) for col in range(first_col, last_col + 1)]


DYNA_MAZE_WALLS = ((1, 2), (2, 2), (3, 2), (4, 5), (0, 7), (1, 7), (2, 7))
"""Wall cells of the Dyna maze, Figure 8.2."""


def dyna_maze(scale: int = 1) -> Maze:
    """The Dyna maze of Figure 8.2 (Example 8.1): 6x9, start (2, 0), goal (0, 8).

    Its shortest path takes 14 moves. ``scale > 1`` gives the finer versions used for
    prioritized sweeping in Example 8.4 (Figure 8.7), see :meth:`Maze.scaled`; they are
    named ``dyna-maze:scale=K``.
    """
    if isinstance(scale, bool) or not isinstance(scale, int | np.integer) or scale < 1:
        raise ValueError(f"scale must be an int >= 1, got {scale!r}")
    return _book_maze(list(DYNA_MAZE_WALLS), start=(2, 0), name="dyna-maze").scaled(int(scale))


def blocking_maze() -> ChangingMaze:
    """The blocking maze of Figure 8.4 (Example 8.2): start (5, 3), goal (0, 8).

    A wall on row 3 leaves a gap on the right (cols 0-7 walled) for the first 1000 steps;
    then the gap moves to the left (cols 1-8 walled) and the learned path is blocked.
    """
    start = (5, 3)
    before = _book_maze(_row_wall(3, 0, 7), start, "blocking-maze")
    after = _book_maze(_row_wall(3, 1, 8), start, "blocking-maze")
    return ChangingMaze((before, after), (0, BLOCKING_SWITCH_STEP), name="blocking-maze")


def shortcut_maze() -> ChangingMaze:
    """The shortcut maze of Figure 8.5 (Example 8.3): start (5, 3), goal (0, 8).

    A wall on row 3 leaves a gap on the left (cols 1-8 walled) for the first 3000 steps;
    then a second gap opens on the right (cols 1-7 walled), a shorter path that an agent
    without exploration bonus rarely finds.
    """
    start = (5, 3)
    before = _book_maze(_row_wall(3, 1, 8), start, "shortcut-maze")
    after = _book_maze(_row_wall(3, 1, 7), start, "shortcut-maze")
    return ChangingMaze((before, after), (0, SHORTCUT_SWITCH_STEP), name="shortcut-maze")


CLIFF_ROWS, CLIFF_COLS = 4, 12
CLIFF_SLIP = 0.1
CLIFF_MAX_STEPS = 200


def slippery_cliff() -> Maze:
    """The cliff walk of Sutton & Barto Example 6.6, made slippery: 4x12, start (3, 0),
    goal (3, 11), cliff cells (3, 1) to (3, 10) between them.

    Each move costs -1, entering the goal gives 0 and ends the episode, falling off the
    cliff gives -100 and ends it too (the book sends the agent back to the start instead).
    With probability 0.1 the chosen move is replaced by one of the four drawn uniformly,
    so each step along the edge row (row 2) falls with probability 0.025. Without slips
    the shortest path (13 moves) runs along the edge; with them the optimal policy keeps
    to row 1, a row away from the edge, and comes down only at the last column. Episodes
    are cut off after 200 steps (truncation), so a lost agent's episode still ends.
    """
    last = CLIFF_ROWS - 1
    return Maze(
        walls=np.zeros((CLIFF_ROWS, CLIFF_COLS), dtype=np.bool_),
        start=(last, 0),
        goals=((last, CLIFF_COLS - 1),),
        cliffs=tuple((last, col) for col in range(1, CLIFF_COLS - 1)),
        slip=CLIFF_SLIP,
        step_reward=-1.0,
        goal_reward=0.0,
        cliff_reward=-100.0,
        max_steps=CLIFF_MAX_STEPS,
        name="slippery-cliff",
    )


SWAMP_ROWS, SWAMP_COLS = 6, 9
SWAMP_MAX_STEPS = 1000


def swamp_maze() -> Maze:
    """A 6x9 open maze with a swamp band: start (5, 0), goal (0, 0), swamp cells (2, 0)
    to (2, 7), leaving dry land only at (2, 8).

    Entering the goal gives +1 and ends the episode, a move on dry land gives 0, every
    move that ends in the swamp gives -5 (it does not end the episode). Straight up
    through the swamp takes 5 moves and one swamp move; the dry way round by column 8
    takes 21 moves and is optimal for any discount: at gamma 0.95 it is worth
    0.95**20 (about 0.358) against 0.95**4 - 5 * 0.95**2 (about -3.70) through the
    swamp.
    A model that generalizes from dry cells, and so predicts reward 0 in the swamp too,
    believes the 5-move path is best. No slips; episodes are cut off after 1000 steps.
    """
    band = 2
    return Maze(
        walls=np.zeros((SWAMP_ROWS, SWAMP_COLS), dtype=np.bool_),
        start=(SWAMP_ROWS - 1, 0),
        goals=((0, 0),),
        swamps=tuple((band, col) for col in range(SWAMP_COLS - 1)),
        step_reward=0.0,
        goal_reward=1.0,
        swamp_reward=-5.0,
        max_steps=SWAMP_MAX_STEPS,
        name="swamp-maze",
    )


@dataclass(frozen=True)
class BuiltinWorld:
    """A named world shipped with dynalab: how to build it and when it changes.

    ``change_steps`` are the real steps at which the world changes (empty when static),
    i.e. the switch steps after the first.
    """

    name: str
    description: str
    factory: Callable[[], Maze | ChangingMaze]
    change_steps: tuple[int, ...] = ()

    def build(self) -> Maze | ChangingMaze:
        """A fresh instance of the world."""
        return self.factory()


BUILTIN_WORLDS: dict[str, BuiltinWorld] = {
    world.name: world
    for world in (
        BuiltinWorld(
            "dyna-maze",
            "Dyna maze of Sutton & Barto Fig. 8.2: 6x9, 14-move shortest path, static.",
            dyna_maze,
        ),
        BuiltinWorld(
            "blocking-maze",
            "Blocking maze of Sutton & Barto Fig. 8.4: the short path is blocked at step 1000.",
            blocking_maze,
            (BLOCKING_SWITCH_STEP,),
        ),
        BuiltinWorld(
            "shortcut-maze",
            "Shortcut maze of Sutton & Barto Fig. 8.5: a shorter path opens at step 3000.",
            shortcut_maze,
            (SHORTCUT_SWITCH_STEP,),
        ),
        BuiltinWorld(
            "slippery-cliff",
            "Cliff walk of Sutton & Barto Example 6.6 with slip 0.1: 4x12, -100 per fall; "
            "the shortest path runs along the cliff edge, with slips the safe path keeps "
            "a row or two away.",
            slippery_cliff,
        ),
        BuiltinWorld(
            "swamp-maze",
            "Swamp maze: 6x9, a swamp band (-5 per move in it) between start and goal; "
            "5 moves straight through it, 21 on dry land round its end, the optimal way; "
            "a generalizing model believes the swamp is as easy as dry land.",
            swamp_maze,
        ),
    )
}
"""The built-in worlds by name."""
