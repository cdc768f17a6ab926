"""Pictures of a world model's dream beside the real episode it dreams (Hafner et al.'s
open-loop videos): a strip of real frames above the imagined ones (PNG), and an animation
of the two side by side (GIF).

Both take pictures already rendered as RGB (:func:`dynalab.envs.pixels.frames_rgb`, the
decoded dream blended toward each channel's colour by its value, so an unsure dream
shows faded) and only arrange them: frames scaled up by whole pixels (nearest, no
smoothing), a row or column label, white gutters.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

PIXELS_PER_CELL = 12
"""Screen pixels per picture pixel, so that a 6 x 9 maze frame is 72 x 108."""
GUTTER = 4
"""White pixels between frames."""
LABEL_WIDTH = 60
"""Width of the label column of the strip, and the height of the GIF's caption row."""
MAX_STRIP_FRAMES = 16
"""Frames shown in the strip: the first ones of the episode."""
OUTLINE = (180, 180, 180)
"""The colour of a frame's outline."""
DREAM_FPS = 3.0
"""Steps per second of the dream's animation."""


def png_bytes(image: Image.Image) -> bytes:
    """``image`` as PNG bytes."""
    data = io.BytesIO()
    image.save(data, format="PNG", optimize=True)
    return data.getvalue()


def _scaled(rgb: np.ndarray) -> Image.Image:
    """One RGB frame scaled up by :data:`PIXELS_PER_CELL`, nearest neighbour, outlined in
    grey so that a frame's edge shows where it is white."""
    image = Image.fromarray(np.asarray(rgb, np.uint8), "RGB")
    image = image.resize(
        (image.width * PIXELS_PER_CELL, image.height * PIXELS_PER_CELL), Image.Resampling.NEAREST
    )
    ImageDraw.Draw(image).rectangle((0, 0, image.width - 1, image.height - 1), outline=OUTLINE)
    return image


def dream_strip(real: np.ndarray, imagined: np.ndarray, title: str = "") -> Image.Image:
    """Real frames (row 1) above the dream of them (row 2), at most
    :data:`MAX_STRIP_FRAMES`, each ``(T, H, W, 3)`` uint8; step numbers above the columns."""
    count = min(len(real), MAX_STRIP_FRAMES)
    first = _scaled(real[0])
    width, height = first.width, first.height
    top = 14 + (14 if title else 0)
    canvas = Image.new(
        "RGB",
        (LABEL_WIDTH + count * (width + GUTTER), top + 2 * (height + GUTTER)),
        "white",
    )
    draw = ImageDraw.Draw(canvas)
    if title:
        draw.text((2, 0), title, fill="black")
    for row, (label, frames) in enumerate((("real", real), ("imagined", imagined))):
        y = top + row * (height + GUTTER)
        draw.text((2, y + height // 2 - 6), label, fill="black")
        for t in range(count):
            x = LABEL_WIDTH + t * (width + GUTTER)
            canvas.paste(_scaled(frames[t]), (x, y))
            if row == 0:
                draw.text((x + 2, top - 13), f"t={t}", fill="black")
    return canvas


def dream_animation(real: np.ndarray, imagined: np.ndarray) -> list[Image.Image]:
    """One image per step: the real frame and the dream of it side by side, captioned."""
    images = []
    for t, (seen, dreamt) in enumerate(zip(real, imagined, strict=True)):
        left, right = _scaled(seen), _scaled(dreamt)
        canvas = Image.new(
            "RGB", (left.width + GUTTER + right.width, left.height + LABEL_WIDTH // 2), "white"
        )
        canvas.paste(left, (0, LABEL_WIDTH // 2))
        canvas.paste(right, (left.width + GUTTER, LABEL_WIDTH // 2))
        draw = ImageDraw.Draw(canvas)
        draw.text((2, 2), f"real, t={t}", fill="black")
        draw.text((left.width + GUTTER + 2, 2), "imagined", fill="black")
        images.append(canvas)
    return images
