"""The second backend, in JAX: neural agents whose whole training run is one compiled program.

Everything here is a pure function over pytrees (parameters, optimiser state, replay,
world state, PRNG key): a training run is one ``jax.jit``-ed function that ``lax.scan``s
over environment steps, and many runs are a ``jax.vmap`` over PRNG keys, so R seeds cost
one compiled program. Run ``i`` of seed ``s`` draws all its randomness from
``jax.random.fold_in(jax.random.key(s), i)`` (:func:`dynalab.deep.runs.run_key`), so its
numbers do not depend on how many runs share the batch.

Modules, one job each:

* :mod:`dynalab.deep.worlds` - the JAX world interface and gymnax's classic-control twins;
* :mod:`dynalab.deep.tabular` - a JAX view of any dynalab array MDP (one-hot or (row, col));
* :mod:`dynalab.deep.networks` - the Q-network (an equinox MLP);
* :mod:`dynalab.deep.replay` - a ring-buffer replay memory as a pytree;
* :mod:`dynalab.deep.agents.dqn` - DQN and Double DQN, the training run as one function;
* :mod:`dynalab.deep.runs` - run keys, batches of runs, exact values on tabular worlds;
* :mod:`dynalab.deep.devices` - one JAX CPU device per core, set up on import;
* :mod:`dynalab.deep.compile_cache` - compiled programs kept on disk, set up on import.

From Python, eight DQN runs on CartPole's JAX twin in one compiled program::

    from dynalab.deep.agents.dqn import dqn_config
    from dynalab.deep.budget import Budget
    from dynalab.deep.runs import train_runs
    from dynalab.deep.worlds import gymnax_world

    networks, metrics = train_runs(
        gymnax_world("CartPole-v1"), dqn_config(double=True), Budget(100_000, 10_000),
        seed=0, runs=8,
    )
    metrics["eval_return"]  # (8 runs, 11 evaluation points)

This package needs the ``deep`` extra (``pip install 'dynalab[deep]'``); nothing outside
it imports JAX, so the tabular lab runs without it.
"""

from dynalab.deep.compile_cache import use_compile_cache
from dynalab.deep.devices import use_every_cpu_core

use_every_cpu_core()
use_compile_cache()
