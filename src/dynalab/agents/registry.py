"""The registry: every agent declared once.

An :class:`AgentEntry` says what an agent is (name, one-line help), which spec keys it
takes (each a :class:`Key`: parser, default, help, range check), its own defaults, the
compiled kinds it runs as and the memory each needs, the key that sets how much it plans
(its budget key), and its cross-key rules. Spec parsing, ``dynalab agents``, labels, the
trade-off families and bench derive from these entries; nothing else lists agents.

Adding an agent is its own module (its per-step function), one entry in :data:`REGISTRY`,
and its tests. An agent computed by another backend (``backend="jax"``: whole runs in one
jitted function) registers the same way, with its own keys and no compiled kinds, and is
parsed, listed, labelled and reported by the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dynalab.agents.dreamer_keys import DREAMER_KEYS
from dynalab.agents.key_set import KEYS
from dynalab.agents.keys import (
    ALPHA,
    DEPTH,
    ENSEMBLE,
    EPSILON,
    EXPLORATION,
    GAMMA,
    KAPPA,
    LAMBDA,
    MODEL,
    MODEL_NOISE,
    OPTIMISM,
    SAMPLING,
    SIMULATIONS,
    SWEEPS,
    THETA,
    UNCERTAINTY,
    AgentConfigError,
    Key,
    N,
)
from dynalab.agents.kinds import Kind
from dynalab.agents.neural_keys import (
    BATCH,
    BUFFER,
    DEEP_KEYS,
    DYNA_KEYS,
    LEARNING_STARTS,
    MODEL_LR,
    TRAIN_EVERY,
)

MEMORY = ("model", "queue", "tree", "predecessors", "generalization", "ensemble")
"""The structures an agent can keep besides Q (see ``dynalab.agents.step.AgentMemory``)."""


@dataclass(frozen=True)
class AgentEntry:
    """One agent, declared once.

    ``keys``: the spec keys it takes; ``defaults``: its own values for some fields (of its
    keys, or fixed values of fields it does not take); ``kind_of``: the compiled kind a
    configuration runs as; ``memory``: for each kind it can run as, the structures it
    keeps (:data:`MEMORY`); ``budget_key``: the key that sets how much it plans (None:
    it does not plan); ``validate``: its rules across keys; ``backend``: ``tabular`` (a
    compiled loop per kind) or another backend's name (``jax``: no compiled kinds,
    ``kind_of`` None, the agent's own keys kept in the configuration's settings).
    """

    name: str
    help: str
    keys: tuple[Key, ...]
    kind_of: Callable[[Any], Kind] | None
    memory: Mapping[Kind, frozenset[str]]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    budget_key: str | None = None
    validate: Callable[[Any], None] | None = None
    backend: str = "tabular"

    def key(self, name: str) -> Key | None:
        """The key of this agent spelled ``name`` in specs, or None."""
        return next((key for key in self.keys if key.name == name), None)

    def default(self, key: Key) -> Any:
        """This agent's value of ``key`` when nothing sets it."""
        if key.field in self.defaults:
            return self.defaults[key.field]
        return key.default if key in self.keys else key.off_value

    @property
    def kinds(self) -> tuple[Kind, ...]:
        return tuple(self.memory)


def _model_choice(config: Any, choices: tuple[str, ...], why: str) -> None:
    if config.model not in choices:
        raise AgentConfigError(f"model={config.model} is not for {config.name}: {why}")


def _dyna_kind(config: Any) -> Kind:
    if config.planning_steps == 0:
        return Kind.MODEL_FREE
    if config.ensemble:
        return Kind.DYNA_ENSEMBLE
    if config.model == "aggregate":
        return Kind.DYNA_GENERALIZING
    if config.sampling == "on-policy":
        return Kind.DYNA_ON_POLICY
    if config.model == "deterministic" and config.model_noise == 0.0:
        return Kind.DYNA_PLAIN
    return Kind.DYNA


def _validate_dyna_q(config: Any) -> None:
    if config.model == "aggregate" and config.sampling != "uniform":
        raise AgentConfigError(
            "model=aggregate is for dyna-q with uniform sampling (its planner plans every "
            "action of seen states from the generalization)"
        )
    weight = config.uncertainty_weight
    if config.ensemble == 0:
        if config.uncertainty != UNCERTAINTY.default or weight != LAMBDA.default:
            raise AgentConfigError("uncertainty and lambda need an ensemble (ensemble=K)")
        return
    if config.ensemble == 1:
        raise AgentConfigError("ensemble must be 0 (none) or >= 2 members, got 1")
    if config.model not in ("counts", "aggregate"):
        raise AgentConfigError(
            "ensemble members count outcomes: use model=counts or model=aggregate, "
            f"got model={config.model}"
        )
    if config.sampling != "uniform" or config.model_noise or config.planning_steps == 0:
        raise AgentConfigError(
            "ensemble is for dyna-q with n >= 1, uniform sampling and no model_noise"
        )


def _validate_dyna_q_plus(config: Any) -> None:
    _model_choice(config, ("deterministic", "counts"), "its bonus plans over tried pairs")


def _validate_prioritized(config: Any) -> None:
    if config.planning_steps < 1:
        raise AgentConfigError(
            "prioritized-sweeping plans only through its queue: n must be >= 1, "
            f"got {config.planning_steps}"
        )
    _model_choice(config, ("deterministic", "counts"), "it sweeps over the pairs it tried")


def _validate_tried_pairs_planner(config: Any) -> None:
    _model_choice(config, ("deterministic", "counts"), "it plans over the pairs it tried")


def _validate_dqn(config: Any) -> None:
    settings = config.settings
    if settings["batch"] > settings["buffer"]:
        raise AgentConfigError(
            f"batch ({settings['batch']}) must not exceed buffer ({settings['buffer']})"
        )


DQN_KEYS = (GAMMA, *DEEP_KEYS)
"""DQN's keys, in the order ``dynalab agents`` lists them.

Its defaults (squared TD loss, lr 1e-3, batch 128, two hidden layers of 64, Double DQN,
the target copied every 200 env steps, epsilon down to 0.01) were measured on CartPole-v1's
JAX twin, 16 runs of seed 0 x 50,000 env steps: 14 of 16 runs ended at an evaluation return
of 475 or more (mean 470). The former defaults (Huber loss with delta 1, lr 3e-4, target
every 500) climbed to about 220 by 10,000 steps and fell back: on CartPole's returns (Q up
to 100) nearly every TD error lies outside Huber's delta, so each sample pulls with the
same force and the rare terminal transitions are outvoted (same settings, Huber: 3 of 16).
Measured 2026-12-03 with probe scripts over :func:`dynalab.deep.runs.train_runs`."""


def _validate_dyna_dqn(config: Any) -> None:
    _validate_dqn(config)
    settings = config.settings
    simulated = settings["rollouts"] * settings["k"]
    if simulated > settings["buffer"]:
        raise AgentConfigError(
            f"rollouts x k ({simulated}) must not exceed buffer ({settings['buffer']}): "
            "one rollout round must fit in the model replay"
        )


DYNA_DQN_KEYS = (*DQN_KEYS, *DYNA_KEYS)
"""dyna-dqn's keys: DQN's, then the world model's and its rollouts'."""


def _validate_dreamer(config: Any) -> None:
    settings = config.settings
    if settings["length"] > settings["buffer"]:
        raise AgentConfigError(
            f"length ({settings['length']}) must not exceed buffer ({settings['buffer']})"
        )


DREAMER_ENTRY_KEYS = (GAMMA, BATCH, BUFFER, TRAIN_EVERY, LEARNING_STARTS, MODEL_LR, *DREAMER_KEYS)
"""dreamer's keys: the ones it shares with DQN (sequences per batch, replay, training
rate, the world model's step size), then its own."""


_MODEL = frozenset({"model"})
_DYNA_MEMORY = {
    Kind.MODEL_FREE: frozenset(),
    Kind.DYNA_PLAIN: _MODEL,
    Kind.DYNA: _MODEL,
    Kind.DYNA_ON_POLICY: _MODEL,
}

REGISTRY: dict[str, AgentEntry] = {
    entry.name: entry
    for entry in (
        AgentEntry(
            name="q-learning",
            help="one-step tabular Q-learning (Sutton & Barto 6.5): the model-free baseline",
            keys=(ALPHA, GAMMA, EPSILON),
            kind_of=lambda config: Kind.MODEL_FREE,
            memory={Kind.MODEL_FREE: frozenset()},
        ),
        AgentEntry(
            name="dyna-q",
            help="tabular Dyna-Q (Sutton & Barto Fig. 8.1): Q-learning plus n planning "
            "updates per real step from a learned model",
            keys=(
                N,
                ALPHA,
                GAMMA,
                EPSILON,
                MODEL,
                SAMPLING,
                MODEL_NOISE,
                ENSEMBLE,
                UNCERTAINTY,
                LAMBDA,
            ),
            kind_of=_dyna_kind,
            memory={
                **_DYNA_MEMORY,
                Kind.DYNA_GENERALIZING: frozenset({"model", "generalization"}),
                Kind.DYNA_ENSEMBLE: frozenset({"model", "generalization", "ensemble"}),
            },
            budget_key="n",
            validate=_validate_dyna_q,
        ),
        AgentEntry(
            name="dyna-q+",
            help="Dyna-Q+ (Sutton & Barto 8.3): Dyna-Q whose planning adds the bonus "
            "kappa*sqrt(tau) for actions untried for tau steps, untried actions included",
            keys=(N, KAPPA, ALPHA, GAMMA, EPSILON, MODEL, SAMPLING, MODEL_NOISE),
            kind_of=_dyna_kind,
            memory=_DYNA_MEMORY,
            budget_key="n",
            validate=_validate_dyna_q_plus,
        ),
        AgentEntry(
            name="prioritized-sweeping",
            help="prioritized sweeping (Sutton & Barto 8.4): up to n planning updates per "
            "real step, highest |TD error| first, propagated to predecessors; full "
            "(alpha 1) expected updates under the model by default",
            keys=(N, THETA, ALPHA, GAMMA, EPSILON, MODEL, MODEL_NOISE),
            defaults={"alpha": 1.0},
            kind_of=lambda config: Kind.PRIORITIZED,
            memory={Kind.PRIORITIZED: frozenset({"model", "queue", "predecessors"})},
            budget_key="n",
            validate=_validate_prioritized,
        ),
        AgentEntry(
            name="model-vi",
            help="value iteration on the learned model after every real step (certainty "
            "equivalence), acting epsilon-greedily on the result; optional optimism",
            keys=(SWEEPS, OPTIMISM, GAMMA, EPSILON, MODEL, MODEL_NOISE),
            defaults={"alpha": 1.0},
            kind_of=lambda config: Kind.MODEL_VI,
            memory={Kind.MODEL_VI: _MODEL},
            budget_key="sweeps",
            validate=_validate_tried_pairs_planner,
        ),
        AgentEntry(
            name="mcts",
            help="decision-time UCT search on the learned model (Sutton & Barto 8.11) with "
            "Q-learning's values at the leaves",
            keys=(SIMULATIONS, DEPTH, EXPLORATION, ALPHA, GAMMA, EPSILON, MODEL, MODEL_NOISE),
            kind_of=lambda config: Kind.MCTS,
            memory={Kind.MCTS: frozenset({"model", "tree"})},
            budget_key="simulations",
            validate=_validate_tried_pairs_planner,
        ),
        AgentEntry(
            name="dqn",
            help="DQN (Mnih et al. 2015): a Q-network trained on minibatches from a replay "
            "buffer against a target network, squared TD loss (loss=huber: Huber's), Adam; "
            "Double DQN unless double=0; "
            "neural, in JAX (the deep extra); the defaults reach CartPole's 475 in 50k steps "
            "in 14 of 16 runs",
            keys=DQN_KEYS,
            kind_of=None,
            memory={},
            defaults={"gamma": 0.99},
            validate=_validate_dqn,
            backend="jax",
        ),
        AgentEntry(
            name="dyna-dqn",
            help="Dyna with a neural model (MBPO-style branched rollouts): DQN that also "
            "learns from k-step rollouts of an ensemble of MLPs started at real states; "
            "guard=penalty|truncate uses the members' disagreement; neural, in JAX",
            keys=DYNA_DQN_KEYS,
            kind_of=None,
            memory={},
            defaults={"gamma": 0.99},
            validate=_validate_dyna_dqn,
            backend="jax",
        ),
        AgentEntry(
            name="dreamer",
            help="Dreamer (Hafner et al. 2020-2023): a recurrent latent world model (GRU + "
            "categorical latents) learned from replayed sequences, and an actor-critic "
            "trained only on rollouts imagined in it; neural, in JAX",
            keys=DREAMER_ENTRY_KEYS,
            kind_of=None,
            memory={},
            defaults={
                "gamma": 0.99,
                "batch": 16,
                "buffer": 20_000,
                "train_every": 2,
                "learning_starts": 500,
                "model_lr": 1e-3,
            },
            validate=_validate_dreamer,
            backend="jax",
        ),
    )
}
"""Every agent, by name, in the order ``dynalab agents`` lists them."""

AGENT_NAMES = tuple(REGISTRY)


def entry_of(name: str) -> AgentEntry:
    """The registry entry of agent ``name``; AgentConfigError for an unknown name."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise AgentConfigError(
            f"agent name must be one of {', '.join(AGENT_NAMES)}, got {name!r}"
        ) from None


def agents_taking(key: Key) -> list[str]:
    """The agents whose specs take ``key``."""
    return [entry.name for entry in REGISTRY.values() if key in entry.keys]


def resolve(config: Any) -> None:
    """Fill a configuration's unset fields (None) from its entry, check every value, and
    set its settings (the values of its entry's setting keys, in the entry's order).

    A key the agent takes holds its value, else the agent's own default, else the key's.
    A field the agent does not take holds its fixed value, and setting it to anything else
    is refused (``kappa is for dyna-q+``); so is any setting the agent does not take
    (``lr is for dqn``). Then each value's range and the agent's rules across keys are
    checked (``validate`` sees the resolved ``config.settings``). Raises
    :class:`AgentConfigError`.
    """
    entry = entry_of(config.name)
    settings: dict[str, Any] = {}
    for key in KEYS:
        value = key.value_of(config)
        fixed = entry.default(key)
        taken = key in entry.keys
        if value is None:
            value = fixed
        elif not taken and (key.setting or value != fixed):
            holds = "does not take it" if key.setting else f"takes {key.name}={fixed}"
            raise AgentConfigError(
                f"{key.name} is for {', '.join(agents_taking(key))}; {entry.name} {holds}"
            )
        if key.setting and not taken:
            continue
        key.check(key.label, value)
        if key.setting:
            settings[key.field] = value
        else:
            object.__setattr__(config, key.field, value)
    known = {key.field for key in KEYS if key.setting}
    for name in config.settings:
        if name not in known:
            raise AgentConfigError(f"unknown setting {name!r} for {entry.name}")
    ordered = {key.field: settings[key.field] for key in entry.keys if key.setting}
    object.__setattr__(config, "settings", ordered)
    if entry.validate is not None:
        entry.validate(config)


def spec_of(config: Any) -> str:
    """The shortest agent spec that parses back to ``config``: its name, then each of its
    keys whose value differs from the agent's default, in the entry's order."""
    entry = entry_of(config.name)
    settings = [
        f"{key.name}={key.value_of(config)}"
        for key in entry.keys
        if key.value_of(config) != entry.default(key)
    ]
    return entry.name + (":" + ",".join(settings) if settings else "")
