"""The command line as the report tests run it: in-process, through typer's test runner."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from dynalab.cli import app

# A wide terminal, so that rich never wraps a table cell the tests compare with the page.
runner = CliRunner(env={"COLUMNS": "200"})


def invoke(*args: object) -> Result:
    return runner.invoke(app, [str(arg) for arg in args])
