"""A batch of runs split over several JAX CPU devices gives each run the numbers it has
unsplit (:mod:`dynalab.deep.runs`, :mod:`dynalab.deep.devices`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

jax = pytest.importorskip("jax")

from dynalab.deep.runs import RUNS_PER_DEVICE, padded_runs, program_runs  # noqa: E402

RUNS = 6
SCRIPT = """
import json, sys
from dynalab.deep.agents.dqn import dqn_config
from dynalab.deep.budget import Budget
from dynalab.deep.runs import program_runs, train_runs
from dynalab.deep.worlds import gymnax_world
import jax
config = dqn_config(hidden="16", batch=8, buffer=300, learning_starts=100,
                    epsilon_steps=500, target_every=100)
_, metrics = train_runs(gymnax_world("CartPole-v1"), config, Budget(1200, 600, 2), runs={runs})
print(json.dumps({{"devices": jax.local_device_count(), "program_runs": program_runs(),
    "metrics": {{k: v.tolist() for k, v in metrics.items()}}}}))
"""


def _measured(devices: int) -> dict:
    environment = dict(os.environ, DYNALAB_CPU_DEVICES=str(devices))
    environment.pop("XLA_FLAGS", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(runs=RUNS)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_batch_is_padded_with_its_first_run_to_whole_calls_of_the_program() -> None:
    size = program_runs()
    assert size == RUNS_PER_DEVICE * jax.local_device_count() and RUNS_PER_DEVICE == 2
    assert jax.local_device_count() >= 2  # dynalab.deep.devices asks for two at least
    assert padded_runs([5]) == [5] * size
    assert padded_runs([4, 7, 9]) == [4, 7, 9] + [4] * (-3 % size)
    assert len(padded_runs(list(range(size + 1)))) == 2 * size


def test_a_batch_on_three_devices_gives_the_numbers_it_has_on_two_or_on_one_asked_for() -> None:
    """Bit for bit: 6 runs as one call on three devices (2 runs each), and as two calls
    on two; asking for one device gives two (see dynalab.deep.devices)."""
    split, whole = _measured(3), _measured(1)
    assert (split["devices"], split["program_runs"]) == (3, 6)
    assert (whole["devices"], whole["program_runs"]) == (2, 4)
    for name, values in whole["metrics"].items():
        np.testing.assert_array_equal(
            np.array(values, dtype=float), np.array(split["metrics"][name], dtype=float), name
        )
    assert len({json.dumps(row) for row in whole["metrics"]["believed_value"]}) == RUNS
