"""`dynalab study`: the model-error studies run end to end and report their claims."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dynalab.cli import app

RUNNER = CliRunner(env={"COLUMNS": "200"})


def test_study_list_names_every_study() -> None:
    result = RUNNER.invoke(app, ["study", "--list"])
    assert result.exit_code == 0
    assert "planning-amplifies-error" in result.stdout


def test_planning_amplifies_error_prints_claims_and_writes_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "pae"
    result = RUNNER.invoke(
        app, ["study", "planning-amplifies-error", "--runs", "3", "--out", str(out), "--quiet"]
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines and all(line.startswith(("[holds] ", "[fails] ")) for line in lines)
    all_hold = all(line.startswith("[holds] ") for line in lines)
    assert result.exit_code == (0 if all_hold else 1)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["all_claims_hold"] == all_hold
    assert len(summary["reward"]) == 15  # 3 planning budgets x 5 noise levels
    config = json.loads((out / "config.json").read_text())
    assert config["command"] == "study"
    assert (out / "reward_vs_noise.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_study_is_one_line_with_a_suggestion() -> None:
    result = RUNNER.invoke(app, ["study", "planning-amplifies-eror"])
    assert result.exit_code == 2
    assert "did you mean 'planning-amplifies-error'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_fall_rate_counts_cliff_endings_but_not_time_outs() -> None:
    import numpy as np

    from dynalab.claims.studies import fall_rate

    class Fake:  # the two arrays fall_rate reads
        episode_return = np.array([[-105.0, -12.0, -200.0, -101.0]])
        episode_steps = np.array([[6, 12, 200, -1]])

    # episode 1 fell, 2 reached the goal, 3 timed out (200 steps), 4 not completed
    assert fall_rate(Fake, 1, 200, -100.0).tolist() == [1 / 3]


def test_exploitation_study_reports_gap_and_recovery(tmp_path: Path) -> None:
    """A few runs of the exploitation study: five claims, the run folder with the
    belief plot, and summaries whose shares follow from the per-agent numbers."""
    out = tmp_path / "exploitation"
    result = RUNNER.invoke(
        app, ["study", "exploitation", "--runs", "4", "--out", str(out), "--quiet"]
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 5
    assert all(line.startswith(("[holds] ", "[fails] ")) for line in lines)
    summary = json.loads((out / "summary.json").read_text())
    gaps = summary["belief_gap"]
    closed = summary["gap_closed_by_pessimism"]["mean"]
    aggregate = gaps["dyna-q:n=50,model=aggregate"]["mean"]
    pessimistic = gaps["dyna-q:n=50,model=aggregate,ensemble=5"]["mean"]
    assert closed == pytest.approx(1 - pessimistic / aggregate)
    averaged = gaps["dyna-q:n=50,model=aggregate,ensemble=5,uncertainty=mean"]["mean"]
    kept = summary["gap_kept_by_averaging"]["mean"]
    assert kept == pytest.approx(averaged - pessimistic)
    assert summary["optimal_start_value"] == pytest.approx(0.95**20)
    assert (out / "belief.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sweeping_per_episode_study_compares_at_each_n(tmp_path: Path) -> None:
    """A few runs: three claims, one row per n with the difference and the update ratio,
    and a difference that is the two agents' mean steps apart."""
    out = tmp_path / "spe"
    result = RUNNER.invoke(
        app, ["study", "sweeping-per-episode", "--runs", "4", "--out", str(out), "--quiet"]
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 3 and all(line.startswith(("[holds] ", "[fails] ")) for line in lines)
    summary = json.loads((out / "summary.json").read_text())
    assert [row["n"] for row in summary["by_n"]] == [1, 5, 20, 50]
    steps = summary["steps_per_episode_2_30"]
    for row in summary["by_n"]:
        n = row["n"]
        apart = steps[f"prioritized-sweeping:n={n}"]["mean"] - steps[f"dyna-q:n={n}"]["mean"]
        assert row["difference"]["mean"] == pytest.approx(apart)
        assert row["update_ratio"]["mean"] > 1.0  # Dyna-Q plans n times every real step
    assert "prioritized-sweeping:n=5,alpha=0.1" in steps
