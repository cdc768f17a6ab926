"""Tests of the trade-off chart: error bars both ways, scales and refused points."""

from __future__ import annotations

import numpy as np
import pytest

from dynalab import plots


def test_frontier_draws_error_bars_both_ways_per_label() -> None:
    n = np.array([0.0, 5.0, 50.0])
    points = {
        "Dyna-Q": (
            n * 100 + 10,
            n * 90 + 9,
            n * 110 + 11,
            500 / (n + 1),
            400 / (n + 1),
            600 / (n + 1),
        ),
        "Q-learning": (10.0, 9.0, 11.0, 500.0, 450.0, 550.0),
    }
    fig = plots.frontier(
        points,
        xlabel="planning updates",
        ylabel="real steps to solve",
        title="Trade-off, mean of 30 runs",
    )
    ax = fig.axes[0]
    assert len(ax.containers) == 2
    for container in ax.containers:
        assert container.has_xerr and container.has_yerr
    data_lines = [container.lines[0] for container in ax.containers]
    assert [len(line.get_xdata()) for line in data_lines] == [3, 1]
    assert data_lines[0].get_linestyle() == "-"
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["Dyna-Q", "Q-learning"]
    assert fig.get_suptitle() == "Trade-off, mean of 30 runs"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("planning updates", "real steps to solve")


def test_frontier_linear_axes_and_bad_points() -> None:
    fig = plots.frontier(
        {"a": (1.0, 0.5, 1.5, 2.0, 1.0, 3.0)},
        xlabel="x",
        ylabel="y",
        title="t",
        log_x=False,
        log_y=False,
    )
    assert fig.axes[0].get_xscale() == "linear"
    with pytest.raises(ValueError):
        plots.frontier({"a": (1.0, 0.5, 1.5)}, xlabel="x", ylabel="y", title="t")  # type: ignore[dict-item]
    with pytest.raises(ValueError):
        plots.frontier({}, xlabel="x", ylabel="y", title="t")
