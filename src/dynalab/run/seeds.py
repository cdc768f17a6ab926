"""Where a run's randomness comes from: (seed, run index) alone.

Run ``i`` of a batch draws from ``SeedSequence(seed).spawn(runs)[i]``, so its numbers do
not depend on how many runs, threads, jobs or which path (compiled or step by step) ran it.
Three streams derive from it: the agent's (:func:`make_rng`), the world's
(:func:`world_rng`) and the model corruption's (:func:`corruption_rng`).
"""

from __future__ import annotations

import numpy as np


def run_seeds(seed: int, runs: int) -> list[np.random.SeedSequence]:
    """The per-run seed sequences: run ``i``'s stream is fixed by (seed, i) alone."""
    return np.random.SeedSequence(seed).spawn(runs)


def make_rng(seed_sequence: np.random.SeedSequence) -> np.random.Generator:
    """The generator a run draws from inside compiled code (SFC64: fast, good quality)."""
    return np.random.Generator(np.random.SFC64(seed_sequence))


def world_seed(seed_sequence: np.random.SeedSequence) -> int:
    """The seed a run gives its world: ``env.reset(seed=)`` on the step-by-step path."""
    return int(seed_sequence.generate_state(1)[0])


def world_rng(seed_sequence: np.random.SeedSequence) -> np.random.Generator:
    """The stream a run's world draws its starts and outcomes from, kept apart from the
    agent's: the generator Gymnasium's ``reset(seed=world_seed(...))`` makes (PCG64 on
    ``SeedSequence(seed)``). The compiled loop and a ``TabularEnv`` stepped by the
    step-by-step loop therefore see the same starts and outcomes, and, the agent's own
    draws being the same too, give identical numbers. Every agent of a comparison meets
    the same world draws in its run ``i`` (common random numbers)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(world_seed(seed_sequence))))


CORRUPTION_STREAM = 7919


def corruption_rng(seed_sequence: np.random.SeedSequence) -> np.random.Generator:
    """A run's second, independent stream, for drawing its model's corruption: derived
    from the run's seed sequence without spawning, so it is the same on every call."""
    child = np.random.SeedSequence(
        seed_sequence.entropy, spawn_key=(*seed_sequence.spawn_key, CORRUPTION_STREAM)
    )
    return np.random.default_rng(child)
