"""What the plot tests share: sample bands and readers of what a figure drew."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def band(mean: list[float], half_width: float = 1.0) -> tuple[np.ndarray, ...]:
    values = np.asarray(mean, dtype=float)
    return values, values - half_width, values + half_width


def two_curves() -> dict[str, tuple[np.ndarray, ...]]:
    return {"Q-learning": band([40, 30, 20, 16]), "Dyna-Q n=50": band([35, 15, 14, 14])}


def texts_of(fig: Figure) -> list[str]:
    return [text.get_text() for ax in fig.axes for text in ax.texts]
