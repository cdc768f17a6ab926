"""`dynalab sweep --backend ray` with the real engine, on this machine only: a Ray the
sweep starts, a head started as its own process and joined with --address, and a
worker killed while it runs a cell. Each gives the local backend's numbers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

SWEEP = """\
seed = 5
runs = 2
episodes = {episodes}
worlds = ["dyna-maze"]

[agents.dyna-q]
n = [5, 10]
alpha = 0.5
"""


def dynalab() -> str:
    return str(Path(sys.executable).parent / "dynalab")


def sweep_scores(folder: Path) -> dict[str, list[float]]:
    return {p.stem: json.loads(p.read_text())["score"] for p in (folder / "cells").glob("*")}


def run_sweep(path: Path, out: Path, *extra: str, env: dict | None = None) -> None:
    done = subprocess.run(
        [dynalab(), "sweep", str(path), "--out", str(out), "--quiet", *extra],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def local_scores(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("local")
    path = folder / "s.toml"
    path.write_text(SWEEP.format(episodes=5))
    run_sweep(path, folder / "out")
    return path, sweep_scores(folder / "out")


def test_a_ray_the_sweep_starts_gives_the_local_numbers(local_scores, tmp_path: Path) -> None:
    path, expected = local_scores
    run_sweep(path, tmp_path / "ray", "--backend", "ray", "--jobs", "2")
    assert sweep_scores(tmp_path / "ray") == expected and len(expected) == 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_head_started_apart_and_joined_by_address_gives_the_local_numbers(
    local_scores, tmp_path: Path
) -> None:
    """As README's cluster recipe: token authentication on (RAY_AUTH_MODE=token, the
    token in Ray's default file) for the head and for the sweep joining it, by the
    loopback address."""
    path, expected = local_scores
    ray_cli = str(Path(sys.executable).parent / "ray")
    port = free_port()
    environment = dict(os.environ, RAY_AUTH_MODE="token")
    start = [ray_cli, "start", "--head", f"--port={port}", "--num-cpus=2", "--block"]
    start += ["--include-dashboard=false", "--disable-usage-stats"]
    # its own process group, so that stopping it stops this head and nothing else
    head = subprocess.Popen(
        start,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for_port(port, head)
        options = ("--backend", "ray", "--address", f"127.0.0.1:{port}")
        run_sweep(path, tmp_path / "head", *options, env=environment)
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        head.wait(timeout=60)
    assert sweep_scores(tmp_path / "head") == expected


def _wait_for_port(port: int, process: subprocess.Popen) -> None:
    """Until the head listens on ``port`` (two minutes at most)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "ray start --head exited"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"no Ray head on port {port}")


def test_a_worker_killed_while_it_runs_a_cell_is_retried_to_the_same_numbers(
    tmp_path: Path,
) -> None:
    """The first worker seen running a cell (its process titled ``ray::run_cell``) is
    killed with SIGKILL; Ray runs the task again and the sweep ends with the numbers
    of an uninterrupted local sweep."""
    path = tmp_path / "s.toml"
    path.write_text(SWEEP.format(episodes=60))
    run_sweep(path, tmp_path / "local")
    killed: list[int] = []

    def kill_one_worker() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            found = subprocess.run(["pgrep", "-f", "ray::run_cell"], capture_output=True, text=True)
            pids = [int(pid) for pid in found.stdout.split()]
            if pids:
                subprocess.run(["kill", "-9", str(pids[0])], check=False)
                killed.append(pids[0])
            time.sleep(0.02)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    run_sweep(path, tmp_path / "ray", "--backend", "ray", "--jobs", "2")
    killer.join()
    assert killed, "no worker was seen running a cell"
    assert sweep_scores(tmp_path / "ray") == sweep_scores(tmp_path / "local")
