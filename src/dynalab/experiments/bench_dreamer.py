"""``dynalab bench``'s dreamer section: on the pixel Dyna maze, the world model's and the
actor-critic's training steps per second, and the env steps per second of whole runs,
one run alone and several ``vmap``ped in one program.

The two updates are timed apart (:func:`dynalab.deep.agents.dreamer_training.model_update` and
:func:`~dynalab.deep.agents.dreamer_training.behavior_update`, jitted), each on replays that
dreamer's own loop filled with :data:`FILL_STEPS` steps of its untrained actor; a whole
run (:func:`dynalab.deep.runs.compiled_runs`, evaluations only at the start and the
end) gives env steps per second with everything included. Compile time is kept apart,
then the best of two calls is taken, as in :mod:`dynalab.experiments.bench_neural`. At
dreamer's defaults; needs the ``deep`` extra.
"""

from __future__ import annotations

import time

DREAMER_WORLD = "dyna-maze:obs=pixels"
DREAMER_SPEC = "dreamer:gamma=0.95"
DREAMER_RUNS = 4
DREAMER_STEPS = 1_500
"""Real steps of each timed run: 1,000 after ``learning_starts``, so 500 training steps at
dreamer's default ``train_every=2``."""
FILL_STEPS = 1_000
UPDATE_CALLS = 10
QUICK_SPEC = (
    "dreamer:gamma=0.95,deter=8,groups=2,classes=4,units=16,batch=4,length=4,horizon=3,"
    "learning_starts=40,train_every=4"
)
"""``bench --quick``'s dreamer: tiny sizes, 200 steps, 2 runs, whole runs only (the
figures are not dreamer's; the quick bench checks that the section runs)."""


def dreamer_benchmark(quick: bool = False, say: object = None) -> dict | None:
    """Dreamer's figures at its defaults (:func:`dreamer_throughput`), or None without the
    ``deep`` extra; ``quick``: :data:`QUICK_SPEC`."""
    try:
        import jax  # noqa: F401
    except ImportError:
        return None
    from dynalab.deep.compile_cache import compiling_for_real

    if say is not None:
        say(f"dreamer on {DREAMER_WORLD} (JAX)")
    with compiling_for_real():  # compile_s is XLA's, whatever the cache holds
        if quick:
            return dreamer_throughput(QUICK_SPEC, runs=2, steps=200, updates=False)
        return dreamer_throughput()


def _best_of_two(call: object) -> float:
    """The shorter of two timings of ``call()``."""
    import jax

    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        jax.block_until_ready(call())
        best = min(best, time.perf_counter() - started)
    return best


def _filled(world: object, config: object, runs: int) -> object:
    """``runs`` learners (vmapped) after :data:`FILL_STEPS` steps of dreamer's loop with
    no training (``learning_starts`` beyond them)."""
    import dataclasses

    import jax
    import jax.numpy as jnp

    from dynalab.deep.agents import dreamer

    idle = dataclasses.replace(config, learning_starts=FILL_STEPS + 1)

    def fill(key: jax.Array) -> object:
        init_key, loop_key = jax.random.split(key)
        learner = dreamer.init_learner(init_key, world, idle)

        def one(learner: object, step: jax.Array) -> tuple:
            key = jax.random.fold_in(loop_key, step)
            return dreamer.env_step(learner, step, key, world, idle)[0], None

        return jax.lax.scan(one, learner, jnp.arange(FILL_STEPS))[0]

    return jax.jit(jax.vmap(fill))(jax.random.split(jax.random.key(0), runs))


def update_rates(world: object, config: object, runs: int) -> dict[str, float]:
    """Model and actor-critic updates per second of ``runs`` runs vmapped (summed), on
    one device."""
    import jax

    from dynalab.deep.agents.dreamer_training import behavior_update, model_update

    learners = _filled(world, config, runs)
    keys = jax.random.split(jax.random.key(1), runs)
    n = world.n_actions
    model = jax.jit(jax.vmap(lambda nets, r, k: model_update(nets, r, k, n, config)))
    nets, _, starts = model(learners.nets, learners.replay, keys)
    behavior = jax.jit(jax.vmap(lambda nets, s, k: behavior_update(nets, s, k, n, config)))
    jax.block_until_ready(behavior(nets, starts, keys))

    def repeated(call: object, *args: object) -> float:
        return _best_of_two(lambda: [call(*args) for _ in range(UPDATE_CALLS)]) / UPDATE_CALLS

    model_s = repeated(model, learners.nets, learners.replay, keys)
    behavior_s = repeated(behavior, nets, starts, keys)
    return {"model_updates_per_s": runs / model_s, "behavior_updates_per_s": runs / behavior_s}


def dreamer_throughput(
    spec: str = DREAMER_SPEC,
    runs: int = DREAMER_RUNS,
    steps: int = DREAMER_STEPS,
    updates: bool = True,
) -> dict:
    """Dreamer's figures (module docstring), one run alone and ``runs`` vmapped; the
    update rates only with ``updates`` (their three programs take minutes to compile)."""
    import jax

    from dynalab.deep.budget import Budget
    from dynalab.deep.runs import (
        RUNS_PER_DEVICE,
        compiled_runs,
        padded_runs,
        run_config,
        run_keys,
    )
    from dynalab.experiments.bench_neural import compiled_seconds
    from dynalab.experiments.neural import jax_world
    from dynalab.specs.agents import parse_agent_spec
    from dynalab.specs.worlds import parse_env_spec

    world = jax_world(parse_env_spec(DREAMER_WORLD))
    config = run_config(parse_agent_spec(spec))
    budget = Budget(steps, steps, 1)
    first = max(config.learning_starts, config.length)
    training = sum(1 for t in range(first, steps + 1) if t % config.train_every == 0)
    figures: dict = {
        "spec": spec,
        "world": DREAMER_WORLD,
        "steps": steps,
        "runs": runs,
        "training_steps_per_run": training,
    }
    for name, requested in (("alone", [0]), ("batch", list(range(runs)))):
        counted = len(requested)
        compile_s, run_s = compiled_seconds(
            compiled_runs(world, config, budget), run_keys(0, padded_runs(requested))
        )
        figures[name] = {
            "env_steps_per_s": counted * steps / run_s,
            "training_steps_per_s": counted * training / run_s,
            "devices": jax.local_device_count(),
        }
        if name == "alone":
            figures[name]["compile_s"] = compile_s
        if updates:
            vmapped = max(counted, RUNS_PER_DEVICE)
            rates = update_rates(world, config, vmapped)
            for rate, value in rates.items():
                figures[name][rate] = value * counted / vmapped
    return figures
