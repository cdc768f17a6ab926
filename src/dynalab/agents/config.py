"""Agent configurations: which algorithm, with which hyper-parameters, validated once."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from dynalab.models.tabular import MODEL_KINDS, ModelSpec

AGENT_NAMES = ("q-learning", "dyna-q", "dyna-q+")


class AgentConfigError(ValueError):
    """A hyper-parameter is out of range; the message names it and the allowed range."""


@dataclass(frozen=True)
class AgentConfig:
    """An agent: Q-learning, Dyna-Q or Dyna-Q+ and its hyper-parameters.

    ``planning_steps`` is n, the simulated updates per real step (0 for Q-learning);
    ``kappa`` is Dyna-Q+'s bonus weight (0 for the others); ``model`` is the learned
    model's kind (``deterministic``: the book's last-outcome model, or ``counts``).
    """

    name: str = "dyna-q"
    planning_steps: int = 0
    alpha: float = 0.1
    gamma: float = 0.95
    epsilon: float = 0.1
    kappa: float = 0.0
    model: str = "deterministic"
    max_outcomes: int = 8

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
        if self.name != "dyna-q+" and self.kappa != 0.0:
            raise AgentConfigError(f"kappa is Dyna-Q+'s bonus; {self.name} takes kappa=0")
        if not isinstance(self.max_outcomes, int) or self.max_outcomes < 1:
            raise AgentConfigError(f"max_outcomes must be an integer >= 1, got {self.max_outcomes}")

    @property
    def untried_actions(self) -> bool:
        """Dyna-Q+ also plans with untried actions (Sutton & Barto §8.3, footnote)."""
        return self.name == "dyna-q+"

    @property
    def model_spec(self) -> ModelSpec:
        return ModelSpec(kind=self.model, max_outcomes=self.max_outcomes)

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


def _check_range(label: str, value: float, low: float, high: float, low_open: bool = False) -> None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise AgentConfigError(f"{label} must be a number, got {value!r}") from None
    too_low = number <= low if low_open else number < low
    if too_low or number > high or number != number:
        bracket = "(" if low_open else "["
        raise AgentConfigError(f"{label} must be in {bracket}{low:g}, {high:g}], got {value}")
