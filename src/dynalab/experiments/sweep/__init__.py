"""``dynalab sweep``: worlds x agents x hyper-parameter grids x seeds, resumable.

* :mod:`~dynalab.experiments.sweep.file` - the TOML sweep file, checked whole;
* :mod:`~dynalab.experiments.sweep.cells` - cells, their seeds from their identity, running one;
* :mod:`~dynalab.experiments.sweep.folder` - the sweep folder: finished cells, resuming;
* :mod:`~dynalab.experiments.sweep.run` - backends, results table and summary.
"""
