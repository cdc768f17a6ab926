"""Comparisons of the JAX agents (``dqn``, ``dyna-dqn``, ``dreamer``): runs, summary and figures.

Each agent's runs are one compiled program (:func:`dynalab.deep.runs.train_runs`:
run ``i`` of the seed is the same alone or in the batch). Every ``eval_every`` real steps
a run plays greedy evaluation episodes and records their mean return, the network's
belief ``max_a Q`` at the start against the discounted return actually obtained, and on
a table (a maze or array MDP seen as one-hot cells, coordinates or pixels) the exact value
of its greedy policy, by the same ground truth the tabular agents get, and for an actor
(dreamer) the exact value of its stochastic policy, which its critic's belief is set
against. The rows go to ``evals.csv``
(:mod:`dynalab.experiments.neural_folder` writes the run folder). The summary, per
agent, with 95% intervals over runs: the real steps until the evaluation return first
reaches the world's solved return (CartPole 475; unsolved runs counted, not averaged),
the mean evaluation return over all evaluations (area under the curve, per point), the
final return, the final exact value on tables, wall time per run, and the probability
that a run beats a run of the first agent on
the area under the curve.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dynalab.analysis.stats import mean_ci, mean_ci_per_column, probability_of_improvement
from dynalab.specs.agents import AgentSpec
from dynalab.specs.worlds import World

EVALUATIONS = 10
"""Evaluation points after the start when ``eval_every`` is not given: steps / 10."""
EVAL_EPISODES = 10


@dataclass
class NeuralComparison:
    """The runs of several JAX agents on one world: each agent's metrics (arrays of
    shape ``(runs, points)``), its exact greedy values (tables; else None) and wall time."""

    world: World
    agents: list[AgentSpec]
    steps: int
    eval_every: int
    runs: int
    seed: int
    metrics: list[dict[str, np.ndarray]]
    greedy_values: list[np.ndarray | None]
    wall_time: list[float]
    solved_return: float | None
    policy_values: list[np.ndarray | None] | None = None
    dreams: list[tuple[np.ndarray, np.ndarray] | None] | None = None

    def policy_value(self, index: int) -> np.ndarray | None:
        """Agent ``index``'s exact values of its actor's stochastic policy, or None."""
        return None if self.policy_values is None else self.policy_values[index]

    @property
    def labels(self) -> list[str]:
        return [agent.label for agent in self.agents]


def jax_world_problem(world: World) -> str | None:
    """Why the JAX agents cannot run on ``world``, or None."""
    if world.change_steps:
        return f"--env {world.spec!r} changes; the jax agents learn on static worlds"
    if not world.vector_obs and world.schedule is None:
        return f"--env {world.spec!r} has no table to show as one-hot cells"
    return None


def stepped_agent_problem(world: World, agents: list[AgentSpec]) -> str | None:
    """Why one of ``agents`` cannot step ``world`` from Python, or None."""
    if stepped_from_python(world):
        for agent in agents:
            if agent.config.name == "dreamer":
                return (
                    f"--agents {agent.label!r} runs compiled only; --env {world.spec!r} has "
                    "no JAX twin (dreamer runs on mazes and on gymnax's CartPole-v1, "
                    "Acrobot-v1, MountainCar-v0)"
                )
    return None


def stepped_from_python(world: World) -> bool:
    """Whether the jax agents step ``world`` from Python (a vector env with no JAX twin,
    :mod:`dynalab.deep.gym_loop`) rather than run compiled end to end."""
    from dynalab.deep.worlds import GYMNAX_TWINS

    return world.vector_obs and not world.gymnax and world.name not in GYMNAX_TWINS


def jax_world(world: World) -> object:
    """The JAX world the agents learn on: a gymnax twin, a maze seen as the spec says
    (one-hot, coords or pixels), an array MDP's one-hot cells, or (stepped from Python)
    the env's shapes."""
    from dynalab.deep.gym_loop import shapes_world
    from dynalab.deep.tabular import array_mdp_world, maze_world
    from dynalab.deep.worlds import gymnax_world

    if stepped_from_python(world):
        return shapes_world(world.make_env(), world.name)
    if world.vector_obs:
        return gymnax_world(world.name)
    if world.maze is not None:
        return maze_world(world.maze, world.observation, world.upscale)
    return array_mdp_world(world.schedule.first)


def run_neural_comparison(
    world: World,
    agents: list[AgentSpec],
    *,
    steps: int,
    runs: int,
    seed: int = 0,
    eval_every: int | None = None,
    on_agent_done: Callable[[int], None] | None = None,
) -> NeuralComparison:
    """Train each agent's ``runs`` runs on ``world`` for ``steps`` real steps (rounded up
    to a multiple of ``eval_every``, default ``steps / 10``)."""
    from dynalab.deep.budget import Budget
    from dynalab.deep.runs import exact_greedy_values, exact_policy_values, run_config, train_runs
    from dynalab.experiments.dreams import first_run_dream
    from dynalab.experiments.tabular_evals import tabular_runs

    every = eval_every or max(1, -(-steps // EVALUATIONS))
    total = every * -(-steps // every)
    target = jax_world(world)
    budget = Budget(total, every, EVAL_EPISODES)
    metrics, values, walls, policies, dreams = [], [], [], [], []
    for index, agent in enumerate(agents):
        started = time.perf_counter()
        networks = None
        tabular = agent.config.backend == "tabular"
        config = None if tabular else run_config(agent.config)
        if tabular:
            measured = tabular_runs(target.mdp, agent.config, budget, runs=runs, seed=seed)
        elif stepped_from_python(world):
            measured = _stepped_runs(world, config, budget, seed, runs)
        else:
            networks, measured = train_runs(target, config, budget, seed=seed, runs=runs)
        walls.append(time.perf_counter() - started)
        dreamt = agent.config.name == "dreamer" and world.observation == "pixels"
        dreams.append(first_run_dream(target, networks, config, seed) if dreamt else None)
        metrics.append(measured)
        exact = policy = None
        gamma = agent.config.gamma
        if "q_table" in measured:
            exact = exact_greedy_values(target, measured["q_table"], gamma)
        if "policy_table" in measured:
            exact = exact_greedy_values(target, np.log(measured["policy_table"]), gamma)
            policy = exact_policy_values(target, measured["policy_table"], gamma)
        values.append(exact)
        policies.append(policy)
        if on_agent_done is not None:
            on_agent_done(index)
    return NeuralComparison(
        world=world,
        agents=agents,
        steps=total,
        eval_every=every,
        runs=runs,
        seed=seed,
        metrics=metrics,
        greedy_values=values,
        wall_time=walls,
        solved_return=target.solved_return,
        policy_values=policies,
        dreams=dreams,
    )


def _stepped_runs(world: World, config: object, budget: object, seed: int, runs: int) -> dict:
    """Runs ``0..runs-1`` one after another, stepped from Python, stacked as
    :func:`dynalab.deep.runs.train_runs` stacks a batch."""
    from dynalab.deep.gym_loop import train_on_env

    each = [
        train_on_env(world.make_env, config, budget, seed=seed, run=run, name=world.name)[1]
        for run in range(runs)
    ]
    return {name: np.stack([measured[name] for measured in each]) for name in each[0]}


def steps_to_solved(returns: np.ndarray, env_steps: np.ndarray, solved: float) -> np.ndarray:
    """Per run, the first evaluation's real step whose return reached ``solved`` (nan
    when none did)."""
    reached = returns >= solved
    first = np.argmax(reached, axis=1)
    steps = env_steps[np.arange(len(returns)), first].astype(float)
    steps[~reached.any(axis=1)] = np.nan
    return steps


def summarize_neural(comparison: NeuralComparison) -> dict:
    """The summary of :mod:`this module <dynalab.experiments.neural>`'s docstring."""
    seed = comparison.seed
    agents = {}
    baseline_area = None
    for index, (label, measured, exact, wall) in enumerate(
        zip(
            comparison.labels,
            comparison.metrics,
            comparison.greedy_values,
            comparison.wall_time,
            strict=True,
        )
    ):
        returns = measured["eval_return"]
        area = returns.mean(axis=1)
        entry = {
            "final_eval_return": mean_ci(returns[:, -1], seed=seed).to_dict(),
            "mean_eval_return": mean_ci(area, seed=seed).to_dict(),
            "wall_s_per_run": wall / comparison.runs,
        }
        if comparison.solved_return is not None:
            steps = steps_to_solved(returns, measured["env_step"], comparison.solved_return)
            entry["steps_to_solved"] = mean_ci(steps, seed=seed).to_dict()
            entry["solved_runs"] = int(np.count_nonzero(~np.isnan(steps)))
        if exact is not None:
            entry["final_greedy_value"] = mean_ci(exact[:, -1], seed=seed).to_dict()
            believed_of = exact
            policy = comparison.policy_value(index)
            if policy is not None:
                entry["final_policy_value"] = mean_ci(policy[:, -1], seed=seed).to_dict()
                believed_of = policy
            gap = measured["believed_value"][:, -1] - believed_of[:, -1]
            entry["final_belief_gap"] = mean_ci(gap, seed=seed).to_dict()
        if baseline_area is None:
            baseline_area = area
        else:
            entry["p_better_than_first"] = probability_of_improvement(
                area, baseline_area, lower_is_better=False, seed=seed
            ).to_dict()
        agents[label] = entry
    return {
        "world": comparison.world.spec,
        "runs": comparison.runs,
        "seed": seed,
        "steps": comparison.steps,
        "eval_every": comparison.eval_every,
        "eval_episodes": EVAL_EPISODES,
        "solved_return": comparison.solved_return,
        "agents": agents,
    }


def neural_figures(comparison: NeuralComparison) -> dict:
    """``eval_return.png``: evaluation return against real steps, mean and 95% band per
    agent; for agents with a model, ``rollout_error.png``, its open-loop error against the
    rollout horizon at the final evaluation; on tables also ``greedy_value.png``, the
    exact value of the greedy policy (and of an actor's own stochastic policy), and
    ``belief.png``, the network's belief beside the true value of the policy it is
    about (the actor's, for dreamer)."""
    from dynalab import plots

    steps = comparison.metrics[0]["env_step"][0]
    title = f"{comparison.world.spec}: mean over {comparison.runs} runs"
    figures = {
        "eval_return.png": plots.learning_curves(
            {
                label: mean_ci_per_column(measured["eval_return"], seed=comparison.seed)
                for label, measured in zip(comparison.labels, comparison.metrics, strict=True)
            },
            x=steps,
            title=f"Greedy evaluation return ({EVAL_EPISODES} episodes), {title}",
            xlabel="real steps",
            ylabel="evaluation return",
            reference=comparison.solved_return,
            reference_label=None
            if comparison.solved_return is None
            else f"solved: {comparison.solved_return:g}",
        )
    }
    with_model = {
        label: measured["rollout_error"][:, -1, :]
        for label, measured in zip(comparison.labels, comparison.metrics, strict=True)
        if "rollout_error" in measured
    }
    if with_model:
        horizons = next(iter(with_model.values())).shape[-1]
        figures["rollout_error.png"] = plots.learning_curves(
            {
                label: mean_ci_per_column(errors, seed=comparison.seed)
                for label, errors in with_model.items()
            },
            x=np.arange(1, horizons + 1),
            title=f"Open-loop model error against rollout horizon, final evaluation, {title}",
            xlabel="model steps from a real state",
            ylabel="squared error / variance of the states",
        )
    exact = {
        label: mean_ci_per_column(values, seed=comparison.seed)
        for label, values in zip(comparison.labels, comparison.greedy_values, strict=True)
        if values is not None
    }
    actors = {
        label: mean_ci_per_column(comparison.policy_value(index), seed=comparison.seed)
        for index, label in enumerate(comparison.labels)
        if comparison.policy_value(index) is not None
    }
    if exact:
        curves = dict(exact)
        curves.update({f"{label}: actor's policy": value for label, value in actors.items()})
        figures["greedy_value.png"] = plots.learning_curves(
            curves,
            x=steps,
            title=f"True value of the greedy policy (exact, on the MDP; an actor's own "
            f"stochastic policy too), {title}",
            xlabel="real steps",
            ylabel="value of the start",
        )
        belief = {}
        for label, measured in zip(comparison.labels, comparison.metrics, strict=True):
            if label in exact:
                belief[f"{label}: believed"] = mean_ci_per_column(
                    measured["believed_value"], seed=comparison.seed
                )
                belief[f"{label}: true"] = actors.get(label, exact[label])
        figures["belief.png"] = plots.learning_curves(
            belief,
            x=steps,
            title="Belief (max_a Q, or the critic, at the start) against the true value of "
            f"the policy (greedy; an actor's own), {title}",
            xlabel="real steps",
            ylabel="value of the start",
        )
    return figures
