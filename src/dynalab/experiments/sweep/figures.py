"""A sweep's sensitivity curves: each agent's score against each hyper-parameter.

For each world, agent and hyper-parameter the agent varies over numbers, one figure:
the mean score with its 95% band against the parameter's values, one line per setting
of the agent's other varied parameters (the curve a reader scans for how touchy an
agent is; Sutton & Barto draw Fig. 6.3's the same way). A parameter varied over words
(``model = ["deterministic", "counts"]``) gets no curve.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dynalab.experiments.sweep.file import SweepSpec


def _numeric(values: Sequence[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def sensitivity_figures(sweep: SweepSpec, summary: dict[str, Any]) -> dict[str, Any]:
    """``{file name: figure}``: ``sensitivity-WORLD-AGENT-KEY.png`` per world, agent and
    numeric axis with at least two values."""
    from dynalab import plots

    figures = {}
    for world in sweep.worlds:
        score = summary["score"].get(world)
        if score is None:
            continue
        for grid in sweep.agents:
            varied = [(key, values) for key, values in grid.axes if len(values) > 1]
            for key, values in varied:
                if not _numeric(values):
                    continue
                others = [(k, v) for k, v in varied if k != key]
                curves = _curves(summary, world, grid.name, key, sorted(values), others)
                figures[f"sensitivity-{_name(world)}-{_name(grid.name)}-{key}.png"] = (
                    plots.learning_curves(
                        curves,
                        x=np.array(sorted(values), dtype=float),
                        title=f"{grid.name} on {world}: score against {key} "
                        f"({sweep.runs} runs per setting)\nscore: {score['measure']}",
                        xlabel=key,
                        ylabel="score, "
                        + ("lower" if score["lower_is_better"] else "higher")
                        + " is better",
                    )
                )
    return figures


def _curves(
    summary: dict[str, Any],
    world: str,
    agent: str,
    key: str,
    values: list[Any],
    others: list[tuple[str, tuple[Any, ...]]],
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """One band per setting of the other varied keys: (mean, low, high) over ``values``."""
    cells = [c for c in summary["cells"] if c["world"] == world and c["agent"] == agent]
    groups: dict[str, dict[Any, dict]] = {}
    for cell in cells:
        rest = ", ".join(f"{k}={cell['settings'][k]}" for k, _ in others) or agent
        groups.setdefault(rest, {})[cell["settings"][key]] = cell["score"]
    curves = {}
    for label, by_value in groups.items():
        scores = [by_value[value] for value in values]
        curves[label] = tuple(
            np.array([score[part] for score in scores], dtype=float)
            for part in ("mean", "low", "high")
        )
    return curves


def _name(text: str) -> str:
    """A file-name part: letters, digits and dashes."""
    return "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in text).strip("-")
