"""The JAX agents on a Gymnasium env with no JAX twin: the same agent code, step by step.

A world with a JAX twin runs compiled end to end (:func:`dynalab.deep.agents.dqn.train`).
Any other Gymnasium env with a vector (``Box``) observation space and ``Discrete``
actions runs here: each env step calls the agent's own two halves, jitted -
:func:`~dynalab.deep.agents.dqn.choose_action` before the env's ``step()`` and
:func:`~dynalab.deep.agents.dqn.observe` after it - with the same keys the compiled loop
would use, and records through the same functions (:mod:`dynalab.deep.agents.records`).
Slower (two calls from Python per step; ``dynalab bench`` measures the ratio), and the
same numbers for the same seed every time.

Seeds: run ``i`` of seed ``s`` takes its key as the compiled runs do
(:func:`dynalab.deep.runs.run_key`); its training env is reset once with
``reset(seed=)`` from ``SeedSequence([s, i])`` and then runs on; evaluation point ``p``'s
episode ``e`` is reset with its own seed from ``SeedSequence([s, i, p, e])``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from dynalab.deep.agents.dqn import (
    DQNConfig,
    choose_action,
    finish_metrics,
    init_learner,
    observe,
)
from dynalab.deep.agents.records import model_record, period_record, zero_period
from dynalab.deep.budget import Budget
from dynalab.deep.networks import QNetwork
from dynalab.deep.worlds import Moved, World


@functools.partial(jax.jit, static_argnames=("config",))
def _act(learner: Any, step: jax.Array, loop_key: jax.Array, config: DQNConfig) -> tuple:
    """:func:`choose_action` with the step's key, compiled once per configuration."""
    return choose_action(learner, step, jax.random.fold_in(loop_key, step), config)


@functools.partial(
    jax.jit, static_argnames=("n_actions", "config"), donate_argnames=("learner", "sums")
)
def _after(
    learner: Any,
    sums: Any,
    step: jax.Array,
    loop_key: jax.Array,
    action: jax.Array,
    epsilon: jax.Array,
    answer: tuple,
    n_actions: int,
    config: DQNConfig,
) -> tuple:
    """:func:`observe` of the env's ``answer`` (next observation, reward, terminated,
    truncated, the observation to act from next), its step's entry added to the
    period's totals. The learner and the totals are donated: the replay is updated in
    place, not copied every step."""
    next_obs, reward, terminated, truncated, obs = answer
    moved = Moved(
        next_obs=next_obs.astype(jnp.float32),
        reward=jnp.asarray(reward, jnp.float32),
        terminated=jnp.asarray(terminated, jnp.bool_),
        truncated=jnp.asarray(truncated, jnp.bool_),
        obs=obs.astype(jnp.float32),
        state=(),
    )
    key = jax.random.fold_in(loop_key, step)
    learner, period = observe(learner, step, key, action, epsilon, moved, n_actions, config)
    return learner, jax.tree.map(jnp.add, sums, period)


def _seed(*entropy: int) -> int:
    return int(np.random.SeedSequence(list(entropy)).generate_state(1)[0])


def shapes_world(env: Any, name: str) -> World:
    """A :class:`World` that carries only ``env``'s shapes and time limit (the env itself
    is stepped from Python): what :func:`init_learner` needs to size the networks and
    buffers. Its ``reset`` gives zeros; its ``step`` is never called."""
    obs_shape = tuple(int(size) for size in env.observation_space.shape)
    spec = getattr(env, "spec", None)

    def no_step(key: jax.Array, state: Any, action: jax.Array) -> Any:
        raise RuntimeError(f"{name} is stepped from Python, not inside JAX")

    return World(
        name=name,
        n_actions=int(env.action_space.n),
        obs_shape=obs_shape,
        reset=lambda key: (jnp.zeros(obs_shape, jnp.float32), ()),
        step=no_step,
        max_steps=int(getattr(spec, "max_episode_steps", None) or 0),
        solved_return=getattr(spec, "reward_threshold", None),
    )


def _observation(obs: Any) -> jax.Array:
    return jnp.asarray(np.asarray(obs, dtype=np.float32))


@jax.jit
def _greedy(network: QNetwork, obs: jax.Array) -> tuple[jax.Array, jax.Array]:
    q = network(obs)
    return jnp.argmax(q).astype(jnp.int32), jnp.max(q)


def evaluate_on_env(
    env: Any, network: QNetwork, seeds: list[int], gamma: float, cap: int
) -> dict[str, float]:
    """Greedy episodes (ties to the lowest action), one per seed, each capped at ``cap``
    steps: mean return, mean discounted return and mean ``max_a Q(s0, a)``."""
    totals, discounted, believed = [], [], []
    for seed in seeds:
        obs, _ = env.reset(seed=seed)
        action, value = _greedy(network, _observation(obs))
        believed.append(float(value))
        total = discounted_total = 0.0
        discount = 1.0
        for _ in range(cap):
            obs, reward, terminated, truncated, _ = env.step(int(action))
            total += float(reward)
            discounted_total += discount * float(reward)
            discount *= gamma
            if terminated or truncated:
                break
            action, _ = _greedy(network, _observation(obs))
        totals.append(total)
        discounted.append(discounted_total)
    return {
        "eval_return": np.float32(np.mean(totals)),
        "eval_discounted_return": np.float32(np.mean(discounted)),
        "believed_value": np.float32(np.mean(believed)),
    }


def train_on_env(
    make_env: Callable[[], Any],
    config: DQNConfig,
    budget: Budget,
    *,
    seed: int = 0,
    run: int = 0,
    name: str = "env",
) -> tuple[QNetwork, dict[str, np.ndarray]]:
    """One run on the env ``make_env()`` makes (twice: one to train on, one to evaluate
    on), step by step: the final online network and the metrics of
    :func:`dynalab.deep.agents.dqn.train` (one entry per evaluation point; no
    ``q_table``: such an env has no table)."""
    from dynalab.deep.runs import run_key

    env, eval_env = make_env(), make_env()
    world = shapes_world(env, name)
    init_key, loop_key, eval_key = jax.random.split(run_key(seed, run), 3)
    learner = init_learner(init_key, world, config)
    obs, _ = env.reset(seed=_seed(seed, run))
    # the target starts as the online network itself; donation needs buffers of its own
    learner = learner._replace(obs=_observation(obs), target=jax.tree.map(jnp.copy, learner.online))
    has_model = config.dyna is not None

    def record(point: int, sums: Any) -> dict:
        episodes = [_seed(seed, run, point, e) for e in range(budget.eval_episodes)]
        measured = evaluate_on_env(
            eval_env, learner.online, episodes, config.gamma, world.eval_steps
        )
        if has_model:
            key = jax.random.fold_in(eval_key, point)
            measured |= model_record(
                learner.model, learner.replay, key, world.n_actions, config.dyna
            )
        return measured | period_record(sums, has_model)

    records = [record(0, zero_period())]
    sums = zero_period()
    for step in range(budget.steps):
        counter = np.int32(step)
        action, epsilon = _act(learner, counter, loop_key, config=config)
        next_obs, reward, terminated, truncated, _ = env.step(int(action))
        after_obs = env.reset()[0] if terminated or truncated else next_obs
        answer = (
            np.asarray(next_obs, np.float32),
            np.float32(reward),
            np.bool_(terminated),
            np.bool_(truncated),
            np.asarray(after_obs, np.float32),
        )
        learner, sums = _after(
            learner,
            sums,
            counter,
            loop_key,
            action,
            epsilon,
            answer,
            n_actions=world.n_actions,
            config=config,
        )
        if (step + 1) % budget.eval_every == 0:
            records.append(record((step + 1) // budget.eval_every, sums))
            sums = zero_period()
    stacked = jax.tree.map(lambda *points: jnp.stack(points), *records)
    metrics = finish_metrics(stacked, budget, config)
    return learner.online, {name: np.asarray(value) for name, value in metrics.items()}
