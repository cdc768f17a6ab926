"""An ensemble of learned models whose disagreement measures what the agent does not know.

K members learn from the same real transitions, each with its own bootstrap resample of
them: every transition counts ``w ~ Poisson(1)`` times in each member (the online
bootstrap), so a pair tried once is missing from about e^-1 = 37% of the members, a pair
tried five times from 0.7%. Members share the count-based model's outcome slots
(``dynalab.models.tabular``, ``kind="counts"``) and keep their own weights on them.

A member with no weight on (s, a) generalizes: it assumes one of the outcome kinds its
resample has seen for action a anywhere (``dynalab.models.aggregate``), each kind equally
likely, chosen once per (member, s, a) by a fixed uniform draw. How often a kind happens
across the world says little about what happens at one particular state nobody has
tried, so the guess spreads over what is *possible*: the members are plausible worlds.
Where the world is uniform (an action only ever moved one cell) they agree; where it is
not (walls, cliffs, swamps) they disagree on every pair without data. Weighting the
guesses by frequency instead was measured to leave some untried pairs on which all
members agree on the common kind, and a planner maximizing over many such pairs finds
one of them: disagreement must cover every pair the data does not.

A member's prediction enters planning as its one-step target; the spread of those targets
over members is the disagreement, in reward units (see ``dynalab.planners.ensemble``).
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

from dynalab.models.aggregate import Generalization, kind_outcome
from dynalab.models.tabular import TabularModel

UNCERTAINTY_MODES = ("mean", "pessimistic", "optimistic")
"""How planning uses the disagreement: ignore it, subtract it, or add it (times lambda)."""

Ensemble = namedtuple(
    "Ensemble",
    [
        "weight",  # float64 [M, S, A, K]: member m's bootstrap weight on outcome slot k
        "reward_sum",  # float64 [M, S, A, K]: member m's weighted reward sum on that slot
        "kind_weight",  # float64 [M, A, MAX_KINDS]: member m's weight on action a's kinds
        "draw",  # float64 [M, S, A]: the fixed uniform that picks a generalizing guess
        "targets",  # float64 [M]: scratch: the members' one-step targets of one pair
        "settings",  # float64 [3]: uncertainty sign (-1, 0, +1), lambda, plan untried (0/1)
    ],
)


def empty_ensemble(
    members: int,
    n_states: int,
    n_actions: int,
    max_outcomes: int,
    max_kinds: int,
    uncertainty: str = "pessimistic",
    uncertainty_weight: float = 1.0,
    plan_untried: bool = True,
    rng: np.random.Generator | None = None,
) -> Ensemble:
    """Members that have seen nothing; with ``members = 0`` minimal arrays (no ensemble).

    ``rng`` draws each member's fixed uniforms for its generalizing guesses.
    """
    if uncertainty not in UNCERTAINTY_MODES:
        raise ValueError(
            f"uncertainty must be one of {', '.join(UNCERTAINTY_MODES)}, got {uncertainty!r}"
        )
    if members == 0:
        n_states = n_actions = max_outcomes = max_kinds = 1
    elif rng is None:
        raise ValueError("an ensemble needs a generator to draw its members' guesses")
    draw = (
        rng.random((members, n_states, n_actions))
        if members
        else np.zeros((0, n_states, n_actions))
    )
    sign = {"mean": 0.0, "pessimistic": -1.0, "optimistic": 1.0}[uncertainty]
    return Ensemble(
        weight=np.zeros((members, n_states, n_actions, max_outcomes)),
        reward_sum=np.zeros((members, n_states, n_actions, max_outcomes)),
        kind_weight=np.zeros((members, n_actions, max_kinds)),
        draw=draw,
        targets=np.zeros(members),
        settings=np.array([sign, float(uncertainty_weight), 1.0 if plan_untried else 0.0]),
    )


@njit(cache=True, nogil=True, inline="always")
def poisson_one(uniform: float) -> int:
    """A Poisson(1) draw by inverting its CDF at ``uniform``: P(k) = e^-1 / k!."""
    probability = math.exp(-1.0)
    cumulative = probability
    count = 0
    while uniform >= cumulative and count < 20:
        count += 1
        probability /= count
        cumulative += probability
    return count


@njit(cache=True, nogil=True)
def ensemble_update(
    ensemble: Ensemble,
    slot: int,
    state: int,
    action: int,
    reward: float,
    kind: int,
    rng: np.random.Generator,
) -> None:
    """Add one real transition to every member with its own Poisson(1) weight: on the
    count-based model's outcome ``slot`` (what ``model_update`` returned) and on the
    action's outcome ``kind`` (what ``learn_generalization`` returned)."""
    for member in range(ensemble.weight.shape[0]):
        times = poisson_one(rng.random())
        if times > 0:
            ensemble.weight[member, state, action, slot] += times
            ensemble.reward_sum[member, state, action, slot] += times * reward
            ensemble.kind_weight[member, action, kind] += times


@njit(cache=True, nogil=True)
def member_target(
    ensemble: Ensemble,
    model: TabularModel,
    learned: Generalization,
    q_values: np.ndarray,
    member: int,
    state: int,
    action: int,
    gamma: float,
) -> float:
    """Member ``member``'s one-step target for (s, a): the expected
    r + gamma * max_a' Q(s', a') under its resample where it has data on the pair, else
    under its generalizing guess (no bootstrap on an ending outcome)."""
    total_weight = 0.0
    total = 0.0
    for k in range(model.n_outcomes[state, action]):
        weight = ensemble.weight[member, state, action, k]
        if weight > 0.0:
            target = ensemble.reward_sum[member, state, action, k] / weight
            if not model.terminal[state, action, k]:
                target += gamma * np.max(q_values[model.next_state[state, action, k]])
            total += weight * target
            total_weight += weight
    if total_weight > 0.0:
        return total / total_weight
    seen = 0
    for k in range(learned.n_kinds[action]):
        if ensemble.kind_weight[member, action, k] > 0.0:
            seen += 1
    guess = -1
    if seen > 0:
        pick = int(ensemble.draw[member, state, action] * seen)
        for k in range(learned.n_kinds[action]):
            if ensemble.kind_weight[member, action, k] > 0.0:
                if pick == 0:
                    guess = k
                    break
                pick -= 1
    reward, predicted, ends = kind_outcome(learned, q_values.shape[0], state, action, guess)
    if ends:
        return reward
    return reward + gamma * np.max(q_values[predicted])


@njit(cache=True, nogil=True)
def ensemble_target(
    ensemble: Ensemble,
    model: TabularModel,
    learned: Generalization,
    q_values: np.ndarray,
    state: int,
    action: int,
    gamma: float,
) -> tuple[float, float]:
    """``(mean, spread)`` of the members' one-step targets for (s, a); the spread (their
    standard deviation) is the disagreement, in the units of reward."""
    members = ensemble.weight.shape[0]
    mean = 0.0
    for member in range(members):
        target = member_target(ensemble, model, learned, q_values, member, state, action, gamma)
        ensemble.targets[member] = target
        mean += target
    mean /= members
    variance = 0.0
    for member in range(members):
        variance += (ensemble.targets[member] - mean) ** 2
    return mean, math.sqrt(variance / members)
