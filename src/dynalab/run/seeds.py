"""Where a run's randomness comes from: (seed, run index) alone.

Run ``i`` of a batch draws from ``SeedSequence(seed).spawn(runs)[i]``, so its numbers do
not depend on how many runs, threads, jobs or which path (compiled or step by step) ran it.
"""

from __future__ import annotations

import numpy as np


def run_seeds(seed: int, runs: int) -> list[np.random.SeedSequence]:
    """The per-run seed sequences: run ``i``'s stream is fixed by (seed, i) alone."""
    return np.random.SeedSequence(seed).spawn(runs)


def make_rng(seed_sequence: np.random.SeedSequence) -> np.random.Generator:
    """The generator a run draws from inside compiled code (SFC64: fast, good quality)."""
    return np.random.Generator(np.random.SFC64(seed_sequence))


CORRUPTION_STREAM = 7919


def corruption_rng(seed_sequence: np.random.SeedSequence) -> np.random.Generator:
    """A run's second, independent stream, for drawing its model's corruption: derived
    from the run's seed sequence without spawning, so it is the same on every call."""
    child = np.random.SeedSequence(
        seed_sequence.entropy, spawn_key=(*seed_sequence.spawn_key, CORRUPTION_STREAM)
    )
    return np.random.default_rng(child)
