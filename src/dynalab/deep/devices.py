"""One JAX CPU device per core, so that a batch of runs uses every core.

XLA's CPU backend runs one compiled program on one core for the small matrices of these
agents (a 64x64 network's products are too small to split), and JAX gives one CPU device
by default. Asked for one device per core before its backend starts, JAX runs the runs
of one call of a compiled program (:func:`dynalab.deep.runs.train_runs`) side by side, two
per device: on a 2-core machine 8 DQN runs take about 0.6 of the time they take on one
device (``dynalab bench``). A run's numbers do not change, because every batch goes
through the same program (:mod:`dynalab.deep.runs`).

At least two devices, even on one core: a program split over devices (``shard_map``)
compiles to other kernels than an unsplit one, with other last bits for Dreamer, while
splits over 2 and 3 devices agree (measured); so a run's numbers do not depend on the
machine's cores. The user's choice wins otherwise: ``DYNALAB_CPU_DEVICES=N`` asks for N
devices (2 at least), and an ``XLA_FLAGS`` that already sets
``xla_force_host_platform_device_count``, or a ``jax_num_cpu_devices`` already
configured, is left alone. Once JAX has run anything, its device count is fixed and this
does nothing.
"""

from __future__ import annotations

import os
import warnings

import jax

DEVICES_VARIABLE = "DYNALAB_CPU_DEVICES"
MIN_DEVICES = 2
"""Fewest CPU devices asked for (see above)."""


def cpu_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def use_every_cpu_core() -> int:
    """Ask JAX for one CPU device per core, at least :data:`MIN_DEVICES` (or
    ``DYNALAB_CPU_DEVICES``), where nobody has chosen yet and the backend has not
    started; the count asked for, else 0."""
    if "xla_force_host_platform_device_count" in os.environ.get("XLA_FLAGS", ""):
        return 0
    if jax.config.jax_num_cpu_devices != -1:
        return 0
    wanted = os.environ.get(DEVICES_VARIABLE, "").strip()
    count = max(MIN_DEVICES, cpu_cores())
    if wanted.isdigit() and int(wanted) > 0:
        count = max(MIN_DEVICES, int(wanted))
    elif wanted:
        warnings.warn(
            f"{DEVICES_VARIABLE}={wanted!r} is not a whole number >= 1; using {count} (the cores)",
            stacklevel=2,
        )
    try:
        jax.config.update("jax_num_cpu_devices", count)
    except RuntimeError:  # JAX already ran something: its devices are fixed
        return 0
    return count
