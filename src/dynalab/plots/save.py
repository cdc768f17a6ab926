"""Writing figures to disk: PNGs written atomically, so a run folder never holds half a picture."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from matplotlib.figure import Figure

from dynalab.plots.style import DPI


def save_figure(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Write ``fig`` as a PNG at ``path`` atomically and return the path.

    The picture goes to a temporary file in the same folder, then replaces ``path`` in
    one step, so a reader (or a crash) never sees a half-written PNG. The file gets the
    usual permissions (the umask's), unlike a ``tempfile`` one. Missing parent folders
    are created.
    """
    target = Path(path)
    if target.suffix.lower() != ".png":
        raise ValueError(f"save_figure writes PNG files; give a path ending in .png, got {path}")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    try:
        with temporary.open("xb") as handle:
            fig.savefig(handle, format="png", dpi=DPI)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target
