"""Dyna's uniform planning, including Dyna-Q+'s bonus and untried actions."""

import numpy as np
import pytest

from dynalab.models.tabular import empty_model, model_update, planning_pair
from dynalab.planners.uniform import plan_uniform


def test_planning_replays_only_observed_pairs() -> None:
    model = empty_model(4, 2)
    model_update(model, 0, 1, 1.0, 1, True, 0)
    q_values = np.zeros((4, 2))
    made = plan_uniform(
        q_values, model, 50, 0.5, 0.9, 0.0, False, 1, np.random.Generator(np.random.SFC64(0))
    )
    assert made == 50
    # 50 updates Q <- Q + 0.5 (1 - Q) on the one observed pair: 1 - 0.5**50
    assert q_values[0, 1] == pytest.approx(1.0 - 0.5**50)
    assert np.count_nonzero(q_values) == 1


def test_no_planning_before_anything_is_observed() -> None:
    q_values = np.zeros((2, 2))
    rng = np.random.Generator(np.random.SFC64(0))
    assert plan_uniform(q_values, empty_model(2, 2), 10, 0.5, 0.9, 0.0, False, 0, rng) == 0


def test_dyna_q_plus_bonus_and_untried_actions() -> None:
    """Book §8.3: reward + kappa*sqrt(tau); untried actions lead back with reward 0.

    With alpha=1 and gamma=0 each planned value is exactly the bonused reward. At step
    100, the action tried at step 64 has tau=36 and the untried one tau=100 (never
    tried counts from step 0).
    """
    model = empty_model(2, 2)
    model_update(model, 0, 0, 0.5, 1, False, 64)
    q_values = np.zeros((2, 2))
    plan_uniform(
        q_values, model, 200, 1.0, 0.0, 0.1, True, 100, np.random.Generator(np.random.SFC64(1))
    )
    assert q_values[0, 0] == pytest.approx(0.5 + 0.1 * 6.0)
    assert q_values[0, 1] == pytest.approx(0.1 * 10.0)
    assert q_values[1].tolist() == [0.0, 0.0]  # state 1 was never observed


def test_dyna_q_never_plans_untried_actions() -> None:
    model = empty_model(2, 2)
    model_update(model, 0, 0, 0.5, 1, False, 0)
    q_values = np.zeros((2, 2))
    plan_uniform(
        q_values, model, 200, 1.0, 0.0, 0.0, False, 100, np.random.Generator(np.random.SFC64(1))
    )
    assert q_values[0].tolist() == [0.5, 0.0]


@pytest.mark.parametrize("n_actions", [4, 8])
def test_planning_draws_a_seen_state_uniformly_then_an_action_tried_in_it(
    n_actions: int,
) -> None:
    """Fig. 8.1 step (f): state 0 with three tried actions and state 2 with one are each
    drawn half the time; state 0's actions a sixth each. Exact over an even grid of the
    one uniform the draw uses (no sampling error: 6000 points, each cell 1000). Four
    actions draw from the flat planning table, eight by the two-level draw."""
    model = empty_model(3, n_actions)
    assert (model.plan_state.shape[0] > 0) == (n_actions <= 6)
    for action in (3, 0, 1):
        model_update(model, 0, action, 0.0, 1, False, 0)
    model_update(model, 2, 2, 0.0, 1, False, 0)
    counts: dict[tuple[int, int], int] = {}
    for uniform in (np.arange(6000) + 0.5) / 6000:
        pair = planning_pair(model, False, uniform)
        counts[pair] = counts.get(pair, 0) + 1
    assert counts == {(0, 3): 1000, (0, 0): 1000, (0, 1): 1000, (2, 2): 3000}
    every = {}
    cells = 2 * n_actions * 1000
    for uniform in (np.arange(cells) + 0.5) / cells:
        pair = planning_pair(model, True, uniform)
        every[pair] = every.get(pair, 0) + 1
    assert every == {(s, a): 1000 for s in (0, 2) for a in range(n_actions)}


@pytest.mark.parametrize("n_actions", [1, 2, 3, 4, 5, 6])
def test_flat_planning_table_draws_the_pair_the_two_level_draw_does(n_actions: int) -> None:
    """The flat table is only a faster lookup: for every draw at the centre of one of its
    slots, it gives the pair the two-level draw gives (the model without its table)."""
    rng = np.random.default_rng(n_actions)
    model = empty_model(12, n_actions)
    for step in range(60):
        state, action = int(rng.integers(12)), int(rng.integers(n_actions))
        model_update(model, state, action, 0.0, int(rng.integers(12)), False, step)
    without_table = model._replace(
        plan_state=np.zeros(0, dtype=np.int64), plan_action=np.zeros(0, dtype=np.int64)
    )
    slots = int(model.sizes[2])
    for every_action in (False, True):
        for uniform in (np.arange(slots) + 0.5) / slots:
            assert planning_pair(model, every_action, uniform) == planning_pair(
                without_table, every_action, uniform
            )
