"""A sweep's cells: one (world, agent setting) with its runs, its seed from its identity.

A cell's identity is its world spec and its agent spec (keys sorted), and nothing about
where or when it runs: its seed is drawn from ``SeedSequence([sweep seed, hash of the
identity])``, so a cell gives the same numbers on any backend, worker or order, and
adding a cell to a sweep changes no other cell's numbers. Run ``i`` of a cell uses the
cell's seed as ``dynalab compare`` uses its ``--seed`` (run ``i`` draws from
``(seed, i)``).

A cell's result is plain data (a dict of lists), so it can cross process and machine
boundaries and be written as JSON: per run, the score the comparison tables use
(:func:`dynalab.experiments.compare.run_scores`), and a few budget measures.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from dynalab.experiments.sweep.file import SweepSpec, spec_text


@dataclass(frozen=True)
class Cell:
    """One world x agent setting of a sweep, with the sweep's runs and budget."""

    world: str
    agent: str
    settings: tuple[tuple[str, Any], ...]
    runs: int
    episodes: int | None
    steps: int | None
    sweep_seed: int
    stage: str = "tuning"
    """``tuning`` (the grid) or ``evaluation`` (an agent's best setting again, at fresh
    seeds: the maximum of noisy tuning scores is biased upward, so the comparison of
    tuned agents is measured on runs that took no part in choosing them)."""

    @property
    def spec(self) -> str:
        """The agent spec string, keys sorted: how the cell's agent is labelled."""
        return spec_text(self.agent, dict(self.settings))

    @property
    def identity(self) -> str:
        """What the cell is: world and agent spec (not its budget or runs)."""
        return f"{self.world} | {self.spec}"

    @property
    def key(self) -> str:
        """A file-name-safe digest of the identity and stage."""
        text = self.identity if self.stage == "tuning" else f"{self.identity} | {self.stage}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]

    @property
    def seed(self) -> int:
        """The cell's seed, from the sweep's seed, the cell's identity and its stage
        alone (evaluation seeds are a stream of their own)."""
        digest = int(hashlib.sha256(self.identity.encode("utf-8")).hexdigest()[:16], 16)
        entropy = [self.sweep_seed, digest & 0xFFFFFFFF, digest >> 32]
        if self.stage != "tuning":
            entropy.append(1)
        return int(np.random.SeedSequence(entropy).generate_state(1)[0])


def sweep_cells(sweep: SweepSpec) -> list[Cell]:
    """Every cell of ``sweep``: worlds in file order, then agents, then their grids."""
    return [
        Cell(
            world=world,
            agent=grid.name,
            settings=tuple(settings.items()),
            runs=sweep.runs,
            episodes=sweep.episodes,
            steps=sweep.steps,
            sweep_seed=sweep.seed,
        )
        for world in sweep.worlds
        for grid in sweep.agents
        for settings in grid.settings()
    ]


def run_cell(cell: Cell) -> dict[str, Any]:
    """Run a cell's runs and return its result as plain data: identity, stage, seed,
    per-run ``score`` with its meaning and direction, per-run real steps and planning
    updates in total (empty for the jax agents), and wall time. Tabular cells run on
    one thread (the sweep spreads cells, not runs); a jax agent's runs are one
    compiled program (:func:`dynalab.experiments.neural.run_neural_comparison`)."""
    from dynalab.specs.agents import AgentSpec, parse_agent_spec
    from dynalab.specs.worlds import parse_env_spec

    started = time.perf_counter()
    world = parse_env_spec(cell.world, option="worlds")
    agent = AgentSpec(cell.spec, parse_agent_spec(cell.spec))
    if agent.config.backend == "tabular":
        measured = _tabular_scores(cell, world, agent)
    else:
        measured = _neural_scores(cell, world, agent)
    return {
        "identity": cell.identity,
        "stage": cell.stage,
        "world": cell.world,
        "agent": cell.agent,
        "spec": cell.spec,
        "settings": dict(cell.settings),
        "seed": cell.seed,
        "runs": cell.runs,
        "episodes": cell.episodes,
        "steps": cell.steps,
        **measured,
        "wall_s": time.perf_counter() - started,
    }


def _tabular_scores(cell: Cell, world: Any, agent: Any) -> dict[str, Any]:
    """The comparison table's per-run measure (:func:`dynalab.experiments.compare.run_scores`)."""
    from dynalab.experiments.compare import improvement_measure, run_comparison, run_scores

    comparison = run_comparison(
        world,
        [agent],
        episodes=cell.episodes,
        steps=cell.steps,
        runs=cell.runs,
        seed=cell.seed,
        jobs=1,
    )
    result = comparison.results[0]
    scores, lower_is_better = run_scores(comparison, result)
    return {
        "score_measure": improvement_measure(comparison),
        "lower_is_better": lower_is_better,
        "score": [float(value) for value in scores],
        "real_steps": [int(value) for value in result.total_real_steps],
        "planning_updates": [int(value) for value in result.total_planning_updates],
    }


def _neural_scores(cell: Cell, world: Any, agent: Any) -> dict[str, Any]:
    """Per run, the mean greedy evaluation return over the run's evaluations (the area
    under its learning curve, as the neural comparison's summary)."""
    from dynalab.experiments.neural import run_neural_comparison

    comparison = run_neural_comparison(
        world, [agent], steps=cell.steps, runs=cell.runs, seed=cell.seed
    )
    returns = comparison.metrics[0]["eval_return"]
    return {
        "score_measure": "mean evaluation return over the run's evaluations (higher is better)",
        "lower_is_better": False,
        "score": [float(value) for value in returns.mean(axis=1)],
        "real_steps": [comparison.steps] * cell.runs,
        "planning_updates": [None] * cell.runs,
    }
