"""Many runs of a neural agent as one compiled program, and their exact values on tables.

Run ``i`` of seed ``s`` takes the key ``fold_in(key(s), i)`` (:func:`run_key`) and
nothing else random, so a run's numbers are the same alone or in a batch of any size:
:func:`train_runs` ``vmap``s the one-run function over the batch's keys inside one
``jax.jit``.

Bit for bit, that holds for batches of two runs or more, because every float sum in a
run is computed in an order that does not depend on the batch (:mod:`dynalab.deep.numerics`).
XLA compiles an unbatched program (and a ``vmap`` of one, which it squeezes) with other
kernels, which change the last bits of some sums, and over a long run a flipped argmax can
follow. So a single run is computed as a batch of two (itself twice) and the copy dropped:
every run goes through batched kernels (``tests/deep/test_dqn.py`` checks a run alone and
in batches of 2 and 5, bit for bit).

With several devices (one per CPU core, :mod:`dynalab.deep.devices`), a batch is split
into equal shards of at least two runs, one per device, that run side by side
(``shard_map``); a batch that does not divide is padded with copies of its first run,
dropped afterwards. Each shard is the same batched program, so a run's numbers do not
depend on the sharding either (``tests/deep/test_devices.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, PartitionSpec

from dynalab.agents.config import AgentConfig
from dynalab.deep.agents import dqn, dreamer, dreamer_training
from dynalab.deep.budget import Budget
from dynalab.deep.worlds import World
from dynalab.envs.ground_truth import evaluate_policy, greedy_value

RunConfig = dqn.DQNConfig | dreamer_training.DreamerConfig
"""A compiled run's configuration: DQN's (dqn, dyna-dqn) or Dreamer's."""


def run_config(agent: AgentConfig) -> RunConfig:
    """The compiled run's configuration of a jax agent's configuration."""
    if agent.name == "dreamer":
        return dreamer_training.dreamer_config(agent)
    return dqn.dqn_config(agent)


def _train(config: RunConfig) -> Callable:
    """The one-run training function of ``config``'s agent."""
    return dreamer.train if isinstance(config, dreamer_training.DreamerConfig) else dqn.train


def run_key(seed: int, run: int) -> jax.Array:
    """The key of run ``run`` of seed ``seed``: ``fold_in(key(seed), run)``."""
    return jax.random.fold_in(jax.random.key(seed), run)


def run_keys(seed: int, runs: Sequence[int]) -> jax.Array:
    """The keys of the given run indices, stacked."""
    return jax.vmap(lambda run: jax.random.fold_in(jax.random.key(seed), run))(
        jnp.asarray(runs, jnp.uint32)
    )


MIN_RUNS_PER_SHARD = 2
"""A shard's fewest runs: a shard of one would compile unbatched kernels (see above)."""


def shard_count(batch: int) -> int:
    """How many devices a batch of ``batch`` runs is split over: every device, as long
    as each gets :data:`MIN_RUNS_PER_SHARD` runs."""
    return max(1, min(jax.local_device_count(), batch // MIN_RUNS_PER_SHARD))


def padded_runs(runs: Sequence[int]) -> list[int]:
    """The run indices a batch computes for ``runs``: one run twice (see above), then
    copies of the first run until the batch divides into :func:`shard_count` shards.
    The given runs come first."""
    padded = list(runs) * 2 if len(runs) == 1 else list(runs)
    shards = shard_count(len(padded))
    return padded + [padded[0]] * (-len(padded) % shards)


@functools.lru_cache(maxsize=32)
def compiled_runs(world: World, config: RunConfig, budget: Budget, shards: int = 1) -> Callable:
    """``keys -> (networks, metrics)``: the agent's ``train`` (DQN's or Dreamer's) ``vmap``ped
    over a batch of run keys and jitted, one per (world, config, budget, shards); with
    ``shards`` > 1 the batch (a multiple of ``shards``) is split over that many devices
    (``check_vma=False``: the runs never exchange anything, so there is nothing to check)."""
    train = _train(config)
    batch = jax.vmap(lambda key: train(key, world, config, budget))
    if shards == 1:
        return jax.jit(batch)
    mesh = Mesh(jax.devices()[:shards], ("runs",))
    spec = PartitionSpec("runs")
    return jax.jit(jax.shard_map(batch, mesh=mesh, in_specs=spec, out_specs=spec, check_vma=False))


def train_runs(
    world: World,
    config: RunConfig,
    budget: Budget,
    *,
    seed: int = 0,
    runs: int | Sequence[int] = 1,
) -> tuple[object, dict[str, np.ndarray]]:
    """Runs ``0..runs-1`` (or the given run indices) of seed ``seed`` in one program.

    Returns the final networks (leaves with a leading run axis) and the metrics of the
    agent's ``train`` (:func:`dynalab.deep.agents.dqn.train`,
    :func:`dynalab.deep.agents.dreamer.train`) as NumPy arrays of shape ``(runs, points, ...)``.
    """
    indices = list(range(runs) if isinstance(runs, int) else runs)
    if not indices:
        raise ValueError("train_runs needs at least one run")
    padded = padded_runs(indices)
    run = compiled_runs(world, config, budget, shard_count(len(padded)))
    networks, metrics = run(run_keys(seed, padded))
    keep = len(indices)
    networks = jax.tree.map(lambda leaf: leaf[:keep], networks)
    return networks, {name: np.asarray(value)[:keep] for name, value in metrics.items()}


def exact_greedy_values(world: World, q_tables: np.ndarray, gamma: float) -> np.ndarray:
    """The true value of each recorded Q table's greedy policy on a tabular world, from
    the start distribution: dynalab's ground truth (:func:`dynalab.envs.ground_truth.greedy_value`,
    ties split uniformly), the number the tabular lab reports. ``q_tables`` has shape
    ``(..., n_states, n_actions)``; the result has the leading shape."""
    if world.mdp is None:
        raise ValueError(f"world {world.name!r} is not a table: no exact values")
    tables = np.asarray(q_tables, dtype=np.float64)
    flat = tables.reshape(-1, *tables.shape[-2:])
    values = np.array([greedy_value(world.mdp, table, gamma) for table in flat])
    return values.reshape(tables.shape[:-2])


def exact_policy_values(world: World, policy_tables: np.ndarray, gamma: float) -> np.ndarray:
    """The true value, from the start distribution, of each recorded stochastic policy
    ``policy[s, a]`` on a tabular world (iterative policy evaluation,
    :func:`dynalab.envs.ground_truth.evaluate_policy`). ``policy_tables`` has shape
    ``(..., n_states, n_actions)``; the result has the leading shape."""
    if world.mdp is None:
        raise ValueError(f"world {world.name!r} is not a table: no exact values")
    tables = np.asarray(policy_tables, dtype=np.float64)
    flat = tables.reshape(-1, *tables.shape[-2:])
    flat = flat / flat.sum(axis=-1, keepdims=True)
    start = world.mdp.start_prob
    values = np.array([start @ evaluate_policy(world.mdp, table, gamma) for table in flat])
    return values.reshape(tables.shape[:-2])
