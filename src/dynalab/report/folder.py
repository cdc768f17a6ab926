"""What the report reads from a run folder: its config, its summary, its pictures.

Reading goes through :mod:`dynalab.runfolder` (the contract's one reader); a folder that
is missing, or lacks a readable ``config.json`` and ``summary.json``, raises
:class:`~dynalab.runfolder.RunFolderError` naming what is wrong.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from dynalab.runfolder import REPORT_FILE, RunFolderError, read_config, read_summary

PLOT_TYPES = {".png": "image/png"}
ANIMATION_TYPES = {".gif": "image/gif"}


@dataclass(frozen=True)
class Picture:
    """An image file of the run folder: its name, media type and bytes."""

    name: str
    media_type: str
    data: bytes

    @property
    def caption(self) -> str:
        """The file name in words: ``learning_curves.png`` -> ``learning curves``."""
        return Path(self.name).stem.replace("_", " ").replace("-", " ")

    @property
    def is_animation(self) -> bool:
        return self.media_type in ANIMATION_TYPES.values()

    def data_uri(self) -> str:
        """The image as a ``data:`` URI, to embed it in a page that loads nothing."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


@dataclass(frozen=True)
class FolderContents:
    """A run folder as the report shows it."""

    path: Path
    config: dict
    summary: dict
    pictures: tuple[Picture, ...]
    files: tuple[tuple[str, int], ...]
    """Every file of the folder but hidden ones and the report: (name, size in bytes)."""


def read_folder(path: Path | str) -> FolderContents:
    """The contents of the run folder ``path``: config, summary, every ``*.png`` and
    ``*.gif`` (in name order), and the list of its files."""
    folder = Path(path)
    if not folder.exists():
        raise RunFolderError(f"{folder} does not exist")
    if not folder.is_dir():
        raise RunFolderError(f"{folder} is a file, not a run folder")
    config = read_config(folder)
    summary = read_summary(folder)
    shown = sorted(
        item
        for item in folder.iterdir()
        if item.is_file() and not item.name.startswith(".") and item.name != REPORT_FILE
    )
    media_types = {**PLOT_TYPES, **ANIMATION_TYPES}
    pictures = []
    for item in shown:
        media_type = media_types.get(item.suffix.lower())
        if media_type is not None:
            pictures.append(Picture(item.name, media_type, _read_bytes(item)))
    return FolderContents(
        path=folder,
        config=config,
        summary=summary,
        pictures=tuple(pictures),
        files=tuple((item.name, item.stat().st_size) for item in shown),
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise RunFolderError(f"{path}: cannot read it ({error.strerror})") from None
