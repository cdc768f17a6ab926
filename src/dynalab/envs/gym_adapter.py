"""Gymnasium both ways: exact tables from toy-text envs, and dynalab worlds as Gymnasium envs.

* :func:`from_gymnasium` reads the transition table ``env.unwrapped.P`` that Gymnasium's
  toy-text envs (FrozenLake, CliffWalking, Taxi) expose, ``P[s][a] = [(prob, next, reward,
  terminated), ...]``, into an :class:`~dynalab.envs.mdp.ArrayMDP`, so ground truth can be
  computed for them.
* :class:`TabularEnv` runs an ``ArrayMDP`` or a ``WorldSchedule`` as a ``gymnasium.Env``,
  drawing all randomness from ``self.np_random`` with the same compiled samplers the fast
  path uses.
* :func:`register_envs` registers the builtin worlds (the book's chapter-8 mazes, the
  slippery cliff and the swamp maze) as ``dynalab/...-v0`` ids, and as pictures
  (``dynalab/...-pixels-v0``).

Every refusal is an :class:`UnsupportedEnvError` with a one-line message, so the CLI can
print it as is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces

from dynalab.envs.mdp import ArrayMDP, WorldSchedule, as_schedule, sample_outcome, sample_start

BUILTIN_ENV_IDS: dict[str, str] = {
    "dynalab/DynaMaze-v0": "dyna-maze",
    "dynalab/BlockingMaze-v0": "blocking-maze",
    "dynalab/ShortcutMaze-v0": "shortcut-maze",
    "dynalab/SlipperyCliff-v0": "slippery-cliff",
    "dynalab/SwampMaze-v0": "swamp-maze",
}
"""Gymnasium ids registered by :func:`register_envs`, mapped to their builtin world names."""

PIXEL_ENV_IDS: dict[str, str] = {
    env_id.replace("-v0", "-pixels-v0"): world for env_id, world in BUILTIN_ENV_IDS.items()
}
"""The same worlds observed as pictures (:mod:`dynalab.envs.pixels`): ``dynalab/DynaMaze-pixels-v0``
and friends; ``gymnasium.make(id, upscale=K)`` draws each cell as KxK pixels."""


class UnsupportedEnvError(ValueError):
    """A Gymnasium env (or id) dynalab cannot use; the message is one line, fit to print."""


def env_label(env: gymnasium.Env) -> str:
    """A short name for ``env`` in messages: ``gym:<id>`` when it was made from an id."""
    spec = getattr(env, "spec", None)
    if spec is not None:
        return f"gym:{spec.id}"
    return f"gym:{type(env.unwrapped).__name__}"


def _discrete_size(space: spaces.Space, label: str, role: str) -> int:
    """Size of a ``Discrete`` space starting at 0; refuse anything else.

    A nonzero ``start`` is refused rather than offset: observations and the table ``P``
    would then disagree on what a state index means.
    """
    if not isinstance(space, spaces.Discrete):
        raise UnsupportedEnvError(
            f"{label}: {role} space {space} is not Discrete; "
            "dynalab needs Discrete observation and action spaces"
        )
    if int(space.start) != 0:
        raise UnsupportedEnvError(
            f"{label}: {role} space {space} starts at {int(space.start)}; "
            "dynalab needs Discrete spaces starting at 0"
        )
    return int(space.n)


def check_discrete(env: gymnasium.Env) -> tuple[int, int]:
    """``(n_states, n_actions)`` of an env with ``Discrete`` spaces starting at 0.

    Raises :class:`UnsupportedEnvError` naming the env and the offending space otherwise.
    """
    label = env_label(env)
    n_states = _discrete_size(env.observation_space, label, "observation")
    n_actions = _discrete_size(env.action_space, label, "action")
    return n_states, n_actions


def _transition_lists(
    env: gymnasium.Env, label: str, n_states: int, n_actions: int
) -> list[list[list[tuple[float, int, float, bool]]]]:
    """``P[s][a]`` as nested lists of plain-Python outcome tuples, checked for shape.

    The toy-text envs store states as NumPy integers (CliffWalking) and ``P`` as dicts;
    this normalises both.
    """
    table = getattr(env.unwrapped, "P", None)
    if table is None:
        raise UnsupportedEnvError(
            f"{label} exposes no transition table env.unwrapped.P; dynalab can learn from "
            "it step by step but cannot compute ground truth"
        )
    try:
        return [
            [[_outcome(outcome) for outcome in table[s][a]] for a in range(n_actions)]
            for s in range(n_states)
        ]
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise UnsupportedEnvError(
            f"{label}: env.unwrapped.P is not a table P[s][a] = [(prob, next, reward, "
            f"terminated), ...] over {n_states} states and {n_actions} actions ({error!r})"
        ) from None


def _outcome(outcome: Any) -> tuple[float, int, float, bool]:
    """One ``(prob, next, reward, terminated)`` entry of ``P`` as plain Python values."""
    p, s2, r, t = outcome
    return float(p), int(s2), float(r), bool(t)


def _merge_outcomes(
    outcomes: list[tuple[float, int, float, bool]],
) -> list[tuple[float, int, float, bool]]:
    """One outcome per distinct ``(next, reward, terminated)``, probabilities summed.

    Gymnasium lists a slip that bumps into the edge as its own entry, so FrozenLake's
    ``P[3][2]`` names state 3 twice; merged, each slot is a distinct outcome, and a pair's
    most likely outcome, or whether it is certain, can be read off one slot. Outcomes
    keep the order of their first listing. A sole outcome gets probability exactly 1:
    Gymnasium's thirds can sum to 1 give or take a rounding error.
    """
    merged: dict[tuple[int, float, bool], float] = {}
    for p, s2, r, t in outcomes:
        merged[(s2, r, t)] = merged.get((s2, r, t), 0.0) + p
    if len(merged) == 1:
        return [(1.0, s2, r, t) for s2, r, t in merged]
    return [(p, s2, r, t) for (s2, r, t), p in merged.items()]


def _outcome_arrays(
    rows: list[list[list[tuple[float, int, float, bool]]]], label: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Dense ``(next_state, prob, reward, terminal)`` arrays from the outcome lists.

    Each (s, a) list is merged first (:func:`_merge_outcomes`), then its outcomes fill the
    slots in order; shorter lists are padded with probability-0 slots that stay in ``s``.
    """
    rows = [[_merge_outcomes(outcomes) for outcomes in row] for row in rows]
    n_states, n_actions = len(rows), len(rows[0])
    n_outcomes = max(len(outcomes) for row in rows for outcomes in row)
    if n_outcomes == 0:
        raise UnsupportedEnvError(f"{label}: env.unwrapped.P lists no outcomes at all")
    shape = (n_states, n_actions, n_outcomes)
    next_state = np.repeat(np.arange(n_states), n_actions * n_outcomes).reshape(shape)
    prob = np.zeros(shape)
    reward = np.zeros(shape)
    terminal = np.zeros(shape, dtype=np.bool_)
    for s, row in enumerate(rows):
        for a, outcomes in enumerate(row):
            for k, (p, s2, r, t) in enumerate(outcomes):
                if not 0 <= s2 < n_states:
                    raise UnsupportedEnvError(
                        f"{label}: P[{s}][{a}] leads to state {s2}, outside 0..{n_states - 1}"
                    )
                next_state[s, a, k] = s2
                prob[s, a, k] = p
                reward[s, a, k] = r
                terminal[s, a, k] = t
    return next_state, prob, reward, terminal


def _start_distribution(env: gymnasium.Env, label: str, n_states: int) -> np.ndarray:
    """``env.unwrapped.initial_state_distrib``, normalised to sum to 1."""
    start = getattr(env.unwrapped, "initial_state_distrib", None)
    if start is None:
        raise UnsupportedEnvError(
            f"{label} exposes no start distribution env.unwrapped.initial_state_distrib"
        )
    start = np.asarray(start, dtype=np.float64).ravel()
    if start.shape != (n_states,) or (start < 0).any() or start.sum() <= 0:
        raise UnsupportedEnvError(
            f"{label}: initial_state_distrib is not a distribution over {n_states} states"
        )
    return start / start.sum()


def _refuse_hidden_dynamics(env: gymnasium.Env, label: str) -> None:
    """Refuse envs whose ``step`` does more than ``P`` says (Taxi's fickle passenger)."""
    if getattr(env.unwrapped, "fickle_passenger", False):
        raise UnsupportedEnvError(
            f"{label}: fickle_passenger changes the destination outside env.unwrapped.P; "
            "make it with fickle_passenger=False"
        )


def from_gymnasium(env: gymnasium.Env, name: str | None = None) -> ArrayMDP:
    """The exact :class:`ArrayMDP` of a toy-text Gymnasium env, read from ``env.unwrapped.P``.

    Outcomes of one (s, a) with equal next state, reward and termination are merged into
    one, their probabilities summed (FrozenLake's slippery lists can name one next state
    twice); the outcome axis is the longest merged list over all (s, a). The start
    distribution is ``initial_state_distrib``; the time limit ``env.spec.max_episode_steps``
    (the ``TimeLimit`` of ``gymnasium.make``) becomes ``max_steps``, else 0.

    CliffWalking needs no special case: in Gymnasium 1.x stepping into the cliff is an
    ordinary non-terminating outcome (reward -100, back to the start state 36), and the
    cliff cells keep table rows of their own that are never reached.
    """
    label = env_label(env)
    n_states, n_actions = check_discrete(env)
    _refuse_hidden_dynamics(env, label)
    rows = _transition_lists(env, label, n_states, n_actions)
    next_state, prob, reward, terminal = _outcome_arrays(rows, label)
    start_prob = _start_distribution(env, label, n_states)
    spec = getattr(env, "spec", None)
    max_steps = int(spec.max_episode_steps or 0) if spec is not None else 0
    try:
        return ArrayMDP(
            next_state=next_state,
            prob=prob,
            reward=reward,
            terminal=terminal,
            start_prob=start_prob,
            max_steps=max_steps,
            name=name or label,
        )
    except ValueError as error:
        raise UnsupportedEnvError(f"{label}: {error}") from None


def _first_line(error: BaseException) -> str:
    """The first line of an error's message, for one-line reports."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def make_gym_env(env_id: str, **kwargs: Any) -> gymnasium.Env:
    """``gymnasium.make(env_id, **kwargs)`` with its id and keyword errors as one-liners.

    Unknown, deprecated or unregistered ids keep Gymnasium's own sentence, which carries
    its suggestion ("Did you mean: `FrozenLake`?") when it has one.
    """
    try:
        return gymnasium.make(env_id, **kwargs)
    except gymnasium.error.Error as error:
        raise UnsupportedEnvError(f"gym:{env_id}: {_first_line(error)}") from None
    except TypeError as error:
        match = re.search(r"unexpected keyword argument '([^']+)'", str(error))
        if match is None:
            raise UnsupportedEnvError(f"gym:{env_id}: {_first_line(error)}") from None
        raise UnsupportedEnvError(
            f"gym:{env_id}: unknown keyword argument '{match.group(1)}'"
        ) from None


class TabularEnv(gymnasium.Env[int, int]):
    """A dynalab world (an ``ArrayMDP`` or a ``WorldSchedule``) as a Gymnasium env.

    Real steps are counted from construction across episodes; step ``t`` uses
    ``schedule.world_at(t)``, so a scheduled change happens at exactly that step, even in
    mid-episode. An episode is truncated when the world in force has ``max_steps > 0`` and
    the episode has taken that many steps without terminating.
    """

    metadata = {"render_modes": ["ansi"]}

    def __init__(
        self,
        world: ArrayMDP | WorldSchedule,
        render_mode: str | None = None,
        render_text: Callable[[int], str] | None = None,
    ) -> None:
        self.schedule = as_schedule(world)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or 'ansi', got {render_mode!r}")
        self.render_mode = render_mode
        self.render_text = render_text
        self.observation_space = spaces.Discrete(self.schedule.n_states)
        self.action_space = spaces.Discrete(self.schedule.n_actions)
        self.total_steps = 0
        self.episode_steps = 0
        self.state: int | None = None

    @property
    def world(self) -> ArrayMDP:
        """The world in force for the next real step."""
        return self.schedule.world_at(self.total_steps)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Start an episode in a state drawn from the current world's start distribution."""
        super().reset(seed=seed)
        start_prob = self.world.start_prob
        self.state = int(sample_start(start_prob, self.np_random.random()))
        self.episode_steps = 0
        return self.state, {"prob": float(start_prob[self.state])}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict[str, Any]]:
        """Draw one outcome of ``(state, action)`` in the world in force at this real step."""
        if self.state is None:
            raise gymnasium.error.ResetNeeded("call reset() before step()")
        if not self.action_space.contains(action):
            raise ValueError(f"action {action!r} is not in {self.action_space}")
        world = self.world
        s, a = self.state, int(action)
        k = sample_outcome(world.prob, s, a, self.np_random.random())
        self.state = int(world.next_state[s, a, k])
        self.total_steps += 1
        self.episode_steps += 1
        terminated = bool(world.terminal[s, a, k])
        truncated = not terminated and world.max_steps > 0 and self.episode_steps >= world.max_steps
        reward = float(world.reward[s, a, k])
        return self.state, reward, terminated, truncated, {"prob": float(world.prob[s, a, k])}

    def render(self) -> str | None:
        """In ``"ansi"`` mode, ``render_text(state)`` if given, else ``"state <s>"``."""
        if self.render_mode != "ansi" or self.state is None:
            return None
        if self.render_text is not None:
            return self.render_text(self.state)
        return f"state {self.state}"


def make_builtin_env(world: str, **kwargs: Any) -> TabularEnv:
    """A :class:`TabularEnv` over a builtin world by name; the entry point of the ids.

    The world is built only when an env is made, so registering costs nothing.
    """
    from dynalab.envs.builtin import BUILTIN_WORLDS

    if world not in BUILTIN_WORLDS:
        known = ", ".join(sorted(BUILTIN_WORLDS))
        raise UnsupportedEnvError(f"no builtin world {world!r}; known worlds: {known}")
    built = BUILTIN_WORLDS[world].factory()
    if hasattr(built, "to_schedule"):
        return TabularEnv(built.to_schedule(), **kwargs)
    return TabularEnv(built.to_mdp(), **kwargs)


def register_envs() -> None:
    """Register the builtin mazes as ``dynalab/<Name>-v0`` Gymnasium ids, and as pictures
    ``dynalab/<Name>-pixels-v0``; safe to repeat.

    They get no ``TimeLimit`` (``max_episode_steps=None``): the world's own ``max_steps``,
    when it has one, is enforced by :class:`TabularEnv` itself, because the world is not
    built at registration time.
    """
    entry_points = (
        (BUILTIN_ENV_IDS, "dynalab.envs.gym_adapter:make_builtin_env"),
        (PIXEL_ENV_IDS, "dynalab.envs.pixels:make_pixel_env"),
    )
    for ids, entry_point in entry_points:
        for env_id, world in ids.items():
            if env_id in gymnasium.registry:
                continue
            gymnasium.register(
                id=env_id, entry_point=entry_point, kwargs={"world": world}, max_episode_steps=None
            )
