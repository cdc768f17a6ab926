"""Sutton & Barto's chapter 8 settings, in one place.

The worlds (``dynalab.envs.builtin``), the command line's default budgets and the
reproductions (``dynalab.claims``) all read the book's numbers from here, so that a
reproduction and a ``dynalab compare`` of the same world can never drift apart.
"""

AGENT_SETTINGS = {"alpha": 0.1, "gamma": 0.95, "epsilon": 0.1}
"""Step size, discount and exploration rate the chapter's examples use unless they say
otherwise (Example 8.1, Figs. 8.2-8.5)."""

DYNA_MAZE_EPISODES = 50
"""Fig. 8.2's budget: 50 episodes of the Dyna maze."""

BLOCKING_SWITCH_STEP = 1000
"""Fig. 8.4: the blocking maze's short path is blocked at real step 1000..."""
BLOCKING_STEPS = 3000
"""...of a run of 3000 real steps."""

SHORTCUT_SWITCH_STEP = 3000
"""Fig. 8.5: the shortcut maze's shorter path opens at real step 3000..."""
SHORTCUT_STEPS = 6000
"""...of a run of 6000 real steps."""

STEP_BUDGETS = {"blocking-maze": BLOCKING_STEPS, "shortcut-maze": SHORTCUT_STEPS}
"""Real steps per run of the changing mazes, for commands given no budget."""
