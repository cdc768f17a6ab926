"""The imagination study: what Dreamer's dreams are worth, measured against the truth.

``dynalab study imagination`` trains ``dreamer`` (Hafner et al. 2023) and pixel ``dqn``
on the Dyna maze seen as pixels (Sutton & Barto Fig. 8.2's maze, gamma 0.95), where the
exact MDP underneath gives the true value of every policy, and on one MinAtar game
(Young & Tian 2019) with no known truth, and checks (:data:`IMAGINATION_CLAIMS`):

1. dreamer reaches a near-optimal policy (the exact value of its actor's policy within
   5% of V*) in fewer real steps than pixel dqn (its greedy policy's exact value);
2. its belief gap (the critic's value of the start against the exact value of the
   actor's policy) shrinks as real data grows: smaller at the end than at the first
   evaluation where the critic believes in a return at all (a value of the start of at
   least :data:`FIRST_BELIEF` of V*; before it critic and policy are both worth about
   0, and the gap says nothing);
3. open-loop imagination error grows with the horizon (after 10 imagined steps against
   after 1, final evaluation), and a dreamer that learns on a much longer imagination
   horizon than the model holds learns worse (mean true value over the run);
4. on the MinAtar game, dreamer against dqn at equal real steps, reported whichever way
   it falls.

Unreached runs count at the budget, a lower bound on their steps, so claim 1 errs
against the slower agent's being slower. Tabular ``dyna-q`` learns beside them on the
maze's table (its state index, no pixels; :mod:`dynalab.experiments.tabular_evals`), a
reference without a claim: what being handed the table is worth.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dynalab.analysis.stats import Estimate, difference_of_means, mean_ci, ratio_of_means
from dynalab.claims.claim import Claim, Outcome, interval_above

STUDY_WORLD = "dyna-maze:obs=pixels"
STUDY_GAMMA = 0.95
STUDY_STEPS = 8_000
STUDY_EVAL_EVERY = 1_000
STUDY_RUNS = 4
LONG_HORIZON = 45
PIXEL_DQN = (
    "hidden=64,double=false,batch=32,buffer=4000,target_every=100,learning_starts=200,"
    "epsilon_steps=3000,epsilon_end=0.1"
)
"""dqn's settings for the maze (``tests/deep/test_dqn.py``: every run optimal from 4,500
steps on); its defaults are CartPole's."""
STUDY_AGENTS = {
    "dreamer": f"dreamer:gamma={STUDY_GAMMA}",
    f"dreamer, H={LONG_HORIZON}": f"dreamer:gamma={STUDY_GAMMA},horizon={LONG_HORIZON}",
    "dqn": f"dqn:gamma={STUDY_GAMMA},{PIXEL_DQN}",
    "dyna-q on the table": f"dyna-q:gamma={STUDY_GAMMA}",
}
"""The maze's agents by role (the role labels them in tables, plots and ``evals.csv``)."""
GAME_WORLD = "gymnax:Breakout-MinAtar"
GAME_STEPS = 8_000
GAME_EVAL_EVERY = 2_000
GAME_AGENTS = {"dreamer on Breakout": "dreamer", "dqn on Breakout": "dqn"}
NEAR_OPTIMAL = 0.95
"""Claim 1's bar: a policy whose exact value is at least 95% of V*."""
FIRST_BELIEF = 0.1
"""Claim 2's start: the first evaluation where the critic values the start at 10% of V*
or more."""


def steps_to_value(values: np.ndarray, env_steps: np.ndarray, bar: float) -> np.ndarray:
    """Per run, the first evaluation's real step whose value reached ``bar``; the last
    evaluation's step where none did (a lower bound)."""
    reached = values >= bar
    first = np.argmax(reached, axis=1)
    steps = env_steps[np.arange(len(values)), first].astype(float)
    steps[~reached.any(axis=1)] = env_steps[:, -1][~reached.any(axis=1)]
    return steps


def imagination(runs: int, seed: int, jobs: int, advance: Callable[[int], None]) -> Outcome:
    """Run the study (module docstring); ``jobs`` is unused: JAX splits each agent's runs
    over the CPU cores itself (:mod:`dynalab.deep.devices`)."""
    from dynalab.envs.ground_truth import value_iteration
    from dynalab.experiments.neural import neural_figures, run_neural_comparison
    from dynalab.specs.agents import AgentSpec, parse_agent_spec
    from dynalab.specs.worlds import parse_env_spec

    def comparison(world_spec: str, roles: dict, steps: int, every: int, offset: int) -> object:
        def agent_done(index: int) -> None:
            for _ in range(runs):  # an agent's runs finish together, in one program
                advance(offset + index)

        return run_neural_comparison(
            parse_env_spec(world_spec),
            [AgentSpec(role, parse_agent_spec(spec)) for role, spec in roles.items()],
            steps=steps,
            runs=runs,
            seed=seed,
            eval_every=every,
            on_agent_done=agent_done,
        )

    maze = comparison(STUDY_WORLD, STUDY_AGENTS, STUDY_STEPS, STUDY_EVAL_EVERY, 0)
    game = comparison(GAME_WORLD, GAME_AGENTS, GAME_STEPS, GAME_EVAL_EVERY, len(STUDY_AGENTS))
    mdp = maze.world.maze.to_mdp()
    optimum = float(mdp.start_prob @ value_iteration(mdp, STUDY_GAMMA)[1])
    roles = list(STUDY_AGENTS)
    true_value = {
        role: maze.policy_value(i) if maze.policy_value(i) is not None else maze.greedy_values[i]
        for i, role in enumerate(roles)
    }
    by_role = dict(zip(roles, maze.metrics, strict=True))
    env_steps = by_role["dqn"]["env_step"]
    steps = {
        role: steps_to_value(values, env_steps, NEAR_OPTIMAL * optimum)
        for role, values in true_value.items()
    }
    area = {role: values.mean(axis=1) / optimum for role, values in true_value.items()}
    claims = [
        _near_optimal_claim(steps, seed),
        _belief_gap_claim(by_role["dreamer"], true_value["dreamer"], optimum, seed),
        _imagination_error_claim(by_role["dreamer"], seed),
        _long_horizon_claim(area, seed),
        _game_claim(game.metrics, seed),
    ]
    summary = {
        "roles": dict(STUDY_AGENTS),
        "optimal_value": optimum,
        "steps_to_near_optimal": {
            role: mean_ci(s, seed=seed).to_dict() for role, s in steps.items()
        },
        "mean_true_value_over_optimal": {
            role: mean_ci(a, seed=seed).to_dict() for role, a in area.items()
        },
    }
    figures = neural_figures(maze)
    figures.update({f"game_{name}": figure for name, figure in neural_figures(game).items()})
    return Outcome(claims, figures=figures, neural=maze, extra_summary=summary, more_neural=[game])


def _near_optimal_claim(steps: dict[str, np.ndarray], seed: int) -> Claim:
    dreamer, dqn = steps["dreamer"], steps["dqn"]
    difference = difference_of_means(dreamer, dqn, seed=seed)
    return Claim(
        f"dreamer's policy comes within {1 - NEAR_OPTIMAL:.0%} of V* (exact value) in fewer "
        "real steps than pixel dqn's",
        f"steps (unreached runs at the budget): dreamer {mean_ci(dreamer, seed=seed)}, "
        f"dqn {mean_ci(dqn, seed=seed)}; difference {difference}",
        bool(difference.high < 0.0),
    )


def _belief_gap_claim(metrics: dict, true_value: np.ndarray, optimum: float, seed: int) -> Claim:
    gap = np.abs(metrics["believed_value"] - true_value)
    runs = np.arange(len(gap))
    believes = metrics["believed_value"] >= FIRST_BELIEF * optimum
    first = np.where(believes.any(axis=1), np.argmax(believes, axis=1), gap.shape[1] - 1)
    difference = difference_of_means(gap[:, -1], gap[runs, first], seed=seed)
    steps = metrics["env_step"][runs, first]
    return Claim(
        "dreamer's belief gap |critic's value of the start - true value of its policy| "
        f"shrinks as real data grows, from the critic's first belief (a value of at least "
        f"{FIRST_BELIEF:.0%} of V*) to the end",
        f"at the first belief ({_steps_list(steps)} steps) "
        f"{mean_ci(gap[runs, first], seed=seed)}, at the end "
        f"{mean_ci(gap[:, -1], seed=seed)}; difference {difference}",
        bool(difference.high < 0.0),
    )


def _steps_list(steps: np.ndarray) -> str:
    """The runs' real steps, as ``1,000/3,000/...``."""
    return "/".join(f"{int(step):,}" for step in steps)


def _imagination_error_claim(metrics: dict, seed: int) -> Claim:
    final = metrics["rollout_error"][:, -1, :]
    growth: Estimate = ratio_of_means(final[:, -1], final[:, 0], seed=seed)
    return Claim(
        "open-loop imagination error grows with the horizon: after 10 imagined steps "
        "larger than after 1 (decoded frames, final evaluation)",
        f"after 1 {mean_ci(final[:, 0], seed=seed)}, after 10 "
        f"{mean_ci(final[:, -1], seed=seed)}; ratio {growth}",
        interval_above(growth, 1.0),
    )


def _long_horizon_claim(area: dict[str, np.ndarray], seed: int) -> Claim:
    long, short = area[f"dreamer, H={LONG_HORIZON}"], area["dreamer"]
    difference = difference_of_means(long, short, seed=seed)
    return Claim(
        f"learning on {LONG_HORIZON}-step dreams, longer than the model holds, does worse "
        "than on 15 (mean true value / V* over the run)",
        f"H={LONG_HORIZON} {mean_ci(long, seed=seed)}, H=15 {mean_ci(short, seed=seed)}; "
        f"difference {difference}",
        bool(difference.high < 0.0),
    )


def _game_claim(metrics: list[dict], seed: int) -> Claim:
    dreamer, dqn = (m["eval_return"][:, -1] for m in metrics)
    difference = difference_of_means(dreamer, dqn, seed=seed)
    return Claim(
        f"on {GAME_WORLD.split(':')[1]}, dreamer's final greedy return exceeds dqn's at "
        f"{GAME_STEPS:,} real steps",
        f"dreamer {mean_ci(dreamer, seed=seed)}, dqn {mean_ci(dqn, seed=seed)}; "
        f"difference {difference}",
        bool(difference.low > 0.0),
    )
