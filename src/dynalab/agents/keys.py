"""The keys of agent specs: what each ``key=value`` sets, how it is read and checked.

A :class:`Key` is declared once here and listed by every agent that takes it (in
``dynalab.agents.registry``); its help and default reach ``dynalab agents``, the spec
parser and the configuration's checks from this one place.

A key's value lives in one of two places of an ``AgentConfig``: a field of its own (the
tabular keys, and keys that both backends share, such as ``gamma``), or, for a key of
one backend's agents only (the neural agents' ``lr``, ``batch``, ...), the entry
``settings[key.field]`` of the configuration's ``settings`` mapping
(``Key.setting``). :meth:`Key.value_of` reads either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dynalab.models.ensemble import UNCERTAINTY_MODES
from dynalab.models.tabular import MODEL_KINDS
from dynalab.values import BadValueError, Parser, finite_float, int_in_range, one_of

SAMPLINGS = ("uniform", "on-policy")
"""Dyna's planning distributions: uniform over seen states then their tried actions
(Fig. 8.1), or on-policy trajectories from the start state (§8.6)."""


class AgentConfigError(ValueError):
    """A hyper-parameter is out of range; the message names it and the allowed range."""


def number_in(low: float, high: float = float("inf"), low_open: bool = False) -> Callable:
    """A check that a value is a number in [low, high] (``(low, high]`` when low_open)."""

    def check(label: str, value: object) -> None:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise AgentConfigError(f"{label} must be a number, got {value!r}") from None
        too_low = number <= low if low_open else number < low
        if too_low or number > high or number != number:
            if high == float("inf"):
                raise AgentConfigError(f"{label} must be >= {low:g}, got {value}")
            bracket = "(" if low_open else "["
            raise AgentConfigError(f"{label} must be in {bracket}{low:g}, {high:g}], got {value}")

    return check


def integer_from(low: int) -> Callable:
    """A check that a value is an integer >= low (bools refused)."""

    def check(label: str, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise AgentConfigError(f"{label} must be an integer >= {low}, got {value!r}")

    return check


def choice_of(choices: tuple[str, ...]) -> Callable:
    """A check that a value is one of ``choices``."""

    def check(label: str, value: object) -> None:
        if value not in choices:
            raise AgentConfigError(f"{label} must be one of {', '.join(choices)}, got {value!r}")

    return check


def flag_of(text: str) -> bool:
    """A yes/no value: ``1``, ``true``, ``yes`` or ``0``, ``false``, ``no`` (any case)."""
    words = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
    if text.lower() not in words:
        raise BadValueError("expected 1 or 0 (true or false)")
    return words[text.lower()]


def layer_sizes(text: str) -> str:
    """Hidden layer widths as ``64x64`` (``0``: no hidden layer), kept as that text."""
    if text == "0":
        return text
    parts = text.split("x")
    if not all(part.isdigit() and int(part) >= 1 for part in parts):
        raise BadValueError("expected widths >= 1 joined by 'x', as 64x64, or 0 for none")
    return "x".join(str(int(part)) for part in parts)


def is_flag(label: str, value: object) -> None:
    """A check that a value is a bool."""
    if not isinstance(value, bool):
        raise AgentConfigError(f"{label} must be True or False, got {value!r}")


def are_layer_sizes(label: str, value: object) -> None:
    """A check that a value is layer-size text (:func:`layer_sizes`)."""
    try:
        if not isinstance(value, str) or layer_sizes(value) != value:
            raise BadValueError("")
    except BadValueError:
        raise AgentConfigError(
            f"{label} must be widths joined by 'x' (as '64x64') or '0', got {value!r}"
        ) from None


@dataclass(frozen=True)
class Key:
    """One ``key=value`` of an agent spec: where its value lives (``field``: the config
    field it sets, or with ``setting`` the name of its entry in the config's
    ``settings``), how its text is read (``parse``), its default, one line of help, and
    its range check. ``off`` is the value an agent that does not take the key holds in
    that field (a setting key is simply absent from such an agent's settings)."""

    name: str
    field: str
    parse: Parser
    default: Any
    help: str
    check: Callable[[str, object], None]
    off: Any = None
    setting: bool = False

    @property
    def off_value(self) -> Any:
        return self.default if self.off is None else self.off

    @property
    def label(self) -> str:
        """How messages name the key: ``n (planning_steps)`` where the names differ."""
        return self.name if self.name == self.field else f"{self.name} ({self.field})"

    def value_of(self, config: Any) -> Any:
        """This key's value in ``config`` (None for a setting it does not hold)."""
        if self.setting:
            return config.settings.get(self.field)
        return getattr(config, self.field)


def _key(name: str, parse: Parser, default: Any, help: str, check: Callable, **kw: Any) -> Key:
    return Key(name, kw.pop("field", name), parse, default, help, check, **kw)


def setting_key(name: str, parse: Parser, default: Any, help: str, check: Callable) -> Key:
    """A key held in the config's ``settings`` under its own name (the neural agents'
    keys: :mod:`dynalab.agents.neural_keys`, :mod:`dynalab.agents.dreamer_keys`)."""
    return Key(name, name, parse, default, help, check, setting=True)


N = _key(
    "n",
    int_in_range(0),
    5,
    "planning updates per real step",
    integer_from(0),
    field="planning_steps",
    off=0,
)
ALPHA = _key("alpha", finite_float, 0.1, "step size, in (0, 1]", number_in(0, 1, low_open=True))
GAMMA = _key("gamma", finite_float, 0.95, "discount factor, in [0, 1]", number_in(0, 1))
EPSILON = _key(
    "epsilon", finite_float, 0.1, "exploration rate of epsilon-greedy, in [0, 1]", number_in(0, 1)
)
MODEL = _key(
    "model",
    one_of(MODEL_KINDS),
    "deterministic",
    "learned model: deterministic (the book's last outcome), counts (outcome "
    "frequencies) or aggregate (also predicts untried pairs; dyna-q)",
    choice_of(MODEL_KINDS),
)
MODEL_NOISE = _key(
    "model_noise",
    finite_float,
    0.0,
    "fraction of pairs whose learned next state is a fixed random wrong one, in [0, 1]",
    number_in(0, 1),
)
KAPPA = _key(
    "kappa",
    finite_float,
    1e-3,
    "Dyna-Q+'s bonus weight in kappa*sqrt(tau), >= 0",
    number_in(0),
    off=0.0,
)
SAMPLING = _key(
    "sampling",
    one_of(SAMPLINGS),
    "uniform",
    "planning distribution: uniform (a seen state, then one of its tried "
    "actions) or on-policy trajectories from the start state (8.6)",
    choice_of(SAMPLINGS),
)
THETA = _key("theta", finite_float, 1e-4, "queueing threshold on |target - Q|, >= 0", number_in(0))
SWEEPS = _key(
    "sweeps",
    int_in_range(0),
    0,
    "value-iteration sweeps per real step, >= 0 (0: until converged)",
    integer_from(0),
)
OPTIMISM = _key(
    "optimism",
    finite_float,
    0.0,
    "value of untried actions of seen states (R-max style), >= 0 (0: none)",
    number_in(0),
)
SIMULATIONS = _key(
    "simulations", int_in_range(1), 50, "simulations per decision, >= 1", integer_from(1)
)
DEPTH = _key("depth", int_in_range(1), 3, "model steps per simulation, >= 1", integer_from(1))
EXPLORATION = _key(
    "c",
    finite_float,
    1.0,
    "UCB exploration constant, relative to the range of returns the search has seen "
    "(means min-max normalised), >= 0",
    number_in(0),
    field="exploration",
)
ENSEMBLE = _key(
    "ensemble",
    int_in_range(0),
    0,
    "K >= 2 models trained on Poisson(1) bootstrap resamples (model=counts or aggregate); 0: none",
    integer_from(0),
)
UNCERTAINTY = _key(
    "uncertainty",
    one_of(UNCERTAINTY_MODES),
    "pessimistic",
    "how the ensemble's disagreement shifts targets: pessimistic (minus "
    "lambda x disagreement), optimistic (plus) or mean",
    choice_of(UNCERTAINTY_MODES),
)
LAMBDA = _key(
    "lambda",
    finite_float,
    1.0,
    "weight of the ensemble's disagreement, >= 0",
    number_in(0),
    field="uncertainty_weight",
)

TABULAR_KEYS: tuple[Key, ...] = (
    N,
    ALPHA,
    GAMMA,
    EPSILON,
    MODEL,
    MODEL_NOISE,
    KAPPA,
    SAMPLING,
    THETA,
    SWEEPS,
    OPTIMISM,
    SIMULATIONS,
    DEPTH,
    EXPLORATION,
    ENSEMBLE,
    UNCERTAINTY,
    LAMBDA,
)
"""Every key of the tabular agents, in the order ``dynalab agents`` lists them."""
