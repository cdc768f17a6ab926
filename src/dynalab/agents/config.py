"""Agent configurations: which algorithm, with which hyper-parameters, validated once.

Each field is one key of an agent spec (``dynalab.agents.keys``); which agent takes which
key, and its defaults, come from the registry (``dynalab.agents.registry``). A field left
unset (None) takes the agent's default, so ``AgentConfig(name="prioritized-sweeping")``
is prioritized sweeping with its own n and alpha, as ``dynalab agents`` lists them.

Keys of one backend's agents only (the neural agents' ``lr``, ``batch``, ...) have no
field: their values live in the configuration's ``settings`` mapping, and the
constructor takes them by name like fields, so ``AgentConfig(name="dqn", lr=3e-4)`` and
``AgentConfig(name="dqn", settings={"lr": 3e-4})`` are the same configuration.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from dynalab.agents.key_set import KEYS
from dynalab.agents.keys import SAMPLINGS, AgentConfigError
from dynalab.agents.kinds import Kind
from dynalab.agents.registry import AGENT_NAMES, entry_of, resolve, spec_of
from dynalab.models.tabular import ModelSpec

__all__ = ["AGENT_NAMES", "SAMPLINGS", "AgentConfig", "AgentConfigError"]


_SETTINGS = frozenset(key.field for key in KEYS if key.setting)
"""The names a configuration keeps in ``settings`` rather than in fields."""


@dataclass(frozen=True, kw_only=True, init=False)
class AgentConfig:
    """An agent and its hyper-parameters (keyword arguments only).

    ``planning_steps`` is n (spec key ``n``), the planning updates per real step (the
    queue pops of prioritized sweeping); ``kappa`` is Dyna-Q+'s bonus weight; ``model``
    the learned model (``deterministic``: the book's last-outcome model, ``counts``, or
    ``aggregate``); ``sampling`` Dyna's planning distribution; ``theta`` prioritized
    sweeping's queueing threshold; ``sweeps`` and ``optimism`` configure model-vi;
    ``simulations``, ``depth`` and ``exploration`` (UCB's c, spec key ``c``) configure
    MCTS; ``model_noise`` corrupts that fraction of the learned model's pairs (see
    ``dynalab.models.tabular``); ``ensemble``, ``uncertainty`` and ``uncertainty_weight``
    (lambda) plan on K bootstrap-trained models (``dynalab.models.ensemble``);
    ``max_outcomes`` bounds a count model's outcomes per pair where the world's are not
    known (the compiled runner sizes it from the world). ``settings`` holds the values of
    the agent's keys that have no field (neural agents: ``lr``, ``batch``, ...; empty for
    tabular agents), given as keywords or as a mapping. The registry gives each agent's
    defaults and refuses fields and settings the agent does not take.
    """

    name: str
    planning_steps: int | None = None
    alpha: float | None = None
    gamma: float | None = None
    epsilon: float | None = None
    kappa: float | None = None
    model: str | None = None
    sampling: str | None = None
    theta: float | None = None
    sweeps: int | None = None
    optimism: float | None = None
    simulations: int | None = None
    depth: int | None = None
    exploration: float | None = None
    model_noise: float | None = None
    ensemble: int | None = None
    uncertainty: str | None = None
    uncertainty_weight: float | None = None
    max_outcomes: int = 8
    settings: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __init__(
        self, *, name: str, settings: Mapping[str, Any] | None = None, **values: Any
    ) -> None:
        chosen = dict(settings or {})
        object.__setattr__(self, "name", name)
        for each in dataclasses.fields(self):
            if each.name not in ("name", "settings"):
                object.__setattr__(self, each.name, values.pop(each.name, each.default))
        for setting, value in values.items():
            if setting not in _SETTINGS:
                raise TypeError(f"AgentConfig got an unexpected keyword argument {setting!r}")
            if setting in chosen:
                raise TypeError(f"AgentConfig got {setting!r} both as keyword and in settings")
            chosen[setting] = value
        object.__setattr__(self, "settings", chosen)
        self.__post_init__()

    def __post_init__(self) -> None:
        resolve(self)
        if not isinstance(self.max_outcomes, int) or self.max_outcomes < 1:
            raise AgentConfigError(f"max_outcomes must be an integer >= 1, got {self.max_outcomes}")

    @property
    def untried_actions(self) -> bool:
        """Dyna-Q+ also plans with untried actions (Sutton & Barto §8.3, footnote)."""
        return self.name == "dyna-q+"

    @property
    def backend(self) -> str:
        """``tabular`` (compiled loops over arrays) or ``jax`` (neural, whole runs jitted)."""
        return entry_of(self.name).backend

    @property
    def kind(self) -> Kind:
        """Which compiled loop body runs this agent (tabular agents only)."""
        entry = entry_of(self.name)
        if entry.kind_of is None:
            raise AgentConfigError(
                f"{self.name} runs on the {entry.backend} backend, not in a compiled tabular loop"
            )
        return entry.kind_of(self)

    @property
    def memory(self) -> frozenset[str]:
        """The structures this agent keeps besides Q."""
        return entry_of(self.name).memory[self.kind]

    @property
    def learns_model(self) -> bool:
        return "model" in self.memory

    @property
    def spec(self) -> str:
        """The shortest agent spec naming this configuration (``dyna-q:n=50``)."""
        return spec_of(self)

    @property
    def model_spec(self) -> ModelSpec:
        kind = "counts" if self.ensemble else self.model
        return ModelSpec(kind=kind, max_outcomes=self.max_outcomes, noise=self.model_noise)

    def to_dict(self) -> dict:
        return asdict(self)


def q_learning(alpha: float = 0.1, gamma: float = 0.95, epsilon: float = 0.1) -> AgentConfig:
    """One-step tabular Q-learning (Sutton & Barto §6.5): the model-free baseline."""
    return AgentConfig(name="q-learning", alpha=alpha, gamma=gamma, epsilon=epsilon)


def dyna_q(
    planning_steps: int = 5,
    alpha: float = 0.1,
    gamma: float = 0.95,
    epsilon: float = 0.1,
    model: str = "deterministic",
) -> AgentConfig:
    """Tabular Dyna-Q (Sutton & Barto Fig. 8.1)."""
    return AgentConfig(
        name="dyna-q",
        planning_steps=planning_steps,
        alpha=alpha,
        gamma=gamma,
        epsilon=epsilon,
        model=model,
    )


def dyna_q_plus(
    planning_steps: int = 5,
    kappa: float = 1e-3,
    alpha: float = 0.1,
    gamma: float = 0.95,
    epsilon: float = 0.1,
    model: str = "deterministic",
) -> AgentConfig:
    """Dyna-Q+ (Sutton & Barto §8.3): Dyna-Q with the bonus kappa*sqrt(tau) in planning."""
    return AgentConfig(
        name="dyna-q+",
        planning_steps=planning_steps,
        kappa=kappa,
        alpha=alpha,
        gamma=gamma,
        epsilon=epsilon,
        model=model,
    )
