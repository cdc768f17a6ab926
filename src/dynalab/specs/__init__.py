"""Env and agent SPEC strings: how a user names a world and an agent, parsed once.

The command line and Python users share these strings, so parsing lives here, not in the
CLI: :mod:`dynalab.specs.agents` (``NAME[:key=value,...]``), :mod:`dynalab.specs.worlds`
(built-in worlds, ``maze:PATH``, ``gym:ID``) and the grammar they share,
:mod:`dynalab.specs.text`.
"""
