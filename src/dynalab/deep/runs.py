"""Many runs of a neural agent as one compiled program, and their exact values on tables.

Run ``i`` of seed ``s`` takes the key ``fold_in(key(s), i)`` (:func:`run_key`) and
nothing else random, so a run's numbers are the same alone or in a batch of any size:
:func:`train_runs` ``vmap``s the one-run function over the batch's keys inside one
``jax.jit``-compiled program.

Bit for bit, that holds for batches of two runs or more, because every float sum in a
run is computed in an order that does not depend on the batch (:mod:`dynalab.deep.numerics`).
XLA compiles an unbatched program (and a ``vmap`` of one, which it squeezes) with other
kernels, which change the last bits of some sums, and over a long run a flipped argmax can
follow. So a single run is computed in a batch (beside copies of itself, dropped):
every run goes through batched kernels (``tests/deep/test_dqn.py`` checks a run alone and
in batches of 2 and 5, bit for bit).

With several devices (one per CPU core, at least two: :mod:`dynalab.deep.devices`), one
compiled program computes :data:`RUNS_PER_DEVICE` runs on each device, side by side
(``shard_map``), and a batch is as many calls of it as it takes; a batch that does not
fill its last call is padded with copies of its first run, dropped afterwards. So every
run of any batch goes through the same program, and on every device the same
partitioned code of :data:`RUNS_PER_DEVICE` runs. Before, a batch was split into as
many shards as it filled: for Dreamer, XLA optimized an unsplit program differently from
a split one (operands of some products swapped), and a run's last bits moved from its
first training step (measured 2026-12-03: 2 runs on one device against 4 runs on two;
4 runs on one device differed from both). A program split over 3 devices gave Dreamer's
run the numbers it has split over 2; ``tests/deep/test_devices.py`` checks DQN's.
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


RUNS_PER_DEVICE = 2
"""Runs each device computes in one call of a compiled program (at least 2: one run alone
would compile unbatched kernels, see above)."""


def program_runs() -> int:
    """Runs one call of a compiled program computes: :data:`RUNS_PER_DEVICE` per device."""
    return RUNS_PER_DEVICE * jax.local_device_count()


def padded_runs(runs: Sequence[int]) -> list[int]:
    """The run indices a batch computes for ``runs``: the given runs first, then copies
    of the first run until the batch fills whole calls of :func:`program_runs` runs."""
    padded = list(runs)
    return padded + [padded[0]] * (-len(padded) % program_runs())


@functools.lru_cache(maxsize=32)
def compiled_runs(world: World, config: RunConfig, budget: Budget) -> Callable:
    """``keys -> (networks, metrics)``: the agent's ``train`` (DQN's or Dreamer's) ``vmap``ped
    over :func:`program_runs` run keys, split over the devices and jitted, one per
    (world, config, budget; ``check_vma=False``: the runs never exchange anything), and
    called on each slice of that many of a batch's keys (see :func:`padded_runs`); NumPy
    arrays with a leading run axis come back."""
    train = _train(config)
    batch = jax.vmap(lambda key: train(key, world, config, budget))
    devices = jax.local_devices()
    if len(devices) == 1:
        program = jax.jit(batch)
    else:
        mesh = Mesh(np.array(devices), ("runs",))
        spec = PartitionSpec("runs")
        program = jax.jit(
            jax.shard_map(batch, mesh=mesh, in_specs=spec, out_specs=spec, check_vma=False)
        )
    return functools.partial(_run_in_calls, program)


def _run_in_calls(program: Callable, keys: jax.Array) -> tuple[object, dict]:
    """``program`` on each slice of :func:`program_runs` keys in turn, the results joined."""
    size = program_runs()
    results = [program(keys[start : start + size]) for start in range(0, keys.shape[0], size)]
    return jax.tree.map(lambda *parts: np.concatenate([np.asarray(p) for p in parts]), *results)


def train_runs(
    world: World,
    config: RunConfig,
    budget: Budget,
    *,
    seed: int = 0,
    runs: int | Sequence[int] = 1,
) -> tuple[object, dict[str, np.ndarray]]:
    """Runs ``0..runs-1`` (or the given run indices) of seed ``seed``, in calls of one
    program that computes :data:`RUNS_PER_DEVICE` runs on every device.

    Returns the final networks (leaves with a leading run axis) and the metrics of the
    agent's ``train`` (:func:`dynalab.deep.agents.dqn.train`,
    :func:`dynalab.deep.agents.dreamer.train`) as NumPy arrays of shape ``(runs, points, ...)``.
    """
    indices = list(range(runs) if isinstance(runs, int) else runs)
    if not indices:
        raise ValueError("train_runs needs at least one run")
    networks, metrics = compiled_runs(world, config, budget)(run_keys(seed, padded_runs(indices)))
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
