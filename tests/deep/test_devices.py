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

from dynalab.deep.runs import padded_runs, shard_count  # noqa: E402

RUNS = 6
SCRIPT = """
import json, sys
from dynalab.deep.agents.dqn import dqn_config
from dynalab.deep.budget import Budget
from dynalab.deep.runs import padded_runs, shard_count, train_runs
from dynalab.deep.worlds import gymnax_world
import jax
config = dqn_config(hidden="16", batch=8, buffer=300, learning_starts=100,
                    epsilon_steps=500, target_every=100)
_, metrics = train_runs(gymnax_world("CartPole-v1"), config, Budget(1200, 600, 2), runs={runs})
print(json.dumps({{"devices": jax.local_device_count(), "shards": shard_count(len(padded_runs(
    list(range({runs}))))), "metrics": {{k: v.tolist() for k, v in metrics.items()}}}}))
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


def test_shards_keep_two_runs_each_and_pad_with_the_first_run() -> None:
    shards = shard_count(len(padded_runs([4, 7, 9])))
    assert padded_runs([5]) == [5, 5]
    assert len(padded_runs([4, 7, 9])) % shards == 0
    assert padded_runs([4, 7, 9])[:3] == [4, 7, 9]
    assert set(padded_runs([4, 7, 9])[3:]) <= {4}
    assert shard_count(1) == 1 and shard_count(3) == 1


def test_a_batch_split_over_three_devices_gives_the_numbers_of_one_device() -> None:
    """Bit for bit: 6 runs as 3 shards of 2 (three devices) and as one batch (one)."""
    split, whole = _measured(3), _measured(1)
    assert (split["devices"], split["shards"]) == (3, 3)
    assert (whole["devices"], whole["shards"]) == (1, 1)
    for name, values in whole["metrics"].items():
        np.testing.assert_array_equal(
            np.array(values, dtype=float), np.array(split["metrics"][name], dtype=float), name
        )
    assert len({json.dumps(row) for row in whole["metrics"]["believed_value"]}) == RUNS
