"""The tabular lab imports and runs without the ``deep`` extra (JAX hidden in a subprocess)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

HIDDEN = ("jax", "jaxlib", "optax", "equinox", "gymnax", "flax")

_SCRIPT = textwrap.dedent(
    """
    import importlib
    import importlib.abc
    import pkgutil
    import sys

    HIDDEN = {hidden!r}

    class HideDeep(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in HIDDEN:
                raise ImportError(f"{{name}} is hidden by this test")
            return None

    sys.meta_path.insert(0, HideDeep())

    import dynalab
    import dynalab.agents.registry
    from dynalab.agents.config import AgentConfig
    from dynalab.envs.builtin import dyna_maze

    for module in pkgutil.walk_packages(dynalab.__path__, "dynalab."):
        if not module.name.startswith("dynalab.deep"):
            importlib.import_module(module.name)

    from dynalab.run.runner import run_agent

    result = run_agent(dyna_maze().to_mdp(), AgentConfig(name="dyna-q"), episodes=2, runs=1)
    assert result.episodes_completed[0] == 2
    loaded = sorted(name for name in sys.modules if name.split(".")[0] in HIDDEN)
    print("loaded:", loaded)
    """
)

_REFUSALS = textwrap.dedent(
    """
    import importlib.abc
    import sys

    class HideDeep(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {hidden!r}:
                raise ImportError(f"{{name}} is hidden by this test")
            return None

    sys.meta_path.insert(0, HideDeep())

    from dynalab.cli.app import main

    codes = [
        main(["compare", "--env", "gym:CartPole-v1", "--out", {out!r} + "/c"]),
        main(["study", "neural-model-error", "--out", {out!r} + "/s"]),
    ]
    print("codes:", codes)
    """
)


def test_the_tabular_lab_imports_and_runs_with_jax_hidden() -> None:
    script = _SCRIPT.format(hidden=HIDDEN)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("loaded: []")


def test_the_jax_agents_and_study_are_refused_in_one_line_without_jax(tmp_path) -> None:
    script = _REFUSALS.format(hidden=HIDDEN, out=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.stdout.strip().endswith("codes: [2, 2]"), done.stderr[-3000:]
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 2 and all("pip install 'dynalab[deep]'" in line for line in errors)
    assert not list(tmp_path.iterdir())  # nothing written
