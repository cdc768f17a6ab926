"""The neural model-error study: what a learned neural model buys on CartPole, and where
its errors hurt.

``dynalab study neural-model-error`` trains, on CartPole's JAX twin, ``dqn`` and four
``dyna-dqn`` variants with the same Q-network and the same DQN settings
(:data:`STUDY_AGENTS`), all runs of an agent in one compiled program
(:func:`dynalab.experiments.neural.run_neural_comparison`), and checks four claims
(Janner et al. 2019, MBPO, §4 and §6; Lakshminarayanan et al. 2017):

1. a model buys samples: dyna-dqn with a probabilistic ensemble and one-step rollouts
   reaches the solved return in at least 3x fewer real steps than dqn;
2. one deterministic network rolled out for 10 steps learns worse than rolled out for 1,
   and its open-loop error grows with the horizon (errors compound);
3. an ensemble that truncates rollouts where its members disagree keeps 10-step rollouts
   from hurting (no worse than its 1-step rollouts);
4. the members' disagreement ranks the model's actual one-step errors (Spearman's
   correlation above 0.5 on held-out real transitions).

Every variant makes the same number of model steps: ``rollouts`` x ``k`` is 256 per round
for each horizon, so a longer horizon is not also more simulated data. Steps to solved
count an unsolved run at the budget: a lower bound on the slower agent's steps, so the
ratio of claim 1 errs against the model.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dynalab.analysis.stats import Estimate, difference_of_means, mean_ci, ratio_of_means
from dynalab.claims.claim import Claim, Outcome, interval_above

STUDY_WORLD = "gym:CartPole-v1"
STUDY_STEPS = 30_000
STUDY_EVAL_EVERY = 2_500
STUDY_RUNS = 10
SHARED = "hidden=64x64"
DYNA = f"{SHARED},model_hidden=64x64"
STUDY_AGENTS = {
    "dqn": f"dqn:{SHARED}",
    "ensemble, k=1": f"dyna-dqn:{DYNA},k=1",
    "one net, k=1": f"dyna-dqn:{DYNA},members=1,world_model=deterministic,k=1",
    "one net, k=10": f"dyna-dqn:{DYNA},members=1,world_model=deterministic,k=10,rollouts=26",
    "ensemble, k=10, truncate": f"dyna-dqn:{DYNA},k=10,rollouts=26,guard=truncate",
}
"""The study's agents as agent specs, by role: the role is the agent's label in the
table, the plots and ``evals.csv``; ``config.json`` holds each one's every setting."""
SAMPLE_RATIO = 3.0
NON_INFERIORITY = 0.05
"""Claim 3's margin: the truncated ensemble's mean return may fall short of the 1-step
ensemble's by at most 5% of the latter (a non-inferiority test: its interval must lie
above that)."""
RANK_FLOOR = 0.5


def _steps_to_solved(metrics: dict, solved: float, budget: int) -> np.ndarray:
    """Per run, the first evaluation's real step with a return of at least ``solved``;
    ``budget`` where none reached it."""
    reached = metrics["eval_return"] >= solved
    first = np.argmax(reached, axis=1)
    steps = metrics["env_step"][np.arange(len(reached)), first].astype(float)
    steps[~reached.any(axis=1)] = budget
    return steps


def _area(metrics: dict) -> np.ndarray:
    """Per run, the mean evaluation return over all evaluations (area under the curve)."""
    return metrics["eval_return"].mean(axis=1)


def neural_model_error(runs: int, seed: int, jobs: int, advance: Callable[[int], None]) -> Outcome:
    """Run the study (module docstring); ``jobs`` is unused: JAX splits each agent's runs
    over the CPU cores itself (:mod:`dynalab.deep.devices`)."""
    from dynalab.experiments.neural import neural_figures, run_neural_comparison
    from dynalab.specs.agents import AgentSpec, parse_agent_spec
    from dynalab.specs.worlds import parse_env_spec

    world = parse_env_spec(STUDY_WORLD)
    agents = [AgentSpec(role, parse_agent_spec(spec)) for role, spec in STUDY_AGENTS.items()]

    def agent_done(index: int) -> None:
        for _ in range(runs):  # an agent's runs finish together, in one program
            advance(index)

    comparison = run_neural_comparison(
        world,
        agents,
        steps=STUDY_STEPS,
        runs=runs,
        seed=seed,
        eval_every=STUDY_EVAL_EVERY,
        on_agent_done=agent_done,
    )
    by_role = dict(zip(STUDY_AGENTS, comparison.metrics, strict=True))
    solved = comparison.solved_return
    steps = {
        role: _steps_to_solved(metrics, solved, comparison.steps)
        for role, metrics in by_role.items()
    }
    area = {role: _area(metrics) for role, metrics in by_role.items()}
    claims = [
        _sample_claim(steps, solved, seed),
        _long_rollout_claim(area, seed),
        _compounding_claim(by_role["one net, k=1"], seed),
        _truncation_claim(area, seed),
        _rank_claim(by_role["ensemble, k=1"], seed),
    ]
    summary = {
        "roles": dict(STUDY_AGENTS),
        "steps_to_solved": {role: mean_ci(s, seed=seed).to_dict() for role, s in steps.items()},
        "mean_eval_return": {role: mean_ci(a, seed=seed).to_dict() for role, a in area.items()},
    }
    return Outcome(
        claims, figures=neural_figures(comparison), neural=comparison, extra_summary=summary
    )


def _sample_claim(steps: dict[str, np.ndarray], solved: float, seed: int) -> Claim:
    dqn, dyna = steps["dqn"], steps["ensemble, k=1"]
    ratio = ratio_of_means(dqn, dyna, seed=seed)
    return Claim(
        f"a model buys samples: dyna-dqn (ensemble, k=1) reaches {solved:g} in at least "
        f"{SAMPLE_RATIO:g}x fewer real steps than dqn (aim 5x)",
        f"steps to {solved:g} (unsolved runs at the budget): dqn {mean_ci(dqn, seed=seed)}, "
        f"dyna-dqn {mean_ci(dyna, seed=seed)}; ratio {ratio}",
        bool(ratio.low >= SAMPLE_RATIO),
    )


def _long_rollout_claim(area: dict[str, np.ndarray], seed: int) -> Claim:
    difference = difference_of_means(area["one net, k=10"], area["one net, k=1"], seed=seed)
    return Claim(
        "with one deterministic network, 10-step rollouts learn worse than 1-step rollouts "
        "(mean evaluation return over the run)",
        f"k=10 {mean_ci(area['one net, k=10'], seed=seed)}, "
        f"k=1 {mean_ci(area['one net, k=1'], seed=seed)}; difference {difference}",
        bool(difference.high < 0.0),
    )


def _compounding_claim(metrics: dict, seed: int) -> Claim:
    final = metrics["rollout_error"][:, -1, :]
    growth: Estimate = ratio_of_means(final[:, -1], final[:, 0], seed=seed)
    return Claim(
        "its errors compound: the open-loop error after 10 model steps is larger than "
        "after 1 (normalised error, final evaluation)",
        f"after 1 step {mean_ci(final[:, 0], seed=seed)}, after 10 "
        f"{mean_ci(final[:, -1], seed=seed)}; ratio {growth}",
        interval_above(growth, 1.0),
    )


def _truncation_claim(area: dict[str, np.ndarray], seed: int) -> Claim:
    short = area["ensemble, k=1"]
    difference = difference_of_means(area["ensemble, k=10, truncate"], short, seed=seed)
    margin = -NON_INFERIORITY * float(np.mean(short))
    return Claim(
        "an ensemble truncating where its members disagree keeps 10-step rollouts from "
        f"hurting: within {NON_INFERIORITY:.0%} of its 1-step rollouts' mean return",
        f"k=10 truncated {mean_ci(area['ensemble, k=10, truncate'], seed=seed)}, "
        f"k=1 {mean_ci(short, seed=seed)}; difference {difference} (margin {margin:.1f})",
        interval_above(difference, margin),
    )


def _rank_claim(metrics: dict, seed: int) -> Claim:
    per_run = np.nanmean(metrics["disagreement_rank"][:, 1:], axis=1)
    rank = mean_ci(per_run, seed=seed)
    return Claim(
        "disagreement predicts the error: Spearman's correlation of the ensemble's "
        f"disagreement with its one-step error on held-out real transitions is above {RANK_FLOOR}",
        f"mean over evaluations and runs {rank}",
        interval_above(rank, RANK_FLOOR),
    )
