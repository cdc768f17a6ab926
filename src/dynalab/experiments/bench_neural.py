"""``dynalab bench``'s neural section: gradient updates and env steps per second of the
JAX agents on CartPole's gymnax twin, one run alone and 8 runs ``vmap``ped in one program,
and one run stepping Gymnasium's own CartPole from Python (same agent code).

Each agent trains with two hidden layers of 64 and minibatches of 64 (the issue's
setting), evaluating only at the start and the end, so the timing is training. Compile
time is measured apart (``jit(...).lower(keys).compile()``), then the best of two runs
of the compiled program is taken. "One run alone" is what :func:`dynalab.deep.runs.train_runs`
computes for one run: a batch of two copies (see that module on why), counted as one
run. Gradient updates are counted from the configuration (one per ``train_every`` real
steps once ``learning_starts`` have been taken, times ``updates`` for dyna-dqn).
Needs the ``deep`` extra.
"""

from __future__ import annotations

import time

NEURAL_WORLD = "CartPole-v1"
NEURAL_RUNS = 8
NEURAL_AGENTS = {
    "dqn": ("dqn:hidden=64x64,batch=64", 20_000),
    "dyna-dqn": ("dyna-dqn:hidden=64x64,batch=64", 4_000),
}
"""Each measured agent's spec and its real-step budget per run (dyna-dqn's model
training and rollouts make its steps several times dearer)."""


def gradient_updates(config: object, steps: int) -> int:
    """Gradient steps one run of ``steps`` real steps makes under a ``DQNConfig``."""
    learning = [
        taken
        for taken in range(1, steps + 1)
        if taken >= config.learning_starts and taken % config.train_every == 0
    ]
    per_step = 1 if config.dyna is None else config.dyna.updates
    return len(learning) * per_step


def compiled_seconds(run: object, keys: object) -> tuple[float, float]:
    """Seconds to compile (the first call less a warm one; about 0 when ``run``'s program
    is already compiled) and the best of two warm calls of ``run`` on ``keys``."""
    started = time.perf_counter()
    run(keys)
    first = time.perf_counter() - started
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        run(keys)
        best = min(best, time.perf_counter() - started)
    return max(first - best, 0.0), best


def neural_throughput(spec: str, steps: int, runs: int = NEURAL_RUNS) -> dict[str, float]:
    """One agent's figures: env steps and gradient updates per second, alone and with
    ``runs`` runs vmapped (summed over runs), their ratio, and the compile times."""
    import jax

    from dynalab.deep.agents.dqn import dqn_config
    from dynalab.deep.budget import Budget
    from dynalab.deep.runs import compiled_runs, padded_runs, run_keys
    from dynalab.deep.worlds import gymnax_world
    from dynalab.specs.agents import parse_agent_spec

    config = dqn_config(parse_agent_spec(spec))
    world, budget = gymnax_world(NEURAL_WORLD), Budget(steps, steps, 1)
    updates = gradient_updates(config, steps)
    alone_runs, batch_runs = padded_runs([0]), padded_runs(list(range(runs)))
    run = compiled_runs(world, config, budget)
    compile_s, alone = compiled_seconds(run, run_keys(0, alone_runs))
    _, batch = compiled_seconds(run, run_keys(0, batch_runs))
    stepped = python_env_steps_per_s(config, max(steps // 10, 200))
    return {
        "python_env_steps_per_s": stepped,
        "compiled_over_python": (steps / alone) / stepped,
        "steps": steps,
        "runs": runs,
        "gradient_updates_per_run": updates,
        "alone_env_steps_per_s": steps / alone,
        "alone_updates_per_s": updates / alone,
        "batch_env_steps_per_s": runs * steps / batch,
        "batch_updates_per_s": runs * updates / batch,
        "batch_speedup": (runs * steps / batch) / (steps / alone),
        "devices": jax.local_device_count(),
        "compile_s": compile_s,
    }


def python_env_steps_per_s(config: object, steps: int) -> float:
    """Env steps per second of one run stepping Gymnasium's own CartPole from Python
    (:mod:`dynalab.deep.gym_loop`), the second of two runs (the first compiles)."""
    import gymnasium

    from dynalab.deep.budget import Budget
    from dynalab.deep.gym_loop import train_on_env

    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        train_on_env(
            lambda: gymnasium.make(NEURAL_WORLD), config, Budget(steps, steps, 1), name=NEURAL_WORLD
        )
        best = min(best, time.perf_counter() - started)
    return steps / best


def neural_benchmark(quick: bool = False, say: object = None) -> dict[str, dict] | None:
    """Every agent of :data:`NEURAL_AGENTS`, or None without the ``deep`` extra.
    ``quick``: a tenth of the steps and 2 runs in the batch (no second compilation)."""
    try:
        import jax  # noqa: F401
    except ImportError:
        return None
    from dynalab.deep.compile_cache import compiling_for_real

    scale = 10 if quick else 1
    results = {}
    for label, (spec, steps) in NEURAL_AGENTS.items():
        if say is not None:
            say(f"{label} on {NEURAL_WORLD} (JAX)")
        with compiling_for_real():  # the compile times are XLA's, whatever the cache holds
            results[spec] = neural_throughput(spec, steps // scale, 2 if quick else NEURAL_RUNS)
    return results
