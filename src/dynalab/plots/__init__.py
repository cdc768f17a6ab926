"""Figures of the chapter-8 experiments: numbers in, a matplotlib ``Figure`` out.

Every function here takes numbers that were already computed (means and the bounds of
their 95% confidence intervals, values and greedy actions) and only draws them; no
function computes a statistic, so what a figure shows is exactly what the tables print.
Figures are built as :class:`matplotlib.figure.Figure` objects, never through pyplot, so
drawing keeps no global state and works without a display and from any thread.

Readability rules kept by all of them: the title (the caller's, as the figure's suptitle)
says what is measured and over how many runs, axes say their units, lines are labelled
at their right end in their own colour (no legend hunt), and bands are 95% intervals.
:func:`save_figure` writes a PNG atomically, so a run folder never holds half a picture.

The modules, one job each: :mod:`~dynalab.plots.curves` (learning curves, cumulative
reward), :mod:`~dynalab.plots.maze` (maze maps of values and greedy actions),
:mod:`~dynalab.plots.frontier_chart` (trade-off charts with error bars both ways),
:mod:`~dynalab.plots.labels` (labels beside the axes), :mod:`~dynalab.plots.style`
(the shared look) and :mod:`~dynalab.plots.save` (writing PNGs).
"""

from dynalab.plots.curves import cumulative_reward, learning_curves
from dynalab.plots.frontier_chart import frontier
from dynalab.plots.maze import maze_policies_side_by_side, maze_policy
from dynalab.plots.save import save_figure
from dynalab.plots.style import SWAMP_COLOR, SWAMP_HATCH

__all__ = [
    "SWAMP_COLOR",
    "SWAMP_HATCH",
    "cumulative_reward",
    "frontier",
    "learning_curves",
    "maze_policies_side_by_side",
    "maze_policy",
    "save_figure",
]
