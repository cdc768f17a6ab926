"""The report page: a run folder's contents in, one self-contained HTML document out.

Every piece of text from the folder is escaped with :func:`html.escape`; every image is a
``data:`` URI; the style sheet is inline and there is no script, so the page requests
nothing when opened. The summary table is :mod:`dynalab.experiments.summary_grid`'s grid,
the one the terminal prints.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable
from html import escape
from pathlib import Path

from dynalab.atomic_files import atomic_write_text
from dynalab.experiments.summary_grid import Grid, summary_grid
from dynalab.report.folder import FolderContents, Picture, read_folder
from dynalab.runfolder import REPORT_FILE, SUMMARY_FILE, RunFolderError

STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #fff; }
main { max-width: 75rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #ddd; }
.meta, .note, figcaption { color: #555; font-size: .9rem; margin: .25rem 0; }
pre { background: #f4f4f4; padding: .75rem; overflow-x: auto; font-size: .85rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
caption { font-weight: 600; text-align: left; padding: .25rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .7rem; white-space: nowrap; }
thead th { text-align: right; }
thead th:first-child, tbody th { text-align: left; }
td { text-align: right; }
ul.claims { list-style: none; padding: 0; }
ul.claims li { margin: .4rem 0; }
.mark { font-family: ui-monospace, monospace; font-weight: 700; }
.holds .mark { color: #17663a; }
.fails .mark { color: #b3261e; }
figure { margin: 1rem 0 2rem; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
"""


def write_report(folder: Path | str) -> Path:
    """Write ``folder/report.html`` (atomically, replacing any earlier one: it is derived
    from the folder's other files) and return its path. Raises
    :class:`~dynalab.runfolder.RunFolderError` naming the file when ``folder`` is not a
    readable run folder."""
    contents = read_folder(folder)
    path = contents.path / REPORT_FILE
    atomic_write_text(path, render_page(contents))
    return path


def render_page(contents: FolderContents) -> str:
    """The whole page of ``contents``, as HTML text."""
    summary, config = contents.summary, contents.config
    try:
        grid = summary_grid(summary)
        claims = _claims(summary)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        where = contents.path / SUMMARY_FILE
        reason = f"no {error.args[0]!r}" if isinstance(error, KeyError) else str(error)
        raise RunFolderError(f"{where}: not a summary dynalab wrote ({reason})") from None
    title = str(summary.get("title") or config.get("title") or _default_title(contents))
    plots = [p for p in contents.pictures if not p.is_animation]
    animations = [p for p in contents.pictures if p.is_animation]
    body = [
        f"<h1>{escape(title)}</h1>",
        _meta(contents),
        _section("command", "Command", _command(config)),
        _claims_section(claims),
        _section("summary", "Summary", _table(grid)) if grid is not None else "",
        _pictures_section("plots", "Plots", plots),
        _pictures_section("animations", "Animations", animations),
        _section("config", "Configuration", _json_block("config.json", config, is_open=True)),
        _section("numbers", "Every reported number", _json_block(SUMMARY_FILE, summary)),
        _section("files", "Files", _files(contents.files)),
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<link rel="icon" href="data:,">',
            f"<title>{escape(title)}</title>",
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
            "<main>",
            *(part for part in body if part),
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _claims(summary: dict) -> list[tuple[bool, str, str]]:
    """A reproduction's or study's claims as (holds, claim, measured); none for others."""
    claims = summary.get("claims") or []
    if not isinstance(claims, list):
        raise TypeError(f"claims is a {type(claims).__name__}, not a list")
    return [(bool(c["holds"]), str(c["claim"]), str(c["measured"])) for c in claims]


def _default_title(contents: FolderContents) -> str:
    command = contents.config.get("command", "run")
    world = contents.summary.get("world") or contents.config.get("world")
    return f"dynalab {command} on {world}" if world else f"dynalab {command}"


def _section(anchor: str, heading: str, inner: str) -> str:
    return f'<section id="{anchor}">\n<h2>{escape(heading)}</h2>\n{inner}\n</section>'


def _meta(contents: FolderContents) -> str:
    config = contents.config
    parts = [f"run folder {contents.path.resolve().name}"]
    if config.get("created"):
        parts.append(f"written {config['created']}")
    versions = config.get("versions")
    if isinstance(versions, dict) and versions.get("dynalab"):
        parts.append(f"dynalab {versions['dynalab']}")
    if config.get("run_folder_version") is not None:
        parts.append(f"run folder version {config['run_folder_version']}")
    return f'<p class="meta">{escape(" · ".join(str(part) for part in parts))}</p>'


def _command(config: dict) -> str:
    """The recorded command line; for folders written before it was recorded, the
    command's name and a note saying so."""
    argv = config.get("argv")
    if isinstance(argv, list) and argv:
        return f"<pre><code>{escape(shlex.join(str(word) for word in argv))}</code></pre>"
    words = ["dynalab", str(config.get("command", "?"))]
    if config.get("reproduction"):
        words.append(str(config["reproduction"]))
    return (
        f"<pre><code>{escape(' '.join(words))}</code></pre>\n"
        '<p class="note">The exact command line was not recorded in this folder; '
        "its options are in the configuration below.</p>"
    )


def _claims_section(claims: list[tuple[bool, str, str]]) -> str:
    """Each claim as the terminal prints it, ``[holds] text: measured``, and a verdict."""
    if not claims:
        return ""
    failing = sum(not holds for holds, _, _ in claims)
    verdict = (
        f"All {len(claims)} claims hold."
        if failing == 0
        else f"{failing} of {len(claims)} claims fail."
    )
    items = "\n".join(_claim_item(*claim) for claim in claims)
    inner = f'<p class="verdict">{verdict}</p>\n<ul class="claims">\n{items}\n</ul>'
    return _section("claims", "Claims", inner)


def _claim_item(holds: bool, text: str, measured: str) -> str:
    mark = "holds" if holds else "fails"
    return (
        f'<li class="claim {mark}"><span class="mark">[{mark}]</span> '
        f"{escape(text)}: {escape(measured)}</li>"
    )


def _table(grid: Grid) -> str:
    """``grid`` as an HTML table: the first column names the rows, the rest are numbers."""
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in grid.header)
    rows = "\n".join(
        f'<tr><th scope="row">{escape(first)}</th>'
        + "".join(f"<td>{escape(cell)}</td>" for cell in cells)
        + "</tr>"
        for first, *cells in grid.rows
    )
    notes = "".join(f'\n<p class="note">{escape(line)}</p>' for line in _lines(grid.caption))
    return (
        f'<div class="scroll">\n<table class="summary">\n<caption>{escape(grid.title)}</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n</div>{notes}"
    )


def _lines(text: str) -> Iterable[str]:
    return (line for line in text.splitlines() if line.strip())


def _pictures_section(anchor: str, heading: str, pictures: list[Picture]) -> str:
    if not pictures:
        return ""
    figures = "\n".join(
        f'<figure>\n<img src="{picture.data_uri()}" alt="{escape(picture.caption)}">\n'
        f"<figcaption>{escape(picture.name)}</figcaption>\n"
        "</figure>"
        for picture in pictures
    )
    return _section(anchor, heading, figures)


def _json_block(name: str, data: dict, is_open: bool = False) -> str:
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return (
        f"<details{' open' if is_open else ''}>\n<summary>{escape(name)}</summary>\n"
        f"<pre><code>{escape(text)}</code></pre>\n</details>"
    )


def _files(files: tuple[tuple[str, int], ...]) -> str:
    items = "\n".join(f"<li>{escape(name)} ({_size(size)})</li>" for name, size in files)
    return f"<ul>\n{items}\n</ul>"


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KiB"
    return f"{size / 1024 / 1024:.1f} MiB"
