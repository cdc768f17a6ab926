"""The run folders the report tests read: made by the command line, as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import Result

from tests.report.commands import invoke


@pytest.fixture(scope="session")
def fig82(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    """``dynalab reproduce fig8.2 --report`` on 2 runs: the issue's "done" command, small."""
    out = tmp_path_factory.mktemp("report") / "fig8.2"
    result = invoke(
        "reproduce", "fig8.2", "--runs", 2, "--jobs", 2, "--out", out, "--quiet", "--report"
    )
    assert result.exit_code in (0, 1), (result.output, result.exception)
    assert "Traceback" not in result.output
    return result, out
