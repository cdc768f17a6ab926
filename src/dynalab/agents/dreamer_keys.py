"""The keys of the ``dreamer`` agent that no other agent takes: the sizes of its latent
world model, its sequences, its imagination and its actor-critic (Hafner et al. 2023).

Declared as :mod:`dynalab.agents.keys` declares the others; the keys dreamer shares with
DQN (``batch``, ``buffer``, ``train_every``, ``learning_starts``, ``model_lr``) are
listed in its registry entry with dreamer's own defaults.

One training step (16 sequences of 16 steps) every 2 real steps (``train_every=2``): on
the Dyna maze seen as pixels (gamma 0.95, V* 0.513) the exact value of the actor's
stochastic policy after 10,000 steps was 0.35 [0.12, 0.48] training every 4 steps, 0.504
[0.498, 0.507] every 2 and 0.507 [0.506, 0.508] every step (4 runs each, measured
2026-12-04 with ``dynalab compare``): 2 is nearly all of the gain at half the training
of 1.
"""

from __future__ import annotations

from dynalab.agents.keys import Key, integer_from, number_in, setting_key
from dynalab.values import finite_float, int_in_range


def _size(name: str, default: int, help: str) -> Key:
    return setting_key(name, int_in_range(1), default, f"{help}, >= 1", integer_from(1))


DETER = _size("deter", 32, "units of the world model's recurrent (deterministic) state")
GROUPS = _size("groups", 8, "categorical variables in the stochastic latent")
CLASSES = _size("classes", 8, "classes of each categorical latent variable")
UNITS = _size("units", 64, "hidden units of each of dreamer's networks")
LENGTH = _size("length", 16, "transitions per replayed training sequence")
IMAGINE = _size("horizon", 15, "imagined steps per actor-critic rollout (H)")
ACTOR_LR = setting_key(
    "actor_lr", finite_float, 3e-4, "the actor's Adam step size, in (0, 1]", number_in(0, 1, True)
)
CRITIC_LR = setting_key(
    "critic_lr", finite_float, 3e-4, "the critic's Adam step size, in (0, 1]", number_in(0, 1, True)
)
ENTROPY = setting_key(
    "entropy", finite_float, 3e-3, "weight of the actor's entropy bonus, >= 0", number_in(0)
)
LAMBDA_RETURN = setting_key(
    "lam", finite_float, 0.95, "lambda of the imagined lambda-returns, in [0, 1]", number_in(0, 1)
)
FREE_NATS = setting_key(
    "free_nats",
    finite_float,
    1.0,
    "KL below this many nats is not penalised (free bits), >= 0",
    number_in(0),
)
FRESH_SHARE = setting_key(
    "fresh_share",
    finite_float,
    0.5,
    "share of imagined rollouts that start from a belief formed afresh from one "
    "observation (zero recurrent state), in [0, 1]",
    number_in(0, 1),
)

DREAMER_KEYS: tuple[Key, ...] = (
    DETER,
    GROUPS,
    CLASSES,
    UNITS,
    LENGTH,
    IMAGINE,
    ACTOR_LR,
    CRITIC_LR,
    ENTROPY,
    LAMBDA_RETURN,
    FREE_NATS,
    FRESH_SHARE,
)
"""dreamer's own keys."""
