"""The numba cache folder follows the source of every compiled kernel, and only that."""

import re

from dynalab._cache import KERNEL_PACKAGES, PACKAGE_ROOT

COMPILED = re.compile(r"^\s*@(numba\.)?(njit|jit|vectorize|guvectorize|jitclass)\b", re.MULTILINE)


def test_every_compiled_function_lives_in_a_fingerprinted_package() -> None:
    """A kernel outside KERNEL_PACKAGES could change without changing the cache folder,
    and a stale compiled copy of it would run."""
    compiled = {
        path.relative_to(PACKAGE_ROOT).parts[0]
        for path in PACKAGE_ROOT.rglob("*.py")
        if COMPILED.search(path.read_text())
    }
    assert compiled, "no compiled function found: the pattern no longer matches"
    assert compiled <= set(KERNEL_PACKAGES), compiled - set(KERNEL_PACKAGES)


def test_the_cache_warm_up_compiles_every_kind() -> None:
    """tests/conftest.py warms one agent per compiled kind before the suite."""
    from dynalab.agents.kinds import Kind
    from dynalab.specs.agents import parse_agent_spec
    from tests.conftest import WARM_SPECS

    assert {parse_agent_spec(spec).kind for spec in WARM_SPECS} == set(Kind)
