"""Real handwritten digits (scanned, 28x28, white ink on black) -> the uploads a person would send.

The ink is the scan itself: it is inverted to dark-on-light and enlarged smoothly (bicubic), never
re-drawn, so every stroke wobble of the writer survives. Thick and thin strokes come from growing
or shrinking the scanned ink with Pillow's max/min filters before enlarging. Everything a style
picks at random (canvas, offset, colour) comes from a generator seeded by (style, index), so the
same digit always gives the same upload.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
from PIL import Image, ImageFilter

DEV_SET: Final = Path(__file__).resolve().parent / "real" / "mnist-dev.npz"
SCAN_SIDE: Final = 28
WHITE: Final = (255, 255, 255)

# Saturated pen colours (the same family the generated drawings use).
_INKS: Final = ((25, 60, 200), (200, 30, 40), (20, 130, 60), (120, 40, 160), (0, 120, 170))


@dataclass(frozen=True)
class RealDigits:
    images: np.ndarray  # uint8 [N, 28, 28], white ink on black
    labels: np.ndarray  # uint8 [N]


def load(path: Path = DEV_SET) -> RealDigits:
    with np.load(path) as data:
        return RealDigits(data["images"], data["labels"])


def _ink(scan: np.ndarray, side: int, grow: int = 0) -> Image.Image:
    """The scan as an 'L' ink map (255 = ink) enlarged smoothly to side x side.

    grow > 0 thickens the strokes by a max filter of that size on the scan (one scan pixel per
    side for 3).
    """
    ink = Image.fromarray(np.asarray(scan, dtype=np.uint8), "L")
    if grow > 0:
        ink = ink.filter(ImageFilter.MaxFilter(grow))
    resample = Image.Resampling.BICUBIC if side >= SCAN_SIDE else Image.Resampling.BOX
    return ink.resize((side, side), resample)


def _paint(ink: Image.Image, canvas: tuple[int, int], at: tuple[int, int],
           colour: tuple[int, int, int] = (0, 0, 0), paper: tuple[int, int, int] = WHITE) -> Image.Image:
    """Blend `colour` over `paper` by the ink's coverage, pasted at `at` on an RGB canvas."""
    image = Image.new("RGB", canvas, paper)
    image.paste(Image.new("RGB", ink.size, colour), at, mask=ink)
    return image


def large_rgb(scan: np.ndarray, rng: np.random.Generator) -> Image.Image:
    side = int(rng.choice((280, 300, 400)))
    return _paint(_ink(scan, side), (side, side), (0, 0), colour=(int(rng.integers(0, 50)),) * 3)


def rgba_transparent(scan: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """A browser canvas: black ink whose alpha is the coverage, transparent elsewhere."""
    side = int(rng.choice((200, 256, 280)))
    rgba = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    rgba.putalpha(_ink(scan, side))
    return rgba


def small_offcentre(scan: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """The digit at 12-22 % of a big canvas' height, in one quadrant, far from the centre."""
    width, height = ((640, 480), (480, 360), (500, 500))[int(rng.integers(3))]
    side = int(rng.uniform(0.12, 0.22) * height * SCAN_SIDE / 20)  # the scan's digit is ~20 of 28
    sx, sy = rng.choice((-1, 1), size=2)
    cx = width / 2 + sx * rng.uniform(0.22, 0.33) * width
    cy = height / 2 + sy * rng.uniform(0.2, 0.3) * height
    at = (int(np.clip(cx - side / 2, 0, width - side)), int(np.clip(cy - side / 2, 0, height - side)))
    return _paint(_ink(scan, side), (width, height), at)


def icon_8x8(scan: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """An 8x8 icon with the digit 6-7 px tall, as people draw icons (and as the generated
    drawings' icons are): the scan's ink rows are framed, then box-averaged down."""
    rows = np.flatnonzero(np.asarray(scan).max(axis=1) > 0)
    top, bottom = (int(rows[0]), int(rows[-1]) + 1) if rows.size else (0, SCAN_SIDE)
    frame = int(round((bottom - top) * 8 / rng.uniform(6.0, 7.0)))
    pad = SCAN_SIDE  # room for a frame larger than the scan
    cy, cx = pad + (top + bottom) / 2, pad + SCAN_SIDE / 2
    box = (cx - frame / 2, cy - frame / 2, cx + frame / 2, cy + frame / 2)
    ink = Image.fromarray(np.pad(np.asarray(scan, dtype=np.uint8), pad), "L")
    return _paint(ink.resize((8, 8), Image.Resampling.BOX, box=box), (8, 8), (0, 0))


def thick_brush(scan: np.ndarray, rng: np.random.Generator) -> Image.Image:
    side = int(rng.choice((200, 280)))
    return _paint(_ink(scan, side, grow=3), (side, side), (0, 0))


def thin_pen(scan: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """Enlarged, then eroded by about half a scan pixel per side: thinner strokes, no gaps
    (eroding the 28x28 scan itself breaks the thinnest strokes apart)."""
    side = int(rng.choice((280, 400)))
    size = side // SCAN_SIDE - 1 | 1  # odd, about one scan pixel wide
    return _paint(_ink(scan, side).filter(ImageFilter.MinFilter(size)), (side, side), (0, 0))


def coloured_ink(scan: np.ndarray, rng: np.random.Generator) -> Image.Image:
    r, g, b = _INKS[int(rng.integers(len(_INKS)))]
    colour = tuple(int(np.clip(c + rng.integers(-20, 21), 0, 255)) for c in (r, g, b))
    paper = (int(rng.integers(238, 252)), int(rng.integers(232, 248)), int(rng.integers(215, 240)))
    side = int(rng.choice((280, 300)))
    return _paint(_ink(scan, side), (side, side), (0, 0), colour=colour, paper=paper)


def grey_28(scan: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """The scan itself, inverted to dark-on-light (mode L)."""
    return Image.fromarray(255 - np.asarray(scan, dtype=np.uint8), "L")


Renderer = Callable[[np.ndarray, np.random.Generator], Image.Image]

STYLES: Final[dict[str, Renderer]] = {
    "large_rgb": large_rgb,
    "rgba_transparent": rgba_transparent,
    "small_offcentre": small_offcentre,
    "icon_8x8": icon_8x8,
    "thick_brush": thick_brush,
    "thin_pen": thin_pen,
    "coloured_ink": coloured_ink,
    "grey_28": grey_28,
}


def render(scan: np.ndarray, style: str, index: int) -> Image.Image:
    """Digit number `index` of the set as an upload in `style`; the same arguments, the same image."""
    seed = zlib.crc32(style.encode()) * 100_003 + index
    return STYLES[style](scan, np.random.default_rng(seed))


@dataclass(frozen=True)
class Upload:
    index: int
    style: str
    label: int
    image: Image.Image


def spread(count: int, total: int) -> list[int]:
    """`count` indices spread evenly over 0..total-1. The set is sorted by digit, so the first N
    would all be zeros; every (total/count)-th digit keeps the classes in proportion."""
    count = min(count, total)
    return np.linspace(0, total - 1, count).round().astype(int).tolist()


def iter_uploads(digits: RealDigits, styles: tuple[str, ...] = tuple(STYLES),
                 indices: range | list[int] | None = None) -> Iterator[Upload]:
    """Every chosen digit in every chosen style, style by style."""
    chosen = range(len(digits.labels)) if indices is None else indices
    for style in styles:
        for i in chosen:
            yield Upload(i, style, int(digits.labels[i]), render(digits.images[i], style, i))
