"""Every key of every agent, in one tuple: spec parsing, messages and the configuration's
checks go through it."""

from __future__ import annotations

from dynalab.agents.dreamer_keys import DREAMER_KEYS
from dynalab.agents.keys import TABULAR_KEYS, Key
from dynalab.agents.neural_keys import DEEP_KEYS, DYNA_KEYS

KEYS: tuple[Key, ...] = TABULAR_KEYS + DEEP_KEYS + DYNA_KEYS + DREAMER_KEYS
"""Every key of every agent."""
