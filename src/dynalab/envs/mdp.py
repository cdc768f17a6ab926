"""Finite MDPs held as NumPy arrays: the ground truth every experiment is measured against.

An :class:`ArrayMDP` stores, for each (state, action), a small table of ``max_outcomes``
possible outcomes, as Gymnasium's toy-text ``P[s][a] = [(prob, next, reward, terminated)]``
does, but as dense arrays that compiled code can index:

* ``next_state[s, a, k]`` - the state reached by outcome ``k``,
* ``prob[s, a, k]``       - its probability (rows sum to 1; unused slots have 0),
* ``reward[s, a, k]``     - the reward received on that transition,
* ``terminal[s, a, k]``   - whether the episode terminates on that transition
  (no bootstrapping from ``next_state``),
* ``start_prob[s]``       - the distribution of the first state of an episode,
* ``max_steps``           - a time limit (truncation, not termination); 0 means none.

A world that changes over time is a :class:`WorldSchedule`: several MDPs over the same
states and actions, each in force from a given real step on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit


@dataclass(frozen=True, eq=False)
class ArrayMDP:
    """A finite MDP as outcome tables; see the module docstring for the layout."""

    next_state: np.ndarray
    prob: np.ndarray
    reward: np.ndarray
    terminal: np.ndarray
    start_prob: np.ndarray
    max_steps: int = 0
    name: str = "mdp"
    state_labels: tuple[str, ...] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        next_state = np.ascontiguousarray(self.next_state, dtype=np.int64)
        prob = np.ascontiguousarray(self.prob, dtype=np.float64)
        reward = np.ascontiguousarray(self.reward, dtype=np.float64)
        terminal = np.ascontiguousarray(self.terminal, dtype=np.bool_)
        start_prob = np.ascontiguousarray(self.start_prob, dtype=np.float64)
        if next_state.ndim != 3:
            raise ValueError(
                f"ArrayMDP next_state must have shape (states, actions, outcomes), "
                f"got {next_state.shape}"
            )
        for label, array in (("prob", prob), ("reward", reward), ("terminal", terminal)):
            if array.shape != next_state.shape:
                raise ValueError(
                    f"ArrayMDP {label} has shape {array.shape}, expected {next_state.shape}"
                )
        n_states = next_state.shape[0]
        if start_prob.shape != (n_states,):
            raise ValueError(
                f"ArrayMDP start_prob has shape {start_prob.shape}, expected ({n_states},)"
            )
        if next_state.size and (next_state.min() < 0 or next_state.max() >= n_states):
            raise ValueError("ArrayMDP next_state holds a state outside 0..n_states-1")
        if (prob < 0).any() or not np.allclose(prob.sum(axis=2), 1.0):
            raise ValueError("ArrayMDP prob must be non-negative and sum to 1 for each (s, a)")
        if (start_prob < 0).any() or not np.isclose(start_prob.sum(), 1.0):
            raise ValueError("ArrayMDP start_prob must be non-negative and sum to 1")
        if self.max_steps < 0:
            raise ValueError(f"ArrayMDP max_steps must be >= 0, got {self.max_steps}")
        object.__setattr__(self, "next_state", next_state)
        object.__setattr__(self, "prob", prob)
        object.__setattr__(self, "reward", reward)
        object.__setattr__(self, "terminal", terminal)
        object.__setattr__(self, "start_prob", start_prob)

    @property
    def n_states(self) -> int:
        return self.next_state.shape[0]

    @property
    def n_actions(self) -> int:
        return self.next_state.shape[1]

    @property
    def max_outcomes(self) -> int:
        return self.next_state.shape[2]

    @property
    def is_deterministic(self) -> bool:
        return bool(((self.prob == 0.0) | (self.prob == 1.0)).all())

    def reachable_states(self) -> np.ndarray:
        """Boolean mask of states reachable from the start distribution.

        States entered only through a terminating transition are included (they are
        reached) but they are never acted from.
        """
        reached = self.start_prob > 0
        frontier = list(np.flatnonzero(reached))
        acted_from = np.zeros(self.n_states, dtype=np.bool_)
        for s in frontier:
            acted_from[s] = True
        while frontier:
            s = frontier.pop()
            live = self.prob[s] > 0
            for a, k in zip(*np.nonzero(live), strict=True):
                s2 = self.next_state[s, a, k]
                reached[s2] = True
                if not self.terminal[s, a, k] and not acted_from[s2]:
                    acted_from[s2] = True
                    frontier.append(s2)
        return reached

    def decision_states(self) -> np.ndarray:
        """Boolean mask of states from which the agent can ever have to act.

        These are the start states and states entered by a non-terminating transition
        from another such state.
        """
        acted_from = self.start_prob > 0
        frontier = list(np.flatnonzero(acted_from))
        while frontier:
            s = frontier.pop()
            live = (self.prob[s] > 0) & ~self.terminal[s]
            for a, k in zip(*np.nonzero(live), strict=True):
                s2 = self.next_state[s, a, k]
                if not acted_from[s2]:
                    acted_from[s2] = True
                    frontier.append(s2)
        return acted_from


@dataclass(frozen=True, eq=False)
class WorldSchedule:
    """MDPs over the same states and actions, each in force from a real step on.

    ``worlds[i]`` is in force for real steps ``t`` with ``switch_steps[i] <= t``
    (the latest such ``i``); ``switch_steps[0]`` is always 0. Step ``t`` counts real
    environment steps from 0 across episodes, so a change happens at exactly that step
    even in the middle of an episode.
    """

    worlds: tuple[ArrayMDP, ...]
    switch_steps: tuple[int, ...] = (0,)
    name: str = "schedule"

    def __post_init__(self) -> None:
        if not self.worlds:
            raise ValueError("WorldSchedule needs at least one world")
        if len(self.worlds) != len(self.switch_steps):
            raise ValueError("WorldSchedule needs one switch step per world")
        if self.switch_steps[0] != 0:
            raise ValueError("WorldSchedule's first world must start at step 0")
        if any(b <= a for a, b in zip(self.switch_steps, self.switch_steps[1:], strict=False)):
            raise ValueError("WorldSchedule switch steps must be strictly increasing")
        shape = self.worlds[0].next_state.shape[:2]
        for world in self.worlds:
            if world.next_state.shape[:2] != shape:
                raise ValueError("all worlds of a WorldSchedule need the same states and actions")

    @classmethod
    def static(cls, mdp: ArrayMDP) -> WorldSchedule:
        return cls(worlds=(mdp,), switch_steps=(0,), name=mdp.name)

    @property
    def first(self) -> ArrayMDP:
        return self.worlds[0]

    @property
    def n_states(self) -> int:
        return self.first.n_states

    @property
    def n_actions(self) -> int:
        return self.first.n_actions

    def world_at(self, step: int) -> ArrayMDP:
        index = int(np.searchsorted(np.asarray(self.switch_steps), step, side="right")) - 1
        return self.worlds[index]

    def stacked(self) -> tuple[np.ndarray, ...]:
        """The worlds as arrays with a leading world axis, padded to one outcome count.

        Returns ``(next_state, prob, reward, terminal, start_prob, max_steps, switch_steps)``
        as the compiled loop takes them.
        """
        n_outcomes = max(w.max_outcomes for w in self.worlds)
        n_worlds = len(self.worlds)
        n_states, n_actions = self.n_states, self.n_actions
        next_state = np.zeros((n_worlds, n_states, n_actions, n_outcomes), dtype=np.int64)
        prob = np.zeros((n_worlds, n_states, n_actions, n_outcomes))
        reward = np.zeros((n_worlds, n_states, n_actions, n_outcomes))
        terminal = np.zeros((n_worlds, n_states, n_actions, n_outcomes), dtype=np.bool_)
        start_prob = np.zeros((n_worlds, n_states))
        max_steps = np.zeros(n_worlds, dtype=np.int64)
        for i, w in enumerate(self.worlds):
            k = w.max_outcomes
            next_state[i, :, :, :k] = w.next_state
            prob[i, :, :, :k] = w.prob
            reward[i, :, :, :k] = w.reward
            terminal[i, :, :, :k] = w.terminal
            start_prob[i] = w.start_prob
            max_steps[i] = w.max_steps
        switch_steps = np.asarray(self.switch_steps, dtype=np.int64)
        return next_state, prob, reward, terminal, start_prob, max_steps, switch_steps


def as_schedule(world: ArrayMDP | WorldSchedule) -> WorldSchedule:
    """Wrap a single MDP as a one-world schedule; pass schedules through."""
    if isinstance(world, WorldSchedule):
        return world
    if isinstance(world, ArrayMDP):
        return WorldSchedule.static(world)
    raise TypeError(f"expected an ArrayMDP or WorldSchedule, got {type(world).__name__}")


@njit(cache=True, nogil=True)
def sample_index(weights: np.ndarray, total: float, uniform: float) -> int:
    """Index ``k`` with probability ``weights[k] / total``, given one uniform draw in [0, 1).

    Samplers take the uniform rather than the generator: the caller's loop draws it,
    which keeps compiled callees free of the generator (measured: about 10x faster
    planning loops) and makes every sample cost exactly one draw.
    """
    n = weights.shape[0]
    threshold = uniform * total
    cumulative = 0.0
    for k in range(n - 1):
        cumulative += weights[k]
        if threshold < cumulative:
            return k
    last = n - 1
    while last > 0 and weights[last] == 0.0:
        last -= 1
    return last


@njit(cache=True, nogil=True)
def sample_start(start_prob: np.ndarray, uniform: float) -> int:
    """First state of an episode, drawn from the start distribution."""
    return sample_index(start_prob, 1.0, uniform)


@njit(cache=True, nogil=True)
def sample_outcome(prob: np.ndarray, state: int, action: int, uniform: float) -> int:
    """Which outcome ``k`` of ``(state, action)`` happens, drawn from ``prob[state, action]``."""
    return sample_index(prob[state, action], 1.0, uniform)
