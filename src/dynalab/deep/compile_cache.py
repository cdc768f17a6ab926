"""Compiled programs kept on disk, so that a run's second time skips XLA's compiler.

A Dreamer training run compiles for 15-30 s on a 2-core CPU and then runs for well under
a second at test sizes (measured 2026-12-04: 29.8 s compiling, 0.45 s running); a DQN
run compiles for a few seconds. JAX's persistent compilation cache stores each compiled
executable under a key of its program, compiler options and JAX version, and loads it
next time instead of compiling. The executable is the same one, so a run's numbers do
not change (``tests/deep/test_compile_cache.py``).

The cache lives in ``$XDG_CACHE_HOME/dynalab/jax`` (``~/.cache/dynalab/jax``), or where
``DYNALAB_JAX_CACHE`` points; ``DYNALAB_JAX_CACHE=off`` turns it off. Entries are native
code for one CPU, so each kind of CPU gets its own folder beneath (a home folder shared
by a cluster's machines would otherwise hand one machine's code to another). At most
:data:`MAX_BYTES` are kept, the least recently used dropped first (where the ``filelock``
package is installed, as the ``deep`` extra does). A cache the user set
up for JAX (``JAX_COMPILATION_CACHE_DIR`` or ``jax_compilation_cache_dir``) is left alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import warnings
from collections.abc import Iterator
from pathlib import Path

import jax

CACHE_VARIABLE = "DYNALAB_JAX_CACHE"
OFF = "off"
MAX_BYTES = 2 * 1024**3
"""The cache's size limit: 2 GiB (a test-size Dreamer program takes 1.6 MB)."""


def cpu_identity() -> str:
    """A short name of this machine's kind of CPU: architecture, model and features."""
    parts = [platform.machine(), platform.processor()]
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        lines = []
    parts += sorted({line for line in lines if line.startswith(("model name", "flags"))})
    return "cpu-" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def cache_root() -> Path | None:
    """The cache's folder before the CPU's subfolder, or ``None`` when turned off."""
    chosen = os.environ.get(CACHE_VARIABLE, "").strip()
    if chosen.lower() == OFF:
        return None
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(base) / "dynalab" / "jax"


def use_compile_cache() -> Path | None:
    """Point JAX's persistent compilation cache at this CPU's folder of :func:`cache_root`
    (made if missing), unless it is off or the user configured JAX's own; the folder in
    use, else ``None``. A folder that cannot be made means no cache: with one warning
    where the user chose it (``DYNALAB_JAX_CACHE``), silently for the default (a read-only
    home folder must not put a warning on every command)."""
    if os.environ.get("JAX_COMPILATION_CACHE_DIR") or jax.config.jax_compilation_cache_dir:
        return None
    root = cache_root()
    if root is None:
        return None
    folder = root / cpu_identity()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        if os.environ.get(CACHE_VARIABLE, "").strip():  # the user's folder: say so
            warnings.warn(
                f"no compilation cache: cannot make {folder} ({error.strerror}); "
                f"set {CACHE_VARIABLE} to a writable folder, or to '{OFF}'",
                stacklevel=2,
            )
        return None
    jax.config.update("jax_compilation_cache_dir", str(folder))
    if jax.config.jax_compilation_cache_max_size == -1 and _can_bound():
        jax.config.update("jax_compilation_cache_max_size", MAX_BYTES)
    return folder


def _can_bound() -> bool:
    """Whether JAX can bound the cache's size: it needs ``filelock`` for that (the
    ``deep`` extra installs it) and fails at the first compile without it, so without
    it the cache is unbounded."""
    try:
        import filelock  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def compiling_for_real() -> Iterator[None]:
    """Inside, the cache is neither read nor written, so that compile times measured there
    (``dynalab bench``) are XLA's, not the cache's loading; as it was afterwards."""
    from jax.experimental.compilation_cache import compilation_cache

    was = jax.config.jax_enable_compilation_cache
    jax.config.update("jax_enable_compilation_cache", False)
    compilation_cache.reset_cache()  # JAX decides once per process whether to use it
    try:
        yield
    finally:
        jax.config.update("jax_enable_compilation_cache", was)
        compilation_cache.reset_cache()
