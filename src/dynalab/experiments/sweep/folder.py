"""The sweep folder: the sweep file, one record per finished cell, the results.

- ``sweep.toml``: the sweep file as given; ``sweep.json``: its checked content, which a
  rerun is compared with;
- ``cells/KEY.json``: one finished cell's result (:func:`dynalab.experiments.sweep.cells.run_cell`),
  written atomically the moment the cell finishes, so a killed sweep loses at most the
  cells in flight, and a rerun runs only the cells without a record;
- ``results.csv``: one row per cell and run, every hyper-parameter a column;
  ``summary.json``: per cell the mean score with its 95% interval, and each agent's best
  setting per world, its score again at fresh seeds; ``sensitivity-*.png``;
- ``config.json`` (the command line, backend, versions, as every run folder has) and, with
  ``--report`` or ``dynalab report``, ``report.html``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from dynalab.atomic_files import atomic_write_text, write_json
from dynalab.experiments.sweep.cells import Cell
from dynalab.experiments.sweep.file import SweepSpec

SWEEP_FILE = "sweep.toml"
SWEEP_JSON = "sweep.json"
CELLS_FOLDER = "cells"
RESULTS_FILE = "results.csv"
SUMMARY_FILE = "summary.json"


class SweepFolderError(ValueError):
    """A folder the sweep cannot use as it is; the message is one line."""


def first_difference(old: Any, new: Any, path: str = "") -> str | None:
    """Where two sweeps' plain data first differ, as ``key: old -> new``; None if equal."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [key for key in new if key not in old]:
            where = f"{path}.{key}" if path else str(key)
            if key not in old:
                return f"{where}: added"
            if key not in new:
                return f"{where}: removed"
            found = first_difference(old[key], new[key], where)
            if found is not None:
                return found
        return None
    if old != new:
        return f"{path}: {json.dumps(old)} -> {json.dumps(new)}"
    return None


def prepare_sweep_folder(folder: Path, sweep: SweepSpec, text: str, force: bool) -> set[str]:
    """Make ``folder`` hold ``sweep`` and return the keys of its finished cells.

    A new or empty folder gets the sweep file; a folder of the same sweep is resumed;
    a folder of another sweep (or not a sweep folder) is refused with what differs,
    unless ``force``, which starts it over (its cells and results removed)."""
    recorded = folder / SWEEP_JSON
    if folder.exists() and not folder.is_dir():
        raise SweepFolderError(f"--out {folder}: is a file, not a folder")
    if recorded.is_file():
        try:
            before = json.loads(recorded.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            before = None
        change = first_difference(before, sweep.to_dict()) if before is not None else "unreadable"
        if change is not None and not force:
            raise SweepFolderError(
                f"{folder} holds another sweep ({SWEEP_JSON} differs at {change}); "
                "use another --out, or --force to start it over"
            )
        if change is not None:
            _start_over(folder)
    elif folder.is_dir() and any(folder.iterdir()):
        if not force:
            raise SweepFolderError(
                f"{folder} is not empty and holds no sweep; use another --out, or --force"
            )
        _start_over(folder)
    (folder / CELLS_FOLDER).mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / SWEEP_FILE, text)
    write_json(recorded, sweep.to_dict())
    return finished_cells(folder)


def _start_over(folder: Path) -> None:
    """Remove what a previous sweep wrote (its own files only)."""
    shutil.rmtree(folder / CELLS_FOLDER, ignore_errors=True)
    for name in (RESULTS_FILE, SUMMARY_FILE, SWEEP_JSON, SWEEP_FILE, "config.json", "report.html"):
        (folder / name).unlink(missing_ok=True)
    for picture in folder.glob("sensitivity-*.png"):
        picture.unlink()


def cell_path(folder: Path, cell: Cell) -> Path:
    return folder / CELLS_FOLDER / f"{cell.key}.json"


def finished_cells(folder: Path) -> set[str]:
    """Keys of the cells whose record is there and readable."""
    keys = set()
    for path in (folder / CELLS_FOLDER).glob("*.json"):
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        keys.add(path.stem)
    return keys


def write_cell(folder: Path, cell: Cell, result: dict[str, Any]) -> None:
    """A finished cell's record, atomically."""
    write_json(cell_path(folder, cell), result)


def read_cell(folder: Path, cell: Cell) -> dict[str, Any]:
    return json.loads(cell_path(folder, cell).read_text(encoding="utf-8"))
