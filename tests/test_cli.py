"""End-to-end tests of the ``dynalab`` command line, with tiny budgets.

Commands run in-process through typer's test runner; usage errors that typer itself
raises (a bad option value, an unknown option) go through :func:`dynalab.cli.main`,
which turns them into one line on stderr and exit status 2.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import dynalab
from dynalab.cli import app, main
from dynalab.runfolder import EPISODE_COLUMNS, RUN_FOLDER_VERSION, STEP_COLUMNS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DEFAULT_LABELS = ["q-learning", "dyna-q:n=5", "dyna-q:n=50"]
SMALL_MAZE = "S..\n.#.\n..G\n"

# A wide terminal, so that rich never wraps an agent label in a table header.
runner = CliRunner(env={"COLUMNS": "200"})


def invoke(*args: object) -> Result:
    return runner.invoke(app, [str(arg) for arg in args])


def ok(result: Result) -> Result:
    """``result`` after checking it exited 0 without a traceback."""
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def one_error_line(text: str) -> str:
    """The single non-empty line of ``text`` (stderr of a refused command)."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def table_header(stdout: str) -> list[str]:
    """The cells of the printed table's header row."""
    line = next(line for line in stdout.splitlines() if line.startswith("┃"))
    return [cell.strip() for cell in line.strip().strip("┃").split("┃")]


def group_runs(rows: list[dict[str, str]]) -> dict[tuple[str, str], list[dict[str, str]]]:
    """Rows by (agent, run), in file order."""
    groups: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        groups[(row["agent"], row["run"])].append(row)
    return groups


def assert_png(path: Path) -> None:
    assert path.is_file(), path
    assert path.read_bytes()[:8] == PNG_MAGIC, path


def assert_no_temporary_files(folder: Path) -> None:
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


# compare: the default experiment on a small budget


@pytest.fixture(scope="module")
def default_compare(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("compare") / "run"
    result = invoke("compare", "--runs", 3, "--episodes", 5, "--jobs", 2, "--out", out)
    return ok(result), out


def test_compare_prints_a_table_headed_by_the_labels_as_typed(default_compare):
    result, out = default_compare
    assert table_header(result.stdout) == ["measure", *DEFAULT_LABELS]
    assert "dyna-maze: mean [95% CI] over 3 runs" in result.stdout
    assert "P(better than q-learning)" in result.stdout
    assert f"run folder: {out}" in result.stdout


def test_compare_writes_the_run_folder(default_compare):
    _, out = default_compare
    names = {path.name for path in out.iterdir()}
    expected_files = {"config.json", "episodes.csv", "summary.json"}
    expected_plots = {"learning_curves.png", "greedy_value.png", "policy.png"}
    assert expected_files | expected_plots <= names
    for name in expected_plots:
        assert_png(out / name)
    assert_no_temporary_files(out)


def test_compare_episodes_csv(default_compare):
    _, out = default_compare
    header, rows = read_csv(out / "episodes.csv")
    assert (
        ",".join(header)
        == "agent,run,episode,steps,return,real_steps,planning_updates,greedy_value,"
        "believed_value,model_error,reward_error"
    )
    assert tuple(header) == EPISODE_COLUMNS
    assert [row["agent"] for row in rows].count("q-learning") == 3 * 5
    for label in DEFAULT_LABELS:
        assert sum(row["agent"] == label for row in rows) == 3 * 5
    optimal = read_json(out / "summary.json")["optimal_value"]["0.95"]
    groups = group_runs(rows)
    assert set(groups) == {(label, str(run)) for label in DEFAULT_LABELS for run in range(3)}
    for (label, _), episodes in groups.items():
        assert [int(row["episode"]) for row in episodes] == [1, 2, 3, 4, 5]
        steps = [int(row["steps"]) for row in episodes]
        real = [int(row["real_steps"]) for row in episodes]
        planning = [int(row["planning_updates"]) for row in episodes]
        assert all(s >= 1 for s in steps)
        assert real == sorted(real)
        assert planning == sorted(planning)
        assert real[-1] == sum(steps)
        if label == "q-learning":
            assert planning == [0] * 5
        for row in episodes:
            assert float(row["greedy_value"]) <= optimal + 1e-9


def test_compare_config_json(default_compare):
    _, out = default_compare
    config = read_json(out / "config.json")
    assert config["seed"] == 0
    assert config["runs"] == 3
    assert config["jobs"] == 2
    assert config["budget"] == {"episodes": 5}
    assert [agent["label"] for agent in config["agents"]] == DEFAULT_LABELS
    assert [agent["planning_steps"] for agent in config["agents"]] == [0, 5, 50]
    assert config["run_folder_version"] == RUN_FOLDER_VERSION
    versions = config["versions"]
    assert versions["dynalab"] == dynalab.__version__
    for package in ("numpy", "numba"):
        assert versions[package] and versions[package] != "not installed"


def test_compare_summary_json(default_compare):
    _, out = default_compare
    summary = read_json(out / "summary.json")
    assert list(summary["agents"]) == DEFAULT_LABELS
    assert summary["runs"] == 3
    assert summary["baseline"] == "q-learning"
    assert "probability_of_improvement" not in summary["agents"]["q-learning"]
    for label in DEFAULT_LABELS[1:]:
        improvement = summary["agents"][label]["probability_of_improvement"]
        assert improvement["baseline"] == "q-learning"
        assert 0.0 <= improvement["low"] <= improvement["high"] <= 1.0
        assert 0.0 <= improvement["mean"] <= 1.0


# determinism


def episodes_bytes(out: Path, *args: object) -> bytes:
    ok(invoke("compare", "--runs", 2, "--episodes", 3, "--no-plot", "--quiet", "--out", out, *args))
    return (out / "episodes.csv").read_bytes()


def test_compare_is_deterministic_across_runs_and_jobs(tmp_path):
    first = episodes_bytes(tmp_path / "a", "--jobs", 1)
    again = episodes_bytes(tmp_path / "b", "--jobs", 1)
    parallel = episodes_bytes(tmp_path / "c", "--jobs", 2)
    other_seed = episodes_bytes(tmp_path / "d", "--jobs", 1, "--seed", 1)
    assert first == again
    assert first == parallel
    assert first != other_seed


# step budgets, gym and maze files


def test_compare_on_a_changing_world_writes_steps_csv(tmp_path):
    out = tmp_path / "blocking"
    labels = ["dyna-q:n=5", "dyna-q+:n=5,kappa=0.001"]
    result = ok(
        invoke(
            "compare", "--env", "blocking-maze", "--agents", *labels,
            "--steps", 1200, "--runs", 2, "--jobs", 2, "--out", out,
        )
    )  # fmt: skip
    assert table_header(result.stdout) == ["measure", *labels]
    header, rows = read_csv(out / "steps.csv")
    assert ",".join(header) == "agent,run,step,cumulative_reward"
    assert tuple(header) == STEP_COLUMNS
    config = read_json(out / "config.json")
    every = config["steps_csv_every"]
    assert every >= 1
    assert config["budget"] == {"steps": 1200}
    groups = group_runs(rows)
    assert set(groups) == {(label, str(run)) for label in labels for run in range(2)}
    for records in groups.values():
        steps = [int(row["step"]) for row in records]
        assert steps == list(range(every, 1200 + 1, every))
        totals = [float(row["cumulative_reward"]) for row in records]
        assert totals == sorted(totals)
        assert totals[0] >= 0
    assert_png(out / "cumulative_reward.png")
    assert list(read_json(out / "summary.json")["agents"]) == labels


def test_compare_on_a_gym_env_without_plots(tmp_path):
    out = tmp_path / "frozen"
    labels = ["q-learning", "dyna-q:n=5,model=counts"]
    result = ok(
        invoke(
            "compare", "--env", "gym:FrozenLake-v1", "--agents", *labels,
            "--episodes", 20, "--runs", 2, "--jobs", 1, "--no-plot", "--out", out,
        )
    )  # fmt: skip
    assert table_header(result.stdout) == ["measure", *labels]
    assert not list(out.glob("*.png"))
    _, rows = read_csv(out / "episodes.csv")
    for label in labels:
        assert sum(row["agent"] == label for row in rows) == 2 * 20
    config = read_json(out / "config.json")
    assert config["world"] == "gym:FrozenLake-v1"
    assert config["agents"][1]["model"] == "counts"


def test_compare_on_a_maze_file(tmp_path):
    maze = tmp_path / "tiny.txt"
    maze.write_text(SMALL_MAZE, encoding="utf-8")
    out = tmp_path / "maze-run"
    ok(
        invoke(
            "compare", "--env", f"maze:{maze}", "--agents", "q-learning", "dyna-q:n=5",
            "--episodes", 3, "--runs", 2, "--out", out,
        )
    )  # fmt: skip
    summary = read_json(out / "summary.json")
    assert summary["world"] == f"maze:{maze}"
    assert summary["shortest_path"] == 4
    assert read_json(out / "config.json")["world_name"] == "tiny"
    _, rows = read_csv(out / "episodes.csv")
    assert len(rows) == 2 * 2 * 3
    assert_png(out / "policy.png")


# existing run folders


def test_compare_refuses_a_non_empty_out_folder_unless_forced(tmp_path):
    out = tmp_path / "taken"
    out.mkdir()
    kept = out / "notes.txt"
    kept.write_text("mine\n", encoding="utf-8")
    args = ("compare", "--runs", 2, "--episodes", 2, "--no-plot", "--quiet", "--out", out)
    refused = invoke(*args)
    assert refused.exit_code == 2, refused.output
    line = one_error_line(refused.stderr)
    assert "--force" in line
    assert str(out) in line
    assert refused.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert kept.read_text(encoding="utf-8") == "mine\n"

    ok(invoke(*args, "--force"))
    assert (out / "episodes.csv").is_file()
    assert kept.read_text(encoding="utf-8") == "mine\n"


def test_compare_accepts_an_empty_existing_out_folder(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    ok(invoke("compare", "--runs", 1, "--episodes", 1, "--no-plot", "--quiet", "--out", out))
    assert (out / "summary.json").is_file()


# bad input: one line on stderr, exit status 2, nothing written

BAD_INPUTS = {
    "unknown env": (["compare", "--env", "dyna-maz"], ["'dyna-maz'", "did you mean 'dyna-maze'"]),
    "unknown agent": (["compare", "--agents", "dyna_q"], ["'dyna_q'", "did you mean 'dyna-q'"]),
    "bad key": (["compare", "--agents", "dyna-q:nn=5"], ["unknown key 'nn'", "dyna-q:nn=5"]),
    "bad value": (["compare", "--agents", "dyna-q:alpha=2"], ["alpha", "dyna-q:alpha=2"]),
    "q-learning plans": (["compare", "--agents", "q-learning:n=5"], ["q-learning:n=5"]),
    "duplicate agent": (["compare", "--agents", "dyna-q", "dyna-q"], ["duplicate", "dyna-q"]),
    "agent without --agents": (["compare", "dyna-q"], ["--agents"]),
    "missing maze": (["compare", "--env", "maze:{dir}/missing.txt"], ["{dir}/missing.txt"]),
    "maze is a folder": (["compare", "--env", "maze:{dir}"], ["maze:{dir}"]),
    "invalid maze": (["compare", "--env", "maze:{dir}/bad.txt"], ["{dir}/bad.txt:2:2", "'x'"]),
    "no maze path": (["compare", "--env", "maze:"], ["maze:PATH"]),
    "gym not discrete": (["compare", "--env", "gym:Pendulum-v1"], ["Pendulum-v1", "Discrete"]),
    "tabular on vectors": (
        ["compare", "--env", "gym:CartPole-v1", "--agents", "q-learning"],
        ["vector observations", "Discrete"],
    ),
    "unknown gym id": (["compare", "--env", "gym:NoSuchEnv-v0"], ["NoSuchEnv"]),
    "tabular beside jax without a table": (
        ["compare", "--env", "gym:CartPole-v1", "--agents", "dqn", "q-learning"],
        ["'q-learning' is tabular", "no table"],
    ),
    "jax with episodes": (["compare", "--agents", "dqn", "--episodes", "3"], ["give --steps"]),
    "jax on a changing maze": (
        ["compare", "--env", "blocking-maze", "--agents", "dqn"],
        ["learn on static worlds"],
    ),
    "jax agent in tradeoff": (["tradeoff", "--agents", "dqn"], ["'dqn'", "jax backend"]),
    "zero runs": (["compare", "--runs", "0"], ["--runs"]),
    "zero episodes": (["compare", "--episodes", "0"], ["--episodes"]),
    "zero steps": (["compare", "--steps", "0"], ["--steps"]),
    "zero jobs": (["compare", "--jobs", "0"], ["--jobs"]),
    "episodes and steps": (["compare", "--episodes", "3", "--steps", "100"], ["--steps"]),
    "unknown reproduction": (["reproduce", "fig9.9"], ["'fig9.9'", "did you mean 'fig8."]),
    "no reproduction": (["reproduce"], ["fig8.2", "--list"]),
    "reproduce zero runs": (["reproduce", "fig8.2", "--runs", "0"], ["--runs"]),
}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder (so a default ``runs/`` folder would show up in it)
    holding ``bad.txt``, a maze with an unknown character at line 2, column 2."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.txt").write_text("S..\n.x.\n..G\n", encoding="utf-8")
    return tmp_path


def assert_nothing_written(workdir: Path, out: Path) -> None:
    assert not out.exists()
    assert not (workdir / "runs").exists()


@pytest.mark.parametrize(("args", "expected"), BAD_INPUTS.values(), ids=list(BAD_INPUTS))
@pytest.mark.parametrize("with_out", [True, False], ids=["out", "default-out"])
def test_bad_input_is_one_line_and_exit_2(workdir, args, expected, with_out):
    out = workdir / "out"
    argv = [arg.format(dir=workdir) for arg in args] + (["--out", str(out)] if with_out else [])
    result = invoke(*argv)
    assert result.exit_code == 2, (result.output, result.exception)
    line = one_error_line(result.stderr)
    assert line.startswith("dynalab: error")
    for text in expected:
        assert text.format(dir=workdir) in line
    assert result.stdout == ""
    assert_nothing_written(workdir, out)


def test_out_that_is_a_file_is_refused(workdir):
    out = workdir / "a-file"
    out.write_text("data\n", encoding="utf-8")
    result = invoke("compare", "--runs", 1, "--episodes", 1, "--out", out)
    assert result.exit_code == 2
    assert "not a folder" in one_error_line(result.stderr)
    assert out.read_text(encoding="utf-8") == "data\n"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["compare", "--runs", "abc", "--out", "{out}"], ["--runs"]),
        (["compare", "--bogus", "--out", "{out}"], ["--bogus"]),
        (["compare", "--runs", "--out", "{out}"], ["--runs"]),
        (["reproduce", "fig8.2", "--runs", "x", "--out", "{out}"], ["--runs"]),
        (["bench", "--jobs", "many"], ["--jobs"]),
        (["no-such-command", "--out", "{out}"], ["no-such-command"]),
    ],
    ids=[
        "runs-abc",
        "unknown-option",
        "runs-without-value",
        "reproduce-runs-x",
        "bench-jobs",
        "unknown-command",
    ],
)
def test_usage_errors_through_main(workdir, capsys, argv, expected):
    out = workdir / "out"
    code = main([arg.format(out=out) for arg in argv])
    captured = capsys.readouterr()
    assert code == 2
    line = one_error_line(captured.err)
    assert line.startswith("dynalab: error")
    for text in expected:
        assert text in line
    assert captured.out == ""
    assert_nothing_written(workdir, out)


def test_spec_errors_through_main_are_the_same_one_line(workdir, capsys):
    out = workdir / "out"
    code = main(["compare", "--env", "dyna-maz", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert "did you mean 'dyna-maze'" in one_error_line(captured.err)
    assert_nothing_written(workdir, out)


def test_main_runs_a_command_and_returns_0(tmp_path, capsys):
    out = tmp_path / "via-main"
    argv = ["compare", "--runs", "1", "--episodes", "2", "--no-plot", "--quiet", "--out", str(out)]
    assert main(argv) == 0
    assert "q-learning" in capsys.readouterr().out
    assert (out / "episodes.csv").is_file()


# listings


def test_envs_lists_the_worlds():
    stdout = ok(invoke("envs")).stdout
    for form in (
        "dyna-maze",
        "blocking-maze",
        "shortcut-maze",
        "swamp-maze",
        "maze:PATH",
        "gym:ID",
    ):
        assert form in stdout


def test_agents_lists_names_and_keys():
    stdout = ok(invoke("agents")).stdout
    for name in ("q-learning", "dyna-q", "dyna-q+"):
        assert name in stdout
    for key in ("alpha", "gamma", "epsilon", "kappa", "model"):
        assert key in stdout
    assert any("│ n " in line for line in stdout.splitlines())


def test_reproduce_list_names_the_reproductions():
    stdout = ok(invoke("reproduce", "--list")).stdout
    for name in ("fig8.2", "fig8.3", "fig8.4", "fig8.5"):
        assert name in stdout


# reproduce: claims as [holds]/[fails] lines, exit status 0 iff all hold


@pytest.mark.parametrize(("name", "runs", "jobs"), [("fig8.2", 5, 2), ("fig8.3", 3, 1)])
def test_reproduce_prints_claims_and_exits_by_them(tmp_path, name, runs, jobs):
    out = tmp_path / name
    result = invoke("reproduce", name, "--runs", runs, "--jobs", jobs, "--out", out, "--quiet")
    assert result.exit_code in (0, 1), (result.output, result.exception)
    assert "Traceback" not in result.output
    lines = result.stdout.splitlines()
    assert lines
    assert all(line.startswith(("[holds] ", "[fails] ")) for line in lines), lines
    all_hold = all(line.startswith("[holds] ") for line in lines)
    assert (result.exit_code == 0) == all_hold
    summary = read_json(out / "summary.json")
    assert summary["reproduction"] == name
    assert summary["all_claims_hold"] is all_hold
    assert [claim["holds"] for claim in summary["claims"]] == [
        line.startswith("[holds] ") for line in lines
    ]
    config = read_json(out / "config.json")
    assert (config["reproduction"], config["runs"], config["jobs"]) == (name, runs, jobs)
    assert list(out.glob("*.png"))


# bench


def test_bench_quick_json():
    measured = json.loads(ok(invoke("bench", "--quick", "--json", "--jobs", 2)).stdout)
    assert {"compile", "throughput", "fig8.2"} <= set(measured)
    assert measured["fig8.2"]["seconds_1_job"] > 0
    assert measured["compile"]["cold_compile_s"] is None  # --quick skips the cold compile
    assert measured["compile"]["cached_first_run_s"] > 0
    sweep = measured["sweep"]
    assert sweep["long_cells"] == 3 and sweep["local_1_jobs_s_per_tiny_cell"] > 0
    assert "ray_start_s" not in sweep  # --quick leaves Ray out
    try:
        import jax  # noqa: F401
    except ImportError:
        assert "neural" not in measured
    else:
        dqn = measured["neural"]["dqn:hidden=64x64,batch=64"]
        assert dqn["steps"] == 2000 and dqn["runs"] == 2
        assert dqn["gradient_updates_per_run"] == 1001  # steps 1000..2000 once learning starts
        ratio = dqn["alone_updates_per_s"] / dqn["alone_env_steps_per_s"]
        assert ratio == pytest.approx(1001 / 2000)
        assert dqn["python_env_steps_per_s"] > 0 and dqn["compiled_over_python"] > 0
        dreamer = measured["dreamer"]
        assert dreamer["training_steps_per_run"] == 41  # steps 40..200, every 4th
        for figures in (dreamer["alone"], dreamer["batch"]):
            ratio = figures["training_steps_per_s"] / figures["env_steps_per_s"]
            assert ratio == pytest.approx(41 / 200)
            assert "model_updates_per_s" not in figures  # --quick times whole runs only


# regressions: printed text is data, not rich markup


def test_paths_with_brackets_are_printed_as_given(tmp_path):
    out = tmp_path / "runs[/x]"
    result = ok(invoke("compare", "--runs", 1, "--episodes", 2, "--no-plot", "--out", out))
    assert f"run folder: {out}" in result.stdout
    assert (out / "episodes.csv").is_file()


def test_a_lone_baseline_has_no_improvement_row_and_no_nan(tmp_path):
    out = tmp_path / "alone"
    result = ok(
        invoke(
            "compare", "--agents", "q-learning", "--runs", 2, "--episodes", 2,
            "--no-plot", "--quiet", "--out", out,
        )
    )  # fmt: skip
    assert table_header(result.stdout) == ["measure", "q-learning"]
    assert "P(better" not in result.stdout
    assert "nan" not in result.stdout


def test_compare_help_gives_the_jax_agents_budget_defaults_in_force() -> None:
    """The --runs and --steps help name the defaults a jax comparison really gets (the
    --steps help once said 50000 after the default had become 30000)."""
    from dynalab.cli.common import DEFAULT_NEURAL_RUNS, DEFAULT_NEURAL_STEPS

    text = " ".join(ok(invoke("compare", "--help")).output.split())
    assert f"jax agents {DEFAULT_NEURAL_RUNS})" in text
    assert f"jax agents (default {DEFAULT_NEURAL_STEPS})" in text
