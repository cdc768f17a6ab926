"""Every reproduction of the book's chapter 8 and every study, by name, and their run folders.

``dynalab reproduce NAME`` and ``dynalab study NAME`` run an entry of
:data:`REPRODUCTIONS` or :data:`STUDIES`; :func:`write_claims_folder` writes what it
produced through the one run-folder writer.
"""

from __future__ import annotations

from pathlib import Path

from dynalab import runfolder
from dynalab.claims import imagination as dreams
from dynalab.claims.changing_mazes import figure_8_4, figure_8_5
from dynalab.claims.claim import Outcome, Reproduction
from dynalab.claims.maze_learning import figure_8_2, figure_8_3
from dynalab.claims.neural import STUDY_AGENTS, STUDY_RUNS, STUDY_STEPS, neural_model_error
from dynalab.claims.studies import (
    CLIFF_AGENTS,
    CLIFF_EPISODES,
    EXPLOITATION_AGENTS,
    EXPLOITATION_EPISODES,
    EXPLOITATION_RUNS,
    NOISE_LEVELS,
    NOISE_STEP_BUDGET,
    PLANNING_STEPS,
    exploitation,
    planning_amplifies_error,
    stochastic_model,
)
from dynalab.claims.sweeping import (
    EXAMPLE_8_4_SCALES,
    PER_EPISODE_EPISODES,
    PER_EPISODE_N,
    PER_EPISODE_RUNS,
    example_8_4,
    sweeping_per_episode,
)
from dynalab.claims.trajectory_sampling import TASKS, figure_8_8
from dynalab.experiments.compare import config_dict, summarize, with_argv
from dynalab.experiments.neural import summarize_neural
from dynalab.experiments.neural_folder import comparison_dreams, eval_rows, neural_config

REPRODUCTIONS: dict[str, Reproduction] = {
    "fig8.2": Reproduction(
        "fig8.2",
        "Dyna maze learning curves: planning steps n = 0, 5, 50 (Sutton & Barto Fig. 8.2)",
        "30 runs x 50 episodes, alpha 0.1, gamma 0.95, epsilon 0.1",
        30,
        figure_8_2,
        3,
    ),
    "fig8.3": Reproduction(
        "fig8.3",
        "Greedy policies halfway through episode 2, n = 0 vs 50 (Sutton & Barto Fig. 8.3)",
        "30 runs, alpha 0.1, gamma 0.95, epsilon 0.1",
        30,
        figure_8_3,
    ),
    "ex8.4": Reproduction(
        "ex8.4",
        "Prioritized sweeping vs Dyna-Q on growing mazes (Sutton & Barto Example 8.4)",
        "30 runs per size, 6 sizes (47-3008 free cells), n 5, alpha 1.0, theta 1e-4, eps 0.1",
        30,
        example_8_4,
        2 * len(EXAMPLE_8_4_SCALES),
    ),
    "fig8.4": Reproduction(
        "fig8.4",
        "Blocking maze: Dyna-Q vs Dyna-Q+ (Sutton & Barto Fig. 8.4)",
        "30 runs x 3000 steps, wall moves at 1000; n 10, alpha 1.0, kappa 1e-4, eps 0.1",
        30,
        figure_8_4,
        2,
    ),
    "fig8.5": Reproduction(
        "fig8.5",
        "Shortcut maze: Dyna-Q vs Dyna-Q+ (Sutton & Barto Fig. 8.5)",
        "30 runs x 6000 steps, shortcut opens at 3000; n 50, alpha 1.0, kappa 1e-3, eps 0.1",
        30,
        figure_8_5,
        2,
    ),
    "fig8.8": Reproduction(
        "fig8.8",
        "Trajectory sampling: on-policy vs uniform expected updates (Sutton & Barto Fig. 8.8)",
        f"{TASKS} random tasks per panel (shrunk from the book's many more; sizes and "
        "budgets as the book): 1000 states, b 1/3/10, 20,000 updates; 10,000 states, b 1, "
        "200,000 updates; 2 actions, termination 0.1, gamma 1, eps 0.1, greedy value every 2.5%",
        TASKS,
        figure_8_8,
        8,
    ),
}


STUDIES: dict[str, Reproduction] = {
    "stochastic-model": Reproduction(
        "stochastic-model",
        "Stochastic world, deterministic model: the slippery cliff",
        f"slippery-cliff (slip 0.1, cliff -100), {CLIFF_EPISODES} episodes, agents "
        f"{' '.join(CLIFF_AGENTS)}, alpha 0.1, gamma 0.95, epsilon 0.1, 20 runs",
        20,
        stochastic_model,
        len(CLIFF_AGENTS),
        "study",
    ),
    "planning-amplifies-error": Reproduction(
        "planning-amplifies-error",
        "Planning amplifies model error: reward against model_noise for n = 0, 5, 50",
        f"Dyna maze, {NOISE_STEP_BUDGET} real steps, model_noise in "
        f"{', '.join(map(str, NOISE_LEVELS))}, alpha 0.1, gamma 0.95, epsilon 0.1, 20 runs",
        20,
        planning_amplifies_error,
        len(PLANNING_STEPS),
        "study",
    ),
    "exploitation": Reproduction(
        "exploitation",
        "Model exploitation: a generalizing model believes the swamp is dry; a pessimistic "
        "ensemble does not",
        f"swamp-maze (swamp -5 per move), {EXPLOITATION_EPISODES} episodes of random "
        f"behaviour (epsilon 1), alpha 1, gamma 0.95, agents {' '.join(EXPLOITATION_AGENTS)}, "
        f"{EXPLOITATION_RUNS} runs",
        EXPLOITATION_RUNS,
        exploitation,
        len(EXPLOITATION_AGENTS),
        "study",
    ),
    "sweeping-per-episode": Reproduction(
        "sweeping-per-episode",
        "Per episode, prioritized sweeping (its defaults) against Dyna-Q at the same n",
        f"Dyna maze, {PER_EPISODE_EPISODES} episodes, n in "
        f"{', '.join(map(str, PER_EPISODE_N))}; Dyna-Q alpha 0.1, prioritized sweeping "
        f"alpha 1 (and 0.1 at n=5), theta 1e-4, gamma 0.95, epsilon 0.1, "
        f"{PER_EPISODE_RUNS} runs",
        PER_EPISODE_RUNS,
        sweeping_per_episode,
        2 * len(PER_EPISODE_N) + 1,
        "study",
    ),
    "neural-model-error": Reproduction(
        "neural-model-error",
        "A neural world model on CartPole: samples bought, errors compounded, disagreement "
        "that knows",
        f"{STUDY_STEPS:,} real steps per run, agents "
        f"{' '.join(STUDY_AGENTS.values())}, {STUDY_RUNS} runs (the jax backend)",
        STUDY_RUNS,
        neural_model_error,
        len(STUDY_AGENTS),
        "study",
        "jax",
    ),
    "imagination": Reproduction(
        "imagination",
        "Dreamer on the pixel maze against the truth: near-optimal sooner than dqn, belief "
        "gap, imagination error, dreams too long; and on a MinAtar game",
        f"{dreams.STUDY_WORLD} (gamma {dreams.STUDY_GAMMA}), {dreams.STUDY_STEPS:,} real "
        f"steps, agents {' '.join(dreams.STUDY_AGENTS.values())}; {dreams.GAME_WORLD}, "
        f"{dreams.GAME_STEPS:,} steps, dreamer and dqn at their defaults; "
        f"{dreams.STUDY_RUNS} runs (the jax backend)",
        dreams.STUDY_RUNS,
        dreams.imagination,
        len(dreams.STUDY_AGENTS) + len(dreams.GAME_AGENTS),
        "study",
        "jax",
    ),
}


def reproduction_config(reproduction: Reproduction, runs: int, seed: int, jobs: int) -> dict:
    return {
        "command": reproduction.command,
        "reproduction": reproduction.name,
        "title": reproduction.title,
        "settings": reproduction.settings,
        "runs": runs,
        "seed": seed,
        "jobs": jobs,
    }


def write_claims_folder(
    reproduction: Reproduction,
    outcome: Outcome,
    folder: Path,
    *,
    force: bool,
    runs: int,
    seed: int,
    jobs: int,
    argv: list[str] | None = None,
) -> None:
    """The run folder of a reproduction: the comparison's files plus the claims
    (``argv``, the command line, in config.json when given)."""
    from dynalab.experiments.figures import comparison_figures

    config = with_argv(reproduction_config(reproduction, runs, seed, jobs), argv)
    summary: dict = {"reproduction": reproduction.name, "title": reproduction.title}
    figures = dict(outcome.figures)
    comparison = outcome.comparison
    if comparison is not None:
        config["comparison"] = config_dict(comparison)
        summary.update(summarize(comparison))
        figures.update(comparison_figures(comparison))
    evals: list = []
    files: dict = {}
    if outcome.neural is not None:
        config["comparison"] = neural_config(outcome.neural)
        summary.update(summarize_neural(outcome.neural))
        evals = eval_rows(outcome.neural)
        files = comparison_dreams(outcome.neural)
    if outcome.more_neural:
        config["more_comparisons"] = [neural_config(more) for more in outcome.more_neural]
        summary["more_worlds"] = [summarize_neural(more) for more in outcome.more_neural]
        evals += [row for more in outcome.more_neural for row in eval_rows(more)]
    summary.update(outcome.extra_summary)
    summary["claims"] = [claim.to_dict() for claim in outcome.claims]
    summary["all_claims_hold"] = all(claim.holds for claim in outcome.claims)
    runfolder.write_run_folder(
        folder,
        force=force,
        config=config,
        summary=summary,
        results=comparison.results if comparison is not None else (),
        labels=comparison.labels if comparison is not None else (),
        figures=figures,
        evals=evals,
        files=files,
    )
