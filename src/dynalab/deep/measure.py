"""Measure DQN on a gymnax twin: learning curve, wall time, env steps per second.

A measurement, not a test: ``python -m dynalab.deep.measure [--env ID] [--runs R]
[--steps N] [--eval-every E] [key=value ...]`` trains R runs of DQN (``dqn`` spec keys,
e.g. ``lr=3e-4 hidden=32x32``, read by the registry's parsers) in one program and prints
the mean evaluation return at each evaluation point, the runs that reached the world's
solved return, compile and run times, and env steps per second for one run alone and
for the R runs together.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from dynalab.agents.config import AgentConfig
from dynalab.agents.registry import entry_of
from dynalab.deep.agents.dqn import DQNConfig, dqn_config
from dynalab.deep.budget import Budget
from dynalab.deep.runs import compiled_runs, padded_runs, run_keys
from dynalab.deep.worlds import gymnax_world


def _config(pairs: list[str]) -> DQNConfig:
    entry = entry_of("dqn")
    values: dict[str, object] = {}
    for pair in pairs:
        name, _, text = pair.partition("=")
        key = entry.key(name)
        if key is None:
            raise SystemExit(f"unknown dqn key {name!r}; keys: {[k.name for k in entry.keys]}")
        values[key.field] = key.parse(text)
    return dqn_config(AgentConfig(name="dqn", **values))


def _timed(run, keys) -> tuple[float, float, dict]:
    """Seconds of the first call of ``run`` (compile included), of a second, and its metrics."""
    start = time.perf_counter()
    run(keys)
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    _, metrics = run(keys)
    return first_s, time.perf_counter() - start, metrics


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", dest="env_id", default="CartPole-v1")
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--steps", type=int, default=50_000)
    parser.add_argument("--eval-every", type=int, default=5_000)
    parser.add_argument("--eval-episodes", type=int, default=10)
    parser.add_argument("keys", nargs="*", help="dqn spec keys as key=value")
    args = parser.parse_args(argv)
    world = gymnax_world(args.env_id)
    config = _config(args.keys)
    budget = Budget(args.steps, args.eval_every, args.eval_episodes)
    print(config)
    alone, batch = padded_runs([0]), padded_runs(list(range(args.runs)))
    run = compiled_runs(world, config, budget)
    compile_1, wall_1, _ = _timed(run, run_keys(0, alone))
    compile_r, wall_r, metrics = _timed(run, run_keys(0, batch))
    returns = np.asarray(metrics["eval_return"])[: args.runs]
    print("env_step   mean eval return (min..max over runs)")
    for point, step in enumerate(budget.eval_steps):
        column = returns[:, point]
        print(f"{step:8d}   {column.mean():8.1f} ({column.min():.1f}..{column.max():.1f})")
    if world.solved_return is not None:
        solved = (returns >= world.solved_return).any(axis=1)
        final = returns[:, -1] >= world.solved_return
        print(
            f"runs reaching {world.solved_return:g}: {solved.sum()}/{args.runs} at some "
            f"evaluation, {final.sum()}/{args.runs} at the last"
        )
    print(f"one run (with copies, see deep.runs): first call {compile_1:.1f} s ", end="")
    print(f"(compile included), run {wall_1:.1f} s, {args.steps / wall_1:,.0f} env steps/s")
    print(f"{args.runs} runs vmapped: first call {compile_r:.1f} s, run {wall_r:.1f} s, ", end="")
    print(f"{args.runs * args.steps / wall_r:,.0f} env steps/s summed over runs")


if __name__ == "__main__":
    main()
