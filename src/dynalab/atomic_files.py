"""Files that appear whole or not at all, and the cell and JSON forms run folders use.

Every file is written atomically: a temporary file in the same folder, flushed, synced,
then renamed over the target, so a killed run never leaves a truncated file that looks
whole. Floats are written with ``repr`` (the shortest text that reads back to the same
float), so reading a file gives back exactly the numbers that were written.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np


@contextlib.contextmanager
def _atomic_open(path: Path | str, binary: bool = False) -> Iterator[IO]:
    """A text file (a binary one with ``binary``) that appears at ``path`` whole, or not
    at all.

    Writes go to a hidden temporary file beside ``path`` (same folder, so the final
    rename stays on one file system and is atomic); on success it is flushed, synced to
    disk and renamed over ``path``; on any error it is removed and ``path`` is untouched.
    The temporary file is created with mode 0o666 minus the umask, like ``open``.
    """
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        mode = {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8", "newline": ""}
        with os.fdopen(descriptor, **mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Sync the folder entry so the rename itself survives a crash (POSIX; best effort:
    some file systems refuse to sync a folder, and the file itself is already whole)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def atomic_write_text(path: Path | str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: whole or not at all."""
    with _atomic_open(path) as handle:
        handle.write(text)


def atomic_write_bytes(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: whole or not at all (pictures, animations)."""
    with _atomic_open(path, binary=True) as handle:
        handle.write(data)


def _cell(value: Any) -> str | Any:
    """A CSV cell: floats as ``repr`` (exact round trip), nan as empty, ints as digits."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        return "" if math.isnan(number) else repr(number)
    return value


def atomic_write_csv(path: Path | str, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Write a CSV file (``\\n`` line ends) atomically; rows are streamed, not buffered.

    Cells are formatted by type: ints as digits, floats with ``repr`` precision, nan
    as an empty cell, anything else with ``str``.
    """
    with _atomic_open(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(value) for value in row])


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: numpy scalars and arrays as numbers and lists,
    dataclasses and objects with ``to_dict`` as dicts, paths as strings, and
    non-finite floats (nan, inf) as ``None`` (JSON has no such numbers)."""
    if hasattr(value, "to_dict") and not isinstance(value, type):
        return jsonable(value.to_dict())
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    return value


def write_json(path: Path | str, data: Any) -> None:
    """Write ``data`` as indented JSON atomically (:func:`jsonable` first)."""
    text = json.dumps(jsonable(data), indent=2, allow_nan=False)
    atomic_write_text(path, text + "\n")
