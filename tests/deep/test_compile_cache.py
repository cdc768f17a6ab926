"""Compiled programs kept on disk: a second process loads the first one's executable and
gets the same numbers; the cache's folder follows ``DYNALAB_JAX_CACHE`` and the CPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("jax")

from dynalab.deep.compile_cache import (  # noqa: E402
    CACHE_VARIABLE,
    MAX_BYTES,
    cache_root,
    cpu_identity,
)

PRELUDE = """
import json, jax
events = []
jax.monitoring.register_event_listener(lambda event, **_: events.append(event))
from dynalab.deep.agents.dqn import dqn_config
from dynalab.deep.budget import Budget
from dynalab.deep.runs import train_runs
from dynalab.deep.tabular import maze_world
from dynalab.envs.builtin import dyna_maze

config = dqn_config(hidden="8", buffer=64, batch=8, learning_starts=16)
world = maze_world(dyna_maze())
def count(name):
    return sum(event.endswith(name) for event in events)
"""
RUN_DQN = (
    PRELUDE
    + """
_, metrics = train_runs(world, config, Budget(60, 30, 1), seed=3, runs=2)
print(json.dumps({
    "folder": jax.config.jax_compilation_cache_dir,
    "hits": count("/cache_hits"),
    "loss": metrics["loss"].tolist(),
    "believed": metrics["believed_value"].tolist(),
}))
"""
)
RUN_DQN_FOR_REAL = (
    PRELUDE
    + """
from dynalab.deep.compile_cache import compiling_for_real

before = count("/compile_requests_use_cache")
with compiling_for_real():
    _, metrics = train_runs(world, config, Budget(60, 30, 1), seed=3, runs=2)
inside = count("/compile_requests_use_cache")
train_runs(world, config, Budget(90, 30, 1), seed=3, runs=2)
print(json.dumps({
    "asked_inside": inside - before,
    "asked_after": count("/compile_requests_use_cache") - inside,
    "loss": metrics["loss"].tolist(),
}))
"""
)


def _run(script: str, **variables: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if "JAX" not in key}
    return subprocess.run(
        [sys.executable, "-c", script],
        env=environment | variables,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_second_process_loads_the_compiled_run_and_gets_the_same_numbers(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    first = _run(RUN_DQN, **{CACHE_VARIABLE: str(cache)})
    assert first.returncode == 0, first.stderr
    second = _run(RUN_DQN, **{CACHE_VARIABLE: str(cache)})
    assert second.returncode == 0, second.stderr
    cold, warm = json.loads(first.stdout), json.loads(second.stdout)
    assert cold["folder"] == warm["folder"] == str(cache / cpu_identity())
    assert any(Path(cold["folder"]).iterdir()), "the first process stored its programs"
    assert cold["hits"] == 0 and warm["hits"] >= 1, "the second loaded the training run"
    assert warm["loss"] == cold["loss"] and warm["believed"] == cold["believed"]
    # what `dynalab bench` does where it times compilation: the cache is not asked there
    # (no hit, though it holds the program), and is asked again afterwards
    third = _run(RUN_DQN_FOR_REAL, **{CACHE_VARIABLE: str(cache)})
    assert third.returncode == 0, third.stderr
    real = json.loads(third.stdout)
    assert real["asked_inside"] == 0 and real["asked_after"] >= 1
    assert real["loss"] == cold["loss"]


def test_off_turns_the_cache_off_and_an_unwritable_folder_means_none(tmp_path: Path) -> None:
    script = "import jax, dynalab.deep; print(jax.config.jax_compilation_cache_dir)"
    off = _run(script, **{CACHE_VARIABLE: "off"})
    assert off.returncode == 0 and off.stdout.strip() == "None", off.stderr
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    refused = _run(script, **{CACHE_VARIABLE: str(blocked)})
    assert refused.returncode == 0 and refused.stdout.strip() == "None", refused.stderr
    assert refused.stderr.count("no compilation cache: cannot make") == 1
    assert blocked.read_text() == "not a folder"  # nothing already there is touched
    default = _run(script, XDG_CACHE_HOME=str(blocked))  # the default place, unwritable
    assert default.returncode == 0 and default.stdout.strip() == "None", default.stderr
    assert "compilation cache" not in default.stderr


def test_without_filelock_the_cache_is_unbounded_and_still_works(tmp_path: Path) -> None:
    """JAX needs ``filelock`` to bound the cache and fails at the first compile without
    it: the size is bounded only where it is installed (hidden here)."""
    script = (
        "import sys; sys.modules['filelock'] = None\n"
        "import jax, jax.numpy as jnp, dynalab.deep\n"
        "jax.config.update('jax_persistent_cache_min_compile_time_secs', 0)\n"
        "print(jax.config.jax_compilation_cache_max_size)\n"
        "print(float(jax.jit(lambda x: (x * 2).sum())(jnp.arange(3.0))))\n"
    )
    hidden = _run(script, **{CACHE_VARIABLE: str(tmp_path / "cache")})
    assert hidden.returncode == 0, hidden.stderr
    assert hidden.stdout.split() == ["-1", "6.0"]
    assert any((tmp_path / "cache" / cpu_identity()).iterdir()), "the program was stored"
    bounded = _run("import jax, dynalab.deep; print(jax.config.jax_compilation_cache_max_size)")
    assert bounded.stdout.strip() == str(MAX_BYTES), bounded.stderr


def test_the_folder_follows_the_variable_then_xdg_then_home(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "mine"))
    assert cache_root() == tmp_path / "mine"
    monkeypatch.setenv(CACHE_VARIABLE, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "dynalab" / "jax"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_root() == Path.home() / ".cache" / "dynalab" / "jax"
    monkeypatch.setenv(CACHE_VARIABLE, "OFF")
    assert cache_root() is None
    assert cpu_identity() == cpu_identity() and cpu_identity().startswith("cpu-")
