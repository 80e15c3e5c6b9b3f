"""Images as the recognizer reads them: uint8[H, W, 4] RGBA, what browsers, Pillow, pngjs and
System.Drawing all hand over after decoding."""

from __future__ import annotations

import numpy as np
from PIL import Image

from digits.contract import GRID_SIDE, PIXEL_MAX


def rgba(image: Image.Image) -> np.ndarray:
    """A decoded image (any mode) -> uint8[H, W, 4]; an RGBA image is read without a copy."""
    return np.asarray(image if image.mode == "RGBA" else image.convert("RGBA"))


def ink_to_rgba(ink: np.ndarray) -> np.ndarray:
    """An ink map (float 0..1, any size) -> the RGBA image whose ink it is: black ink as alpha on
    a transparent page, so the recognizer reads round(255 * ink) back as the ink."""
    pixels = np.zeros((*ink.shape, 4), dtype=np.uint8)
    pixels[..., 3] = np.rint(np.clip(ink, 0.0, 1.0) * 255.0)
    return pixels


def row_to_rgba(row: np.ndarray) -> np.ndarray:
    """64 Digits values (0..16, row-major 8x8) -> the 8x8 icon they describe."""
    return ink_to_rgba(np.asarray(row, dtype=np.float64).reshape(GRID_SIDE, GRID_SIDE) / PIXEL_MAX)
