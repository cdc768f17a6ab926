"""The compiled kinds: which loop body a tabular agent runs as.

A kind is a compile-time constant of one compiled loop (``dynalab.run.loop``): numba
treats IntEnum members as constants, so each kind's loop holds only its own branch of the
per-step dispatch (``dynalab.agents.step``), which ends in an explicit branch for every
kind. An agent's registry entry (``dynalab.agents.registry``) says which kinds it runs as.
"""

from __future__ import annotations

from enum import IntEnum


class Kind(IntEnum):
    """One compiled loop body each."""

    MODEL_FREE = 0
    """One-step Q-learning (and Dyna with n = 0)."""
    DYNA = 1
    """Dyna-Q/Dyna-Q+ uniform planning on any model (counts, corruption)."""
    DYNA_ON_POLICY = 2
    """Dyna with trajectory sampling (§8.6)."""
    PRIORITIZED = 3
    """Prioritized sweeping (§8.4)."""
    MODEL_VI = 4
    """Value iteration on the learned model."""
    MCTS = 5
    """Decision-time UCT search on the learned model (§8.11)."""
    DYNA_GENERALIZING = 6
    """Dyna planning on the aggregate model's generalization."""
    DYNA_PLAIN = 7
    """Dyna with the deterministic, uncorrupted model: the hot path."""
    DYNA_ENSEMBLE = 8
    """Dyna planning on a bootstrap ensemble, shifted by its disagreement."""


GENERALIZING_KINDS = (Kind.DYNA_GENERALIZING, Kind.DYNA_ENSEMBLE)
"""Kinds that learn with ``generalizing_learn`` instead of ``agent_learn``. Their
structures are passed only to them: each array of a tuple handed to the per-step code
of the loop costs every kind's step (measured: three unused arrays more in one tuple
slowed prioritized sweeping's real steps ~18%)."""
