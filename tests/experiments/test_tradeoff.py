"""Tests of the samples-versus-compute trade-off: rows over hand-made runs with
hand-computed expectations, the frontier's points, and ``dynalab tradeoff`` end to end."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from dynalab.agents.config import AgentConfig
from dynalab.cli import app
from dynalab.experiments.compare import Comparison
from dynalab.experiments.tradeoff import (
    DEFAULT_TRADEOFF_AGENTS,
    UPDATES_OFFSET,
    families,
    frontier_points,
    planning_budget,
    tradeoff_rows,
    world_problem,
)
from dynalab.run.runner import RunResult
from dynalab.specs.agents import AgentSpec, parse_agent_spec
from dynalab.specs.worlds import parse_env_spec

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SMALL_AGENTS = [
    "q-learning",
    "dyna-q:n=5",
    "prioritized-sweeping:n=5",
    "model-vi",
    "mcts:simulations=5",
]
ROW_FIELDS = {
    "label",
    "family",
    "budget",
    "runs",
    "solved_runs",
    "real_steps_to_near_optimal",
    "episodes_to_near_optimal",
    "planning_updates_to_near_optimal",
    "planning_updates",
    "wall_time_s",
    "real_steps",
}
ESTIMATE_FIELDS = {"mean", "low", "high", "n"}

runner = CliRunner(env={"COLUMNS": "200"})


def config(spec: str) -> AgentConfig:
    return parse_agent_spec(spec, {"alpha": 0.1, "gamma": 0.95, "epsilon": 0.1})


def fake_result(
    agent: AgentConfig,
    greedy_value: list[list[float]],
    real_steps: list[list[int]],
    planning_updates: list[list[int]],
    wall_time: list[float],
) -> RunResult:
    """A RunResult of len(greedy_value) runs with the given per-episode numbers."""
    values = np.array(greedy_value, dtype=float)
    real = np.array(real_steps, dtype=np.int64)
    planned = np.array(planning_updates, dtype=np.int64)
    runs, episodes = values.shape
    steps = np.diff(real, axis=1, prepend=0)
    return RunResult(
        agent=agent,
        world_name="dyna-maze",
        seed=0,
        episode_steps=steps,
        episode_return=np.ones((runs, episodes)),
        real_steps=real,
        planning_updates=planned,
        greedy_value=values,
        believed_value=np.full((runs, episodes), np.nan),
        model_error=np.full((runs, episodes), np.nan),
        reward_error=np.full((runs, episodes), np.nan),
        episodes_completed=np.full(runs, episodes),
        total_real_steps=real[:, -1].copy(),
        total_planning_updates=planned[:, -1].copy(),
        cumulative_reward=np.zeros((runs, 0)),
        record_every=0,
        wall_time=np.array(wall_time, dtype=float),
        final_q=np.zeros((runs, 1, 4)),
    )


def fake_comparison(
    results: list[RunResult], labels: list[str], optimal: float = 1.0
) -> Comparison:
    episodes = results[0].greedy_value.shape[1]
    return Comparison(
        world=parse_env_spec("dyna-maze"),
        agents=[AgentSpec(label, r.agent) for label, r in zip(labels, results, strict=True)],
        results=results,
        episodes=episodes,
        steps=None,
        runs=results[0].runs,
        seed=0,
        jobs=1,
        wall_time=0.0,
        optimal_values={0.95: optimal},
    )


def three_runs(agent: AgentConfig, updates_per_episode: int = 10) -> RunResult:
    """Run 0 near-optimal from episode 2 for good (real steps 150), run 1 never (it
    dips out again at the end), run 2 from episode 1 (real steps 40)."""
    return fake_result(
        agent,
        greedy_value=[[0.5, 0.96, 0.97], [0.99, 0.5, 0.9], [0.99, 0.99, 1.0]],
        real_steps=[[100, 150, 170], [200, 300, 320], [40, 60, 80]],
        planning_updates=[[u * updates_per_episode for u in (1, 2, 3)]] * 3,
        wall_time=[0.1, 0.2, 0.3],
    )


# tradeoff_rows over hand-made runs


def test_rows_count_unsolved_runs_and_average_the_solved_ones():
    result = three_runs(config("dyna-q:n=5"))
    (row,) = tradeoff_rows(fake_comparison([result], ["dyna-q:n=5"]))
    assert set(row) == ROW_FIELDS
    assert row["label"] == "dyna-q:n=5"
    assert row["family"] == "dyna-q"
    assert row["budget"] == 5
    assert row["runs"] == 3
    assert row["solved_runs"] == 2
    steps = row["real_steps_to_near_optimal"]
    assert steps["n"] == 2
    assert steps["mean"] == pytest.approx((150 + 40) / 2)
    assert steps["low"] <= steps["mean"] <= steps["high"]
    assert row["episodes_to_near_optimal"]["mean"] == pytest.approx((2 + 1) / 2)
    assert row["planning_updates_to_near_optimal"]["mean"] == pytest.approx((20 + 10) / 2)
    # Totals per run rest on every run, solved or not.
    assert row["planning_updates"] == {"mean": 30.0, "low": 30.0, "high": 30.0, "n": 3}
    assert row["wall_time_s"]["mean"] == pytest.approx(0.2)
    assert row["wall_time_s"]["n"] == 3
    assert row["real_steps"]["mean"] == pytest.approx((170 + 320 + 80) / 3)


def test_an_agent_that_never_gets_there_has_no_steps_and_no_frontier_point():
    never = fake_result(
        config("q-learning"),
        greedy_value=[[0.1, 0.2], [0.3, 0.4]],
        real_steps=[[500, 900], [400, 700]],
        planning_updates=[[0, 0], [0, 0]],
        wall_time=[0.01, 0.02],
    )
    solved = fake_result(
        config("dyna-q:n=1"),
        greedy_value=[[0.99, 0.99], [0.5, 0.99]],
        real_steps=[[50, 70], [80, 100]],
        planning_updates=[[50, 70], [80, 100]],
        wall_time=[0.01, 0.02],
    )
    rows = tradeoff_rows(fake_comparison([never, solved], ["q-learning", "dyna-q:n=1"]))
    assert rows[0]["solved_runs"] == 0
    assert rows[0]["real_steps_to_near_optimal"]["n"] == 0
    assert math.isnan(rows[0]["real_steps_to_near_optimal"]["mean"])
    assert rows[1]["solved_runs"] == 2
    assert rows[1]["real_steps_to_near_optimal"]["mean"] == pytest.approx((50 + 100) / 2)
    assert list(frontier_points(rows, "planning_updates", UPDATES_OFFSET)) == ["dyna-q"]


def test_rows_need_a_near_optimal_criterion():
    comparison = fake_comparison([three_runs(config("q-learning"), 0)], ["q-learning"])
    comparison.episodes = None
    with pytest.raises(ValueError, match="near-optimal"):
        tradeoff_rows(comparison)


# the frontier's points


def test_frontier_x_is_updates_plus_one_and_points_follow_the_budget():
    labels = ["q-learning", "dyna-q:n=50", "dyna-q:n=5", "model-vi", "model-vi:sweeps=1"]
    updates = {"q-learning": 0, "dyna-q:n=50": 100, "dyna-q:n=5": 10}
    updates |= {"model-vi": 1000, "model-vi:sweeps=1": 500}
    results = [three_runs(config(label), updates[label]) for label in labels]
    rows = tradeoff_rows(fake_comparison(results, labels))
    points = frontier_points(rows, "planning_updates", UPDATES_OFFSET)
    assert list(points) == ["q-learning", "dyna-q", "model-vi"]
    x, x_low, x_high, y, y_low, y_high = points["q-learning"]
    # No planning sits at 1 on the log axis; every x moves by the same +1.
    np.testing.assert_array_equal(x, [1.0])
    np.testing.assert_array_equal(x_low, [1.0])
    np.testing.assert_array_equal(x_high, [1.0])
    np.testing.assert_allclose(y, [95.0])
    assert y_low[0] <= y[0] <= y_high[0]
    # n=5 before n=50 (budget order, not the order given), totals 3*updates, +1.
    np.testing.assert_array_equal(points["dyna-q"][0], [31.0, 301.0])
    # sweeps=1 before sweeps=0 ("until converged" is the largest budget).
    np.testing.assert_array_equal(points["model-vi"][0], [1501.0, 3001.0])
    by_time = frontier_points(rows, "wall_time_s")
    np.testing.assert_allclose(by_time["dyna-q"][0], [0.2, 0.2])


def test_planning_budget_per_planner():
    assert planning_budget(config("q-learning")) == 0
    assert planning_budget(config("dyna-q:n=20")) == 20
    assert planning_budget(config("prioritized-sweeping:n=3")) == 3
    assert planning_budget(config("model-vi:sweeps=2")) == 2
    assert planning_budget(config("model-vi")) == math.inf
    assert planning_budget(config("mcts:simulations=10")) == 10


def test_families_join_budgets_and_split_other_settings():
    same = [config(spec) for spec in ("dyna-q:n=1", "dyna-q:n=50", "mcts", "mcts:simulations=5")]
    assert families(same) == ["dyna-q", "dyna-q", "mcts", "mcts"]
    mixed = [config(spec) for spec in ("dyna-q:n=5", "dyna-q:n=5,sampling=on-policy", "mcts:c=1")]
    assert families(mixed) == [
        "dyna-q (sampling=uniform)",
        "dyna-q (sampling=on-policy)",
        "mcts",
    ]
    default = [config(spec) for spec in DEFAULT_TRADEOFF_AGENTS]
    assert sorted(set(families(default))) == [
        "dyna-q",
        "mcts",
        "model-vi",
        "prioritized-sweeping",
        "q-learning",
    ]


def test_world_problem():
    assert world_problem(parse_env_spec("dyna-maze")) is None
    problem = world_problem(parse_env_spec("blocking-maze"))
    assert problem is not None
    assert "does not change" in problem


# dynalab tradeoff end to end


def invoke(*args: object) -> Result:
    return runner.invoke(app, [str(arg) for arg in args])


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder, so a default ``runs/`` folder would show up in it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def table_rows(stdout: str) -> dict[str, list[str]]:
    """The printed table's body rows by their first cell."""
    rows = {}
    for line in stdout.splitlines():
        if line.startswith("│"):
            cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
            rows[cells[0]] = cells[1:]
    return rows


def test_tradeoff_end_to_end(workdir):
    out = workdir / "trade"
    result = invoke(
        "tradeoff", "--runs", 2, "--episodes", 10, "--out", out, "--agents", *SMALL_AGENTS
    )
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output
    rows = table_rows(result.stdout)
    assert list(rows) == SMALL_AGENTS
    for cells in rows.values():
        assert len(cells) == 3
        assert cells[0].endswith("/2)")
    assert rows["q-learning"][1] == "0 [0, 0]"
    assert f"run folder: {out}" in result.stdout

    assert sorted(p.name for p in out.iterdir()) == [
        "config.json",
        "episodes.csv",
        "evals.csv",
        "frontier_time.png",
        "frontier_updates.png",
        "steps.csv",
        "summary.json",
    ]
    for name in ("frontier_updates.png", "frontier_time.png"):
        assert (out / name).read_bytes()[:8] == PNG_MAGIC
    config_json = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config_json["command"] == "tradeoff"
    assert [a["label"] for a in config_json["agents"]] == SMALL_AGENTS
    assert config_json["budget"] == {"episodes": 10}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["runs"] == 2
    assert summary["near_optimal"]
    assert [row["label"] for row in summary["rows"]] == SMALL_AGENTS
    for row in summary["rows"]:
        assert set(row) == ROW_FIELDS
        assert 0 <= row["solved_runs"] <= 2
        for key in ("planning_updates", "wall_time_s", "real_steps_to_near_optimal"):
            assert set(row[key]) == ESTIMATE_FIELDS
        assert row["planning_updates"]["n"] == 2
    assert summary["rows"][0]["planning_updates"]["mean"] == 0
    assert all(row["planning_updates"]["mean"] > 0 for row in summary["rows"][1:])
    assert not (workdir / "runs").exists()


def test_tradeoff_quiet_no_plot_default_folder(workdir):
    result = invoke(
        "tradeoff", "--runs", 1, "--episodes", 2, "--quiet", "--no-plot", "--agents", "q-learning"
    )
    assert result.exit_code == 0, (result.output, result.exception)
    assert "run folder" not in result.stdout
    folder = workdir / "runs" / "tradeoff-dyna-maze"
    assert (folder / "summary.json").is_file()
    assert not list(folder.glob("*.png"))


BAD_INPUTS = {
    "unknown agent": (["--agents", "dyna_q"], ["'dyna_q'", "did you mean 'dyna-q'"]),
    "zero runs": (["--runs", "0"], ["--runs"]),
    "zero episodes": (["--episodes", "0"], ["--episodes"]),
    "agent without --agents": (["dyna-q"], ["--agents"]),
    "changing world": (["--env", "blocking-maze"], ["blocking-maze", "does not change"]),
}


@pytest.mark.parametrize(("args", "expected"), BAD_INPUTS.values(), ids=list(BAD_INPUTS))
def test_bad_input_is_one_line_and_exit_2(workdir, args, expected):
    out = workdir / "out"
    result = invoke("tradeoff", *args, "--out", out)
    assert result.exit_code == 2, (result.output, result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dynalab: error")
    for text in expected:
        assert text in lines[0]
    assert result.stdout == ""
    assert not out.exists()
    assert not (workdir / "runs").exists()


def test_existing_out_folder_is_refused_without_force(workdir):
    out = workdir / "taken"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    args = ("tradeoff", "--runs", 1, "--episodes", 2, "--no-plot", "--quiet", "--out", out)
    refused = invoke(*args, "--agents", "q-learning")
    assert refused.exit_code == 2, refused.output
    lines = [line for line in refused.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "--force" in lines[0]
    assert refused.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    forced = invoke(*args, "--force", "--agents", "q-learning")
    assert forced.exit_code == 0, (forced.output, forced.exception)
    assert (out / "summary.json").is_file()
