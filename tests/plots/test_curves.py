"""Tests of the curve figures: learning curves and cumulative reward, counted artist by artist."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from dynalab import plots
from tests.plots.drawn import band, texts_of, two_curves


def bands_of(fig: Figure) -> list[PolyCollection]:
    return [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]


# --- learning_curves (Fig. 8.2) ------------------------------------------------------------


def test_learning_curves_draws_one_line_and_band_per_label_plus_the_reference() -> None:
    fig = plots.learning_curves(
        two_curves(),
        title="Dyna maze: steps per episode, mean of 30 runs",
        reference=14,
        reference_label="shortest path (14)",
    )
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert len(ax.get_lines()) == 2 + 1
    assert len(bands_of(fig)) == 2
    assert fig.get_suptitle() == "Dyna maze: steps per episode, mean of 30 runs"
    assert {"Q-learning", "Dyna-Q n=50", "shortest path (14)"} <= set(texts_of(fig))
    assert ax.get_xlabel() == "episode"
    assert ax.get_ylabel() == "steps per episode"


def test_learning_curves_start_at_episode_one_and_run_from_zero_to_the_highest_bound() -> None:
    fig = plots.learning_curves(two_curves(), title="t")
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [1, 2, 3, 4])
    bottom, top = ax.get_ylim()
    assert bottom == 0.0
    assert 41.0 <= top <= 41.0 * 1.1


def test_learning_curves_without_reference_draw_only_the_curves() -> None:
    fig = plots.learning_curves(two_curves(), x=[2, 3, 4, 5], title="t")
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2
    np.testing.assert_array_equal(lines[1].get_xdata(), [2, 3, 4, 5])


def test_learning_curves_log_scale() -> None:
    fig = plots.learning_curves(two_curves(), title="t", log_y=True, reference=14)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert ax.get_ylim()[0] > 0
    assert "reference: 14" in texts_of(fig)


def test_learning_curves_labels_that_end_together_do_not_overlap() -> None:
    curves = {name: band([50, 20, 14]) for name in ("a", "b", "c")}
    fig = plots.learning_curves(curves, title="t", reference=14)
    heights = sorted(text.xyann[1] for text in fig.axes[0].texts)
    assert len(heights) == 4
    assert min(np.diff(heights)) > 0.02


def test_learning_curves_skip_missing_episodes_when_labelling() -> None:
    mean, low, high = band([30, 20, np.nan])
    fig = plots.learning_curves({"unfinished": (mean, low, high)}, title="t")
    assert texts_of(fig) == ["unfinished"]


@pytest.mark.parametrize(
    "curves, x",
    [
        ({}, None),
        ({"a": (np.ones(3), np.ones(2), np.ones(3))}, None),
        ({"a": band([1, 2, 3])}, [1, 2]),
    ],
)
def test_learning_curves_refuse_bad_shapes(curves: dict, x: list | None) -> None:
    with pytest.raises(ValueError):
        plots.learning_curves(curves, x=x, title="t")


# --- cumulative_reward (Figs. 8.4, 8.5) ----------------------------------------------------


def test_cumulative_reward_marks_each_world_change() -> None:
    steps = np.arange(0, 3000, 100)
    curves = {
        "Dyna-Q+": band(list(steps / 20.0)),
        "Dyna-Q": band(list(steps / 25.0)),
        "Q-learning": band(list(steps / 60.0)),
    }
    fig = plots.cumulative_reward(
        curves, steps, changes=[1000, 2000], title="Blocking maze: cumulative reward, 20 runs"
    )
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 3 + 2
    assert len(bands_of(fig)) == 3
    vertical = [line for line in ax.get_lines() if line.get_label().startswith("_")]
    assert sorted(line.get_xdata()[0] for line in vertical) == [1000, 2000]
    assert texts_of(fig).count("world changes") == 2
    assert {"Dyna-Q+", "Dyna-Q", "Q-learning"} <= set(texts_of(fig))
    assert "20 runs" in fig.get_suptitle()
    assert ax.get_xlabel() == "time steps"
    assert ax.get_ylabel() == "cumulative reward"


def test_cumulative_reward_refuses_steps_of_another_length() -> None:
    with pytest.raises(ValueError, match="x has 2"):
        plots.cumulative_reward({"a": band([0, 1, 2])}, np.arange(2), changes=[], title="t")
