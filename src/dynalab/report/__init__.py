"""A run folder as one self-contained HTML page: ``report.html``.

:func:`write_report` reads a run folder (:mod:`dynalab.runfolder`) and writes, beside its
files, a page holding the command that made it, its configuration, its summary table (the
terminal's numbers: means with 95% intervals), every claim marked [holds] or [fails], and
every plot and animation inline as base64 data. The page loads nothing from anywhere, so
it opens offline, from an e-mail attachment or an archive.
"""

from dynalab.report.folder import FolderContents, Picture, read_folder
from dynalab.report.page import render_page, write_report

__all__ = ["FolderContents", "Picture", "read_folder", "render_page", "write_report"]
