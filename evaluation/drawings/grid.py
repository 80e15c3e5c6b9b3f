"""Digits' own 8x8 grids drawn as uploads (big canvas, ink, paper, alpha), and image -> file bytes.

The other renderer, evaluation/drawings/render.py, draws a glyph skeleton with a brush; this one starts from a
Digits row, so a test or a fuzz case can send a drawing whose right answer is a known Digits label:
upscale the grid smoothly, threshold it (the threshold sets the stroke thickness), shear it
(slant), then paint it onto a canvas.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter


@dataclass(frozen=True)
class GridStyle:
    canvas: int = 256
    size: int = 180  # height of the digit on the canvas
    offset: tuple[int, int] = (0, 0)  # from the centred position, in canvas pixels
    level: float = 0.45  # lower -> thicker strokes
    slant: float = 0.0  # x shift per y (positive leans right going up)
    ink: tuple[int, ...] = (0, 0, 0)
    paper: tuple[int, ...] = (255, 255, 255)
    mode: str = "RGB"  # "RGB", "L", "RGBA" (transparent paper) or "P"


def render_grid(grid: np.ndarray, style: GridStyle = GridStyle()) -> Image.Image:
    """An 8x8 Digits grid (0..16) -> a PIL image drawn in `style`."""
    small = Image.fromarray((np.asarray(grid, dtype=np.float32).reshape(8, 8) / 16.0 * 255).astype(np.uint8))
    big = small.resize((style.size, style.size), Image.Resampling.BICUBIC)
    big = big.filter(ImageFilter.GaussianBlur(style.size / 40))
    if style.slant:
        extra = int(abs(style.slant) * style.size)
        big = big.transform(
            (style.size + extra, style.size),
            Image.Transform.AFFINE,
            (1.0, style.slant,
             -style.slant * style.size - extra / 2 if style.slant < 0 else -extra / 2 + 0.0, 0.0, 1.0, 0.0),
            resample=Image.Resampling.BILINEAR,
        )
    strokes = np.asarray(big, dtype=np.float32) / 255.0 >= style.level
    canvas = np.zeros((style.canvas, style.canvas), dtype=bool)
    h, w = strokes.shape
    top = (style.canvas - h) // 2 + style.offset[1]
    left = (style.canvas - w) // 2 + style.offset[0]
    canvas[top : top + h, left : left + w] = strokes[: style.canvas - top, : style.canvas - left]
    if style.mode == "RGBA":
        rgba = np.zeros((*canvas.shape, 4), dtype=np.uint8)
        rgba[canvas] = (*style.ink[:3], 255)
        return Image.fromarray(rgba, "RGBA")
    ink = np.array(style.ink, dtype=np.uint8)
    paper = np.array(style.paper, dtype=np.uint8)
    rgb = np.where(canvas[..., None], ink, paper).astype(np.uint8)
    image = Image.fromarray(rgb, "RGB")
    if style.mode == "L":
        return image.convert("L")
    if style.mode == "P":
        return image.convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    return image


def encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    """PIL image -> file bytes in `fmt` (what a user's upload would contain)."""
    if fmt == "JPEG" and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()
