"""Tests of saving figures: atomic PNG writes that leave no temporary file behind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from dynalab import plots
from dynalab.envs.builtin import dyna_maze
from tests.plots.drawn import two_curves

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_save_figure_writes_a_png_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    fig = plots.learning_curves(two_curves(), title="t")
    target = tmp_path / "runs" / "curves.png"
    written = plots.save_figure(fig, target)
    assert written == target
    assert target.read_bytes()[:8] == PNG_MAGIC
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["curves.png"]


def test_save_figure_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "maze.png"
    target.write_bytes(b"old")
    maze = dyna_maze()
    fig = plots.maze_policy(maze, np.zeros(maze.n_states), [[]] * maze.n_states, title="t")
    plots.save_figure(fig, str(target))
    assert target.read_bytes()[:8] == PNG_MAGIC
    assert [p.name for p in tmp_path.iterdir()] == ["maze.png"]


def test_save_figure_cleans_up_when_drawing_fails(tmp_path: Path) -> None:
    fig = plots.learning_curves(two_curves(), title="t")
    fig.axes[0].text(0, 0, "$\\undefinedcommand$")
    with pytest.raises(ValueError):
        plots.save_figure(fig, tmp_path / "broken.png")
    assert list(tmp_path.iterdir()) == []


def test_save_figure_only_writes_png(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=".png"):
        plots.save_figure(Figure(), tmp_path / "figure.svg")
