"""The keys of the neural agents ``dqn`` and ``dyna-dqn``: DQN's (Mnih et al. 2015), then
the world model's and its rollouts' (Janner et al. 2019, MBPO).

Declared as :mod:`dynalab.agents.keys` declares the tabular ones; each is a setting
(kept in ``AgentConfig.settings``, :attr:`dynalab.agents.keys.Key.setting`).
"""

from __future__ import annotations

from dynalab.agents.keys import (
    Key,
    are_layer_sizes,
    choice_of,
    flag_of,
    integer_from,
    is_flag,
    layer_sizes,
    number_in,
    setting_key,
)
from dynalab.values import finite_float, int_in_range, one_of

LR = setting_key("lr", finite_float, 1e-3, "Adam's step size, in (0, 1]", number_in(0, 1, True))
BATCH = setting_key("batch", int_in_range(1), 128, "minibatch size, >= 1", integer_from(1))
BUFFER = setting_key(
    "buffer", int_in_range(1), 50_000, "replay capacity in transitions, >= 1", integer_from(1)
)
TARGET_EVERY = setting_key(
    "target_every",
    int_in_range(1),
    200,
    "env steps between copies of the online network to the target network, >= 1",
    integer_from(1),
)
HIDDEN = setting_key(
    "hidden",
    layer_sizes,
    "64x64",
    "hidden layer widths of the Q-network, as 64x64 (0: linear)",
    are_layer_sizes,
)
EPSILON_START = setting_key(
    "epsilon_start", finite_float, 1.0, "exploration rate at step 0, in [0, 1]", number_in(0, 1)
)
EPSILON_END = setting_key(
    "epsilon_end",
    finite_float,
    0.01,
    "exploration rate after epsilon_steps, in [0, 1]",
    number_in(0, 1),
)
EPSILON_STEPS = setting_key(
    "epsilon_steps",
    int_in_range(0),
    10_000,
    "env steps over which epsilon falls linearly from epsilon_start to epsilon_end, >= 0",
    integer_from(0),
)
DOUBLE = setting_key(
    "double",
    flag_of,
    True,
    "Double DQN (van Hasselt et al. 2016): the online network picks the next action, "
    "the target network values it (1 or 0)",
    is_flag,
)
TRAIN_EVERY = setting_key(
    "train_every", int_in_range(1), 1, "env steps per gradient step, >= 1", integer_from(1)
)
LEARNING_STARTS = setting_key(
    "learning_starts",
    int_in_range(0),
    1_000,
    "env steps stored before the first gradient step, >= 0",
    integer_from(0),
)

TD_LOSSES = ("mse", "huber")
"""DQN's TD losses (:func:`dynalab.deep.value_learning.td_loss`)."""
TD_LOSS = setting_key(
    "loss",
    one_of(TD_LOSSES),
    "mse",
    "TD loss: mse (half the squared error) or huber (Huber's, delta 1: on returns far "
    "above 1, as CartPole's, it lets Q run away)",
    choice_of(TD_LOSSES),
)

DEEP_KEYS: tuple[Key, ...] = (
    LR,
    BATCH,
    BUFFER,
    TARGET_EVERY,
    HIDDEN,
    EPSILON_START,
    EPSILON_END,
    EPSILON_STEPS,
    DOUBLE,
    TRAIN_EVERY,
    LEARNING_STARTS,
    TD_LOSS,
)
"""DQN's own keys (kept in ``AgentConfig.settings``)."""

WORLD_MODELS = ("probabilistic", "deterministic")
"""dyna-dqn's model members: Gaussian outputs trained by likelihood, or means by squared
error (the naive model)."""
GUARDS = ("none", "penalty", "truncate")
"""How dyna-dqn's rollouts use the members' disagreement."""

MEMBERS = setting_key(
    "members", int_in_range(1), 5, "networks in the model's ensemble, >= 1", integer_from(1)
)
WORLD_MODEL = setting_key(
    "world_model",
    one_of(WORLD_MODELS),
    "probabilistic",
    "model members: probabilistic (Gaussian change and reward, likelihood-trained) or "
    "deterministic (means, squared error)",
    choice_of(WORLD_MODELS),
)
MODEL_HIDDEN = setting_key(
    "model_hidden",
    layer_sizes,
    "128x128",
    "hidden layer widths of each model member",
    are_layer_sizes,
)
MODEL_EVERY = setting_key(
    "model_every",
    int_in_range(1),
    250,
    "env steps between model training rounds, >= 1",
    integer_from(1),
)
MODEL_STEPS = setting_key(
    "model_steps",
    int_in_range(1),
    100,
    "Adam steps per member per training round, >= 1",
    integer_from(1),
)
MODEL_LR = setting_key(
    "model_lr",
    finite_float,
    1e-3,
    "the model's Adam step size, in (0, 1]",
    number_in(0, 1, True),
)
HORIZON = setting_key(
    "k", int_in_range(1), 1, "model steps per rollout (the horizon), >= 1", integer_from(1)
)
ROLLOUTS = setting_key(
    "rollouts",
    int_in_range(1),
    256,
    "rollouts started per rollout round, >= 1",
    integer_from(1),
)
ROLLOUT_EVERY = setting_key(
    "rollout_every",
    int_in_range(1),
    10,
    "env steps between rollout rounds, >= 1",
    integer_from(1),
)
REAL_RATIO = setting_key(
    "real_ratio",
    finite_float,
    0.5,
    "share of real transitions in each minibatch, in [0, 1]",
    number_in(0, 1),
)
UPDATES = setting_key(
    "updates", int_in_range(1), 2, "gradient steps per training step, >= 1", integer_from(1)
)
GUARD = setting_key(
    "guard",
    one_of(GUARDS),
    "none",
    "how rollouts use the members' disagreement: none, penalty (reward minus "
    "penalty x disagreement, as MOPO) or truncate (end a rollout where it exceeds threshold)",
    choice_of(GUARDS),
)
PENALTY = setting_key(
    "penalty",
    finite_float,
    1.0,
    "weight of the disagreement with guard=penalty, >= 0",
    number_in(0),
)
THRESHOLD = setting_key(
    "threshold",
    finite_float,
    0.05,
    "disagreement at which guard=truncate ends a rollout, >= 0",
    number_in(0),
)

DYNA_KEYS: tuple[Key, ...] = (
    MEMBERS,
    WORLD_MODEL,
    MODEL_HIDDEN,
    MODEL_EVERY,
    MODEL_STEPS,
    MODEL_LR,
    HORIZON,
    ROLLOUTS,
    ROLLOUT_EVERY,
    REAL_RATIO,
    UPDATES,
    GUARD,
    PENALTY,
    THRESHOLD,
)
"""dyna-dqn's own keys, besides DQN's: the world model and its rollouts."""
