"""Figs. 8.4 and 8.5 reproduced: Dyna-Q against Dyna-Q+ when the maze changes
(Sutton & Barto 8.3)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dynalab.analysis.stats import Estimate, mean_ci
from dynalab.book import (
    AGENT_SETTINGS,
    BLOCKING_STEPS,
    BLOCKING_SWITCH_STEP,
    SHORTCUT_STEPS,
    SHORTCUT_SWITCH_STEP,
)
from dynalab.claims.claim import Claim, Outcome, interval_above, interval_below
from dynalab.experiments.compare import Comparison, cumulative_reward_at, run_comparison
from dynalab.run.runner import RunResult
from dynalab.specs.agents import parse_agent_specs
from dynalab.specs.worlds import parse_env_spec


def _changing_maze_claims(
    comparison: Comparison, seed: int, before: tuple[int, int], after: tuple[int, int]
) -> tuple[dict[str, Estimate], dict[str, Estimate], dict[str, Estimate]]:
    """Per agent: final cumulative reward, reward gained in the window ``before`` and in
    the window ``after`` (real steps), as estimates across runs."""
    final, gained_before, gained_after = {}, {}, {}
    for agent, result in zip(comparison.agents, comparison.results, strict=True):
        label = agent.config.name
        final[label] = mean_ci(cumulative_reward_at(result, comparison.steps), seed=seed)
        gained_before[label] = mean_ci(
            cumulative_reward_at(result, before[1]) - cumulative_reward_at(result, before[0]),
            seed=seed,
        )
        gained_after[label] = mean_ci(
            cumulative_reward_at(result, after[1]) - cumulative_reward_at(result, after[0]),
            seed=seed,
        )
    return final, gained_before, gained_after


def figure_8_4(runs: int, seed: int, jobs: int, advance: Callable[[int], None]) -> Outcome:
    """Fig. 8.4: blocking maze, 3000 steps, the short path blocked at step 1000
    (``dynalab.book``)."""
    world = parse_env_spec("blocking-maze")
    agents = parse_agent_specs(
        ["dyna-q:n=10,alpha=1.0", "dyna-q+:n=10,alpha=1.0,kappa=0.0001"], AGENT_SETTINGS
    )
    comparison = run_comparison(
        world, agents, steps=BLOCKING_STEPS, runs=runs, seed=seed, jobs=jobs, on_run_done=advance
    )
    final, before, after = _changing_maze_claims(
        comparison, seed, (0, BLOCKING_SWITCH_STEP), (BLOCKING_SWITCH_STEP, BLOCKING_STEPS)
    )
    claims = [
        Claim(
            "both agents find the short path before the change (reward by step 1000 > 0)",
            f"Dyna-Q {before['dyna-q']}, Dyna-Q+ {before['dyna-q+']}",
            interval_above(before["dyna-q"], 0.0) and interval_above(before["dyna-q+"], 0.0),
        ),
        Claim(
            "both find the new path around the wall after it moves (reward in steps 1000-3000 > 0)",
            f"Dyna-Q {after['dyna-q']}, Dyna-Q+ {after['dyna-q+']}",
            interval_above(after["dyna-q"], 0.0) and interval_above(after["dyna-q+"], 0.0),
        ),
        Claim(
            "Dyna-Q+ does better than Dyna-Q: higher cumulative reward by step 3000 "
            "(intervals apart)",
            f"Dyna-Q+ {final['dyna-q+']} vs Dyna-Q {final['dyna-q']}",
            final["dyna-q+"].low > final["dyna-q"].high,
        ),
    ]
    return Outcome(claims, comparison=comparison)


SHORTCUT_RATE_GAIN = 0.25


def switched_to_shortcut(result: RunResult) -> np.ndarray:
    """Per run, 1.0 if its reward rate in steps 5000-6000 is over 25% above its rate in
    steps 2000-3000. The shortcut cuts the path from 16 to 10 moves, a 60% higher rate
    for a policy that takes it; keeping the old path leaves the rate where it was."""
    switch, end = SHORTCUT_SWITCH_STEP, SHORTCUT_STEPS
    before = cumulative_reward_at(result, switch) - cumulative_reward_at(result, switch - 1000)
    after = cumulative_reward_at(result, end) - cumulative_reward_at(result, end - 1000)
    return (after > (1.0 + SHORTCUT_RATE_GAIN) * before).astype(float)


def figure_8_5(runs: int, seed: int, jobs: int, advance: Callable[[int], None]) -> Outcome:
    """Fig. 8.5: shortcut maze, 6000 steps, a shortcut opens at step 3000."""
    world = parse_env_spec("shortcut-maze")
    agents = parse_agent_specs(
        ["dyna-q:n=50,alpha=1.0", "dyna-q+:n=50,alpha=1.0,kappa=0.001"], AGENT_SETTINGS
    )
    comparison = run_comparison(
        world, agents, steps=SHORTCUT_STEPS, runs=runs, seed=seed, jobs=jobs, on_run_done=advance
    )
    final, before, after = _changing_maze_claims(
        comparison,
        seed,
        (SHORTCUT_SWITCH_STEP - 1000, SHORTCUT_SWITCH_STEP),
        (SHORTCUT_STEPS - 1000, SHORTCUT_STEPS),
    )
    switched = {
        agent.config.name: mean_ci(switched_to_shortcut(result), seed=seed)
        for agent, result in zip(comparison.agents, comparison.results, strict=True)
    }
    claims = [
        Claim(
            "Dyna-Q never switches to the shortcut: in most runs its reward rate in steps "
            f"5000-6000 is not {SHORTCUT_RATE_GAIN:.0%} above its rate in steps 2000-3000",
            f"share of runs that switched: Dyna-Q {switched['dyna-q']}, Dyna-Q+ "
            f"{switched['dyna-q+']}; Dyna-Q reward per 1000 steps before {before['dyna-q']}, "
            f"after {after['dyna-q']}",
            interval_below(switched["dyna-q"], 0.5),
        ),
        Claim(
            "Dyna-Q+ finds and uses the shortcut: its reward rate after the change beats "
            "its rate before and Dyna-Q's after (intervals apart)",
            f"Dyna-Q+ before {before['dyna-q+']}, after {after['dyna-q+']}",
            after["dyna-q+"].low > before["dyna-q+"].high
            and after["dyna-q+"].low > after["dyna-q"].high,
        ),
        Claim(
            "Dyna-Q+ ends with more cumulative reward (intervals apart)",
            f"Dyna-Q+ {final['dyna-q+']} vs Dyna-Q {final['dyna-q']}",
            final["dyna-q+"].low > final["dyna-q"].high,
        ),
    ]
    return Outcome(claims, comparison=comparison)
