"""What ``dynalab compare`` leaves on disk: a comparison's run folder, through the one writer."""

from __future__ import annotations

from pathlib import Path

from dynalab import runfolder
from dynalab.experiments.compare import Comparison, config_dict, summarize, with_argv
from dynalab.experiments.figures import comparison_figures


def write_comparison(
    comparison: Comparison,
    folder: Path,
    *,
    force: bool,
    plot: bool = True,
    argv: list[str] | None = None,
) -> dict:
    """Write config.json (with ``argv``, the command line, when given), episodes.csv,
    steps.csv, summary.json and, with ``plot``, the comparison's figures; returns the
    summary."""
    summary = summarize(comparison)
    runfolder.write_run_folder(
        folder,
        force=force,
        config=with_argv(config_dict(comparison), argv),
        summary=summary,
        results=comparison.results,
        labels=comparison.labels,
        figures=comparison_figures(comparison) if plot else None,
    )
    return summary
