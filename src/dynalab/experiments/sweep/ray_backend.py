"""Sweep cells as Ray tasks (``dynalab sweep --backend ray``; the ``ray`` extra).

Each cell is one task (:func:`dynalab.experiments.sweep.cells.run_cell`, one CPU); the
driver writes each result to the sweep folder the moment it comes back, as the local
backend does, so resuming and the cells' numbers are the same on either backend. A task
whose worker process dies is run again by Ray (``max_retries``); a cell has no state
outside its own run, so the retry gives the same numbers.

With ``address`` the sweep joins a running cluster (``auto``, or ``HOST:PORT`` of a head
started with ``ray start --head``); without one it starts a Ray of ``jobs`` CPUs on this
machine for the sweep and stops it after.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from dynalab.experiments.sweep.cells import Cell, run_cell
from dynalab.experiments.sweep.folder import write_cell

TASK_RETRIES = 3
"""Times Ray runs a cell again after its worker process died."""


class RayUnavailableError(RuntimeError):
    """The ``ray`` extra is not installed, or the cluster cannot be reached (one line)."""


@contextlib.contextmanager
def ray_session(address: str | None, jobs: int) -> Iterator[None]:
    """Ray connected for the ``with`` block: the cluster at ``address``, or a Ray of
    ``jobs`` CPUs started here (stopped at the end). An already connected Ray is used
    as it is."""
    try:
        import ray
    except ImportError:
        raise RayUnavailableError(
            "--backend ray needs ray: pip install 'dynalab[ray]' (make test installs it)"
        ) from None
    if ray.is_initialized():
        yield
        return
    try:
        if address:
            ray.init(address=address, log_to_driver=False, logging_level="warning")
        else:
            ray.init(  # "local": a new Ray, whatever other cluster this machine runs
                address="local",
                num_cpus=jobs,
                include_dashboard=False,
                log_to_driver=False,
                logging_level="warning",
            )
    except ConnectionError as error:
        raise RayUnavailableError(
            f"--address {address}: {error} (a cluster with token authentication, Ray's "
            "default, also needs RAY_AUTH_MODE=token and its token here: see README)"
        ) from None
    try:
        yield
    finally:
        ray.shutdown()


def run_cells_on_ray(cells: list[Cell], folder: Path, on_cell_done: Callable[[Cell], None]) -> None:
    """Run ``cells`` as tasks on the connected Ray (:func:`ray_session`), writing each
    finished cell to ``folder``."""
    import ray

    task = ray.remote(num_cpus=1, max_retries=TASK_RETRIES)(run_cell)
    pending = {task.remote(cell): cell for cell in cells}
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        for reference in ready:
            cell = pending.pop(reference)
            write_cell(folder, cell, ray.get(reference))
            on_cell_done(cell)
