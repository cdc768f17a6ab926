"""The tables the commands print: summaries in, rich tables out (no statistics computed here)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:
    from dynalab.agents.registry import AgentEntry
    from dynalab.claims.claim import Reproduction


def tradeoff_table(summary: dict) -> Table:
    """The printed trade-off: one row per agent, each cell a mean and its 95% CI."""
    runs = summary["runs"]
    table = Table(
        title=(
            f"{summary['world']}: mean [95% CI] over {runs} runs of "
            f"{summary['budget']['episodes']} episodes"
        ),
        caption=(
            f"near-optimal: {summary['near_optimal']}; steps over the (k/n) runs that got there"
        ),
    )
    longest = max((len(row["label"]) for row in summary["rows"]), default=5)
    table.add_column("agent", style="bold", no_wrap=True, min_width=longest)
    table.add_column("real steps to near-optimal (k/n)", justify="right")
    table.add_column("planning updates per run", justify="right")
    table.add_column("wall s per run", justify="right")
    for row in summary["rows"]:
        table.add_row(
            row["label"],
            f"{estimate_text(row['real_steps_to_near_optimal'])} ({row['solved_runs']}/{runs})",
            estimate_text(row["planning_updates"]),
            estimate_text(row["wall_time_s"]),
        )
    return table


def estimate_text(entry: dict | None) -> str:
    """``mean [low, high]`` from a summary estimate (or a dash when there is none:
    no entry, or a mean that is ``None`` in JSON or nan in memory)."""
    from dynalab.analysis.stats import Estimate

    if not entry or entry.get("mean") is None or math.isnan(entry["mean"]):
        return "-"
    return str(Estimate(entry["mean"], _or_nan(entry["low"]), _or_nan(entry["high"]), entry["n"]))


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else value


def summary_table(summary: dict) -> Table:
    """The printed table of a comparison: one column per agent, one row per measure,
    each cell a mean and its 95% CI across runs."""
    budget = summary["budget"]
    runs = summary["runs"]
    agents = summary["agents"]
    table = Table(
        title=f"{summary['world']}: mean [95% CI] over {runs} runs",
        caption=_caption(summary),
    )
    table.add_column("measure", style="bold")
    for label in agents:
        table.add_column(label, justify="right")
    rows: list[tuple[str, Callable[[dict], str]]] = []
    first = next(iter(agents.values()))
    if "episodes" in budget:
        for episode in _shown_episodes(list(first["steps_at_episode"])):
            rows.append((f"steps in episode {episode}", _cell("steps_at_episode", episode)))
        if summary.get("near_optimal") is not None:
            rows.append(("episodes to near-optimal", _solved_cell(runs)))
            rows.append(("real steps to near-optimal", _cell("real_steps_to_near_optimal")))
        rows.append(("mean steps per episode", _cell("area_under_curve")))
    else:
        for step in first["cumulative_reward_at_change"]:
            rows.append(
                (f"reward by step {step} (change)", _cell("cumulative_reward_at_change", step))
            )
        rows.append((f"reward by step {budget['steps']}", _cell("cumulative_reward")))
    rows.append(("planning updates", _cell("planning_updates")))
    rows.append(("wall time per run (s)", _cell("wall_time_s")))
    if _has_improvement(summary):
        rows.append((f"P(better than {summary['baseline']})", _cell("probability_of_improvement")))
    for name, cell in rows:
        table.add_row(name, *(cell(entry) for entry in agents.values()))
    return table


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
        agents = summary["agents"]
        measure = next(
            (
                e["probability_of_improvement"]["measure"]
                for e in agents.values()
                if "probability_of_improvement" in e
            ),
            "",
        )
        parts.append(f"P(better): probability a run beats a baseline run on {measure}")
    return "\n".join(parts)


def bench_table(measured: dict, jobs: int) -> Table:
    table = Table(title="dynalab bench (Dyna maze, one thread unless said)")
    table.add_column("measure", style="bold")
    table.add_column("value", justify="right")
    compile_times = measured["compile"]
    table.add_row(
        "first run, empty numba cache (compile)", f"{compile_times['cold_compile_s']:.2f} s"
    )
    table.add_row("first run, cached", f"{compile_times['cached_first_run_s']:.2f} s")
    for label, numbers in measured["throughput"].items():
        table.add_row(
            f"{label}: compiled", f"{numbers['compiled_updates_per_s'] / 1e6:.1f} M updates/s"
        )
        table.add_row(
            f"{label}: plain Python",
            f"{numbers['plain_python_updates_per_s'] / 1e6:.3f} M updates/s",
        )
        table.add_row(f"{label}: speed-up", f"{numbers['speedup']:.0f}x")
    for label, numbers in measured.get("planners", {}).items():
        table.add_row(
            f"{label}: compiled",
            f"{numbers['updates_per_s'] / 1e6:.1f} M updates/s "
            f"({numbers['updates_per_real_step']:.0f} per real step)",
        )
    fig = measured["fig8.2"]
    table.add_row(
        "Fig. 8.2 (30 runs x 50 episodes x n=0,5,50), 1 job", f"{fig['seconds_1_job']:.3f} s"
    )
    table.add_row(f"Fig. 8.2, {jobs} jobs", f"{fig[f'seconds_{jobs}_jobs']:.3f} s")
    return table


def claims_table(command: str, registry: Mapping[str, Reproduction]) -> Table:
    """The reproductions or studies ``dynalab COMMAND --list`` shows."""
    table = Table(title=f"dynalab {command} NAME")
    table.add_column("NAME", style="bold")
    table.add_column("experiment")
    table.add_column("settings")
    for entry in registry.values():
        table.add_row(entry.name, entry.title, entry.settings)
    return table


def envs_table(forms: Iterable[tuple[str, str]]) -> Table:
    """The env SPEC forms, each with its one line of description."""
    table = Table(title="env SPECs")
    table.add_column("SPEC", style="bold")
    table.add_column("world")
    for form, description in forms:
        table.add_row(form, description)
    return table


def agents_table(entries: Iterable[AgentEntry]) -> Table:
    """Every registered agent, then each of its keys with its default and help."""
    table = Table(title="agents: NAME[:key=value,...]")
    table.add_column("NAME", style="bold")
    table.add_column("key", style="bold")
    table.add_column("default")
    table.add_column("what it is")
    for entry in entries:
        table.add_row(entry.name, "", "", entry.help, end_section=not entry.keys)
        for index, key in enumerate(entry.keys):
            last = index == len(entry.keys) - 1
            table.add_row("", key.name, str(entry.default(key)), key.help, end_section=last)
    return table
