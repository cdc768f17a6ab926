"""Agent configurations: which algorithm, with which hyper-parameters, validated once."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from dynalab.models.ensemble import UNCERTAINTY_MODES
from dynalab.models.tabular import MODEL_KINDS, ModelSpec

AGENT_NAMES = ("q-learning", "dyna-q", "dyna-q+", "prioritized-sweeping", "model-vi", "mcts")
SAMPLINGS = ("uniform", "on-policy")

# Which compiled loop body an agent runs (see dynalab.experiments.loop).
KIND_MODEL_FREE = 0
KIND_DYNA = 1
KIND_DYNA_ON_POLICY = 2
KIND_PRIORITIZED = 3
KIND_MODEL_VI = 4
KIND_MCTS = 5
KIND_DYNA_GENERALIZING = 6
KIND_DYNA_PLAIN = 7
KIND_DYNA_ENSEMBLE = 8

# Hyper-parameters that only some agents take: name -> (agents, default).
SPECIFIC_KEYS = {
    "kappa": (("dyna-q+",), 0.0),
    "model_noise": (("dyna-q", "dyna-q+", "prioritized-sweeping", "model-vi", "mcts"), 0.0),
    "sampling": (("dyna-q", "dyna-q+"), "uniform"),
    "theta": (("prioritized-sweeping",), 1e-4),
    "sweeps": (("model-vi",), 0),
    "optimism": (("model-vi",), 0.0),
    "simulations": (("mcts",), 50),
    "depth": (("mcts",), 3),
    "exploration": (("mcts",), 1.0),
    "ensemble": (("dyna-q",), 0),
}


class AgentConfigError(ValueError):
    """A hyper-parameter is out of range; the message names it and the allowed range."""


@dataclass(frozen=True)
class AgentConfig:
    """An agent and its hyper-parameters.

    ``planning_steps`` is n, the planning updates per real step (0 for Q-learning; the
    queue pops of prioritized sweeping); ``kappa`` is Dyna-Q+'s bonus weight; ``model``
    is the learned model's kind (``deterministic``: the book's last-outcome model, or
    ``counts``); ``sampling`` picks Dyna's planning distribution (uniform over seen pairs,
    or on-policy trajectories, §8.6); ``theta`` is prioritized sweeping's queueing
    threshold; ``sweeps`` bounds model-vi's sweeps per real step (0: until converged)
    and ``optimism`` is the value it gives untried actions (0: none); ``simulations``,
    ``depth`` and ``exploration`` (UCB's c) configure MCTS. Its UCB1 mean is min-max
    normalised by the returns the search has seen (``dynalab.planners.mcts``), so c is
    relative to their spread: c = 1 gives one visit's bonus at N(s) = e the whole range.
    Measured on the Dyna maze (30 runs x 30 episodes, seeds 0 and 1000), c = 0.5, 1,
    1.41 and 2 brought 60, 59, 52 and 53 of 60 runs near-optimal; c = 0.5 is too greedy
    for a reward one step further (tests/planners/test_mcts.py). The depth is small
    because neighbouring values differ only by a factor gamma, which a deep search dilutes:
    depth 10 (c 1) took 43 steps in episode 30 against depth 3's 16. ``model_noise``
    corrupts that fraction of the learned model's pairs (see ``dynalab.models.tabular``).
    ``ensemble`` (K >= 2 members, dyna-q with ``model=counts`` or ``aggregate``) plans on
    K bootstrap-trained models, shifting each target by ``uncertainty_weight`` (lambda)
    times their disagreement: down (``pessimistic``), up (``optimistic``) or not at all
    (``mean``); see ``dynalab.models.ensemble``.
    """

    name: str = "dyna-q"
    planning_steps: int = 0
    alpha: float = 0.1
    gamma: float = 0.95
    epsilon: float = 0.1
    kappa: float = 0.0
    model: str = "deterministic"
    max_outcomes: int = 8
    sampling: str = "uniform"
    theta: float = 1e-4
    sweeps: int = 0
    optimism: float = 0.0
    simulations: int = 50
    depth: int = 3
    exploration: float = 1.0
    model_noise: float = 0.0
    ensemble: int = 0
    uncertainty: str = "pessimistic"
    uncertainty_weight: float = 1.0

    def __post_init__(self) -> None:
        if self.name not in AGENT_NAMES:
            raise AgentConfigError(
                f"agent name must be one of {', '.join(AGENT_NAMES)}, got {self.name!r}"
            )
        _check_range("alpha", self.alpha, 0.0, 1.0, low_open=True)
        _check_range("gamma", self.gamma, 0.0, 1.0)
        _check_range("epsilon", self.epsilon, 0.0, 1.0)
        if isinstance(self.planning_steps, bool) or not isinstance(self.planning_steps, int):
            raise AgentConfigError(
                f"planning_steps must be an integer >= 0, got {self.planning_steps!r}"
            )
        if self.planning_steps < 0:
            raise AgentConfigError(f"planning_steps must be >= 0, got {self.planning_steps}")
        if not self.kappa >= 0.0:
            raise AgentConfigError(f"kappa must be >= 0, got {self.kappa}")
        if self.model not in MODEL_KINDS:
            raise AgentConfigError(
                f"model must be one of {', '.join(MODEL_KINDS)}, got {self.model!r}"
            )
        if self.name == "q-learning" and self.planning_steps != 0:
            raise AgentConfigError("q-learning learns no model: planning_steps must be 0")
        for key, (agents, default) in SPECIFIC_KEYS.items():
            if self.name not in agents and getattr(self, key) != default:
                raise AgentConfigError(
                    f"{key} is for {', '.join(agents)}; {self.name} takes {key}={default}"
                )
        if self.sampling not in SAMPLINGS:
            raise AgentConfigError(
                f"sampling must be one of {', '.join(SAMPLINGS)}, got {self.sampling!r}"
            )
        if not self.theta >= 0.0:
            raise AgentConfigError(f"theta must be >= 0, got {self.theta}")
        if not self.optimism >= 0.0:
            raise AgentConfigError(f"optimism must be >= 0, got {self.optimism}")
        if not 0.0 <= self.model_noise <= 1.0:
            raise AgentConfigError(f"model_noise must be in [0, 1], got {self.model_noise}")
        if not self.exploration >= 0.0:
            raise AgentConfigError(f"exploration must be >= 0, got {self.exploration}")
        _check_int("sweeps", self.sweeps, 0)
        _check_int("simulations", self.simulations, 1)
        _check_int("depth", self.depth, 1)
        if self.model == "aggregate" and (
            self.name not in ("dyna-q", "dyna-q+") or self.sampling != "uniform" or self.kappa
        ):
            raise AgentConfigError(
                "model=aggregate is for dyna-q with uniform sampling (its planner plans every "
                "action of seen states from the generalization)"
            )
        if self.name in ("model-vi", "mcts") and self.planning_steps != 0:
            raise AgentConfigError(
                f"{self.name} plans by its own keys (sweeps, simulations): planning_steps must be 0"
            )
        if not isinstance(self.max_outcomes, int) or self.max_outcomes < 1:
            raise AgentConfigError(f"max_outcomes must be an integer >= 1, got {self.max_outcomes}")
        self._check_ensemble()

    def _check_ensemble(self) -> None:
        _check_int("ensemble", self.ensemble, 0)
        if self.uncertainty not in UNCERTAINTY_MODES:
            raise AgentConfigError(
                f"uncertainty must be one of {', '.join(UNCERTAINTY_MODES)}, "
                f"got {self.uncertainty!r}"
            )
        try:
            weight = float(self.uncertainty_weight)
        except (TypeError, ValueError):
            raise AgentConfigError(
                f"lambda must be a number >= 0, got {self.uncertainty_weight!r}"
            ) from None
        if not 0.0 <= weight < float("inf"):
            raise AgentConfigError(f"lambda must be a number >= 0, got {self.uncertainty_weight}")
        if self.ensemble == 0:
            if self.uncertainty != "pessimistic" or weight != 1.0:
                raise AgentConfigError("uncertainty and lambda need an ensemble (ensemble=K)")
            return
        if self.ensemble == 1:
            raise AgentConfigError("ensemble must be 0 (none) or >= 2 members, got 1")
        if self.model not in ("counts", "aggregate"):
            raise AgentConfigError(
                "ensemble members count outcomes: use model=counts or model=aggregate, "
                f"got model={self.model}"
            )
        if self.sampling != "uniform" or self.model_noise or self.planning_steps == 0:
            raise AgentConfigError(
                "ensemble is for dyna-q with n >= 1, uniform sampling and no model_noise"
            )

    @property
    def untried_actions(self) -> bool:
        """Dyna-Q+ also plans with untried actions (Sutton & Barto §8.3, footnote)."""
        return self.name == "dyna-q+"

    @property
    def kind(self) -> int:
        """Which compiled loop body runs this agent."""
        if self.name == "prioritized-sweeping":
            return KIND_PRIORITIZED
        if self.name == "model-vi":
            return KIND_MODEL_VI
        if self.name == "mcts":
            return KIND_MCTS
        if self.planning_steps == 0:
            return KIND_MODEL_FREE
        if self.ensemble:
            return KIND_DYNA_ENSEMBLE
        if self.model == "aggregate":
            return KIND_DYNA_GENERALIZING
        if self.sampling == "on-policy":
            return KIND_DYNA_ON_POLICY
        if self.model == "deterministic" and self.model_noise == 0.0:
            return KIND_DYNA_PLAIN
        return KIND_DYNA

    @property
    def learns_model(self) -> bool:
        return self.kind != KIND_MODEL_FREE

    @property
    def model_spec(self) -> ModelSpec:
        kind = "counts" if self.ensemble else self.model
        return ModelSpec(kind=kind, max_outcomes=self.max_outcomes, noise=self.model_noise)

    def to_dict(self) -> dict:
        return asdict(self)


def q_learning(alpha: float = 0.1, gamma: float = 0.95, epsilon: float = 0.1) -> AgentConfig:
    """One-step tabular Q-learning (Sutton & Barto §6.5): the model-free baseline."""
    return AgentConfig("q-learning", 0, alpha, gamma, epsilon)


def dyna_q(
    planning_steps: int = 5,
    alpha: float = 0.1,
    gamma: float = 0.95,
    epsilon: float = 0.1,
    model: str = "deterministic",
) -> AgentConfig:
    """Tabular Dyna-Q (Sutton & Barto Fig. 8.1)."""
    return AgentConfig("dyna-q", planning_steps, alpha, gamma, epsilon, 0.0, model)


def dyna_q_plus(
    planning_steps: int = 5,
    kappa: float = 1e-3,
    alpha: float = 0.1,
    gamma: float = 0.95,
    epsilon: float = 0.1,
    model: str = "deterministic",
) -> AgentConfig:
    """Dyna-Q+ (Sutton & Barto §8.3): Dyna-Q with the bonus kappa*sqrt(tau) in planning."""
    return AgentConfig("dyna-q+", planning_steps, alpha, gamma, epsilon, kappa, model)


def _check_int(label: str, value: object, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise AgentConfigError(f"{label} must be an integer >= {low}, got {value!r}")


def prioritized_sweeping(
    planning_steps: int = 5,
    theta: float = 1e-4,
    alpha: float = 0.1,
    gamma: float = 0.95,
    epsilon: float = 0.1,
    model: str = "deterministic",
) -> AgentConfig:
    """Prioritized sweeping (Sutton & Barto §8.4); with ``model="counts"`` the
    expected-update version."""
    return AgentConfig(
        "prioritized-sweeping", planning_steps, alpha, gamma, epsilon, model=model, theta=theta
    )


def model_vi(
    sweeps: int = 0,
    optimism: float = 0.0,
    gamma: float = 0.95,
    epsilon: float = 0.1,
    model: str = "deterministic",
) -> AgentConfig:
    """Value iteration on the learned model after every real step (certainty equivalence)."""
    return AgentConfig(
        "model-vi", 0, 1.0, gamma, epsilon, model=model, sweeps=sweeps, optimism=optimism
    )


def mcts(
    simulations: int = 50,
    depth: int = 3,
    exploration: float = 1.0,
    alpha: float = 0.1,
    gamma: float = 0.95,
    epsilon: float = 0.1,
    model: str = "deterministic",
) -> AgentConfig:
    """Decision-time planning by UCT on the learned model, Q-learning as leaf values (§8.11)."""
    return AgentConfig(
        "mcts",
        0,
        alpha,
        gamma,
        epsilon,
        model=model,
        simulations=simulations,
        depth=depth,
        exploration=exploration,
    )


def _check_range(label: str, value: float, low: float, high: float, low_open: bool = False) -> None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise AgentConfigError(f"{label} must be a number, got {value!r}") from None
    too_low = number <= low if low_open else number < low
    if too_low or number > high or number != number:
        bracket = "(" if low_open else "["
        raise AgentConfigError(f"{label} must be in {bracket}{low:g}, {high:g}], got {value}")
