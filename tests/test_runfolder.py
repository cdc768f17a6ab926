"""The run folder contract: file names, exact columns, atomic writes, no silent overwrite."""

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from dynalab.agents.config import dyna_q, q_learning
from dynalab.analysis.stats import Estimate
from dynalab.atomic_files import atomic_write_csv, atomic_write_text
from dynalab.envs.builtin import dyna_maze
from dynalab.run.runner import RunResult, run_agent
from dynalab.runfolder import (
    EVAL_COLUMNS,
    RUN_FOLDER_VERSION,
    RunFolderExistsError,
    prepare_run_folder,
    read_episodes,
    read_evals,
    read_steps,
    write_config,
    write_episodes,
    write_run_folder,
    write_steps,
    write_summary,
)

NAN = np.nan


def hand_built_result() -> RunResult:
    """Two runs of three episodes; run 1 did not complete its third episode, and run 0's
    second episode was not evaluated (nan greedy value)."""
    return RunResult(
        agent=dyna_q(5),
        world_name="hand",
        seed=0,
        episode_steps=np.array([[10, 20, 30], [5, 6, -1]]),
        episode_return=np.array([[1.0, 1.0, 0.5], [1.0, 0.25, NAN]]),
        real_steps=np.array([[10, 30, 60], [5, 11, -1]]),
        planning_updates=np.array([[50, 150, 300], [25, 55, -1]]),
        greedy_value=np.array([[0.1, NAN, 1 / 3], [0.2, 0.3, NAN]]),
        believed_value=np.array([[0.5, NAN, 0.4], [0.3, 0.3, NAN]]),
        model_error=np.array([[0.2, NAN, 0.0], [0.1, 0.05, NAN]]),
        reward_error=np.full((2, 3), NAN),
        episodes_completed=np.array([3, 2]),
        total_real_steps=np.array([60, 20]),
        total_planning_updates=np.array([300, 100]),
        cumulative_reward=np.zeros((2, 0)),
        record_every=0,
        wall_time=np.array([0.1, 0.1]),
        final_q=np.zeros((2, 4, 4)),
    )


def test_episodes_csv_has_the_contract_columns_and_one_row_per_completed_episode(
    tmp_path: Path,
) -> None:
    path = write_episodes(tmp_path, [hand_built_result()], ["dyna-q"])
    lines = path.read_text().splitlines()
    assert path.name == "episodes.csv"
    assert lines[0] == (
        "agent,run,episode,steps,return,real_steps,planning_updates,greedy_value,"
        "believed_value,model_error,reward_error"
    )
    assert len(lines) == 1 + 5
    assert lines[1] == "dyna-q,0,1,10,1.0,10,50,0.1,0.5,0.2,"
    assert lines[2] == "dyna-q,0,2,20,1.0,30,150,,,,"  # nan values: empty cells
    assert lines[5] == "dyna-q,1,2,6,0.25,11,55,0.3,0.3,0.05,"


def test_episodes_round_trip_exactly(tmp_path: Path) -> None:
    write_episodes(tmp_path, [hand_built_result()], ["a"])
    table = read_episodes(tmp_path)
    assert table["agent"].tolist() == ["a"] * 5
    assert table["run"].tolist() == [0, 0, 0, 1, 1]
    assert table["episode"].tolist() == [1, 2, 3, 1, 2]
    assert table["planning_updates"].dtype == np.int64
    assert table["greedy_value"][2] == 1 / 3  # repr precision: the same float comes back
    assert math.isnan(table["greedy_value"][1])


def test_a_real_run_writes_every_completed_episode(tmp_path: Path) -> None:
    world = dyna_maze().to_mdp()
    results = [
        run_agent(world, dyna_q(5), episodes=3, runs=2, seed=1),
        run_agent(world, q_learning(), episodes=3, runs=2, seed=1),
    ]
    write_episodes(tmp_path, results, ["dyna-q", "q-learning"])
    table = read_episodes(tmp_path / "episodes.csv")
    assert len(table["agent"]) == sum(int(r.episodes_completed.sum()) for r in results) == 12
    dyna_rows = table["agent"] == "dyna-q"
    np.testing.assert_array_equal(table["steps"][dyna_rows], results[0].episode_steps.ravel())
    np.testing.assert_array_equal(table["real_steps"][dyna_rows], results[0].real_steps.ravel())
    np.testing.assert_array_equal(table["greedy_value"][dyna_rows], results[0].greedy_value.ravel())


def test_steps_csv_for_step_budgets_and_header_only_for_episode_budgets(tmp_path: Path) -> None:
    world = dyna_maze().to_mdp()
    stepped = run_agent(world, dyna_q(5), steps=50, runs=2, seed=2, record_every=10)
    path = write_steps(tmp_path, [stepped, hand_built_result()], ["stepped", "episodic"])
    lines = path.read_text().splitlines()
    assert lines[0] == "agent,run,step,cumulative_reward"
    assert len(lines) == 1 + 2 * 5
    table = read_steps(tmp_path)
    assert table["step"].tolist() == [10, 20, 30, 40, 50] * 2
    assert table["run"].tolist() == [0] * 5 + [1] * 5
    np.testing.assert_array_equal(table["cumulative_reward"], stepped.cumulative_reward.ravel())
    write_steps(tmp_path, [hand_built_result()], ["episodic"])
    assert (tmp_path / "steps.csv").read_text() == "agent,run,step,cumulative_reward\n"
    assert read_steps(tmp_path)["step"].shape == (0,)


def test_labels_must_match_results(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="labels"):
        write_episodes(tmp_path, [hand_built_result()], ["a", "b"])
    with pytest.raises(ValueError, match="unique"):
        write_episodes(tmp_path, [hand_built_result()] * 2, ["a", "a"])


def test_config_json_records_versions_and_time(tmp_path: Path) -> None:
    config = {"env": "dyna-maze", "agents": [dyna_q(5).to_dict()], "seed": np.int64(3)}
    write_config(tmp_path, config)
    data = json.loads((tmp_path / "config.json").read_text())
    assert data["env"] == "dyna-maze" and data["seed"] == 3
    assert data["agents"][0]["planning_steps"] == 5
    assert data["run_folder_version"] == RUN_FOLDER_VERSION == 5
    assert set(data["versions"]) == {"dynalab", "numpy", "numba", "scipy", "gymnasium", "python"}
    created = datetime.fromisoformat(data["created"])
    assert created.utcoffset() is not None and created.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60
    assert "versions" not in config  # the caller's dict is left alone


def test_summary_json_writes_nan_as_null(tmp_path: Path) -> None:
    summary = {"mean": NAN, "estimate": Estimate(1.0, 0.5, 2.0, 3), "never": np.float64(NAN)}
    path = write_summary(tmp_path, summary)
    text = path.read_text()
    assert "NaN" not in text and text.startswith("{\n  ")
    assert json.loads(text) == {
        "mean": None,
        "estimate": {"mean": 1.0, "low": 0.5, "high": 2.0, "n": 3},
        "never": None,
    }


def test_atomic_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    atomic_write_text(tmp_path / "a.txt", "hello\n")
    atomic_write_csv(tmp_path / "b.csv", ["x", "y"], [(1, 0.5), (2, NAN)])
    atomic_write_text(tmp_path / "a.txt", "again\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.csv"]
    assert (tmp_path / "a.txt").read_text() == "again\n"
    assert (tmp_path / "b.csv").read_text() == "x,y\n1,0.5\n2,\n"


def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "episodes.csv"
    target.write_text("old\n")

    def rows_then_crash():
        yield ("a", 1)
        raise KeyboardInterrupt  # a run killed half-way through writing

    with pytest.raises(KeyboardInterrupt):
        atomic_write_csv(target, ["agent", "run"], rows_then_crash())
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["episodes.csv"]


def test_an_existing_run_folder_is_not_overwritten_without_force(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "config.json").write_text('{"old": true}')
    with pytest.raises(RunFolderExistsError) as raised:
        prepare_run_folder(folder, force=False)
    message = str(raised.value)
    assert message == f"{folder} already exists; use --force to overwrite it"
    assert "\n" not in message
    assert isinstance(raised.value, FileExistsError)
    assert (folder / "config.json").read_text() == '{"old": true}'


def test_force_replaces_the_files_it_writes(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "config.json").write_text('{"old": true}')
    (folder / "notes.txt").write_text("mine")
    assert prepare_run_folder(folder, force=True) == folder
    write_config(folder, {"new": True})
    data = json.loads((folder / "config.json").read_text())
    assert data["new"] is True and "old" not in data
    assert (folder / "notes.txt").read_text() == "mine"  # nothing else is deleted


def test_new_and_empty_folders_are_fine(tmp_path: Path) -> None:
    assert prepare_run_folder(tmp_path / "a" / "b", force=False).is_dir()
    (tmp_path / "empty").mkdir()
    assert prepare_run_folder(tmp_path / "empty", force=False) == tmp_path / "empty"
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError):
        prepare_run_folder(tmp_path / "file", force=True)


def test_evals_csv_reads_back_exactly_with_empty_cells_as_nan(tmp_path: Path) -> None:
    rows = [
        ("dqn", 0, 0, 9.0, 0.5, 0.125, None, None, None, None, None),
        ("dqn", 0, 100, 21.5, 0.1 + 0.2, 3.0, 0.7, None, 12.0, 0.03, None),
        ("dyna-dqn", 1, 100, 500.0, 1.0, 2.0, None, None, 40.0, 0.01, 0.2, 0.6, 0.2, 0.5),
        ("dreamer", 0, 100, 1.0, 0.5, 0.4, 0.5, 0.45, 1.0, 0.2),
    ]
    rows = [row + (None,) * (len(EVAL_COLUMNS) - len(row)) for row in rows]
    write_run_folder(tmp_path / "f", force=False, config={}, summary={}, evals=rows)
    evals = read_evals(tmp_path / "f")
    assert evals["agent"].tolist() == ["dqn", "dqn", "dyna-dqn", "dreamer"]
    assert evals["env_step"].dtype == np.int64 and evals["env_step"].tolist() == [0, 100, 100, 100]
    assert np.isnan(evals["policy_value"][:3]).all() and evals["policy_value"][3] == 0.45
    assert evals["eval_discounted_return"][1] == 0.1 + 0.2  # repr round-trips
    assert np.isnan(evals["greedy_value"][[0, 2]]).all() and evals["greedy_value"][1] == 0.7
    assert np.isnan(evals["model_error"][[0, 1, 3]]).all() and evals["model_error"][2] == 0.2
    assert evals["disagreement_rank"][2] == 0.6 and evals["rollout_error_2"][2] == 0.5
    assert np.isnan(evals["rollout_error_10"]).all()
    # a tabular folder holds the header only
    write_run_folder(tmp_path / "t", force=False, config={}, summary={})
    assert len(read_evals(tmp_path / "t")["agent"]) == 0
