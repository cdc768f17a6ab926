"""A comparison's, a JAX comparison's or a trade-off's summary as a grid of text: what its
table shows.

The terminal table (:mod:`dynalab.cli.tables`) and the HTML report (:mod:`dynalab.report`)
draw the same :class:`Grid`, so the page and the terminal show the same rows and the same
digits: each cell a mean with its 95% interval, ``mean [low, high]``. Pure functions over
the ``summary.json`` dicts of :mod:`dynalab.experiments.compare` and
:mod:`dynalab.experiments.tradeoff`; no statistics are computed here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from dynalab.analysis.stats import Estimate


@dataclass(frozen=True)
class Grid:
    """A table as text: a title, the column names, the rows (the first cell of each
    names the row, the others are numbers) and a caption (lines under the table)."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str


def estimate_text(entry: dict | None) -> str:
    """``mean [low, high]`` from a summary estimate (or a dash when there is none:
    no entry, or a mean that is ``None`` in JSON or nan in memory)."""
    if not entry or entry.get("mean") is None or math.isnan(entry["mean"]):
        return "-"
    return str(Estimate(entry["mean"], _or_nan(entry["low"]), _or_nan(entry["high"]), entry["n"]))


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else value


def summary_grid(summary: dict) -> Grid | None:
    """The grid of any summary that has one: a sweep's (``tuned``), a JAX comparison's
    (``eval_every``), a
    comparison's (``agents``, as written by compare and by the reproductions and studies
    built on one) or a trade-off's (``rows``); None for the others."""
    if "tuned" in summary:
        return sweep_grid(summary)
    if "eval_every" in summary:
        return neural_grid(summary)
    if "agents" in summary:
        return comparison_grid(summary)
    if "rows" in summary:
        return tradeoff_grid(summary)
    return None


def sweep_grid(summary: dict) -> Grid:
    """A sweep (:func:`dynalab.experiments.sweep.run.summarize_sweep`): per world and
    agent, the best setting, its tuning score and its score again at fresh seeds."""
    rows = []
    measures = []
    k = 0
    for world, agents in summary["tuned"].items():
        for agent, best in agents.items():
            rows.append(
                (
                    f"{agent} on {world}",
                    best["spec"],
                    estimate_text(best["tuning_score"]),
                    estimate_text(best["fresh_score"]),
                    str(best["settings_tried"]),
                    f"{best['expected_best_of_k']:.4g}",
                )
            )
            k = best["k"]
        measures.append(f"score on {world}: {summary['score'][world]['measure']}")
    return Grid(
        title="Each agent's best setting, and its score again at fresh seeds",
        header=(
            "agent",
            "best setting",
            "tuning score",
            "fresh seeds",
            "settings tried",
            f"expected best of {k}",
        ),
        rows=tuple(rows),
        caption="\n".join(
            [
                *measures,
                f"expected best of {k}: the mean score of the best of {k} settings drawn at "
                "random from the agent's grid (an equal tuning budget)",
            ]
        ),
    )


def neural_grid(summary: dict) -> Grid:
    """A comparison of the JAX agents (:func:`dynalab.experiments.neural.summarize_neural`):
    one column per agent, mean [95% CI] over runs."""
    agents = summary["agents"]
    runs = summary["runs"]
    measures: list[tuple[str, Callable[[dict], str]]] = []
    solved = summary.get("solved_return")
    if solved is not None:
        measures.append(
            (
                f"real steps to return {solved:g}",
                lambda e: (
                    f"{estimate_text(e.get('steps_to_solved'))} ({e['solved_runs']}/{runs} runs)"
                ),
            )
        )
    measures.append(("final evaluation return", _cell("final_eval_return")))
    measures.append(("mean evaluation return (area)", _cell("mean_eval_return")))
    first = next(iter(agents.values()), {})
    if "final_greedy_value" in first:
        measures.append(("true value of the greedy policy", _cell("final_greedy_value")))
        if any("final_policy_value" in entry for entry in agents.values()):
            measures.append(("true value of the actor's policy", _cell("final_policy_value")))
        measures.append(("belief gap (believed - true)", _cell("final_belief_gap")))
    if len(agents) > 1:
        measures.append((f"P(better than {next(iter(agents))}, on the area)", _p_better))
    measures.append(("wall s per run", lambda e: f"{e['wall_s_per_run']:.1f}"))
    return Grid(
        title=f"{summary['world']}: mean [95% CI] over {runs} runs, "
        f"{summary['steps']:,} real steps each",
        header=("measure", *agents),
        rows=tuple((name, *(cell(entry) for entry in agents.values())) for name, cell in measures),
        caption="",
    )


def _p_better(entry: dict) -> str:
    return estimate_text(entry["p_better_than_first"]) if "p_better_than_first" in entry else "-"


def tradeoff_grid(summary: dict) -> Grid:
    """The trade-off: one row per agent, each cell a mean and its 95% CI."""
    runs = summary["runs"]
    rows = tuple(
        (
            row["label"],
            f"{estimate_text(row['real_steps_to_near_optimal'])} ({row['solved_runs']}/{runs})",
            estimate_text(row["planning_updates"]),
            estimate_text(row["wall_time_s"]),
        )
        for row in summary["rows"]
    )
    return Grid(
        title=(
            f"{summary['world']}: mean [95% CI] over {runs} runs of "
            f"{summary['budget']['episodes']} episodes"
        ),
        header=(
            "agent",
            "real steps to near-optimal (k/n)",
            "planning updates per run",
            "wall s per run",
        ),
        rows=rows,
        caption=(
            f"near-optimal: {summary['near_optimal']}; steps over the (k/n) runs that got there"
        ),
    )


def comparison_grid(summary: dict) -> Grid:
    """A comparison: one column per agent, one row per measure, each cell a mean and its
    95% CI across runs."""
    budget = summary["budget"]
    runs = summary["runs"]
    agents = summary["agents"]
    measures: list[tuple[str, Callable[[dict], str]]] = []
    first = next(iter(agents.values()), {})
    if "episodes" in budget:
        for episode in _shown_episodes(list(first.get("steps_at_episode", {}))):
            measures.append((f"steps in episode {episode}", _cell("steps_at_episode", episode)))
        if summary.get("near_optimal") is not None:
            measures.append(("episodes to near-optimal", _solved_cell(runs)))
            measures.append(("real steps to near-optimal", _cell("real_steps_to_near_optimal")))
        measures.append(("mean steps per episode", _cell("area_under_curve")))
    else:
        for step in first.get("cumulative_reward_at_change", {}):
            measures.append(
                (f"reward by step {step} (change)", _cell("cumulative_reward_at_change", step))
            )
        measures.append((f"reward by step {budget['steps']}", _cell("cumulative_reward")))
    measures.append(("planning updates", _cell("planning_updates")))
    measures.append(("wall time per run (s)", _cell("wall_time_s")))
    if _has_improvement(summary):
        measures.append(
            (f"P(better than {summary['baseline']})", _cell("probability_of_improvement"))
        )
    return Grid(
        title=f"{summary['world']}: mean [95% CI] over {runs} runs",
        header=("measure", *agents),
        rows=tuple((name, *(cell(entry) for entry in agents.values())) for name, cell in measures),
        caption=_caption(summary),
    )


def _cell(key: str, inner: str | None = None) -> Callable[[dict], str]:
    def text(entry: dict) -> str:
        value = entry.get(key)
        if inner is not None and value is not None:
            value = value.get(inner)
        return estimate_text(value)

    return text


def _solved_cell(runs: int) -> Callable[[dict], str]:
    def text(entry: dict) -> str:
        solved = entry.get("solved_runs", 0)
        return f"{estimate_text(entry.get('episodes_to_near_optimal'))} ({solved}/{runs} runs)"

    return text


def _shown_episodes(reported: list[str]) -> list[str]:
    """A few columns: episodes 1, 2, 3, 5, 10 and the last one, as far as the budget goes."""
    keep = [e for e in reported if e in {"1", "2", "3", "5", "10"}]
    if reported and reported[-1] not in keep:
        keep.append(reported[-1])
    return keep


def _has_improvement(summary: dict) -> bool:
    """Whether any agent is compared with a baseline (not so when the baseline is alone)."""
    return any("probability_of_improvement" in e for e in summary["agents"].values())


def _caption(summary: dict) -> str:
    parts = []
    if summary.get("near_optimal"):
        parts.append(f"near-optimal: {summary['near_optimal']}; (k/n) runs got there")
    if _has_improvement(summary):
        measure = next(
            e["probability_of_improvement"]["measure"]
            for e in summary["agents"].values()
            if "probability_of_improvement" in e
        )
        parts.append(f"P(better): probability a run beats a baseline run on {measure}")
    return "\n".join(parts)
