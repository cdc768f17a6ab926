"""``dynalab report DIR`` and the ``--report`` option: a run folder as one HTML page.

The page itself is :mod:`dynalab.report`'s; this module parses the folder argument,
turns a folder that is not a run folder into the one-line error every command gives,
and says where the page went.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dynalab.cli.common import fail, plain_console

REPORT_HELP = "Also write report.html: the run folder as one self-contained page."


def report(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="DIR", help="A run folder (of compare, reproduce, study, tradeoff, sweep)."
        ),
    ],
) -> None:
    """Write DIR/report.html: the run folder as one self-contained page.

    The page holds the command that made the folder, its configuration, the summary
    table (means with 95% CIs, as printed), every claim marked [holds] or [fails], and
    every plot and animation inline; it loads nothing from the network. An existing
    report.html is replaced: it is derived from the folder's other files.
    """
    plain_console().print(f"report: {write_or_fail(folder)}", highlight=False)


def write_or_fail(folder: Path) -> Path:
    """Write ``folder``'s report and return its path; one line and exit status 2 when
    ``folder`` is not a readable run folder or the page cannot be written there."""
    from dynalab.report import write_report
    from dynalab.runfolder import RunFolderError

    try:
        return write_report(folder)
    except RunFolderError as error:
        fail(str(error))
    except OSError as error:
        fail(f"{error.filename or folder}: cannot write the report ({error.strerror})")


def report_after_run(folder: Path, quiet: bool) -> None:
    """``--report``: write the report of the run folder just written, and list it."""
    path = write_or_fail(folder)
    if not quiet:
        plain_console().print(f"report: {path}", highlight=False)
