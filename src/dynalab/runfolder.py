"""The run folder: what an experiment leaves on disk, a public contract.

A run folder holds (version :data:`RUN_FOLDER_VERSION`):

- ``config.json``: the experiment's configuration as given, plus ``run_folder_version``,
  ``versions`` (dynalab, numpy, numba, scipy, gymnasium, python) and ``created`` (UTC,
  ISO 8601). A folder the command line wrote also holds ``argv``: the command that made
  it, as a list of words (``["dynalab", "compare", "--runs", "3"]``).
- ``episodes.csv``: columns :data:`EPISODE_COLUMNS`, one row per completed episode;
  ``run`` is 0-based, ``episode`` 1-based, ``real_steps`` and ``planning_updates``
  cumulative up to the end of that episode; ``greedy_value`` (true value of the greedy
  policy), ``believed_value`` (max_a Q at the start), ``model_error`` and
  ``reward_error`` (the learned model against the truth) empty when not evaluated.
  Version 2 added the last three columns.
- ``steps.csv``: columns :data:`STEP_COLUMNS`, the reward total after ``step`` real steps
  (step budgets; only the header for episode budgets).
- ``evals.csv``: columns :data:`EVAL_COLUMNS`, one row per agent, run and evaluation
  point of the neural agents (``dynalab.experiments.neural``): ``env_step`` real steps
  taken, the greedy policy's mean evaluation return and discounted return from the
  start, the agent's ``believed_value`` (max_a Q at the start; dreamer: its critic's value),
  ``greedy_value`` (the exact value of the greedy policy, on tables), ``policy_value``
  (dreamer: the exact value of its actor's stochastic policy, on tables), the mean
  ``train_return`` of the training
  episodes and the mean ``loss`` since the previous point, and dyna-dqn's model
  measures (``dynalab.deep.model_error``): ``model_error`` (one-step, normalised, on
  held-out real transitions), ``disagreement_rank`` (Spearman's correlation of the
  members' disagreement with their actual error there) and ``rollout_error_1`` ..
  ``rollout_error_10`` (open-loop error after 1..10 model steps from real states, over
  the variance of those states); empty where they do not apply. Only the header for
  tabular agents. Version 3 added this file, version 4 the disagreement and rollout
  columns, version 5 ``policy_value``.
- ``summary.json``: the reported numbers; nan written as ``null``.
- ``*.png`` (plots), ``*.gif`` (animations) and ``report.html`` (:data:`REPORT_FILE`, the
  folder as one self-contained page, derived from the other files by
  :mod:`dynalab.report`), where written.

Every file is written atomically, floats with ``repr`` (:mod:`dynalab.atomic_files`),
so a killed run never leaves a truncated file that looks whole, and reading a file gives
back exactly the numbers that were written.
"""

from __future__ import annotations

import csv
import json
import math
import platform
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

import dynalab
from dynalab.atomic_files import atomic_write_bytes, atomic_write_csv, write_json
from dynalab.run.runner import RunResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

RUN_FOLDER_VERSION = 5

CONFIG_FILE = "config.json"
EPISODES_FILE = "episodes.csv"
STEPS_FILE = "steps.csv"
SUMMARY_FILE = "summary.json"
REPORT_FILE = "report.html"

EPISODE_COLUMNS = (
    "agent",
    "run",
    "episode",
    "steps",
    "return",
    "real_steps",
    "planning_updates",
    "greedy_value",
    "believed_value",
    "model_error",
    "reward_error",
)
STEP_COLUMNS = ("agent", "run", "step", "cumulative_reward")
EVALS_FILE = "evals.csv"
ROLLOUT_ERROR_COLUMNS = 10
"""``evals.csv`` holds the model's open-loop error after 1..10 steps
(``dynalab.deep.model_error.ROLLOUT_ERROR_HORIZON``)."""
EVAL_COLUMNS = (
    "agent",
    "run",
    "env_step",
    "eval_return",
    "eval_discounted_return",
    "believed_value",
    "greedy_value",
    "policy_value",
    "train_return",
    "loss",
    "model_error",
    "disagreement_rank",
    *(f"rollout_error_{h}" for h in range(1, ROLLOUT_ERROR_COLUMNS + 1)),
)

_INTEGER_COLUMNS = {
    "run",
    "episode",
    "steps",
    "real_steps",
    "planning_updates",
    "step",
    "env_step",
}
_VERSIONED_PACKAGES = ("numpy", "numba", "scipy", "gymnasium")


class RunFolderError(ValueError):
    """A file of a run folder that is missing or is not what the contract says; the
    message names the file."""


class RunFolderExistsError(FileExistsError):
    """The run folder already holds files and overwriting was not asked for."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(f"{path} already exists; use --force to overwrite it")
        self.path = Path(path)


def prepare_run_folder(path: Path | str, force: bool) -> Path:
    """Create the run folder ``path`` (and its parents) and return it.

    An existing non-empty folder is refused unless ``force``, so that a run never mixes
    its files with another's by accident. With ``force`` nothing is deleted up front:
    each file is replaced atomically as the new run writes it (files the new run does not
    write stay as they were).
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder} is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise RunFolderExistsError(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def software_versions() -> dict[str, str]:
    """The versions that produced a run, for ``config.json``."""
    versions = {"dynalab": dynalab.__version__}
    versions.update({name: _package_version(name) for name in _VERSIONED_PACKAGES})
    versions["python"] = platform.python_version()
    return versions


def write_config(folder: Path | str, config: dict) -> Path:
    """Write ``config.json``: ``config`` plus ``run_folder_version``, ``versions`` and
    ``created`` (UTC ISO time); those three keys win over any of the same name in
    ``config``. Returns the file's path."""
    path = Path(folder) / CONFIG_FILE
    data = {
        **config,
        "run_folder_version": RUN_FOLDER_VERSION,
        "versions": software_versions(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_json(path, data)
    return path


def _check_labels(results: Sequence[RunResult], labels: Sequence[str]) -> None:
    if len(results) != len(labels):
        raise ValueError(f"{len(results)} results but {len(labels)} labels")
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels must be unique, got {list(labels)}")


def _episode_rows(result: RunResult, label: str) -> Iterator[tuple]:
    """One row per completed episode of ``result`` (entries of -1 are skipped)."""
    runs, episodes = np.nonzero(result.episode_steps >= 0)
    columns = zip(
        runs.tolist(),
        (episodes + 1).tolist(),
        result.episode_steps[runs, episodes].tolist(),
        result.episode_return[runs, episodes].tolist(),
        result.real_steps[runs, episodes].tolist(),
        result.planning_updates[runs, episodes].tolist(),
        result.greedy_value[runs, episodes].tolist(),
        result.believed_value[runs, episodes].tolist(),
        result.model_error[runs, episodes].tolist(),
        result.reward_error[runs, episodes].tolist(),
        strict=True,
    )
    for row in columns:
        yield (label, *row)


def write_episodes(folder: Path | str, results: Sequence[RunResult], labels: Sequence[str]) -> Path:
    """Write ``episodes.csv``: every completed episode of every run of every result,
    ``labels[i]`` naming ``results[i]`` in the ``agent`` column. Returns the path."""
    _check_labels(results, labels)
    path = Path(folder) / EPISODES_FILE
    rows = (
        row
        for result, label in zip(results, labels, strict=True)
        for row in _episode_rows(result, label)
    )
    atomic_write_csv(path, EPISODE_COLUMNS, rows)
    return path


def _step_rows(result: RunResult, label: str) -> Iterator[tuple]:
    """One row per recorded cumulative reward; none when ``record_every`` is 0."""
    if result.record_every <= 0:
        return
    for run, totals in enumerate(result.cumulative_reward.tolist()):
        for j, total in enumerate(totals):
            yield label, run, (j + 1) * result.record_every, total


def write_steps(folder: Path | str, results: Sequence[RunResult], labels: Sequence[str]) -> Path:
    """Write ``steps.csv``: the reward total every ``record_every`` real steps per run.

    Results without step records (episode budgets: ``record_every == 0``) add no rows;
    the file is written even when no result has any (header only), so that a forced
    rerun in an old folder never leaves a stale ``steps.csv`` behind. Returns the path.
    """
    _check_labels(results, labels)
    path = Path(folder) / STEPS_FILE
    rows = (
        row
        for result, label in zip(results, labels, strict=True)
        for row in _step_rows(result, label)
    )
    atomic_write_csv(path, STEP_COLUMNS, rows)
    return path


def write_summary(folder: Path | str, summary: dict) -> Path:
    """Write ``summary.json`` pretty-printed; nan (and inf) become ``null``, estimates
    (anything with ``to_dict``) become dicts. Returns the path."""
    path = Path(folder) / SUMMARY_FILE
    write_json(path, summary)
    return path


def write_run_folder(
    folder: Path | str,
    *,
    force: bool,
    config: dict,
    summary: dict,
    results: Sequence[RunResult] = (),
    labels: Sequence[str] = (),
    figures: Mapping[str, Figure] | None = None,
    evals: Iterable[Sequence] = (),
    files: Mapping[str, bytes] | None = None,
) -> Path:
    """Write a whole run folder: the one writer every command uses.

    Prepares ``folder`` (refused if it holds files and not ``force``), then writes
    ``config.json``, ``episodes.csv`` and ``steps.csv`` of ``results`` (``labels[i]``
    naming ``results[i]``), ``evals.csv`` of the neural agents' ``evals`` rows,
    ``summary.json``, each figure as ``folder/name`` and each of ``files`` (encoded
    pictures and animations, by name) as it is. Every file appears atomically.
    Returns the folder.
    """
    path = prepare_run_folder(folder, force)
    write_config(path, config)
    write_episodes(path, results, labels)
    write_steps(path, results, labels)
    atomic_write_csv(path / EVALS_FILE, EVAL_COLUMNS, evals)
    write_summary(path, summary)
    if figures:
        from dynalab.plots import save_figure

        for name, figure in figures.items():
            save_figure(figure, path / name)
    for name, data in (files or {}).items():
        atomic_write_bytes(path / name, data)
    return path


def _read_csv(path: Path | str, file_name: str, columns: Sequence[str]) -> dict[str, np.ndarray]:
    """A run-folder CSV as ``{column: array}``: ``agent`` as str, counts as int64, the
    rest as float64 (empty cells as nan). ``path`` is the file or its run folder."""
    source = Path(path)
    if source.is_dir():
        source = source / file_name
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(header) != tuple(columns):
            raise ValueError(f"{source}: expected the columns {','.join(columns)}, got {header}")
        cells = list(zip(*reader, strict=True)) or [() for _ in columns]
    out: dict[str, np.ndarray] = {}
    for name, values in zip(columns, cells, strict=True):
        if name == "agent":
            out[name] = np.array(values, dtype=str)
        elif name in _INTEGER_COLUMNS:
            out[name] = np.array([int(v) for v in values], dtype=np.int64)
        else:
            out[name] = np.array([float(v) if v else math.nan for v in values], dtype=float)
    return out


def read_episodes(path: Path | str) -> dict[str, np.ndarray]:
    """``episodes.csv`` (the file, or the run folder holding it) as column arrays."""
    return _read_csv(path, EPISODES_FILE, EPISODE_COLUMNS)


def read_evals(path: Path | str) -> dict[str, np.ndarray]:
    """``evals.csv`` of a run folder (or the file itself) as ``{column: array}``."""
    return _read_csv(path, EVALS_FILE, EVAL_COLUMNS)


def read_steps(path: Path | str) -> dict[str, np.ndarray]:
    """``steps.csv`` (the file, or the run folder holding it) as column arrays."""
    return _read_csv(path, STEPS_FILE, STEP_COLUMNS)


def _read_json_object(path: Path) -> dict:
    """The JSON object in ``path``; :class:`RunFolderError` naming the file when it is
    missing, unreadable, not JSON, or JSON but not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFolderError(f"{path} is missing: not a run folder") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise RunFolderError(f"{path}: not valid JSON ({error.msg} at {where})") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise RunFolderError(f"{path}: cannot read it ({reason})") from None
    if not isinstance(data, dict):
        raise RunFolderError(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


def read_config(folder: Path | str) -> dict:
    """``config.json`` of the run folder ``folder`` (:class:`RunFolderError` if absent
    or not a JSON object)."""
    return _read_json_object(Path(folder) / CONFIG_FILE)


def read_summary(folder: Path | str) -> dict:
    """``summary.json`` of the run folder ``folder`` (nulls stay ``None``;
    :class:`RunFolderError` if absent or not a JSON object)."""
    return _read_json_object(Path(folder) / SUMMARY_FILE)
