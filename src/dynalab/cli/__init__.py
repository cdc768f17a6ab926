"""The ``dynalab`` command line (:mod:`dynalab.cli.app`), its shared pieces and its tables."""

from dynalab.cli.app import app, main, run

__all__ = ["app", "main", "run"]
