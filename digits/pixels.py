"""Images as the recognizer reads them: uint8[H, W, 4] RGBA, what browsers, Pillow, pngjs and
System.Drawing all hand over after decoding."""

from __future__ import annotations

import numpy as np
from PIL import Image

from digits.contract import GRID_SIDE, PIXEL_MAX


def rgba(image: Image.Image) -> np.ndarray:
    """A decoded image (any mode) -> uint8[H, W, 4]; an RGBA image is read without a copy.

    Grey images of more than 8 bits (16-bit PNG: "I;16" or "I"; "F") are scaled to 8 bits first:
    Pillow's own conversion clips them at 255, which turns a 16-bit page and its ink white alike.
    """
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        image = Image.fromarray(_grey_8bit(image.mode, np.asarray(image, dtype=np.float32)), "L")
    return np.asarray(image if image.mode == "RGBA" else image.convert("RGBA"))


def _grey_8bit(mode: str, values: np.ndarray) -> np.ndarray:
    """Wide grey values -> uint8 on their full scale: 16 bits for I;16 (and for "I" or "F" values
    past 255), 0..1 for "F" values that stay within it, else 8 bits already."""
    peak = float(values.max()) if values.size else 0.0
    full_scale = 65535.0 if mode.startswith("I;16") or peak > 255 else 255.0
    if mode == "F" and peak <= 1.0:
        full_scale = 1.0
    return np.rint(np.clip(values / full_scale, 0.0, 1.0) * 255.0).astype(np.uint8)


def ink_to_rgba(ink: np.ndarray) -> np.ndarray:
    """An ink map (float 0..1, any size) -> the RGBA image whose ink it is: black ink as alpha on
    a transparent page, so the recognizer reads round(255 * ink) back as the ink."""
    pixels = np.zeros((*ink.shape, 4), dtype=np.uint8)
    pixels[..., 3] = np.rint(np.clip(ink, 0.0, 1.0) * 255.0)
    return pixels


def row_to_rgba(row: np.ndarray) -> np.ndarray:
    """64 Digits values (0..16, row-major 8x8) -> the 8x8 icon they describe."""
    return ink_to_rgba(np.asarray(row, dtype=np.float64).reshape(GRID_SIDE, GRID_SIDE) / PIXEL_MAX)
