"""dynalab: a lab for model-based reinforcement learning (Dyna-Q and friends), measured."""

from dynalab._cache import configure_numba_cache

configure_numba_cache()

__version__ = "0.1.0"
