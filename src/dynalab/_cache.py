"""Where numba keeps dynalab's compiled kernels: one folder per version of the source.

numba's own cache checks only the timestamp of the file that defines a function, but
dynalab's kernels inline functions from other files, so a change to one kernel could
leave another's cache stale. Keying the cache folder by a hash of the source of the
packages that hold compiled code (:data:`KERNEL_PACKAGES`) makes any change to a kernel
start from a clean cache, while a change to a figure or a command keeps it (a test checks
that no compiled function lives elsewhere). A user's NUMBA_CACHE_DIR is respected.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
KERNEL_PACKAGES = ("agents", "envs", "models", "planners", "run")
"""The sub-packages whose modules define or inline numba-compiled functions."""


def source_fingerprint() -> str:
    """A short hash of every Python file of :data:`KERNEL_PACKAGES`, in a fixed order."""
    digest = hashlib.sha256()
    files = (path for name in KERNEL_PACKAGES for path in (PACKAGE_ROOT / name).rglob("*.py"))
    for path in sorted(files):
        digest.update(str(path.relative_to(PACKAGE_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def configure_numba_cache() -> None:
    """Point numba's cache at a per-source-version folder unless the user chose one."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "dynalab" / "numba" / source_fingerprint()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    from numba.core import config

    config.CACHE_DIR = str(folder)
