"""Fills numba's cache with every compiled loop before the tests start, several at once.

A fresh checkout has an empty cache, and each kind of compiled loop takes a minute to
compile; the first test to use a kind would pay for it alone, one kind after another.
Here one tiny run per kind goes to a pool of processes (one per core, spawned), so the
kinds compile side by side and every test then loads them from the cache. A speed-up
only: if anything goes wrong here, the tests compile what they need as before.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

WARM_SPECS = (
    "q-learning",
    "dyna-q",
    "dyna-q:model=counts",
    "dyna-q:sampling=on-policy",
    "prioritized-sweeping",
    "model-vi",
    "mcts",
    "dyna-q:model=aggregate",
    "dyna-q:ensemble=3,model=counts",
)
"""One agent per compiled kind (``tests/test_numba_cache.py`` checks that every kind is
here)."""


def compile_kind(spec: str) -> str:
    """One tiny run of ``spec`` on the Dyna maze, compiled (or loaded) from the cache."""
    from dynalab.envs.builtin import dyna_maze
    from dynalab.run.runner import run_agent
    from dynalab.specs.agents import parse_agent_spec

    run_agent(dyna_maze().to_mdp(), parse_agent_spec(spec), episodes=1, runs=1)
    return spec


def pytest_sessionstart(session: object) -> None:
    if os.environ.get("NUMBA_DISABLE_JIT") == "1":
        return
    workers = max(1, min(len(WARM_SPECS), os.cpu_count() or 1))
    if workers < 2:
        return  # nothing to gain: the tests compile as they go
    try:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            list(pool.map(compile_kind, WARM_SPECS))
    except Exception as error:  # noqa: BLE001 - an optimisation must not stop the tests
        print(f"conftest: warming numba's cache failed ({error}); tests compile as they go")
