"""Claims and what checks them: the shapes every reproduction and study share.

A :class:`Claim` is one sentence (the book's, or a study's), the numbers measured for
it, and whether it held; an :class:`Outcome` is what one experiment produced; a
:class:`Reproduction` is a registered experiment (name, settings, default runs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from matplotlib.figure import Figure

from dynalab.analysis.stats import Estimate
from dynalab.experiments.compare import Comparison
from dynalab.experiments.neural import NeuralComparison


@dataclass(frozen=True)
class Claim:
    """One of the book's claims, what was measured, and whether it held."""

    text: str
    measured: str
    holds: bool

    def line(self) -> str:
        return f"[{'holds' if self.holds else 'fails'}] {self.text}: {self.measured}"

    def to_dict(self) -> dict:
        return {"claim": self.text, "measured": self.measured, "holds": self.holds}


@dataclass
class Outcome:
    """What a reproduction produced: claims, figures, and the run-folder contents."""

    claims: list[Claim]
    figures: dict[str, Figure] = field(default_factory=dict)
    comparison: Comparison | None = None
    extra_summary: dict = field(default_factory=dict)
    neural: NeuralComparison | None = None
    """The JAX agents' runs, for a study of them (its ``evals.csv``)."""
    more_neural: list[NeuralComparison] = field(default_factory=list)
    """Runs of the study on other worlds: their rows follow in ``evals.csv`` (their roles
    name the world), their summaries under ``more_worlds``."""


@dataclass(frozen=True)
class Reproduction:
    name: str
    title: str
    settings: str
    runs: int
    run: Callable[[int, int, int, Callable[[int], None]], Outcome]
    progress_units: int = 1
    """Progress ticks per run (one per agent and size the reproduction runs)."""
    command: str = "reproduce"
    """The CLI command that runs it (``reproduce`` or ``study``), recorded in config.json."""
    backend: str = "tabular"
    """``jax`` where it runs the JAX agents (it needs the ``deep`` extra)."""


def interval_below(estimate: Estimate, limit: float) -> bool:
    """The whole interval is at or below ``limit``: a claim of "at most" holds."""
    return bool(estimate.high <= limit)


def interval_above(estimate: Estimate, limit: float) -> bool:
    """The whole interval is above ``limit``: a claim of "more than" holds."""
    return bool(estimate.low > limit)


def estimate_points(x: np.ndarray, estimates: list[Estimate]) -> tuple[np.ndarray, ...]:
    """``plots.frontier`` points for estimates measured at exact x values (no x interval)."""
    x = np.asarray(x, dtype=float)
    return (
        x,
        x,
        x,
        np.array([e.mean for e in estimates]),
        np.array([e.low for e in estimates]),
        np.array([e.high for e in estimates]),
    )
