"""Learned tabular world models: the book's last-outcome model and a count-based model.

One array layout serves both (Sutton & Barto §8.2 and §8.5):

* the **deterministic** model (``kind="deterministic"``) remembers, for each tried
  (s, a), only the last outcome seen - the model of the book's tabular Dyna-Q;
* the **count-based** model (``kind="counts"``) remembers every distinct outcome with
  how often it was seen and the rewards it gave, so it estimates the next-state
  distribution ``n(s,a,s') / n(s,a)`` and the mean reward of each outcome. It can be
  sampled (sample updates) or summed over (expected updates).

Both remember when each (s, a) was last tried (for Dyna-Q+'s exploration bonus) and which
pairs have been tried and which states seen (for uniform planning). What leads to each
state (for prioritized sweeping) is kept beside the model (``dynalab.models.predecessors``).
"""

from __future__ import annotations

import math
from collections import namedtuple
from dataclasses import dataclass

import numpy as np
from numba import njit

from dynalab.envs.mdp import sample_index

MODEL_KINDS = ("deterministic", "counts", "aggregate")

MAX_PLAN_SLOTS = 60
"""Most slots per seen state in the flat planning table (see :func:`plan_slots`)."""

TabularModel = namedtuple(
    "TabularModel",
    [
        "next_state",  # int64 [S, A, K]: the k-th distinct outcome's next state
        "terminal",  # bool [S, A, K]: whether that outcome ended the episode
        "count",  # float64 [S, A, K]: times the outcome was seen (1 for deterministic)
        "reward_sum",  # float64 [S, A, K]: sum of rewards seen with that outcome
        "n_outcomes",  # int64 [S, A]: slots in use
        "visits",  # int64 [S, A]: times (s, a) was tried
        "last_tried",  # int64 [S, A]: real step at which (s, a) was last tried
        "observed_state",  # int64 [S*A]: state of the i-th pair tried, in order first tried
        "observed_action",  # int64 [S*A]: action of the i-th pair tried
        "reachable_state",  # int64 [S*A]: every (s, a) of an observed state s, by state
        "reachable_action",  # int64 [S*A]: ... and its action (Dyna-Q+ plans over these)
        "tried_action",  # int64 [S, A]: the actions tried in s, in order first tried
        "plan_state",  # int64 [S*L]: the flat planning table: block b of L slots, the b-th
        "plan_action",  # ... seen state and its tried actions, each in L / (tried) slots
        "plan_block",  # int64 [S]: where state s's block starts (once s is seen)
        "n_tried",  # int64 [S]: entries of tried_action[s] in use
        "corrupt_next",  # int64 [S, A]: the wrong next state recorded for (s, a) (-1: none)
        "sizes",  # int64 [3]: entries used in observed_*, in reachable_*, and in plan_*
        "counting",  # bool: True for the count-based model
    ],
)


@dataclass(frozen=True)
class ModelSpec:
    """Which learned model an agent uses, and how many outcomes per (s, a) it can hold."""

    kind: str = "deterministic"
    max_outcomes: int = 8
    noise: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.noise <= 1.0:
            raise ValueError(f"model_noise must be in [0, 1], got {self.noise}")
        if self.kind not in MODEL_KINDS:
            raise ValueError(f"model must be one of {', '.join(MODEL_KINDS)}, got {self.kind!r}")
        if self.max_outcomes < 1:
            raise ValueError(f"max_outcomes must be >= 1, got {self.max_outcomes}")


def empty_model(
    n_states: int,
    n_actions: int,
    spec: ModelSpec | None = None,
    rng: np.random.Generator | None = None,
) -> TabularModel:
    """A model that has seen nothing yet.

    With ``spec.noise = p > 0`` (controlled corruption), each (s, a) is corrupted with
    probability p, drawn here from ``rng``: the model then records every real transition
    of that pair as leading to one fixed state drawn uniformly over all states (not
    terminal, with the true reward). The corruption is permanent: about a fraction p of
    the model's predictions stays wrong however much experience it gets (a draw can hit
    the true next state by chance, with probability 1/S).
    """
    spec = spec or ModelSpec()
    counting = spec.kind == "counts"
    slots = spec.max_outcomes if counting else 1
    shape = (n_states, n_actions, slots)
    return TabularModel(
        next_state=np.zeros(shape, dtype=np.int64),
        terminal=np.zeros(shape, dtype=np.bool_),
        count=np.zeros(shape),
        reward_sum=np.zeros(shape),
        n_outcomes=np.zeros((n_states, n_actions), dtype=np.int64),
        visits=np.zeros((n_states, n_actions), dtype=np.int64),
        last_tried=np.zeros((n_states, n_actions), dtype=np.int64),
        observed_state=np.zeros(n_states * n_actions, dtype=np.int64),
        observed_action=np.zeros(n_states * n_actions, dtype=np.int64),
        reachable_state=np.zeros(n_states * n_actions, dtype=np.int64),
        reachable_action=np.zeros(n_states * n_actions, dtype=np.int64),
        tried_action=np.zeros((n_states, n_actions), dtype=np.int64),
        plan_state=np.zeros(n_states * plan_slots(n_actions), dtype=np.int64),
        plan_action=np.zeros(n_states * plan_slots(n_actions), dtype=np.int64),
        plan_block=np.zeros(n_states, dtype=np.int64),
        n_tried=np.zeros(n_states, dtype=np.int64),
        corrupt_next=corruption(n_states, n_actions, spec.noise, rng),
        sizes=np.zeros(3, dtype=np.int64),
        counting=counting,
    )


def plan_slots(n_actions: int) -> int:
    """Slots per seen state of the flat planning table: lcm(1, ..., A), which any number
    of tried actions divides, so each tried action fills the same number of slots; 0 (no
    table: the two-level draw of :func:`planning_pair`) when that exceeds MAX_PLAN_SLOTS,
    i.e. for worlds of more than 6 actions."""
    slots = math.lcm(*range(1, n_actions + 1))
    return slots if slots <= MAX_PLAN_SLOTS else 0


def corruption(
    n_states: int, n_actions: int, noise: float, rng: np.random.Generator | None
) -> np.ndarray:
    """``corrupt_next[s, a]``: -1 for a clean pair, else the wrong next state to record."""
    if noise == 0.0:
        return np.full((n_states, n_actions), -1, dtype=np.int64)
    if rng is None:
        raise ValueError("a model with noise needs a generator to draw its corruption")
    corrupted = rng.random((n_states, n_actions)) < noise
    wrong = rng.integers(0, n_states, size=(n_states, n_actions))
    return np.where(corrupted, wrong, -1).astype(np.int64)


@njit(cache=True, nogil=True, inline="always")
def note_visit(model: TabularModel, state: int, action: int, step: int) -> None:
    """Count a try of (s, a), remember when, and list a first-tried pair for planning:
    among the pairs tried, among the actions tried in s, and on a state's first pair every
    action of the state (Dyna-Q+, generalizing models)."""
    if model.visits[state, action] == 0:
        tried = model.n_tried[state]
        if tried == 0:
            for any_action in range(model.visits.shape[1]):
                model.reachable_state[model.sizes[1]] = state
                model.reachable_action[model.sizes[1]] = any_action
                model.sizes[1] += 1
        model.tried_action[state, tried] = action
        model.n_tried[state] = tried + 1
        slots = model.plan_state.shape[0] // model.plan_block.shape[0]
        if slots > 0:
            if tried == 0:
                model.plan_block[state] = model.sizes[2]
                model.sizes[2] += slots
            start = model.plan_block[state]
            for j in range(slots):
                model.plan_state[start + j] = state
                model.plan_action[start + j] = model.tried_action[state, j * (tried + 1) // slots]
        model.observed_state[model.sizes[0]] = state
        model.observed_action[model.sizes[0]] = action
        model.sizes[0] += 1
    model.visits[state, action] += 1
    model.last_tried[state, action] = step


@njit(cache=True, nogil=True, inline="always")
def planning_pair(model: TabularModel, every_action: bool, uniform: float) -> tuple[int, int]:
    """The (s, a) a uniform planning update draws, from one uniform draw in [0, 1).

    Sutton & Barto Fig. 8.1, step (f): S is a random previously observed state, A a random
    action previously taken in S; so each seen state is equally likely, however many of
    its actions were tried. With ``every_action`` (Dyna-Q+'s footnote to §8.3, and the
    planners of generalizing models) A is any action of S. The model must have seen a state.

    With the flat planning table (worlds of at most 6 actions) the draw picks one slot of
    it: state and action are two independent reads (measured: Dyna-Q n=50 1.3x faster
    than the two-level draw). Otherwise the draw's integer part picks the state, its
    fraction the action. Both give each (s, a) probability 1 / (states seen x actions
    tried in s) and, but for rounding, the same pair for the same draw.
    """
    n_actions = model.visits.shape[1]
    slots = model.plan_state.shape[0] // model.plan_block.shape[0]
    if slots > 0:
        slot = int(uniform * model.sizes[2])
        state = model.plan_state[slot]
        if every_action:
            return state, (slot % slots) * n_actions // slots
        return state, model.plan_action[slot]
    scaled = uniform * (model.sizes[1] // n_actions)
    index = int(scaled)
    state = model.reachable_state[index * n_actions]
    if every_action:
        return state, int((scaled - index) * n_actions)
    return state, model.tried_action[state, int((scaled - index) * model.n_tried[state])]


@njit(cache=True, nogil=True, inline="always")
def record_last_outcome(
    model: TabularModel,
    state: int,
    action: int,
    reward: float,
    next_state: int,
    terminal: bool,
    step: int,
) -> None:
    """The book's deterministic model (Fig. 8.1, line (e)): Model(S,A) <- R,S'.

    Compiled loops of Dyna with this model and no corruption call it directly: with the
    count and corruption code of :func:`model_update` beside it in the step, Dyna-Q n=50
    measured ~10% slower.
    """
    note_visit(model, state, action, step)
    model.next_state[state, action, 0] = next_state
    model.terminal[state, action, 0] = terminal
    model.count[state, action, 0] = 1.0
    model.reward_sum[state, action, 0] = reward
    model.n_outcomes[state, action] = 1


@njit(cache=True, nogil=True, inline="always")
def model_update(
    model: TabularModel,
    state: int,
    action: int,
    reward: float,
    next_state: int,
    terminal: bool,
    step: int,
) -> int:
    """Record a real transition in any model; returns the outcome slot it went to.

    The deterministic model overwrites its single slot (:func:`record_last_outcome`); the
    count-based model adds one to the matching outcome (or opens a new slot for an outcome
    not seen before). A corrupted pair (see :func:`empty_model`) records its fixed wrong
    next state instead.
    """
    wrong = model.corrupt_next[state, action]
    if wrong >= 0:
        next_state = wrong
        terminal = False
    if not model.counting:
        record_last_outcome(model, state, action, reward, next_state, terminal, step)
        return 0
    note_visit(model, state, action, step)
    used = model.n_outcomes[state, action]
    for k in range(used):
        if model.next_state[state, action, k] == next_state and (
            model.terminal[state, action, k] == terminal
        ):
            model.count[state, action, k] += 1.0
            model.reward_sum[state, action, k] += reward
            return k
    if used == model.next_state.shape[2]:
        raise ValueError("count-based model: more distinct outcomes than max_outcomes")
    model.next_state[state, action, used] = next_state
    model.terminal[state, action, used] = terminal
    model.count[state, action, used] = 1.0
    model.reward_sum[state, action, used] = reward
    model.n_outcomes[state, action] = used + 1
    return used


@njit(cache=True, nogil=True, inline="always")
def model_sample(
    model: TabularModel, state: int, action: int, uniform: float
) -> tuple[float, int, bool]:
    """A simulated transition ``(reward, next_state, terminal)`` for a tried (s, a).

    The count-based model picks the outcome in proportion to how often it was seen
    (using the caller's ``uniform`` draw) and returns that outcome's mean reward; the
    deterministic model returns its one outcome.
    """
    used = model.n_outcomes[state, action]
    k = 0
    if used > 1:
        k = sample_index(
            model.count[state, action, :used], float(model.visits[state, action]), uniform
        )
    reward = model.reward_sum[state, action, k] / model.count[state, action, k]
    return reward, model.next_state[state, action, k], model.terminal[state, action, k]


@njit(cache=True, nogil=True)
def model_expected_target(
    model: TabularModel, q_values: np.ndarray, state: int, action: int, gamma: float
) -> float:
    """Expected one-step target under the model (Sutton & Barto eq. 8.1's expected form):
    sum over outcomes of p_hat * (r_hat + gamma * max_a' Q(s', a')), no bootstrap on
    terminal outcomes."""
    used = model.n_outcomes[state, action]
    total_count = 0.0
    total = 0.0
    for k in range(used):
        count = model.count[state, action, k]
        target = model.reward_sum[state, action, k] / count
        if not model.terminal[state, action, k]:
            target += gamma * np.max(q_values[model.next_state[state, action, k]])
        total += count * target
        total_count += count
    return total / total_count


def model_distribution(model: TabularModel, state: int, action: int) -> dict[int, float]:
    """The model's next-state distribution for (s, a) as ``{next_state: probability}``."""
    used = int(model.n_outcomes[state, action])
    total = float(model.count[state, action, :used].sum())
    distribution: dict[int, float] = {}
    for k in range(used):
        s2 = int(model.next_state[state, action, k])
        distribution[s2] = distribution.get(s2, 0.0) + float(model.count[state, action, k]) / total
    return distribution
