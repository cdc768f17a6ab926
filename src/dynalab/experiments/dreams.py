"""Dreamer's dreams in a comparison's run folder: run 0's final world model dreaming a
greedy episode of its own, open loop from the first frame
(:func:`dynalab.deep.agents.dreamer.dream`), drawn as a strip and an animation
(:mod:`dynalab.plots.dreams`)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

import numpy as np


def first_run_dream(
    world: object, networks: object, config: object, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Run 0's final world model dreaming a greedy episode of its own
    (:func:`dynalab.deep.agents.dreamer.dream`, key ``key(seed)``): the real frames and
    the imagined ones, as RGB, for as long as the episode lasts."""
    import jax

    from dynalab.envs.pixels import frames_rgb

    first = jax.tree.map(lambda leaf: leaf[0], networks)
    seen = _dream_program(world, config)(first, jax.random.key(seed))
    alive = np.asarray(seen.alive)
    return frames_rgb(np.asarray(seen.real)[alive]), frames_rgb(np.asarray(seen.imagined)[alive])


@functools.lru_cache(maxsize=8)
def _dream_program(world: object, config: object) -> Callable:
    """:func:`dynalab.deep.agents.dreamer.dream` on ``world`` with ``config``, jitted once
    per (world, config): a second dream reuses the traced and compiled program."""
    import jax

    from dynalab.deep.agents.dreamer import dream

    return jax.jit(lambda nets, key: dream(world, nets, key, config))


def dream_files(
    labels: Sequence[str], dreams: Sequence[tuple[np.ndarray, np.ndarray] | None], world: str
) -> dict[str, bytes]:
    """For each agent with a dream (:func:`first_run_dream`; None for the others) on
    ``world``, ``dream-<label>.png`` (run 0's real frames above its dream of them) and
    ``dream-<label>.gif`` (the two side by side, step by step)."""
    from dynalab.plots.animation import gif_bytes
    from dynalab.plots.dreams import DREAM_FPS, dream_animation, dream_strip, png_bytes

    files = {}
    for label, dreamt in zip(labels, dreams, strict=True):
        if dreamt is None:
            continue
        real, imagined = dreamt
        name = "dream-" + re.sub(r"[^A-Za-z0-9.]+", "-", label).strip("-")
        title = f"{label} on {world}: run 0's greedy episode, dreamt open loop"
        files[f"{name}.png"] = png_bytes(dream_strip(real, imagined, title))
        files[f"{name}.gif"] = gif_bytes(dream_animation(real, imagined), DREAM_FPS)
    return files
