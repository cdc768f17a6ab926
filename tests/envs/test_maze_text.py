"""Tests of the maze text format: reading, writing back, and errors that say where."""

from __future__ import annotations

import pickle
from collections import deque

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dynalab.envs.maze import ACTION_DELTAS, Maze, MazeError
from dynalab.envs.maze_text import load_maze, parse_maze

OPEN_3X3 = "...\n.S.\n..G\n"


def error_of(text: str, source: str = "m.txt") -> str:
    with pytest.raises(MazeError) as caught:
        parse_maze(text, source=source)
    message = str(caught.value)
    assert len(message.splitlines()) == 1
    return message


# --- the text format -------------------------------------------------------------------


def test_parse_reads_grid_settings_comments_and_blank_lines() -> None:
    text = (
        "; a comment before the settings\n"
        "name: tiny\n"
        "slip: 0.25\n"
        "step_reward: -1\n"
        "goal_reward: 10.5\n"
        "max_steps: 7\n"
        "\n"
        "S.#  \n"
        "  ; a comment inside the grid\n"
        "..G\r\n"
    )
    maze = parse_maze(text)
    assert maze.name == "tiny"
    assert (maze.slip, maze.step_reward, maze.goal_reward, maze.max_steps) == (0.25, -1, 10.5, 7)
    assert maze.walls.tolist() == [[False, False, True], [False, False, False]]
    assert maze.start == (0, 0)
    assert maze.goals == ((1, 2),)


def test_parse_defaults() -> None:
    maze = parse_maze("SG")
    assert (maze.name, maze.slip, maze.step_reward, maze.goal_reward, maze.max_steps) == (
        "maze",
        0.0,
        0.0,
        1.0,
        0,
    )
    assert maze.cliffs == ()
    assert maze.cliff_reward == -100.0
    assert maze.swamps == ()
    assert maze.swamp_reward == -1.0


def test_parse_reads_cliffs_and_cliff_reward() -> None:
    maze = parse_maze("cliff_reward: -7.5\nS..\nC.C\n..G\n")
    assert maze.cliffs == ((1, 0), (1, 2))
    assert maze.cliff_reward == -7.5
    assert not maze.walls.any()  # a cliff is not a wall
    assert maze.goals == ((2, 2),) and maze.start == (0, 0)
    # The path S -> (0,1) -> (1,1) -> (2,1) -> G squeezes between the two cliffs.
    assert maze.shortest_path_length() == 4


def test_parse_reads_swamps_and_swamp_reward() -> None:
    maze = parse_maze("swamp_reward: -2.5\nS~.\n~~C\n..G\n")
    assert maze.swamps == ((0, 1), (1, 0), (1, 1))
    assert maze.cliffs == ((1, 2),)
    assert maze.swamp_reward == -2.5
    assert not maze.walls.any()  # a swamp is not a wall
    assert maze.goals == ((2, 2),) and maze.start == (0, 0)
    # Swamps are passable: the only ways to the goal cross the swamp.
    assert maze.shortest_path_length() == 4


def test_a_goal_behind_a_swamp_is_reachable_but_not_behind_a_wall() -> None:
    assert parse_maze("S~~G\n").shortest_path_length() == 3
    assert parse_maze("S\n~\n~\nG\n").shortest_path_length() == 3
    message = error_of("S~#G\n")
    assert message.startswith("m.txt: ") and "goal at row 0, col 3" in message
    # A swamp is no escape round a cliff either; the hint still names the cliff.
    assert "without entering a cliff" in error_of("S~CG\n")


@pytest.mark.parametrize(
    ("text", "prefix", "detail"),
    [
        ("S.x\n..G\n", "m.txt:1:3: ", "unknown character 'x'"),
        (
            "S.c\n..G\n",
            "m.txt:1:3: ",
            "unknown character 'c' (expected '#', '.', 'S', 'G', 'C' or '~')",
        ),
        ("cliff_reward: -inf\nSCG\n", "m.txt:1:15: ", "'cliff_reward'"),
        ("swamp_reward: nan\nS~G\n", "m.txt:1:15: ", "bad value 'nan' for 'swamp_reward'"),
        ("name: x\n  swamp_reward: -inf\nS~G\n", "m.txt:2:17: ", "'swamp_reward'"),
        ("swamp_reward: wet\nS~G\n", "m.txt:1:15: ", "expected a finite number"),
        ("S~G\nswamp_reward: -1\n", "m.txt:2:1: ", "after the grid started"),
        ("S~\n~G~\n", "m.txt:2:3: ", "row has 3 cells, expected 2"),
        ("S..\n..\tG\n", "m.txt:2:3: ", "unknown character '\\t'"),
        ("S..\n;c\n..G.\n", "m.txt:3:4: ", "row has 4 cells, expected 3"),
        ("S..\n.G\n", "m.txt:2:3: ", "line 1"),
        ("colour: red\nSG\n", "m.txt:1:1: ", "unknown setting 'colour'"),
        ("  slip: lots\nSG\n", "m.txt:1:9: ", "bad value 'lots' for 'slip'"),
        ("slip: 1.5\nSG\n", "m.txt:1:7: ", "'slip'"),
        ("slip: nan\nSG\n", "m.txt:1:7: ", "'slip'"),
        ("step_reward: inf\nSG\n", "m.txt:1:14: ", "'step_reward'"),
        ("goal_reward: one\nSG\n", "m.txt:1:14: ", "'goal_reward'"),
        ("max_steps: -3\nSG\n", "m.txt:1:12: ", "'max_steps'"),
        ("max_steps: 2.5\nSG\n", "m.txt:1:12: ", "'max_steps'"),
        ("name:\nSG\n", "m.txt:1:6: ", "'name'"),
        ("slip: 0.1\nslip: 0.2\nSG\n", "m.txt:2:1: ", "given twice (first on line 1)"),
        ("SG\n\nmax_steps: 4\n", "m.txt:3:1: ", "after the grid started"),
        ("S.S\n..G\n", "m.txt:1:3: ", "second start 'S' (the first is at line 1, col 1)"),
    ],
)
def test_errors_at_a_place_name_file_line_and_column(text: str, prefix: str, detail: str) -> None:
    message = error_of(text)
    assert message.startswith(prefix)
    assert detail in message


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "empty grid"),
        ("; only a comment\nname: x\n\n", "empty grid"),
        ("..G\n...\n", "no start"),
        ("S..\n...\n", "no goal"),
        (
            "S#G\n.#.\n",
            "goal at row 0, col 2 (0-based) cannot be reached from the start at row 0, col 0",
        ),
        ("SG.G\n", "goal at row 0, col 3"),
        # Only through a cliff: falling ends the episode, so the goal cannot be reached.
        (
            "SCG\n",
            "goal at row 0, col 2 (0-based) cannot be reached from the start at row 0, col 0 "
            "without entering a cliff",
        ),
        ("S..\nCCC\n.G.\n", "goal at row 2, col 1"),
        ("S#\nC#\nG.\n", "cannot be reached"),
        ("SC\nCG\n", "without entering a cliff"),
    ],
)
def test_whole_maze_errors_name_the_source(text: str, detail: str) -> None:
    message = error_of(text)
    assert message.startswith("m.txt: ")
    assert detail in message


def test_error_carries_its_place_and_pickles() -> None:
    with pytest.raises(MazeError) as caught:
        parse_maze("S.\n.?\n", source="here")
    error = caught.value
    assert (error.source, error.line, error.col) == ("here", 2, 2)
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error)


def test_error_message_stays_one_line_with_line_breaks_in_source() -> None:
    assert len(error_of("S", source="two\nlines").splitlines()) == 1


def test_parse_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        parse_maze(b"SG")  # type: ignore[arg-type]


def test_load_maze_names_the_file(tmp_path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("S.\n.Q\n")
    with pytest.raises(MazeError, match=r"^.*bad\.txt:2:2: unknown character 'Q'"):
        load_maze(path)
    good = tmp_path / "good.txt"
    good.write_text(OPEN_3X3)
    assert load_maze(good) == parse_maze(OPEN_3X3)


def test_load_maze_unreadable_file(tmp_path) -> None:
    path = tmp_path / "missing.txt"
    with pytest.raises(MazeError) as caught:
        load_maze(path)
    assert str(caught.value).startswith(f"{path}: cannot read maze file: ")
    assert len(str(caught.value).splitlines()) == 1


def test_to_text_writes_only_non_default_settings() -> None:
    assert parse_maze(OPEN_3X3).to_text() == OPEN_3X3
    text = "name: x\nmax_steps: 9\nS.\n.G\n"
    assert parse_maze(text).to_text() == text
    cliffs = "S..\nC.C\n..G\n"
    assert parse_maze(cliffs).to_text() == cliffs
    text = "cliff_reward: -5.0\nS..\nC.C\n..G\n"
    assert parse_maze(text).to_text() == text
    swamps = "S~.\n~~C\n..G\n"
    assert parse_maze(swamps).to_text() == swamps
    text = "name: bog\nswamp_reward: -0.5\nS~.\n~#C\n.~G\n"
    assert parse_maze(text).to_text() == text
    # The default swamp_reward is not written, even when given.
    assert parse_maze("swamp_reward: -1\nS~G\n").to_text() == "S~G\n"


# --- property tests ----------------------------------------------------------------------


def reachable_goals(
    walls: np.ndarray, start: tuple[int, int], goals: set, cliffs: frozenset = frozenset()
) -> set:
    """Goals reachable from start without walking on from a goal or entering a cliff
    (independent of dynalab.envs.maze)."""
    rows, cols = walls.shape
    seen, frontier, found = {start}, deque([start]), set()
    while frontier:
        cell = frontier.popleft()
        if cell in goals:
            found.add(cell)
            continue
        if cell in cliffs:
            continue
        for d_row, d_col in ACTION_DELTAS:
            nxt = (cell[0] + d_row, cell[1] + d_col)
            if 0 <= nxt[0] < rows and 0 <= nxt[1] < cols and not walls[nxt] and nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return found


def carve_path(walls: np.ndarray, start: tuple[int, int], goal: tuple[int, int]) -> None:
    """Clear an L-shaped path: along the start's row, then along the goal's column."""
    (r0, c0), (r1, c1) = start, goal
    walls[r0, min(c0, c1) : max(c0, c1) + 1] = False
    walls[min(r0, r1) : max(r0, r1) + 1, c1] = False


names = st.text(alphabet="abcxyz-_:=0123 ", min_size=1, max_size=12).filter(
    lambda s: s == s.strip()
)
finite = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def valid_mazes(draw: st.DrawFn) -> Maze:
    rows, cols = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    assume(rows * cols >= 2)
    cells = [(r, c) for r in range(rows) for c in range(cols)]
    walls = np.array(draw(st.lists(st.booleans(), min_size=rows * cols, max_size=rows * cols)))
    walls = walls.reshape(rows, cols)
    start = draw(st.sampled_from(cells))
    others = [c for c in cells if c != start]
    goals = draw(st.lists(st.sampled_from(others), min_size=1, max_size=3, unique=True))
    for goal in goals:
        carve_path(walls, start, goal)
    # Cliffs anywhere but the start and the goals (a cliff is never a wall); the goals
    # must stay reachable around them.
    free = [c for c in others if c not in goals]
    cliffs = draw(st.lists(st.sampled_from(free), max_size=4, unique=True)) if free else []
    for cliff in cliffs:
        walls[cliff] = False
    # Swamps on any other cell (a swamp is never a wall, and is passable).
    dry = [c for c in free if c not in cliffs]
    swamps = draw(st.lists(st.sampled_from(dry), max_size=5, unique=True)) if dry else []
    for swamp in swamps:
        walls[swamp] = False
    assume(reachable_goals(walls, start, set(goals), frozenset(cliffs)) == set(goals))
    return Maze(
        walls=walls,
        start=start,
        goals=tuple(goals),
        cliffs=tuple(cliffs),
        swamps=tuple(swamps),
        swamp_reward=draw(st.one_of(st.just(-1.0), finite)),
        slip=draw(st.one_of(st.just(0.0), st.floats(0.0, 1.0))),
        step_reward=draw(st.one_of(st.just(0.0), finite)),
        goal_reward=draw(st.one_of(st.just(1.0), finite)),
        cliff_reward=draw(st.one_of(st.just(-100.0), finite)),
        max_steps=draw(st.one_of(st.just(0), st.integers(0, 10**6))),
        name=draw(st.one_of(st.just("maze"), names)),
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(valid_mazes())
def test_text_round_trips(maze: Maze) -> None:
    again = parse_maze(maze.to_text())
    assert again == maze
    assert hash(again) == hash(maze)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_gives_a_maze_or_a_one_line_maze_error(text: str) -> None:
    check_parse_outcome(text)


whole_lines = st.sampled_from(
    [
        "S.G",
        "SCG",
        "C.C",
        "...",
        ".#.",
        "G..",
        "",
        ";c",
        "name: a b",
        "slip: 0.5",
        "goal_reward: -2",
        "max_steps: 3",
        "step_reward: 1e-3",
        "cliff_reward: -100",
        "S~G",
        "~C~",
        "~~~",
        "swamp_reward: -1",
        "swamp_reward: 0.25",
    ]
)
fragments = st.sampled_from(
    [
        "S",
        "G",
        "C",
        "#",
        ".",
        " ",
        ";",
        ":",
        "x: 1",
        "slip: nan",
        "name:",
        "max_steps: x",
        "cliff_reward: nan",
        "~",
        "swamp_reward: inf",
        "swamp_reward:",
        "\r",
        "\t",
        "\x0b",
        "\u2028",
        "é",
    ]
)
near_miss_lines = st.one_of(whole_lines, st.lists(fragments, max_size=3).map("".join))


@settings(max_examples=300, deadline=None)
@given(st.lists(near_miss_lines, max_size=8).map("\n".join))
def test_near_miss_text_gives_a_maze_or_a_one_line_maze_error(text: str) -> None:
    check_parse_outcome(text)


def check_parse_outcome(text: str) -> None:
    try:
        maze = parse_maze(text)
    except MazeError as error:
        assert len(str(error).splitlines()) == 1
        assert str(error).startswith("<string>")
    else:
        assert parse_maze(maze.to_text()) == maze
