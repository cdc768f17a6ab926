"""``dynalab bench``'s sweep section: what the sweep engine costs, and what 2 workers buy.

* Overhead per cell: a sweep of tiny cells (Q-learning, 1 run of 1 episode on the Dyna
  maze, a millisecond of work each) timed whole, results and figures included, and
  divided by its cells: in this process (after a first sweep has loaded the compiled
  loops), with a pool of 2 fresh processes (each loads them again), and (with the
  ``ray`` extra) on a local Ray of 2 CPUs, whose start is timed apart.
* Speedup: a sweep of 13 cells of about a second each (Dyna-Q with n = 20..75, 30 runs
  of 40,000 real steps, and the best n again at fresh seeds) with 2 worker processes
  against 1, the workers' start included.

Every sweep runs into a temporary folder; the figures are wall-clock seconds.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

TINY_SWEEP = """\
runs = 1
episodes = 1
worlds = ["dyna-maze"]
[agents.q-learning]
alpha = [{alphas}]
"""
LONG_SWEEP = """\
runs = 30
steps = 40000
worlds = ["dyna-maze"]
[agents.dyna-q]
n = [{sizes}]
"""


def _timed_sweep(text: str, jobs: int, backend: str = "local") -> tuple[float, int]:
    """Seconds to run the sweep ``text`` from scratch, and its cells."""
    from dynalab.experiments.sweep.file import read_sweep_file
    from dynalab.experiments.sweep.folder import prepare_sweep_folder
    from dynalab.experiments.sweep.run import cell_count, run_sweep

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "bench.toml"
        path.write_text(text, encoding="utf-8")
        sweep = read_sweep_file(path)
        folder = Path(scratch) / "out"
        finished = prepare_sweep_folder(folder, sweep, text, force=False)
        started = time.perf_counter()
        run_sweep(sweep, folder, finished, jobs=jobs, backend=backend)
        return time.perf_counter() - started, cell_count(sweep)


def _ray_start_seconds(jobs: int) -> float:
    """Seconds to start and stop the local Ray a sweep starts (its own session code)."""
    from dynalab.experiments.sweep.ray_backend import ray_session

    started = time.perf_counter()
    with ray_session(None, jobs):
        pass
    return time.perf_counter() - started


def sweep_benchmark(quick: bool = False, say: object = None) -> dict[str, float]:
    """The sweep figures (module docstring). ``quick``: fewer, shorter cells and no Ray."""
    tiny_cells = 4 if quick else 40
    alphas = ", ".join(str(round((i + 1) / tiny_cells, 4)) for i in range(tiny_cells))
    tiny = TINY_SWEEP.format(alphas=alphas)
    results: dict[str, float] = {}
    if say is not None:
        say("sweep overhead per tiny cell")
    _timed_sweep(tiny, 1)  # this process loads the compiled loops and matplotlib once
    for jobs in (1, 2):
        seconds, cells = _timed_sweep(tiny, jobs)
        results[f"local_{jobs}_jobs_s_per_tiny_cell"] = seconds / cells
    try:
        import ray  # noqa: F401
    except ImportError:
        ray_installed = False
    else:
        ray_installed = True
    if ray_installed and not quick:
        results["ray_start_s"] = _ray_start_seconds(2)
        seconds, cells = _timed_sweep(tiny, 2, backend="ray")
        results["ray_2_cpus_s_per_tiny_cell"] = (seconds - results["ray_start_s"]) / cells
    if say is not None:
        say("sweep speedup with 2 workers")
    sizes = "5, 10" if quick else ", ".join(str(n) for n in range(20, 80, 5))
    long = LONG_SWEEP.format(sizes=sizes)
    if quick:
        long = long.replace("runs = 30", "runs = 2").replace("steps = 40000", "steps = 500")
    one, cells = _timed_sweep(long, 1)
    two, _ = _timed_sweep(long, 2)
    results["long_cells"] = cells
    results["long_s_per_cell_1_job"] = one / cells
    results["long_speedup_2_jobs"] = one / two
    return results
