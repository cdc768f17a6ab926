"""Tests of the maze text format, its errors, and mazes as array MDPs."""

from __future__ import annotations

import pickle
from collections import deque

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dynalab.envs.maze import ACTION_DELTAS, ACTIONS, Maze, MazeError, load_maze, parse_maze

UP, RIGHT, DOWN, LEFT = range(4)

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
    (independent of maze.py)."""
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


# --- Maze as an MDP ----------------------------------------------------------------------


def test_actions_and_state_numbering() -> None:
    assert ACTIONS == ("up", "right", "down", "left")
    assert ACTION_DELTAS == ((-1, 0), (0, 1), (1, 0), (0, -1))
    maze = parse_maze("S...\n...G\n")
    assert (maze.rows, maze.cols, maze.n_states, maze.n_actions) == (2, 4, 8, 4)
    assert maze.state(1, 2) == 6
    assert all(maze.cell(maze.state(r, c)) == (r, c) for r in range(2) for c in range(4))


def test_deterministic_mdp_moves_stays_and_terminates() -> None:
    maze = parse_maze("name: m\nstep_reward: -1\ngoal_reward: 5\nmax_steps: 40\nS#.\n...\n..G\n")
    mdp = maze.to_mdp()
    assert mdp.next_state.shape == (9, 4, 1)
    assert mdp.name == "m" and mdp.max_steps == 40
    assert np.allclose(mdp.prob.sum(axis=2), 1.0)
    s = maze.state(0, 0)
    assert mdp.next_state[s, UP, 0] == s  # off the grid
    assert mdp.next_state[s, LEFT, 0] == s  # off the grid
    assert mdp.next_state[s, RIGHT, 0] == s  # into a wall
    assert mdp.next_state[s, DOWN, 0] == maze.state(1, 0)
    assert mdp.reward[s, DOWN, 0] == -1 and not mdp.terminal[s, DOWN, 0]
    before_goal = maze.state(2, 1)
    assert mdp.next_state[before_goal, RIGHT, 0] == maze.state(2, 2)
    assert mdp.reward[before_goal, RIGHT, 0] == 5 and mdp.terminal[before_goal, RIGHT, 0]
    assert mdp.start_prob.tolist() == [1.0] + [0.0] * 8
    assert mdp.is_deterministic


def test_wall_cells_are_left_as_if_free() -> None:
    maze = parse_maze("S#.\n...\n..G\n")
    mdp = maze.to_mdp()
    wall = maze.state(0, 1)
    assert mdp.next_state[wall, LEFT, 0] == maze.state(0, 0)
    assert mdp.next_state[wall, RIGHT, 0] == maze.state(0, 2)
    assert mdp.next_state[wall, DOWN, 0] == maze.state(1, 1)
    assert mdp.next_state[wall, UP, 0] == wall


@pytest.mark.parametrize("slip", [0.1, 0.4, 1.0])
def test_slip_probabilities(slip: float) -> None:
    maze = parse_maze(f"slip: {slip}\n{OPEN_3X3}")
    mdp = maze.to_mdp()
    assert np.allclose(mdp.prob.sum(axis=2), 1.0)
    assert mdp.max_outcomes == 4
    centre = maze.state(1, 1)
    for action, (d_row, d_col) in enumerate(ACTION_DELTAS):
        intended = maze.state(1 + d_row, 1 + d_col)
        probs = dict(zip(mdp.next_state[centre, action], mdp.prob[centre, action], strict=True))
        assert probs[intended] == pytest.approx(1 - slip + slip / 4)
        assert sorted(probs.values())[:3] == pytest.approx([slip / 4] * 3)
        assert mdp.next_state[centre, action, 0] == intended


def test_slip_merges_outcomes_that_reach_the_same_cell_and_pads() -> None:
    slip = 0.4
    maze = parse_maze(f"slip: {slip}\n{OPEN_3X3}")
    mdp = maze.to_mdp()
    corner = maze.state(0, 0)
    # Up and left both bump into the edge: one merged "stay" outcome.
    ns, p = mdp.next_state[corner, UP], mdp.prob[corner, UP]
    assert ns[0] == corner and p[0] == pytest.approx(1 - slip + 2 * slip / 4)
    assert dict(zip(ns[1:3], p[1:3], strict=True)) == pytest.approx(
        {maze.state(0, 1): slip / 4, maze.state(1, 0): slip / 4}
    )
    assert p[3] == 0.0 and ns[3] == corner and not mdp.terminal[corner, UP, 3]
    ns, p = mdp.next_state[corner, RIGHT], mdp.prob[corner, RIGHT]
    assert ns[0] == maze.state(0, 1) and p[0] == pytest.approx(1 - slip + slip / 4)
    assert p[1] == pytest.approx(2 * slip / 4) and ns[1] == corner


def test_slip_into_goal_terminates_with_goal_reward() -> None:
    maze = parse_maze("slip: 0.5\ngoal_reward: 3\nstep_reward: -1\n" + OPEN_3X3)
    mdp = maze.to_mdp()
    s = maze.state(1, 2)
    goal = maze.state(2, 2)
    k = list(mdp.next_state[s, UP]).index(goal)
    assert mdp.prob[s, UP, k] == pytest.approx(0.125)
    assert mdp.terminal[s, UP, k] and mdp.reward[s, UP, k] == 3
    live = (mdp.prob[s, UP] > 0) & (mdp.next_state[s, UP] != goal)
    assert (mdp.reward[s, UP][live] == -1).all() and not mdp.terminal[s, UP][live].any()


# Two cliffs beside the middle cell (1, 1); the goal is reached between them.
CLIFF_PASS = "step_reward: -1\ngoal_reward: 2\ncliff_reward: -50\nS..\nC.C\n..G\n"


def test_entering_a_cliff_gives_cliff_reward_and_terminates() -> None:
    maze = parse_maze(CLIFF_PASS)
    mdp = maze.to_mdp()
    assert mdp.is_deterministic
    start, middle = maze.state(0, 0), maze.state(1, 1)
    cliff_left, cliff_right = maze.state(1, 0), maze.state(1, 2)
    assert mdp.next_state[start, DOWN, 0] == cliff_left
    assert mdp.reward[start, DOWN, 0] == -50 and mdp.terminal[start, DOWN, 0]
    assert mdp.next_state[middle, RIGHT, 0] == cliff_right
    assert mdp.reward[middle, RIGHT, 0] == -50 and mdp.terminal[middle, RIGHT, 0]
    # Other moves: step reward, no termination; the goal keeps its own reward.
    assert mdp.reward[middle, DOWN, 0] == -1 and not mdp.terminal[middle, DOWN, 0]
    before_goal = maze.state(2, 1)
    assert mdp.reward[before_goal, RIGHT, 0] == 2 and mdp.terminal[before_goal, RIGHT, 0]
    # Exactly the moves into a cliff or the goal terminate.
    into_cliff = np.isin(mdp.next_state[:, :, 0], [cliff_left, cliff_right])
    into_goal = mdp.next_state[:, :, 0] == maze.state(2, 2)
    assert (mdp.terminal[:, :, 0] == (into_cliff | into_goal)).all()
    assert (mdp.reward[:, :, 0][into_cliff] == -50).all()


def test_slip_can_throw_the_agent_into_a_cliff() -> None:
    """From (1, 1), between two cliffs, with slip 0.2, choosing ``down`` (by hand):

    * the intended move to (2, 1): 1 - 0.2 + 0.2/4 = 0.85, reward -1, not terminal;
    * a slip up to (0, 1): 0.2/4 = 0.05, reward -1, not terminal;
    * a slip left into the cliff (1, 0): 0.05, reward -50, terminal;
    * a slip right into the cliff (1, 2): 0.05, reward -50, terminal;

    so the agent falls with probability 0.1 = 2 cliff neighbours x slip/4.
    """
    maze = parse_maze("slip: 0.2\n" + CLIFF_PASS)
    mdp = maze.to_mdp()
    s = maze.state(1, 1)
    outcomes = {
        int(ns): (float(p), float(r), bool(t))
        for ns, p, r, t in zip(
            mdp.next_state[s, DOWN],
            mdp.prob[s, DOWN],
            mdp.reward[s, DOWN],
            mdp.terminal[s, DOWN],
            strict=True,
        )
        if p > 0
    }
    assert outcomes == {
        maze.state(2, 1): (pytest.approx(0.85), -1.0, False),
        maze.state(0, 1): (pytest.approx(0.05), -1.0, False),
        maze.state(1, 0): (pytest.approx(0.05), -50.0, True),
        maze.state(1, 2): (pytest.approx(0.05), -50.0, True),
    }
    falls = mdp.prob[s, DOWN][mdp.terminal[s, DOWN] & (mdp.reward[s, DOWN] == -50)].sum()
    assert falls == pytest.approx(2 * 0.2 / 4)
    # Aiming at a cliff falls with 1 - slip + slip/4, plus slip/4 for the other cliff.
    aimed = mdp.prob[s, LEFT][mdp.terminal[s, LEFT]].sum()
    assert aimed == pytest.approx(0.85 + 0.05)


# A swamp band (1, 0)-(1, 1) between the start and the goal; (1, 2) is dry land.
SWAMP_PASS = "step_reward: -1\ngoal_reward: 2\nswamp_reward: -5\nS..\n~~.\n#~G\n"


def test_moves_that_end_in_a_swamp_give_swamp_reward_and_go_on() -> None:
    maze = parse_maze(SWAMP_PASS)
    mdp = maze.to_mdp()
    assert mdp.is_deterministic
    start, swamp_left, swamp_mid = maze.state(0, 0), maze.state(1, 0), maze.state(1, 1)
    swamp_low, dry = maze.state(2, 1), maze.state(1, 2)

    def move(state: int, action: int) -> tuple[int, float, bool]:
        return (
            int(mdp.next_state[state, action, 0]),
            float(mdp.reward[state, action, 0]),
            bool(mdp.terminal[state, action, 0]),
        )

    # Entering the swamp: swamp reward, no termination.
    assert move(start, DOWN) == (swamp_left, -5.0, False)
    assert move(maze.state(0, 1), DOWN) == (swamp_mid, -5.0, False)
    # Moving within the swamp.
    assert move(swamp_left, RIGHT) == (swamp_mid, -5.0, False)
    assert move(swamp_mid, DOWN) == (swamp_low, -5.0, False)
    # Bumping into a wall (or the edge) while standing in the swamp: still in it.
    assert move(swamp_low, LEFT) == (swamp_low, -5.0, False)
    assert move(swamp_left, LEFT) == (swamp_left, -5.0, False)
    assert move(swamp_left, DOWN) == (swamp_left, -5.0, False)
    # Leaving the swamp for dry land: step reward.
    assert move(swamp_left, UP) == (start, -1.0, False)
    assert move(swamp_mid, RIGHT) == (dry, -1.0, False)
    # Leaving it for the goal: goal reward, and the episode ends.
    assert move(swamp_low, RIGHT) == (maze.state(2, 2), 2.0, True)
    # Dry moves keep the step reward; exactly the moves that end in a swamp get -5.
    assert move(start, RIGHT) == (maze.state(0, 1), -1.0, False)
    into_swamp = np.isin(mdp.next_state[:, :, 0], [swamp_left, swamp_mid, swamp_low])
    free = ~maze.walls.reshape(-1)
    assert (mdp.reward[free][into_swamp[free]] == -5).all()
    assert not mdp.terminal[:, :, 0][into_swamp].any()
    into_goal = mdp.next_state[:, :, 0] == maze.state(2, 2)
    dry_moves = free[:, None] & ~into_swamp & ~into_goal
    assert (mdp.reward[:, :, 0][dry_moves] == -1).all()


def test_slips_into_and_within_a_swamp_give_swamp_reward() -> None:
    """From the swamp cell (1, 0) of SWAMP_PASS with slip 0.4, choosing ``up`` (by hand):

    * the intended move to (0, 0), dry: 1 - 0.4 + 0.4/4 = 0.7, reward -1;
    * a slip right to the swamp (1, 1): 0.1, reward -5;
    * a slip down into the wall or left off the grid, staying in the swamp: 0.2, reward -5.
    """
    maze = parse_maze("slip: 0.4\n" + SWAMP_PASS)
    mdp = maze.to_mdp()
    s = maze.state(1, 0)
    outcomes = {
        int(ns): (float(p), float(r), bool(t))
        for ns, p, r, t in zip(
            mdp.next_state[s, UP],
            mdp.prob[s, UP],
            mdp.reward[s, UP],
            mdp.terminal[s, UP],
            strict=True,
        )
        if p > 0
    }
    assert outcomes == {
        maze.state(0, 0): (pytest.approx(0.7), -1.0, False),
        maze.state(1, 1): (pytest.approx(0.1), -5.0, False),
        s: (pytest.approx(0.2), -5.0, False),
    }


def test_swamp_reward_is_what_value_iteration_weighs() -> None:
    """Through the swamp to the goal, or round it on dry land (gamma 0.9, reward 0 a move):

    ``S~G`` over ``...``: through the swamp, 2 moves, worth -1 + 0.9 * 1 = -0.1 with
    swamp reward -1, so the dry detour of 4 moves, worth 0.9**3 = 0.729, is better; with
    swamp reward 0 the swamp is dry land and the short path is worth 0.9.
    """
    from dynalab.envs.ground_truth import value_iteration

    wet = parse_maze("S~G\n...\n")
    _, values = value_iteration(wet.to_mdp(), gamma=0.9)
    assert values[wet.state(0, 0)] == pytest.approx(0.9**3)
    dry = parse_maze("swamp_reward: 0\nS~G\n...\n")
    _, values = value_iteration(dry.to_mdp(), gamma=0.9)
    assert values[dry.state(0, 0)] == pytest.approx(0.9)


def test_shortest_path_length() -> None:
    assert parse_maze("S...\n.##.\n...G\n").shortest_path_length() == 5
    assert parse_maze("S.G\n...\nG..\n").shortest_path_length() == 2
    blocked = Maze(walls=np.array([[False, True, False]]), start=(0, 0), goals=((0, 2),))
    with pytest.raises(MazeError, match="no goal can be reached"):
        blocked.shortest_path_length()


# --- construction, scaling, changed walls --------------------------------------------------


def test_maze_validates_its_fields() -> None:
    walls = np.zeros((2, 2), dtype=bool)
    walls[1, 1] = True
    with pytest.raises(ValueError, match="goal"):
        Maze(walls=walls, start=(0, 0), goals=((1, 1),))
    with pytest.raises(ValueError, match="outside"):
        Maze(walls=walls, start=(2, 0), goals=((0, 1),))
    with pytest.raises(ValueError, match="also a goal"):
        Maze(walls=walls, start=(0, 0), goals=((0, 0),))
    with pytest.raises(ValueError, match="slip"):
        Maze(walls=walls, start=(0, 0), goals=((0, 1),), slip=1.5)
    with pytest.raises(ValueError, match="name"):
        Maze(walls=walls, start=(0, 0), goals=((0, 1),), name="a\nb")


@pytest.mark.parametrize(
    ("cliffs", "detail"),
    [
        (((1, 1),), "cliff .* is on a wall"),
        (((0, 0),), "also a cliff"),
        (((0, 1),), "goal .* is also a cliff"),
        (((2, 0),), "cliff .* is outside"),
        (((1,),), "cliff must be a .row, col. pair"),
        ((("a", 0),), "cliff must be a pair of ints"),
        (5, "cliffs must be a sequence"),
    ],
)
def test_maze_validates_cliffs(cliffs: object, detail: str) -> None:
    walls = np.zeros((2, 2), dtype=bool)
    walls[1, 1] = True
    with pytest.raises(ValueError, match=detail):
        Maze(walls=walls, start=(0, 0), goals=((0, 1),), cliffs=cliffs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("swamps", "detail"),
    [
        (((1, 1),), "swamp .* is on a wall"),
        (((0, 0),), "start .* is also a swamp"),
        (((0, 1),), "goal .* is also a swamp"),
        (((1, 0),), "cliff .* is also a swamp"),
        (((2, 0),), "swamp .* is outside"),
        (((1,),), "swamp must be a .row, col. pair"),
        ((("a", 0),), "swamp must be a pair of ints"),
        ((((True, 0)),), "swamp must be a pair of ints"),
        (5, "swamps must be a sequence"),
    ],
)
def test_maze_validates_swamps(swamps: object, detail: str) -> None:
    walls = np.zeros((2, 2), dtype=bool)
    walls[1, 1] = True
    with pytest.raises(ValueError, match=detail):
        Maze(walls=walls, start=(0, 0), goals=((0, 1),), cliffs=((1, 0),), swamps=swamps)  # type: ignore[arg-type]


@pytest.mark.parametrize("reward", [float("nan"), float("inf"), -float("inf"), "1", None])
def test_maze_validates_swamp_reward(reward: object) -> None:
    walls = np.zeros((2, 2), dtype=bool)
    with pytest.raises(ValueError, match="swamp_reward must be a finite number"):
        Maze(walls=walls, start=(0, 0), goals=((0, 1),), swamp_reward=reward)  # type: ignore[arg-type]


def test_swamps_are_kept_sorted_and_count_in_equality() -> None:
    walls = np.zeros((3, 3), dtype=bool)
    given = [(1, 2), (1, 0), (1, 2)]
    maze = Maze(walls=walls, start=(0, 0), goals=((2, 2),), swamps=given)  # type: ignore[arg-type]
    assert maze.swamps == ((1, 0), (1, 2))
    assert maze == Maze(walls=walls, start=(0, 0), goals=((2, 2),), swamps=((1, 0), (1, 2)))
    assert maze != Maze(walls=walls, start=(0, 0), goals=((2, 2),), swamps=((1, 0),))
    assert maze != Maze(walls=walls, start=(0, 0), goals=((2, 2),))
    # Swamps are not cliffs, though on the same cells.
    assert maze != Maze(walls=walls, start=(0, 0), goals=((2, 2),), cliffs=((1, 0), (1, 2)))
    assert maze != Maze(
        walls=walls, start=(0, 0), goals=((2, 2),), swamps=((1, 0), (1, 2)), swamp_reward=-2
    )
    assert hash(maze) == hash(parse_maze(maze.to_text()))
    assert maze.swamp_reward == -1.0 and isinstance(
        Maze(walls=walls, start=(0, 0), goals=((2, 2),), swamp_reward=-3).swamp_reward, float
    )


def test_maze_validates_cliff_reward() -> None:
    walls = np.zeros((2, 2), dtype=bool)
    with pytest.raises(ValueError, match="cliff_reward"):
        Maze(walls=walls, start=(0, 0), goals=((0, 1),), cliff_reward=float("nan"))


def test_cliffs_are_kept_sorted_and_count_in_equality() -> None:
    walls = np.zeros((3, 3), dtype=bool)
    given = [(1, 2), (1, 0), (1, 2)]
    maze = Maze(walls=walls, start=(0, 0), goals=((2, 2),), cliffs=given)  # type: ignore[arg-type]
    assert maze.cliffs == ((1, 0), (1, 2))
    assert maze == Maze(walls=walls, start=(0, 0), goals=((2, 2),), cliffs=((1, 0), (1, 2)))
    assert maze != Maze(walls=walls, start=(0, 0), goals=((2, 2),), cliffs=((1, 0),))
    assert maze != Maze(
        walls=walls, start=(0, 0), goals=((2, 2),), cliffs=((1, 0), (1, 2)), cliff_reward=-1
    )
    assert hash(maze) == hash(parse_maze(maze.to_text()))


def test_goals_are_kept_sorted_and_walls_read_only() -> None:
    walls = np.zeros((2, 2), dtype=bool)
    maze = Maze(walls=walls, start=(0, 0), goals=[(1, 1), (0, 1)])  # type: ignore[arg-type]
    assert maze.goals == ((0, 1), (1, 1))
    walls[0, 1] = True
    assert not maze.walls[0, 1]
    with pytest.raises(ValueError):
        maze.walls[0, 0] = True


def test_scaled_blocks_and_markers() -> None:
    maze = parse_maze("S#\n.G\n")
    big = maze.scaled(3)
    assert big.walls.shape == (6, 6)
    assert big.walls[0:3, 3:6].all() and big.walls.sum() == 9
    assert big.start == (0, 0)
    assert big.goals == ((3, 5),)
    assert big.name == "maze:scale=3"
    assert maze.scaled(1) is maze
    assert big.shortest_path_length() == 8


def test_scaled_cliffs_become_cliff_blocks() -> None:
    maze = parse_maze("cliff_reward: -9\nSC\n.G\n")
    big = maze.scaled(2)
    assert big.cliffs == ((0, 2), (0, 3), (1, 2), (1, 3))
    assert not big.walls.any()
    assert (big.start, big.goals) == ((0, 0), ((2, 3),))
    # Around the cliff block: down 2, right 3.
    assert big.shortest_path_length() == 5
    mdp = big.to_mdp()
    for row in (0, 1):
        s = big.state(row, 1)
        assert mdp.next_state[s, RIGHT, 0] == big.state(row, 2)
        assert mdp.terminal[s, RIGHT, 0] and mdp.reward[s, RIGHT, 0] == -9
    assert parse_maze(big.to_text()) == big


def test_scaled_swamps_become_swamp_blocks() -> None:
    maze = parse_maze("swamp_reward: -3\nS~.\n.#G\n")
    big = maze.scaled(2)
    assert big.swamps == ((0, 2), (0, 3), (1, 2), (1, 3))
    assert big.walls.sum() == 4 and not big.walls[0:2, 2:4].any()
    assert (big.start, big.goals, big.swamp_reward) == ((0, 0), ((2, 5),), -3.0)
    # Straight through the swamp block: right 5, down 2.
    assert big.shortest_path_length() == 7
    mdp = big.to_mdp()
    for row in (0, 1):
        s = big.state(row, 1)
        assert mdp.next_state[s, RIGHT, 0] == big.state(row, 2)
        assert not mdp.terminal[s, RIGHT, 0] and mdp.reward[s, RIGHT, 0] == -3
        inside = big.state(row, 2)
        assert mdp.next_state[inside, RIGHT, 0] == big.state(row, 3)
        assert mdp.reward[inside, RIGHT, 0] == -3
        leaving = big.state(row, 3)
        assert mdp.next_state[leaving, RIGHT, 0] == big.state(row, 4)
        assert mdp.reward[leaving, RIGHT, 0] == 0
    assert parse_maze(big.to_text()) == big
    assert big.to_text() == (
        "name: maze:scale=2\nswamp_reward: -3.0\nS.~~..\n..~~..\n..##.G\n..##..\n"
    )


@pytest.mark.parametrize("factor", [0, -1, 1.5, "2", True])
def test_scaled_rejects_bad_factor(factor: object) -> None:
    with pytest.raises(ValueError, match="factor") as caught:
        parse_maze("SG").scaled(factor)  # type: ignore[arg-type]
    assert len(str(caught.value).splitlines()) == 1


def test_with_walls_keeps_everything_else() -> None:
    maze = parse_maze("slip: 0.2\nS..\n...\n..G\n")
    walls = np.zeros((3, 3), dtype=bool)
    walls[1, :2] = True
    changed = maze.with_walls(walls)
    assert changed.walls.tolist() == walls.tolist()
    assert (changed.start, changed.goals, changed.slip) == (maze.start, maze.goals, 0.2)
    assert changed != maze
    with pytest.raises(ValueError, match="shape"):
        maze.with_walls(np.zeros((2, 3), dtype=bool))


def test_with_walls_keeps_cliffs_and_refuses_a_wall_on_one() -> None:
    maze = parse_maze("S..\nC.C\n..G\n")
    walls = np.zeros((3, 3), dtype=bool)
    walls[0, 2] = True
    assert maze.with_walls(walls).cliffs == maze.cliffs
    walls[1, 0] = True
    with pytest.raises(ValueError, match="cliff .* is on a wall"):
        maze.with_walls(walls)


def test_with_walls_keeps_swamps_and_refuses_a_wall_on_one() -> None:
    maze = parse_maze("swamp_reward: -4\nS..\n~.~\n..G\n")
    walls = np.zeros((3, 3), dtype=bool)
    walls[0, 2] = True
    changed = maze.with_walls(walls)
    assert (changed.swamps, changed.swamp_reward) == (maze.swamps, -4.0)
    assert changed.to_mdp().reward[changed.state(0, 0), DOWN, 0] == -4
    walls[1, 0] = True
    with pytest.raises(ValueError, match="swamp .* is on a wall"):
        maze.with_walls(walls)
