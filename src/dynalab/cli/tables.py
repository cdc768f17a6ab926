"""The tables the commands print: summaries in, rich tables out (no statistics computed here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from rich.table import Table

from dynalab.experiments.summary_grid import Grid, comparison_grid, tradeoff_grid

if TYPE_CHECKING:
    from dynalab.agents.registry import AgentEntry
    from dynalab.claims.claim import Reproduction


def tradeoff_table(summary: dict) -> Table:
    """The printed trade-off: one row per agent, each cell a mean and its 95% CI."""
    grid = tradeoff_grid(summary)
    longest = max((len(row[0]) for row in grid.rows), default=5)
    return grid_table(grid, no_wrap=True, min_width=longest)


def summary_table(summary: dict) -> Table:
    """The printed table of a comparison: one column per agent, one row per measure,
    each cell a mean and its 95% CI across runs."""
    return grid_table(comparison_grid(summary))


def grid_table(grid: Grid, **first_column: object) -> Table:
    """``grid`` as a rich table: the first column bold, the number columns right-aligned."""
    table = Table(title=grid.title, caption=grid.caption)
    first, *numbers = grid.header
    table.add_column(first, style="bold", **first_column)
    for name in numbers:
        table.add_column(name, justify="right")
    for row in grid.rows:
        table.add_row(*row)
    return table


def bench_table(measured: dict, jobs: int) -> Table:
    table = Table(title="dynalab bench (Dyna maze, one thread unless said)")
    table.add_column("measure", style="bold")
    table.add_column("value", justify="right")
    compile_times = measured["compile"]
    cold = compile_times["cold_compile_s"]
    table.add_row(
        "first run, empty numba cache (compile)",
        "skipped (--quick)" if cold is None else f"{cold:.2f} s",
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
    for spec, numbers in measured.get("neural", {}).items():
        runs = numbers["runs"]
        table.add_row(
            f"{spec} on CartPole, 1 run",
            f"{numbers['alone_updates_per_s']:,.0f} gradient updates/s, "
            f"{numbers['alone_env_steps_per_s']:,.0f} env steps/s",
        )
        table.add_row(
            f"{spec}, {runs} runs vmapped on {numbers['devices']} CPU device(s) (summed)",
            f"{numbers['batch_updates_per_s']:,.0f} gradient updates/s, "
            f"{numbers['batch_env_steps_per_s']:,.0f} env steps/s "
            f"({numbers['batch_speedup']:.1f}x one run)",
        )
        table.add_row(
            f"{spec}, 1 run stepping Gymnasium's env from Python",
            f"{numbers['python_env_steps_per_s']:,.0f} env steps/s "
            f"(compiled is {numbers['compiled_over_python']:.0f}x faster)",
        )
        table.add_row(
            f"{spec}: compile (once: every batch runs the same program)",
            f"{numbers['compile_s']:.1f} s",
        )
    dreamer = measured.get("dreamer")
    if dreamer is not None:
        for name, runs in (("alone", 1), ("batch", dreamer["runs"])):
            numbers = dreamer[name]
            where = "1 run" if runs == 1 else f"{runs} runs vmapped (summed)"
            updates = (
                f"; {numbers['model_updates_per_s']:,.1f} world-model and "
                f"{numbers['behavior_updates_per_s']:,.1f} actor-critic updates/s"
                if "model_updates_per_s" in numbers
                else ""
            )
            table.add_row(
                f"{dreamer['spec']} on {dreamer['world']}, {where}",
                f"{numbers['env_steps_per_s']:,.0f} env steps/s "
                f"({numbers['training_steps_per_s']:,.1f} training steps/s){updates}"
                + (f"; compile {numbers['compile_s']:.0f} s" if "compile_s" in numbers else ""),
            )
    sweep = measured.get("sweep", {})
    for backend in ("local_1_jobs", "local_2_jobs", "ray_2_cpus"):
        key = f"{backend}_s_per_tiny_cell"
        if key in sweep:
            table.add_row(
                f"sweep, {backend.replace('_', ' ')}: time per tiny cell",
                f"{sweep[key] * 1000:.0f} ms",
            )
    if "ray_start_s" in sweep:
        table.add_row("sweep: starting a local Ray of 2 CPUs", f"{sweep['ray_start_s']:.1f} s")
    if sweep:
        table.add_row(
            f"sweep of {sweep['long_cells']} cells of {sweep['long_s_per_cell_1_job']:.1f} s: "
            "2 workers against 1",
            f"{sweep['long_speedup_2_jobs']:.2f}x faster",
        )
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
