"""Digit glyphs from fonts, as extra training rows: the shapes Digits' 43 writers did not make.

Digits' 9s end in a leftward hook and its 4s have an open, slanted arm; people's 9s often have
a straight stem and their 4s a closed top. Many fonts draw digits those ways. Each glyph is
drawn large, cropped to its ink and scaled to fill the same 32x32 ink map a Digits copy is
enlarged to, then jittered and featurized by train/augment.py's `render_ink`, the path
every Digits copy takes: so the glyph rows follow any change to the featurizer.

The fonts come from Debian packages (docs/fonts.md lists them with their licences; the setup
command installs them). A listed font that is missing stops training with one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from digits.cli import UsageError
from digits.errors import BlankImage
from train.augment import RENDER_SIDE, Jitter, render_ink

DRAW_SIZE: Final = 128  # font size the glyph is drawn at before it is scaled down (smooth edges)
MARGIN: Final = 4


@dataclass(frozen=True)
class Font:
    package: str  # the Debian package that installs it
    path: str


FONT_LIST: Final = Path(__file__).resolve().parent / "fonts.txt"


def read_fonts(path: Path = FONT_LIST) -> tuple[Font, ...]:
    """train/fonts.txt: one `package path` per line (# starts a comment). tools/system-deps.sh
    reads the same file to install the packages."""
    fonts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            fonts.append(Font(words[0], words[1]))
    return tuple(fonts)


FONTS: Final = read_fonts()


@dataclass(frozen=True)
class GlyphSettings:
    """How many jittered copies each glyph gives and what the rows weigh in the fit, beside the
    Digits rows (a jittered Digits copy weighs 1). Chosen on the development set
    (docs/real-handwriting.md, "Font glyphs")."""

    copies: int = 24
    weight: float = 1.0
    # The original Digits rows (what held-out Digits holds) weigh this much with the glyphs: at
    # the Digits-only weight (3) the glyph rows lowered held-out Digits (docs/real-handwriting.md,
    # "Font glyphs").
    original_weight: float = 10.0
    jitter: Jitter = Jitter()


GLYPHS: Final = GlyphSettings()


def missing_fonts(fonts: tuple[Font, ...] | None = None) -> list[Font]:
    return [font for font in (FONTS if fonts is None else fonts) if not Path(font.path).is_file()]


def check_fonts(fonts: tuple[Font, ...] | None = None) -> None:
    """One line naming what is missing and how to install it, before any work is done."""
    fonts = FONTS if fonts is None else fonts
    missing = missing_fonts(fonts)
    if missing:
        packages = " ".join(sorted({font.package for font in missing}))
        raise UsageError(f"font {missing[0].path} is missing ({len(missing)} of the {len(fonts)} "
                         f"listed fonts): install the Debian packages with `tools/system-deps.sh "
                         f"fonts` ({packages}), or train on Digits alone with --digits-only")


def glyph_ink(font: ImageFont.FreeTypeFont, digit: int, side: int = RENDER_SIDE) -> np.ndarray:
    """The digit's glyph as a side x side ink map (0..1), cropped to its ink, its longer side
    filling the map (aspect kept), centred: the size of a Digits grid enlarged to `side`."""
    text = str(digit)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("L", (right - left + 2 * MARGIN, bottom - top + 2 * MARGIN), 0)
    ImageDraw.Draw(image).text((MARGIN - left, MARGIN - top), text, fill=255, font=font)
    box = image.getbbox()
    if box is None:
        raise BlankImage()
    glyph = image.crop(box)
    width, height = glyph.size
    scale = side / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    glyph = glyph.resize(size, Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR)
    ink = np.zeros((side, side), dtype=np.float32)
    top, left = (side - size[1]) // 2, (side - size[0]) // 2
    ink[top : top + size[1], left : left + size[0]] = np.asarray(glyph, dtype=np.float32) / 255.0
    return ink


def glyph_rows(settings: GlyphSettings, seed: int, fonts: tuple[Font, ...] | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """float32[N, 64] features and int64[N] labels: `settings.copies` jittered copies of every
    digit of every font (default: the listed ones), rendered as the Digits copies are."""
    fonts = FONTS if fonts is None else fonts
    check_fonts(fonts)
    rng = np.random.default_rng([seed, len(fonts)])
    rows, labels = [], []
    for font in fonts:
        face = ImageFont.truetype(font.path, DRAW_SIZE)
        for digit in range(10):
            ink = glyph_ink(face, digit)
            for _ in range(settings.copies):
                try:
                    rows.append(render_ink(ink, rng, settings.jitter))
                except BlankImage:
                    continue
                labels.append(digit)
    return (np.array(rows, dtype=np.float32).reshape(-1, 64), np.array(labels, dtype=np.int64))
