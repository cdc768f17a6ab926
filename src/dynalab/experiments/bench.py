"""``dynalab bench``: how fast the one implementation runs, compiled and as plain Python.

Every number comes from running the library's own kernels on the built-in Dyna maze:

* compile: the first run in a fresh process with an empty numba cache (cold) and with
  the cache this install already holds (warm);
* throughput: updates per second (real Q-learning updates + planning updates) of one
  run on one thread, compiled, and the same source under ``NUMBA_DISABLE_JIT=1`` in a
  subprocess (the plain-Python reference), with their ratio;
* the planners on the learned model (trajectory sampling, prioritized sweeping, model-vi,
  MCTS): updates per second and real steps per second, compiled;
* the whole Fig. 8.2 experiment (30 runs x 50 episodes x n in {0, 5, 50}), once
  compiled, on one thread and on all requested jobs;
* with the ``deep`` extra, the JAX agents on CartPole (:mod:`dynalab.experiments.bench_neural`)
  and dreamer on the pixel maze (:mod:`dynalab.experiments.bench_dreamer`);
* the sweep engine: overhead per cell and the speedup of 2 workers
  (:mod:`dynalab.experiments.bench_sweep`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from dynalab.agents.config import AgentConfig, dyna_q, q_learning
from dynalab.agents.registry import REGISTRY
from dynalab.envs.builtin import dyna_maze
from dynalab.run.runner import run_agent
from dynalab.specs.agents import parse_agent_spec

FIG_8_2_AGENTS = (0, 5, 50)

PLANNER_VARIANTS = ("dyna-q:sampling=on-policy", "prioritized-sweeping:model=counts")
"""Settings measured besides each planning agent's defaults."""

PLANNER_SECONDS = 0.5
"""Rough wall time of each planner's measurement; its real-step budget is sized to it."""


def planner_specs() -> list[str]:
    """The planners ``dynalab bench`` measures: every registered agent that plans, at its
    defaults, then :data:`PLANNER_VARIANTS`. Updates are real steps plus planning
    updates (queue pops, value-iteration backups, or simulated MCTS steps)."""
    planning = [name for name, entry in REGISTRY.items() if entry.budget_key is not None]
    return planning + list(PLANNER_VARIANTS)


def sized_steps(agent: AgentConfig, seconds: float) -> int:
    """A real-step budget that takes about ``seconds`` for ``agent`` on the Dyna maze."""
    probe = 2_000
    world = dyna_maze().to_mdp()
    run_agent(world, agent, steps=10, evaluate=False, record_every=0)
    started = time.perf_counter()
    run_agent(world, agent, steps=probe, evaluate=False, record_every=0)
    per_step = max(time.perf_counter() - started, 1e-9) / probe
    return int(min(2_000_000, max(probe, seconds / per_step)))


_THROUGHPUT_SCRIPT = """
import json, time
from dynalab.agents.config import AgentConfig
from dynalab.envs.builtin import dyna_maze
from dynalab.run.runner import run_agent
world = dyna_maze().to_mdp()
agent = AgentConfig(**json.loads({agent!r}))
run_agent(world, agent, steps=10, evaluate=False, record_every=0)
started = time.perf_counter()
result = run_agent(world, agent, steps={steps}, evaluate=False, record_every=0)
elapsed = time.perf_counter() - started
updates = int(result.total_real_steps.sum() + result.total_planning_updates.sum())
print(json.dumps({{"updates": updates, "seconds": elapsed}}))
"""

_FIRST_RUN_SCRIPT = """
import json, time
started = time.perf_counter()
from dynalab.agents.config import dyna_q
from dynalab.envs.builtin import dyna_maze
from dynalab.run.runner import run_agent
imported = time.perf_counter()
run_agent(dyna_maze().to_mdp(), dyna_q(5), episodes=1, runs=1)
print(json.dumps({"import": imported - started, "first_run": time.perf_counter() - imported}))
"""


def _python_json(script: str, extra_env: dict[str, str]) -> dict:
    """Run a Python snippet in a fresh interpreter and read the JSON it prints."""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, **extra_env},
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def compile_times(cold: bool = True) -> dict[str, float | None]:
    """Seconds for the first Dyna-Q run in a fresh process: cold cache (None when not
    ``cold``: it compiles every kernel, over a minute) and warm cache."""
    _python_json(_FIRST_RUN_SCRIPT, {})  # make sure this install's cache is filled
    cold_s = None
    if cold:
        with tempfile.TemporaryDirectory() as empty_cache:
            cold_s = _python_json(_FIRST_RUN_SCRIPT, {"NUMBA_CACHE_DIR": empty_cache})["first_run"]
    warm = _python_json(_FIRST_RUN_SCRIPT, {})
    return {"cold_compile_s": cold_s, "cached_first_run_s": warm["first_run"]}


def compiled_throughput(agent: AgentConfig, steps: int, repeats: int = 5) -> dict[str, float]:
    """Updates per second of one compiled run (best of ``repeats``: on a shared machine
    single timings of the same run vary by up to a fifth), on one thread."""
    world = dyna_maze().to_mdp()
    run_agent(world, agent, steps=10, evaluate=False, record_every=0)
    best = float("inf")
    updates = 0
    for _ in range(repeats):
        started = time.perf_counter()
        result = run_agent(world, agent, steps=steps, evaluate=False, record_every=0)
        best = min(best, time.perf_counter() - started)
        updates = int(result.total_real_steps.sum() + result.total_planning_updates.sum())
    real = int(result.total_real_steps.sum())
    return {
        "updates": updates,
        "seconds": best,
        "updates_per_s": updates / best,
        "updates_per_real_step": updates / real,
    }


def plain_python_throughput(agent: AgentConfig, steps: int) -> dict[str, float]:
    """Updates per second of the same source run as plain Python (NUMBA_DISABLE_JIT=1)."""
    script = _THROUGHPUT_SCRIPT.format(agent=json.dumps(agent.to_dict()), steps=steps)
    measured = _python_json(script, {"NUMBA_DISABLE_JIT": "1"})
    measured["updates_per_s"] = measured["updates"] / measured["seconds"]
    return measured


def figure_8_2_time(runs: int = 30, episodes: int = 50, jobs: int = 1) -> float:
    """Wall seconds of the whole Fig. 8.2 experiment, compiled code already loaded."""
    world = dyna_maze().to_mdp()
    agents = [q_learning() if n == 0 else dyna_q(n) for n in FIG_8_2_AGENTS]
    for agent in agents:
        run_agent(world, agent, episodes=1, runs=1, evaluate=False)
    started = time.perf_counter()
    for agent in agents:
        run_agent(world, agent, episodes=episodes, runs=runs, jobs=jobs, evaluate=False)
    return time.perf_counter() - started


def run_benchmark(
    jobs: int = 2, quick: bool = False, progress: Callable[[str], None] | None = None
) -> dict:
    """All the bench figures as a JSON-ready dict. ``quick`` shrinks the budgets and
    skips the empty-cache compile (a smoke test, not a measurement)."""
    say = progress or (lambda _: None)
    scale = 10 if quick else 1
    say("compile times")
    results: dict = {"compile": compile_times(cold=not quick)}
    agents = {
        "dyna-q:n=50": (dyna_q(50), 40_000 // scale, 400 // scale),
        "q-learning": (q_learning(), 2_000_000 // scale, 20_000 // scale),
    }
    results["throughput"] = {}
    for label, (agent, compiled_steps, python_steps) in agents.items():
        say(f"throughput of {label}")
        compiled = compiled_throughput(agent, compiled_steps)
        plain = plain_python_throughput(agent, python_steps)
        results["throughput"][label] = {
            "compiled_updates_per_s": compiled["updates_per_s"],
            "plain_python_updates_per_s": plain["updates_per_s"],
            "speedup": compiled["updates_per_s"] / plain["updates_per_s"],
        }
    results["planners"] = {}
    for label in planner_specs():
        say(f"throughput of {label}")
        agent = parse_agent_spec(label)
        measured = compiled_throughput(agent, sized_steps(agent, PLANNER_SECONDS / scale))
        results["planners"][label] = {
            "updates_per_s": measured["updates_per_s"],
            "real_steps_per_s": measured["updates_per_s"] / measured["updates_per_real_step"],
            "updates_per_real_step": measured["updates_per_real_step"],
        }
    say("Fig. 8.2 experiment")
    results["fig8.2"] = {
        "runs": 30,
        "episodes": 50,
        "planning_steps": list(FIG_8_2_AGENTS),
        "seconds_1_job": figure_8_2_time(jobs=1),
        f"seconds_{jobs}_jobs": figure_8_2_time(jobs=jobs),
    }
    from dynalab.experiments.bench_neural import neural_benchmark

    neural = neural_benchmark(quick, say)
    if neural is not None:
        results["neural"] = neural
    from dynalab.experiments.bench_dreamer import dreamer_benchmark

    dreamer = dreamer_benchmark(quick, say)
    if dreamer is not None:
        results["dreamer"] = dreamer
    from dynalab.experiments.bench_sweep import sweep_benchmark

    results["sweep"] = sweep_benchmark(quick, say)
    results["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    return results
