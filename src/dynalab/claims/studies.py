"""Model-error studies: watch planning multiply what a model gets wrong, with numbers.

Each study is written like a book reproduction (``dynalab.claims.registry``): it
runs an experiment over many seeds, writes a run folder, and prints its claims as
``[holds]``/``[fails]`` lines whose verdict needs the 95% interval, not just the mean,
on the claimed side.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dynalab.agents.config import AgentConfig
from dynalab.analysis.stats import Estimate, difference_of_means, mean_ci, share_closed
from dynalab.claims.claim import Claim, Outcome, estimate_points
from dynalab.envs.builtin import dyna_maze
from dynalab.experiments.compare import run_comparison
from dynalab.run.runner import RunResult, run_agent
from dynalab.specs.agents import parse_agent_specs
from dynalab.specs.worlds import parse_env_spec

NOISE_LEVELS = (0.0, 0.05, 0.1, 0.2, 0.4)
PLANNING_STEPS = (0, 5, 50)
NOISE_STEP_BUDGET = 4000


def planning_amplifies_error(
    runs: int, seed: int, jobs: int, advance: Callable[[int], None]
) -> Outcome:
    """Reward collected in 4000 real steps on the Dyna maze, against the fraction of
    corrupted model pairs (``model_noise``), for n = 0 (Q-learning, no model), 5 and 50.

    A corrupted pair's model sends it to a fixed random state (see
    ``dynalab.models.tabular.empty_model``); planning replays that error n times per
    real step, while the real transitions keep correcting Q only once per step.
    """
    from dynalab.plots import frontier

    world = dyna_maze().to_mdp()
    reward: dict[tuple[int, float], Estimate] = {}
    per_run: dict[tuple[int, float], np.ndarray] = {}
    for n in PLANNING_STEPS:
        levels = (0.0,) if n == 0 else NOISE_LEVELS
        for noise in levels:
            agent = (
                AgentConfig(name="q-learning")
                if n == 0
                else AgentConfig(name="dyna-q", planning_steps=n, model_noise=noise)
            )
            result = run_agent(
                world,
                agent,
                steps=NOISE_STEP_BUDGET,
                runs=runs,
                seed=seed,
                jobs=jobs,
                record_every=NOISE_STEP_BUDGET,
                evaluate=False,
            )
            per_run[(n, noise)] = result.cumulative_reward[:, -1]
            reward[(n, noise)] = mean_ci(per_run[(n, noise)], seed=seed)
        advance(n)
    for noise in NOISE_LEVELS[1:]:  # Q-learning has no model: noise does not touch it
        reward[(0, noise)] = reward[(0, 0.0)]
    worst = NOISE_LEVELS[-1]
    claims = [
        Claim(
            "without model error, planning helps: n=50 collects more reward than n=0 "
            "(intervals apart)",
            f"reward in {NOISE_STEP_BUDGET} steps: n=50 {reward[(50, 0.0)]}, "
            f"n=0 {reward[(0, 0.0)]}",
            reward[(50, 0.0)].low > reward[(0, 0.0)].high,
        ),
        Claim(
            f"with enough error, more planning is worse than none: at model_noise={worst} "
            "n=50 collects less reward than n=0 (intervals apart)",
            f"n=50 {reward[(50, worst)]}, n=5 {reward[(5, worst)]}, n=0 {reward[(0, worst)]}",
            reward[(50, worst)].high < reward[(0, worst)].low,
        ),
        Claim(
            "the harm grows with the error rate: n=50's reward at the highest noise is below "
            "its reward at the lowest nonzero noise (intervals apart)",
            "n=50 by noise: "
            + ", ".join(f"{noise}: {reward[(50, noise)]}" for noise in NOISE_LEVELS),
            reward[(50, worst)].high < reward[(50, NOISE_LEVELS[1])].low,
        ),
    ]
    points = {}
    for n in PLANNING_STEPS:
        estimates = [reward[(n, level)] for level in NOISE_LEVELS]
        label = "n=0 (Q-learning: no model)" if n == 0 else f"n={n}"
        points[label] = estimate_points(np.array(NOISE_LEVELS), estimates)
    figure = frontier(
        points,
        xlabel="model_noise (fraction of corrupted model pairs)",
        ylabel=f"reward collected in {NOISE_STEP_BUDGET} real steps",
        title=f"Planning amplifies model error (Dyna maze): mean over {runs} runs",
        log_x=False,
        log_y=False,
    )
    summary = {
        "reward": [
            {"planning_steps": n, "model_noise": noise, **reward[(n, noise)].to_dict()}
            for n in PLANNING_STEPS
            for noise in NOISE_LEVELS
        ]
    }
    return Outcome(claims, figures={"reward_vs_noise.png": figure}, extra_summary=summary)


CLIFF_EPISODES = 200
CLIFF_AGENTS = (
    "q-learning",
    "dyna-q:n=20",
    "dyna-q:n=20,model=counts",
    "model-vi",
    "model-vi:model=counts",
)


def fall_rate(
    result: RunResult, first_episode: int, max_steps: int, cliff_reward: float
) -> np.ndarray:
    """Per run, the share of episodes ``first_episode``.. that ended in the cliff: a
    return at or below the cliff's reward before the time limit cut the episode."""
    returns = result.episode_return[:, first_episode - 1 :]
    steps = result.episode_steps[:, first_episode - 1 :]
    completed = steps >= 0
    fell = completed & (returns <= cliff_reward) & (steps < max_steps)
    return fell.sum(axis=1) / np.maximum(completed.sum(axis=1), 1)


def stochastic_model(runs: int, seed: int, jobs: int, advance: Callable[[int], None]) -> Outcome:
    """The slippery cliff (moves slip with probability 0.1; falling costs -100): the
    book's last-outcome model is wrong there, a count-based model is not. Compared over
    the last 100 of 200 episodes: return and how often the agent falls, for Q-learning,
    Dyna-Q (n=20) and value iteration on the learned model, each with both models."""
    world = parse_env_spec("slippery-cliff")
    agents = parse_agent_specs(list(CLIFF_AGENTS), {"alpha": 0.1, "gamma": 0.95, "epsilon": 0.1})
    comparison = run_comparison(
        world,
        agents,
        episodes=CLIFF_EPISODES,
        runs=runs,
        seed=seed,
        jobs=jobs,
        on_run_done=advance,
    )
    maze = world.maze
    late = CLIFF_EPISODES // 2 + 1
    results = dict(zip(comparison.labels, comparison.results, strict=True))
    falls = {
        label: mean_ci(fall_rate(result, late, maze.max_steps, maze.cliff_reward), seed=seed)
        for label, result in results.items()
    }
    returns = {
        label: mean_ci(np.nanmean(result.episode_return[:, late - 1 :], axis=1), seed=seed)
        for label, result in results.items()
    }
    errors = {
        label: mean_ci(result.model_error[:, -1], seed=seed)
        for label, result in results.items()
        if label != "q-learning"
    }
    claims = [
        Claim(
            "in a slippery world the last-outcome model stays wrong while the count model "
            "converges: model error (TV) after 200 episodes, intervals apart",
            f"model-vi: deterministic {errors['model-vi']}, counts "
            f"{errors['model-vi:model=counts']}; dyna-q:n=20: deterministic "
            f"{errors['dyna-q:n=20']}, counts {errors['dyna-q:n=20,model=counts']}",
            errors["model-vi"].low > errors["model-vi:model=counts"].high
            and errors["dyna-q:n=20"].low > errors["dyna-q:n=20,model=counts"].high,
        ),
        Claim(
            "planning to convergence on the wrong model walks the edge: model-vi with the "
            "deterministic model falls more often than with the count model (intervals apart)",
            f"fall rate in episodes {late}-{CLIFF_EPISODES}: deterministic {falls['model-vi']}, "
            f"counts {falls['model-vi:model=counts']}",
            falls["model-vi"].low > falls["model-vi:model=counts"].high,
        ),
        Claim(
            "and it pays for it: model-vi's return is lower with the deterministic model "
            "(intervals apart)",
            f"mean return per episode: deterministic {returns['model-vi']}, counts "
            f"{returns['model-vi:model=counts']}",
            returns["model-vi"].high < returns["model-vi:model=counts"].low,
        ),
        Claim(
            "with the right (count) model, planning beats model-free Q-learning on return "
            "(intervals apart)",
            f"model-vi:model=counts {returns['model-vi:model=counts']}, q-learning "
            f"{returns['q-learning']}",
            returns["model-vi:model=counts"].low > returns["q-learning"].high,
        ),
    ]
    summary = {
        "fall_rate": {label: estimate.to_dict() for label, estimate in falls.items()},
        "late_return": {label: estimate.to_dict() for label, estimate in returns.items()},
        "final_model_error": {label: estimate.to_dict() for label, estimate in errors.items()},
    }
    return Outcome(claims, comparison=comparison, extra_summary=summary)


EXPLOITATION_EPISODES = 10
EXPLOITATION_RUNS = 400
"""Runs of the exploitation study. Its per-run gaps and values are heavy-tailed (a run
whose pessimistic ensemble knows no path yet, another that found one), and its shares are
ratios of such means: at 100 runs seed 1 left two claims undecided (share of the gap
closed 0.67 [0.26, 0.82]), so the study runs 4x as many, halving every interval."""
EXPLOITATION_DEFAULTS = {"alpha": 1.0, "gamma": 0.95, "epsilon": 1.0}
PLAIN = "dyna-q:n=50"
GENERALIZING = "dyna-q:n=50,model=aggregate"
PESSIMISTIC = "dyna-q:n=50,model=aggregate,ensemble=5"
AVERAGED = "dyna-q:n=50,model=aggregate,ensemble=5,uncertainty=mean"
EXPLOITATION_AGENTS = (PLAIN, GENERALIZING, PESSIMISTIC, AVERAGED)


def exploitation(runs: int, seed: int, jobs: int, advance: Callable[[int], None]) -> Outcome:
    """Model exploitation on the swamp maze, and the pessimistic ensemble's remedy.

    The agents learn from exploratory experience - a random behaviour policy
    (epsilon = 1), as offline model-based RL learns from a fixed data stream - for 10
    episodes, so they cannot test what their model invents by acting on it. At each
    episode's end the lab records the agent's belief (max_a Q at the start) and the true
    value of its greedy policy (policy evaluation on the true maze): the greedy policy's
    expected discounted return from the start. Per run both are averaged over the 10
    episode ends. alpha = 1 and n = 50 let Q settle on what the model implies, so the
    belief gap measures the model, not slow learning.

    Agents: Dyna-Q with the book's last-outcome model (no generalization), with the
    aggregate model (untried pairs predicted by the action's most common outcome: the
    swamp costs nothing), and with an ensemble of 5 aggregate-style members trained on
    Poisson(1) bootstrap resamples, planning pessimistically (lambda = 1) or on the
    members' mean (the control that tells pessimism from averaging).
    """
    world = parse_env_spec("swamp-maze")
    agents = parse_agent_specs(list(EXPLOITATION_AGENTS), EXPLOITATION_DEFAULTS)
    comparison = run_comparison(
        world,
        agents,
        episodes=EXPLOITATION_EPISODES,
        runs=runs,
        seed=seed,
        jobs=jobs,
        on_run_done=advance,
    )
    optimal = comparison.optimal_value(EXPLOITATION_DEFAULTS["gamma"])
    results = dict(zip(comparison.labels, comparison.results, strict=True))
    gap_per_run = {
        label: np.mean(result.believed_value - result.greedy_value, axis=1)
        for label, result in results.items()
    }
    value_per_run = {
        label: np.mean(result.greedy_value, axis=1) for label, result in results.items()
    }
    gap = {label: mean_ci(values, seed=seed) for label, values in gap_per_run.items()}
    value = {label: mean_ci(values, seed=seed) for label, values in value_per_run.items()}
    gap_closed = share_closed(gap_per_run[GENERALIZING], gap_per_run[PESSIMISTIC], 0.0, seed=seed)
    value_recovered = share_closed(
        value_per_run[GENERALIZING],
        value_per_run[PESSIMISTIC],
        value_per_run[PLAIN],
        seed=seed,
    )
    towards_optimum = share_closed(
        value_per_run[GENERALIZING], value_per_run[PESSIMISTIC], optimal, seed=seed
    )
    averaging_keeps = difference_of_means(
        gap_per_run[AVERAGED], gap_per_run[PESSIMISTIC], seed=seed
    )
    claims = [
        Claim(
            "the generalizing model is exploited: believing the swamp free, its belief gap "
            "(believed minus true value of the greedy policy) is larger than without "
            "generalization (intervals apart)",
            f"mean gap over episode ends: aggregate {gap[GENERALIZING]}, last-outcome model "
            f"{gap[PLAIN]}",
            gap[GENERALIZING].low > gap[PLAIN].high,
        ),
        Claim(
            "and its greedy policy's true return is poor: below the optimum V*(start) = "
            f"{optimal:.3f} and below the agent's without generalization (intervals apart)",
            f"true value of the greedy policy: aggregate {value[GENERALIZING]}, last-outcome "
            f"model {value[PLAIN]}",
            value[GENERALIZING].high < min(optimal, value[PLAIN].low),
        ),
        Claim(
            "the pessimistic ensemble closes most of the gap: share of the aggregate model's "
            "gap closed above 1/2 (interval)",
            f"share closed {gap_closed}; gap: pessimistic ensemble {gap[PESSIMISTIC]}",
            gap_closed.low > 0.5,
        ),
        Claim(
            "and recovers most of the return lost to exploitation: share of the gap between "
            "the aggregate agent's true value and the same agent's without generalization "
            "recovered, above 1/2 (interval)",
            f"share recovered {value_recovered}; true value: pessimistic ensemble "
            f"{value[PESSIMISTIC]}, aggregate {value[GENERALIZING]}, without generalization "
            f"{value[PLAIN]}; share of the aggregate's shortfall from V* = {optimal:.3f} "
            f"recovered {towards_optimum}",
            value_recovered.low > 0.5,
        ),
        Claim(
            "it is the pessimism, not the averaging: the ensemble planning on its members' "
            "mean keeps a larger gap than the pessimistic one (difference of mean gaps, "
            "interval above 0)",
            f"gap: mean ensemble {gap[AVERAGED]}, pessimistic ensemble {gap[PESSIMISTIC]}; "
            f"difference {averaging_keeps}",
            averaging_keeps.low > 0.0,
        ),
    ]
    summary = {
        "optimal_start_value": optimal,
        "belief_gap": {label: estimate.to_dict() for label, estimate in gap.items()},
        "greedy_value": {label: estimate.to_dict() for label, estimate in value.items()},
        "gap_closed_by_pessimism": gap_closed.to_dict(),
        "return_recovered_by_pessimism": value_recovered.to_dict(),
        "shortfall_from_optimum_recovered": towards_optimum.to_dict(),
        "gap_kept_by_averaging": averaging_keeps.to_dict(),
    }
    return Outcome(claims, comparison=comparison, extra_summary=summary)
