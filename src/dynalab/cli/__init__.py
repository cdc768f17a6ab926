"""The ``dynalab`` command line (:mod:`dynalab.cli.app`), its shared pieces and its tables.

Commands of their own module register on the same app when imported here.
"""

from dynalab.cli import animate as _animate  # noqa: F401 - registers ``dynalab animate``
from dynalab.cli import claims as _claims  # noqa: F401 - registers ``reproduce`` and ``study``
from dynalab.cli import sweep as _sweep  # noqa: F401 - registers ``dynalab sweep``
from dynalab.cli.app import app, main, run

__all__ = ["app", "main", "run"]
