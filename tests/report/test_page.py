"""``dynalab report`` and ``--report``: what the page holds, read as text.

The page is checked against the run folder it came from: every claim with its mark,
every PNG byte for byte, the recorded command line, the terminal's table cells, and no
address outside the page. The browser's view of it is ``test_browser.py``.
"""

from __future__ import annotations

import base64
import html
import json
import re
import shlex
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from dynalab.runfolder import REPORT_FILE, SUMMARY_FILE
from tests.report.commands import invoke


def page_of(folder: Path) -> str:
    return (folder / REPORT_FILE).read_text(encoding="utf-8")


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


class TableCells(HTMLParser):
    """The text of every ``<th>``/``<td>`` of the page's summary table, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_table = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("class", "summary") in attrs:
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_table = False
        elif tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(page: str) -> list[list[str]]:
    parser = TableCells()
    parser.feed(page)
    return parser.rows


def test_report_flag_writes_the_page_and_nothing_else(fig82):
    result, out = fig82
    assert (out / REPORT_FILE).is_file()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith(("[holds] ", "[fails] ")) for line in lines)


def test_every_claim_is_on_the_page_with_its_mark(fig82):
    _, out = fig82
    page = page_of(out)
    claims = read_json(out / SUMMARY_FILE)["claims"]
    assert len(claims) == 4
    for claim in claims:
        mark = "holds" if claim["holds"] else "fails"
        item = f'<span class="mark">[{mark}]</span> {html.escape(claim["claim"])}: '
        assert item + html.escape(claim["measured"]) in page
    assert page.count('<li class="claim ') == len(claims)


def test_every_png_is_embedded_byte_for_byte(fig82):
    _, out = fig82
    page = page_of(out)
    pngs = sorted(out.glob("*.png"))
    assert len(pngs) >= 4
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert page.count("data:image/png;base64,") == len(pngs) == len(embedded)
    assert [base64.b64decode(data) for data in embedded] == [p.read_bytes() for p in pngs]
    for png in pngs:
        assert f"<figcaption>{png.name}</figcaption>" in page


def test_the_page_loads_nothing_from_anywhere(fig82):
    _, out = fig82
    page = page_of(out)
    addresses = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]*)""", page, flags=re.I)
    assert addresses
    assert all(address.startswith("data:") for address in addresses), addresses
    assert not re.search(r"https?://", page)
    assert "<script" not in page.lower()
    assert "@import" not in page and "url(" not in page


def test_the_command_line_is_recorded_and_shown(fig82):
    _, out = fig82
    argv = read_json(out / "config.json")["argv"]
    assert argv == [
        "dynalab", "reproduce", "fig8.2", "--out", str(out), "--runs", "2", "--jobs", "2",
        "--quiet", "--report",
    ]  # fmt: skip
    assert f"<pre><code>{html.escape(shlex.join(argv))}</code></pre>" in page_of(out)


def test_the_table_holds_the_terminals_numbers(tmp_path):
    out = tmp_path / "compare"
    args = ("compare", "--agents", "q-learning", "dyna-q:n=5", "--runs", 3, "--episodes", 5)
    result = invoke(*args, "--out", out, "--report")
    assert result.exit_code == 0, result.output
    assert f"report: {out / REPORT_FILE}" in result.stdout
    rows = table_rows(page_of(out))
    assert rows[0] == ["measure", "q-learning", "dyna-q:n=5"]
    assert [row[0] for row in rows[1:4]] == [f"steps in episode {e}" for e in (1, 2, 3)]
    printed = {cell.strip() for line in result.stdout.splitlines() for cell in line.split("│")}
    for row in rows[1:]:
        assert len(row) == 3
        assert set(row) <= printed, row
    assert '<section id="claims">' not in page_of(out)


def test_a_tradeoff_folder_gets_its_table(tmp_path):
    out = tmp_path / "tradeoff"
    args = ("tradeoff", "--agents", "q-learning", "dyna-q:n=50", "--runs", 2, "--episodes", 8)
    assert invoke(*args, "--out", out, "--quiet").exit_code == 0
    result = invoke("report", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"report: {out / REPORT_FILE}\n"
    rows = table_rows(page_of(out))
    assert rows[0][0] == "agent"
    assert [row[0] for row in rows[1:]] == ["q-learning", "dyna-q:n=50"]
    assert page_of(out).count("data:image/png;base64,") == len(list(out.glob("*.png"))) == 2


@pytest.fixture
def copied(fig82, tmp_path: Path) -> Path:
    """A copy of the fig8.2 folder, free to change."""
    return Path(shutil.copytree(fig82[1], tmp_path / "copy"))


def test_a_failing_claim_is_marked_and_text_is_escaped(copied):
    summary = read_json(copied / SUMMARY_FILE)
    summary["claims"].append({"claim": "<b>n & m</b>", "measured": "x < y", "holds": False})
    (copied / SUMMARY_FILE).write_text(json.dumps(summary), encoding="utf-8")
    assert invoke("report", copied).exit_code == 0
    page = page_of(copied)
    assert '<li class="claim fails"><span class="mark">[fails]</span> ' in page
    assert "&lt;b&gt;n &amp; m&lt;/b&gt;: x &lt; y" in page
    assert "<b>n & m</b>" not in page
    assert "1 of 5 claims fail." in page


def test_animations_are_embedded_and_an_old_report_is_replaced(copied):
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "blue")]
    frames[0].save(copied / "episode.gif", save_all=True, append_images=frames[1:])
    (copied / REPORT_FILE).write_text("old", encoding="utf-8")
    assert invoke("report", copied).exit_code == 0
    page = page_of(copied)
    assert page.startswith("<!DOCTYPE html>")
    assert '<section id="animations">' in page
    gif = base64.b64encode((copied / "episode.gif").read_bytes()).decode("ascii")
    assert f'src="data:image/gif;base64,{gif}"' in page


def test_a_folder_without_argv_says_the_command_line_was_not_recorded(copied):
    config = read_json(copied / "config.json")
    del config["argv"]
    (copied / "config.json").write_text(json.dumps(config), encoding="utf-8")
    assert invoke("report", copied).exit_code == 0
    page = page_of(copied)
    assert "<pre><code>dynalab reproduce fig8.2</code></pre>" in page
    assert "command line was not recorded" in page


BAD_FOLDERS = {
    "missing": (lambda d: d / "missing", "{d}/missing does not exist"),
    "a file": (lambda d: d / "summary.json", "{d}/summary.json is a file, not a run folder"),
    "empty": (lambda d: d / "empty", "{d}/empty/config.json is missing: not a run folder"),
    "bad json": (lambda d: d / "bad", "{d}/bad/summary.json: not valid JSON (Expecting"),
    "not an object": (lambda d: d / "list", "{d}/list/summary.json: expected a JSON object"),
    "not a summary": (lambda d: d / "other", "{d}/other/summary.json: not a summary dynalab"),
}


@pytest.mark.parametrize(("folder", "expected"), BAD_FOLDERS.values(), ids=list(BAD_FOLDERS))
def test_bad_input_is_one_line_and_exit_2(tmp_path, folder, expected):
    (tmp_path / "summary.json").write_text("{}", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    for name, summary in (("bad", "{"), ("list", "[]"), ("other", '{"agents": {}}')):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text("{}", encoding="utf-8")
        (tmp_path / name / SUMMARY_FILE).write_text(summary, encoding="utf-8")
    result = invoke("report", folder(tmp_path))
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and "Traceback" not in result.output
    assert lines[0].startswith("dynalab: error: " + expected.format(d=tmp_path))
    assert result.stdout == ""
    assert not list(tmp_path.rglob(REPORT_FILE)) and not list(tmp_path.rglob(".*"))


@pytest.mark.parametrize("command", ["compare", "reproduce", "study"])
def test_report_is_an_option_of_the_commands_that_make_run_folders(command):
    assert "--report" in invoke(command, "--help").stdout
