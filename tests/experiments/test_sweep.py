"""`dynalab sweep`: the file, cells and their seeds, resuming, refusing, results."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dynalab.cli import app
from dynalab.experiments.sweep.cells import run_cell, sweep_cells
from dynalab.experiments.sweep.file import EXAMPLE, read_sweep_file
from dynalab.experiments.sweep.folder import prepare_sweep_folder
from dynalab.experiments.sweep.run import run_sweep

RUNNER = CliRunner(env={"COLUMNS": "200"})
SMALL = """\
seed = 3
runs = 2
episodes = 3
worlds = ["dyna-maze"]

[agents.q-learning]
alpha = [0.5, 1.0]

[agents.dyna-q]
n = [5, 10]
alpha = 0.5
"""


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def scores(folder: Path) -> dict[str, list[float]]:
    return {
        path.stem: json.loads(path.read_text())["score"] for path in (folder / "cells").glob("*")
    }


def test_the_example_is_a_valid_sweep() -> None:
    sweep = read_sweep_file_text(EXAMPLE)
    assert sweep.worlds == ("dyna-maze",) and sweep.runs == 10 and sweep.episodes == 30
    assert [len(grid.settings()) for grid in sweep.agents] == [3, 6]
    assert RUNNER.invoke(app, ["sweep", "--example"]).stdout == EXAMPLE


def read_sweep_file_text(text: str, tmp_path: Path | None = None):
    import tempfile

    folder = Path(tmp_path or tempfile.mkdtemp())
    return read_sweep_file(write(folder, text))


def test_a_sweep_writes_one_row_per_cell_and_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = RUNNER.invoke(
        app, ["sweep", str(write(tmp_path, SMALL)), "--out", str(out), "--report"]
    )
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text()
    assert "fresh seeds" in page and "sensitivity-dyna-maze-dyna-q-n.png" in page
    config = json.loads((out / "config.json").read_text())
    assert config["command"] == "sweep" and config["argv"][:2] == ["dynalab", "sweep"]
    assert "dyna-q:alpha=0.5,n=" in result.stdout and "fresh seeds" in result.stdout
    with (out / "results.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "stage", "world", "agent", "spec", "alpha", "n", "run", "score", "real_steps",
        "planning_updates", "cell_seed",
    ]  # fmt: skip
    tuning = [row for row in rows if row["stage"] == "tuning"]
    evaluation = [row for row in rows if row["stage"] == "evaluation"]
    assert len(tuning) == 4 * 2 and len(evaluation) == 2 * 2  # cells x runs
    assert {row["n"] for row in tuning if row["agent"] == "q-learning"} == {""}
    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["cells"]) == 4
    assert summary["score"]["dyna-maze"]["lower_is_better"] is True
    best = summary["tuned"]["dyna-maze"]["dyna-q"]
    means = {c["spec"]: c["score"]["mean"] for c in summary["cells"] if c["agent"] == "dyna-q"}
    assert best["tuning_score"]["mean"] == min(means.values()) == means[best["spec"]]
    assert best["settings_tried"] == 2 and best["k"] == 2  # both grids have 2 settings
    assert best["expected_best_of_k"] == best["tuning_score"]["mean"]  # k = the whole grid
    fresh = [float(row["score"]) for row in evaluation if row["agent"] == "dyna-q"]
    assert best["fresh_score"]["mean"] == pytest.approx(sum(fresh) / 2)
    assert {row["spec"] for row in evaluation if row["agent"] == "dyna-q"} == {best["spec"]}
    seeds = {row["stage"]: row["cell_seed"] for row in rows if row["spec"] == best["spec"]}
    assert seeds["tuning"] != seeds["evaluation"]  # fresh seeds
    assert (out / "sensitivity-dyna-maze-dyna-q-n.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "sensitivity-dyna-maze-q-learning-alpha.png").is_file()
    assert not (out / "sensitivity-dyna-maze-dyna-q-alpha.png").exists()  # alpha fixed
    assert (out / "sweep.toml").read_text() == SMALL


def test_a_cells_numbers_depend_on_the_cell_alone(tmp_path: Path) -> None:
    """The same cell run alone, inside a bigger sweep, and by a 2-process pool: the same
    scores; its seed comes from its identity."""
    whole = read_sweep_file(write(tmp_path, SMALL))
    cell = sweep_cells(whole)[3]
    alone = run_cell(cell)["score"]
    pooled = tmp_path / "pooled"
    finished = prepare_sweep_folder(pooled, whole, SMALL, force=False)
    run_sweep(whole, pooled, finished, jobs=2)
    assert scores(pooled)[cell.key] == alone
    bigger = SMALL.replace("n = [5, 10]", "n = [1, 5, 10]")
    grown = read_sweep_file(write(tmp_path, bigger, "b.toml"))
    same = next(c for c in sweep_cells(grown) if c.identity == cell.identity)
    assert same.seed == cell.seed and run_cell(same)["score"] == alone
    other_seed = read_sweep_file(write(tmp_path, SMALL.replace("seed = 3", "seed = 4"), "c.toml"))
    assert sweep_cells(other_seed)[3].seed != cell.seed


def test_a_rerun_runs_only_the_missing_cells_and_gives_the_same_results(tmp_path: Path) -> None:
    sweep = read_sweep_file(write(tmp_path, SMALL))
    full, resumed = tmp_path / "full", tmp_path / "resumed"
    run_sweep(sweep, full, prepare_sweep_folder(full, sweep, SMALL, force=False))
    run_sweep(sweep, resumed, prepare_sweep_folder(resumed, sweep, SMALL, force=False))
    cells = sorted((resumed / "cells").glob("*.json"))
    for path in cells[:2]:
        path.unlink()  # as if the sweep had been killed with these in flight
    ran = []
    finished = prepare_sweep_folder(resumed, sweep, SMALL, force=False)
    run_sweep(sweep, resumed, finished, on_cell_done=ran.append)
    assert sorted(cell.key for cell in ran) == sorted(path.stem for path in cells[:2])
    assert scores(resumed) == scores(full)
    assert (resumed / "results.csv").read_text() == (full / "results.csv").read_text()


def test_a_killed_sweep_resumes_to_the_uninterrupted_results(tmp_path: Path) -> None:
    """The sweep process is killed (SIGKILL) after its first cell is written; the rerun
    runs the rest, and the results equal a sweep that was never interrupted.

    60 runs a cell space the cells' files 0.1-0.5 s apart on this 2-core machine (2 runs
    a cell wrote all 7 within 70 ms, faster than the poll below could see the first)."""
    text = (
        SMALL.replace("episodes = 3", "episodes = 20")
        .replace("n = [5, 10]", "n = [5, 10, 20]")
        .replace("runs = 2", "runs = 60")
    )
    path = write(tmp_path, text)
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    command = [str(Path(sys.executable).parent / "dynalab"), "sweep", str(path), "--quiet"]
    process = subprocess.Popen(
        [*command, "--out", str(killed)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while not list((killed / "cells").glob("*.json")) and time.monotonic() < deadline:
        if process.poll() is not None:
            break
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    written = len(list((killed / "cells").glob("*.json")))
    assert 1 <= written < 5 + 2, "kill the sweep while cells remain"
    assert not (killed / "results.csv").exists()
    subprocess.run([*command, "--out", str(killed)], check=True, capture_output=True)
    subprocess.run([*command, "--out", str(whole)], check=True, capture_output=True)
    assert scores(killed) == scores(whole) and len(scores(whole)) == 5 + 2  # + evaluation
    assert (killed / "results.csv").read_text() == (whole / "results.csv").read_text()


def test_a_changed_sweep_file_is_refused_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = write(tmp_path, SMALL)
    assert RUNNER.invoke(app, ["sweep", str(first), "--out", str(out), "--quiet"]).exit_code == 0
    before = scores(out)
    changed = write(tmp_path, SMALL.replace("runs = 2", "runs = 3"), "t.toml")
    refused = RUNNER.invoke(app, ["sweep", str(changed), "--out", str(out)])
    assert refused.exit_code == 2
    assert refused.stderr.strip().endswith("--force to start it over")
    assert "runs: 2 -> 3" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert scores(out) == before  # nothing touched
    forced = RUNNER.invoke(app, ["sweep", str(changed), "--out", str(out), "--force", "--quiet"])
    assert forced.exit_code == 0
    assert all(len(values) == 3 for values in scores(out).values())


BAD_FILES = {
    "not toml": ("runs = [", ["s.toml", "not valid TOML"]),
    "unknown key": (SMALL.replace("runs = 2", "rusn = 2"), ["s.toml:2", "rusn", "'runs'"]),
    "no budget": (SMALL.replace("episodes = 3\n", ""), ["exactly one budget"]),
    "two budgets": (SMALL.replace("episodes = 3", "episodes = 3\nsteps = 9"), ["one budget"]),
    "zero runs": (SMALL.replace("runs = 2", "runs = 0"), ["s.toml:2", "runs", ">= 1"]),
    "bad world": (SMALL.replace('"dyna-maze"', '"dyna-maz"'), ["s.toml:4", "dyna-maz"]),
    "unknown agent": (
        SMALL.replace("[agents.dyna-q]", "[agents.dyna-qq]"),
        ["s.toml:9", "dyna-qq"],
    ),
    "bad value": (SMALL.replace("alpha = [0.5, 1.0]", "alpha = [0.5, 2.0]"), ["s.toml:7", "alpha"]),
    "bad key": (SMALL.replace("n = [5, 10]", "nn = [5, 10]"), ["s.toml:10", "'nn'"]),
    "repeated value": (SMALL.replace("n = [5, 10]", "n = [5, 5]"), ["s.toml:10", "twice"]),
    "jax agent on episodes": (SMALL + "\n[agents.dqn]\nlr = 0.001\n", ["s.toml:13", "steps = N"]),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_sweep_file_is_one_line_naming_file_line_and_key(tmp_path: Path, case: str) -> None:
    text, expected = BAD_FILES[case]
    out = tmp_path / "out"
    result = RUNNER.invoke(app, ["sweep", str(write(tmp_path, text)), "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    for part in expected:
        assert part in lines[0], (part, lines[0])
    assert not out.exists()  # nothing written


def test_a_sweep_of_a_jax_agent_scores_its_evaluation_return(tmp_path: Path) -> None:
    """dqn on the one-hot Dyna maze, two learning rates: each run scored by its mean
    greedy evaluation return (higher is better), no planning updates."""
    pytest.importorskip("jax")
    text = """\
runs = 2
steps = 300
worlds = ["dyna-maze"]
[agents.dqn]
lr = [0.001, 0.01]
hidden = "16"
learning_starts = 100
"""
    out = tmp_path / "out"
    result = RUNNER.invoke(app, ["sweep", str(write(tmp_path, text)), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["score"]["dyna-maze"]["lower_is_better"] is False
    assert len(summary["cells"]) == 2 and summary["tuned"]["dyna-maze"]["dqn"]["fresh_score"]
    with (out / "results.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 * 2 and {row["planning_updates"] for row in rows} == {""}
    assert all(0.0 <= float(row["score"]) <= 1.0 for row in rows)  # the maze pays 1 at the goal


def test_the_expected_best_of_k_settings_is_the_mean_over_every_draw() -> None:
    """Against enumerating every k-subset of the grid (the draw is uniform over them)."""
    import itertools
    import random

    from dynalab.experiments.sweep.run import expected_best

    rng = random.Random(7)
    means = [rng.uniform(0, 100) for _ in range(7)]
    for k in (1, 3, 7):
        for lower in (False, True):
            pick = min if lower else max
            draws = [pick(subset) for subset in itertools.combinations(means, k)]
            assert expected_best(means, k, lower) == pytest.approx(sum(draws) / len(draws))
